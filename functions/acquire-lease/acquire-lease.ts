import { classifyTrigger } from '../domain/classify';
import type { FailoverConfig } from '../contract/config';
import { errorCode, isThrottling, isTransient } from '../contract/aws-errors';
import { LeaseBusyError, StateStoreError, TARGET_STATUS_WAIT_SECONDS } from '../contract/errors';
import type { GroupStateStore } from '../domain/group-state';
import { ExecutionInfoSchema, LeaseStateSchema, type LeaseState } from '../contract/schemas';
import * as z from '../contract/zod';

export const AcquireLeaseInputSchema = z.lazy(() =>
  z.object({
    event: z.unknown(),
    execution: ExecutionInfoSchema,
    /** True once the automatic-failback hold-down has been waited out (HoldDown state). */
    holdDownDone: z._default(z.boolean(), false),
  }),
);
export type AcquireLeaseInput = z.infer<typeof AcquireLeaseInputSchema>;

export interface AcquireLeaseDeps {
  config: FailoverConfig;
  store: GroupStateStore;
  /** Whether an execution (by ARN) is still RUNNING: DescribeExecution in AWS, the runner's registry locally. */
  isExecutionRunning: (executionArn: string) => Promise<boolean>;
  now?: () => Date;
  random?: () => number;
}

/**
 * A lease outlives any execution that holds it: it is taken after the (at most 600 s) hold-down, and the
 * state machine times out 1800 s after its start. A holder that ended earlier is taken over at once anyway.
 */
export const LEASE_TTL_SECONDS = 1800;

/** The state machine's TimeoutSeconds (statemachine/failover.asl.json; a test keeps them equal). */
export const EXECUTION_TIMEOUT_SECONDS = 1800;

/**
 * Time a waiting execution keeps for its own work once it has the lease: the largest failover the product
 * is sized for (2,000 routes at EC2's 5 ReplaceRoute/s after its burst of 50, about 390 s) plus reads,
 * verification and notification (480 s), plus the wait for a target whose status checks are still settling
 * (TARGET_STATUS_WAIT_SECONDS). It waits for a busy lease until the execution timeout minus this.
 */
export const WORK_RESERVE_SECONDS = 480 + TARGET_STATUS_WAIT_SECONDS;

/** Seconds between two looks at a busy lease: 10 s on average, jittered so waiters do not move in step. */
const POLL_MIN_SECONDS = 5;
const POLL_SPREAD_SECONDS = 10;

/**
 * Takes the group's lease before anything is resolved or planned, so that one execution at a time writes a
 * group's route tables and each plans from what the previous one left. Inputs that need no action take no
 * lease (ResolveTargets turns them into a no-op); bad input fails here by name. While another running
 * execution holds the lease it answers `waitSeconds` (the WaitForLease state waits, then asks again) for as
 * long as the holder can legitimately keep it, then throws LeaseBusyError (caught and notified).
 */
export const acquireLease = async (input: AcquireLeaseInput, deps: AcquireLeaseDeps): Promise<LeaseState> => {
  const now = deps.now ?? (() => new Date());
  const random = deps.random ?? Math.random;
  const classified = classifyTrigger(input.event, deps.config, input.execution.name ?? input.execution.id);
  if (classified.action === 'noop') return LeaseStateSchema.parse({ held: false });
  // Automatic failback waits its hold-down without the lease, so a real failover is never blocked by it.
  if (classified.failback && !input.holdDownDone)
    return { held: false, holdDownSeconds: classified.failback.holdDownSeconds };
  const group = classified.group.name;
  try {
    const { lease, history, hold } = await deps.store.acquire(
      group,
      input.execution.id,
      now(),
      LEASE_TTL_SECONDS,
      checkedIsRunning(deps.isExecutionRunning),
    );
    return { held: true, ...lease, history, ...(hold ? { hold } : {}) };
  } catch (err) {
    if (!(err instanceof LeaseBusyError)) throw err;
    const started = Date.parse(input.execution.startTime ?? '');
    const waited = Number.isNaN(started) ? 0 : (now().getTime() - started) / 1000;
    const wait = Math.round(POLL_MIN_SECONDS + random() * POLL_SPREAD_SECONDS);
    if (waited + wait > EXECUTION_TIMEOUT_SECONDS - WORK_RESERVE_SECONDS) {
      throw new LeaseBusyError(
        group,
        `${err.holder}; waited ${Math.round(waited)} s, longer than any failover holds it`,
        err.holder,
      );
    }
    return { held: false, group, waitSeconds: wait, busyHolder: err.holder, waitedSeconds: Math.round(waited) };
  }
};

/**
 * Whether the lease holder still runs, with the question's own failures named: throttling and 5xx are a
 * transient StateStoreError (retried by the state machine), anything else a permanent one.
 */
const checkedIsRunning =
  (isRunning: (executionArn: string) => Promise<boolean>) =>
  async (executionArn: string): Promise<boolean> => {
    try {
      return await isRunning(executionArn);
    } catch (err) {
      throw new StateStoreError(
        `DescribeExecution of the lease holder ${executionArn}: ${errorCode(err)}: ${(err as Error)?.message}`,
        isThrottling(err) || isTransient(err),
        { cause: err },
      );
    }
  };
