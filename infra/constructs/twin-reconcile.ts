import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { Group } from '../../functions/contract/config';
import { acknowledgeFinding, wildcardResourceFinding } from '../nag';
import {
  associationGroups,
  groupItemRead,
  pacerItemUse,
  reconcileTwinStatements,
  routeTableArn,
  vpnGatewayArn,
} from '../twin-permissions';
import { SCHEDULE_SOURCE } from '../../functions/reconcile-twins/trigger';
import { TWIN_TRIGGER_EVENTS } from '../../functions/contract/route-table-events';
import { FailoverFunction } from './failover-function';

/**
 * The route-table API calls after which a twin may no longer mirror its original (or an original has a new
 * association): the function's own list, so the rule and the function agree.
 */
export const TWIN_RECONCILE_EVENT_NAMES = TWIN_TRIGGER_EVENTS;

/** What the schedule sends the function: the function's own constant. */
export const TWIN_SCHEDULE_SOURCE = SCHEDULE_SOURCE;

export interface TwinReconcileProps {
  /** FAILOVER_CONFIG for the function (the groups; no notification addresses). */
  readonly configJson: string;
  /** Every group of the config: the construct keeps those in the associations mode. */
  readonly groups: Group[];
  readonly reconcileMinutes: number;
  readonly table: ITable;
  /** kms use of the table's key, through DynamoDB only. */
  readonly keyUse: PolicyStatement[];
}

/**
 * The associations mode's twin reconcile (functions/reconcile-twins): keeps every twin a true copy of its
 * original, on a schedule and after each route-table API call CloudTrail reports. Reserved concurrency 1: two
 * reconciles of the same original running at once would both see no twin and create two; with 1, Lambda holds
 * a throttled asynchronous event (EventBridge invokes asynchronously) and retries it later, so a burst of
 * CloudTrail events runs one reconcile after another instead of being lost.
 */
export class TwinReconcile extends Construct {
  readonly task: FailoverFunction;
  readonly cloudTrailRule: Rule;

  constructor(scope: Construct, id: string, props: TwinReconcileProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.task = new FailoverFunction(this, 'Function', {
      folder: 'reconcile-twins',
      description:
        'Creates and corrects the standby twin route tables of the associations mode (never writes an original)',
      // Corrections are paced with the failover's ReplaceRoute calls (50 at once, then 5 per second).
      timeout: Duration.seconds(300),
      reservedConcurrentExecutions: 1,
      environment: { FAILOVER_CONFIG: props.configJson, GROUP_STATE_TABLE: props.table.tableName },
    });
    const fn = this.task.function;
    this.task.allowOnAllResources(
      'Ec2Describe',
      [
        'ec2:DescribeRouteTables',
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceStatus',
        'ec2:DescribeNetworkInterfaces',
      ],
      'Read-only EC2 calls of the twin reconcile (originals and twins, members, their status and interfaces): EC2 ' +
        'Describe* actions support no resource-level permissions ' +
        '(the service authorization reference lists no resource ' +
        'type for them), so Resource must be *. They cannot change anything.',
    );
    for (const statement of reconcileTwinStatements(stack, props.groups)) fn.addToRolePolicy(statement);
    const policy = this.task.role.node.findChild('DefaultPolicy');
    acknowledgeFinding(
      policy,
      wildcardResourceFinding(stack, routeTableArn(stack, '*')),
      'Twin route tables are created at run time, so no ARN list exists at synth time. Route writes (CreateRoute, ' +
        'ReplaceRoute, DeleteRoute, route propagation) are limited by ArnEquals ec2:Vpc = the group VPC and ' +
        'aws:ResourceTag/route-failover:twin-group = the group, ' +
        'so no original table can be changed; CreateRouteTable and ' +
        'CreateTags only with aws:RequestTag/route-failover:twin-group ' +
        'naming an associations-mode group, CreateTags only ' +
        'with ec2:CreateAction = CreateRouteTable.',
    );
    acknowledgeFinding(
      policy,
      wildcardResourceFinding(stack, vpnGatewayArn(stack)),
      'Enable/DisableVgwRoutePropagation name the virtual private ' +
        'gateway as well as the route table; the gateway IDs ' +
        'are not in the config. This grant authorizes nothing ' +
        'by itself: the same request must also be allowed on its ' +
        'route table, which only the twin statement (group tag and VPC) allows.',
    );
    // The inventory of the associations-mode groups (the members' interfaces) and the ReplaceRoute pacer.
    fn.addToRolePolicy(groupItemRead(props.table.tableArn, associationGroups(props.groups)));
    fn.addToRolePolicy(pacerItemUse(props.table.tableArn));
    for (const statement of props.keyUse) fn.addToRolePolicy(statement);

    new Rule(this, 'Schedule', {
      description: `vpc-route-failover: reconcile the twin route tables every ${props.reconcileMinutes} minute(s)`,
      schedule: Schedule.rate(Duration.minutes(props.reconcileMinutes)),
      targets: [
        new LambdaFunction(fn, {
          event: RuleTargetInput.fromObject({ source: TWIN_SCHEDULE_SOURCE }),
          retryAttempts: 2,
        }),
      ],
    });
    // CloudTrail's management events, on the default bus. EventBridge documents that a trail with logging is
    // needed for "AWS API Call via CloudTrail" events (docs/deploy.md); the schedule covers an account without one.
    this.cloudTrailRule = new Rule(this, 'RouteTableChanges', {
      description: 'vpc-route-failover: reconcile the twins after a route-table API call',
      eventPattern: {
        source: ['aws.ec2'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['ec2.amazonaws.com'],
          eventName: [...TWIN_RECONCILE_EVENT_NAMES],
          // A call that failed changed nothing. The reconcile's own writes are not filtered out (an anything-but on
          // the caller's role would also drop every event without a role session, an IAM user's): each costs one
          // reconcile that finds nothing to do.
          errorCode: [{ exists: false }],
        },
      },
      targets: [new LambdaFunction(fn, { retryAttempts: 2 })],
    });
  }
}
