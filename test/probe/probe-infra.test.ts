import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { parseConfig, parseConfigJson, type FailoverConfigInput } from '../../functions/contract/config';
import { probedGroup } from '../../functions/probe/probed-group';
import { WARM_UP_EVENT } from '../../functions/contract/warm-up';
import { Probe, probeAllDownAlarmName, probeSilentAlarmName } from '../../infra/constructs/probe';
import { addNagChecks } from '../../infra/nag-checks';
import { exampleConfig, synth } from '../infra/synth';
import { STATE_MACHINE_ARN } from './fakes';

/** The probe's infrastructure, asserted on the synthesized template (bundling skipped except in one test). */

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];

/** The example config with the probe on: router-a at 10.0.1.10, router-b at 10.0.2.10. */
const probeConfig = (probe: Record<string, unknown> = {}): FailoverConfigInput => {
  const c = exampleConfig() as Json;
  c.groups[0].members[0].probeAddress = '10.0.1.10';
  c.groups[0].members[1].probeAddress = '10.0.2.10';
  c.groups[0].probe = { subnetIds: SUBNETS, ...probe };
  return c;
};

const resources = (template: Template, type: string): Array<[string, Json]> =>
  Object.entries(template.findResources(type));

const probeFunctions = (template: Template): Array<[string, Json]> =>
  resources(template, 'AWS::Lambda::Function').filter(([, f]) => /^Health probe/.test(f.Properties.Description));

/** The probe function of one location (subnet). */
const locationFunction = (template: Template, subnet = SUBNETS[0]): [string, Json] => {
  const found = probeFunctions(template).filter(
    ([, f]) => f.Properties.Environment.Variables.PROBE_LOCATION === subnet,
  );
  expect(found).toHaveLength(1);
  return found[0];
};

