import type { RouteTable } from '@aws-sdk/client-ec2';
import { refreshInventory } from '../../functions/refresh-inventory/refresh-inventory';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { isLocalExecutionRunning, runExecution, type RunResult } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { ec2StateEvent } from './events';

/**
 * The outages the product exists for, end to end (the ASL run locally against the simulated VPC): the failed
 * router is gone, cannot be described, or the notification path fails; the routes must still end on the
 * standby, or the run must say loudly that they did not.
 */

const GROUP = 'onprem-edge';

const ec2Event = (instanceId: string, state: string, time?: string) => ec2StateEvent(instanceId, state, time);

const switchover = (to: string) => ({
  action: 'switchover',
  group: GROUP,
  to,
  reason: 'AZ a is impaired',
  requestedBy: 'netops',
});

const setup = (opts: { latencyMs?: number | Partial<Record<string, number>> } = {}) => {
  const sim = new SimulatedVpc({ seed: 11, latencyMs: opts.latencyMs ?? 0 });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: GROUP });
  const config = parseConfig(scenario.config);
  const topicArn = sim.createTopic('route-failover');
  const store = new InMemoryGroupStateStore();
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn,
    store,
    isExecutionRunning: isLocalExecutionRunning,
    sleep: async () => undefined,
    recheckDelaysMs: [0],
  });
  const run = (input: unknown, wrap: Record<string, (i: any) => Promise<unknown>> = {}): Promise<RunResult> =>
    runExecution({
      handlers: { ...handlers, ...wrap } as never,
      input,
      retryIntervalMs: 0,
      waitTimeMs: { WaitForLease: 5 },
    });
  const refresh = () => refreshInventory({ ec2: sim.ec2(), config, store });
  return { sim, scenario, config, store, handlers, run, refresh };
};

const targetOf = (tables: RouteTable[]): Map<string, { target?: string; state?: string }> => {
  const m = new Map<string, { target?: string; state?: string }>();
  for (const t of tables)
    for (const r of t.Routes ?? []) {
      const d = routeDestination(r);
      if (d) m.set(routeKey(t.RouteTableId!, d), { target: routeTarget(r), state: r.State });
    }
  return m;
};

/** The expected moves of the scenario, checked against the tables: how many are on router-b now. */
const movedOutOf = (sim: SimulatedVpc, moves: ReturnType<typeof buildRouterPair>['expectedMoves']) => {
  const now = targetOf(sim.routeTables());
  return moves.filter((m) => now.get(routeKey(m.routeTableId, m.destination))?.target === m.toEni).length;
};

const record = (r: RunResult): any => r.output ?? r.auditRecord;

