import { type EC2Client, type Filter, paginateDescribeRouteTables, type RouteTable } from '@aws-sdk/client-ec2';
import { toEc2Error } from '../contract/aws-errors';
import type { RouteTableScope } from '../contract/config';

/** EC2 accepts up to 200 values per filter; stay well under it. */
const FILTER_VALUES_MAX = 100;
/** Largest page DescribeRouteTables serves. */
const PAGE_SIZE = 100;

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
export const describeRouteTablesByInstance = async (
  ec2: EC2Client,
  vpcId: string,
  instanceIds: string[],
): Promise<RouteTable[]> => {
  const tables: RouteTable[] = [];
  for (let i = 0; i < instanceIds.length; i += FILTER_VALUES_MAX) {
    const Filters = [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'route.instance-id', Values: instanceIds.slice(i, i + FILTER_VALUES_MAX) },
    ];
    try {
      for await (const page of paginateDescribeRouteTables({ client: ec2, pageSize: PAGE_SIZE }, { Filters }))
        tables.push(...(page.RouteTables ?? []));
    } catch (err) {
      throw toEc2Error(err, `DescribeRouteTables route.instance-id in ${vpcId}`);
    }
  }
  return tables;
};

/** Reads the given route tables (by ID, within a VPC); tables that no longer exist are simply absent. */
export const describeRouteTablesById = async (ec2: EC2Client, vpcId: string, ids: string[]): Promise<RouteTable[]> =>
  ids.length === 0 ? [] : describeScopedRouteTables(ec2, vpcId, { ids });
