import type { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Group } from '../functions/contract/config';
import { PACER_ITEM_KEY } from '../functions/aws/dynamodb-pacer';
import { TWIN_GROUP_TAG } from '../functions/domain/twins';

/**
 * IAM statements of the two switching modes, built from the groups. Facts from the EC2 service authorization
 * reference ("Actions, resources, and condition keys for Amazon EC2"):
 * - ReplaceRoute, CreateRoute, DeleteRoute: resource type route-table* (condition keys aws:ResourceTag/${TagKey},
 *   ec2:Region, ec2:ResourceTag/${TagKey}, ec2:RouteTableID, ec2:Vpc). ec2:Vpc is an ARN, hence ArnEquals.
 * - ReplaceRouteTableAssociation: route-table* (the NEW table of the request: AssociationId and RouteTableId are
 *   its only parameters), and, optionally, subnet and internet-gateway (and the IPAM pool types, which an
 *   association never involves); condition keys include ec2:Vpc, ec2:SubnetID, ec2:RouteTableID,
 *   ec2:InternetGatewayID. No vpn-gateway resource type is listed: a virtual private gateway's edge association
 *   is authorized on its route table alone, as is the main association.
 * - CreateRouteTable: route-table* (aws:RequestTag/${TagKey}, aws:TagKeys) and vpc*.
 * - CreateTags on a resource created with TagSpecifications is authorized with ec2:CreateAction ("Grant
 *   permission to tag Amazon EC2 resources during creation", EC2 User Guide).
 */

/** ARN of a route table (`*` for all) of the stack's account and region. */
export const routeTableArn = (stack: Stack, id: string): string =>
  stack.formatArn({ service: 'ec2', resource: 'route-table', resourceName: id });
/** ARN of a VPC of the stack's account and region. */
export const vpcArn = (stack: Stack, id: string): string =>
  stack.formatArn({ service: 'ec2', resource: 'vpc', resourceName: id });

/** The groups that switch by moving associations to twins. */
export const associationGroups = (groups: Group[]): Group[] => groups.filter((g) => g.switchMode === 'associations');

/**
 * `actions` on the route tables a group owns (its scope): the listed IDs, or every table of its VPC (ArnEquals
 * ec2:Vpc) carrying its scope tag when it has one. One statement per group.
 */
export const scopedRouteTableStatements = (stack: Stack, groups: Group[], actions: string[]): PolicyStatement[] =>
  groups.map((group) => {
    const scope = group.routeTables;
    const resources =
      scope && 'ids' in scope ? scope.ids.map((id) => routeTableArn(stack, id)) : [routeTableArn(stack, '*')];
    const conditions: Record<string, Record<string, string>> = { ArnEquals: { 'ec2:Vpc': vpcArn(stack, group.vpcId) } };
    if (scope && 'tag' in scope) conditions.StringEquals = { [`aws:ResourceTag/${scope.tag.key}`]: scope.tag.value };
    return new PolicyStatement({ actions, resources, conditions });
  });

/**
 * `actions` on the twins of each group given: route tables of the group's VPC tagged
 * route-failover:twin-group = the group. Twins are in no scope (no ID list, no scope tag), so this tag is what
 * names them. Pairing the VPC and the tag in one statement keeps a group's twins to its own VPC. Callers pass
 * the associations-mode groups for the twins' own writes, and every group for ReplaceRoute: a group set back
 * to the routes mode switches, route by route, the twins that subnets still use.
 */
export const twinStatements = (stack: Stack, groups: Group[], actions: string[]): PolicyStatement[] =>
  groups.map(
    (group) =>
      new PolicyStatement({
        actions,
        resources: [routeTableArn(stack, '*')],
        conditions: {
          ArnEquals: { 'ec2:Vpc': vpcArn(stack, group.vpcId) },
          StringEquals: { [`aws:ResourceTag/${TWIN_GROUP_TAG}`]: group.name },
        },
      }),
  );

