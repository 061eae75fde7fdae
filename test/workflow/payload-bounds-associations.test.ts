import { VirtualClock } from '../../bench/virtual-clock';
import { reconcileTwins } from '../../functions/reconcile-twins/reconcile-twins';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { InMemoryWritePacer, REPLACE_ASSOCIATION_PACE, REPLACE_ROUTE_PACE } from '../../functions/domain/pacer';
import { parseConfig } from '../../functions/contract/config';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { largestStatePayload, runExecution } from '../../cli/local/local-runner';
import { estimateLargestState, STATE_BUDGET_BYTES } from '../../functions/plan-switch/state-budget';
import { buildLargeAssociationEstate } from '../../cli/local/scenario';
import { SimulatedVpc, type FaultSpec } from '../../sim';

/**
 * The associations mode inside Step Functions' 256 KiB per state at 2,000 routes over 200 associated tables:
 * every move refused with EC2's 1.5 KB UnauthorizedOperation, or no twin at all (every table falls back to
 * route-by-route, every ReplaceRoute refused the same way).
 */
const BUDGET = 200 * 1024;

const run = async (opts: { twins: boolean; fault: FaultSpec }) => {
  const clock = new VirtualClock();
  const sim = new SimulatedVpc({
    seed: 5,
    clock,
    // Preparing 200 twins is not what this test measures: their creation is not throttled.
    throttling: {
      buckets: {
        CreateRoute: { burst: 1e6, refillPerSecond: 1e6 },
        CreateRouteTable: { burst: 1e6, refillPerSecond: 1e6 },
      },
    },
  });
  const estate = buildLargeAssociationEstate(sim, {
    routeTables: 200,
    routesPerTable: 10,
    affectedPerTable: 10,
    groupName: 'onprem-edge',
  });
  const config = parseConfig({ ...estate.config, groups: [{ ...estate.config.groups[0], maxConcurrency: 20 }] });
  const now = () => new Date(clock.now());
  const sleep = (ms: number) => clock.sleep(ms);
  const store = new InMemoryGroupStateStore();
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    store,
    topicArn: sim.createTopic('t'),
    now,
    sleep,
    recheckDelaysMs: [0],
    pacers: {
      ReplaceRoute: new InMemoryWritePacer(REPLACE_ROUTE_PACE, { now: () => clock.now(), sleep }),
      ReplaceRouteTableAssociation: new InMemoryWritePacer(REPLACE_ASSOCIATION_PACE, { now: () => clock.now(), sleep }),
    },
  });
  const input = { action: 'switchover', group: 'onprem-edge', to: 'router-b', requestedBy: 'netops' };
  const result = await clock.run(
    async () => {
      if (opts.twins) expect((await reconcileTwins({}, { ec2: sim.ec2(), config, store, now, sleep })).ok).toBe(true);
      sim.injectFault(opts.fault);
      return runExecution({ handlers: handlers as never, input, now });
    },
    { seed: 5 },
  );
  const payload = largestStatePayload(result.events);
  const record = Buffer.byteLength(JSON.stringify(result.auditRecord));
  // PlanSwitch' estimate of the run's largest state (state-budget.ts) accepted the plan and bounds what was measured.
  const listed = result.events.find((e) => e.type === 'StateExited' && e.state?.name === 'PlanSwitch')!.state;
  const estimate = estimateLargestState(listed.input, listed.output.plan);
  expect(payload.bytes).toBeLessThanOrEqual(estimate.bytes);
  expect(estimate.bytes).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
  // eslint-disable-next-line no-console
  console.log(
    `associations mode, ${opts.twins ? 'every move refused' : 'no twins, every route refused'}: largest state ` +
      `${(payload.bytes / 1024).toFixed(1)} KiB (${payload.state}), audit record ${(record / 1024).toFixed(1)} KiB`,
  );
  return { sim, result, payload, record };
};

describe('associations mode at 2,000 routes over 200 associated tables', () => {
  it(`every one of the 200 moves refused with a 1.5 KB \
message: every state within 200 KiB, failed by name`, async () => {
    const { sim, result, payload, record } = await run({
      twins: true,
      fault: {
        action: 'ReplaceRouteTableAssociation',
        code: 'UnauthorizedOperation',
        encodedAuthorizationMessage: true,
      },
    });
    expect(
      sim.calls.filter((c) => c.action === 'ReplaceRouteTableAssociation' && c.error === 'UnauthorizedOperation'),
    ).toHaveLength(200);
    expect(payload.bytes).toBeLessThanOrEqual(BUDGET);
    expect(record).toBeLessThanOrEqual(BUDGET);
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('AssociationsNotSwitched');
    expect(result.auditRecord!.associations).toMatchObject({ planned: 200, moved: 0, failed: 200 });
  }, 120_000);

  it(`no twins: 200 tables fall back to route-by-route and \
every ReplaceRoute is refused: every state within 200 KiB`, async () => {
    const { sim, result, payload, record } = await run({
      twins: false,
      fault: { action: 'ReplaceRoute', code: 'UnauthorizedOperation', encodedAuthorizationMessage: true },
    });
    expect(sim.calls.filter((c) => c.action === 'ReplaceRoute' && c.error === 'UnauthorizedOperation')).toHaveLength(
      2000,
    );
    expect(payload.bytes).toBeLessThanOrEqual(BUDGET);
    expect(record).toBeLessThanOrEqual(BUDGET);
    expect(result.status).toBe('FAILED');
    expect(result.auditRecord!.associations).toMatchObject({ fallbackCount: 200 });
    expect(result.auditRecord!.associations!.fallbacks).toHaveLength(50);
  }, 120_000);
});