describe('the failed router is gone: terminated, interfaces deleted', () => {
  it(`with the inventory the scheduled refresh wrote, every \
route to the deleted interfaces moves and verifies`, async () => {
    const { sim, scenario, run, refresh } = setup();
    const refreshed = await refresh();
    expect(refreshed.groups[0].members).toEqual([
      { member: 'router-a', interfaces: 2 },
      { member: 'router-b', interfaces: 2 },
    ]);
    sim.setInstanceState(scenario.routerA.instanceId, 'terminated');
    // EC2 deleted router-a's delete-on-termination interfaces: its routes keep the ENI ID, as blackholes.
    const before = targetOf(sim.routeTables());
    expect(
      scenario.expectedMoves.every((m) => before.get(routeKey(m.routeTableId, m.destination))?.state === 'blackhole'),
    ).toBe(true);

    const r = await run(ec2Event(scenario.routerA.instanceId, 'terminated'));

    expect(r.status).toBe('SUCCEEDED');
    expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true, mismatches: 0 } });
    expect(movedOutOf(sim, scenario.expectedMoves)).toBe(scenario.expectedMoves.length);
    expect(record(r).from[0]).toMatchObject({ name: 'router-a', state: 'terminated', interfacesFrom: 'inventory' });
    expect(record(r).warnings.join(' ')).toMatch(
      /terminated with no interface attached: its 2 interface\(s\) come from the inventory/,
    );
  });

  it(`a manual switchover after the termination repairs \
the routes too (the inventory outlives the instance)`, async () => {
    const { sim, scenario, run, refresh } = setup();
    await refresh();
    sim.setInstanceState(scenario.routerA.instanceId, 'terminated');
    sim.removeInstance(scenario.routerA.instanceId); // purged: InvalidInstanceID.NotFound from now on

    const r = await run(switchover('router-b'));

    expect(record(r)).toMatchObject({ outcome: 'succeeded' });
    expect(record(r).from[0]).toMatchObject({ name: 'router-a', state: 'not-found', interfacesFrom: 'inventory' });
    expect(movedOutOf(sim, scenario.expectedMoves)).toBe(scenario.expectedMoves.length);
  });

  it(`control: with no inventory at all the routes cannot be found; \
the run is neither a success nor a no-op, and names each blackhole`, async () => {
    const { sim, scenario, run } = setup();
    sim.setInstanceState(scenario.routerA.instanceId, 'terminated');

    const r = await run(ec2Event(scenario.routerA.instanceId, 'terminated'));

    expect(movedOutOf(sim, scenario.expectedMoves)).toBe(0);
    // Before the route-table invariant this ended `noop` ("already on target") with the routes blackholed.
    expect(record(r)).toMatchObject({
      outcome: 'failed',
      error: 'RoutesNotVerified',
      verification: { ok: false, mismatches: scenario.expectedMoves.length },
    });
    expect(record(r).warnings.join('\n')).toMatch(/no inventory holds its former interfaces/);
    expect(r.cause).toMatch(/blackhole on eni-[0-9a-f]+: nobody's known interface, and router-a's are unknown/);
    expect(record(r).warnings.join('\n')).toMatch(
      new RegExp(
        String.raw`16 blackhole route\(s\) lead to interfaces no member is known to have had, while nothing ` +
          `is known of router-a's interfaces`,
      ),
    );
    expect(sim.published.at(-1)?.MessageAttributes?.severity?.StringValue).not.toBe('info');
  });
});

describe("the failed router's Availability Zone is impaired for the whole run", () => {
  it(`an automatic failover moves every route: the impaired member \
is treated as failed, its interfaces come from the inventory`, async () => {
    const { sim, scenario, run, refresh } = setup();
    await refresh();
    sim.impairAvailabilityZone(`${sim.region}a`);
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'));

    expect(r.status).toBe('SUCCEEDED');
    expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(movedOutOf(sim, scenario.expectedMoves)).toBe(scenario.expectedMoves.length);
    expect(record(r).from[0]).toMatchObject({ name: 'router-a', state: 'unknown', interfacesFrom: 'inventory' });
    expect(record(r).warnings.join(' ')).toMatch(/could not be described by EC2 \(Unavailable\): treated as failed/);
    // router-b alone was described once the group-wide request failed.
    const described = sim.calls.filter((c) => c.action === 'DescribeInstances').map((c) => c.input.InstanceIds);
    expect(described).toContainEqual([scenario.routerB.instanceId]);
  });

  it('a manual switchover away from the impaired AZ works the same way', async () => {
    const { sim, scenario, run, refresh } = setup();
    await refresh();
    sim.impairAvailabilityZone(`${sim.region}a`);

    const r = await run(switchover('router-b'));

    expect(record(r)).toMatchObject({ outcome: 'succeeded' });
    expect(movedOutOf(sim, scenario.expectedMoves)).toBe(scenario.expectedMoves.length);
  });

  it('the target in the impaired AZ: nothing moves, the run retries and fails by name', async () => {
    const { sim, scenario, run, refresh } = setup();
    await refresh();
    sim.impairAvailabilityZone(`${sim.region}b`);
    const before = targetOf(sim.routeTables());

    const r = await run(switchover('router-b'));

    expect(r.status).toBe('FAILED');
    expect(record(r)).toMatchObject({ outcome: 'failed', error: 'Ec2TransientError', group: GROUP });
    expect(r.events.some((e) => e.type === 'StateRetried' && e.state?.name === 'ResolveTargets')).toBe(true);
    expect(targetOf(sim.routeTables())).toEqual(before);
    expect(scenario.expectedMoves.length).toBeGreaterThan(0);
  });
});

