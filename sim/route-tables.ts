/** EC2 routes: DescribeRouteTables, ReplaceRoute, CreateRoute, DeleteRoute, and how a table and a route are shown. */
import type {
  CreateRouteRequest,
  CreateRouteResult,
  DeleteRouteRequest,
  DescribeRouteTablesRequest,
  DescribeRouteTablesResult,
  ReplaceRouteRequest,
  Route,
  RouteTable,
} from '@aws-sdk/client-ec2';
import { associationFilters, associationOutput, associationsOf } from './associations';
import { fault } from './faults';
import {
  checkDryRun,
  checkFilters,
  checkPaging,
  compact,
  matchesFilters,
  paginate,
  selectByIds,
  toTags,
  type FilterSpec,
  type PageRequest,
} from './filters';
import {
  canonicalDestination,
  checkIdFormat,
  destinationKindOf,
  destinationOf,
  notFound,
  sameDestination,
} from './ids';
import type { SimState } from './state';
import {
  DESTINATION_FIELDS,
  TARGET_FIELDS,
  type AssociationRecord,
  type EniRecord,
  type RouteDestination,
  type RouteFields,
  type RouteRecord,
  type RouteTableRecord,
} from './types';

export function describeRouteTables(s: SimState, input: DescribeRouteTablesRequest): DescribeRouteTablesResult {
  const req: PageRequest = {
    action: 'DescribeRouteTables',
    MaxResults: input.MaxResults,
    NextToken: input.NextToken,
    filters: input.Filters,
    ids: { param: 'routeTableIds', value: input.RouteTableIds },
    min: 5,
    max: 100,
  };
  checkPaging(req);
  // With read lag on, the read sees recent writes' routes and associations as they were
  // (sim/read-lag.ts), filters included.
  const lag = s.readLag;
  const assocs = lag?.associationsView(s);
  const spec = routeTableFilters(s, assocs);
  checkFilters(input.Filters, spec);
  let tables = [...s.tables.values()];
  if (input.RouteTableIds?.length) tables = selectByIds('rtb', input.RouteTableIds, s.tables);
  if (lag) tables = tables.map((t) => lag.tableView(t));
  tables = tables.filter((t) => matchesFilters(t, input.Filters, spec));
  checkDryRun(input);
  const { page, NextToken } = paginate(tables, req);
  return compact({ RouteTables: page.map((t) => routeTableOutput(s, t, assocs)), NextToken });
}

export function replaceRoute(s: SimState, input: ReplaceRouteRequest): object {
  const table = s.requireTableForCall(input.RouteTableId);
  const destination = destinationOf(input);
  const route = findStaticRoute(table, destination);
  if (!route) {
    throw fault(
      'InvalidParameterValue',
      `There is no route defined for '${destination.value}' in the route table. Use CreateRoute instead.`,
    );
  }
  // "Replace or restore the target for a local route" (VPC User Guide): the local route may point at a
  // middlebox (network interface or Gateway Load Balancer endpoint), and LocalTarget restores it. It stays
  // the table's local route (origin CreateRouteTable) either way.
  if (input.LocalTarget === true) {
    if (TARGET_FIELDS.some((f) => input[f] !== undefined) || input.InstanceId !== undefined)
      throw fault('InvalidParameterCombination', 'LocalTarget cannot be combined with a target');
    if (route.origin !== 'CreateRouteTable')
      throw fault(
        'InvalidParameterValue',
        `The route for '${destination.value}' is not a local route; LocalTarget applies to local routes only.`,
      );
    checkDryRun(input);
    route.target = { field: 'GatewayId', id: 'local' };
    return {};
  }
  const target = resolveTarget(s, input, table);
  if (route.origin === 'CreateRouteTable') {
    if (target.field !== 'NetworkInterfaceId' && target.field !== 'VpcEndpointId') {
      throw fault(
        'InvalidParameterValue',
        `The target of the local route for '${destination.value}' can ` +
          `only be a network interface or a Gateway Load Balancer endpoint.`,
      );
    }
    checkDryRun(input);
    route.target = target;
    return {};
  }
  checkDryRun(input);
  route.target = target;
  route.origin = 'CreateRoute';
  return {};
}

