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

/**
 * Estates for the associations mode: the reference router pair (or a scale estate) whose tables carry
 * traffic. Each tagged table gets `subnetsPerTable` subnets explicitly associated with it; the main table
 * serves one subnet implicitly (no explicit association); and, in the reference estate, a gateway route
 * table (ingress routing) sends traffic for a subnet through router-a, associated with the internet gateway.
 */

export interface AssociationEstate {
  /** Subnets by the table they use (explicit associations), and the one that uses the main table implicitly. */
  subnets: Array<{ subnetId: string; routeTableId: string; explicit: boolean }>;
  /** The gateway route table and its gateway, when built. */
  gateway?: { routeTableId: string; gatewayId: string };
}

/** The internet gateway the reference estate's tables route to (its fixed ID, GATEWAYS above). */
export const ESTATE_IGW = GATEWAYS.igw;

/** The first subnet's CIDR, which the gateway table's ingress route sends through router-a. */
export const INGRESS_SUBNET_CIDR = '10.0.240.0/24';

/** The estate with its group in a switch mode (routes by default): the one parameter the kinds' estates differ by. */
export const inSwitchMode = <T extends RouterEstate>(estate: T, switchMode: 'routes' | 'associations'): T => ({
  ...estate,
  config: { ...estate.config, groups: estate.config.groups.map((g) => ({ ...g, switchMode })) },
});

/** The reference router pair in the associations mode, with subnets, the main table's subnet, and a gateway table. */
export const buildAssociationPair = (
  sim: SimulatedVpc,
  opts: { routeTables?: number; subnetsPerTable?: number; groupName?: string; gatewayTable?: boolean } = {},
): RouterPairScenario & AssociationEstate => {
  const base = inSwitchMode(
    buildRouterPair(sim, { routeTables: opts.routeTables, groupName: opts.groupName }),
    'associations',
  );
  const az = (i: number) => `${sim.region}${i % 2 === 0 ? 'a' : 'b'}`;
  const subnets: AssociationEstate['subnets'] = [];
  let n = 0;
  for (const routeTableId of base.routeTableIds) {
    for (let k = 0; k < (opts.subnetsPerTable ?? 1); k++) {
      // The first subnet gets a known CIDR: the gateway table's ingress route names it.
      const subnetId = sim.addSubnet({
        vpcId: base.vpcId,
        availabilityZone: az(n),
        ...(n === 0 ? { cidr: INGRESS_SUBNET_CIDR } : {}),
      });
      n++;
      sim.associateRouteTable(routeTableId, { subnetId });
      subnets.push({ subnetId, routeTableId, explicit: true });
    }
  }
  subnets.push({
    subnetId: sim.addSubnet({ vpcId: base.vpcId, availabilityZone: az(n++) }),
    routeTableId: base.untaggedRouteTableId,
    explicit: false,
  });
  let gateway: AssociationEstate['gateway'];
  if (opts.gatewayTable ?? true) {
    // Ingress routing: traffic from the internet to the first subnet goes through router-a first.
    const routeTableId = sim.addRouteTable({
      vpcId: base.vpcId,
      tags: { Name: `${base.groupName}-ingress`, [base.scopeTag.key]: base.scopeTag.value },
    });
    sim.addRoute(routeTableId, { DestinationCidrBlock: INGRESS_SUBNET_CIDR, NetworkInterfaceId: base.routerA.eni0 });
    base.expectedMoves.push({
      routeTableId,
      destination: { kind: 'ipv4', value: INGRESS_SUBNET_CIDR },
      fromEni: base.routerA.eni0,
      toEni: base.routerB.eni0,
    });
    sim.associateRouteTable(routeTableId, { gatewayId: ESTATE_IGW });
    base.routeTableIds.push(routeTableId);
    gateway = { routeTableId, gatewayId: ESTATE_IGW };
  }
  return { ...base, subnets, gateway };
};

/** A scale estate in the associations mode: `subnetsPerTable` subnets associated with each table. */
export const buildLargeAssociationEstate = (
  sim: SimulatedVpc,
  opts: {
    routeTables: number;
    routesPerTable: number;
    affectedPerTable: number;
    subnetsPerTable?: number;
    groupName?: string;
  },
): RouterEstate & AssociationEstate => {
  const base = inSwitchMode(buildLargeEstate(sim, opts), 'associations');
  const subnets: AssociationEstate['subnets'] = [];
  base.routeTableIds.forEach((routeTableId, i) => {
    for (let k = 0; k < (opts.subnetsPerTable ?? 1); k++) {
      const subnetId = sim.addSubnet({
        vpcId: base.vpcId,
        availabilityZone: `${sim.region}${(i + k) % 2 === 0 ? 'a' : 'b'}`,
      });
      sim.associateRouteTable(routeTableId, { subnetId });
      subnets.push({ subnetId, routeTableId, explicit: true });
    }
  });
  return { ...base, subnets };
};
