import type { RouteTable } from '@aws-sdk/client-ec2';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { isLocalExecutionRunning, runExecution, type RunResult } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';

/** Automatic failback with a hold-down, run through the real ASL (the Wait is shortened, nothing else). */

let seq = 0;
const ec2Event = (instanceId: string, state: string) => ({
  version: '0',
  id: `fb-${++seq}`,
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, state },
});

const targets = (tables: RouteTable[]) => {
  const m = new Map<string, string | undefined>();
  for (const t of tables)
    for (const r of t.Routes ?? []) {
      const d = routeDestination(r);
      if (d) m.set(routeKey(t.RouteTableId!, d), routeTarget(r));
    }
  return m;
};

const setup = (holdDownSeconds = 300) => {
  const sim = new SimulatedVpc({ seed: 5 });
  const scenario = buildRouterPair(sim, { routeTables: 2, groupName: 'onprem-edge' });
  const config = parseConfig({
    ...scenario.config,
    groups: [{ ...scenario.config.groups[0], autoFailback: { holdDownSeconds } }],
  });
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
  const run = (
    input: unknown,
    opts: { holdDownMs?: number; wrap?: Record<string, (i: any) => Promise<unknown>> } = {},
  ): Promise<RunResult> =>
    runExecution({
      handlers: { ...handlers, ...opts.wrap } as never,
      input,
      retryIntervalMs: { AcquireLease: 10 },
      waitTimeMs: { HoldDown: opts.holdDownMs ?? 0, WaitForLease: 10 },
    });
  const failOverA = async () => {
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'));
    expect((r.output as any).outcome).toBe('succeeded');
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
  };
  return { sim, scenario, store, handlers, run, failOverA };
};

describe('automatic failback', () => {
  it('the preferred member is running again: after the hold-down the routes return to it', async () => {
    const { sim, scenario, run, failOverA } = setup();
    await failOverA();
    sim.setInstanceState(scenario.routerA.instanceId, 'running');

    const r = await run(ec2Event(scenario.routerA.instanceId, 'running'));

    expect(r.status).toBe('SUCCEEDED');
    expect(r.output).toMatchObject({
      outcome: 'succeeded',
      to: { name: 'router-a' },
      trigger: { kind: 'instance-state' },
    });
    expect((r.output as any).trigger.summary).toMatch(/automatic failback after a 300 s hold-down/);
    expect(r.events.some((e) => e.type === 'StateEntered' && e.state?.name === 'HoldDown')).toBe(true);
    const after = targets(sim.routeTables());
    for (const m of scenario.expectedMoves) expect(after.get(routeKey(m.routeTableId, m.destination))).toBe(m.fromEni);
  });

  it('holds no lease during the hold-down, so a real failover is never blocked by a pending failback', async () => {
    const { sim, scenario, store, run, failOverA } = setup();
    await failOverA();
    sim.setInstanceState(scenario.routerA.instanceId, 'running');

    const pending = run(ec2Event(scenario.routerA.instanceId, 'running'), { holdDownMs: 150 });
    await new Promise((r) => setTimeout(r, 60));
    expect(store.holder('onprem-edge')).toBeUndefined();
    await pending;
  });

  it('the preferred member fails again during the hold-down: nothing moves', async () => {
    const { sim, scenario, handlers, run, failOverA } = setup();
    await failOverA();
    sim.setInstanceState(scenario.routerA.instanceId, 'running');
    const before = targets(sim.routeTables());
    let calls = 0;

    const r = await run(ec2Event(scenario.routerA.instanceId, 'running'), {
      wrap: {
        // The second AcquireLease runs right after the hold-down: router-a has failed again by then.
        AcquireLease: async (i) => {
          if (++calls === 2) sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
          return handlers.AcquireLease(i);
        },
      },
    });

    expect(r.status).toBe('SUCCEEDED');
    expect(r.output).toMatchObject({ outcome: 'noop' });
    expect((r.output as any).summary).toMatch(/failed the health gate after the hold-down/);
    expect(targets(sim.routeTables())).toEqual(before);
  });

  it('the preferred member was stopped and started again during the hold-down: nothing moves', async () => {
    const { sim, scenario, handlers, run, failOverA } = setup();
    await failOverA();
    sim.setInstanceState(scenario.routerA.instanceId, 'running');
    const before = targets(sim.routeTables());
    let calls = 0;

    const r = await run(ec2Event(scenario.routerA.instanceId, 'running'), {
      wrap: {
        AcquireLease: async (i) => {
          if (++calls === 2) {
            // LaunchTime has one-second resolution: restart clearly after the running event.
            await new Promise((res) => setTimeout(res, 2100));
            sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
            sim.setInstanceState(scenario.routerA.instanceId, 'running');
          }
          return handlers.AcquireLease(i);
        },
      },
    });

    expect(r.output).toMatchObject({ outcome: 'noop' });
    expect((r.output as any).summary).toMatch(/restarted during the hold-down/);
    expect(targets(sim.routeTables())).toEqual(before);
  });

  it('a running event of the member that is not preferred does nothing', async () => {
    const { sim, scenario, run } = setup();
    const before = targets(sim.routeTables());
    const r = await run(ec2Event(scenario.routerB.instanceId, 'running'));
    expect(r.output).toMatchObject({ outcome: 'noop' });
    expect((r.output as any).summary).toMatch(/not the preferred member/);
    expect(targets(sim.routeTables())).toEqual(before);
  });
});
