import type { FailoverConfigInput } from '../../functions/contract/config';
import type { RouteDestination, RouteSpec, SimulatedVpc } from '../../sim';

/**
 * Ready-made estates for tests, benchmarks and the demo: a router pair in two AZs plus route tables whose
 * routes either must move on a failover of router-a or must never move. Every builder also returns the
 * oracle, `expectedMoves`, written down as the routes are created rather than derived from the state.
 */

export interface RouterInstance {
  instanceId: string;
  eni0: string;
  eni1: string;
}

export interface ExpectedMove {
  routeTableId: string;
  destination: RouteDestination;
  fromEni: string;
  toEni: string;
}

export interface RouterEstate {
  vpcId: string;
  groupName: string;
  routerA: RouterInstance;
  routerB: RouterInstance;
  /** An appliance outside the group: routes to it must never move. */
  other: { instanceId: string; eni0: string };
  /** The group's tagged route tables, in creation order. */
  routeTableIds: string[];
  /** The tag on those tables, for configs scoped by tag. */
  scopeTag: { key: string; value: string };
  /** The product's config shape: one group, whole-VPC scope, preferred router-a. */
  config: FailoverConfigInput;
  /** Every route a failover of router-a must move (all tables of the VPC), in creation order. */
  expectedMoves: ExpectedMove[];
}

export interface RouterPairScenario extends RouterEstate {
  /** The VPC's main table: no group tag, one route to router-a (moves with whole-VPC scope, not with tag scope). */
  untaggedRouteTableId: string;
  prefixListId: string;
}

export const SCOPE_TAG_KEY = 'route-failover:group';
export const VPC_CIDR = '10.0.0.0/16';
export const VPC_IPV6_CIDR = '2600:1f18:abcd:1200::/56';

/** Deterministic, well-formed IDs for targets the simulator does not model (gateways, prefix lists). */
const fixedId = (prefix: string, n: number): string => `${prefix}-${n.toString(16).padStart(17, '0')}`;

const GATEWAYS = {
  igw: fixedId('igw', 1),
  eigw: fixedId('eigw', 1),
  nat: fixedId('nat', 1),
  vgw: fixedId('vgw', 1),
  tgw: fixedId('tgw', 1),
};

/** Builds the VPC, the two routers (eth0 and eth1, source/dest check off) and an unrelated appliance. */
const buildRouters = (sim: SimulatedVpc, groupName: string): Omit<RouterEstate, 'routeTableIds' | 'expectedMoves'> => {
  const vpcId = sim.addVpc({ cidr: VPC_CIDR, ipv6Cidr: VPC_IPV6_CIDR });
  const router = (name: string, az: string): RouterInstance => {
    const instanceId = sim.addInstance({ vpcId, availabilityZone: `${sim.region}${az}`, tags: { Name: name } });
    const [eni0, eni1] = [0, 1].map((deviceIndex) =>
      sim.addNetworkInterface({ vpcId, instanceId, deviceIndex, sourceDestCheck: false }),
    );
    return { instanceId, eni0, eni1 };
  };
  const routerA = router('router-a', 'a');
  const routerB = router('router-b', 'b');
  const applianceId = sim.addInstance({ vpcId, availabilityZone: `${sim.region}a`, tags: { Name: 'appliance' } });
  const other = {
    instanceId: applianceId,
    eni0: sim.addNetworkInterface({ vpcId, instanceId: applianceId, deviceIndex: 0, sourceDestCheck: false }),
  };
  const config: FailoverConfigInput = {
    groups: [
      {
        name: groupName,
        vpcId,
        members: [
          { name: 'router-a', instanceId: routerA.instanceId },
          { name: 'router-b', instanceId: routerB.instanceId },
        ],
        preferred: 'router-a',
      },
    ],
  };
  return { vpcId, groupName, routerA, routerB, other, config, scopeTag: { key: SCOPE_TAG_KEY, value: groupName } };
};

const destinationOf = (route: RouteSpec): RouteDestination =>
  route.DestinationCidrBlock !== undefined
    ? { kind: 'ipv4', value: route.DestinationCidrBlock }
    : route.DestinationIpv6CidrBlock !== undefined
      ? { kind: 'ipv6', value: route.DestinationIpv6CidrBlock }
      : { kind: 'prefix-list', value: route.DestinationPrefixListId ?? '' };

/** Adds routes to router-a's ENIs and records where each must go; other routes are added unrecorded. */
const routeRecorder = (sim: SimulatedVpc, estate: Pick<RouterEstate, 'routerA' | 'routerB'>, moves: ExpectedMove[]) => {
  const counterpart = new Map([
    [estate.routerA.eni0, estate.routerB.eni0],
    [estate.routerA.eni1, estate.routerB.eni1],
  ]);
  return (routeTableId: string, route: RouteSpec): void => {
    sim.addRoute(routeTableId, route);
    const toEni = route.NetworkInterfaceId && counterpart.get(route.NetworkInterfaceId);
    if (route.NetworkInterfaceId && toEni) {
      moves.push({ routeTableId, destination: destinationOf(route), fromEni: route.NetworkInterfaceId, toEni });
    }
  };
};

/**
 * Builds the reference estate: `routeTables` tagged tables (default 3), each with IPv4, IPv6 and prefix-list
 * routes on router-a's eth0/eth1, one route already on router-b, and routes that must stay (local, igw, eigw,
 * nat, propagated vgw, appliance), plus `extraRoutesPerTable` more /24 routes on router-a; and one untagged
 * main table with a route to router-a.
 */
