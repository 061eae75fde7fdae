import { CfnOutput, Stack } from 'aws-cdk-lib';
import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IPeer } from 'aws-cdk-lib/aws-ec2';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { type FailoverConfig, type FailoverConfigInput, parseConfig } from '../functions/contract/config';
import { ConfigError } from '../functions/contract/errors';
import { FailoverMonitoring } from './constructs/monitoring';
import { FailoverWorkflow } from './constructs/workflow';
import { GroupState } from './constructs/group-state';
import { grantAddressReads } from './address-permissions';
import { Guard } from './constructs/guard';
import { InventoryRefresh } from './constructs/inventory-refresh';
import { Notifications } from './constructs/notifications';
import type { TaskName } from './constructs/task-functions';
import { GroupTriggers, Triggers } from './constructs/triggers';
import { TwinReconcile } from './constructs/twin-reconcile';
import { addCriticalPathWarmUp } from './constructs/warm-up';
import { associationGroups } from './twin-permissions';

/**
 * The props of RouteFailover: the failover config itself, in the shape of a failover.json (the one schema,
 * functions/contract/config.ts), validated when the construct is built.
 */
export type RouteFailoverProps = FailoverConfigInput;

/** What RouteFailover takes besides the config: how it is deployed, not what it fails over. */
export interface RouteFailoverOptions {
  /**
   * Where each group's health probe may send HTTPS to the Step Functions and DynamoDB APIs. Default: any IPv4 address,
   * port 443 only (constructs/probe.ts). Pass the interface endpoint's security group or the VPC CIDR to narrow it.
   */
  readonly probeApiEgress?: IPeer;
}

/**
 * Everything that runs a failover, as one construct for any CDK app: the Task functions of
 * statemachine/failover.asl.json (each with a role of its own) and the state machine; the group-state table that
 * holds each group's lease and history; the encrypted SNS topic of the audit records and alarms; the EventBridge
 * rules, status-check alarms and health probes that start it; the member inventory refresh, the twin reconcile
 * (associations mode) and the route guard; the alarms and the dashboard; and the stack outputs the CLI reads.
 * Environment-agnostic: no lookups, synth works offline. Physical names start with the stack name, so one
 * RouteFailover per stack (a second is refused). The config is validated here: a bad one throws a ConfigError
 * naming each bad field.
 */
export class RouteFailover extends Construct {
  /** The validated config (defaults filled in). */
  readonly config: FailoverConfig;
  readonly notifications: Notifications;
  readonly groupState: GroupState;
  readonly workflow: FailoverWorkflow;
  readonly triggers: Triggers;
  /** Each group's triggers (rules, status-check alarms, probe), by group name. */
  readonly groupTriggers: Record<string, GroupTriggers> = {};
  readonly inventoryRefresh: InventoryRefresh;
  /** Only when some group uses the associations mode. */
  readonly twinReconcile?: TwinReconcile;
  readonly guard: Guard;
  /** The one-minute warm-up of the functions before the first write: only when some group has a probe. */
  readonly warmUp?: Rule;
  readonly monitoring: FailoverMonitoring;

  readonly stateMachine: StateMachine;
  readonly topic: Topic;
  readonly groupStateTable: Table;
  readonly alarms: Alarm[];
  readonly dashboard: Dashboard;
  /** The Task functions by ASL state name. */
  readonly functions: Record<TaskName, IFunction>;

