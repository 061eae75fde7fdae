import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { newHold } from '../../functions/contract/hold';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { isLocalExecutionRunning, runExecution } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { routeKey } from '../../functions/domain/routes';
import { SimulatedVpc } from '../../sim';
import { ec2StateEvent, routeTargets } from './events';

/** The maintenance hold, through the real ASL: automatic triggers end as a held no-op, manual requests run. */

const ec2Event = (instanceId: string, state: string) => ec2StateEvent(instanceId, state);
const targets = routeTargets;

const setup = (opts: { autoFailback?: boolean } = {}) => {
  const sim = new SimulatedVpc({ seed: 11 });
  const scenario = buildRouterPair(sim, { routeTables: 2, groupName: 'onprem-edge' });
  const group = {
    ...scenario.config.groups[0],
    ...(opts.autoFailback ? { autoFailback: { holdDownSeconds: 60 } } : {}),
  };
  const config = parseConfig({ ...scenario.config, groups: [group] });
  const store = new InMemoryGroupStateStore();
  const topicArn = sim.createTopic('route-failover');
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn,
    store,
    isExecutionRunning: isLocalExecutionRunning,
    recheckDelaysMs: [0],
  });
  const run = (input: unknown) =>
    runExecution({
      handlers: handlers as never,
      input,
      retryIntervalMs: { AcquireLease: 10 },
      waitTimeMs: { HoldDown: 0, WaitForLease: 10 },
    });
  const hold = (seconds: number, now = new Date()) =>
    store.setHold(
      'onprem-edge',
      newHold({
        seconds,
        by: 'arn:aws:sts::123456789012:assumed-role/NetOps/alice',
        reason: 'firmware upgrade CHG-2001',
        now,
      }),
    );
  return { sim, scenario, store, run, hold };
};

describe('maintenance hold', () => {
  it('an instance event for a held group changes nothing and is notified as HELD at warning severity', async () => {
    const { sim, scenario, run, hold } = setup();
    await hold(7200);
    const before = targets(sim.routeTables());
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'));

    expect(r.status).toBe('SUCCEEDED');
    const out = r.output as any;
    expect(out.outcome).toBe('noop');
    expect(out.held).toMatchObject({
      by: 'arn:aws:sts::123456789012:assumed-role/NetOps/alice',
      reason: 'firmware upgrade CHG-2001',
    });
    expect(out.summary).toMatch(
      /held: group "onprem-edge" is under a maintenance hold until .*firmware upgrade CHG-2001/,
    );
    expect(targets(sim.routeTables())).toEqual(before);
    expect(sim.calls.filter((c) => c.action === 'ReplaceRoute')).toHaveLength(0);
    const msg = sim.published.at(-1)!;
    expect(msg.Subject).toMatch(/^\[HELD\] onprem-edge: automatic failover held until /);
    expect(msg.MessageAttributes?.severity?.StringValue).toBe('warning');
    expect(msg.Message).toMatch(/Held: +until .*set by arn:aws:sts::123456789012:assumed-role\/NetOps\/alice/);
  });

  it('a manual switchover still runs while the group is held', async () => {
    const { sim, scenario, run, hold } = setup();
    await hold(7200);

    const r = await run({
      action: 'switchover',
      group: 'onprem-edge',
      to: 'router-b',
      reason: 'planned',
      requestedBy: 'netops',
    });

    expect((r.output as any).outcome).toBe('succeeded');
    expect((r.output as any).held).toBeUndefined();
    const after = targets(sim.routeTables());
    for (const m of scenario.expectedMoves) expect(after.get(routeKey(m.routeTableId, m.destination))).toBe(m.toEni);
  });

  it('an expired hold holds nothing: the automatic failover runs', async () => {
    const { sim, scenario, run, hold } = setup();
    await hold(60, new Date(Date.now() - 120_000));
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'));

    expect((r.output as any).outcome).toBe('succeeded');
    expect((r.output as any).held).toBeUndefined();
  });

  it('automatic failback is held too', async () => {
    const { sim, scenario, run, hold } = setup({ autoFailback: true });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    expect(((await run(ec2Event(scenario.routerA.instanceId, 'stopping'))).output as any).outcome).toBe('succeeded');
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
    await hold(3600);
    sim.setInstanceState(scenario.routerA.instanceId, 'running');
    const before = targets(sim.routeTables());

    const r = await run(ec2Event(scenario.routerA.instanceId, 'running'));

    expect(r.output).toMatchObject({ outcome: 'noop', held: { reason: 'firmware upgrade CHG-2001' } });
    expect(targets(sim.routeTables())).toEqual(before);
  });
});
