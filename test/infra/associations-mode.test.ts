import type { Template } from 'aws-cdk-lib/assertions';
import type { FailoverConfigInput } from '../../functions/contract/config';
import { parseConfig } from '../../functions/contract/config';
import { ASSOCIATION_PACER_ITEM_KEY, PACER_ITEM_KEY } from '../../functions/aws/dynamodb-pacer';
import { planReservedConcurrency } from '../../infra/concurrency';
import { TWIN_RECONCILE_EVENT_NAMES, TWIN_SCHEDULE_SOURCE } from '../../infra/constructs/twin-reconcile';
import { exampleConfig, synth } from './synth';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

/** The example group in the associations mode, and a second group (tag scope) left in the routes mode. */
const mixed = (): FailoverConfigInput => {
  const raw = exampleConfig();
  raw.groups[0].switchMode = 'associations';
  raw.groups.push({
    name: 'dmz',
    vpcId: 'vpc-0fedcba9876543210',
    members: [
      { name: 'fw-a', instanceId: 'i-0a1b2c3d4e5f60003' },
      { name: 'fw-b', instanceId: 'i-0a1b2c3d4e5f60004' },
    ],
    routeTables: { tag: { key: 'failover-group', value: 'dmz' } },
  });
  return raw;
};

const resources = (template: Template, type: string): [string, Json][] => Object.entries(template.findResources(type));
/** Logical ID of the function the state machine substitutes for `task`. */
const functionId = (template: Template, task: string): string => {
  const [, sm] = resources(template, 'AWS::StepFunctions::StateMachine')[0];
  return sm.Properties.DefinitionSubstitutions[`${task}FunctionArn`]['Fn::GetAtt'][0];
};
const roleOf = (template: Template, fnId: string): string =>
  template.toJSON().Resources[fnId].Properties.Role['Fn::GetAtt'][0];
/** Every statement of every policy attached to `roleId`. */
const statementsOf = (template: Template, roleId: string): Json[] =>
  resources(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: Json) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
const withAction = (statements: Json[], action: string): Json[] =>
  statements.filter((s) => [s.Action].flat().includes(action));
/** The resource type of an ARN built by formatArn (the last literal part, e.g. ':route-table/*'). */
const resourcePart = (arn: Json): string => (typeof arn === 'string' ? arn : String(arn['Fn::Join'][1].at(-1)));
const vpcOf = (condition: Json): string[] => [condition.ArnEquals['ec2:Vpc']].flat().map(resourcePart);
const reconcileFunctionId = (template: Template): string => {
  const found = resources(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('TwinReconcileFunction'));
  expect(found).toHaveLength(1);
  return found[0][0];
};

