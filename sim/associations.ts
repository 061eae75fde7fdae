/**
 * Route table associations as EC2 keeps them: a subnet's explicit association (at most one), a gateway's
 * edge association (igw-/vgw-), and each VPC's main association. AssociateRouteTable and
 * ReplaceRouteTableAssociation, which subnets use which table, and how DescribeRouteTables shows them.
 *
 * EC2 facts modelled (API reference, "ReplaceRouteTableAssociation"): the call works on a subnet, gateway or
 * main association ("to change which table is the main route table ... specify the main route table's
 * association ID"), and answers a NEW association ID ("The result is a new association ID representing the
 * new association"); the old ID is gone afterwards, so using it again is InvalidAssociationID.NotFound.
 * ("DescribeRouteTables"): a subnet without an explicit association uses the main table, and that implicit
 * association is not listed.
 * Not modelled: the rules on which routes a gateway route table may hold; gateways as resources (any
 * well-formed igw-/vgw- ID is accepted).
 */
import type {
  AssociateRouteTableRequest,
  AssociateRouteTableResult,
  ReplaceRouteTableAssociationRequest,
  ReplaceRouteTableAssociationResult,
  RouteTableAssociation,
} from '@aws-sdk/client-ec2';
import { fault } from './faults';
import { checkDryRun } from './filters';
import { checkIdFormat } from './ids';
import type { SimState } from './state';
import { requireSubnet } from './subnets';
import type { AssociationRecord, RouteTableRecord } from './types';

const ASSOCIATED = { State: 'associated' as const };
const GATEWAY_ID = /^(igw|vgw)-[0-9a-f]{8,17}$/;

/** The associations of a table, in the order they were made. */
export const associationsOf = (s: SimState, routeTableId: string): AssociationRecord[] =>
  [...s.associations.values()].filter((a) => a.routeTableId === routeTableId);

/** Makes `table` its VPC's main table (setup); a VPC has one main table. Returns the association ID. */
export function addMainAssociation(s: SimState, table: RouteTableRecord): string {
  const existing = s.mainAssociation(table.vpcId);
  if (existing) throw new Error(`${table.vpcId} already has a main route table (${existing.routeTableId})`);
  const associationId = s.claimId('rtbassoc');
  s.associations.set(associationId, { associationId, routeTableId: table.routeTableId, kind: 'main' });
  return associationId;
}

export function associateRouteTable(s: SimState, input: AssociateRouteTableRequest): AssociateRouteTableResult {
  const table = s.requireTableForCall(input.RouteTableId);
  const { SubnetId, GatewayId } = input;
  if (SubnetId === undefined && GatewayId === undefined)
    throw fault('MissingParameter', 'The request must contain the parameter subnetId or gatewayId');
  if (SubnetId !== undefined && GatewayId !== undefined)
    throw fault('InvalidParameterCombination', 'Only one of subnetId or gatewayId can be specified');
  const conflict = (): Error =>
    fault(
      'Resource.AlreadyAssociated',
      `the specified association for route table ${table.routeTableId} conflicts with an existing association`,
    );
  let target: { kind: 'subnet'; subnetId: string } | { kind: 'gateway'; gatewayId: string };
  if (SubnetId !== undefined) {
    if (!s.subnets.has(SubnetId)) checkIdFormat('subnet', SubnetId);
    const subnet = requireSubnet(s, SubnetId);
    if (subnet.vpcId !== table.vpcId) {
      throw fault(
        'InvalidParameterValue',
        `Route table ${table.routeTableId} and subnet ${SubnetId} belong to different networks`,
      );
    }
    if ([...s.associations.values()].some((a) => a.kind === 'subnet' && a.subnetId === SubnetId)) throw conflict();
    target = { kind: 'subnet', subnetId: SubnetId };
  } else {
    const gatewayId = String(GatewayId);
    if (!GATEWAY_ID.test(gatewayId))
      throw fault('InvalidGatewayID.NotFound', `The gateway ID '${gatewayId}' does not exist`);
    if ([...s.associations.values()].some((a) => a.kind === 'gateway' && a.gatewayId === gatewayId)) throw conflict();
    target = { kind: 'gateway', gatewayId };
  }
  checkDryRun(input);
  const associationId = s.claimId('rtbassoc');
  s.associations.set(associationId, { associationId, routeTableId: table.routeTableId, ...target });
  return { AssociationId: associationId, AssociationState: ASSOCIATED };
}

export function replaceRouteTableAssociation(
  s: SimState,
  input: ReplaceRouteTableAssociationRequest,
): ReplaceRouteTableAssociationResult {
  if (input.AssociationId === undefined)
    throw fault('MissingParameter', 'The request must contain the parameter associationId');
  const table = s.requireTableForCall(input.RouteTableId);
  const old = s.associations.get(input.AssociationId);
  if (!old) throw fault('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
  const current = s.requireTable(old.routeTableId);
  if (current.vpcId !== table.vpcId) {
    throw fault(
      'InvalidParameterValue',
      `Route table ${table.routeTableId} and association ${old.associationId} belong to different networks`,
    );
  }
  checkDryRun(input);
  s.associations.delete(old.associationId);
  const associationId = s.claimId('rtbassoc');
  s.associations.set(associationId, { ...old, associationId, routeTableId: table.routeTableId });
  return { NewAssociationId: associationId, AssociationState: ASSOCIATED };
}

/** The table a subnet uses: its explicit association's, else its VPC's main table. */
export function effectiveRouteTableId(s: SimState, subnetId: string): string {
  const subnet = requireSubnet(s, subnetId);
  const explicit = [...s.associations.values()].find((a) => a.kind === 'subnet' && a.subnetId === subnetId);
  if (explicit) return explicit.routeTableId;
  const main = s.mainAssociation(subnet.vpcId);
  if (!main) throw new Error(`${subnet.vpcId} has no main route table, so ${subnetId} has no route table`);
  return main.routeTableId;
}

/** Forgets the associations of a table removed out of band (its subnets fall back to the main table). */
export function dropAssociationsOf(s: SimState, routeTableId: string): void {
  for (const a of associationsOf(s, routeTableId)) s.associations.delete(a.associationId);
}

export const associationOutput = (a: AssociationRecord): RouteTableAssociation => ({
  Main: a.kind === 'main',
  RouteTableAssociationId: a.associationId,
  RouteTableId: a.routeTableId,
  ...(a.kind === 'subnet' ? { SubnetId: a.subnetId } : {}),
  ...(a.kind === 'gateway' ? { GatewayId: a.gatewayId } : {}),
  AssociationState: ASSOCIATED,
});

/** DescribeRouteTables' association.* filters: each association contributes its values. */
export const associationFilters = (
  s: SimState,
  assocs: (routeTableId: string) => AssociationRecord[] = (id) => associationsOf(s, id),
): Record<string, (t: RouteTableRecord) => Array<string | undefined>> => {
  const each = (pick: (a: AssociationRecord) => string | undefined) => (t: RouteTableRecord) =>
    assocs(t.routeTableId).map(pick);
  return {
    'association.route-table-association-id': each((a) => a.associationId),
    'association.route-table-id': each((a) => a.routeTableId),
    'association.subnet-id': each((a) => (a.kind === 'subnet' ? a.subnetId : undefined)),
    'association.gateway-id': each((a) => (a.kind === 'gateway' ? a.gatewayId : undefined)),
    // Per association, so a table without any matches neither true nor false (as the reference says).
    'association.main': each((a) => String(a.kind === 'main')),
  };
};