/**
 * ReplaceRouteTableAssociation for a failover (original -> twin) and a failback (twin -> original): the new
 * table is a twin of the group or a table of its scope; the subnet is one of the groups' VPCs; an internet
 * gateway is named without a condition (the reference lists no ec2:Vpc for it, and its IDs are not in the
 * config), which lets nothing happen by itself: the request is also authorized on its route table.
 */
export const replaceAssociationStatements = (stack: Stack, groups: Group[]): PolicyStatement[] => {
  const assoc = associationGroups(groups);
  if (assoc.length === 0) return [];
  const action = ['ec2:ReplaceRouteTableAssociation'];
  const vpcs = [...new Set(assoc.map((g) => vpcArn(stack, g.vpcId)))];
  return [
    ...scopedRouteTableStatements(stack, assoc, action),
    ...twinStatements(stack, assoc, action),
    new PolicyStatement({
      actions: action,
      resources: [subnetArn(stack)],
      conditions: { ArnEquals: { 'ec2:Vpc': vpcs } },
    }),
    new PolicyStatement({ actions: action, resources: [internetGatewayArn(stack)] }),
  ];
};

/** The twin reconcile's EC2 writes: route changes and propagation on twins only, and creating tagged twins. */
export const reconcileTwinStatements = (stack: Stack, groups: Group[]): PolicyStatement[] => {
  const assoc = associationGroups(groups);
  if (assoc.length === 0) return [];
  const names = assoc.map((g) => g.name);
  const onCreate = { [`aws:RequestTag/${TWIN_GROUP_TAG}`]: names };
  return [
    ...twinStatements(stack, assoc, [
      'ec2:CreateRoute',
      'ec2:ReplaceRoute',
      'ec2:DeleteRoute',
      'ec2:EnableVgwRoutePropagation',
      'ec2:DisableVgwRoutePropagation',
    ]),
    // Propagation names a virtual private gateway too; unconditioned like the internet gateway above, it
    // authorizes nothing without the twin statement on the route table.
    new PolicyStatement({
      actions: ['ec2:EnableVgwRoutePropagation', 'ec2:DisableVgwRoutePropagation'],
      resources: [vpnGatewayArn(stack)],
    }),
    // A new twin: in one of the groups' VPCs, and only with the group tag of an associations-mode group.
    new PolicyStatement({
      actions: ['ec2:CreateRouteTable'],
      resources: [...new Set(assoc.map((g) => vpcArn(stack, g.vpcId)))],
    }),
    new PolicyStatement({
      actions: ['ec2:CreateRouteTable'],
      resources: [routeTableArn(stack, '*')],
      conditions: { StringEquals: onCreate },
    }),
    // Tags only as part of CreateRouteTable (TagSpecifications), never on an existing table.
    new PolicyStatement({
      actions: ['ec2:CreateTags'],
      resources: [routeTableArn(stack, '*')],
      conditions: { StringEquals: { 'ec2:CreateAction': 'CreateRouteTable', ...onCreate } },
    }),
  ];
};

/**
 * GetItem on the group items (`dynamodb:LeadingKeys` = the group names): the inventory (and the rest of each
 * group's item, which holds no secret), never the pacer items.
 */
export const groupItemRead = (tableArn: string, groups: Group[]): PolicyStatement =>
  new PolicyStatement({
    actions: ['dynamodb:GetItem'],
    resources: [tableArn],
    conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': groups.map((g) => g.name) } },
  });

/** GetItem and UpdateItem on one pacer item only (functions/domain/pacer.ts), never a group's lease. */
export const pacerItemUse = (tableArn: string, itemKey: string = PACER_ITEM_KEY): PolicyStatement =>
  new PolicyStatement({
    actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    resources: [tableArn],
    conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [itemKey] } },
  });

export const subnetArn = (stack: Stack): string =>
  stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: '*' });
export const internetGatewayArn = (stack: Stack): string =>
  stack.formatArn({ service: 'ec2', resource: 'internet-gateway', resourceName: '*' });
export const vpnGatewayArn = (stack: Stack): string =>
  stack.formatArn({ service: 'ec2', resource: 'vpn-gateway', resourceName: '*' });
