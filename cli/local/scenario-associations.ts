import type { SimulatedVpc } from '../../sim';
import { buildLargeEstate, buildRouterPair, type RouterEstate, type RouterPairScenario } from './scenario';

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

/** The internet gateway the reference estate's tables route to (its fixed ID, see scenario.ts). */
export const ESTATE_IGW = `igw-${(1).toString(16).padStart(17, '0')}`;

/** The first subnet's CIDR, which the gateway table's ingress route sends through router-a. */
export const INGRESS_SUBNET_CIDR = '10.0.240.0/24';

const switchToAssociations = <T extends RouterEstate>(estate: T): T => ({
  ...estate,
  config: {
    ...estate.config,
    groups: estate.config.groups.map((g) => ({ ...g, switchMode: 'associations' as const })),
  },
});

/** The reference router pair in the associations mode, with subnets, the main table's subnet, and a gateway table. */
export const buildAssociationPair = (
  sim: SimulatedVpc,
  opts: { routeTables?: number; subnetsPerTable?: number; groupName?: string; gatewayTable?: boolean } = {},
): RouterPairScenario & AssociationEstate => {
  const base = switchToAssociations(buildRouterPair(sim, { routeTables: opts.routeTables, groupName: opts.groupName }));
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
  const base = switchToAssociations(buildLargeEstate(sim, opts));
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
