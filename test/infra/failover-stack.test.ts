import { Lazy } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import { FAILURE_STATES } from '../../functions/contract/triggers';
import { LAMBDA_ENVIRONMENT_LIMIT_BYTES, environmentSize } from '../../infra/constructs/failover-function';
import { guardFunctionConfig, workflowFunctionConfig } from '../../infra/function-config';
import { exampleConfig, readAsl, synth } from './synth';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const SUBSTITUTION_KEYS = [
  'AcquireLeaseFunctionArn',
  'FirstWriteFunctionArn',
  'NotifyFunctionArn',
  'PlanSwitchFunctionArn',
  'ReleaseLeaseFunctionArn',
  'ResolveTargetsFunctionArn',
  'SwitchItemsFunctionArn',
  'VerifySwitchFunctionArn',
];

const only = (template: Template, type: string): [string, Json] => {
  const found = Object.entries(template.findResources(type));
  expect(found).toHaveLength(1);
  return found[0];
};

/** Logical ID of the Lambda function the state machine substitutes for `key`. */
const functionIdFor = (template: Template, key: string): string => {
  const [, sm] = only(template, 'AWS::StepFunctions::StateMachine');
  return sm.Properties.DefinitionSubstitutions[key]['Fn::GetAtt'][0];
};

/** Every statement of the inline policies attached to the role of the function behind `key`. */
const statementsOf = (template: Template, key: string): Json[] => {
  const fn = template.toJSON().Resources[functionIdFor(template, key)];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: Json) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap((p: Json) => p.Properties.PolicyDocument.Statement);
};

const actionsOf = (statement: Json): string[] => [statement.Action].flat();

/** Logical ID of the role of the function behind `key`. */
const roleIdFor = (template: Template, key: string): string =>
  template.toJSON().Resources[functionIdFor(template, key)].Properties.Role['Fn::GetAtt'][0];

/** Logical ID of the function's own log group (LoggingConfig). */
const logGroupIdFor = (template: Template, key: string): string =>
  template.toJSON().Resources[functionIdFor(template, key)].Properties.LoggingConfig.LogGroup.Ref;

/** Statements every function role carries (its own logs, X-Ray); the rest is what the function's task needs. */
const isBaseline = (s: Json): boolean => actionsOf(s).every((a) => a.startsWith('xray:') || a.startsWith('logs:'));

/** The KMS key that encrypts the topic (the stack has two keys: topic and group-state table). */
const topicKeyId = (template: Template): string => {
  const [, topic] = only(template, 'AWS::SNS::Topic');
  return topic.Properties.KmsMasterKeyId['Fn::GetAtt'][0];
};

/** Every Task state of the ASL (including those inside Map item processors), by state name. */
const taskStates = (states: Record<string, Json>): [string, Json][] =>
  Object.entries(states).flatMap(([name, s]) => [
    ...(s.Type === 'Task' ? [[name, s] as [string, Json]] : []),
    ...(s.ItemProcessor ? taskStates(s.ItemProcessor.States) : []),
  ]);

describe('FailoverStack state machine', () => {
  it('is a STANDARD state machine with full logging to a retained log group and tracing', () => {
    const { template } = synth(exampleConfig());
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: {
        Level: 'ALL',
        IncludeExecutionData: true,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StateMachineLogs'), 'Arn'] },
            },
          },
        ],
      },
      TracingConfiguration: { Enabled: true },
    });
  });

  it('inlines the ASL file unchanged and substitutes exactly its seven placeholders with function ARNs', () => {
    const { template } = synth(exampleConfig());
    const [, sm] = only(template, 'AWS::StepFunctions::StateMachine');
    const asl = readAsl();
    expect(sm.Properties.DefinitionString).toBe(asl);

    const placeholders = [...new Set([...asl.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]))].sort();
    const substitutions = sm.Properties.DefinitionSubstitutions;
    expect(Object.keys(substitutions).sort()).toEqual(SUBSTITUTION_KEYS);
    expect(placeholders).toEqual(Object.keys(substitutions).sort());
    for (const key of SUBSTITUTION_KEYS) {
      const id = functionIdFor(template, key);
      expect(substitutions[key]).toEqual({ 'Fn::GetAtt': [id, 'Arn'] });
      expect(template.toJSON().Resources[id].Type).toBe('AWS::Lambda::Function');
    }
    // Seven distinct functions, not one reused.
    expect(new Set(SUBSTITUTION_KEYS.map((k) => functionIdFor(template, k))).size).toBe(8);
  });

  it('gives each function a timeout below the TimeoutSeconds of the Task that invokes it', () => {
    const { template } = synth(exampleConfig());
    const tasks = taskStates(JSON.parse(readAsl()).States);
    expect(tasks.map(([name]) => name).sort()).toEqual([
      'AcquireLease',
      'FirstWrite',
      'Notify',
      'PlanSwitch',
      'RecordWithoutNotification',
      'ReleaseLease',
      'ReleaseLeaseUnrecorded',
      'ResolveTargets',
      'SwitchItems',
      'VerifySwitch',
    ]);
    // The fallback states of the notification path run the Notify and ReleaseLease functions again.
    const functionOf: Record<string, string> = {
      RecordWithoutNotification: 'Notify',
      ReleaseLeaseUnrecorded: 'ReleaseLease',
    };
    for (const [name, state] of tasks) {
      const key = /^\$\{(\w+)\}$/.exec(state.Resource)?.[1];
      expect(key).toBe(`${functionOf[name] ?? name}FunctionArn`);
      const fn = template.toJSON().Resources[functionIdFor(template, key!)];
      expect(fn.Properties.Timeout).toBeLessThan(state.TimeoutSeconds);
    }
  });

  it('lets the state machine invoke exactly the seven functions, unqualified (no version or alias wildcard)', () => {
    const { template } = synth(exampleConfig());
    const [smId, sm] = only(template, 'AWS::StepFunctions::StateMachine');
    const roleId = sm.Properties.RoleArn['Fn::GetAtt'][0];
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p: Json) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
      .flatMap((p: Json) => p.Properties.PolicyDocument.Statement)
      .filter((s: Json) => actionsOf(s).includes('lambda:InvokeFunction'));
    expect(statements.map(actionsOf)).toEqual([['lambda:InvokeFunction']]);
    const resources = statements.flatMap((s: Json) => [s.Resource].flat());
    expect(resources).toHaveLength(SUBSTITUTION_KEYS.length);
    for (const key of SUBSTITUTION_KEYS) {
      expect(resources).toContainEqual({ 'Fn::GetAtt': [functionIdFor(template, key), 'Arn'] });
    }
    expect(smId).toMatch(/^StateMachine/);
  });

  it('has a fixed name derived from the stack name; its retained log group a name unique to the deployment', () => {
    const { template } = synth(exampleConfig());
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'Test-failover' });
    // Under /aws/vendedlogs/, ending in the UUID of the stack ID: a redeployment after `cdk destroy` gets a new group.
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: {
        'Fn::Join': [
          '',
          [
            '/aws/vendedlogs/states/Test-failover-',
            { 'Fn::Select': [2, { 'Fn::Split': ['/', { Ref: 'AWS::StackId' }] }] },
          ],
        ],
      },
    });
  });
});

