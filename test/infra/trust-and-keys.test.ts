import type { Template } from 'aws-cdk-lib/assertions';
import type { FailoverConfigInput } from '../../functions/contract/config';
import { exampleConfig, synth } from './synth';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const resources = (template: Template, type: string): [string, Json][] => Object.entries(template.findResources(type));

const arn = (service: string, resource: string) => ({
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      `:${service}:`,
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      resource,
    ],
  ],
});

/** Two groups, one with automatic failback, status-check alarms on for both: every kind of trigger rule. */
const everyTrigger = (): FailoverConfigInput => {
  const raw = exampleConfig();
  raw.groups[0].autoFailback = { holdDownSeconds: 120 };
  raw.groups.push({
    name: 'dmz',
    vpcId: 'vpc-0fedcba9876543210',
    members: [
      { name: 'fw-a', instanceId: 'i-0a1b2c3d4e5f60003' },
      { name: 'fw-b', instanceId: 'i-0a1b2c3d4e5f60004' },
    ],
  });
  return raw;
};

/** The account-root statement CDK gives every key: IAM delegation and administration, which KMS requires. */
const isAccountRoot = (s: Json) =>
  JSON.stringify(s.Principal) ===
  JSON.stringify({
    AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root']] },
  });

describe('trust policies', () => {
  it('let EventBridge assume the trigger role only for the rules of this stack, in this account', () => {
    const { template } = synth(everyTrigger());
    const [roleId, role] = resources(template, 'AWS::IAM::Role').find(([id]) => id.startsWith('TriggerRole'))!;
    // Every rule that starts the state machine with this role, by its fixed name.
    const ruleNames = resources(template, 'AWS::Events::Rule')
      .filter(([, r]) => r.Properties.Targets.some((t: Json) => t.RoleArn?.['Fn::GetAtt']?.[0] === roleId))
      .map(([, r]) => r.Properties.Name as string)
      .sort();
    expect(ruleNames).toEqual([
      'Test-dmz-instance-state',
      'Test-dmz-status-check',
      'Test-onprem-edge-failback',
      'Test-onprem-edge-instance-state',
      'Test-onprem-edge-status-check',
    ]);
    const [statement] = role.Properties.AssumeRolePolicyDocument.Statement;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toHaveLength(1);
    expect(statement).toMatchObject({
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: 'events.amazonaws.com' },
    });
    expect(statement.Condition.StringEquals).toEqual({ 'aws:SourceAccount': { Ref: 'AWS::AccountId' } });
    const sourceArns = statement.Condition.ArnEquals['aws:SourceArn'];
    expect(sourceArns).toHaveLength(ruleNames.length);
    for (const name of ruleNames) expect(sourceArns).toContainEqual(arn('events', `:rule/${name}`));
  });

  it('let Step Functions assume the state machine role only for this state machine, in this account', () => {
    const { template } = synth(exampleConfig());
    const [, sm] = resources(template, 'AWS::StepFunctions::StateMachine')[0];
    const role = template.toJSON().Resources[sm.Properties.RoleArn['Fn::GetAtt'][0]];
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Effect: 'Allow',
        Action: 'sts:AssumeRole',
        Principal: { Service: 'states.amazonaws.com' },
        Condition: {
          ArnEquals: { 'aws:SourceArn': arn('states', ':stateMachine:Test-failover') },
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
        },
      },
    ]);
    // The role's policies exist before the state machine is created (Step Functions checks the logging permissions).
    const smEntry = resources(template, 'AWS::StepFunctions::StateMachine')[0][1];
    const policyIds = resources(template, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === sm.Properties.RoleArn['Fn::GetAtt'][0]))
      .map(([id]) => id);
    expect(policyIds).toHaveLength(3); // invoke (default policy), log delivery, X-Ray
    for (const id of policyIds) expect(smEntry.DependsOn).toContain(id);
  });
});

describe('KMS key policies', () => {
  it('carry kms:ViaService and the encryption context in every statement but the account-root one', () => {
    const withProbe = exampleConfig();
    withProbe.groups[0].probe = { subnetIds: ['subnet-0123456789abcdef0'] };
    withProbe.groups[0].members.forEach((m, i) => {
      m.probeAddress = `10.0.${i}.10`;
    });
    const { template } = synth(withProbe);
    const keys = resources(template, 'AWS::KMS::Key');
    expect(keys).toHaveLength(2);
    const others = keys.flatMap(([, k]) => k.Properties.KeyPolicy.Statement).filter((s: Json) => !isAccountRoot(s));
    // CloudWatch publishing the stack's alarms and the probe's alarms to the topic.
    expect(others).toHaveLength(2);
    for (const s of others) {
      expect(s.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
      expect(s.Condition.StringEquals).toEqual({
        'aws:SourceAccount': { Ref: 'AWS::AccountId' },
        'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
        'kms:EncryptionContext:aws:sns:topicArn': arn('sns', ':Test-notifications'),
      });
      expect(s.Condition.ArnEquals['aws:SourceArn'].length).toBeGreaterThan(0);
    }
    // The encryption context names the topic that is really encrypted with this key.
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'Test-notifications' });
  });

  it(`keep the root statement as the only one of the group-state \
key: the functions use it through IAM, via DynamoDB`, () => {
    const { template } = synth(exampleConfig());
    const [, table] = resources(template, 'AWS::DynamoDB::Table')[0];
    const key = template.toJSON().Resources[table.Properties.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0]];
    expect(key.Properties.KeyPolicy.Statement.every(isAccountRoot)).toBe(true);
    const keyUse = resources(template, 'AWS::IAM::Policy')
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: Json) =>
        JSON.stringify(s.Resource).includes(table.Properties.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0]),
      );
    expect(keyUse.length).toBeGreaterThan(0);
    for (const s of keyUse) {
      expect(s.Condition.StringEquals['kms:ViaService']).toEqual({
        'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]],
      });
      // Every cryptographic call is bound to this table; DescribeKey has no encryption context.
      if ([s.Action].flat().some((a: string) => a !== 'kms:DescribeKey')) {
        expect(s.Condition.StringEquals['kms:EncryptionContext:aws:dynamodb:tableName']).toEqual({
          Ref: resources(template, 'AWS::DynamoDB::Table')[0][0],
        });
      }
    }
  });
});