describe('associations mode: SwitchItems', () => {
  it('is a function of its own, substituted for ${SwitchItemsFunctionArn}, that the state machine may invoke', () => {
    const { template } = synth(mixed());
    const id = functionId(template, 'SwitchItems');
    expect(template.toJSON().Resources[id].Properties.Environment.Variables).toMatchObject({
      FAILOVER_CONFIG: expect.any(String),
      GROUP_STATE_TABLE: expect.anything(),
    });
    const [, sm] = resources(template, 'AWS::StepFunctions::StateMachine')[0];
    const smRole = sm.Properties.RoleArn['Fn::GetAtt'][0];
    const invoke = withAction(statementsOf(template, smRole), 'lambda:InvokeFunction');
    expect(invoke.flatMap((s) => s.Resource)).toContainEqual({ 'Fn::GetAtt': [id, 'Arn'] });
  });

  it('moves associations only to twins of its group or tables of its scope, in its VPC; subnets of that VPC', () => {
    const { template } = synth(mixed());
    const statements = withAction(
      statementsOf(template, roleOf(template, functionId(template, 'SwitchItems'))),
      'ec2:ReplaceRouteTableAssociation',
    );
    // The one write function also holds ReplaceRoute: IAM merges it into a statement only where the resources and
    // conditions are the same (the twins and the scope's tables), never onto subnets or gateways.
    for (const s of statements) {
      const actions = [s.Action].flat();
      expect(actions.filter((a: string) => a !== 'ec2:ReplaceRoute')).toEqual(['ec2:ReplaceRouteTableAssociation']);
      if (actions.includes('ec2:ReplaceRoute'))
        for (const r of [s.Resource].flat()) expect(resourcePart(r)).toMatch(/:route-table\/\*$/);
    }
    const byType = (type: string) =>
      statements.filter((s) => [s.Resource].flat().some((r: Json) => resourcePart(r).endsWith(`:${type}/*`)));
    // Route tables: the group's scope (its whole VPC here) and its twins, each with ec2:Vpc; none
    // of the routes-mode group.
    const tables = byType('route-table');
    expect(tables).toHaveLength(2);
    for (const s of tables) expect(vpcOf(s.Condition)).toEqual([':vpc/vpc-0123456789abcdef0']);
    expect(tables.map((s) => s.Condition.StringEquals ?? null)).toContainEqual({
      'aws:ResourceTag/route-failover:twin-group': 'onprem-edge',
    });
    expect(JSON.stringify(statements)).not.toContain('vpc-0fedcba9876543210');
    expect(vpcOf(byType('subnet')[0].Condition)).toEqual([':vpc/vpc-0123456789abcdef0']);
    expect(byType('internet-gateway')).toHaveLength(1);
    expect(statements).toHaveLength(4);
  });

  it(`reads the group items and its pacer items only, one per \
EC2 action (dynamodb:LeadingKeys), never writes a lease`, () => {
    const { template } = synth(mixed());
    const ddb = statementsOf(template, roleOf(template, functionId(template, 'SwitchItems'))).filter((s) =>
      [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')),
    );
    expect(
      ddb.map((s) => ({ Action: s.Action, keys: s.Condition['ForAllValues:StringEquals']['dynamodb:LeadingKeys'] })),
    ).toEqual([
      { Action: 'dynamodb:GetItem', keys: ['onprem-edge', 'dmz'] },
      { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], keys: [PACER_ITEM_KEY] },
      { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], keys: [ASSOCIATION_PACER_ITEM_KEY] },
    ]);
  });

  it(`reserves one figure for the one write function: every group's \
maxConcurrency (one Map runs the batches of every kind)`, () => {
    const raw = mixed();
    raw.groups[0].maxConcurrency = 7;
    raw.reservedConcurrency = { accountConcurrency: 1000 };
    const { template } = synth(raw);
    expect(
      template.toJSON().Resources[functionId(template, 'SwitchItems')].Properties.ReservedConcurrentExecutions,
    ).toBe(7 + 10 + 2);
    expect(planReservedConcurrency(parseConfig(raw))).toMatchObject({ switchItems: 7 + 10 + 2, twinReconcile: 1 });
  });

  it('has Errors and Throttles alarms that notify the topic and say OK again', () => {
    const { template } = synth(mixed());
    for (const name of [
      'Test-SwitchItems-errors',
      'Test-SwitchItems-throttles',
      'Test-TwinReconcile-errors',
      'Test-TwinReconcile-throttles',
    ]) {
      const found = resources(template, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.AlarmName === name);
      expect({ name, n: found.length }).toEqual({ name, n: 1 });
      expect(found[0][1].Properties.OKActions).toEqual(found[0][1].Properties.AlarmActions);
      expect(found[0][1].Properties.AlarmActions).toHaveLength(1);
    }
  });
});