describe('FailoverStack functions', () => {
  it('builds all seven on Node 24, arm64, 256 MB, active tracing, their own log group, source maps on', () => {
    const { template } = synth(exampleConfig());
    // The seven Task functions, the scheduled inventory refresh and the route guard.
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(10); // with FirstWrite
    for (const key of SUBSTITUTION_KEYS) {
      const fn = template.toJSON().Resources[functionIdFor(template, key)];
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: 256,
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: { Ref: expect.stringMatching(/Logs/) } },
        Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
      });
      const variables = Object.keys(fn.Properties.Environment.Variables);
      expect(variables.filter((v) => v.startsWith('POWERTOOLS'))).toEqual([]);
    }
  });

  it(`hands resolve-targets and acquire-lease the validated config \
(defaults applied), the lease functions the table, notify the topic ARN`, () => {
    const raw = exampleConfig();
    const { template } = synth(raw);
    const env = (key: string) =>
      template.toJSON().Resources[functionIdFor(template, key)].Properties.Environment.Variables;

    const resolveEnv = env('ResolveTargetsFunctionArn');
    // The workflow's part of the config (infra/function-config.ts), which parses with the one schema.
    const {
      notifications: _emails,
      inventory: _refresh,
      twins: _twins,
      guard: _guard,
      ...workflowPart
    } = parseConfig(raw);
    expect(JSON.parse(resolveEnv.FAILOVER_CONFIG)).toEqual(workflowPart);
    expect(parseConfig(JSON.parse(resolveEnv.FAILOVER_CONFIG))).toEqual(parseConfig(raw));
    expect(JSON.parse(resolveEnv.FAILOVER_CONFIG).groups[0].maxConcurrency).toBe(10);
    const [tableId] = only(template, 'AWS::DynamoDB::Table');
    expect(resolveEnv).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      FAILOVER_CONFIG: resolveEnv.FAILOVER_CONFIG,
      GROUP_STATE_TABLE: { Ref: tableId },
      STACK_NAME: 'Test',
    });
    expect(env('AcquireLeaseFunctionArn')).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      FAILOVER_CONFIG: resolveEnv.FAILOVER_CONFIG,
      GROUP_STATE_TABLE: { Ref: tableId },
    });
    expect(env('ReleaseLeaseFunctionArn')).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      GROUP_STATE_TABLE: { Ref: tableId },
    });
    const [topicId] = only(template, 'AWS::SNS::Topic');
    expect(env('NotifyFunctionArn')).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      TOPIC_ARN: { Ref: topicId },
      FAILOVER_CONFIG: resolveEnv.FAILOVER_CONFIG,
    });
    // replace-routes checks every batch against the groups and their inventory, and draws from the write pacer (an
    // item of the group-state table).
    expect(env('SwitchItemsFunctionArn')).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      FAILOVER_CONFIG: resolveEnv.FAILOVER_CONFIG,
      GROUP_STATE_TABLE: { Ref: tableId },
    });
    expect(env('PlanSwitchFunctionArn')).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      GROUP_STATE_TABLE: { Ref: tableId },
    });
    expect(env('VerifySwitchFunctionArn')).toEqual({ NODE_OPTIONS: '--enable-source-maps' });
  });

  it('keeps every log group for a year and retains it when the stack goes', () => {
    const { template } = synth(exampleConfig());
    const logGroups = template.findResources('AWS::Logs::LogGroup');
    // Eight Task functions, the inventory refresh, the guard, the state machine.
    expect(Object.keys(logGroups)).toHaveLength(11);
    for (const lg of Object.values(logGroups) as Json[]) {
      expect(lg.Properties.RetentionInDays).toBe(365);
      expect(lg.DeletionPolicy).toBe('Retain');
    }
  });

  it('fails synth with a clear ConfigError when the config would not fit in the Lambda environment', () => {
    const raw = exampleConfig();
    // Valid but huge: many groups of two routers each (unique names and instance IDs).
    raw.groups = Array.from({ length: 40 }, (_, g) => ({
      name: `group-${g}-${'x'.repeat(40)}`,
      vpcId: 'vpc-0123456789abcdef0',
      members: [0, 1].map((m) => ({
        name: `router-${m}`,
        instanceId: `i-${(g * 2 + m).toString(16).padStart(17, '0')}`,
      })),
    }));
    let error: unknown;
    try {
      synth(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/cdk\.json context "failover" is too large/);
    expect((error as Error).message).toMatch(/FAILOVER_CONFIG/);
    expect((error as Error).message).toMatch(/4096/);
  });

  it(`checks the config size against the largest environment that holds it (resolve-targets: config, table and stack \
name; the guard: config, table and topic)`, () => {
    // The smallest config (more route table IDs) that no longer fits resolve-targets' environment.
    const sized = (n: number) => {
      const raw = exampleConfig();
      raw.groups[0].routeTables = {
        ids: Array.from({ length: n }, (_, i) => `rtb-${i.toString(16).padStart(17, '0')}`),
      };
      return raw;
    };
    const envOf = (n: number) => ({
      NODE_OPTIONS: '--enable-source-maps',
      FAILOVER_CONFIG: JSON.stringify(workflowFunctionConfig(parseConfig(sized(n)))),
    });
    const tableName = Lazy.string({ produce: () => 'table' }); // a token, as the table name is at synth time
    // The route guard's environment holds the config with the guard's settings, the table and the
    // topic ARN (a token too).
    const guardEnvOf = (n: number) => ({
      NODE_OPTIONS: '--enable-source-maps',
      FAILOVER_CONFIG: JSON.stringify(guardFunctionConfig(parseConfig(sized(n)))),
      GROUP_STATE_TABLE: tableName,
      TOPIC_ARN: tableName,
    });
    const largest = (n: number) =>
      Math.max(
        environmentSize({ ...envOf(n), GROUP_STATE_TABLE: tableName, STACK_NAME: 'Test' }),
        environmentSize(guardEnvOf(n)),
      );
    let n = 1;
    while (largest(n) <= LAMBDA_ENVIRONMENT_LIMIT_BYTES) n += 1;
    expect(environmentSize(envOf(n))).toBeLessThanOrEqual(LAMBDA_ENVIRONMENT_LIMIT_BYTES);

    expect(() => synth(sized(n - 1))).not.toThrow();
    let error: unknown;
    try {
      synth(sized(n));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/(resolve-targets|acquire-lease|guard) receives it in FAILOVER_CONFIG/);
  });
});