/** Every statement of the identity policies attached to a function's role. */
const statementsOfFunction = (template: Template, fn: Json): Json[] => {
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return resources(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
};

const stateMachineId = (template: Template): string => {
  const found = resources(template, 'AWS::StepFunctions::StateMachine');
  expect(found).toHaveLength(1);
  return found[0][0];
};

describe('probe infra: only when enabled', () => {
  it('adds no probe to a group without a probe block, or with enabled: false', () => {
    for (const config of [exampleConfig(), probeConfig({ enabled: false })]) {
      const { template } = synth(config);
      expect(probeFunctions(template)).toEqual([]);
      expect(resources(template, 'AWS::EC2::SecurityGroup')).toEqual([]);
      // The schedules left are the member inventory refresh and the route guard, which every stack has.
      expect(
        resources(template, 'AWS::Events::Rule').filter(
          ([id, r]) => r.Properties.ScheduleExpression && !id.startsWith('InventoryRefresh') && !id.startsWith('Guard'),
        ),
      ).toEqual([]);
    }
  });

  it('adds one probe per group with the probe on, each reaching only its own members', () => {
    const c = probeConfig() as Json;
    c.groups.push({
      name: 'dc-west',
      vpcId: 'vpc-0123456789abcdef1',
      members: [
        { name: 'fw-1', instanceId: 'i-0a1b2c3d4e5f60011', probeAddress: '10.9.1.10' },
        { name: 'fw-2', instanceId: 'i-0a1b2c3d4e5f60012', probeAddress: '10.9.2.10' },
      ],
      probe: { subnetIds: ['subnet-0123456789abcdef9'], ports: [22] },
    });
    const { template } = synth(c);
    // One function per location: two subnets for the first group, one for the second.
    expect(probeFunctions(template)).toHaveLength(3);
    const groups = resources(template, 'AWS::EC2::SecurityGroup').map(([, sg]) => ({
      vpc: sg.Properties.VpcId,
      cidrs: sg.Properties.SecurityGroupEgress.filter((e: Json) => e.FromPort !== 443).map(
        (e: Json) => `${e.CidrIp}:${e.FromPort}`,
      ),
    }));
    expect(groups).toEqual(
      expect.arrayContaining([
        { vpc: 'vpc-0123456789abcdef0', cidrs: ['10.0.1.10/32:179', '10.0.2.10/32:179'] },
        { vpc: 'vpc-0123456789abcdef1', cidrs: ['10.9.1.10/32:22', '10.9.2.10/32:22'] },
      ]),
    );
  });
});

describe('probe infra: network', () => {
  it("egress only to each member's probe address on each probe port, plus HTTPS; no ingress", () => {
    const { template } = synth(probeConfig({ ports: [179, 22] }));
    const sgs = resources(template, 'AWS::EC2::SecurityGroup');
    expect(sgs).toHaveLength(1);
    const [, sg] = sgs[0];
    expect(sg.Properties.VpcId).toBe('vpc-0123456789abcdef0');
    expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
    expect(resources(template, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
    expect(resources(template, 'AWS::EC2::SecurityGroupEgress')).toEqual([]);
    const egress = sg.Properties.SecurityGroupEgress.map((e: Json) => ({
      cidr: e.CidrIp,
      protocol: e.IpProtocol,
      from: e.FromPort,
      to: e.ToPort,
    }));
    expect(egress).toEqual([
      { cidr: '10.0.1.10/32', protocol: 'tcp', from: 179, to: 179 },
      { cidr: '10.0.1.10/32', protocol: 'tcp', from: 22, to: 22 },
      { cidr: '10.0.2.10/32', protocol: 'tcp', from: 179, to: 179 },
      { cidr: '10.0.2.10/32', protocol: 'tcp', from: 22, to: 22 },
      { cidr: '0.0.0.0/0', protocol: 'tcp', from: 443, to: 443 },
    ]);
    // CloudFormation's character set for a security group description.
    expect(sg.Properties.GroupDescription).toMatch(/^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/);
    // Its ID is an output: the routers' security groups must let it in on the probe ports.
    template.hasOutput('*', { Value: { 'Fn::GetAtt': [sgs[0][0], 'GroupId'] } });
  });

  it(
    'runs one function per subnet (a location per AZ), each in its subnet with that security group, ' +
      'from IDs alone (no lookups)',
    () => {
      const { template } = synth(probeConfig());
      const [sgId] = resources(template, 'AWS::EC2::SecurityGroup')[0];
      for (const subnet of SUBNETS) {
        const [id, fn] = locationFunction(template, subnet);
        expect(fn.Properties.VpcConfig).toEqual({
          SubnetIds: [subnet],
          SecurityGroupIds: [{ 'Fn::GetAtt': [sgId, 'GroupId'] }],
        });
        // Creating the function's network interfaces needs these before the function exists.
        const vpcPolicy = resources(template, 'AWS::IAM::Policy').find(
          ([, p]) =>
            p.Properties.Roles.some((r: Json) => r.Ref === fn.Properties.Role['Fn::GetAtt'][0]) &&
            p.Properties.PolicyDocument.Statement.some((s: Json) =>
              [s.Action].flat().includes('ec2:CreateNetworkInterface'),
            ),
        );
        expect(vpcPolicy).toBeDefined();
        expect(template.toJSON().Resources[id].DependsOn).toContain(vpcPolicy![0]);
      }
    },
  );

  it('warns at synth when the probe has one location only (no agreement across AZs)', () => {
    const { stack } = synth(probeConfig({ subnetIds: [SUBNETS[0]] }));
    const warnings = Annotations.fromStack(stack).findWarning(
      '*',
      Match.stringLikeRegexp('probe runs from one subnet only'),
    );
    expect(warnings).toHaveLength(1);
  });
});

describe('probe infra: function, schedule, IAM', () => {
  it(
    'gets its group (validated shape), its location, the state machine ARN and table; ' +
      'runs up to 150 s, three invocations at most',
    () => {
      const { template } = synth(probeConfig());
      const [, fn] = locationFunction(template, SUBNETS[1]);
      expect(fn.Properties).toMatchObject({
        Runtime: expect.stringMatching(/^nodejs/),
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 128,
        Timeout: 150,
        ReservedConcurrentExecutions: 3,
        TracingConfig: { Mode: 'Active' },
      });
      const env = fn.Properties.Environment.Variables;
      expect(env.GROUP).toBe('onprem-edge');
      expect(env.PROBE_LOCATION).toBe(SUBNETS[1]);
      expect(env.STATE_MACHINE_ARN).toEqual({ Ref: stateMachineId(template) });
      const [tableId] = resources(template, 'AWS::DynamoDB::Table').find(([id]) => id.startsWith('GroupStateTable'))!;
      expect(env.GROUP_STATE_TABLE).toEqual({ Ref: tableId });
      // What the function does at cold start, on what infra handed it.
      const group = probedGroup(parseConfigJson(env.PROBE_CONFIG, 'PROBE_CONFIG'), env.GROUP);
      expect(group.members.map((m) => [m.name, m.probeAddress])).toEqual([
        ['router-a', '10.0.1.10'],
        ['router-b', '10.0.2.10'],
      ]);
      expect(group.probe).toMatchObject({
        ports: [179],
        intervalMs: 250,
        timeoutMs: 500,
        downAfterMs: 1000,
        subnetIds: SUBNETS,
      });
      // The probe sees its own group only.
      expect(JSON.parse(env.PROBE_CONFIG).groups).toHaveLength(1);
    },
  );

  it(
    'each location is started every minute, on the minute, by an EventBridge schedule; ' +
      'a late start is dropped, not queued',
    () => {
      const { template } = synth(probeConfig());
      for (const subnet of SUBNETS) {
        const [fnId] = locationFunction(template, subnet);
        template.hasResourceProperties('AWS::Events::Rule', {
          ScheduleExpression: 'cron(* * * * ? *)',
          State: 'ENABLED',
          Targets: [
            Match.objectLike({
              Arn: { 'Fn::GetAtt': [fnId, 'Arn'] },
              RetryPolicy: { MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 2 },
            }),
          ],
        });
        template.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [fnId, 'Arn'] },
          Principal: 'events.amazonaws.com',
        });
        template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          FunctionName: { Ref: fnId },
          MaximumRetryAttempts: 0,
          MaximumEventAgeInSeconds: 60,
        });
      }
    },
  );

  it(
    'may start this one state machine and read and write the group-state table, nothing else: ' +
      'no SNS or route action',
    () => {
      const { template } = synth(probeConfig());
      const [, fn] = locationFunction(template);
      const statements = statementsOfFunction(template, fn);
      const actions = statements.flatMap((s: Json) => [s.Action].flat());
      expect(statements.filter((s: Json) => [s.Action].flat().some((a: string) => a.startsWith('states:')))).toEqual([
        { Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: stateMachineId(template) } },
      ]);
      expect(actions.filter((a: string) => a.includes('*'))).toEqual([]);
      expect(actions.filter((a: string) => /^sns:|Route/.test(a))).toEqual([]);
      const [tableId] = resources(template, 'AWS::DynamoDB::Table').find(([id]) => id.startsWith('GroupStateTable'))!;
      const ddb = statements.filter((s: Json) => [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
      expect(ddb.length).toBeGreaterThan(0);
      // Its group's probe item only: never a lease or another group's item.
      expect(ddb).toEqual([
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['probe#onprem-edge'] } },
        },
      ]);
      expect(actions.filter((a: string) => a.startsWith('kms:'))).toEqual([
        'kms:Decrypt',
        'kms:Encrypt',
        'kms:GenerateDataKey',
      ]);
      // Resource '*' only where the action has no resource-level permissions (X-Ray, the VPC interface calls).
      const onStar = statements.filter((s: Json) => s.Resource === '*').flatMap((s: Json) => [s.Action].flat());
      expect(
        onStar.every(
          (a: string) =>
            a.startsWith('xray:') ||
            /^ec2:(Create|Delete|Describe)NetworkInterfaces?$|^ec2:DescribeSubnets$|PrivateIpAddresses$/.test(a),
        ),
      ).toBe(true);
      expect(fn.Properties.Role).toBeDefined();
      template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
    },
  );
});

