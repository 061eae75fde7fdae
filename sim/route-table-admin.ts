/**
 * Route table lifecycle: CreateRouteTable, DeleteRouteTable, CreateTags/DeleteTags (route tables and
 * subnets), and EnableVgwRoutePropagation/DisableVgwRoutePropagation.
 *
 * Propagation model: each table keeps the set of VGWs propagating into it (PropagatingVgws), and each VPC
 * a record of the destinations each VGW advertises (learnt from propagated routes given to addRoute).
 * Enabling a VGW on a table adds that VGW's advertised routes to it (origin EnableVgwRoutePropagation);
 * disabling removes them. A propagated route added with addRoute stays in the table it was added to
 * (other tables the VGW propagates into learn it on their next Enable), so existing setups keep their shape.
 */
import type {
  CreateRouteTableRequest,
  CreateRouteTableResult,
  CreateTagsRequest,
  DeleteRouteTableRequest,
  DeleteTagsRequest,
  DisableVgwRoutePropagationRequest,
  EnableVgwRoutePropagationRequest,
  Tag,
} from '@aws-sdk/client-ec2';
import { associationsOf } from './associations';
import { fault } from './faults';
import { checkDryRun } from './filters';
import { checkIdFormat, destinationOf, notFound, sameDestination } from './ids';
import { isPropagated, resolveTarget, routeTableOutput } from './route-tables';
import type { SimState } from './state';
import type { RouteDestination, RouteRecord, RouteSpec, RouteTableRecord } from './types';

/** Creates a table with its local route(s) (IPv4, and IPv6 when the VPC has an IPv6 CIDR). */
export function newRouteTable(
  s: SimState,
  vpcId: string,
  tags: Record<string, string>,
  routeTableId?: string,
): RouteTableRecord {
  const vpc = s.requireVpc(vpcId);
  const id = s.claimId('rtb', routeTableId);
  const local = (destination: RouteDestination): RouteRecord => ({
    destination,
    target: { field: 'GatewayId', id: 'local' },
    origin: 'CreateRouteTable',
  });
  const routes = [local({ kind: 'ipv4', value: vpc.cidr })];
  if (vpc.ipv6Cidr) routes.push(local({ kind: 'ipv6', value: vpc.ipv6Cidr }));
  const table: RouteTableRecord = {
    seq: s.seq++,
    routeTableId: id,
    vpcId: vpc.vpcId,
    tags: { ...tags },
    routes,
    propagatingVgws: [],
  };
  s.tables.set(id, table);
  return table;
}

/**
 * Adds a route as set up out of band (SimulatedVpc.addRoute). Unlike the API, an InstanceId target
 * always resolves to its eth0.
 */
export function addSetupRoute(s: SimState, routeTableId: string, route: RouteSpec): void {
  const table = s.requireTable(routeTableId);
  const destination = destinationOf(route);
  const origin = route.Origin ?? 'CreateRoute';
  const target = resolveTarget(s, route, table, { lenientInstance: true });
  const propagated = origin === 'EnableVgwRoutePropagation';
  if (propagated && !/^vgw-/.test(target.id))
    throw new Error('a propagated route must target a virtual private gateway (GatewayId vgw-...)');
  const clash = table.routes.find((r) => sameDestination(r.destination, destination) && isPropagated(r) === propagated);
  if (clash) throw fault('RouteAlreadyExists', `The route identified by ${destination.value} already exists.`);
  table.routes.push({ destination, target, origin });
  if (propagated) notePropagatedRoute(s, table, target.id, destination);
}

export function createRouteTable(s: SimState, input: CreateRouteTableRequest): CreateRouteTableResult {
  if (input.VpcId === undefined) throw fault('MissingParameter', 'The request must contain the parameter vpcId');
  s.requireVpc(input.VpcId);
  const tags: Record<string, string> = {};
  for (const spec of input.TagSpecifications ?? []) {
    if (spec.ResourceType !== 'route-table') {
      throw fault(
        'InvalidParameterValue',
        `'${String(spec.ResourceType)}' is not a valid taggable resource type for this operation.`,
      );
    }
    Object.assign(tags, checkedTags(spec.Tags, true));
  }
  checkTagCount(Object.keys(tags).length);
  checkDryRun(input);
  const table = newRouteTable(s, input.VpcId, tags);
  return {
    RouteTable: routeTableOutput(s, table),
    ...(input.ClientToken !== undefined ? { ClientToken: input.ClientToken } : {}),
  };
}

/** DeleteRouteTable: refused while the table has any association, the main one included. */
export function deleteRouteTable(s: SimState, input: DeleteRouteTableRequest): object {
  const table = s.requireTableForCall(input.RouteTableId);
  if (associationsOf(s, table.routeTableId).length > 0) {
    throw fault(
      'DependencyViolation',
      `The routeTable '${table.routeTableId}' has dependencies and cannot be deleted.`,
    );
  }
  checkDryRun(input);
  s.tables.delete(table.routeTableId);
  return {};
}

// ─────────── tags ───────────

const checkTagCount = (n: number): void => {
  if (n > 50) throw fault('TagLimitExceeded', 'The maximum number of tags per resource (50) has been exceeded');
};

