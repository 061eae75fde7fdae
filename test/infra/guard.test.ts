import { Match } from 'aws-cdk-lib/assertions';
import { GUARD_SCHEDULE_SOURCE, GUARD_TRIGGER_EVENTS } from '../../functions/guard/trigger';
import { exampleConfig, synth } from './synth';

/** The route guard in the stack: its function, schedule, CloudTrail rule, alarms and least-privilege role. */

const guardFunction = (template: ReturnType<typeof synth>['template']) => {
  const fns = template.findResources('AWS::Lambda::Function', {
    Properties: { Description: Match.stringLikeRegexp('route-table invariant between failovers') },
  });
  expect(Object.keys(fns)).toHaveLength(1);
  return {
    id: Object.keys(fns)[0],
    fn: Object.values(fns)[0] as {
      Properties: { Environment: { Variables: Record<string, unknown> }; Role: { 'Fn::GetAtt': string[] } };
    },
  };
};

/** Every IAM statement attached to the guard's role. */
const statementsOf = (template: ReturnType<typeof synth>['template'], roleId: string) =>
  Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify((p as { Properties: { Roles: unknown } }).Properties.Roles).includes(roleId))
    .flatMap(
      (p) =>
        (
          p as {
            Properties: {
              PolicyDocument: {
                Statement: Array<{ Action: string | string[]; Resource: unknown; Condition?: unknown }>;
              };
            };
          }
        ).Properties.PolicyDocument.Statement,
    );

const actionsOf = (statements: ReturnType<typeof statementsOf>) =>
  statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();

describe('route guard infra', () => {
  it(`runs every minute by default and after route, table and \
association API calls (cdk-nag clean: synth runs the checks)`, () => {
    const { template } = synth(exampleConfig());
    const { id } = guardFunction(template);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [id, 'Arn'] },
          Input: JSON.stringify({ source: GUARD_SCHEDULE_SOURCE }),
        }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.ec2'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ec2.amazonaws.com'],
          eventName: [...GUARD_TRIGGER_EVENTS],
          errorCode: [{ exists: false }],
        },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [id, 'Arn'] } })],
    });
    expect(GUARD_TRIGGER_EVENTS).toEqual(
      expect.arrayContaining([
        'CreateRoute',
        'ReplaceRoute',
        'CreateRouteTable',
        'AssociateRouteTable',
        'ReplaceRouteTableAssociation',
      ]),
    );
  });

  it('honours guard.intervalMinutes, and alarms on its findings (two passes) and on its own errors', () => {
    const { template } = synth({ ...exampleConfig(), guard: { intervalMinutes: 5 } });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'Test-guard-onprem-edge',
      Namespace: 'VpcRouteFailover/Guard',
      MetricName: 'GuardFindings',
      Dimensions: [{ Name: 'Group', Value: 'onprem-edge' }],
      Period: 300,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      Threshold: 1,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'Test-Guard-errors', MetricName: 'Errors' });
  });

  it(`reads EC2, its groups' items, publishes to the topic; \
no EC2 write and no StartExecution unless converge is on`, () => {
    const { template } = synth(exampleConfig());
    const { fn } = guardFunction(template);
    const statements = statementsOf(template, fn.Properties.Role['Fn::GetAtt'][0]);
    const actions = actionsOf(statements);
    expect(actions.filter((a) => a.startsWith('ec2:'))).toEqual([
      'ec2:DescribeInstanceStatus',
      'ec2:DescribeInstances',
      'ec2:DescribeRouteTables',
    ]);
    expect(actions).not.toContain('states:StartExecution');
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 'sns:Publish']));
    const read = statements.find((s) => s.Action === 'dynamodb:GetItem')!;
    expect(read.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['onprem-edge'] } });
    // It writes its own attribute of the group items, nothing else (not the lease, not the history).
    const write = statements.find((s) => s.Action === 'dynamodb:UpdateItem')!;
    expect(write.Condition).toEqual({
      'ForAllValues:StringEquals': {
        'dynamodb:LeadingKeys': ['onprem-edge'],
        'dynamodb:Attributes': ['group', 'guard'],
      },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] },
    });
    expect(fn.Properties.Environment.Variables).not.toHaveProperty('STATE_MACHINE_ARN');
    expect(JSON.parse(fn.Properties.Environment.Variables.FAILOVER_CONFIG as string)).toMatchObject({
      guard: { converge: false, intervalMinutes: 1 },
    });
  });

  it("shows each group's open findings on the dashboard", () => {
    const { template } = synth(exampleConfig());
    const [dashboard] = Object.values(template.findResources('AWS::CloudWatch::Dashboard')) as Array<{
      Properties: { DashboardBody: unknown };
    }>;
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    expect(body).toContain('onprem-edge: route guard findings');
    expect(body).toContain('\\"VpcRouteFailover/Guard\\",\\"GuardFindings\\",\\"Group\\",\\"onprem-edge\\"');
  });

  it('with guard.converge, may start the failover state machine only', () => {
    const { template } = synth({ ...exampleConfig(), guard: { converge: true } });
    const { fn } = guardFunction(template);
    const statements = statementsOf(template, fn.Properties.Role['Fn::GetAtt'][0]);
    const start = statements.filter((s) => JSON.stringify(s.Action).includes('states:StartExecution'));
    expect(start).toEqual([
      expect.objectContaining({
        Action: 'states:StartExecution',
        Resource: { Ref: expect.stringMatching(/^StateMachine/) },
      }),
    ]);
    expect(fn.Properties.Environment.Variables.STATE_MACHINE_ARN).toEqual({
      Ref: expect.stringMatching(/^StateMachine/),
    });
  });
});