export function createRoute(s: SimState, input: CreateRouteRequest): CreateRouteResult {
  const table = s.requireTableForCall(input.RouteTableId);
  const destination = destinationOf(input);
  const target = resolveTarget(s, input, table);
  if (findStaticRoute(table, destination)) {
    throw fault('RouteAlreadyExists', `The route identified by ${destination.value} already exists.`);
  }
  checkDryRun(input);
  table.routes.push({ destination, target, origin: 'CreateRoute' });
  return { Return: true };
}

export function deleteRoute(s: SimState, input: DeleteRouteRequest): object {
  const table = s.requireTableForCall(input.RouteTableId);
  const destination = destinationOf(input);
  const route = findStaticRoute(table, destination);
  const param = DESTINATION_FIELDS[destination.kind].replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  if (!route) {
    throw fault(
      'InvalidRoute.NotFound',
      `no route with ${param} ${destination.value} in route table ${table.routeTableId}`,
    );
  }
  if (route.origin === 'CreateRouteTable') {
    throw fault(
      'InvalidParameterValue',
      `cannot remove local route ${destination.value} in route table ${table.routeTableId}`,
    );
  }
  checkDryRun(input);
  table.routes.splice(table.routes.indexOf(route), 1);
  return {};
}

/** Validates the one target of a route request; InstanceId resolves to the instance's only ENI, as in EC2. */
export function resolveTarget(
  s: SimState,
  input: RouteFields,
  table: RouteTableRecord,
  opts: { lenientInstance?: boolean } = {},
): RouteRecord['target'] {
  const given = [...TARGET_FIELDS, 'InstanceId' as const].filter((f) => input[f] !== undefined);
  if (given.length === 0) {
    throw fault(
      'MissingParameter',
      'The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, instanceId, ' +
        'vpcPeeringConnectionId, transitGatewayId, egressOnlyInternetGatewayId, vpcEndpointId, localGatewayId, ' +
        'carrierGatewayId or coreNetworkArn',
    );
  }
  if (given.length > 1)
    throw fault('InvalidParameterCombination', `Only one target can be specified, got ${given.join(', ')}`);
  const field = given[0];
  const id = String(input[field]);
  if (field === 'InstanceId')
    return { field: 'NetworkInterfaceId', id: eniOfInstance(s, id, table, opts.lenientInstance ?? false) };
  if (field === 'NetworkInterfaceId') return { field, id: routableEni(s, id, table).eniId };
  if (field === 'GatewayId' && !/^(igw|vgw)-[0-9a-f]{8,17}$/.test(id))
    throw fault('InvalidGatewayID.NotFound', `The gateway ID '${id}' does not exist`);
  return { field, id };
}

export function routableEni(s: SimState, eniId: string, table: RouteTableRecord): EniRecord {
  checkIdFormat('eni', eniId);
  const eni = s.enis.get(eniId);
  if (!eni) throw notFound('eni', [eniId]);
  if (eni.vpcId !== table.vpcId) {
    throw fault(
      'InvalidParameterValue',
      `route table ${table.routeTableId} and network interface ${eniId} belong to different networks`,
    );
  }
  return eni;
}

export function eniOfInstance(s: SimState, instanceId: string, table: RouteTableRecord, lenient: boolean): string {
  checkIdFormat('i', instanceId);
  const instance = s.instances.get(instanceId);
  if (!instance) throw notFound('i', [instanceId]);
  const enis = s.attachedEnis(instanceId);
  const eth0 = enis.find((e) => e.attachment?.deviceIndex === 0);
  if (!eth0) throw fault('IncorrectInstanceState', `The instance '${instanceId}' has no network interface to route to`);
  if (enis.length > 1 && !lenient) {
    throw fault(
      'InvalidInstanceID',
      `There are multiple interfaces attached to instance '${instanceId}'. ` +
        `Please specify an interface ID for the operation instead.`,
    );
  }
  if (instance.vpcId !== table.vpcId) {
    throw fault(
      'InvalidParameterValue',
      `route table ${table.routeTableId} and instance ${instanceId} belong to different networks`,
    );
  }
  return eth0.eniId;
}

