import { ReplaceRouteCommand, type RouteTable } from '@aws-sdk/client-ec2';
import { refreshInventory } from '../../functions/refresh-inventory/refresh-inventory';
import { parseConfig, type FailoverConfigInput } from '../../functions/shared/config';
import { InMemoryGroupStateStore } from '../../functions/shared/group-state';
import { routeDestination, routeKey, routeTarget } from '../../functions/shared/routes';
import { twinTags } from '../../functions/shared/twins';
import { createTaskHandlers } from '../../functions/task-handlers';
import { isLocalExecutionRunning, runExecution, type RunResult } from '../../cli/local/local-runner';
import { buildRouterPair, VPC_CIDR, type ExpectedMove } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { findingsFor } from '../network-truth';
import { ec2StateEvent } from './events';

/**
 * Success means the network is right: each case here once ended `succeeded`, `noop` or a false failure while
 * routes still led to the dead router. The ASL runs locally against the simulated VPC; every run is also
 * checked by the network-truth guard (test/network-truth-guard.ts). Each test states the routes left on the
 * failed member before and after the run.
 */

const GROUP = 'onprem-edge';

type Scenario = ReturnType<typeof buildRouterPair>;

const setup = (opts: { config?: (c: FailoverConfigInput, scenario: Scenario) => FailoverConfigInput; seed?: number } = {}) => {
  const sim = new SimulatedVpc({ seed: opts.seed ?? 17 });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: GROUP });
  const config = parseConfig(opts.config ? opts.config(structuredClone(scenario.config), scenario) : scenario.config);
  const store = new InMemoryGroupStateStore();
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn: sim.createTopic('route-failover'),
    store,
    isExecutionRunning: isLocalExecutionRunning,
    sleep: async () => undefined,
    recheckDelaysMs: [0],
  });
  const run = (input: unknown): Promise<RunResult> => runExecution({ handlers: handlers as never, input, retryIntervalMs: 0 });
  const refresh = () => refreshInventory({ ec2: sim.ec2(), config, store });
  return { sim, scenario, config, store, handlers, run, refresh };
};

type Setup = ReturnType<typeof setup>;
const record = (r: RunResult): any => r.output ?? r.auditRecord;

const targets = (tables: RouteTable[]): Map<string, string | undefined> => {
  const m = new Map<string, string | undefined>();
  for (const t of tables) {
    for (const r of t.Routes ?? []) {
      const d = routeDestination(r);
      // The static route of a destination is the one that carries traffic (and the one ReplaceRoute acts on).
      if (d && (r.Origin !== 'EnableVgwRoutePropagation' || !m.has(routeKey(t.RouteTableId!, d)))) m.set(routeKey(t.RouteTableId!, d), routeTarget(r));
    }
  }
  return m;
};

/** How many of `moves` still point at their source interface, and how many are on their target. */
const tally = (sim: SimulatedVpc, moves: ExpectedMove[]) => {
  const now = targets(sim.routeTables());
  const at = (m: ExpectedMove) => now.get(routeKey(m.routeTableId, m.destination));
  return { onFailed: moves.filter((m) => at(m) === m.fromEni).length, onTarget: moves.filter((m) => at(m) === m.toEni).length };
};

/** The findings of the route-table invariant on the simulator's tables for a record (the guard's check). */
const findings = (s: Setup, r: RunResult) => findingsFor(s.handlers, { ...record(r), outcome: 'succeeded' }) ?? [];