describe('FailoverStack IAM', () => {
  it('lets replace-routes write with ec2:ReplaceRoute only, on route tables, in the group VPC', () => {
    const { template } = synth(exampleConfig());
    const ec2 = statementsOf(template, 'SwitchItemsFunctionArn').filter(
      (s) =>
        !isBaseline(s) &&
        actionsOf(s).some((a) => a.startsWith('ec2:')) &&
        !actionsOf(s).every((a) => a.startsWith('ec2:Describe')),
    );
    // The group's scope, and its twins: a group set back to the routes mode switches the twins subnets still use.
    expect(ec2).toHaveLength(2);
    const vpc = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ec2:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':vpc/vpc-0123456789abcdef0',
        ],
      ],
    };
    const anyTable = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':ec2:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':route-table/*',
        ],
      ],
    };
    expect(ec2).toEqual([
      { Effect: 'Allow', Action: 'ec2:ReplaceRoute', Resource: anyTable, Condition: { ArnEquals: { 'ec2:Vpc': vpc } } },
      {
        Effect: 'Allow',
        Action: 'ec2:ReplaceRoute',
        Resource: anyTable,
        Condition: {
          ArnEquals: { 'ec2:Vpc': vpc },
          StringEquals: { 'aws:ResourceTag/route-failover:twin-group': 'onprem-edge' },
        },
      },
    ]);
  });

  it("narrows replace-routes to each group's VPC and route-table scope (ids or tag)", () => {
    const raw = exampleConfig();
    raw.groups[0].routeTables = { ids: ['rtb-0123456789abcdef0', 'rtb-0123456789abcdef1'] };
    raw.groups.push({
      name: 'dmz',
      vpcId: 'vpc-0fedcba9876543210',
      members: [
        { name: 'fw-a', instanceId: 'i-0a1b2c3d4e5f60003' },
        { name: 'fw-b', instanceId: 'i-0a1b2c3d4e5f60004' },
      ],
      routeTables: { tag: { key: 'failover-group', value: 'dmz' } },
    });
    const { template } = synth(raw);
    const all = statementsOf(template, 'SwitchItemsFunctionArn').filter((s) =>
      actionsOf(s).includes('ec2:ReplaceRoute'),
    );
    // One statement per group's scope, one per group's twins (tagged with its name, in its VPC).
    const isTwins = (s: any) => s.Condition.StringEquals?.['aws:ResourceTag/route-failover:twin-group'] !== undefined;
    expect(
      all
        .filter(isTwins)
        .map((s) => s.Condition.StringEquals['aws:ResourceTag/route-failover:twin-group'])
        .sort(),
    ).toEqual(['dmz', 'onprem-edge']);
    const ec2 = all.filter((s) => !isTwins(s));
    expect(ec2).toHaveLength(2);
    for (const s of ec2) expect(actionsOf(s)).toEqual(['ec2:ReplaceRoute']);

    const byVpc = (vpc: string) => ec2.find((s) => JSON.stringify(s.Condition.ArnEquals['ec2:Vpc']).includes(vpc));
    const edge = byVpc('vpc-0123456789abcdef0');
    expect(JSON.stringify(edge.Resource)).toMatch(
      /route-table\/rtb-0123456789abcdef0.*route-table\/rtb-0123456789abcdef1/,
    );
    expect(edge.Condition.StringEquals).toBeUndefined();
    const dmz = byVpc('vpc-0fedcba9876543210');
    expect(JSON.stringify(dmz.Resource)).toMatch(/route-table\/\*/);
    expect(dmz.Condition.StringEquals).toEqual({ 'aws:ResourceTag/failover-group': 'dmz' });
  });

  it('gives each function exactly the EC2 calls its code makes, and only replace-routes a write', () => {
    const { template } = synth(exampleConfig());
    const ec2Actions = (key: string) =>
      statementsOf(template, key)
        .flatMap(actionsOf)
        .filter((a) => a.startsWith('ec2:'))
        .sort();
    // resolve-targets confirms an alarm event with CloudWatch: DescribeAlarms on exactly the
    // stack's status-check alarms.
    const describeAlarms = statementsOf(template, 'ResolveTargetsFunctionArn').filter((st) =>
      actionsOf(st).includes('cloudwatch:DescribeAlarms'),
    );
    expect(describeAlarms).toHaveLength(1);
    expect(JSON.stringify(describeAlarms[0].Resource)).toContain(':alarm:Test-onprem-edge-router-a-status-check');
    expect(JSON.stringify(describeAlarms[0].Resource)).not.toContain('*');
    expect(ec2Actions('ResolveTargetsFunctionArn')).toEqual([
      'ec2:DescribeInstanceStatus',
      'ec2:DescribeInstances',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeRouteTables',
    ]);
    expect(ec2Actions('PlanSwitchFunctionArn')).toEqual(['ec2:DescribeRouteTables']);
    expect(ec2Actions('VerifySwitchFunctionArn')).toEqual(['ec2:DescribeRouteTables']);
    // The writer reads its batch's table first, then writes with ReplaceRoute only.
    // It also checks the interfaces a batch names against the group's members before writing (authorize.ts).
    expect([...new Set(ec2Actions('SwitchItemsFunctionArn'))]).toEqual([
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeRouteTables',
      'ec2:ReplaceRoute',
    ]);
    expect(ec2Actions('NotifyFunctionArn')).toEqual([]);
    expect(ec2Actions('AcquireLeaseFunctionArn')).toEqual([]);
    expect(ec2Actions('ReleaseLeaseFunctionArn')).toEqual([]);
  });

  it('lets notify publish to the one topic and use its key, nothing broader', () => {
    const { template } = synth(exampleConfig());
    const [topicId] = only(template, 'AWS::SNS::Topic');
    const keyId = topicKeyId(template);
    const statements = statementsOf(template, 'NotifyFunctionArn').filter((s) => !isBaseline(s));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: 'sns:Publish', Resource: { Ref: topicId } },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        // Through SNS only, for this topic only (SNS's encryption context is the topic ARN).
        Condition: {
          StringEquals: {
            'kms:ViaService': { 'Fn::Join': ['', ['sns.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
            'kms:EncryptionContext:aws:sns:topicArn': {
              'Fn::Join': [
                '',
                [
                  'arn:',
                  { Ref: 'AWS::Partition' },
                  ':sns:',
                  { Ref: 'AWS::Region' },
                  ':',
                  { Ref: 'AWS::AccountId' },
                  ':Test-notifications',
                ],
              ],
            },
          },
        },
      },
    ]);
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'Test-notifications' });
  });

  it('grants no wildcard action in any IAM policy, and no Allow of * or ec2:* anywhere', () => {
    const { template } = synth(exampleConfig());
    const resources = Object.values(template.toJSON().Resources) as Json[];
    const iamAllows = resources
      .filter((r) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement)
      .filter((s: Json) => s.Effect === 'Allow');
    expect(iamAllows.length).toBeGreaterThan(0);
    expect(iamAllows.flatMap(actionsOf).filter((a: string) => a.includes('*'))).toEqual([]);

    // Resource policies too (key, topic, queue). The key keeps its default statement (kms:* for the account
    // root) without which the key becomes unmanageable; enforceSSL adds Deny statements, which only restrict.
    const everyAllow = resources
      .flatMap((r) => r.Properties?.PolicyDocument?.Statement ?? r.Properties?.KeyPolicy?.Statement ?? [])
      .filter((s: Json) => s.Effect === 'Allow');
    expect(everyAllow.flatMap(actionsOf).filter((a: string) => a === '*' || a === 'ec2:*')).toEqual([]);
  });

  it('gives every function a role of its own: no managed policy, logs to its own log group only, X-Ray', () => {
    const { template } = synth(exampleConfig());
    const resources = template.toJSON().Resources;
    const roleIds = SUBSTITUTION_KEYS.map((key) => roleIdFor(template, key));
    expect(new Set(roleIds).size).toBe(SUBSTITUTION_KEYS.length);
    for (const key of SUBSTITUTION_KEYS) {
      const role = resources[roleIdFor(template, key)];
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
        { Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'lambda.amazonaws.com' } },
      ]);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role.Properties.Policies).toBeUndefined();
      expect(statementsOf(template, key).filter(isBaseline)).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: { 'Fn::GetAtt': [logGroupIdFor(template, key), 'Arn'] },
        },
        { Effect: 'Allow', Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], Resource: '*' },
      ]);
    }
    // No role anywhere in the stack carries an AWS managed policy.
    for (const role of Object.values(template.findResources('AWS::IAM::Role')) as Json[]) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it(`lets acquire-lease update and read the group-state table, use its key through DynamoDB only, and describe this \
state machine's executions`, () => {
    const { template } = synth(exampleConfig());
    const [tableId] = only(template, 'AWS::DynamoDB::Table');
    const keyId = template.toJSON().Resources[tableId].Properties.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0];
    const viaDynamoDb = {
      'kms:ViaService': { 'Fn::Join': ['', ['dynamodb.', { Ref: 'AWS::Region' }, '.', { Ref: 'AWS::URLSuffix' }]] },
    };
    // Through DynamoDB only, and for this table only: DynamoDB's encryption context is the table name and account.
    const keyUse = [
      {
        Effect: 'Allow',
        Action: 'kms:DescribeKey',
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: { StringEquals: viaDynamoDb },
      },
      {
        Effect: 'Allow',
        Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
        Condition: {
          StringEquals: {
            ...viaDynamoDb,
            'kms:EncryptionContext:aws:dynamodb:tableName': { Ref: tableId },
            'kms:EncryptionContext:aws:dynamodb:subscriberId': { Ref: 'AWS::AccountId' },
          },
        },
      },
    ];
    expect(statementsOf(template, 'AcquireLeaseFunctionArn').filter((s) => !isBaseline(s))).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
      ...keyUse,
      {
        Effect: 'Allow',
        Action: 'states:DescribeExecution',
        Resource: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':states:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':execution:Test-failover:*',
            ],
          ],
        },
      },
    ]);
    expect(statementsOf(template, 'ReleaseLeaseFunctionArn').filter((s) => !isBaseline(s))).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
      ...keyUse,
    ]);
    // No other function can touch the table, its key, or Step Functions.
    // resolve-targets reads and refreshes the member inventory, in the same item: the table and its key, nothing else.
    const resolveStatements = statementsOf(template, 'ResolveTargetsFunctionArn').filter((st) =>
      JSON.stringify(st).match(/dynamodb:|GroupStateKey/),
    );
    expect(resolveStatements).toEqual([
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      },
      ...keyUse,
    ]);
    // switch-items reads the inventory (GetItem) to vouch for interfaces EC2 no longer shows, and reads and writes
    // the write pacer's item only (dynamodb:LeadingKeys), with the table's key.
    const replaceStatements = statementsOf(template, 'SwitchItemsFunctionArn').filter((st) =>
      JSON.stringify(st).match(/dynamodb:|GroupStateKey/),
    );
    expect(replaceStatements).toHaveLength(keyUse.length + 2);
    expect(replaceStatements).toEqual(
      expect.arrayContaining([
        // Only the group items (the inventory), not the pacer items or anything else of the table.
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['onprem-edge'] } },
        },
        ...keyUse,
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['#pacer:ReplaceRoute'] } },
        },
      ]),
    );
    // PlanSwitch reads the group items only (the inventory the associations mode judges twins with): GetItem, no write.
    const listStatements = statementsOf(template, 'PlanSwitchFunctionArn');
    expect(listStatements).toEqual(
      expect.arrayContaining([
        {
          Effect: 'Allow',
          Action: 'dynamodb:GetItem',
          Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['onprem-edge'] } },
        },
        ...keyUse,
      ]),
    );
    expect(JSON.stringify(listStatements)).not.toMatch(/dynamodb:(UpdateItem|PutItem|DeleteItem|Query|Scan)|states:/);
    // FirstWrite writes with the routes kind of the one paced writer: its DynamoDB and EC2 write statements are
    // SwitchItems' (group items read, the ReplaceRoute pacer item, ReplaceRoute on the group's tables), no more.
    const writerStatements = (key: string) =>
      statementsOf(template, key).filter((st: Json) =>
        [st.Action].flat().some((a: string) => /^(dynamodb|kms|ec2):/.test(a)),
      );
    const switchStatements = writerStatements('SwitchItemsFunctionArn').map((st: Json) => JSON.stringify(st));
    expect(writerStatements('FirstWriteFunctionArn').length).toBeGreaterThan(0);
    for (const st of writerStatements('FirstWriteFunctionArn')) expect(switchStatements).toContain(JSON.stringify(st));
    for (const key of SUBSTITUTION_KEYS.filter(
      (k) => !/Lease|ResolveTargets|SwitchItems|PlanSwitch|FirstWrite/.test(k),
    )) {
      const text = JSON.stringify(statementsOf(template, key));
      expect(text).not.toMatch(/dynamodb:|states:/);
      expect(text).not.toContain(keyId);
      expect(text).not.toContain(tableId);
    }
  });

  it('grants Resource * only for actions that have no resource-level permissions', () => {
    // The service authorization reference lists no resource type for any of these.
    const noResourceLevel = new Set([
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords',
      'xray:GetSamplingRules',
      'xray:GetSamplingTargets',
      'ec2:DescribeInstances',
      'ec2:DescribeInstanceStatus',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeRouteTables',
      // Step Functions logging to CloudWatch Logs (vended log delivery).
      'logs:CreateLogDelivery',
      'logs:GetLogDelivery',
      'logs:UpdateLogDelivery',
      'logs:DeleteLogDelivery',
      'logs:ListLogDeliveries',
      'logs:PutResourcePolicy',
      'logs:DescribeResourcePolicies',
      'logs:DescribeLogGroups',
    ]);
    // A function in a VPC (the probe): the actions of AWSLambdaVPCAccessExecutionRole, in its VpcAccess policy only.
    const vpcAccess = new Set([
      'ec2:CreateNetworkInterface',
      'ec2:DescribeNetworkInterfaces',
      'ec2:DescribeSubnets',
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    const withProbe = exampleConfig();
    withProbe.groups[0].probe = { subnetIds: ['subnet-0123456789abcdef0'] };
    withProbe.groups[0].members.forEach((m, i) => {
      m.probeAddress = `10.0.${i}.10`;
    });
    for (const config of [exampleConfig(), withProbe]) {
      const { template } = synth(config);
      const onAnyResource = Object.entries(template.findResources('AWS::IAM::Policy')).flatMap(
        ([id, p]: [string, Json]) =>
          p.Properties.PolicyDocument.Statement.filter(
            (s: Json) => s.Effect === 'Allow' && [s.Resource].flat().includes('*'),
          ).flatMap((s: Json) => actionsOf(s).map((action) => ({ id, action }))),
      );
      expect(onAnyResource.length).toBeGreaterThan(0);
      expect(
        onAnyResource.filter(
          ({ id, action }) => !noResourceLevel.has(action) && !(/VpcAccess/.test(id) && vpcAccess.has(action)),
        ),
      ).toEqual([]);
    }
  });

  it('lets no function delete or create routes', () => {
    const { template } = synth(exampleConfig());
    const actions = JSON.stringify(template.toJSON()).match(/"ec2:[A-Za-z*]*Route[A-Za-z*]*"/g) ?? [];
    expect([...new Set(actions)].sort()).toEqual(['"ec2:DescribeRouteTables"', '"ec2:ReplaceRoute"']);
  });
});

