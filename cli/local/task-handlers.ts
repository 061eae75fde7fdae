import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SNSClient } from '@aws-sdk/client-sns';
import { acquireLease, AcquireLeaseInputSchema } from '../../functions/acquire-lease/acquire-lease';
import { firstWrite, FirstWriteInputSchema } from '../../functions/first-write/first-write';
import type { GuardStore } from '../../functions/domain/guard-state';
import { planSwitch, PlanSwitchInputSchema } from '../../functions/plan-switch/plan-switch';
import { notify, NotifyInputSchema } from '../../functions/notify/notify';
import { releaseLease, ReleaseLeaseInputSchema } from '../../functions/release-lease/release-lease';
import { ResolveInputSchema, resolveTargets } from '../../functions/resolve-targets/resolve-targets';
import { type AlarmReader, StaticAlarms } from '../../functions/domain/alarms';
import type { FailoverConfig } from '../../functions/contract/config';
import { type GroupStateStore, InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { InMemoryWritePacer } from '../../functions/domain/pacer';
import type { WritePacers } from '../../functions/aws/paced-writer';
import { WRITE_ACTION_PACE, type Ec2WriteAction } from '../../functions/domain/switch-strategy';
import { switchItems } from '../../functions/switch-items/switch-items';
import { boundedHandler, type LogEntry } from '../../functions/contract/lambda-errors';
import { parseInput } from '../../functions/contract/parse-input';
import { verifySwitch, VerifyInputSchema } from '../../functions/verify-switch/verify-switch';

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
  /** Per-item retry inside SwitchItems (throttling, 5xx). */
  retry?: { attempts: number; baseMs: number; maxMs: number };
  /**
   * Paces each EC2 write action account-wide (EC2 gives each its own bucket); one in-memory pacer per action
   * and handler set (wall clock) for an action absent here. Share them between handler sets that stand for
   * one account (several groups failing at once).
   */
  pacers?: WritePacers;
  /** SwitchItems reads a route table first when the plan's observation is older than this (0: always). */
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
    pacers: Object.fromEntries(
      (Object.keys(WRITE_ACTION_PACE) as Ec2WriteAction[]).map((a) => [
        a,
        deps.pacers?.[a] ?? new InMemoryWritePacer(WRITE_ACTION_PACE[a]),
      ]),
    ) as WritePacers,
    guard: deps.guard ?? { read: async () => ({ history: { automaticSwitches: [] } }) },
  };
  // Errors leave each handler bounded, as from the deployed functions (boundedHandler in every index.ts).
  const h = (fn: TaskHandler): TaskHandler => boundedHandler(fn, deps.log);
  return {
    AcquireLease: h((e) => acquireLease(parseInput(AcquireLeaseInputSchema, e, 'AcquireLease input'), d)),
    ResolveTargets: h((e) => resolveTargets(parseInput(ResolveInputSchema, e, 'ResolveTargets input'), d)),
    FirstWrite: h((e) => firstWrite(parseInput(FirstWriteInputSchema, e, 'FirstWrite input'), d)),
    PlanSwitch: h((e) => planSwitch(parseInput(PlanSwitchInputSchema, e, 'PlanSwitch input'), d)),
    SwitchItems: h((e) => switchItems(e, d)),
    VerifySwitch: h((e) => verifySwitch(parseInput(VerifyInputSchema, e, 'VerifySwitch input'), d)),
    Notify: h((e) => notify(parseInput(NotifyInputSchema, e, 'Notify input'), d)),
    RecordWithoutNotification: h((e) => notify(parseInput(NotifyInputSchema, e, 'Notify input'), d)),
    ReleaseLease: h((e) => releaseLease(parseInput(ReleaseLeaseInputSchema, e, 'ReleaseLease input'), d)),
    ReleaseLeaseUnrecorded: h((e) => releaseLease(parseInput(ReleaseLeaseInputSchema, e, 'ReleaseLease input'), d)),
  };
};
