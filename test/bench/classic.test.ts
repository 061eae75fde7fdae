import { CreateRouteCommand, DescribeRouteTablesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { classicFailover, type ClassicInput } from '../../bench/classic';
import { blackHoleTime, tokenBucketLowerBoundMs, wrongRoutes } from '../../bench/metrics';
import { VirtualClock } from '../../bench/virtual-clock';
import { buildLargeEstate, buildRouterPair, type RouterEstate } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';

const inputOf = (e: RouterEstate): ClassicInput => ({
  failedInstanceId: e.routerA.instanceId,
  pair: [e.routerA.instanceId, e.routerB.instanceId],
  vpcId: e.vpcId,
});

describe('the classic algorithm against the simulated VPC', () => {
  it(`describes, then deletes and re-creates each IPv4 route on \
the standby's first interface; leaves IPv6 and prefix lists`, async () => {
    const sim = new SimulatedVpc({ seed: 3 });
    const e = buildRouterPair(sim, { routeTables: 2 });
    sim.setInstanceState(e.routerA.instanceId, 'stopping');

    const result = await classicFailover(inputOf(e), { ec2: sim.ec2() });

    expect(result).toMatchObject({ standbyInstanceId: e.routerB.instanceId, standbyEni: e.routerB.eni0 });
    const actions = sim.calls.map((c) => c.action);
    expect(actions.slice(0, 2)).toEqual(['DescribeInstances', 'DescribeRouteTables']);
    const writes = actions.slice(2);
    expect(writes.length).toBeGreaterThan(0);
    expect(writes).toEqual(writes.map((_, i) => (i % 2 === 0 ? 'DeleteRoute' : 'CreateRoute')));
    // Per tagged table: 3 IPv4 routes on router-a, plus one in the main table; all moved, all to eth0.
    expect(result.routes).toHaveLength(2 * 3 + 1);
    expect(result.routes.every((r) => r.status === 'moved')).toBe(true);
    const eth1Route = sim.route(e.routeTableIds[0], '10.100.0.0/16');
    expect(eth1Route?.NetworkInterfaceId).toBe(e.routerB.eni0);
    expect(sim.route(e.routeTableIds[0], '2001:db8::/32')?.NetworkInterfaceId).toBe(e.routerA.eni1);
    expect(sim.route(e.routeTableIds[0], e.prefixListId)?.NetworkInterfaceId).toBe(e.routerA.eni0);
    // Wrong at the end: per table the eth1 IPv4 route (wrong ENI), the IPv6 and the prefix-list
    // route (still on router-a).
    expect(wrongRoutes(sim, e.expectedMoves)).toEqual({ missing: 0, onFailed: 4, otherTarget: 2, total: 6 });
  });

  it(`leaves each route missing between DeleteRoute and \
CreateRoute: a DescribeRouteTables in the gap does not find it`, async () => {
    const sim = new SimulatedVpc({ seed: 4 });
    const e = buildLargeEstate(sim, { routeTables: 1, routesPerTable: 2, affectedPerTable: 2 });
    sim.setInstanceState(e.routerA.instanceId, 'stopping');
    const seenInGap: Array<string | undefined> = [];
    // Another reader of the route table (a monitoring script, the console) looking just before each CreateRoute.
    const ec2 = {
      send: async (command: { input: any }) => {
        if (command instanceof CreateRouteCommand) {
          const out = await sim
            .ec2()
            .send(new DescribeRouteTablesCommand({ RouteTableIds: [command.input.RouteTableId!] }));
          const route = out.RouteTables?.[0].Routes?.find(
            (r) => r.DestinationCidrBlock === command.input.DestinationCidrBlock,
          );
          seenInGap.push(route?.NetworkInterfaceId);
        }
        return sim.ec2().send(command as never);
      },
    } as unknown as EC2Client;

    await classicFailover(inputOf(e), { ec2 });

    expect(seenInGap).toEqual([undefined, undefined]);
    expect(e.expectedMoves.map((m) => sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId)).toEqual([
      e.routerB.eni0,
      e.routerB.eni0,
    ]);
  });

  it(`does not retry: a throttled DeleteRoute leaves the route \
black-holed, a throttled CreateRoute leaves it missing`, async () => {
    // A frozen clock, 2 DeleteRoute tokens and 1 CreateRoute token: Delete+Create, Delete, then nothing.
    const sim = new SimulatedVpc({
      seed: 5,
      throttling: {
        clock: () => 0,
        buckets: { DeleteRoute: { burst: 2, refillPerSecond: 1 }, CreateRoute: { burst: 1, refillPerSecond: 1 } },
      },
    });
    const e = buildLargeEstate(sim, { routeTables: 1, routesPerTable: 4, affectedPerTable: 4 });
    sim.setInstanceState(e.routerA.instanceId, 'stopping');

    const result = await classicFailover(inputOf(e), { ec2: sim.ec2() });

    expect(result.routes.map((r) => r.status)).toEqual(['moved', 'create-failed', 'delete-failed', 'delete-failed']);
    expect(result.routes[1].error).toBe('RequestLimitExceeded');
    expect(sim.calls.filter((c) => c.error === 'RequestLimitExceeded').map((c) => c.action)).toEqual([
      'CreateRoute',
      'DeleteRoute',
      'DeleteRoute',
    ]);
    // The one moved route was on eth0, so it is right; the others are not where they should be.
    expect(wrongRoutes(sim, e.expectedMoves)).toEqual({ missing: 1, onFailed: 2, otherTarget: 0, total: 3 });
  });

  it('black-hole time counts from the failure, including the no-route gap of each delete + create', async () => {
    const clock = new VirtualClock(0);
    const sim = new SimulatedVpc({ seed: 6, clock, latencyMs: 50 });
    const e = buildLargeEstate(sim, { routeTables: 1, routesPerTable: 2, affectedPerTable: 2 });
    sim.setInstanceState(e.routerA.instanceId, 'stopping');
    const healthy = new Set([e.routerB.eni0, e.routerB.eni1]);

    await clock.run(() => classicFailover(inputOf(e), { ec2: sim.ec2() }));

    // DescribeInstances and DescribeRouteTables (50 ms each), then per route DeleteRoute and CreateRoute (50 ms each).
    expect(clock.now()).toBe(300);
    expect(blackHoleTime(sim, e.expectedMoves, healthy, 0, clock.now())).toEqual({
      sumMs: 200 + 300,
      maxMs: 300,
      open: 0,
      noRouteSumMs: 50 + 50,
      noRouteMaxMs: 50,
      lastRestoredMs: 300,
    });
  });
});

describe('tokenBucketLowerBoundMs', () => {
  it('is the reads, then the burst at once and the rest at the refill rate', () => {
    const base = { latencyMs: 50, burst: 200, refillPerSecond: 5 };
    expect(tokenBucketLowerBoundMs({ ...base, routes: 10, routeTables: 1 })).toBe(100);
    expect(tokenBucketLowerBoundMs({ ...base, routes: 2000, routeTables: 200 })).toBe(2 * 50 + 360_000);
  });
});