describe('FailoverStack triggers', () => {
  const twoGroups = () => {
    const raw = exampleConfig();
    raw.groups.push({
      name: 'dmz',
      vpcId: 'vpc-0fedcba9876543210',
      members: [
        { name: 'fw-a', instanceId: 'i-0a1b2c3d4e5f60003' },
        { name: 'fw-b', instanceId: 'i-0a1b2c3d4e5f60004' },
        { name: 'fw-c', instanceId: 'i-0a1b2c3d4e5f60005' },
      ],
      statusCheckAlarm: { enabled: true, evaluationPeriods: 3 },
    });
    return raw;
  };

  // The rules that start the workflow: the route guard's CloudTrail rule (aws.ec2 too) starts the guard,
  // tested in guard.test.ts.
  const rules = (template: Template, source: string): Json[] =>
    Object.values(
      template.findResources('AWS::Events::Rule', { Properties: { EventPattern: { source: [source] } } }),
    ).filter((r) => (r as Json).Properties.EventPattern['detail-type']?.[0] !== 'AWS API Call via CloudTrail');

  it('starts on EC2 failure states of member instances only, one rule per group', () => {
    const { template } = synth(twoGroups());
    const ec2Rules = rules(template, 'aws.ec2');
    expect(ec2Rules).toHaveLength(2);
    expect(ec2Rules.map((r) => r.Properties.EventPattern)).toEqual(
      expect.arrayContaining([
        {
          source: ['aws.ec2'],
          'detail-type': ['EC2 Instance State-change Notification'],
          detail: {
            'instance-id': ['i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002'],
            state: ['stopping', 'stopped', 'shutting-down', 'terminated'],
          },
        },
        {
          source: ['aws.ec2'],
          'detail-type': ['EC2 Instance State-change Notification'],
          detail: {
            'instance-id': ['i-0a1b2c3d4e5f60003', 'i-0a1b2c3d4e5f60004', 'i-0a1b2c3d4e5f60005'],
            state: [...FAILURE_STATES],
          },
        },
      ]),
    );
    expect(FAILURE_STATES).not.toContain('running');
    expect(FAILURE_STATES).not.toContain('pending');
  });

  it('creates a status-check alarm per member with the configured evaluation periods', () => {
    const { template } = synth(twoGroups());
    const alarms = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: 'StatusCheckFailed' },
    });
    expect(Object.keys(alarms)).toHaveLength(5);
    const expectAlarm = (group: string, member: string, instanceId: string, periods: number) =>
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `Test-${group}-${member}-status-check`,
        Namespace: 'AWS/EC2',
        MetricName: 'StatusCheckFailed',
        Dimensions: [{ Name: 'InstanceId', Value: instanceId }],
        Statistic: 'Maximum',
        Period: 60,
        EvaluationPeriods: periods,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        TreatMissingData: 'breaching', // an AZ outage silences the metric: that must not read as healthy
        AlarmActions: Match.absent(),
      });
    expectAlarm('onprem-edge', 'router-a', 'i-0a1b2c3d4e5f60001', 2);
    expectAlarm('onprem-edge', 'router-b', 'i-0a1b2c3d4e5f60002', 2);
    expectAlarm('dmz', 'fw-a', 'i-0a1b2c3d4e5f60003', 3);
    expectAlarm('dmz', 'fw-c', 'i-0a1b2c3d4e5f60005', 3);
  });

  it("starts on a group's status-check alarms entering ALARM, matched by alarm ARN", () => {
    const { template } = synth(twoGroups());
    const alarmIds = (group: string) =>
      Object.entries(template.findResources('AWS::CloudWatch::Alarm'))
        .filter(([, a]: [string, Json]) =>
          new RegExp(`^Test-${group}-.+-status-check$`).test(String(a.Properties.AlarmName)),
        )
        .map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    const alarmRules = rules(template, 'aws.cloudwatch').map((r) => r.Properties.EventPattern);
    expect(alarmRules).toHaveLength(2);
    for (const group of ['onprem-edge', 'dmz']) {
      expect(alarmRules).toContainEqual({
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        resources: alarmIds(group),
        detail: { state: { value: ['ALARM'] } },
      });
    }
  });

  it('creates no alarm or alarm rule for a group with the status-check alarm disabled', () => {
    const raw = exampleConfig();
    raw.groups[0].statusCheckAlarm = { enabled: false };
    const { template } = synth(raw);
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { MetricName: 'StatusCheckFailed' }, 0);
    expect(rules(template, 'aws.cloudwatch')).toHaveLength(0);
    expect(rules(template, 'aws.ec2')).toHaveLength(1);
  });

  it('targets the state machine with the whole event, a role, retries and an encrypted TLS-only DLQ', () => {
    const { template } = synth(exampleConfig());
    const [smId] = only(template, 'AWS::StepFunctions::StateMachine');
    const [queueId] = only(template, 'AWS::SQS::Queue');
    const all = [...rules(template, 'aws.ec2'), ...rules(template, 'aws.cloudwatch')];
    expect(all).toHaveLength(2);
    for (const rule of all) {
      expect(rule.Properties.Targets).toEqual([
        {
          Id: 'Target0',
          Arn: { Ref: smId },
          RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^TriggerRole/), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
        },
      ]);
    }
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'states:StartExecution', Resource: { Ref: smId } }] },
      Roles: [{ Ref: Match.stringLikeRegexp('^TriggerRole') }],
    });
  });

  it('alarms to the topic when a trigger lands in the DLQ', () => {
    const { template } = synth(exampleConfig());
    const [topicId] = only(template, 'AWS::SNS::Topic');
    const [queueId] = only(template, 'AWS::SQS::Queue');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      AlarmActions: [{ Ref: topicId }],
    });
  });
});

