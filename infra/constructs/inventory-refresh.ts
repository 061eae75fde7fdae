import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, RuleTargetInput, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type PolicyStatement, PolicyStatement as Statement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { FailoverFunction } from './failover-function';

export interface InventoryRefreshProps {
  /** FAILOVER_CONFIG for the function (the groups; no notification addresses). */
  readonly configJson: string;
  readonly refreshMinutes: number;
  readonly table: ITable;
  /** kms use of the table's key, through DynamoDB only. */
  readonly keyUse: PolicyStatement[];
}

/**
 * The scheduled inventory refresh (functions/refresh-inventory): every `refreshMinutes` it describes each
 * member and stores its interface map in the group-state table, so a failover can find the routes of a router
 * that is already gone (terminated, interfaces deleted) or cannot be described (an impaired Availability Zone).
 */
export class InventoryRefresh extends Construct {
  readonly task: FailoverFunction;

  constructor(scope: Construct, id: string, props: InventoryRefreshProps) {
    super(scope, id);
    this.task = new FailoverFunction(this, 'Function', {
      folder: 'refresh-inventory',
      description: "Stores each member's interface map (slot, ENI, subnet, AZ) for failovers of routers that are gone",
      timeout: Duration.seconds(60),
      environment: { FAILOVER_CONFIG: props.configJson, GROUP_STATE_TABLE: props.table.tableName },
    });
    this.task.allowOnAllResources(
      'Ec2Describe',
      ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus'],
      'Read-only EC2 calls of the inventory refresh (members and their interfaces): EC2 Describe* actions support no ' +
        'resource-level permissions (the service authorization reference ' +
        'lists no resource type for them), so Resource must be *.',
    );
    this.task.function.addToRolePolicy(
      new Statement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [props.table.tableArn] }),
    );
    for (const statement of props.keyUse) this.task.function.addToRolePolicy(statement);
    new Rule(this, 'Schedule', {
      description: `vpc-route-failover: refresh the member inventory every ${props.refreshMinutes} minute(s)`,
      schedule: Schedule.rate(Duration.minutes(props.refreshMinutes)),
      targets: [
        new LambdaFunction(this.task.function, {
          event: RuleTargetInput.fromObject({ source: 'vpc-route-failover.inventory' }),
          retryAttempts: 2,
        }),
      ],
    });
  }
}