const checkedTags = (tags: Tag[] | undefined, valueRequired: boolean): Record<string, string | undefined> => {
  const out: Record<string, string | undefined> = {};
  for (const tag of tags ?? []) {
    const key = tag.Key;
    if (key === undefined || key.length === 0 || key.length > 128)
      throw fault('InvalidParameterValue', `Tag key '${String(key)}' must be 1 to 128 characters`);
    if (key.toLowerCase().startsWith('aws:'))
      throw fault('InvalidParameterValue', "Tag keys starting with 'aws:' are reserved for internal use");
    if (tag.Value !== undefined && tag.Value.length > 256)
      throw fault('InvalidParameterValue', `Tag value for key '${key}' must be at most 256 characters`);
    out[key] = valueRequired ? (tag.Value ?? '') : tag.Value;
  }
  return out;
};

/** The tag maps of the named resources; every ID must exist before any tag changes. */
const taggable = (s: SimState, resources: string[] | undefined): Array<Record<string, string>> => {
  if (!resources?.length) throw fault('MissingParameter', 'The request must contain the parameter resourceIdSet');
  return resources.map((id) => {
    if (id.startsWith('rtb-')) return s.requireTable(checkIdFormat('rtb', id)).tags;
    if (id.startsWith('subnet-')) {
      const subnet = s.subnets.get(id);
      if (!subnet) throw notFound('subnet', [id]);
      return subnet.tags;
    }
    // The simulator keeps tags of route tables and subnets only.
    throw fault('InvalidID', `The ID '${id}' is not valid`);
  });
};

export function createTags(s: SimState, input: CreateTagsRequest): object {
  const targets = taggable(s, input.Resources);
  if (!input.Tags?.length) throw fault('MissingParameter', 'The request must contain the parameter tagSet');
  const tags = checkedTags(input.Tags, true) as Record<string, string>;
  for (const t of targets) checkTagCount(Object.keys({ ...t, ...tags }).length);
  checkDryRun(input);
  for (const t of targets) Object.assign(t, tags);
  return {};
}

/** DeleteTags: a tag given with a value is deleted only when the value matches; without one, whatever it is. */
export function deleteTags(s: SimState, input: DeleteTagsRequest): object {
  const targets = taggable(s, input.Resources);
  const tags = checkedTags(input.Tags, false);
  checkDryRun(input);
  for (const t of targets) {
    // No Tags at all deletes every tag of the resource, as EC2 documents.
    const keys = input.Tags?.length ? Object.keys(tags) : Object.keys(t);
    for (const key of keys) if (key in t && (tags[key] === undefined || tags[key] === t[key])) delete t[key];
  }
  return {};
}

// ─────────── VGW route propagation ───────────

const propagationTarget = (
  s: SimState,
  input: { RouteTableId?: string; GatewayId?: string },
): { table: RouteTableRecord; vgw: string } => {
  const table = s.requireTableForCall(input.RouteTableId);
  if (input.GatewayId === undefined)
    throw fault('MissingParameter', 'The request must contain the parameter gatewayId');
  // VGWs are not resources of the simulator: any well-formed vgw- ID is taken as attached to the VPC.
  if (!/^vgw-[0-9a-f]{8,17}$/.test(input.GatewayId))
    throw fault('InvalidVpnGatewayID.NotFound', `The vpnGateway ID '${input.GatewayId}' does not exist`);
  return { table, vgw: input.GatewayId };
};

/** Records a propagated route added in setup: the VGW propagates into that table and advertises the destination. */
export function notePropagatedRoute(
  s: SimState,
  table: RouteTableRecord,
  vgw: string,
  destination: RouteDestination,
): void {
  if (!table.propagatingVgws.includes(vgw)) table.propagatingVgws.push(vgw);
  const advertised = s.requireVpc(table.vpcId).vgwAdvertised;
  const list = advertised.get(vgw) ?? [];
  if (!list.some((d) => sameDestination(d, destination))) list.push(destination);
  advertised.set(vgw, list);
}

export function enableVgwRoutePropagation(s: SimState, input: EnableVgwRoutePropagationRequest): object {
  const { table, vgw } = propagationTarget(s, input);
  checkDryRun(input);
  if (table.propagatingVgws.includes(vgw)) return {};
  table.propagatingVgws.push(vgw);
  for (const destination of s.requireVpc(table.vpcId).vgwAdvertised.get(vgw) ?? []) {
    const present = table.routes.some(
      (r) => isPropagated(r) && r.target.id === vgw && sameDestination(r.destination, destination),
    );
    if (!present)
      table.routes.push({ destination, target: { field: 'GatewayId', id: vgw }, origin: 'EnableVgwRoutePropagation' });
  }
  return {};
}

export function disableVgwRoutePropagation(s: SimState, input: DisableVgwRoutePropagationRequest): object {
  const { table, vgw } = propagationTarget(s, input);
  checkDryRun(input);
  table.propagatingVgws = table.propagatingVgws.filter((g) => g !== vgw);
  table.routes = table.routes.filter((r) => !(isPropagated(r) && r.target.id === vgw));
  return {};
}