describe('associations mode: SwitchItems may write twins', () => {
  it(`adds ReplaceRoute on route tables tagged with the group's name, in its VPC, for every group (a group set back to \
the routes mode still switches twins in use)`, () => {
    const { template } = synth(mixed());
    const statements = withAction(
      statementsOf(template, roleOf(template, functionId(template, 'SwitchItems'))),
      'ec2:ReplaceRoute',
    );
    const twins = statements.filter(
      (s) => s.Condition.StringEquals?.['aws:ResourceTag/route-failover:twin-group'] !== undefined,
    );
    expect(
      twins.map((t) => [t.Condition.StringEquals['aws:ResourceTag/route-failover:twin-group'], vpcOf(t.Condition)]),
    ).toEqual([
      ['onprem-edge', [':vpc/vpc-0123456789abcdef0']],
      ['dmz', [':vpc/vpc-0fedcba9876543210']],
    ]);
    // The scopes are still there: one statement per group.
    expect(statements).toHaveLength(4);
  });

  it('reads only the group items for the inventory (no unconditioned GetItem on the table)', () => {
    const { template } = synth(exampleConfig());
    const ddb = statementsOf(template, roleOf(template, functionId(template, 'SwitchItems'))).filter((s) =>
      [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')),
    );
    expect(ddb.map((s) => s.Condition['ForAllValues:StringEquals']['dynamodb:LeadingKeys'])).toEqual([
      ['onprem-edge'],
      [PACER_ITEM_KEY],
    ]);
  });
});

describe('associations mode: the twin reconcile', () => {
  it('runs on the configured schedule and after route-table API calls CloudTrail reports', () => {
    const raw = mixed();
    raw.twins = { reconcileMinutes: 30 };
    const { template } = synth(raw);
    const fnId = reconcileFunctionId(template);
    const rules = resources(template, 'AWS::Events::Rule').filter(([, r]) =>
      r.Properties.Targets.some((t: Json) => t.Arn['Fn::GetAtt']?.[0] === fnId),
    );
    const schedule = rules.find(([, r]) => r.Properties.ScheduleExpression)![1].Properties;
    expect(schedule.ScheduleExpression).toBe('rate(30 minutes)');
    expect(JSON.parse(schedule.Targets[0].Input)).toEqual({ source: TWIN_SCHEDULE_SOURCE });
    const cloudTrail = rules.find(([, r]) => r.Properties.EventPattern)![1].Properties;
    expect(cloudTrail.EventPattern).toEqual({
      source: ['aws.ec2'],
      'detail-type': ['AWS API Call via CloudTrail'],
      detail: {
        eventSource: ['ec2.amazonaws.com'],
        eventName: [...TWIN_RECONCILE_EVENT_NAMES],
        errorCode: [{ exists: false }],
      },
    });
    expect([...TWIN_RECONCILE_EVENT_NAMES].sort()).toEqual(
      [
        'CreateRoute',
        'ReplaceRoute',
        'DeleteRoute',
        'EnableVgwRoutePropagation',
        'DisableVgwRoutePropagation',
        'CreateRouteTable',
        'DeleteRouteTable',
        'AssociateRouteTable',
        'ReplaceRouteTableAssociation',
        'DisassociateRouteTable',
      ].sort(),
    );
    expect(rules).toHaveLength(2);
  });

  it('defaults to a reconcile every 15 minutes, and refuses a schedule outside 1..1440 minutes', () => {
    expect(parseConfig(mixed()).twins).toEqual({ reconcileMinutes: 15 });
    for (const bad of [0, 1441, 2.5])
      expect(() => parseConfig({ ...mixed(), twins: { reconcileMinutes: bad } })).toThrow(/twins\.reconcileMinutes/);
  });

  it('reserves one concurrent execution, so two reconciles never run at once', () => {
    const { template } = synth(mixed());
    const fn = template.toJSON().Resources[reconcileFunctionId(template)].Properties;
    expect(fn.ReservedConcurrentExecutions).toBe(1);
    expect(fn.Environment.Variables).toMatchObject({
      FAILOVER_CONFIG: expect.any(String),
      GROUP_STATE_TABLE: expect.anything(),
    });
  });

  it('writes routes only on twins of its groups: route-failover:twin-group tag and VPC on every route write', () => {
    const { template } = synth(mixed());
    const statements = statementsOf(template, roleOf(template, reconcileFunctionId(template)));
    for (const action of [
      'ec2:CreateRoute',
      'ec2:ReplaceRoute',
      'ec2:DeleteRoute',
      'ec2:EnableVgwRoutePropagation',
      'ec2:DisableVgwRoutePropagation',
    ]) {
      const tables = withAction(statements, action).filter((s) =>
        [s.Resource].flat().some((r: Json) => resourcePart(r).endsWith(':route-table/*')),
      );
      expect({ action, n: tables.length }).toEqual({ action, n: 1 });
      expect(tables[0].Condition.StringEquals).toEqual({ 'aws:ResourceTag/route-failover:twin-group': 'onprem-edge' });
      expect(vpcOf(tables[0].Condition)).toEqual([':vpc/vpc-0123456789abcdef0']);
    }
    // Nothing else may change routes or tables of the account.
    const ec2Writes = statements
      .flatMap((s) => [s.Action].flat())
      .filter((a: string) => a.startsWith('ec2:') && !a.startsWith('ec2:Describe'));
    expect([...new Set(ec2Writes)].sort()).toEqual(
      [
        'ec2:CreateRoute',
        'ec2:CreateRouteTable',
        'ec2:CreateTags',
        'ec2:DeleteRoute',
        'ec2:DisableVgwRoutePropagation',
        'ec2:EnableVgwRoutePropagation',
        'ec2:ReplaceRoute',
      ].sort(),
    );
    expect(withAction(statements, 'ec2:DeleteRouteTable')).toEqual([]);
  });

  it('creates route tables only in the groups’ VPCs with the group tag, and tags only at creation', () => {
    const { template } = synth(mixed());
    const statements = statementsOf(template, roleOf(template, reconcileFunctionId(template)));
    const create = withAction(statements, 'ec2:CreateRouteTable');
    expect(create).toHaveLength(2);
    const onVpc = create.find((s) => !s.Condition)!;
    expect([onVpc.Resource].flat().map(resourcePart)).toEqual([':vpc/vpc-0123456789abcdef0']);
    const onTable = create.find((s) => s.Condition)!;
    expect(onTable.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/route-failover:twin-group': ['onprem-edge'] },
    });
    const tags = withAction(statements, 'ec2:CreateTags');
    expect(tags).toHaveLength(1);
    expect(tags[0].Condition).toEqual({
      StringEquals: {
        'ec2:CreateAction': 'CreateRouteTable',
        'aws:RequestTag/route-failover:twin-group': ['onprem-edge'],
      },
    });
    expect(resourcePart(tags[0].Resource)).toBe(':route-table/*');
  });

  it('reads the inventory of its groups and draws ReplaceRoute from the shared pacer item', () => {
    const { template } = synth(mixed());
    const ddb = statementsOf(template, roleOf(template, reconcileFunctionId(template))).filter((s) =>
      [s.Action].flat().some((a: string) => a.startsWith('dynamodb:')),
    );
    expect(
      ddb.map((s) => ({ Action: s.Action, keys: s.Condition['ForAllValues:StringEquals']['dynamodb:LeadingKeys'] })),
    ).toEqual([
      { Action: 'dynamodb:GetItem', keys: ['onprem-edge'] },
      { Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], keys: [PACER_ITEM_KEY] },
    ]);
  });
});

