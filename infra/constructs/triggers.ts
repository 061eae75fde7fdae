import { MAX_EVENT_AGE_SECONDS } from '../../functions/domain/trigger-time';
import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { type EventPattern, type IRuleTarget, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FailoverConfig, Group } from '../../functions/contract/config';
import { FAILURE_STATES } from '../../functions/contract/triggers';
import { groupsWithoutLogicalId } from '../logical-ids';
import { ruleName, statusCheckAlarmName } from '../names';
import { acknowledgeFinding } from '../nag';
import { Probe, type ProbeProps } from './probe';

export interface TriggersProps {
  readonly config: FailoverConfig;
  readonly stateMachine: IStateMachine;
}

export interface GroupTriggersProps {
  readonly group: Group;
  /** Where the rules deliver (Triggers.target): the state machine, with the shared role and dead-letter queue. */
  readonly target: IRuleTarget;
  readonly stateMachine: IStateMachine;
  readonly topic: ITopic;
  readonly topicKey: IKey;
  readonly topicName: string;
  /** Where the group's health probe may send HTTPS to the Step Functions API (ProbeProps.apiEgress). */
  readonly probeApiEgress?: ProbeProps['apiEgress'];
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
 * What every group's triggers share: the role the rules start the state machine with, which EventBridge may
 * assume only for these rules of this account (aws:SourceArn lists their ARNs, aws:SourceAccount is the stack's
 * account: the confused-deputy guidance of EventBridge for rule targets), and the dead-letter queue where a
 * target that cannot be started (throttled, permissions) lands instead of vanishing; the alarms
 * (failover-alarms.ts) turn a message in it into notifications. The rules themselves are each group's
 * (GroupTriggers).
 */
export class Triggers extends Construct {
  readonly deadLetterQueue: Queue;
  readonly role: Role;
  /** The state machine as the rules' target, with the role, retries, event age and dead-letter queue. */
  readonly target: SfnStateMachine;

  constructor(scope: Construct, id: string, props: TriggersProps) {
    super(scope, id);
    groupsWithoutLogicalId(this);
    const stack = Stack.of(this);
    this.deadLetterQueue = new Queue(this, 'TriggerDeadLetterQueue', {
      // SSE-SQS: EventBridge can deliver to it without a key policy, unlike a customer-managed key.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeFinding(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the EventBridge rule targets (DeadLetterConfig of each rule ' +
        'target), which cdk-nag cannot see because no SQS redrive policy points at it. Nothing consumes it, so a DLQ ' +
        'behind it would never receive anything; a message in it raises the TriggerDeadLetterAlarm instead.',
    );
    // Fixed rule names (names.ts), so that the trust policy can list the rules before they exist.
    const ruleArns = props.config.groups.flatMap((group) =>
      rulesOf(stack.stackName, group).map((r) =>
        stack.formatArn({ service: 'events', resource: 'rule', resourceName: r.name }),
      ),
    );
    this.role = new Role(this, 'TriggerRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com', {
        conditions: { ArnEquals: { 'aws:SourceArn': ruleArns }, StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Lets the failover EventBridge rules start the state machine',
    });
    this.target = new SfnStateMachine(props.stateMachine, {
      // No input: the execution receives the whole event, which the workflow parses.
      role: this.role,
      retryAttempts: 8,
      // The same age resolve-targets uses to call an event stale (functions/domain/trigger-time.ts).
      maxEventAge: Duration.seconds(MAX_EVENT_AGE_SECONDS),
      deadLetterQueue: this.deadLetterQueue,
    });
  }
}

/**
 * What starts the workflow for one group: EC2 state changes of its members, the preferred member running again
 * (automatic failback), its members' status-check alarms, and its health probe. The construct's ID is
 * `Group-<name>`, as the scope of these resources always was: the rules' Lambda permissions and the dead-letter
 * queue policy's statement IDs are derived from that path.
 */
export class GroupTriggers extends Construct {
  readonly rules: Rule[] = [];
  /** Each member's status-check alarm (when statusCheckAlarm is enabled). */
  readonly statusCheckAlarms: Alarm[] = [];
  /** The group's health probe (when its probe is enabled). */
  readonly probe?: Probe;

  constructor(scope: Construct, id: string, props: GroupTriggersProps) {
    super(scope, id);
    const { group } = props;
    const stackName = Stack.of(this).stackName;
    // Fast detection (docs/detection.md): TCP probes from inside the VPC, from each of the group's probe subnets.
    if (group.probe?.enabled) {
      this.probe = new Probe(this, 'Probe', {
        group,
        stateMachine: props.stateMachine,
        stateTable: props.groupStateTable,
        topic: props.topic,
        topicKey: props.topicKey,
        topicName: props.topicName,
        apiEgress: props.probeApiEgress,
      });
    }
    if (group.statusCheckAlarm.enabled) this.statusCheckAlarms.push(...statusCheckAlarms(this, stackName, group));
    for (const rule of rulesOf(stackName, group)) {
      this.rules.push(
        new Rule(this, rule.id, {
          ruleName: rule.name,
          description: rule.description,
          eventPattern: rule.pattern(this.statusCheckAlarms),
          targets: [props.target],
        }),
      );
    }
  }
}

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
    const running = `the preferred router of group ${group.name} is running again`;
    rules.push({
      id: 'FailbackRule',
      name: ruleName(stackName, group.name, 'failback'),
      description: `vpc-route-failover: ${running} (automatic failback)`,
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
        alarmDescription:
          `vpc-route-failover: status checks of ${member.name} ` + `(${member.instanceId}) in group ${group.name} fail`,
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
