import type { Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Group } from '../functions/contract/config';
import { addressSelectionOf, movesAddresses } from '../functions/domain/addresses/model';
import { pacerItemKey, type Ec2WriteAction } from '../functions/domain/switch-strategy';
import type { FailoverFunction } from './constructs/failover-function';
import { acknowledgeFinding, wildcardResourceFinding } from './nag';
import { vpcArn } from './twin-permissions';

/**
 * IAM of the address switch, built from the groups that move addresses. Facts from the EC2 service authorization
 * reference ("Actions, resources, and condition keys for Amazon EC2"):
 * - AssociateAddress: resource type elastic-ip* (condition keys include aws:ResourceTag/${TagKey},
 *   ec2:AllocationId, ec2:Domain, ec2:PublicIpAddress, ec2:Region), and, when the request names them, instance and
 *   network-interface (condition keys include ec2:Subnet, ec2:Vpc, ec2:AvailabilityZone, ec2:ResourceTag/${TagKey}).
 *   The switch names the interface (NetworkInterfaceId), never the instance.
 * - AssignPrivateIpAddresses: network-interface* (ec2:Subnet, ec2:Vpc, …).
 * - DescribeAddresses, DescribeNetworkInterfaces, DescribeSubnets: no resource type (Resource must be *).
 * ec2:Vpc is an ARN, hence ArnEquals.
 */

/** The groups that move addresses. */
export const addressGroups = (groups: Group[]): Group[] => groups.filter((g) => movesAddresses(addressSelectionOf(g)));

const elasticIpArn = (stack: Stack, id: string): string =>
  stack.formatArn({ service: 'ec2', resource: 'elastic-ip', resourceName: id });
const networkInterfaceArn = (stack: Stack): string =>
  stack.formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });

/**
 * The write statements: AssociateAddress on each group's Elastic IPs (by allocation ID, or every one carrying its
 * tag) paired with the interfaces of its VPC; AssignPrivateIpAddresses on the interfaces of the VPCs of the groups
 * that list secondary private IPs.
 */
export const addressWriteStatements = (stack: Stack, groups: Group[]): PolicyStatement[] => {
  const out: PolicyStatement[] = [];
  for (const g of addressGroups(groups)) {
    const s = addressSelectionOf(g);
    const inVpc = { ArnEquals: { 'ec2:Vpc': vpcArn(stack, g.vpcId) } };
    if (s.allocationIds?.length)
      out.push(
        new PolicyStatement({
          actions: ['ec2:AssociateAddress'],
          resources: s.allocationIds.map((id) => elasticIpArn(stack, id)),
        }),
      );
    else if (s.tag)
      out.push(
        new PolicyStatement({
          actions: ['ec2:AssociateAddress'],
          resources: [elasticIpArn(stack, '*')],
          conditions: { StringEquals: { [`aws:ResourceTag/${s.tag.key}`]: s.tag.value } },
        }),
      );
    if (s.allocationIds?.length || s.tag)
      out.push(
        new PolicyStatement({
          actions: ['ec2:AssociateAddress'],
          resources: [networkInterfaceArn(stack)],
          conditions: inVpc,
        }),
      );
    if (s.secondaryIps.length > 0)
      out.push(
        new PolicyStatement({
          actions: ['ec2:AssignPrivateIpAddresses'],
          resources: [networkInterfaceArn(stack)],
          conditions: inVpc,
        }),
      );
  }
  return out;
};

/** The EC2 write actions the groups' addresses take (each its own pacer item). */
export const addressWriteActions = (groups: Group[]): Ec2WriteAction[] => {
  const selections = addressGroups(groups).map(addressSelectionOf);
  return [
    ...(selections.some((s) => (s.allocationIds?.length ?? 0) > 0 || s.tag) ? ['AssociateAddress' as const] : []),
    ...(selections.some((s) => s.secondaryIps.length > 0) ? ['AssignPrivateIpAddresses' as const] : []),
  ];
};

const READ_REASON =
  'Read-only EC2 calls of the address switch (DescribeAddresses of the groups\u2019 Elastic IPs, ' +
  'DescribeNetworkInterfaces of the members and of whoever holds a listed secondary IP, DescribeSubnets of the ' +
  'members\u2019 subnets): EC2 Describe* actions support no resource-level permissions, so Resource must be *. ' +
  'They cannot change anything.';

/**
 * The address switch's reads, when some group moves addresses: PlanSwitch and SwitchItems (`subnets`: planning and
 * the batches' fresh read check a secondary IP's subnet), VerifySwitch and the guard (where each address is).
 */
export const grantAddressReads = (task: FailoverFunction, groups: Group[], subnets: boolean): void => {
  if (addressGroups(groups).length === 0) return;
  task.allowOnAllResources(
    'Ec2DescribeAddresses',
    ['ec2:DescribeAddresses', 'ec2:DescribeNetworkInterfaces', ...(subnets ? ['ec2:DescribeSubnets'] : [])],
    READ_REASON,
  );
};

/**
 * SwitchItems' address writes, when some group moves addresses: its reads, AssociateAddress and
 * AssignPrivateIpAddresses (addressWriteStatements) and, through `grantPacer`, the pacer item of each write action.
 */
export const grantAddressWrites = (
  task: FailoverFunction,
  stack: Stack,
  groups: Group[],
  grantPacer: (itemKey: string) => void,
): void => {
  if (addressGroups(groups).length === 0) return;
  grantAddressReads(task, groups, true);
  const writes = addressWriteStatements(stack, groups);
  for (const st of writes) task.function.addToRolePolicy(st);
  for (const action of addressWriteActions(groups)) grantPacer(pacerItemKey(action));
  const policy = task.role.node.findChild('DefaultPolicy');
  acknowledgeFinding(
    policy,
    wildcardResourceFinding(stack, networkInterfaceArn(stack)),
    'ec2:AssociateAddress and ec2:AssignPrivateIpAddresses name the destination interface, a member\u2019s, which ' +
      'the members\u2019 config does not list (interfaces are found from the instances at run time): every ' +
      "statement carries ArnEquals ec2:Vpc = the group's VPC ARN, so only interfaces of the configured VPCs can " +
      'receive an address.',
  );
  if (writes.some((st) => st.resources.includes(elasticIpArn(stack, '*'))))
    acknowledgeFinding(
      policy,
      wildcardResourceFinding(stack, elasticIpArn(stack, '*')),
      'A group selects its Elastic IPs by tag: only those carrying the tag (aws:ResourceTag condition) can be moved.',
    );
};
