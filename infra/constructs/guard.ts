import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import type { FailoverConfig } from '../../functions/contract/config';
import { GUARD_SCHEDULE_SOURCE, GUARD_TRIGGER_EVENTS } from '../../functions/guard/trigger';
import { GUARD_ATTRIBUTE } from '../../functions/aws/dynamodb-guard-state';
import { viaSnsForTopic, topicArnFromName } from '../alarm-publishing';
import { guardFunctionConfig } from '../function-config';
import { FailoverFunction } from './failover-function';

export interface GuardProps {
  readonly config: FailoverConfig;
  readonly table: ITable;
  /** kms use of the table's key, through DynamoDB only. */
  readonly keyUse: PolicyStatement[];
  readonly topic: ITopic;
  readonly topicKey: IKey;
  readonly topicName: string;
  /** The state machine convergence starts (only used when `guard.converge` is on). */
  readonly stateMachineArn: string;
}

/**
 * The route guard (functions/guard): a pass every `guard.intervalMinutes` and after each CloudTrail management
 * event that changes a route, a route table or an association, evaluating the route-table invariant against each
 * group's active member. It reads EC2, reads and writes its own attribute of each group's item, publishes one
 * notification per change of finding set and, with `guard.converge`, starts the workflow. It never writes a
 * route: it has no EC2 write permission at all. Reserved concurrency 1, as the twin reconcile: two passes at
 * once could both see the same change and notify it twice; Lambda holds a throttled asynchronous event and
 * retries it, so a burst of CloudTrail events runs one pass after another.
 */
export class Guard extends Construct {
  readonly task: FailoverFunction;
  readonly cloudTrailRule: Rule;

  constructor(scope: Construct, id: string, props: GuardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { config } = props;
    const converge = config.guard.converge;
    this.task = new FailoverFunction(this, 'Function', {
      folder: 'guard',
      description:
        'Evaluates the route-table invariant between failovers; reports ' +
        'findings, optionally starts a switchover (never writes a route)',
      timeout: Duration.seconds(60),
      reservedConcurrentExecutions: 1,
      environment: {
        // The groups as the workflow functions get them, and the guard's own settings.
        FAILOVER_CONFIG: JSON.stringify(guardFunctionConfig(config)),
        GROUP_STATE_TABLE: props.table.tableName,
        TOPIC_ARN: props.topic.topicArn,
        ...(converge ? { STATE_MACHINE_ARN: props.stateMachineArn } : {}),
      },
    });
    const fn = this.task.function;
    this.task.allowOnAllResources(
      'Ec2Describe',
      ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ec2:DescribeRouteTables'],
      'Read-only EC2 calls of the route guard (members, their interfaces and status checks, the route tables of each ' +
        "group's VPC): EC2 Describe* actions support no resource-level " +
        'permissions (the service authorization reference ' +
        'lists no resource type for them), so Resource must be *. They cannot change anything.',
    );
    // The group items only (LeadingKeys = the group names), never the pacer items: it reads the whole item (lease,
    // history, hold, inventory) and writes its own `guard` attribute and nothing else (dynamodb:Attributes, with
    // ReturnValues that cannot read other attributes back: DynamoDB's fine-grained access control).
    const groupItems = { 'dynamodb:LeadingKeys': config.groups.map((g) => g.name) };
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringEquals': groupItems },
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem'],
        resources: [props.table.tableArn],
        conditions: {
          'ForAllValues:StringEquals': { ...groupItems, 'dynamodb:Attributes': ['group', GUARD_ATTRIBUTE] },
          StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] },
        },
      }),
    );
    for (const statement of props.keyUse) fn.addToRolePolicy(statement);
    fn.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [props.topic.topicArn] }));
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.topicKey.keyArn],
        conditions: { StringEquals: viaSnsForTopic(stack, topicArnFromName(stack, props.topicName)) },
      }),
    );
    // Convergence goes through the workflow (lease, hold, health gate, audit record), never around it.
    if (converge)
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['states:StartExecution'], resources: [props.stateMachineArn] }),
      );

    new Rule(this, 'Schedule', {
      description: `vpc-route-failover: route guard pass every ${config.guard.intervalMinutes} minute(s)`,
      schedule: Schedule.rate(Duration.minutes(config.guard.intervalMinutes)),
      targets: [
        new LambdaFunction(fn, {
          event: RuleTargetInput.fromObject({ source: GUARD_SCHEDULE_SOURCE }),
          retryAttempts: 2,
        }),
      ],
    });
    // As the twin reconcile's rule (constructs/twin-reconcile.ts): CloudTrail management events on the default bus
    // (a trail with logging is needed, docs/deploy.md). CloudTrail does not name the VPC of most of these calls,
    // so the function finds the groups concerned from the table the call names; the schedule covers the rest.
    this.cloudTrailRule = new Rule(this, 'RouteChanges', {
      description: 'vpc-route-failover: route guard pass after a route, route-table or association API call',
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ec2.amazonaws.com'],
          eventName: [...GUARD_TRIGGER_EVENTS],
          errorCode: [{ exists: false }],
        },
      },
      targets: [new LambdaFunction(fn, { retryAttempts: 2 })],
    });
  }
}
