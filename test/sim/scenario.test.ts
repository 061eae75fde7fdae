import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  ReplaceRouteCommand,
  type Route,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { parseConfig } from '../../functions/contract/config';
import { SCOPE_TAG_KEY, buildLargeEstate, buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';

const destinationOf = (r: Route): string =>
  r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '';
const targetOf = (r: Route): string | undefined =>
  r.NetworkInterfaceId ??
  r.GatewayId ??
  r.NatGatewayId ??
  r.TransitGatewayId ??
  r.EgressOnlyInternetGatewayId ??
  r.VpcPeeringConnectionId;

/** Every route of every table as "rtb dest -> target". */
const routeLines = (tables: RouteTable[]): string[] =>
  tables.flatMap((t) => (t.Routes ?? []).map((r) => `${t.RouteTableId} ${destinationOf(r)} -> ${targetOf(r)}`));

const destinationField = {
  ipv4: 'DestinationCidrBlock',
  ipv6: 'DestinationIpv6CidrBlock',
  'prefix-list': 'DestinationPrefixListId',
} as const;

describe('buildRouterPair', () => {
  it('builds a valid config for the two routers of one VPC', () => {
    const sim = new SimulatedVpc({ seed: 3 });
    const s = buildRouterPair(sim);
    const config = parseConfig(s.config);
    expect(config.groups).toHaveLength(1);
    expect(config.groups[0]).toMatchObject({
      name: 'edge',
      vpcId: s.vpcId,
      preferred: 'router-a',
      members: [
        { name: 'router-a', instanceId: s.routerA.instanceId },
        { name: 'router-b', instanceId: s.routerB.instanceId },
      ],
    });
    expect(config.groups[0].routeTables).toBeUndefined();
  });

  it('creates 3 tagged tables and an untagged main table in one VPC', async () => {
    const sim = new SimulatedVpc();
    const s = buildRouterPair(sim, { groupName: 'dc-edge' });
    expect(s.routeTableIds).toHaveLength(3);
    const ec2 = sim.ec2();
    const tagged = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: `tag:${SCOPE_TAG_KEY}`, Values: ['dc-edge'] }] }),
    );
    expect(tagged.RouteTables?.map((t) => t.RouteTableId)).toEqual(s.routeTableIds);
    const all = await ec2.send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [s.vpcId] }] }));
    expect(all.RouteTables?.map((t) => t.RouteTableId)).toEqual([...s.routeTableIds, s.untaggedRouteTableId]);
    const main = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'association.main', Values: ['true'] }] }),
    );
    expect(main.RouteTables?.map((t) => t.RouteTableId)).toEqual([s.untaggedRouteTableId]);
    expect(s.scopeTag).toEqual({ key: SCOPE_TAG_KEY, value: 'dc-edge' });
  });

  it('gives each router eth0 and eth1 with source/dest check off, in different AZs', async () => {
    const sim = new SimulatedVpc();
    const s = buildRouterPair(sim);
    const describe = (instanceId: string) =>
      sim
        .ec2()
        .send(
          new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [instanceId] }] }),
        );
    for (const [router, az] of [
      [s.routerA, 'us-east-1a'],
      [s.routerB, 'us-east-1b'],
    ] as const) {
      const nics = (await describe(router.instanceId)).NetworkInterfaces ?? [];
      expect(
        nics.map((n) => [n.NetworkInterfaceId, n.Attachment?.DeviceIndex, n.SourceDestCheck, n.AvailabilityZone]),
      ).toEqual([
        [router.eni0, 0, false, az],
        [router.eni1, 1, false, az],
      ]);
    }
  });

  it('lists in expectedMoves exactly the routes on router-a, in every table of the VPC', () => {
    const sim = new SimulatedVpc();
    const s = buildRouterPair(sim);
    const onRouterA = sim
      .routeTables()
      .flatMap((t) =>
        (t.Routes ?? [])
          .filter((r) => r.InstanceId === s.routerA.instanceId)
          .map((r) => `${t.RouteTableId} ${destinationOf(r)} ${r.NetworkInterfaceId}`),
      );
    expect(s.expectedMoves.map((m) => `${m.routeTableId} ${m.destination.value} ${m.fromEni}`)).toEqual(onRouterA);
    // Per tagged table: two IPv4 on eth0, one IPv4 and one IPv6 on eth1, one prefix list on
    // eth0; plus the untagged one.
    expect(s.expectedMoves).toHaveLength(3 * 5 + 1);
    expect(s.expectedMoves.filter((m) => m.routeTableId === s.untaggedRouteTableId)).toHaveLength(1);
    expect(new Set(s.expectedMoves.map((m) => m.destination.kind))).toEqual(new Set(['ipv4', 'ipv6', 'prefix-list']));
    for (const m of s.expectedMoves) {
      expect(m.toEni).toBe(m.fromEni === s.routerA.eni0 ? s.routerB.eni0 : s.routerB.eni1);
    }
  });

  it('includes routes that must never move', () => {
    const sim = new SimulatedVpc();
    const s = buildRouterPair(sim);
    const [table] = sim.routeTables();
    const byDest = new Map((table.Routes ?? []).map((r) => [destinationOf(r), r]));
    expect(byDest.get('10.0.0.0/16')).toMatchObject({ GatewayId: 'local', Origin: 'CreateRouteTable' });
    expect(byDest.get('2600:1f18:abcd:1200::/56')).toMatchObject({ GatewayId: 'local' });
    expect(byDest.get('10.200.0.0/16')).toMatchObject({ NetworkInterfaceId: s.routerB.eni0 });
    expect(byDest.get('0.0.0.0/0')?.GatewayId).toMatch(/^igw-/);
    expect(byDest.get('::/0')?.EgressOnlyInternetGatewayId).toMatch(/^eigw-/);
    expect(byDest.get('100.64.0.0/10')?.NatGatewayId).toMatch(/^nat-/);
    expect(byDest.get('10.60.0.0/16')).toMatchObject({
      GatewayId: expect.stringMatching(/^vgw-/),
      Origin: 'EnableVgwRoutePropagation',
    });
    expect(byDest.get('10.70.0.0/16')).toMatchObject({
      NetworkInterfaceId: s.other.eni0,
      InstanceId: s.other.instanceId,
    });
    expect(byDest.get(s.prefixListId)).toMatchObject({ NetworkInterfaceId: s.routerA.eni0 });
  });

  it('converges when the expected moves are applied with ReplaceRoute, touching nothing else', async () => {
    const sim = new SimulatedVpc();
    const s = buildRouterPair(sim, { extraRoutesPerTable: 4 });
    expect(s.expectedMoves).toHaveLength(3 * 9 + 1);
    const before = routeLines(sim.routeTables());
    for (const m of s.expectedMoves) {
      await sim.ec2().send(
        new ReplaceRouteCommand({
          RouteTableId: m.routeTableId,
          [destinationField[m.destination.kind]]: m.destination.value,
          NetworkInterfaceId: m.toEni,
        }),
      );
    }
    const after = routeLines(sim.routeTables());
    const moved = new Set(s.expectedMoves.map((m) => `${m.routeTableId} ${m.destination.value}`));
    const isMoved = (line: string) => moved.has(line.split(' -> ')[0]);
    expect(after.filter((l) => !isMoved(l))).toEqual(before.filter((l) => !isMoved(l)));
    expect(after.filter(isMoved)).toEqual(
      s.expectedMoves.map((m) => `${m.routeTableId} ${m.destination.value} -> ${m.toEni}`),
    );
    expect(after.some((l) => l.endsWith(s.routerA.eni0) || l.endsWith(s.routerA.eni1))).toBe(false);
  });

  it('is deterministic for a seed', () => {
    const ids = (seed: number) => {
      const s = buildRouterPair(new SimulatedVpc({ seed }));
      return [s.vpcId, s.routerA.instanceId, s.routerB.eni1, ...s.routeTableIds];
    };
    expect(ids(11)).toEqual(ids(11));
    expect(ids(11)).not.toEqual(ids(12));
  });

  it('rejects nonsensical options', () => {
    expect(() => buildRouterPair(new SimulatedVpc(), { routeTables: 0 })).toThrow(/routeTables/);
    expect(() => buildRouterPair(new SimulatedVpc(), { extraRoutesPerTable: 513 })).toThrow(/extraRoutesPerTable/);
  });
});

