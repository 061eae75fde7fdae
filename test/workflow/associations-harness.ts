import { reconcileTwins } from '../../functions/reconcile-twins/reconcile-twins';
import type { FailoverConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { runExecution, type RunResult } from '../../cli/local/local-runner';
import { simHandlers } from '../../bench/false-success';
import { SimulatedVpc } from '../../sim';

/**
 * A simulated VPC for the associations-mode workflow tests. CreateRoute's bucket is widened: staging twins is
 * set-up, not under test (ReplaceRoute and ReplaceRouteTableAssociation keep EC2's documented 50 / 5 per second).
 */
export const associationsSim = (seed: number): SimulatedVpc =>
  new SimulatedVpc({
    seed,
    latencyMs: 0,
    throttling: { buckets: { CreateRoute: { burst: 1000, refillPerSecond: 1000 } } },
  });

/** The workflow on `sim` with every Task on its real handler, one group-state store, and the twin reconcile. */
export const associationsHarness = (sim: SimulatedVpc, config: FailoverConfig) => {
  const store = new InMemoryGroupStateStore();
  const handlers = simHandlers(sim, config, store);
  const run = (input: unknown): Promise<RunResult> =>
    runExecution({ handlers: handlers as never, input, retryIntervalMs: 0, waitTimeMs: { WaitForLease: 5 } });
  const reconcile = () => reconcileTwins({}, { ec2: sim.ec2(), config, store, sleep: async () => undefined });
  return { store, handlers, run, reconcile };
};