export const buildRouterPair = (
  sim: SimulatedVpc,
  opts: { routeTables?: number; extraRoutesPerTable?: number; groupName?: string } = {},
): RouterPairScenario => {
  const tableCount = opts.routeTables ?? 3;
  const extra = opts.extraRoutesPerTable ?? 0;
  if (!Number.isInteger(tableCount) || tableCount < 1) throw new Error('routeTables must be a positive integer');
  if (!Number.isInteger(extra) || extra < 0 || extra > 512)
    throw new Error('extraRoutesPerTable must be an integer within [0, 512]');
  const base = buildRouters(sim, opts.groupName ?? 'edge');
  const { routerA, routerB, other, vpcId, scopeTag } = base;
  const expectedMoves: ExpectedMove[] = [];
  const add = routeRecorder(sim, base, expectedMoves);
  const prefixListId = fixedId('pl', 0x1a2b3c);

  const routeTableIds = Array.from({ length: tableCount }, (_, i) => {
    const rtb = sim.addRouteTable({
      vpcId,
      tags: { Name: `${base.groupName}-private-${i + 1}`, [scopeTag.key]: scopeTag.value },
    });
    add(rtb, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: routerA.eni0 });
    add(rtb, { DestinationCidrBlock: '172.16.0.0/12', NetworkInterfaceId: routerA.eni0 });
    add(rtb, { DestinationCidrBlock: '10.100.0.0/16', NetworkInterfaceId: routerA.eni1 });
    add(rtb, { DestinationIpv6CidrBlock: '2001:db8::/32', NetworkInterfaceId: routerA.eni1 });
    add(rtb, { DestinationPrefixListId: prefixListId, NetworkInterfaceId: routerA.eni0 });
    add(rtb, { DestinationCidrBlock: '10.200.0.0/16', NetworkInterfaceId: routerB.eni0 });
    add(rtb, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: GATEWAYS.igw });
    add(rtb, { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: GATEWAYS.eigw });
    add(rtb, { DestinationCidrBlock: '100.64.0.0/10', NatGatewayId: GATEWAYS.nat });
    add(rtb, { DestinationCidrBlock: '10.60.0.0/16', GatewayId: GATEWAYS.vgw, Origin: 'EnableVgwRoutePropagation' });
    add(rtb, { DestinationCidrBlock: '10.70.0.0/16', NetworkInterfaceId: other.eni0 });
    for (let k = 0; k < extra; k++) {
      // 198.18.0.0/15 (benchmarking range) holds 512 /24s that overlap nothing above.
      const cidr = `198.${18 + Math.floor(k / 256)}.${k % 256}.0/24`;
      add(rtb, { DestinationCidrBlock: cidr, NetworkInterfaceId: k % 2 === 0 ? routerA.eni0 : routerA.eni1 });
    }
    return rtb;
  });

  const untaggedRouteTableId = sim.addRouteTable({ vpcId, main: true, tags: { Name: 'main' } });
  add(untaggedRouteTableId, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: routerA.eni0 });
  add(untaggedRouteTableId, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: GATEWAYS.igw });

  return { ...base, routeTableIds, untaggedRouteTableId, prefixListId, expectedMoves };
};

/**
 * Builds a scale estate: `routeTables` tagged tables of `routesPerTable` IPv4 /24 routes each (besides
 * local), the first `affectedPerTable` on router-a (eth0/eth1 alternately), the others spread over
 * router-b, the appliance, an igw, a nat and a tgw.
 */
export const buildLargeEstate = (
  sim: SimulatedVpc,
  opts: { routeTables: number; routesPerTable: number; affectedPerTable: number; groupName?: string },
): RouterEstate => {
  const { routeTables, routesPerTable, affectedPerTable } = opts;
  if (!Number.isInteger(routeTables) || routeTables < 1) throw new Error('routeTables must be a positive integer');
  if (!Number.isInteger(routesPerTable) || routesPerTable < 0 || routesPerTable > 32768)
    throw new Error('routesPerTable must be an integer within [0, 32768]');
  if (!Number.isInteger(affectedPerTable) || affectedPerTable < 0 || affectedPerTable > routesPerTable) {
    throw new Error('affectedPerTable must be an integer within [0, routesPerTable]');
  }
  const base = buildRouters(sim, opts.groupName ?? 'edge');
  const expectedMoves: ExpectedMove[] = [];
  const add = routeRecorder(sim, base, expectedMoves);
  const unaffected: RouteSpec[] = [
    { NetworkInterfaceId: base.routerB.eni0 },
    { NetworkInterfaceId: base.other.eni0 },
    { GatewayId: GATEWAYS.igw },
    { NatGatewayId: GATEWAYS.nat },
    { TransitGatewayId: GATEWAYS.tgw },
  ];
  const routeTableIds = Array.from({ length: routeTables }, (_, i) => {
    const rtb = sim.addRouteTable({
      vpcId: base.vpcId,
      tags: { Name: `${base.groupName}-scale-${i + 1}`, [SCOPE_TAG_KEY]: base.groupName },
    });
    for (let k = 0; k < routesPerTable; k++) {
      // 10.128.0.0/9 is outside the VPC CIDR and holds 32768 /24s.
      const DestinationCidrBlock = `10.${128 + Math.floor(k / 256)}.${k % 256}.0/24`;
      const target =
        k < affectedPerTable
          ? { NetworkInterfaceId: k % 2 === 0 ? base.routerA.eni0 : base.routerA.eni1 }
          : unaffected[k % unaffected.length];
      add(rtb, { DestinationCidrBlock, ...target });
    }
    return rtb;
  });
  return { ...base, routeTableIds, expectedMoves };
};