describe('success means the network is right', () => {
  it("case 1: a first failover with the failed router's Availability Zone impaired and no inventory moves every route (the routes' InstanceId says whose they are)", async () => {
    const s = setup();
    const { sim, scenario } = s;
    sim.impairAvailabilityZone(`${sim.region}a`);
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
    expect(tally(sim, scenario.expectedMoves)).toEqual({ onFailed: scenario.expectedMoves.length, onTarget: 0 });

    const r = await s.run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'));

    // Before: `noop` "already on target", every one of the routes left on the stopped router.
    expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(tally(sim, scenario.expectedMoves)).toEqual({ onFailed: 0, onTarget: scenario.expectedMoves.length });
    expect(record(r).warnings.join(' ')).toMatch(/router-a: 2 interface\(s\) learned from the route tables/);
    expect(record(r).verification.invariant).toMatch(/none leads to router-a or is blackhole on a member/);
    expect(findings(s, r)).toEqual([]);
  });

  it('case 1, four groups failing at once in one impaired Availability Zone: each moves every route', async () => {
    const runs = await Promise.all(
      [21, 22, 23, 24].map(async (seed) => {
        const s = setup({ seed });
        s.sim.impairAvailabilityZone(`${s.sim.region}a`);
        s.sim.setInstanceState(s.scenario.routerA.instanceId, 'stopped');
        return { s, r: await s.run(ec2StateEvent(s.scenario.routerA.instanceId, 'stopped')) };
      }),
    );
    for (const { s, r } of runs) {
      expect(record(r).outcome).toBe('succeeded');
      expect(tally(s.sim, s.scenario.expectedMoves).onFailed).toBe(0);
    }
  });

  it('case 2: a local route pointed at the router (east-west inspection) moves with ReplaceRoute, is verified, and failback moves it back', async () => {
    const s = setup();
    const { sim, scenario } = s;
    const table = scenario.routeTableIds[0];
    await sim.ec2().send(new ReplaceRouteCommand({ RouteTableId: table, DestinationCidrBlock: VPC_CIDR, NetworkInterfaceId: scenario.routerA.eni1 }));
    const local = { routeTableId: table, destination: { kind: 'ipv4' as const, value: VPC_CIDR }, fromEni: scenario.routerA.eni1, toEni: scenario.routerB.eni1 };
    await s.refresh();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

    const r = await s.run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'));

    // Before: `succeeded`, the VPC CIDR left blackholed on the stopped router, "local route of the VPC (not moved)".
    expect(record(r).outcome).toBe('succeeded');
    expect(tally(sim, [local, ...scenario.expectedMoves])).toEqual({ onFailed: 0, onTarget: scenario.expectedMoves.length + 1 });
    expect(sim.route(table, VPC_CIDR)).toMatchObject({ NetworkInterfaceId: scenario.routerB.eni1, Origin: 'CreateRouteTable', State: 'active' });

    sim.setInstanceState(scenario.routerA.instanceId, 'running');
    const back = await s.run({ action: 'failback', group: GROUP, requestedBy: 'netops', reason: 'router-a repaired' });
    expect(record(back).outcome).toBe('succeeded');
    expect(sim.route(table, VPC_CIDR)).toMatchObject({ NetworkInterfaceId: scenario.routerA.eni1, Origin: 'CreateRouteTable', State: 'active' });
  });

  it.each([
    ['ids', (c: FailoverConfigInput, sc: Scenario) => ({ ...c, groups: [{ ...c.groups[0], routeTables: { ids: sc.routeTableIds } }] })],
    ['tag', (c: FailoverConfigInput, sc: Scenario) => ({ ...c, groups: [{ ...c.groups[0], routeTables: { tag: sc.scopeTag } }] })],
  ])('case 3: in the routes mode with a %s scope, a twin that a subnet still uses is read, switched route by route and verified', async (_, scope) => {
    const s = setup({ config: scope });
    const { sim, scenario } = s;
    // A twin of the first table for router-a, left in use by a subnet when the group went back to the routes mode.
    const original = sim.routeTables().find((t) => t.RouteTableId === scenario.routeTableIds[0])!;
    const twin = sim.addRouteTable({ vpcId: scenario.vpcId, tags: Object.fromEntries(twinTags(GROUP, original, 'router-a').map((t) => [t.Key!, t.Value!])) });
    sim.addRoute(twin, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: scenario.routerA.eni0 });
    sim.addRoute(twin, { DestinationCidrBlock: '10.100.0.0/16', NetworkInterfaceId: scenario.routerA.eni1 });
    const subnet = sim.addSubnet({ vpcId: scenario.vpcId, availabilityZone: `${sim.region}a`, cidr: '10.0.200.0/24' });
    sim.associateRouteTable(twin, { subnetId: subnet });
    const twinMoves: ExpectedMove[] = [
      { routeTableId: twin, destination: { kind: 'ipv4', value: '192.168.0.0/16' }, fromEni: scenario.routerA.eni0, toEni: scenario.routerB.eni0 },
      { routeTableId: twin, destination: { kind: 'ipv4', value: '10.100.0.0/16' }, fromEni: scenario.routerA.eni1, toEni: scenario.routerB.eni1 },
    ];
    await s.refresh();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

    const r = await s.run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'));

    // Before: `succeeded`, the twin's two routes left on the stopped router.
    expect(record(r).outcome).toBe('succeeded');
    expect(tally(sim, twinMoves)).toEqual({ onFailed: 0, onTarget: 2 });
    expect(record(r).warnings.join(' ')).toMatch(new RegExp(`${twin} is a twin of ${original.RouteTableId} that subnets still use`));
  });

  it('case 4: a static route beside a propagated route with the same prefix is moved and verified, never taken for the propagated one', async () => {
    const s = setup();
    const { sim, scenario } = s;
    const table = scenario.routeTableIds[1];
    // The propagated route first: a first-match lookup finds it instead of the static one.
    sim.addRoute(table, { DestinationCidrBlock: '10.9.0.0/16', GatewayId: 'vgw-00000000000000001', Origin: 'EnableVgwRoutePropagation' });
    sim.addRoute(table, { DestinationCidrBlock: '10.9.0.0/16', NetworkInterfaceId: scenario.routerA.eni0 });
    const fixed: ExpectedMove = { routeTableId: table, destination: { kind: 'ipv4', value: '10.9.0.0/16' }, fromEni: scenario.routerA.eni0, toEni: scenario.routerB.eni0 };
    await s.refresh();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

    const r = await s.run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'));

    // Before: a false `RoutesNotVerified` on every run of the group (the propagated route was read back).
    expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(tally(sim, [fixed, ...scenario.expectedMoves]).onFailed).toBe(0);
    const routes = sim.routeTables().find((t) => t.RouteTableId === table)!.Routes!.filter((x) => x.DestinationCidrBlock === '10.9.0.0/16');
    expect(routes.map((x) => [x.Origin, x.GatewayId ?? x.NetworkInterfaceId])).toEqual(
      expect.arrayContaining([
        ['EnableVgwRoutePropagation', 'vgw-00000000000000001'],
        ['CreateRoute', scenario.routerB.eni0],
      ]),
    );
  });

  it('case 4, on the re-read path: ReplaceRoutes reading its table first does not call the static route a conflict', async () => {
    const sim = new SimulatedVpc({ seed: 17 });
    const scenario = buildRouterPair(sim, { routeTables: 3, groupName: GROUP });
    const table = scenario.routeTableIds[1];
    sim.addRoute(table, { DestinationCidrBlock: '10.9.0.0/16', GatewayId: 'vgw-00000000000000001', Origin: 'EnableVgwRoutePropagation' });
    sim.addRoute(table, { DestinationCidrBlock: '10.9.0.0/16', NetworkInterfaceId: scenario.routerA.eni0 });
    const handlers = createTaskHandlers({
      ec2: sim.ec2(),
      sns: sim.sns(),
      config: parseConfig(scenario.config),
      topicArn: sim.createTopic('route-failover'),
      sleep: async () => undefined,
      recheckDelaysMs: [0],
      maxObservationAgeMs: 0,
    });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

    const r = await runExecution({ handlers: handlers as never, input: ec2StateEvent(scenario.routerA.instanceId, 'stopped'), retryIntervalMs: 0 });

    expect(record(r).outcome).toBe('succeeded');
    expect(record(r).routes.filter((x: any) => x.status === 'conflict')).toEqual([]);
    expect(sim.route(table, '10.9.0.0/16')).toMatchObject({ NetworkInterfaceId: scenario.routerB.eni0 });
  });

  it("case 9: an interface a partial description no longer shows stays known: the failover moves its routes (authorization included)", async () => {
    const s = setup();
    const { sim, scenario } = s;
    await s.refresh();
    // eth1, created separately, is detached and deleted; the router then stops: EC2 shows eth0 only.
    sim.detachNetworkInterface(scenario.routerA.eni1);
    sim.deleteNetworkInterface(scenario.routerA.eni1);
    await s.refresh();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
    const before = tally(sim, scenario.expectedMoves).onFailed;

    const r = await s.run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'));

    // Before: 0 routes moved, `RoutesNotSwitched` (BatchNotAuthorizedError: eth1 unknown to the stored inventory).
    expect(before).toBe(scenario.expectedMoves.length);
    expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(tally(sim, scenario.expectedMoves)).toEqual({ onFailed: 0, onTarget: scenario.expectedMoves.length });
    const inventory = await s.store.readInventory(GROUP);
    expect(inventory['router-a'].interfaces.map((i) => i.eni)).toEqual([scenario.routerA.eni0, scenario.routerA.eni1]);
  });
});
