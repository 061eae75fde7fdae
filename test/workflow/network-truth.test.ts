import { VPC_CIDR } from '../../cli/local/scenario';
import { CASES, estate, GROUP, recordOf as record, tally, twinInUse, type Arranged } from '../../bench/false-success';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SimulatedVpc } from '../../sim';
import { startQueryEndpoint } from '../../sim/query-endpoint';
import { findingsFor } from '../network-truth';

/**
 * Success means the network is right: each case here once ended `succeeded`, `noop` or a false failure while
 * routes still led to the dead router (bench/false-success.ts arranges them and prints the before/after
 * table). The ASL runs locally against the simulated VPC; every run is also checked by the network-truth guard
 * (test/network-truth-guard.ts). Each test states what the run did before the route-table invariant.
 */

const arrange = (id: string): Promise<Arranged> => CASES.find((c) => c.id === id)!.arrange();

describe('success means the network is right', () => {
  it(`case 1: a first failover with the failed router's Availability Zone impaired and no inventory moves every route \
(the routes' InstanceId says whose they are)`, async () => {
    const { e, moves, trigger } = await arrange('1');
    expect(tally(e.sim, moves)).toEqual({ onFailed: moves.length, onTarget: 0 });

    const r = await e.run(trigger);

    // Before: `noop` "already on target", all 16 routes left on the stopped router.
    expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(tally(e.sim, moves)).toEqual({ onFailed: 0, onTarget: moves.length });
    expect(record(r).warnings.join(' ')).toMatch(/router-a: 2 interface\(s\) learned from the route tables/);
    expect(record(r).verification.invariant).toMatch(
      /none leads to a member other than router-b or is blackhole on a member/,
    );
    expect(findingsFor(e.handlers, { ...record(r), outcome: 'succeeded' })).toEqual([]);
  });

  it('case 1, four groups failing at once in one impaired Availability Zone: each moves every route', async () => {
    const runs = await Promise.all(
      [21, 22, 23, 24].map(async (seed) => {
        const e = estate({ seed });
        e.sim.impairAvailabilityZone(`${e.sim.region}a`);
        return { e, r: await e.run(e.fail()) };
      }),
    );
    for (const { e, r } of runs) {
      expect(record(r).outcome).toBe('succeeded');
      expect(tally(e.sim, e.scenario.expectedMoves).onFailed).toBe(0);
    }
  });

  it(`case 2: a local route pointed at the router (east-west inspection) \
moves with ReplaceRoute, is verified, and failback moves it back`, async () => {
    const { e, moves, trigger } = await arrange('2');
    const table = e.scenario.routeTableIds[0];

    const r = await e.run(trigger);

    // Before: `succeeded`, the VPC CIDR left blackholed on the stopped router, "local route of the VPC (not moved)".
    expect(record(r).outcome).toBe('succeeded');
    expect(tally(e.sim, moves)).toEqual({ onFailed: 0, onTarget: moves.length });
    expect(e.sim.route(table, VPC_CIDR)).toMatchObject({
      NetworkInterfaceId: e.scenario.routerB.eni1,
      Origin: 'CreateRouteTable',
      State: 'active',
    });

    e.sim.setInstanceState(e.scenario.routerA.instanceId, 'running');
    const back = await e.run({ action: 'failback', group: GROUP, requestedBy: 'netops', reason: 'router-a repaired' });
    expect(record(back).outcome).toBe('succeeded');
    expect(e.sim.route(table, VPC_CIDR)).toMatchObject({
      NetworkInterfaceId: e.scenario.routerA.eni1,
      Origin: 'CreateRouteTable',
      State: 'active',
    });
  });

  it.each(['ids', 'tag'])(
    `case 3: in the routes mode with a %s scope, a twin that a \
subnet still uses is read, switched route by route and verified`,
    async (scope) => {
      const { e, moves, trigger, twin, original } = await twinInUse(scope as 'ids' | 'tag');

      const r = await e.run(trigger);

      // Before: `succeeded`, the twin's two routes left on the stopped router.
      expect(record(r).outcome).toBe('succeeded');
      expect(tally(e.sim, moves)).toEqual({ onFailed: 0, onTarget: 2 });
      expect(record(r).warnings.join(' ')).toMatch(
        new RegExp(`${twin} is a twin of ${original} that subnets still use`),
      );
    },
  );

  it(`case 4: a static route beside a propagated route with the same \
prefix is moved and verified, never taken for the propagated one`, async () => {
    const { e, moves, trigger } = await arrange('4');
    const table = e.scenario.routeTableIds[1];

    const r = await e.run(trigger);

    // Before: a false `partial` (RoutesNotVerified) on every run of the group: the propagated route was read back.
    expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(tally(e.sim, moves).onFailed).toBe(0);
    const routes = e.sim
      .routeTables()
      .find((t) => t.RouteTableId === table)!
      .Routes!.filter((x) => x.DestinationCidrBlock === '10.9.0.0/16');
    expect(routes.map((x) => [x.Origin, x.GatewayId ?? x.NetworkInterfaceId])).toEqual(
      expect.arrayContaining([
        ['EnableVgwRoutePropagation', 'vgw-00000000000000001'],
        ['CreateRoute', e.scenario.routerB.eni0],
      ]),
    );
  });

  it(`case 4, on the re-read path: SwitchItems reading its \
table first does not call the static route a conflict`, async () => {
    const { e, moves, trigger } = await arrange('4-reread');

    const r = await e.run(trigger);

    // Before: `partial`, the static route called a conflict and left blackholed on the stopped router.
    expect(record(r).outcome).toBe('succeeded');
    expect(record(r).routes.filter((x: any) => x.status === 'conflict')).toEqual([]);
    expect(tally(e.sim, moves).onFailed).toBe(0);
  });

  it(`case 9: an interface a partial description no longer shows stays known: the failover moves its routes \
(authorization included)`, async () => {
    const { e, moves, trigger } = await arrange('9');
    expect(tally(e.sim, moves).onFailed).toBe(moves.length);

    const r = await e.run(trigger);

    // Before: `succeeded` with the 6 routes to the deleted eth1 left behind (the refresh had stored eth0 only).
    expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(tally(e.sim, moves)).toEqual({ onFailed: 0, onTarget: moves.length });
    const inventory = await e.store.readInventory(GROUP);
    expect(inventory['router-a'].interfaces.map((i) => i.eni)).toEqual([
      e.scenario.routerA.eni0,
      e.scenario.routerA.eni1,
    ]);
  });

  it(`case 1 through the real SDK client over HTTP (the AWS Query protocol): the filters the routes are learned by \
reach the endpoint as EC2 reads them`, async () => {
    const sim = new SimulatedVpc({ seed: 17 });
    const endpoint = await startQueryEndpoint(sim);
    const ec2 = new EC2Client({
      region: sim.region,
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    try {
      const e = estate({ sim, deps: { ec2 } });
      sim.impairAvailabilityZone(`${sim.region}a`);

      const r = await e.run(e.fail());

      expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
      expect(tally(sim, e.scenario.expectedMoves)).toEqual({ onFailed: 0, onTarget: e.scenario.expectedMoves.length });
      const asked = sim.calls
        .filter((c) => c.action === 'DescribeRouteTables')
        .map((c) => (c.input.Filters as Array<{ Name: string }> | undefined)?.map((f) => f.Name));
      expect(asked).toContainEqual(['vpc-id', 'route.instance-id']);
    } finally {
      ec2.destroy();
      await endpoint.close();
    }
  });
});
