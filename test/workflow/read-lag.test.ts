import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { isLocalExecutionRunning, runExecution, type RunResult } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { ec2StateEvent } from './events';

/**
 * A failover against an EC2 whose reads lag its writes (sim readLagMs, EC2's eventual consistency), the ASL
 * run locally. One virtual clock drives the simulator's lag windows and VerifySwitch' waits between re-reads
 * (its default recheck delays, 1 + 2 + 4 = 7 s): nothing waits in real time.
 */

const GROUP = 'onprem-edge';

const setup = (maxLagMs: number) => {
  let t = Date.parse('2026-11-25T14:30:00Z');
  const clock = { now: () => t, sleep: async (ms: number) => void (t += ms) };
  const sim = new SimulatedVpc({ seed: 23, latencyMs: 0, clock, readLagMs: { max: maxLagMs } });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: GROUP });
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config: parseConfig(scenario.config),
    topicArn: sim.createTopic('route-failover'),
    store: new InMemoryGroupStateStore(),
    isExecutionRunning: isLocalExecutionRunning,
    // VerifySwitch' recheck delays (left at their default) pass on the simulator's clock.
    sleep: clock.sleep,
  });
  const run = (input: unknown): Promise<RunResult> =>
    runExecution({ handlers: handlers as never, input, retryIntervalMs: 0 });
  /** The expected moves not on router-b in the TRUE state (what EC2 holds, not what a read shows). */
  const notMoved = () => {
    const now = new Map<string, string | undefined>();
    for (const tb of sim.routeTables())
      for (const r of tb.Routes ?? []) {
        const d = routeDestination(r);
        if (d) now.set(routeKey(tb.RouteTableId!, d), routeTarget(r));
      }
    return scenario.expectedMoves.filter((m) => now.get(routeKey(m.routeTableId, m.destination)) !== m.toEni);
  };
  return { sim, scenario, run, notMoved };
};

const record = (r: RunResult): any => r.output ?? r.auditRecord;

describe('reads that lag writes', () => {
  it(`lag up to 3 s: VerifySwitch re-reads until the routes \
settle, and the run succeeds with every route on the target`, async () => {
    const { sim, scenario, run, notMoved } = setup(3000);
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

    const r = await run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'));

    expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true, mismatches: 0 } });
    // The first read showed routes as they were: verification had to look again.
    expect(record(r).verification.rounds).toBeGreaterThan(1);
    expect(notMoved()).toEqual([]);
    expect(scenario.expectedMoves.length).toBeGreaterThan(0);
  });

  it(`lag past what verification waits for (up to 60 s against 7 s): the run does not read as succeeded, and names the \
routes that do not read back`, async () => {
    const { sim, scenario, run, notMoved } = setup(60_000);
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

    const r = await run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'));

    const rec = record(r);
    expect(rec.outcome).not.toBe('succeeded');
    expect(r.status).toBe('FAILED');
    // Every write took effect: what is named is what a read does not show yet.
    expect(notMoved()).toEqual([]);
    expect(rec).toMatchObject({ error: 'RoutesNotVerified', verification: { ok: false, rounds: 4 } });
    expect(rec.verification.mismatches).toBeGreaterThan(0);
    // The routes named are planned moves that EC2 holds on the target (see notMoved above) but reads do not show yet.
    const named = [...String(rec.cause).matchAll(/(rtb-[0-9a-f]+) ([^,)\s]+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(named.length).toBeGreaterThan(0);
    const planned = new Set(scenario.expectedMoves.map((m) => `${m.routeTableId} ${m.destination.value}`));
    for (const n of named) expect(planned).toContain(n);
  });
});
