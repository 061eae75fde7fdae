import { classifyTrigger } from '../shared/classify';
import type { FailoverConfig } from '../shared/config';
import type { GroupStateStore } from '../shared/group-state';
import { ExecutionInfoSchema, LeaseStateSchema, type LeaseState } from '../shared/schemas';
import * as z from '../shared/zod';

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
}

/**
 * A lease outlives any execution that holds it: it is taken after the (at most 600 s) hold-down, and the
 * state machine times out 1800 s after its start. A holder that ended earlier is taken over at once anyway.
 */
export const LEASE_TTL_SECONDS = 1800;

/**
 * Takes the group's lease before anything is resolved or planned, so that one execution at a time writes a
 * group's route tables and each plans from what the previous one left. Inputs that need no action take no
 * lease (ResolveTargets turns them into a no-op); bad input fails here by name. Throws LeaseBusyError while
 * another running execution holds the lease (the state machine retries with backoff).
 */
export const acquireLease = async (input: AcquireLeaseInput, deps: AcquireLeaseDeps): Promise<LeaseState> => {
  const now = deps.now ?? (() => new Date());
  const classified = classifyTrigger(input.event, deps.config, input.execution.name ?? input.execution.id);
  if (classified.action === 'noop') return LeaseStateSchema.parse({ held: false });
  // Automatic failback waits its hold-down without the lease, so a real failover is never blocked by it.
  if (classified.failback && !input.holdDownDone) return { held: false, holdDownSeconds: classified.failback.holdDownSeconds };
  const { lease, history } = await deps.store.acquire(classified.group.name, input.execution.id, now(), LEASE_TTL_SECONDS, deps.isExecutionRunning);
  return { held: true, ...lease, history };
};
