import type { Route, RouteTable } from '@aws-sdk/client-ec2';
import type { Destination } from '../contract/schemas';

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
  if (!route.NetworkInterfaceId && (route.Origin === 'CreateRouteTable' || route.GatewayId === 'local'))
    return 'local route of the VPC (not moved)';
  return undefined;
};