describe('buildLargeEstate', () => {
  it('builds the requested tables, routes per table and affected routes', () => {
    const sim = new SimulatedVpc();
    const e = buildLargeEstate(sim, { routeTables: 20, routesPerTable: 300, affectedPerTable: 7 });
    const tables = sim.routeTables();
    expect(tables).toHaveLength(20);
    expect(e.routeTableIds).toEqual(tables.map((t) => t.RouteTableId));
    for (const t of tables) {
      // Plus the two local routes (IPv4 and IPv6).
      expect(t.Routes).toHaveLength(302);
      expect(new Set(t.Routes?.map(destinationOf)).size).toBe(302);
      expect(t.Routes?.filter((r) => r.InstanceId === e.routerA.instanceId)).toHaveLength(7);
      expect(t.Routes?.filter((r) => r.InstanceId === e.routerB.instanceId).length).toBeGreaterThan(0);
    }
    expect(e.expectedMoves).toHaveLength(140);
    expect(parseConfig(e.config).groups[0].vpcId).toBe(e.vpcId);
  });

  it('validates its arguments', () => {
    expect(() =>
      buildLargeEstate(new SimulatedVpc(), { routeTables: 1, routesPerTable: 5, affectedPerTable: 6 }),
    ).toThrow(/affectedPerTable/);
    expect(() =>
      buildLargeEstate(new SimulatedVpc(), { routeTables: 0, routesPerTable: 5, affectedPerTable: 1 }),
    ).toThrow(/routeTables/);
  });
});