describe('FailoverStack group state', () => {
  it('keeps leases and switch history in an on-demand table keyed by group, with PITR, TTL, retained', () => {
    const { template } = synth(exampleConfig());
    const [, table] = only(template, 'AWS::DynamoDB::Table');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'group', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'group', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    // No TTL: it would delete the switch history along with an abandoned lease.
    expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
    expect(table.Properties.GlobalSecondaryIndexes).toBeUndefined();
    expect(table.Properties.LocalSecondaryIndexes).toBeUndefined();
  });

  it('encrypts the table with a rotating customer-managed key of its own, not the topic key', () => {
    const { template } = synth(exampleConfig());
    const [, table] = only(template, 'AWS::DynamoDB::Table');
    expect(table.Properties.SSESpecification).toEqual({
      SSEEnabled: true,
      SSEType: 'KMS',
      KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^GroupStateKey/), 'Arn'] },
    });
    const keyId = table.Properties.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0];
    expect(keyId).not.toBe(topicKeyId(template));
    expect(template.toJSON().Resources[keyId]).toMatchObject({
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
    // Only the account (IAM) administers and uses it: no service principal in its key policy, unlike the topic key.
    const principals = template
      .toJSON()
      .Resources[keyId].Properties.KeyPolicy.Statement.map((st: Json) => st.Principal);
    expect(JSON.stringify(principals)).not.toContain('Service');
  });
});

