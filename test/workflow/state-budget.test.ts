import { VirtualClock } from '../../bench/virtual-clock';
import { planSwitch } from '../../functions/plan-switch/plan-switch';
import { estimateLargestState, STATE_BUDGET_BYTES } from '../../functions/plan-switch/state-budget';
import { PlanTooLargeError } from '../../functions/contract/errors';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { InMemoryWritePacer, REPLACE_ROUTE_PACE } from '../../functions/domain/pacer';
import { parseConfig } from '../../functions/contract/config';
import { routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';
import type { FailoverState } from '../../functions/contract/schemas';
import { STATE_PAYLOAD_LIMIT } from '../../functions/contract/state-size';
import { createTaskHandlers, type TaskDeps } from '../../cli/local/task-handlers';
import { largestStatePayload, runExecution } from '../../cli/local/local-runner';
import { buildLargeEstate } from '../../cli/local/scenario';
import { SimulatedVpc, type FaultSpec } from '../../sim';

/**
 * A plan too large for the workflow's states is refused by PlanSwitch (PlanTooLargeError) before any write, and
 * the largest plan it accepts runs to its end (moved, or failed in every batch, then notified) with every state
 * within Step Functions' 262,144 bytes, which the local runner enforces (States.DataLimitExceeded, uncaught).
 * Estates of 10 affected routes per table (one batch each), the shape scale.test.ts and payload-bounds use.
 */
const GROUP = 'onprem-edge';
const shape = (routeTables: number) => ({ routeTables, routesPerTable: 14, affectedPerTable: 10, groupName: GROUP });

const setup = (routeTables: number) => {
  // EC2's documented limits at thousands of routes take minutes of simulated time: a virtual
  // clock runs them in CPU time.
  const clock = new VirtualClock();
  const sim = new SimulatedVpc({ seed: 21, clock });
  const estate = buildLargeEstate(sim, shape(routeTables));
  const config = parseConfig({ ...estate.config, groups: [{ ...estate.config.groups[0], maxConcurrency: 20 }] });
  const now = () => new Date(clock.now());
  const sleep = (ms: number) => clock.sleep(ms);
  const store = new InMemoryGroupStateStore();
  const pacer = new InMemoryWritePacer(REPLACE_ROUTE_PACE, { now: () => clock.now(), sleep });
  const deps = {
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    store,
    topicArn: sim.createTopic('t'),
    now,
    sleep,
    pacers: { ReplaceRoute: pacer },
    recheckDelaysMs: [0],
  };
  const run = async (extra: Partial<TaskDeps> = {}, fault?: FaultSpec) => {
    if (fault) sim.injectFault(fault);
    const handlers = createTaskHandlers({ ...deps, ...extra });
    const input = { action: 'switchover', group: GROUP, to: 'router-b', requestedBy: 'netops' };
    return clock.run(() => runExecution({ handlers: handlers as never, input, now }), { seed: 21 });
  };
  return { sim, estate, store, run };
};

const targets = (sim: SimulatedVpc) => {
  const out = new Map<string, string | undefined>();
  for (const t of sim.routeTables())
    for (const r of t.Routes ?? []) out.set(routeKey(t.RouteTableId!, routeDestination(r)!), routeTarget(r));
  return out;
};

const listRoutesInput = (events: Array<Record<string, any>>): FailoverState =>
  events.find((e) => e.type === 'StateEntered' && e.state?.name === 'PlanSwitch')!.state.input;

/**
 * Whether PlanSwitch accepts the plan of an estate of `routeTables` tables (the same members, interfaces and scope).
 */
const accepts = async (input: FailoverState, routeTables: number): Promise<boolean> => {
  const sim = new SimulatedVpc({ seed: 21 });
  buildLargeEstate(sim, shape(routeTables));
  try {
    const plan = await planSwitch(input, { ec2: sim.ec2() });
    expect(plan.changeCount).toBe(routeTables * 10);
    return true;
  } catch (err) {
    if (err instanceof PlanTooLargeError) return false;
    throw err;
  }
};

describe(`the workflow's states stay within Step Functions' \
256 KiB: too large a plan is refused before any write`, () => {
  it(`5,200 routes: refused by name, failed in the record, \
notified, the lease released, no route changed`, async () => {
    const { sim, store, run } = setup(520);
    const before = targets(sim);

    const r = await run();

    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('PlanTooLargeError');
    expect(r.cause).toMatch(
      new RegExp(
        String.raw`^PlanSwitch failed: 5200 route\(s\) would make a workflow state of about \d+ bytes; Step ` +
          String.raw`Functions allows 262144\. Split the group's route-table scope into several groups of at ` +
          String.raw`most about \d+ routes each`,
      ),
    );
    expect(r.auditRecord).toMatchObject({ outcome: 'failed', error: 'PlanTooLargeError' });
    expect(sim.published).toHaveLength(1);
    expect(sim.published[0].Message).toContain('PlanTooLargeError');
    expect(store.holder(GROUP)).toBeUndefined();
    expect(sim.calls.filter((c) => c.action === 'ReplaceRoute')).toEqual([]);
    expect(targets(sim)).toEqual(before);
    // Refused early, the run itself stays small.
    expect(largestStatePayload(r.events).bytes).toBeLessThan(8 * 1024);
  });

  it(`the bound: the largest plan PlanSwitch accepts runs to its \
end, moved or failed in every batch, every state within 256 KiB`, async () => {
    // The largest estate of this shape PlanSwitch accepts, by bisection on the pure function, with the state a
    // run of this shape gives it (a refused run: the quickest way to it).
    const input = listRoutesInput((await setup(520).run()).events);
    let lo = 1;
    let hi = 520;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await accepts(input, mid)) lo = mid;
      else hi = mid;
    }
    expect(await accepts(input, lo)).toBe(true);
    expect(await accepts(input, lo + 1)).toBe(false);
    // At least the 2,000 routes DESIGN.md promises in this shape.
    expect(lo * 10).toBeGreaterThanOrEqual(2000);

    // Moved: every route on the target.
    const ok = setup(lo);
    const moved = await ok.run();
    expect(moved.status).toBe('SUCCEEDED');
    const after = targets(ok.sim);
    for (const m of ok.estate.expectedMoves) expect(after.get(routeKey(m.routeTableId, m.destination))).toBe(m.toEni);

    // Failed in every batch (each batch's table read refused with EC2's 1.5 KB UnauthorizedOperation), 200
    // mismatches listed: the largest states this plan can make, and still notified with the lease released.
    const bad = setup(lo);
    const byTableId: FaultSpec['when'] = (i) =>
      ((i.Filters ?? []) as Array<{ Name?: string }>).some((f) => f.Name === 'route-table-id');
    const failed = await bad.run(
      { maxObservationAgeMs: 0 },
      {
        action: 'DescribeRouteTables',
        code: 'UnauthorizedOperation',
        encodedAuthorizationMessage: true,
        times: lo,
        when: byTableId,
      },
    );
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('RoutesNotSwitched');
    expect(bad.sim.published).toHaveLength(1);
    expect(bad.store.holder(GROUP)).toBeUndefined();

    const plan = moved.events.find((e) => e.type === 'StateExited' && e.state?.name === 'PlanSwitch')!.state.output
      .plan;
    const estimate = estimateLargestState(listRoutesInput(moved.events), plan);
    expect(estimate.bytes).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
    for (const r of [moved, failed]) {
      const largest = largestStatePayload(r.events);
      expect(largest.bytes).toBeLessThanOrEqual(STATE_PAYLOAD_LIMIT);
      // The estimate is an upper bound of what the runner measures.
      expect(largest.bytes).toBeLessThanOrEqual(estimate.bytes);
    }
    // eslint-disable-next-line no-console
    console.log(
      `state budget: ${lo * 10} routes accepted (${lo} tables), ${(lo + 1) * 10} refused; estimate ${estimate.bytes} ` +
        `bytes (budget ${STATE_BUDGET_BYTES}); ` +
        `largest state measured: moved ${largestStatePayload(moved.events).bytes} ` +
        `(${largestStatePayload(moved.events).state}), every batch failed ` +
        `${largestStatePayload(failed.events).bytes} (${largestStatePayload(failed.events).state})`,
    );
  }, 60_000);
});
