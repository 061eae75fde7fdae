import { MAX_EVENT_AGE_SECONDS } from '../functions/shared/trigger-time';
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { EventPattern, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FailoverConfig, Group } from '../functions/shared/config';
import { FAILURE_STATES } from '../functions/shared/triggers';
import { Probe } from './constructs/probe';
import { ruleName, statusCheckAlarmName } from './names';

export interface TriggerProps {
  readonly config: FailoverConfig;
  readonly stateMachine: IStateMachine;
  readonly deadLetterQueue: IQueue;
  readonly topic: ITopic;
  readonly topicKey: IKey;
  readonly topicName: string;
  /** The group-state table, where a group's probe locations meet. */
  readonly groupStateTable: ITable;
}

/** One EventBridge rule that starts the state machine. */
interface TriggerRule {
  readonly id: string;
  readonly name: string;
  readonly description: string;
  /** Built once the group's status-check alarms exist (their rule matches the alarm ARNs). */
  readonly pattern: (statusCheckAlarms: Alarm[]) => EventPattern;
}

/**
 * What starts the workflow, per group: EC2 state changes of its members, the preferred member running again
 * (automatic failback), its members' status-check alarms, and its health probe. The rules share one role,
 * which EventBridge may assume only for these rules of this account (aws:SourceArn lists their ARNs,
 * aws:SourceAccount is the stack's account): the confused-deputy guidance of EventBridge for rule targets.
 */
export const addTriggers = (stack: Stack, props: TriggerProps): void => {
  const { config } = props;
  const plans = config.groups.map((group) => ({ group, alarms: [] as Alarm[], rules: rulesOf(stack.stackName, group) }));
  const ruleArns = plans.flatMap((p) =>
    p.rules.map((r) => stack.formatArn({ service: 'events', resource: 'rule', resourceName: r.name })),
  );
  const role = new Role(stack, 'TriggerRole', {
    assumedBy: new ServicePrincipal('events.amazonaws.com', {
      conditions: { ArnEquals: { 'aws:SourceArn': ruleArns }, StringEquals: { 'aws:SourceAccount': stack.account } },
    }),
    description: 'Lets the failover EventBridge rules start the state machine',
  });
  const target = new SfnStateMachine(props.stateMachine, {
    // No input: the execution receives the whole event, which the workflow parses.
    role,
    retryAttempts: 8,
    // The same age resolve-targets uses to call an event stale (functions/shared/trigger-time.ts).
    maxEventAge: Duration.seconds(MAX_EVENT_AGE_SECONDS),
    deadLetterQueue: props.deadLetterQueue,
  });

  for (const plan of plans) {
    const { group } = plan;
    const scope = new Construct(stack, `Group-${group.name}`);
    // Fast detection (docs/detection.md): TCP probes from inside the VPC, from each of the group's probe subnets.
    if (group.probe?.enabled) {
      new Probe(scope, 'Probe', { group, stateMachine: props.stateMachine, stateTable: props.groupStateTable, topic: props.topic, topicKey: props.topicKey, topicName: props.topicName });
    }
    if (group.statusCheckAlarm.enabled) plan.alarms.push(...statusCheckAlarms(scope, stack.stackName, group));
    for (const rule of plan.rules) {
      new Rule(scope, rule.id, {
        ruleName: rule.name,
        description: rule.description,
        eventPattern: rule.pattern(plan.alarms),
        targets: [target],
      });
    }
  }
};

const rulesOf = (stackName: string, group: Group): TriggerRule[] => {
  const rules: TriggerRule[] = [
    {
      id: 'InstanceStateRule',
      name: ruleName(stackName, group.name, 'instance-state'),
      description: `vpc-route-failover: a router of group ${group.name} stops or terminates`,
      pattern: () => ({
        source: ['aws.ec2'],
        detailType: ['EC2 Instance State-change Notification'],
        detail: { 'instance-id': group.members.map((m) => m.instanceId), state: [...FAILURE_STATES] },
      }),
    },
  ];
  // Automatic failback (off by default): only the preferred member coming back to running starts it; the
  // workflow waits the hold-down and re-checks before moving anything.
  const preferred = group.members.find((m) => m.name === group.preferred);
  if (group.autoFailback && preferred) {
    rules.push({
      id: 'FailbackRule',
      name: ruleName(stackName, group.name, 'failback'),
      description: `vpc-route-failover: the preferred router of group ${group.name} is running again (automatic failback)`,
      pattern: () => ({
        source: ['aws.ec2'],
        detailType: ['EC2 Instance State-change Notification'],
        detail: { 'instance-id': [preferred.instanceId], state: ['running'] },
      }),
    });
  }
  // One rule per group rather than one for all: EventBridge limits an event pattern to 2,048 characters by
  // default, and alarm ARNs are long; a group has at most 8 members, so its rule always fits.
  if (group.statusCheckAlarm.enabled) {
    rules.push({
      id: 'StatusCheckAlarmRule',
      name: ruleName(stackName, group.name, 'status-check'),
      description: `vpc-route-failover: a status-check alarm of group ${group.name} goes to ALARM`,
      pattern: (alarms) => ({
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: alarms.map((a) => a.alarmArn),
        detail: { state: { value: ['ALARM'] } },
      }),
    });
  }
  return rules;
};

const statusCheckAlarms = (scope: Construct, stackName: string, group: Group): Alarm[] =>
  group.members.map(
    (member) =>
      new Alarm(scope, `StatusCheck-${member.name}`, {
        alarmName: statusCheckAlarmName(stackName, group.name, member.name),
        alarmDescription: `vpc-route-failover: status checks of ${member.name} (${member.instanceId}) in group ${group.name} fail`,
        metric: new Metric({
          namespace: 'AWS/EC2',
          metricName: 'StatusCheckFailed',
          dimensionsMap: { InstanceId: member.instanceId },
          statistic: 'Maximum',
          period: Duration.seconds(60),
        }),
        evaluationPeriods: group.statusCheckAlarm.evaluationPeriods,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        // Missing data is breaching: in an AZ outage the instance's status-check datapoints stop arriving and no
        // state-change event comes either, so a silence that counted as healthy would hide the failure. The cost: a
        // stopped member's alarm goes to ALARM too, starting an execution that finds its routes already moved by
        // the state-change rule (a no-op). ResolveTargets confirms an alarm in ALARM for missing data only while
        // CloudWatch still hears from a peer (docs/detection.md).
        treatMissingData: TreatMissingData.BREACHING,
      }),
  );