  constructor(scope: Construct, id: string, props: RouteFailoverProps, options: RouteFailoverOptions = {}) {
    super(scope, id);
    const stack = Stack.of(this);
    const other = stack.node.findAll().find((c) => c !== this && c instanceof RouteFailover);
    if (other) {
      throw new ConfigError(
        `${this.node.path}: stack ${stack.stackName} already ` +
          `holds a RouteFailover (${other.node.path}); its physical ` +
          `names start with the stack name, so put each one in a stack of its own`,
      );
    }
    const config = parseConfig(props, `RouteFailover ${this.node.path} props`);
    this.config = config;

    this.notifications = new Notifications(this, 'Notifications', { emails: config.notifications.emails });
    const { topic, topicKey, topicName } = this.notifications;
    this.groupState = new GroupState(this, 'GroupState');
    const { table, keyUse } = this.groupState;
    this.workflow = new FailoverWorkflow(this, 'Workflow', {
      config,
      groupState: this.groupState,
      notifications: this.notifications,
    });
    const { stateMachine } = this.workflow;
    const { groupsJson } = this.workflow;
    this.inventoryRefresh = new InventoryRefresh(this, 'InventoryRefresh', {
      configJson: groupsJson,
      refreshMinutes: config.inventory.refreshMinutes,
      table,
      keyUse,
    });
    if (associationGroups(config.groups).length > 0) {
      this.twinReconcile = new TwinReconcile(this, 'TwinReconcile', {
        configJson: groupsJson,
        groups: config.groups,
        reconcileMinutes: config.twins.reconcileMinutes,
        table,
        keyUse,
      });
    }
    this.triggers = new Triggers(this, 'Triggers', { config, stateMachine });
    for (const group of config.groups) {
      this.groupTriggers[group.name] = new GroupTriggers(this, `Group-${group.name}`, {
        group,
        target: this.triggers.target,
        stateMachine,
        topic,
        topicKey,
        topicName,
        probeApiEgress: options.probeApiEgress,
        groupStateTable: table,
      });
    }
    // With a probe (detection in seconds), the functions before the first write are kept warm (constructs/warm-up.ts).
    if (config.groups.some((g) => g.probe?.enabled)) {
      const { AcquireLease, ResolveTargets, FirstWrite } = this.workflow.functions;
      this.warmUp = addCriticalPathWarmUp(this, { AcquireLease, ResolveTargets, FirstWrite });
    }
    // The route guard between failovers (constructs/guard.ts): reads only, converges through the state machine.
    this.guard = new Guard(this, 'Guard', {
      config,
      table,
      keyUse,
      topic,
      topicKey,
      topicName,
      stateMachineArn: stateMachine.stateMachineArn,
    });
    // The guard's address clause reads where each Elastic IP of the groups that move addresses is.
    grantAddressReads(this.guard.task, config.groups, false);
    this.monitoring = new FailoverMonitoring(this, 'Monitoring', {
      groups: config.groups,
      stateMachine,
      functions: {
        ...this.workflow.functions,
        InventoryRefresh: this.inventoryRefresh.task.function,
        ...(this.twinReconcile ? { TwinReconcile: this.twinReconcile.task.function } : {}),
        Guard: this.guard.task.function,
      },
      guard: { groups: config.groups.map((g) => g.name), intervalMinutes: config.guard.intervalMinutes },
      deadLetterQueue: this.triggers.deadLetterQueue,
      topic,
      topicKey,
      topicName,
    });

    this.stateMachine = stateMachine;
    this.topic = topic;
    this.groupStateTable = table;
    this.alarms = this.monitoring.alarms;
    this.dashboard = this.monitoring.dashboard;
    this.functions = this.workflow.functions;

    // What detectors and the CLI need (docs/deploy.md): read them from the stack, never guess the ARN. Fixed keys,
    // whatever the construct's ID, so the CLI finds them in any stack that holds a RouteFailover.
    const output = (key: string, value: string, description?: string) =>
      new CfnOutput(this, key, { key, value, description });
    output('StateMachineArn', stateMachine.stateMachineArn, 'Start failover executions here (states:StartExecution)');
    output('TopicArn', topic.topicArn, 'Audit notifications and alarms');
    new CfnOutput(this, 'GroupStateTableOutput', {
      key: 'GroupStateTable',
      value: table.tableName,
      description:
        'Group state (leases, switch history, inventory, maintenance ' +
        'holds): route-failover hold, unhold and status read it',
    });
    output(
      'GuardFunctionName',
      this.guard.task.function.functionName,
      'The route guard function: one pass per invocation (aws lambda invoke), besides its schedule',
    );
    output('Region', stack.region);
  }
}