describe('FailoverStack notifications and outputs', () => {
  it('encrypts the topic with a rotating customer-managed key and refuses plain-HTTP publishes', () => {
    const { template } = synth(exampleConfig());
    const keyId = topicKeyId(template);
    expect(template.toJSON().Resources[keyId]).toMatchObject({
      Type: 'AWS::KMS::Key',
      Properties: { EnableKeyRotation: true },
      DeletionPolicy: 'Retain',
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('subscribes the configured emails, and none when the list is empty', () => {
    const raw = exampleConfig();
    raw.notifications = { emails: ['noc@example.com', 'netops@example.com'] };
    const { template } = synth(raw);
    template.resourceCountIs('AWS::SNS::Subscription', 2);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'noc@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'netops@example.com' });

    synth(exampleConfig()).template.resourceCountIs('AWS::SNS::Subscription', 0);
  });

  it('outputs the state machine ARN, topic ARN and region', () => {
    const { template } = synth(exampleConfig());
    const [smId] = only(template, 'AWS::StepFunctions::StateMachine');
    const [topicId] = only(template, 'AWS::SNS::Topic');
    template.hasOutput('StateMachineArn', { Value: { Ref: smId } });
    template.hasOutput('TopicArn', { Value: { Ref: topicId } });
    template.hasOutput('Region', { Value: { Ref: 'AWS::Region' } });
  });

  it('outputs the group-state table name (the CLI reads it for hold, unhold and status)', () => {
    const { template } = synth(exampleConfig());
    const [tableId] = only(template, 'AWS::DynamoDB::Table');
    template.hasOutput('GroupStateTable', { Value: { Ref: tableId } });
  });
});

describe('FailoverStack automatic failback rule', () => {
  const synthWith = (autoFailback: boolean) => {
    const { App, Stack } = require('aws-cdk-lib');
    void App;
    void Stack;
    return autoFailback;
  };
  it.each([true, false])('with autoFailback %s: a running-state rule for the preferred member only when on', (on) => {
    synthWith(on);
    const { Template } = require('aws-cdk-lib/assertions');
    const { App } = require('aws-cdk-lib');
    const { FailoverStack } = require('../../infra/failover-stack');
    const { parseConfig } = require('../../functions/contract/config');
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const group = {
      name: 'edge',
      vpcId: 'vpc-0123456789abcdef0',
      members: [
        { name: 'router-a', instanceId: 'i-0a1b2c3d4e5f60001' },
        { name: 'router-b', instanceId: 'i-0a1b2c3d4e5f60002' },
      ],
      preferred: 'router-a',
      ...(on ? { autoFailback: { holdDownSeconds: 120 } } : {}),
    };
    const stack = new FailoverStack(app, 'T', { config: parseConfig({ groups: [group] }) });
    const rules = Template.fromStack(stack).findResources('AWS::Events::Rule');
    const running = Object.values(rules as Record<string, any>).filter((r) =>
      JSON.stringify(r.Properties.EventPattern ?? {}).includes('"running"'),
    );
    if (!on) {
      expect(running).toHaveLength(0);
      return;
    }
    expect(running).toHaveLength(1);
    expect(running[0].Properties.EventPattern.detail).toEqual({
      'instance-id': ['i-0a1b2c3d4e5f60001'],
      state: ['running'],
    });
  });
});

describe('FailoverStack member inventory refresh', () => {
  it(`runs the refresh function on the configured schedule (default \
every 5 minutes) with the table, the groups and no e-mail addresses`, () => {
    const raw = exampleConfig();
    const { template } = synth({
      ...raw,
      notifications: { emails: ['netops@example.com'] },
      inventory: { refreshMinutes: 2 },
    });
    const fns = template.findResources('AWS::Lambda::Function', {
      Properties: { Description: Match.stringLikeRegexp('interface map') },
    });
    const [fnId, fn] = Object.entries(fns as Record<string, any>)[0];
    expect(Object.keys(fns)).toHaveLength(1);
    expect(fn.Properties.Environment.Variables.GROUP_STATE_TABLE).toEqual({
      Ref: only(template, 'AWS::DynamoDB::Table')[0],
    });
    expect(fn.Properties.Environment.Variables.FAILOVER_CONFIG).not.toContain('netops@example.com');
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(2 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [fnId, 'Arn'] } })],
    });
    const defaults = synth(exampleConfig()).template;
    defaults.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('no function but notify and the subscriptions sees the e-mail addresses', () => {
    const { template } = synth({ ...exampleConfig(), notifications: { emails: ['netops@example.com'] } });
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as any[]) {
      expect(JSON.stringify(fn.Properties.Environment ?? {})).not.toContain('netops@example.com');
    }
  });
});
