import type { Template } from 'aws-cdk-lib/assertions';
import type { FailoverConfigInput } from '../../functions/contract/config';
import { pacerItemKey } from '../../functions/domain/switch-strategy';
import { exampleConfig, synth } from './synth';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

/**
 * The IAM of the address switch: the writes on the groups' own addresses and VPC interfaces, the readers, the pacers.
 */

const EIPS = ['eipalloc-0a1b2c3d4e5f60001', 'eipalloc-0a1b2c3d4e5f60002'];
const withAddresses = (): FailoverConfigInput => {
  const raw = exampleConfig();
  raw.groups[0].elasticIps = EIPS;
  raw.groups[0].secondaryPrivateIps = ['10.0.1.100'];
  raw.groups.push({
    name: 'plain',
    vpcId: 'vpc-0fedcba9876543210',
    members: [
      { name: 'fw-a', instanceId: 'i-0a1b2c3d4e5f60003' },
      { name: 'fw-b', instanceId: 'i-0a1b2c3d4e5f60004' },
    ],
  });
  return raw;
};

const resources = (t: Template, type: string): [string, Json][] => Object.entries(t.findResources(type));
const functionId = (t: Template, task: string): string => {
  const [, sm] = resources(t, 'AWS::StepFunctions::StateMachine')[0];
  return sm.Properties.DefinitionSubstitutions[`${task}FunctionArn`]['Fn::GetAtt'][0];
};
const roleOf = (t: Template, fnId: string): string => t.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0];
const statementsOf = (t: Template, roleId: string): Json[] =>
  resources(t, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
const withAction = (s: Json[], action: string): Json[] => s.filter((x) => [x.Action].flat().includes(action));
const resourcePart = (arn: Json): string => (typeof arn === 'string' ? arn : String(arn['Fn::Join'][1].at(-1)));

it(`SwitchItems moves only the listed Elastic IPs, onto \
interfaces of the group’s VPC, and draws from their pacers`, () => {
  const { template } = synth(withAddresses());
  const statements = statementsOf(template, roleOf(template, functionId(template, 'SwitchItems')));
  const associate = withAction(statements, 'ec2:AssociateAddress');
  const eips = associate.filter((s) => [s.Resource].flat().some((r: Json) => resourcePart(r).includes(':elastic-ip/')));
  expect(eips.flatMap((s) => [s.Resource].flat().map(resourcePart))).toEqual(EIPS.map((id) => `:elastic-ip/${id}`));
  const enis = associate.filter((s) =>
    [s.Resource].flat().some((r: Json) => resourcePart(r).endsWith(':network-interface/*')),
  );
  expect(enis).toHaveLength(1);
  expect(resourcePart(enis[0].Condition.ArnEquals['ec2:Vpc'])).toBe(':vpc/vpc-0123456789abcdef0');
  const assign = withAction(statements, 'ec2:AssignPrivateIpAddresses');
  // Lambda's own VPC access policy is not attached (no VPC config): the one statement is the address switch's.
  expect(assign).toHaveLength(1);
  expect(resourcePart(assign[0].Condition.ArnEquals['ec2:Vpc'])).toBe(':vpc/vpc-0123456789abcdef0');
  expect(JSON.stringify([...associate, ...assign])).not.toContain('vpc-0fedcba9876543210');
  const keys = JSON.stringify(withAction(statements, 'dynamodb:UpdateItem'));
  for (const action of ['AssociateAddress', 'AssignPrivateIpAddresses'] as const)
    expect(keys).toContain(pacerItemKey(action));
});

it('the readers get DescribeAddresses; nothing of it without a group that moves addresses', () => {
  const { template } = synth(withAddresses());
  for (const task of ['PlanSwitch', 'SwitchItems', 'VerifySwitch'])
    expect(
      withAction(statementsOf(template, roleOf(template, functionId(template, task))), 'ec2:DescribeAddresses'),
    ).toHaveLength(1);
  // The IAM of a stack without addresses (the state machine's definition names the actions in its comments).
  const bare = synth(exampleConfig()).template;
  const iam = resources(bare, 'AWS::IAM::Policy').map(([, p]) => p.Properties.PolicyDocument);
  expect(iam.length).toBeGreaterThan(0);
  expect(JSON.stringify(iam)).not.toMatch(/AssociateAddress|AssignPrivateIpAddresses|DescribeAddresses/);
});