describe('a stack without associations-mode groups', () => {
  it(`has no twin reconcile, no ReplaceRouteTableAssociation, \
no twin write but ReplaceRoute, and no association pacer`, () => {
    const { template } = synth(exampleConfig());
    const all = JSON.stringify(template.toJSON());
    expect(resources(template, 'AWS::Lambda::Function').filter(([id]) => id.startsWith('TwinReconcile'))).toEqual([]);
    expect(all).not.toContain('ec2:ReplaceRouteTableAssociation');
    // The only twin permission: ReplaceRoute, for twins a routes-mode group may still have subnets on (ReplaceRoutes
    // and FirstWrite, which writes with the same writer).
    const twinStatements = Object.values(template.toJSON().Resources)
      .filter((r: any) => r.Type === 'AWS::IAM::Policy')
      .flatMap((r: any) => r.Properties.PolicyDocument.Statement)
      .filter((st: any) => JSON.stringify(st).includes('route-failover:twin-group'));
    expect(twinStatements.map((st: any) => st.Action)).toEqual(['ec2:ReplaceRoute', 'ec2:ReplaceRoute']);
    // The one CloudTrail rule is the route guard's (every stack has it); none starts a twin reconcile.
    const cloudTrailRules = resources(template, 'AWS::Events::Rule').filter(([, r]) =>
      JSON.stringify(r.Properties.EventPattern ?? {}).includes('AWS API Call via CloudTrail'),
    );
    expect(cloudTrailRules.map(([id]) => id)).toEqual([expect.stringMatching(/^GuardRouteChanges/)]);
    expect(all).not.toContain('TwinReconcile');
    // The one write function writes routes only, and draws from the ReplaceRoute pacer only.
    const id = functionId(template, 'SwitchItems');
    expect(template.toJSON().Resources[id].Properties.ReservedConcurrentExecutions).toBeUndefined();
    const statements = statementsOf(template, roleOf(template, id));
    const writes = statements
      .flatMap((s) => [s.Action].flat())
      .filter((a: string) => a.startsWith('ec2:') && !a.startsWith('ec2:Describe'));
    expect([...new Set(writes)]).toEqual(['ec2:ReplaceRoute']);
    expect(JSON.stringify(statements)).not.toContain(ASSOCIATION_PACER_ITEM_KEY);
    expect(
      planReservedConcurrency(parseConfig({ ...exampleConfig(), reservedConcurrency: { accountConcurrency: 1000 } })),
    ).toMatchObject({
      twinReconcile: 0,
      guard: 1,
      total: 49,
    });
  });
});
