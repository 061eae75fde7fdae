import { pacerItemKey, type Ec2WriteAction } from '../functions/domain/switch-strategy';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { FailoverConfig } from '../functions/contract/config';
import { ConfigError } from '../functions/contract/errors';
import { checkWriteBudget } from '../functions/domain/write-budget';
import { notificationTopicName, topicArnFromName, viaSnsForTopic } from './alarm-publishing';
import { planReservedConcurrency } from './concurrency';
import { addFailoverAlarms } from './constructs/failover-alarms';
import { addFailoverDashboard } from './constructs/dashboard';
import { FailoverFunction, LAMBDA_ENVIRONMENT_LIMIT_BYTES, environmentSize } from './constructs/failover-function';
import { Guard } from './constructs/guard';
import { grantAddressSwitch } from './address-permissions';
import { InventoryRefresh } from './constructs/inventory-refresh';
import { TwinReconcile } from './constructs/twin-reconcile';
import { guardFunctionConfig, workflowFunctionConfig } from './function-config';
import { stateMachineLogGroupName, statusCheckAlarmName } from './names';
import { acknowledgeFinding, wildcardResourceFinding } from './nag';
import { addTriggers } from './triggers';
import {
  associationGroups,
  groupItemRead,
  internetGatewayArn,
  pacerItemUse,
  replaceAssociationStatements,
  routeTableArn,
  scopedRouteTableStatements,
  subnetArn,
  twinStatements,
} from './twin-permissions';

export const ASL_PATH = path.join(__dirname, '..', 'statemachine', 'failover.asl.json');

export interface FailoverStackProps extends StackProps {
  /** Already validated with parseConfig. */
  readonly config: FailoverConfig;
}

/**
 * Everything that runs a failover: the seven Task functions (each with a role of its own), the state machine
 * built from statemachine/failover.asl.json, the group-state table that holds the per-group lease, the
 * EventBridge rules and status-check alarms that start it, and the encrypted SNS topic the audit record is
 * published to. Environment-agnostic: no lookups, synth works offline. infra/nag.ts's AwsSolutions checks run
 * on it at every synth; each finding the stack accepts is acknowledged next to the resource it concerns.
 */