describe('probe infra: the failover path kept warm', () => {
  it(
    'with a probe, one schedule invokes AcquireLease, ' +
      'ResolveTargets and FirstWrite every minute with the warm-up event',
    () => {
      const { template } = synth(probeConfig());
      const rules = resources(template, 'AWS::Events::Rule').filter(([id]) => id.startsWith('WarmUp'));
      expect(rules).toHaveLength(1);
      const [, rule] = rules[0];
      expect(rule.Properties.ScheduleExpression).toBe('rate(1 minute)');
      const fnId = (key: string) =>
        Object.entries(template.findResources('AWS::Lambda::Function')).find(([id]) => id.startsWith(key))![0];
      expect(rule.Properties.Targets.map((t: Json) => t.Arn['Fn::GetAtt'][0]).sort()).toEqual(
        ['AcquireLease', 'FirstWrite', 'ResolveTargets'].map(fnId).sort(),
      );
      for (const t of rule.Properties.Targets) {
        expect(JSON.parse(t.Input)).toEqual(WARM_UP_EVENT);
        expect(t.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 60, MaximumRetryAttempts: 0 });
      }
    },
  );
});

describe('probe infra: alarms', () => {
  it('alarms to the topic when a location stops reporting (one alarm per location): missing data is breaching', () => {
    const { template } = synth(probeConfig());
    const [topicId] = resources(template, 'AWS::SNS::Topic')[0];
    for (const subnet of SUBNETS) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: probeSilentAlarmName('Test', 'onprem-edge', subnet),
        Namespace: 'VpcRouteFailover/Probe',
        MetricName: 'ProbeRounds',
        Dimensions: [
          { Name: 'Group', Value: 'onprem-edge' },
          { Name: 'Location', Value: subnet },
        ],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 2,
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        TreatMissingData: 'breaching',
        AlarmActions: [{ Ref: topicId }],
        OKActions: [{ Ref: topicId }],
      });
    }
  });

  it('alarms to the topic while every member fails (the case the probe never fails over)', () => {
    const { template } = synth(probeConfig());
    const [topicId] = resources(template, 'AWS::SNS::Topic')[0];
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: probeAllDownAlarmName('Test', 'onprem-edge'),
      Namespace: 'VpcRouteFailover/Probe',
      MetricName: 'AllMembersDown',
      Dimensions: [{ Name: 'Group', Value: 'onprem-edge' }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topicId }],
    });
  });

  it('lets CloudWatch publish exactly these alarms to the encrypted topic (topic policy and key policy)', () => {
    const { template } = synth(probeConfig());
    const alarmArn = (name: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':cloudwatch:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          `:alarm:${name}`,
        ],
      ],
    });
    const condition = {
      ArnEquals: {
        'aws:SourceArn': [
          ...SUBNETS.map((s) => alarmArn(probeSilentAlarmName('Test', 'onprem-edge', s))),
          alarmArn(probeAllDownAlarmName('Test', 'onprem-edge')),
        ],
      },
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
    };
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
            Condition: condition,
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: condition,
          }),
        ]),
      },
    });
  });
});

