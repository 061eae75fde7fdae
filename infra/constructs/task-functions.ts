import { ArnFormat, Duration, type Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { pacerItemKey } from '../../functions/domain/switch-strategy';
import type { FailoverConfig } from '../../functions/contract/config';
import type { WriteBudget } from '../../functions/domain/write-budget';
import { grantAddressReads, grantAddressWrites } from '../address-permissions';
import { statusCheckAlarmName } from '../names';
import { acknowledgeFinding, wildcardResourceFinding } from '../nag';
import {
  internetGatewayArn,
  replaceAssociationStatements,
  routeTableArn,
  scopedRouteTableStatements,
  subnetArn,
  twinStatements,
} from '../twin-permissions';
import type { FailoverFunction } from './failover-function';
import type { GroupState } from './group-state';
import type { Notifications } from './notifications';

/** What a Task function's row needs to size, configure and grant its function. */
export interface TaskContext {
  readonly stack: Stack;
  readonly config: FailoverConfig;
  readonly groupState: GroupState;
  readonly notifications: Notifications;
  /** FAILOVER_CONFIG of the workflow functions (function-config.ts: no e-mail addresses, no probe settings). */
  readonly groupsJson: string;
  /** The state machine's fixed name: acquire-lease's IAM policy names its executions. */
  readonly stateMachineName: string;
  readonly writeBudget: WriteBudget;
  /** Reserved concurrency (concurrency.ts); undefined when none is reserved. */
  readonly concurrency?: Readonly<Record<Exclude<TaskFunctionSpec['reservation'], 'none'>, number>>;
}

/** What a row's environment may use: known before the write budget and the concurrency are checked. */
export type TaskEnvContext = Omit<TaskContext, 'writeBudget' | 'concurrency'>;

/** One Task function of statemachine/failover.asl.json: how it is built and what it may do. */
export interface TaskFunctionSpec {
  /** Folder under functions/ holding its index.ts. */
  readonly folder: string;
  readonly description: string;
  /** Below the ASL Task's TimeoutSeconds, so the function reports its own error first. */
  readonly timeout: (ctx: TaskContext) => Duration;
  readonly environment?: (ctx: TaskEnvContext) => Record<string, string>;
  /**
   * Which share of the reserved concurrency plan (concurrency.ts) each of its functions gets; `none`: no reservation.
   */
  readonly reservation: 'switchItems' | 'otherTasks' | 'none';
  /** Its IAM: only the calls its code makes (FailoverFunction adds its logs and X-Ray). */
  readonly grant: (task: FailoverFunction, ctx: TaskContext) => void;
}

/**
 * EC2 Describe* actions support no resource-level permissions: the service authorization reference lists no
 * resource type for them, so Resource must be '*'. They are read-only. Each function gets only the calls its code
 * makes, in a policy of its own that carries the cdk-nag acknowledgement.
 */
const describeReason = (calls: string) =>
  `Read-only EC2 calls this function makes (${calls}): EC2 Describe* actions support no resource-level ` +
  `permissions (the service authorization reference lists no resource type for them), so Resource must be *. ` +
  `They cannot change anything; what the function reads is then filtered by the group's VPC and instance IDs.`;

const tableEnv = (ctx: TaskEnvContext) => ({ GROUP_STATE_TABLE: ctx.groupState.table.tableName });
const configEnv = (ctx: TaskEnvContext) => ({ FAILOVER_CONFIG: ctx.groupsJson, ...tableEnv(ctx) });

/**
 * Every Task function of the workflow, in the order of the ASL and keyed by its state's name: the state machine
 * substitutes `${<key>FunctionArn}`, the alarms name each function by its key. Renaming a Task is its row here.
 * Timeouts stay below each Task's TimeoutSeconds in the ASL.
 */
export const TASK_FUNCTIONS = {
  AcquireLease: {
    folder: 'acquire-lease',
    description: "Takes the group's lease (conditional write) before anything is resolved or planned",
    timeout: () => Duration.seconds(25),
    environment: configEnv,
    reservation: 'otherTasks',
    grant: (task, { stack, groupState, stateMachineName }) => {
      groupState.grantItems(task.function, ['dynamodb:UpdateItem', 'dynamodb:GetItem']);
      groupState.grantKeyUse(task.function);
      // acquire-lease asks whether the lease holder (an execution of this state machine) still runs. Built from
      // the fixed state machine name, not from stateMachine.stateMachineArn: the state machine depends on the
      // function, so a reference back would be a dependency cycle.
      const executions = stack.formatArn({
        service: 'states',
        resource: 'execution',
        resourceName: `${stateMachineName}:*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      task.function.addToRolePolicy(
        new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executions] }),
      );
      acknowledgeFinding(
        task.role.node.findChild('DefaultPolicy'),
        wildcardResourceFinding(stack, executions),
        'states:DescribeExecution (read-only) on the executions ' +
          'of this one state machine: execution names are chosen ' +
          'at start time, so the ARN ends in a wildcard for the execution name. acquire-lease only asks whether the ' +
          'execution holding a lease still runs.',
      );
    },
  },
  ResolveTargets: {
    folder: 'resolve-targets',
    description: 'Event or manual request -> group, failing and target members, paired interfaces',
    timeout: () => Duration.seconds(45),
    // STACK_NAME: an alarm event must name this stack's status-check alarm (its name starts with the stack name).
    environment: (ctx) => ({ ...configEnv(ctx), STACK_NAME: ctx.stack.stackName }),
    reservation: 'otherTasks',
    grant: (task, { stack, config, groupState }) => {
      task.allowOnAllResources(
        'Ec2Describe',
        [
          'ec2:DescribeInstances',
          'ec2:DescribeInstanceStatus',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DescribeRouteTables',
        ],
        describeReason(
          'members, their interfaces and source/destination check, status checks, whether an inventory interface is ' +
            'attached elsewhere now, active member from the route tables',
        ),
      );
      // An alarm event is confirmed with CloudWatch before any write: DescribeAlarms on exactly this stack's
      // status-check alarms. The API reference says only composite alarms need the permission scoped to *, so a
      // metric alarm can be named by its ARN.
      const statusCheckAlarmArns = config.groups
        .filter((g) => g.statusCheckAlarm.enabled)
        .flatMap((g) =>
          g.members.map((m) =>
            stack.formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: statusCheckAlarmName(stack.stackName, g.name, m.name),
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          ),
        );
      if (statusCheckAlarmArns.length > 0) {
        task.function.addToRolePolicy(
          new PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: statusCheckAlarmArns }),
        );
      }
      // It reads the member inventory and stores what it saw of each member.
      groupState.grantItems(task.function, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      groupState.grantKeyUse(task.function);
    },
  },
  // The priority routes first, right after ResolveTargets (functions/first-write): the routes kind of the one paced
  // writer on the armed plan's tables read fresh. No reserved concurrency: when throttled, its Catch goes on to
  // PlanSwitch, which writes every route anyway.
  FirstWrite: {
    folder: 'first-write',
    description:
      "The group's priority routes first: the tables the guard's " +
      'armed plan names, read fresh, written by the paced route writer',
    timeout: () => Duration.seconds(50),
    environment: configEnv,
    reservation: 'none',
    grant: (task, ctx) => {
      task.allowOnAllResources(
        'Ec2Describe',
        ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables'],
        describeReason(
          'the tables of the armed plan, read before writing their priority routes, and the interfaces of the pairs, ' +
            "checked against the group's members",
        ),
      );
      // The group items: the inventory vouches for source interfaces, and the guard's armed plans live there too.
      ctx.groupState.grantGroupItemRead(task.function, ctx.config.groups);
      writeRoutes(task, ctx);
      ctx.groupState.grantKeyUse(task.function);
    },
  },
  PlanSwitch: {
    folder: 'plan-switch',
    description:
      'Plans the switch from a fresh read: the routes (or ' +
      "associations) in the group's tables that lead to a failing member",
    timeout: () => Duration.seconds(90),
    // The associations mode judges twins with every member's interfaces: the group's inventory.
    environment: tableEnv,
    reservation: 'otherTasks',
    grant: (task, { config, groupState }) => {
      task.allowOnAllResources('Ec2Describe', ['ec2:DescribeRouteTables'], describeReason("the group's route tables"));
      grantAddressReads(task, config.groups, true);
      groupState.grantGroupItemRead(task.function, config.groups);
      groupState.grantKeyUse(task.function);
    },
  },
  // The writes of every kind of switch (routes, associations, addresses): one function, one Task, one Map.
  SwitchItems: {
    folder: 'switch-items',
    description:
      'One batch of the plan: ReplaceRoute onto the paired ' +
      "interfaces, or ReplaceRouteTableAssociation onto the target's " +
      'true twin, paced account-wide per EC2 action (idempotent)',
    // Its budget covers the longest queue of pacer turns the groups can form, plus 100 s of retries
    // (functions/domain/write-budget.ts); the Task allows 900 s, Lambda's maximum.
    timeout: (ctx) => Duration.seconds(ctx.writeBudget.functionTimeoutSeconds),
    // What a batch may write is re-derived from the groups and their inventory (functions/aws/authorize.ts);
    // each EC2 action's pacer is one item of the group-state table (functions/aws/dynamodb-pacer.ts).
    environment: configEnv,
    reservation: 'switchItems',
    grant: (task, ctx) => switchWrites(task, ctx),
  },
  VerifySwitch: {
    folder: 'verify-switch',
    description:
      'Reads the tables back and checks every planned route and association against the route-table invariant',
    timeout: () => Duration.seconds(90),
    reservation: 'otherTasks',
    grant: (task, { config }) => {
      task.allowOnAllResources('Ec2Describe', ['ec2:DescribeRouteTables'], describeReason("the group's route tables"));
      grantAddressReads(task, config.groups, false);
    },
  },
  Notify: {
    folder: 'notify',
    description: 'Builds the audit record and publishes it to SNS',
    timeout: () => Duration.seconds(25),
    // The groups, so a run that failed before resolving is still reported under the group its input names.
    environment: (ctx) => ({ TOPIC_ARN: ctx.notifications.topic.topicArn, FAILOVER_CONFIG: ctx.groupsJson }),
    reservation: 'otherTasks',
    grant: (task, { notifications }) => notifications.grantPublish(task.function),
  },
  ReleaseLease: {
    folder: 'release-lease',
    description: "Gives the group's lease back and records the switch (stale events, flap damping)",
    timeout: () => Duration.seconds(25),
    environment: tableEnv,
    reservation: 'otherTasks',
    grant: (task, { groupState }) => {
      groupState.grantItems(task.function, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
      groupState.grantKeyUse(task.function);
    },
  },
} satisfies Record<string, TaskFunctionSpec>;

/** The name of a Task state that runs one of the functions (the key of its row). */
export type TaskName = keyof typeof TASK_FUNCTIONS;

/**
 * SwitchItems writes every kind of switch: its reads, the group items, each kind's EC2 write and the pacer of each
 * EC2 write action it can make (EC2 gives each action its own bucket).
 */
const switchWrites = (task: FailoverFunction, ctx: TaskContext): void => {
  task.allowOnAllResources(
    'Ec2Describe',
    ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables'],
    describeReason(
      "the batch's route table, read before writing when the plan's observation is stale (routes), or its originals " +
        'and twins, read before each move to check the twin still mirrors its original (associations), and the ' +
        "interfaces of the pairs, checked against the group's members before any write",
    ),
  );
  // The group's inventory vouches for source interfaces EC2 no longer shows (deleted on termination). Only the
  // group items (LeadingKeys = the group names): the pacer items are granted by each kind.
  ctx.groupState.grantGroupItemRead(task.function, ctx.config.groups);
  writeRoutes(task, ctx);
  moveAssociations(task, ctx);
  // Addresses (Elastic IPs, secondary private IPs) of the groups that move them (address-permissions.ts).
  grantAddressWrites(task, ctx.stack, ctx.config.groups, (key) => ctx.groupState.grantPacer(task.function, key));
  ctx.groupState.grantKeyUse(task.function);
};

/** ReplaceRoute on the tables of each group's scope and on its twins, in either mode, and its pacer. */
const writeRoutes = (task: FailoverFunction, { stack, config, groupState }: TaskContext): void => {
  // The associations mode's per-route fallback (a table no true twin serves) may write a twin that holds
  // associations, and a group set back to the routes mode switches the twins subnets still use route by route.
  const statements = [
    ...scopedRouteTableStatements(stack, config.groups, ['ec2:ReplaceRoute']),
    ...twinStatements(stack, config.groups, ['ec2:ReplaceRoute']),
  ];
  for (const statement of statements) task.function.addToRolePolicy(statement);
  // Route tables of a group scoped by VPC (or tag) are not known at synth time, nor are twins: the statement
  // names route-table/* and the ec2:Vpc condition (ArnEquals on the group's VPC ARN) is what limits it.
  const anyRouteTable = routeTableArn(stack, '*');
  if (statements.some((st) => st.resources.includes(anyRouteTable))) {
    acknowledgeFinding(
      task.role.node.findChild('DefaultPolicy'),
      wildcardResourceFinding(stack, anyRouteTable),
      'ec2:ReplaceRoute on the route tables of a group whose ' +
        'scope is its whole VPC or a tag, and on the twins of every ' +
        'group (a group set back to the routes mode still switches the twins subnets use): the tables are found (or ' +
        'created) at run time, so no ARN list exists at synth time. ' +
        "Each such statement carries ArnEquals ec2:Vpc = the group's VPC ARN (and aws:ResourceTag for a tag scope, " +
        'aws:ResourceTag/route-failover:twin-group = the group ' +
        'for twins), so only tables of the configured VPCs can be ' +
        'changed; ReplaceRoute is the only action (no CreateRoute, no DeleteRoute).',
    );
  }
  groupState.grantPacer(task.function, pacerItemKey('ReplaceRoute'));
};

/** ReplaceRouteTableAssociation only when some group uses the associations mode (twin-permissions.ts). */
const moveAssociations = (task: FailoverFunction, { stack, config, groupState }: TaskContext): void => {
  const statements = replaceAssociationStatements(stack, config.groups);
  for (const statement of statements) task.function.addToRolePolicy(statement);
  if (statements.length > 0) {
    const policy = task.role.node.findChild('DefaultPolicy');
    const anyRouteTable = routeTableArn(stack, '*');
    const moveReason =
      'ec2:ReplaceRouteTableAssociation (the only EC2 write of this function) moves an association between an ' +
      'original and its twin: twins are created at run time and subnets, gateways and VPC-scoped tables are not in ' +
      'the config, so no ARN list exists at synth time. ';
    if (statements.some((st) => st.resources.includes(anyRouteTable))) {
      acknowledgeFinding(
        policy,
        wildcardResourceFinding(stack, anyRouteTable),
        moveReason +
          "The new table must be in the group's VPC (ArnEquals ec2:Vpc) and either carry the group's twin tag " +
          '(aws:ResourceTag/route-failover:twin-group) or be in its scope (its scope tag, for a tag scope).',
      );
    }
    acknowledgeFinding(
      policy,
      wildcardResourceFinding(stack, subnetArn(stack)),
      `${moveReason}A subnet only in one of the associations-mode groups' VPCs (ArnEquals ec2:Vpc).`,
    );
    acknowledgeFinding(
      policy,
      wildcardResourceFinding(stack, internetGatewayArn(stack)),
      moveReason +
        "An internet gateway's edge association: the reference lists no ec2:Vpc key for the gateway, so it is not " +
        'conditioned; it authorizes nothing by itself, as the same request must be allowed on its new route table.',
    );
  }
  // The ReplaceRouteTableAssociation pacer, EC2's other bucket: only with an associations-mode group.
  if (config.groups.some((g) => g.switchMode === 'associations')) {
    groupState.grantPacer(task.function, pacerItemKey('ReplaceRouteTableAssociation'));
  }
};

/** The Task functions each reserved `otherTasks` executions (concurrency.ts counts them). */
export const OTHER_TASKS: TaskName[] = (Object.keys(TASK_FUNCTIONS) as TaskName[]).filter(
  (name) => (TASK_FUNCTIONS[name] as TaskFunctionSpec).reservation === 'otherTasks',
);