export class FailoverStack extends Stack {
  constructor(scope: Construct, id: string, props: FailoverStackProps) {
    super(scope, id, props);
    const { config } = props;
    // Fixed rather than generated: acquire-lease's IAM policy names this state machine's executions.
    const stateMachineName = `${this.stackName}-failover`;
    if (stateMachineName.length > 80) {
      throw new Error(
        `stack name ${this.stackName} is too long: the state machine ${stateMachineName} may have 80 characters at most`,
      );
    }

    // ---- Notifications -------------------------------------------------------------------------------------
    // Both keys keep CDK's default key policy statement (the account root, kms:*): it delegates to IAM and lets
    // the account administer the key, which could otherwise become unmanageable. Use is narrowed where
    // it is granted: the functions' IAM statements and the CloudWatch statement carry kms:ViaService and the
    // service's encryption context (one topic, one table).
    const topicKey = new Key(this, 'TopicKey', {
      description: 'Encrypts the vpc-route-failover notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // Named (after the stack) so that the key policy can name it in kms:EncryptionContext (alarm-publishing.ts).
    const topicName = notificationTopicName(this.stackName);
    const topic = new Topic(this, 'Topic', {
      topicName,
      displayName: 'VPC route failover',
      masterKey: topicKey,
      enforceSSL: true,
    });
    for (const email of config.notifications.emails) topic.addSubscription(new EmailSubscription(email));

    // ---- Group state: the lease (one writer per group) and each group's switch history -------------------------
    // A key of its own rather than the topic's: the topic key lets CloudWatch use it, this one is for the table only.
    // Customer-managed rather than aws/dynamodb: its key policy and the functions' IAM decide who can read the
    // table's data, its use is logged in CloudTrail under this key, and disabling it cuts off all access.
    const groupStateKey = new Key(this, 'GroupStateKey', {
      description: 'Encrypts the vpc-route-failover group state table (leases, switch history)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const groupStateTable = new Table(this, 'GroupStateTable', {
      partitionKey: { name: 'group', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: groupStateKey,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      // No TTL: an item holds a group's switch history as well as its lease; an abandoned lease ends by its
      // expiresAt (checked in the conditional write) or by takeover, never by deleting the item.
      // The history is what stops a stale event from undoing a newer switch; it must outlive the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // ---- Task functions ------------------------------------------------------------------------------------
    // Only what the workflow functions read (function-config.ts): no e-mail addresses, no probe settings.
    const groupsJson = JSON.stringify(workflowFunctionConfig(config));
    // STACK_NAME: an alarm event must name this stack's status-check alarm (its name starts with the stack name).
    const resolveEnv = {
      FAILOVER_CONFIG: groupsJson,
      GROUP_STATE_TABLE: groupStateTable.tableName,
      STACK_NAME: this.stackName,
    };
    const acquireLeaseEnv = { FAILOVER_CONFIG: groupsJson, GROUP_STATE_TABLE: groupStateTable.tableName };
    // The route guard's environment (constructs/guard.ts) holds the config too, with the table and the topic ARN.
    const guardJson = JSON.stringify(guardFunctionConfig(config));
    const guardEnv = {
      FAILOVER_CONFIG: guardJson,
      GROUP_STATE_TABLE: groupStateTable.tableName,
      TOPIC_ARN: topic.topicArn,
      // The state machine is built further down: any token stands for its ARN here (a token counts 256 bytes).
      ...(config.guard.converge ? { STATE_MACHINE_ARN: topic.topicArn } : {}),
    };
    // The config reaches two functions; the larger environment decides (the table name counts as 256 bytes).
    for (const [fn, env] of [
      ['resolve-targets', resolveEnv],
      ['acquire-lease', acquireLeaseEnv],
      ['switch-items', acquireLeaseEnv],
      ['guard', guardEnv],
    ] as const) {
      const size = environmentSize({ NODE_OPTIONS: '--enable-source-maps', ...env });
      if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
        throw new ConfigError(
          `cdk.json context "failover" is too large: ${fn} receives it in FAILOVER_CONFIG ` +
            `(${Buffer.byteLength(fn === 'guard' ? guardJson : groupsJson, 'utf8')} bytes as JSON) and its environment would take ${size} bytes, ` +
            `over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit for all environment variables of a function. ` +
            `Shorten names, drop unused groups, or split the groups across several stacks.`,
        );
      }
    }
    // A config whose batches could wait for their pacer turn longer than a function or the execution may run
    // is refused here, by name (WriteBudgetError), rather than starving batches at the first big failover.
    const writeBudget = checkWriteBudget(config);
    // Reserved concurrency sized from the groups (concurrency.ts); throws when it cannot fit the account.
    const concurrency = planReservedConcurrency(config);
    const reserved = (task: string) =>
      concurrency ? (task === 'SwitchItems' ? concurrency.switchItems : concurrency.otherTasks) : undefined;
    // The associations-mode groups: the association moves of SwitchItems and the twin reconcile exist only for them.
    const assocGroups = associationGroups(config.groups);

    // Timeouts stay below each Task's TimeoutSeconds in the ASL (30/60/120/900/120/30/30 s).
    const acquireLeaseTask = new FailoverFunction(this, 'AcquireLease', {
      reservedConcurrentExecutions: reserved('AcquireLease'),
      folder: 'acquire-lease',
      description: "Takes the group's lease (conditional write) before anything is resolved or planned",
      timeout: Duration.seconds(25),
      environment: acquireLeaseEnv,
    });
    const acquireLease = acquireLeaseTask.function;
    const releaseLease = new FailoverFunction(this, 'ReleaseLease', {
      reservedConcurrentExecutions: reserved('ReleaseLease'),
      folder: 'release-lease',
      description: "Gives the group's lease back and records the switch (stale events, flap damping)",
      timeout: Duration.seconds(25),
      environment: { GROUP_STATE_TABLE: groupStateTable.tableName },
    }).function;
    const resolveTargetsTask = new FailoverFunction(this, 'ResolveTargets', {
      reservedConcurrentExecutions: reserved('ResolveTargets'),
      folder: 'resolve-targets',
      description: 'Event or manual request -> group, failing and target members, paired interfaces',
      timeout: Duration.seconds(45),
      environment: resolveEnv,
    });
    const resolveTargets = resolveTargetsTask.function;
    const planSwitchTask = new FailoverFunction(this, 'PlanSwitch', {
      reservedConcurrentExecutions: reserved('PlanSwitch'),
      folder: 'plan-switch',
      description:
        "Plans the switch from a fresh read: the routes (or associations) in the group's tables that lead to a failing member",
      timeout: Duration.seconds(90),
      // The associations mode judges twins with every member's interfaces: the group's inventory.
      environment: { GROUP_STATE_TABLE: groupStateTable.tableName },
    });
    const planSwitch = planSwitchTask.function;
    // The writes of every kind of switch (routes, associations): one function, one Task, one Map.
    const switchItemsTask = new FailoverFunction(this, 'SwitchItems', {
      reservedConcurrentExecutions: reserved('SwitchItems'),
      folder: 'switch-items',
      description:
        "One batch of the plan: ReplaceRoute onto the paired interfaces, or ReplaceRouteTableAssociation onto the target's true twin, paced account-wide per EC2 action (idempotent)",
      // Its budget covers the longest queue of pacer turns the groups can form, plus 100 s of retries
      // (functions/domain/write-budget.ts); the Task allows 900 s, Lambda's maximum.
      timeout: Duration.seconds(writeBudget.functionTimeoutSeconds),
      // What a batch may write is re-derived from the groups and their inventory (functions/aws/authorize.ts);
      // each EC2 action's pacer is one item of the group-state table (functions/domain/pacer.ts).
      environment: { FAILOVER_CONFIG: groupsJson, GROUP_STATE_TABLE: groupStateTable.tableName },
    });
    const switchItems = switchItemsTask.function;
    const verifySwitchTask = new FailoverFunction(this, 'VerifySwitch', {
      reservedConcurrentExecutions: reserved('VerifySwitch'),
      folder: 'verify-switch',
      description:
        'Reads the tables back and checks every planned route and association against the route-table invariant',
      timeout: Duration.seconds(90),
    });
    const verifySwitch = verifySwitchTask.function;
    const notify = new FailoverFunction(this, 'Notify', {
      reservedConcurrentExecutions: reserved('Notify'),
      folder: 'notify',
      description: 'Builds the audit record and publishes it to SNS',
      timeout: Duration.seconds(25),
      // The groups, so a run that failed before resolving is still reported under the group its input names.
      environment: { TOPIC_ARN: topic.topicArn, FAILOVER_CONFIG: groupsJson },
    }).function;

    // ---- Least-privilege IAM, per function -----------------------------------------------------------------
    // EC2 Describe* actions support no resource-level permissions: the service authorization reference lists
    // no resource type for them, so Resource must be '*'. They are read-only. Each function gets only the calls
    // its code makes, in a policy of its own that carries the cdk-nag acknowledgement.
    const describeReason = (calls: string) =>
      `Read-only EC2 calls this function makes (${calls}): EC2 Describe* actions support no resource-level ` +
      `permissions (the service authorization reference lists no resource type for them), so Resource must be *. ` +
      `They cannot change anything; what the function reads is then filtered by the group's VPC and instance IDs.`;
    resolveTargetsTask.allowOnAllResources(
      'Ec2Describe',
      [
        'ec2:DescribeInstances',
        'ec2:DescribeInstanceStatus',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeRouteTables',
      ],
      describeReason(
        'members, their interfaces and source/destination check, status checks, whether an inventory interface is attached elsewhere now, active member from the route tables',
      ),
    );
    for (const task of [planSwitchTask, verifySwitchTask]) {
      task.allowOnAllResources('Ec2Describe', ['ec2:DescribeRouteTables'], describeReason("the group's route tables"));
    }
    switchItemsTask.allowOnAllResources(
      'Ec2Describe',
      ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables'],
      describeReason(
        "the batch's route table, read before writing when the plan's observation is stale (routes), or its originals and twins, read before each move to check the twin still mirrors its original (associations), and the interfaces of the pairs, checked against the group's members before any write",
      ),
    );
    // The group's inventory vouches for source interfaces EC2 no longer shows (deleted on termination). Only the
    // group items (LeadingKeys = the group names): the pacer items are granted below, each to its one user.
    switchItems.addToRolePolicy(groupItemRead(groupStateTable.tableArn, config.groups));
    planSwitch.addToRolePolicy(groupItemRead(groupStateTable.tableArn, config.groups));
    // An alarm event is confirmed with CloudWatch before any write: DescribeAlarms on exactly this stack's
    // status-check alarms. The API reference says only composite alarms need the permission scoped to *, so a
    // metric alarm can be named by its ARN.
    const statusCheckAlarmArns = config.groups
      .filter((g) => g.statusCheckAlarm.enabled)
      .flatMap((g) =>
        g.members.map((m) =>
          this.formatArn({
            service: 'cloudwatch',
            resource: 'alarm',
            resourceName: statusCheckAlarmName(this.stackName, g.name, m.name),
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ),
      );
    if (statusCheckAlarmArns.length > 0) {
      resolveTargets.addToRolePolicy(
        new PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: statusCheckAlarmArns }),
      );
    }
    // ReplaceRoute on the tables of each group's scope and on its twins, in either mode: the associations mode's
    // per-route fallback (a table no true twin serves) may write a twin that holds associations, and a group set
    // back to the routes mode switches the twins subnets still use route by route.
    const replaceRouteStatements = [
      ...scopedRouteTableStatements(this, config.groups, ['ec2:ReplaceRoute']),
      ...twinStatements(this, config.groups, ['ec2:ReplaceRoute']),
    ];
    for (const statement of replaceRouteStatements) switchItems.addToRolePolicy(statement);
    // Route tables of a group scoped by VPC (or tag) are not known at synth time, nor are twins: the statement
    // names route-table/* and the ec2:Vpc condition (ArnEquals on the group's VPC ARN) is what limits it.
    const anyRouteTable = routeTableArn(this, '*');
    if (replaceRouteStatements.some((st) => st.resources.includes(anyRouteTable))) {
      acknowledgeFinding(
        switchItemsTask.role.node.findChild('DefaultPolicy'),
        wildcardResourceFinding(this, anyRouteTable),
        'ec2:ReplaceRoute on the route tables of a group whose scope is its whole VPC or a tag, and on the twins of every ' +
          'group (a group set back to the routes mode still switches the twins subnets use): the tables are found (or created) at run time, so no ARN list exists at synth time. ' +
          "Each such statement carries ArnEquals ec2:Vpc = the group's VPC ARN (and aws:ResourceTag for a tag scope, " +
          'aws:ResourceTag/route-failover:twin-group = the group for twins), so only tables of the configured VPCs can be ' +
          'changed; ReplaceRoute is the only action (no CreateRoute, no DeleteRoute).',
      );
    }
    // ReplaceRouteTableAssociation only when some group uses the associations mode (twin-permissions.ts).
    const associationStatements = replaceAssociationStatements(this, config.groups);
    for (const statement of associationStatements) switchItems.addToRolePolicy(statement);
    if (associationStatements.length > 0) {
      const policy = switchItemsTask.role.node.findChild('DefaultPolicy');
      const moveReason =
        'ec2:ReplaceRouteTableAssociation (the only EC2 write of this function) moves an association between an ' +
        'original and its twin: twins are created at run time and subnets, gateways and VPC-scoped tables are not in the config, so no ARN list exists at synth time. ';
      if (associationStatements.some((st) => st.resources.includes(anyRouteTable))) {
        acknowledgeFinding(
          policy,
          wildcardResourceFinding(this, anyRouteTable),
          moveReason +
            "The new table must be in the group's VPC (ArnEquals ec2:Vpc) and either carry the group's twin tag " +
            '(aws:ResourceTag/route-failover:twin-group) or be in its scope (its scope tag, for a tag scope).',
        );
      }
      acknowledgeFinding(
        policy,
        wildcardResourceFinding(this, subnetArn(this)),
        `${moveReason}A subnet only in one of the associations-mode groups' VPCs (ArnEquals ec2:Vpc).`,
      );
      acknowledgeFinding(
        policy,
        wildcardResourceFinding(this, internetGatewayArn(this)),
        moveReason +
          "An internet gateway's edge association: the reference lists no ec2:Vpc key for the gateway, so it is not " +
          'conditioned; it authorizes nothing by itself, as the same request must be allowed on its new route table.',
      );
    }

    // Group state: exactly the DynamoDB calls of functions/domain/group-state.ts, on the table (it has no index).
    // The key with explicit actions rather than table.grant*Data(), which adds the wildcards kms:ReEncrypt* and
    // kms:GenerateDataKey*; only through DynamoDB (kms:ViaService), so the functions cannot use it directly, and
    // only for this table: DynamoDB passes the table name and the account as the encryption context of every
    // cryptographic call (DescribeKey takes no encryption context, hence a statement of its own).
    const viaDynamoDb = { 'kms:ViaService': `dynamodb.${this.region}.${this.urlSuffix}` };
    const groupStateKeyUse = [
      new PolicyStatement({
        actions: ['kms:DescribeKey'],
        resources: [groupStateKey.keyArn],
        conditions: { StringEquals: viaDynamoDb },
      }),
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [groupStateKey.keyArn],
        conditions: {
          StringEquals: {
            ...viaDynamoDb,
            'kms:EncryptionContext:aws:dynamodb:tableName': groupStateTable.tableName,
            'kms:EncryptionContext:aws:dynamodb:subscriberId': this.account,
          },
        },
      }),
    ];
    acquireLease.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'],
        resources: [groupStateTable.tableArn],
      }),
    );
    releaseLease.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [groupStateTable.tableArn],
      }),
    );
    // resolve-targets reads the member inventory and stores what it saw of each member.
    resolveTargets.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        resources: [groupStateTable.tableArn],
      }),
    );
    // switch-items draws from the pacer of each EC2 write action it can make (EC2 gives each its own bucket):
    // those items only (dynamodb:LeadingKeys), one statement each, never a group's lease. ReplaceRoute always
    // (the associations mode falls back to it); ReplaceRouteTableAssociation only with an associations-mode group.
    const writeActions: Ec2WriteAction[] =
      assocGroups.length > 0 ? ['ReplaceRoute', 'ReplaceRouteTableAssociation'] : ['ReplaceRoute'];
    for (const action of writeActions)
      switchItems.addToRolePolicy(pacerItemUse(groupStateTable.tableArn, pacerItemKey(action)));
    for (const fn of [acquireLease, releaseLease, resolveTargets, planSwitch, switchItems])
      for (const statement of groupStateKeyUse) fn.addToRolePolicy(statement);
    const inventoryRefresh = new InventoryRefresh(this, 'InventoryRefresh', {
      configJson: groupsJson,
      refreshMinutes: config.inventory.refreshMinutes,
      table: groupStateTable,
      keyUse: groupStateKeyUse,
    });
    const twinReconcile =
      assocGroups.length > 0
        ? new TwinReconcile(this, 'TwinReconcile', {
            configJson: groupsJson,
            groups: config.groups,
            reconcileMinutes: config.twins.reconcileMinutes,
            table: groupStateTable,
            keyUse: groupStateKeyUse,
          })
        : undefined;
    // acquire-lease asks whether the lease holder (an execution of this state machine) still runs. Built from
    // the fixed state machine name, not from stateMachine.stateMachineArn: the state machine depends on the
    // function, so a reference back would be a dependency cycle.
    const executionsOfThisStateMachine = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    acquireLease.addToRolePolicy(
      new PolicyStatement({ actions: ['states:DescribeExecution'], resources: [executionsOfThisStateMachine] }),
    );
    acknowledgeFinding(
      acquireLeaseTask.role.node.findChild('DefaultPolicy'),
      wildcardResourceFinding(this, executionsOfThisStateMachine),
      'states:DescribeExecution (read-only) on the executions of this one state machine: execution names are chosen ' +
        'at start time, so the ARN ends in a wildcard for the execution name. acquire-lease only asks whether the ' +
        'execution holding a lease still runs.',
    );

    // Publishing to an SSE-KMS topic needs the key too. Explicit actions rather than topic.grantPublish(),
    // which grants the wildcard 'kms:GenerateDataKey*'; SNS calls GenerateDataKey and Decrypt, through SNS and
    // for this topic only.
    notify.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    notify.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [topicKey.keyArn],
        conditions: { StringEquals: viaSnsForTopic(this, topicArnFromName(this, topicName)) },
      }),
    );

    // ---- State machine -------------------------------------------------------------------------------------
    const stateMachineLogs = new LogGroup(this, 'StateMachineLogs', {
      // Under /aws/vendedlogs/ and unique per deployment (names.ts): retained, so a fixed name would block the
      // next deployment after `cdk destroy`.
      logGroupName: stateMachineLogGroupName(this, stateMachineName),
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // A role of our own, handed to the state machine without policy updates: what CDK would add for logging and
    // tracing (Resource '*') goes into policies of its own below, each acknowledged for exactly that, so the
    // invoke policy carries no acknowledgement a later wildcard could hide behind.
    const stateMachineRole = new Role(this, 'StateMachineRole', {
      assumedBy: new ServicePrincipal('states.amazonaws.com', {
        conditions: {
          ArnEquals: {
            'aws:SourceArn': this.formatArn({
              service: 'states',
              resource: 'stateMachine',
              resourceName: stateMachineName,
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
          StringEquals: { 'aws:SourceAccount': this.account },
        },
      }),
      description: 'vpc-route-failover: execution role of the failover state machine',
    });
    const stateMachine = new StateMachine(this, 'StateMachine', {
      // Fixed, so acquire-lease's DescribeExecution permission can name its executions (see above).
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      role: stateMachineRole.withoutPolicyUpdates(),
      // The one definition, shared with the local runner; inline so tests can read it from the template.
      definitionBody: DefinitionBody.fromString(readFileSync(ASL_PATH, 'utf8')),
      definitionSubstitutions: {
        AcquireLeaseFunctionArn: acquireLease.functionArn,
        ReleaseLeaseFunctionArn: releaseLease.functionArn,
        ResolveTargetsFunctionArn: resolveTargets.functionArn,
        PlanSwitchFunctionArn: planSwitch.functionArn,
        SwitchItemsFunctionArn: switchItems.functionArn,
        VerifySwitchFunctionArn: verifySwitch.functionArn,
        NotifyFunctionArn: notify.functionArn,
      },
      logs: { destination: stateMachineLogs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // Step Functions checks the logging permissions when it creates the state machine: the policies first.
    stateMachine.node.addDependency(stateMachineRole);
    // CDK cannot see the Tasks inside a string definition, so it grants nothing by itself. Explicit rather than
    // fn.grantInvoke(), which also grants '<arn>:*' (every version and alias): the ASL invokes unqualified ARNs.
    const taskFunctions = {
      AcquireLease: acquireLease,
      ResolveTargets: resolveTargets,
      PlanSwitch: planSwitch,
      SwitchItems: switchItems,
      VerifySwitch: verifySwitch,
      Notify: notify,
      ReleaseLease: releaseLease,
    };
    stateMachineRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(taskFunctions).map((fn) => fn.functionArn),
      }),
    );
    const anyResource = (id: string, actions: string[], reason: string) =>
      acknowledgeFinding(
        new Policy(stateMachineRole, id, {
          roles: [stateMachineRole],
          statements: [new PolicyStatement({ actions, resources: ['*'] })],
        }),
        'AwsSolutions-IAM5[Resource::*]',
        reason,
      );
    anyResource(
      'LogDelivery',
      [
        'logs:CreateLogDelivery',
        'logs:GetLogDelivery',
        'logs:UpdateLogDelivery',
        'logs:DeleteLogDelivery',
        'logs:ListLogDeliveries',
        'logs:PutResourcePolicy',
        'logs:DescribeResourcePolicies',
        'logs:DescribeLogGroups',
      ],
      'Step Functions logging (level ALL) to CloudWatch Logs goes through vended log delivery: logs:CreateLogDelivery, ' +
        'GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, ' +
        'DescribeResourcePolicies and DescribeLogGroups support no resource-level permissions, so Step Functions ' +
        'documents them on Resource *. They manage log delivery only and read no log data.',
    );
    anyResource(
      'XRay',
      ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'xray:GetSamplingRules', 'xray:GetSamplingTargets'],
      'X-Ray tracing of the state machine: xray:PutTraceSegments, PutTelemetryRecords, GetSamplingRules and ' +
        'GetSamplingTargets support no resource-level permissions (the service authorization reference lists no ' +
        'resource type for them), so Resource must be *. They write trace data and read sampling rules only.',
    );

    // ---- Triggers ------------------------------------------------------------------------------------------
    // A target that cannot be started (throttled, permissions) lands here instead of vanishing; the alarms
    // (constructs/failover-alarms.ts) turn a message in the queue into notifications.
    const deadLetterQueue = new Queue(this, 'TriggerDeadLetterQueue', {
      // SSE-SQS: EventBridge can deliver to it without a key policy, unlike a customer-managed key.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeFinding(
      deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is itself the dead-letter queue of the EventBridge rule targets (DeadLetterConfig of each rule ' +
        'target), which cdk-nag cannot see because no SQS redrive policy points at it. Nothing consumes it, so a DLQ ' +
        'behind it would never receive anything; a message in it raises the TriggerDeadLetterAlarm instead.',
    );
    addTriggers(this, { config, stateMachine, deadLetterQueue, topic, topicKey, topicName });
    // The route guard between failovers (constructs/guard.ts): reads only, converges through the state machine.
    const guard = new Guard(this, 'Guard', {
      config,
      table: groupStateTable,
      keyUse: groupStateKeyUse,
      topic,
      topicKey,
      topicName,
      stateMachineArn: stateMachine.stateMachineArn,
    });
    // The address switch (Elastic IPs, secondary private IPs) of the groups that move addresses.
    grantAddressSwitch(
      this,
      config.groups,
      { planSwitch: planSwitchTask, switchItems: switchItemsTask, verifySwitch: verifySwitchTask, guard: guard.task },
      groupStateTable.tableArn,
    );
    const alarms = addFailoverAlarms(this, {
      stateMachine,
      functions: {
        ...taskFunctions,
        InventoryRefresh: inventoryRefresh.task.function,
        ...(twinReconcile ? { TwinReconcile: twinReconcile.task.function } : {}),
        Guard: guard.task.function,
      },
      guard: { groups: config.groups.map((g) => g.name), intervalMinutes: config.guard.intervalMinutes },
      deadLetterQueue,
      topic,
      topicKey,
      topicName,
    });

    addFailoverDashboard(this, { groups: config.groups, stateMachine, alarms });

    // ---- Outputs -------------------------------------------------------------------------------------------
    // What detectors and the CLI need (docs/deploy.md): read them from the stack, never guess the ARN.
    new CfnOutput(this, 'StateMachineArn', {
      value: stateMachine.stateMachineArn,
      description: 'Start failover executions here (states:StartExecution)',
    });
    new CfnOutput(this, 'TopicArn', { value: topic.topicArn, description: 'Audit notifications and alarms' });
    new CfnOutput(this, 'GroupStateTableOutput', {
      key: 'GroupStateTable',
      value: groupStateTable.tableName,
      description:
        'Group state (leases, switch history, inventory, maintenance holds): route-failover hold, unhold and status read it',
    });
    new CfnOutput(this, 'GuardFunctionName', {
      value: guard.task.function.functionName,
      description: 'The route guard function: one pass per invocation (aws lambda invoke), besides its schedule',
    });
    new CfnOutput(this, 'Region', { value: this.region });
  }
}