/** `assocs`: where a table's associations are read from (the true ones unless a read lags). */
export function routeTableFilters(
  s: SimState,
  assocs?: (routeTableId: string) => AssociationRecord[],
): FilterSpec<RouteTableRecord> {
  const routes = (t: RouteTableRecord): Route[] => t.routes.map((r) => routeOutput(s, r));
  const routeField = (field: keyof Route) => (t: RouteTableRecord) =>
    routes(t).map((r) => r[field] as string | undefined);
  return {
    tags: (t) => t.tags,
    fields: {
      'vpc-id': (t) => [t.vpcId],
      'route-table-id': (t) => [t.routeTableId],
      'owner-id': () => [s.accountId],
      ...associationFilters(s, assocs),
      'route.destination-cidr-block': routeField('DestinationCidrBlock'),
      'route.destination-ipv6-cidr-block': routeField('DestinationIpv6CidrBlock'),
      'route.destination-prefix-list-id': routeField('DestinationPrefixListId'),
      'route.gateway-id': routeField('GatewayId'),
      'route.instance-id': routeField('InstanceId'),
      'route.nat-gateway-id': routeField('NatGatewayId'),
      'route.transit-gateway-id': routeField('TransitGatewayId'),
      'route.vpc-peering-connection-id': routeField('VpcPeeringConnectionId'),
      'route.egress-only-internet-gateway-id': routeField('EgressOnlyInternetGatewayId'),
      'route.origin': routeField('Origin'),
      'route.state': routeField('State'),
    },
  };
}

export function routeTableOutput(
  s: SimState,
  t: RouteTableRecord,
  assocs: (routeTableId: string) => AssociationRecord[] = (id) => associationsOf(s, id),
): RouteTable {
  return {
    RouteTableId: t.routeTableId,
    VpcId: t.vpcId,
    OwnerId: s.accountId,
    Routes: t.routes.map((r) => routeOutput(s, r)),
    Tags: toTags(t.tags),
    Associations: assocs(t.routeTableId).map(associationOutput),
    PropagatingVgws: t.propagatingVgws.map((GatewayId) => ({ GatewayId })),
  };
}

export function routeOutput(s: SimState, r: RouteRecord): Route {
  const route: Route = { [DESTINATION_FIELDS[r.destination.kind]]: r.destination.value, [r.target.field]: r.target.id };
  const eni = r.target.field === 'NetworkInterfaceId' ? s.enis.get(r.target.id) : undefined;
  if (eni?.attachment) {
    route.InstanceId = eni.attachment.instanceId;
    route.InstanceOwnerId = s.accountId;
  }
  route.Origin = r.origin;
  route.State = routeState(s, r);
  return route;
}

/** A route to an ENI is a blackhole unless the ENI exists, is attached, and its instance is running. */
export function routeState(s: SimState, r: RouteRecord): 'active' | 'blackhole' {
  if (r.target.field !== 'NetworkInterfaceId') return 'active';
  const attachment = s.enis.get(r.target.id)?.attachment;
  const instance = attachment && s.instances.get(attachment.instanceId);
  return instance?.state === 'running' ? 'active' : 'blackhole';
}

export const isPropagated = (r: RouteRecord): boolean => r.origin === 'EnableVgwRoutePropagation';

/** Static routes are what Replace/Create/DeleteRoute act on; a propagated route with the same prefix is separate. */
export const findStaticRoute = (table: RouteTableRecord, destination: RouteDestination): RouteRecord | undefined =>
  table.routes.find((r) => !isPropagated(r) && sameDestination(r.destination, destination));

/** The route for a destination (CIDR or pl- ID) in a table, static before propagated; undefined when absent. */
export function findRoute(s: SimState, routeTableId: string, destination: string): Route | undefined {
  const table = s.tables.get(routeTableId);
  if (!table) return undefined;
  const kind = destinationKindOf(destination);
  const wanted = { kind, value: canonicalDestination(kind, destination) };
  const matches = table.routes.filter((r) => sameDestination(r.destination, wanted));
  const found = matches.find((r) => !isPropagated(r)) ?? matches[0];
  return found && routeOutput(s, found);
}
