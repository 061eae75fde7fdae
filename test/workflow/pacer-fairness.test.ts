import { runPacerCase, type PacerResult } from '../../bench/pacer-case';

/**
 * The real ASL, every Task on its real handler, one account-wide pacer, EC2's documented buckets (refilled once
 * a second) and 50 ms ± 50 ms of latency, on a virtual clock (seconds of CPU for minutes of simulated time).
 * Before the pacer's budget was derived from the queue its groups can form, a batch that could not get its
 * turn within a fixed 100 s threw, lost its place to the Map's newer iterations, and after six retries left
 * its routes on the dead router: 740 of 2,000 at maxConcurrency 40, 1,440 of 6,000 with three groups at 10.
 */
const expectEveryRouteMoved = (r: PacerResult) => {
  expect(r.leftBehind).toBe(0);
  expect(r.statuses.every((s) => s === 'succeeded')).toBe(true);
  expect(r.replaceOk).toBe(r.routes * r.groups);
  // The goal is under 5 % of the successful writes; the pacer keeps one second of refill in EC2's bucket.
  expect(r.replaceThrottled).toBeLessThanOrEqual(0.05 * r.replaceOk);
  // No batch failed and was retried by the state machine: each was served at its first turn.
  const retried = r.runs
    .flatMap((run) => run.events)
    .filter((e) => e.type === 'StateRetried' && e.state?.name === 'SwitchItems');
  expect(retried).toEqual([]);
};

describe('the write pacer never starves a batch', () => {
  it(`maxConcurrency 40 (the schema allows up to 40), 2,000 \
routes in batches of 20: every route ends on the target`, async () => {
    const r = await runPacerCase({ routes: 2000, groups: 1, maxConcurrency: 40, latencyMs: 50, jitterMs: 50, seed: 3 });
    expectEveryRouteMoved(r);
  });

  it(`three groups failing at once at the default maxConcurrency 10 \
share the account bucket: every route of each ends on its target`, async () => {
    const r = await runPacerCase({ routes: 2000, groups: 3, maxConcurrency: 10, latencyMs: 50, jitterMs: 50, seed: 4 });
    expectEveryRouteMoved(r);
  });

  it('two groups at maxConcurrency 40 at once: every route of each ends on its target', async () => {
    const r = await runPacerCase({ routes: 1000, groups: 2, maxConcurrency: 40, latencyMs: 50, jitterMs: 50, seed: 5 });
    expectEveryRouteMoved(r);
  });
});