describe('verification sweeps the whole scope', () => {
  it(`a route pointed at the failed router while the run was \
writing is a mismatch: the run ends partial, naming it`, async () => {
    const { sim, scenario, run, handlers } = setup();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    const table = scenario.routeTableIds[0];

    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'), {
      VerifySwitch: async (input: any) => {
        sim.addRoute(table, { DestinationCidrBlock: '192.168.77.0/24', NetworkInterfaceId: scenario.routerA.eni0 });
        return handlers.VerifySwitch(input);
      },
    });

    expect(r.status).toBe('FAILED');
    expect(record(r)).toMatchObject({ outcome: 'partial', verification: { ok: false, mismatches: 1 } });
    expect(r.cause).toContain(
      `${table} 192.168.77.0/24: still points at router-a's interface ${scenario.routerA.eni0}`,
    );
  });
});

describe('the notification fails after the switch', () => {
  it(`the lease is released, the switch recorded, the audit \
record kept, and the execution fails as NotificationFailed`, async () => {
    const { sim, scenario, run, store } = setup();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    sim.injectFault({ action: 'Publish', code: 'AuthorizationError' });

    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'));

    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('NotificationFailed');
    expect(r.cause).toMatch(
      new RegExp(
        String.raw`^succeeded: onprem-edge: router-a -> router-b, \d+ route\(s\) moved and verified\. The ` +
          String.raw`SNS notification could not be published \(AuthorizationError`,
      ),
    );
    expect(r.auditRecord).toMatchObject({
      record: 'vpc-route-failover/audit',
      outcome: 'succeeded',
      notification: { published: false, error: 'AuthorizationErrorException' },
    });
    expect(movedOutOf(sim, scenario.expectedMoves)).toBe(scenario.expectedMoves.length);
    expect(store.holder(GROUP)).toBeUndefined();
    // The switch was recorded: an older event about router-a is now stale instead of acted upon.
    const { history } = await store.acquire(GROUP, 'probe', new Date(), 60, async () => false);
    expect(history.lastSwitch).toMatchObject({ to: 'router-b', from: ['router-a'] });
  });

  it('when the record cannot be built either, the lease is still given back and the failure is named', async () => {
    const { sim, scenario, run, store } = setup();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    const broken = async () => {
      throw Object.assign(new Error('Notify function crashed'), { name: 'Error' });
    };

    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'), {
      Notify: broken,
      RecordWithoutNotification: broken,
    });

    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('NotificationFailed');
    expect(r.cause).toMatch(/lease was given back/);
    expect(store.holder(GROUP)).toBeUndefined();
  });
});

describe('a second trigger during a long run', () => {
  it(`waits for the lease as long as the first run needs (far \
more looks than the old 20 retries), then finds the work done`, async () => {
    // A batch's routes go out together, so one slow ReplaceRoute round trip makes the run long.
    const { sim, scenario, run } = setup({ latencyMs: { ReplaceRoute: 400 } });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const first = run(ec2Event(scenario.routerA.instanceId, 'stopping'));
    await new Promise((r) => setTimeout(r, 20));
    const second = await run(
      ec2Event(scenario.routerA.instanceId, 'stopping', new Date(Date.now() + 1000).toISOString()),
    );
    const done = await first;

    expect(record(done).outcome).toBe('succeeded');
    expect(second.status).toBe('SUCCEEDED');
    expect(record(second)).toMatchObject({ outcome: 'noop' });
    expect(record(second).summary).toMatch(/already on target/);
    const looks = second.events.filter((e) => e.type === 'StateEntered' && e.state?.name === 'WaitForLease').length;
    expect(looks).toBeGreaterThan(20);
    expect(movedOutOf(sim, scenario.expectedMoves)).toBe(scenario.expectedMoves.length);
  });
});
