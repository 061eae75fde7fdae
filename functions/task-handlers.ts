import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { acquireLease, AcquireLeaseInputSchema } from './acquire-lease/acquire-lease';
import { firstWrite, FirstWriteInputSchema } from './first-write/first-write';
import { listRoutes, ListRoutesInputSchema } from './list-routes/list-routes';
import { notify, NotifyInputSchema } from './notify/notify';
import { releaseLease, ReleaseLeaseInputSchema } from './release-lease/release-lease';
import { ReplaceAssociationsInputSchema, replaceAssociations } from './replace-associations/replace-associations';
import { ReplaceBatchInputSchema, replaceRoutes } from './replace-routes/replace-routes';
import { ResolveInputSchema, resolveTargets } from './resolve-targets/resolve-targets';
import { AlarmReader, StaticAlarms } from './shared/alarms';
import type { FailoverConfig } from './shared/config';
import { GroupStateStore, InMemoryGroupStateStore } from './shared/group-state';
import type { GuardStore } from './shared/guard-state';
import { InMemoryWritePacer, REPLACE_ASSOCIATION_PACE, type WritePacer } from './shared/pacer';
import { boundedHandler, type LogEntry } from './shared/lambda-errors';
import { parseInput } from './shared/parse-input';
import { verifyRoutes, VerifyInputSchema } from './verify-routes/verify-routes';

/** The stack name infra/app.ts uses when none is given (`-c stackName=`). */
export const DEFAULT_STACK_NAME = 'VpcRouteFailover';

export interface TaskDeps {
  ec2: EC2Client;
  sns: SNSClient;
  config: FailoverConfig;
  topicArn: string;
  /** Group leases and history; one in-memory store per handler set when absent. Share one to serialize runs. */
  store?: GroupStateStore;
  /** CloudWatch alarm states (alarm events are confirmed against it); none known when absent. */
  alarms?: AlarmReader;
  /** The stack's name, which starts the names of its status-check alarms (default: the default stack's). */
  stackName?: string;
  /**
   * Whether an execution still runs (a lease held by one that does not is taken over). Defaults to "yes",
   * the safe answer: never take a lease from an execution we cannot see.
   */
  isExecutionRunning?: (executionArn: string) => Promise<boolean>;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  recheckDelaysMs?: number[];
  /** The function log (full errors, abridged route errors); none when absent. */
  log?: LogEntry;
  /** Per-route retry inside ReplaceRoutes (throttling, 5xx). */
  retry?: { attempts: number; baseMs: number; maxMs: number };
  /**
   * Paces ReplaceRoute account-wide; one in-memory pacer per handler set (wall clock) when absent. Share one
   * between handler sets that stand for one account (several groups failing at once).
   */
  pacer?: WritePacer;
  /** Paces ReplaceRouteTableAssociation (EC2's bucket for it is its own); one in-memory pacer per handler set when absent. */
  associationPacer?: WritePacer;
  /** ReplaceRoutes reads its table first when the plan's observation is older than this (0: always). */
  maxObservationAgeMs?: number;
  /** Where FirstWrite reads the plans the guard armed; none armed when absent (FirstWrite then skips). */
  guard?: Pick<GuardStore, 'read'>;
}

// JSON in, JSON out, as Lambda would see it.
type TaskHandler = (input: unknown) => Promise<unknown>;

/**
 * The Task states of statemachine/failover.asl.json mapped to their real pure functions, wired exactly as
 * each functions/<step>/index.ts wires them but with the clients given here (local runner, tests, demo).
 */
export const createTaskHandlers = (deps: TaskDeps): Record<string, TaskHandler> => {
  const d = {
    ...deps,
    store: deps.store ?? new InMemoryGroupStateStore(),
    isExecutionRunning: deps.isExecutionRunning ?? (async () => true),
    alarms: deps.alarms ?? new StaticAlarms(),
    stackName: deps.stackName ?? DEFAULT_STACK_NAME,
    pacer: deps.pacer ?? new InMemoryWritePacer(),
    associationPacer: deps.associationPacer ?? new InMemoryWritePacer(REPLACE_ASSOCIATION_PACE),
    guard: deps.guard ?? { read: async () => ({ history: { automaticSwitches: [] } }) },
  };
  // Errors leave each handler bounded, as from the deployed functions (boundedHandler in every index.ts).
  const h = (fn: TaskHandler): TaskHandler => boundedHandler(fn, deps.log);
  return {
    AcquireLease: h((e) => acquireLease(parseInput(AcquireLeaseInputSchema, e, 'AcquireLease input'), d)),
    ResolveTargets: h((e) => resolveTargets(parseInput(ResolveInputSchema, e, 'ResolveTargets input'), d)),
    FirstWrite: h((e) => firstWrite(parseInput(FirstWriteInputSchema, e, 'FirstWrite input'), d)),
    ListRoutes: h((e) => listRoutes(parseInput(ListRoutesInputSchema, e, 'ListRoutes input'), d)),
    ReplaceAssociations: h((e) => replaceAssociations(parseInput(ReplaceAssociationsInputSchema, e, 'ReplaceAssociations input'), d)),
    ReplaceRoutes: h((e) => replaceRoutes(parseInput(ReplaceBatchInputSchema, e, 'ReplaceRoutes input'), d)),
    VerifyRoutes: h((e) => verifyRoutes(parseInput(VerifyInputSchema, e, 'VerifyRoutes input'), d)),
    Notify: h((e) => notify(parseInput(NotifyInputSchema, e, 'Notify input'), d)),
    RecordWithoutNotification: h((e) => notify(parseInput(NotifyInputSchema, e, 'Notify input'), d)),
    ReleaseLease: h((e) => releaseLease(parseInput(ReleaseLeaseInputSchema, e, 'ReleaseLease input'), d)),
    ReleaseLeaseUnrecorded: h((e) => releaseLease(parseInput(ReleaseLeaseInputSchema, e, 'ReleaseLease input'), d)),
  };
};
