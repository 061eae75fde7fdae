import type { Template } from 'aws-cdk-lib/assertions';
import { DEAD_LETTER_REMINDER_SECONDS } from '../../infra/constructs/failover-alarms';
import { exampleConfig, synth } from './synth';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- CloudFormation JSON

const TASKS = ['AcquireLease', 'ResolveTargets', 'PlanSwitch', 'SwitchItems', 'VerifySwitch', 'Notify', 'ReleaseLease'];

const resources = (template: Template, type: string): [string, Json][] => Object.entries(template.findResources(type));
const one = (template: Template, type: string): string => {
  const found = resources(template, type);
  expect(found).toHaveLength(1);
  return found[0][0];
};
const alarmNamed = (template: Template, name: string): Json => {
  const found = resources(template, 'AWS::CloudWatch::Alarm').filter(([, a]) => a.Properties.AlarmName === name);
  expect(found.map(([id]) => id)).toHaveLength(1);
  return found[0][1].Properties;
};
/** Logical ID of the Task function the state machine substitutes for `task`. */
const functionId = (template: Template, task: string): string => {
  const [, sm] = resources(template, 'AWS::StepFunctions::StateMachine')[0];
  return sm.Properties.DefinitionSubstitutions[`${task}FunctionArn`]['Fn::GetAtt'][0];
};
/** The alarm names a policy statement lets CloudWatch publish for (its aws:SourceArn list). */
const publishingAlarms = (statements: Json[]): string[] =>
  statements
    .filter((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com')
    .flatMap((s) => [s.Condition.ArnEquals['aws:SourceArn']].flat())
    .map((arn: Json) => String(arn['Fn::Join'][1].at(-1)).replace(/^:alarm:/, ''));

describe('FailoverStack alarms', () => {
  it("alarm on the state machine's failed, timed-out and throttled executions, to the topic and back to OK", () => {
    const { template } = synth(exampleConfig());
    const topic = { Ref: one(template, 'AWS::SNS::Topic') };
    const sm = { Ref: one(template, 'AWS::StepFunctions::StateMachine') };
    for (const [name, metric] of [
      ['Test-executions-failed', 'ExecutionsFailed'],
      ['Test-executions-timed-out', 'ExecutionsTimedOut'],
      ['Test-executions-throttled', 'ExecutionThrottled'],
    ]) {
      expect(alarmNamed(template, name)).toMatchObject({
        Namespace: 'AWS/States',
        MetricName: metric,
        Dimensions: [{ Name: 'StateMachineArn', Value: sm }],
        Statistic: 'Sum',
        Period: 60,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
    }
  });

  it("alarm on each Task function's errors and throttles", () => {
    const { template } = synth(exampleConfig());
    const topic = { Ref: one(template, 'AWS::SNS::Topic') };
    for (const task of TASKS) {
      const fn = { Ref: functionId(template, task) };
      expect(alarmNamed(template, `Test-${task}-errors`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
      expect(alarmNamed(template, `Test-${task}-throttles`)).toMatchObject({
        Namespace: 'AWS/Lambda',
        MetricName: 'Throttles',
        Dimensions: [{ Name: 'FunctionName', Value: fn }],
        Period: 60,
        Threshold: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [topic],
        OKActions: [topic],
      });
    }
  });

  it(`alarm on the first error of any function (AcquireLease waits \
for a busy lease without failing), the inventory refresh included`, () => {
    const { template } = synth(exampleConfig());
    for (const task of [...TASKS, 'InventoryRefresh']) {
      const alarm = alarmNamed(template, `Test-${task}-errors`);
      expect([alarm.EvaluationPeriods, alarm.DatapointsToAlarm]).toEqual([1, undefined]);
    }
  });

  it(`alarm on a trigger dead letter at once and again after \
an hour, keeping the state while SQS publishes nothing`, () => {
    const { template } = synth(exampleConfig());
    const topic = { Ref: one(template, 'AWS::SNS::Topic') };
    const queue = { 'Fn::GetAtt': [one(template, 'AWS::SQS::Queue'), 'QueueName'] };
    expect(alarmNamed(template, 'Test-trigger-dead-letters')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: queue }],
      Statistic: 'Maximum',
      Period: 60,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'ignore',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    expect(DEAD_LETTER_REMINDER_SECONDS).toBe(3600); // the trigger's maxEventAge
    expect(alarmNamed(template, 'Test-trigger-dead-letters-unhandled')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: queue }],
      Statistic: 'Maximum',
      Threshold: 3600,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'ignore',
      AlarmActions: [topic],
      OKActions: [topic],
    });
    // Same construct ID as before, so an update keeps the alarm instead of replacing it under a taken name.
    expect(
      resources(template, 'AWS::CloudWatch::Alarm').some(([id]) => /^TriggerDeadLetterAlarm[0-9A-F]{8}$/.test(id)),
    ).toBe(true);
  });

  it('let CloudWatch publish exactly the alarms that notify, through the topic policy and the key policy', () => {
    const withProbe = exampleConfig();
    withProbe.groups[0].probe = { subnetIds: ['subnet-0123456789abcdef0'] };
    withProbe.groups[0].members.forEach((m, i) => {
      m.probeAddress = `10.0.${i}.10`;
    });
    const { template } = synth(withProbe);
    const notifying = resources(template, 'AWS::CloudWatch::Alarm')
      .filter(([, a]) => a.Properties.AlarmActions)
      .map(([, a]) => a.Properties.AlarmName as string)
      .sort();
    // 3 state machine + 10 × 2 functions (8 Tasks, the inventory refresh, the route guard) + 2 dead letters + 2 probe
    // alarms (one location: silent, all members down) + the guard's findings alarm of the group; the status-check
    // alarms start the workflow instead.
    expect(notifying).toHaveLength(28);
    for (const [, a] of resources(template, 'AWS::CloudWatch::Alarm').filter(([, x]) => x.Properties.AlarmActions)) {
      expect(a.Properties.OKActions).toEqual(a.Properties.AlarmActions);
    }
    const [, topicPolicy] = resources(template, 'AWS::SNS::TopicPolicy')[0];
    expect(publishingAlarms(topicPolicy.Properties.PolicyDocument.Statement).sort()).toEqual(notifying);
    const keyId =
      template.toJSON().Resources[one(template, 'AWS::SNS::Topic')].Properties.KmsMasterKeyId['Fn::GetAtt'][0];
    expect(publishingAlarms(template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement).sort()).toEqual(
      notifying,
    );
  });
});
