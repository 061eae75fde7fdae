import { EC2Client, Filter, paginateDescribeRouteTables, Route, RouteTable } from '@aws-sdk/client-ec2';
import { toEc2Error } from '../contract/aws-errors';
import type { RouteTableScope } from '../contract/config';
import type { Destination } from '../contract/schemas';

/** EC2 accepts up to 200 values per filter; stay well under it. */
const FILTER_VALUES_MAX = 100;
/** Largest page DescribeRouteTables serves. */
const PAGE_SIZE = 100;

/** The destination of a route, of any kind; undefined for a route without one we can address. */
export const routeDestination = (route: Route): Destination | undefined => {
  if (route.DestinationCidrBlock) return { kind: 'ipv4', value: route.DestinationCidrBlock };
  if (route.DestinationIpv6CidrBlock) return { kind: 'ipv6', value: route.DestinationIpv6CidrBlock };
  if (route.DestinationPrefixListId) return { kind: 'prefix-list', value: route.DestinationPrefixListId };
  return undefined;
};

/** A stable key for a route: table plus destination (a table holds one route per destination). */
export const routeKey = (routeTableId: string, d: Destination): string => `${routeTableId}|${d.kind}|${d.value}`;

/** Human form of a destination: the CIDR or prefix list ID. */
export const formatDestination = (d: Destination): string => d.value;

/** The destination as ReplaceRoute/CreateRoute parameters. */
export const destinationParams = (d: Destination) =>
  d.kind === 'ipv4'
    ? { DestinationCidrBlock: d.value }
    : d.kind === 'ipv6'
      ? { DestinationIpv6CidrBlock: d.value }
      : { DestinationPrefixListId: d.value };

/** The target of a route as one ID (ENI, gateway, NAT gateway, …), for reports. */
export const routeTarget = (route: Route): string | undefined =>
  route.NetworkInterfaceId ??
  route.GatewayId ??
  route.NatGatewayId ??
  route.TransitGatewayId ??
  route.VpcPeeringConnectionId ??
  route.LocalGatewayId ??
  route.CarrierGatewayId ??
  route.CoreNetworkArn ??
  route.EgressOnlyInternetGatewayId ??
  route.InstanceId;

/** The DescribeRouteTables filters that select a group's route tables (always within its VPC). */
export const scopeFilters = (vpcId: string, scope: RouteTableScope | undefined): Filter[][] => {
  const vpc: Filter = { Name: 'vpc-id', Values: [vpcId] };
  if (scope === undefined) return [[vpc]];
  if ('tag' in scope) return [[vpc, { Name: `tag:${scope.tag.key}`, Values: [scope.tag.value] }]];
  const batches: Filter[][] = [];
  for (let i = 0; i < scope.ids.length; i += FILTER_VALUES_MAX) {
    batches.push([vpc, { Name: 'route-table-id', Values: scope.ids.slice(i, i + FILTER_VALUES_MAX) }]);
  }
  return batches;
};

/**
 * Reads every route table in a group's scope with paginated DescribeRouteTables (vpc-id filter plus the
 * scope). EC2 has no filter on a route's ENI, so callers filter routes in code.
 */
export const describeScopedRouteTables = async (
  ec2: EC2Client,
  vpcId: string,
  scope: RouteTableScope | undefined,
): Promise<RouteTable[]> => {
  const tables: RouteTable[] = [];
  for (const Filters of scopeFilters(vpcId, scope)) {
    try {
      for await (const page of paginateDescribeRouteTables({ client: ec2, pageSize: PAGE_SIZE }, { Filters })) {
        tables.push(...(page.RouteTables ?? []));
      }
    } catch (err) {
      throw toEc2Error(err, `DescribeRouteTables in ${vpcId}`);
    }
  }
  return tables;
};

/**
 * The route tables of a VPC with a route to an interface attached to one of `instanceIds`: DescribeRouteTables
 * shows the instance behind such a route (`InstanceId`) and filters on it (`route.instance-id`, EC2 API
 * Reference). A regional call about route tables: it answers when the instances' own Availability Zone cannot.
 */
export const describeRouteTablesByInstance = async (ec2: EC2Client, vpcId: string, instanceIds: string[]): Promise<RouteTable[]> => {
  const tables: RouteTable[] = [];
  for (let i = 0; i < instanceIds.length; i += FILTER_VALUES_MAX) {
    const Filters = [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'route.instance-id', Values: instanceIds.slice(i, i + FILTER_VALUES_MAX) },
    ];
    try {
      for await (const page of paginateDescribeRouteTables({ client: ec2, pageSize: PAGE_SIZE }, { Filters })) tables.push(...(page.RouteTables ?? []));
    } catch (err) {
      throw toEc2Error(err, `DescribeRouteTables route.instance-id in ${vpcId}`);
    }
  }
  return tables;
};

/** Reads the given route tables (by ID, within a VPC); tables that no longer exist are simply absent. */
export const describeRouteTablesById = async (ec2: EC2Client, vpcId: string, ids: string[]): Promise<RouteTable[]> =>
  ids.length === 0 ? [] : describeScopedRouteTables(ec2, vpcId, { ids });

/** Whether a route was propagated by a virtual private gateway (ReplaceRoute never acts on it). */
export const isPropagated = (route: Route): boolean => route.Origin === 'EnableVgwRoutePropagation';

/**
 * Finds the route ReplaceRoute acts on for a destination: the static one (or the local route). A route
 * propagated by a virtual private gateway can share its prefix with a static route in the same table (VPC User
 * Guide, "How route priority works": the static route wins), so the first match is not enough; a propagated
 * route is returned only when no static route has the destination.
 */
export const findRoute = (table: RouteTable | undefined, d: Destination): Route | undefined => {
  const matches = (table?.Routes ?? []).filter((r) => {
    const rd = routeDestination(r);
    return rd !== undefined && rd.kind === d.kind && rd.value === d.value;
  });
  return matches.find((r) => !isPropagated(r)) ?? matches[0];
};

/**
 * Why a route pointing at a member ENI must not be replaced, or undefined when it may be. The local route is
 * replaceable when it points at an interface (east-west inspection: VPC User Guide, "Replace or restore the
 * target for a local route"); ReplaceRoute moves it like any other route, and failback moves it back.
 */
export const unreplaceableReason = (route: Route): string | undefined => {
  if (isPropagated(route)) return 'propagated route (owned by the virtual private gateway)';
  if (!route.NetworkInterfaceId && (route.Origin === 'CreateRouteTable' || route.GatewayId === 'local')) return 'local route of the VPC (not moved)';
  return undefined;
};