describe('probe construct on its own', () => {
  const standalone = (bundle: boolean) => {
    const app = new App({ context: bundle ? {} : { 'aws:cdk:bundling-stacks': [] } });
    addNagChecks(app);
    const stack = new Stack(app, 'ProbeOnly');
    const topicKey = new Key(stack, 'TopicKey', { enableKeyRotation: true });
    const topic = new Topic(stack, 'Topic', { topicName: 'probe-only', masterKey: topicKey, enforceSSL: true });
    const group = parseConfig(probeConfig(), 'test config').groups[0];
    const stateTable = Table.fromTableName(stack, 'StateTable', 'probe-only-state');
    const probe = new Probe(stack, 'Probe', {
      group,
      stateMachine: StateMachine.fromStateMachineArn(stack, 'Workflow', STATE_MACHINE_ARN),
      stateTable,
      topic,
      topicKey,
      topicName: 'probe-only',
    });
    return { app, stack, probe };
  };

  it('passes the cdk-nag AwsSolutions checks with no unacknowledged finding', () => {
    const { app } = standalone(false);
    expect(() => app.synth()).not.toThrow();
  });

  it('refuses a group without an enabled probe', () => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'S');
    const topic = new Topic(stack, 'Topic');
    const group = parseConfig(exampleConfig()).groups[0];
    const stateTable = Table.fromTableName(stack, 'StateTable', 'probe-only-state');
    expect(
      () =>
        new Probe(stack, 'Probe', {
          group,
          stateMachine: StateMachine.fromStateMachineArn(stack, 'W', STATE_MACHINE_ARN),
          stateTable,
          topic,
        }),
    ).toThrow(/needs an enabled probe/);
  });

  it('bundles the probe function into an ESM asset that keeps class names and carries its SDK', () => {
    const { app, stack } = standalone(true);
    const assembly = app.synth();
    const [, fn] = locationFunction(Template.fromStack(stack));
    const key: string = fn.Properties.Code.S3Key;
    const bundle = path.join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
    const code = existsSync(bundle) ? readFileSync(bundle, 'utf8') : '';
    expect({
      bundled: code.length > 0,
      keepsClassNames: /\(this,\s*"FailoverError"\)/.test(code),
      importsRuntimeSdk: /from\s*"@aws-sdk\//.test(code),
      carriesSfnClient: code.includes('StartExecution'),
      carriesDynamoClient: code.includes('UpdateItem'),
    }).toEqual({
      bundled: true,
      keepsClassNames: true,
      importsRuntimeSdk: false,
      carriesSfnClient: true,
      carriesDynamoClient: true,
    });
  });
});
