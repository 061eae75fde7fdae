import { readFileSync } from 'fs';
import * as path from 'path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { FailoverConfig, Group } from '../functions/shared/config';
import { ConfigError } from '../functions/shared/errors';
import { FAILURE_STATES } from '../functions/shared/triggers';
import { FailoverFunction, LAMBDA_ENVIRONMENT_LIMIT_BYTES, environmentSize } from './constructs/failover-function';
import { InventoryRefresh } from './constructs/inventory-refresh';
import { Probe } from './constructs/probe';
import { acknowledgeFinding, wildcardResourceFinding } from './nag';

export const ASL_PATH = path.join(__dirname, '..', 'statemachine', 'failover.asl.json');


/** Deterministic name of a member's status-check alarm (operators and runbooks refer to it). */
export const statusCheckAlarmName = (group: string, member: string): string =>
  `route-failover-${group}-${member}-status-check`;

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
      throw new Error(`stack name ${this.stackName} is too long: the state machine ${stateMachineName} may have 80 characters at most`);
    }

    // ---- Notifications -------------------------------------------------------------------------------------
    const topicKey = new Key(this, 'TopicKey', {
      description: 'Encrypts the vpc-route-failover notification topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const topic = new Topic(this, 'Topic', {
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
    // Functions that only need the groups get no notification addresses.
    const groupsJson = JSON.stringify({ ...config, notifications: { emails: [] } });
    const resolveEnv = { FAILOVER_CONFIG: groupsJson, GROUP_STATE_TABLE: groupStateTable.tableName };
    const acquireLeaseEnv = { FAILOVER_CONFIG: groupsJson, GROUP_STATE_TABLE: groupStateTable.tableName };
    // The config reaches two functions; the larger environment decides (the table name counts as 256 bytes).
    for (const [fn, env] of [['resolve-targets', resolveEnv], ['acquire-lease', acquireLeaseEnv]] as const) {
      const size = environmentSize({ NODE_OPTIONS: '--enable-source-maps', ...env });
      if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
        throw new ConfigError(
          `cdk.json context "failover" is too large: ${fn} receives it in FAILOVER_CONFIG ` +
            `(${Buffer.byteLength(groupsJson, "utf8")} bytes as JSON) and its environment would take ${size} bytes, ` +
            `over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit for all environment variables of a function. ` +
            `Shorten names, drop unused groups, or split the groups across several stacks.`,
        );
      }
    }

    // Timeouts stay below each Task's TimeoutSeconds in the ASL (30/60/120/150/120/30/30 s).
    const acquireLeaseTask = new FailoverFunction(this, 'AcquireLease', {
      folder: 'acquire-lease',
      description: "Takes the group's lease (conditional write) before anything is resolved or planned",
      timeout: Duration.seconds(25),
      environment: acquireLeaseEnv,
    });
    const acquireLease = acquireLeaseTask.function;
    const releaseLease = new FailoverFunction(this, 'ReleaseLease', {
      folder: 'release-lease',
      description: "Gives the group's lease back and records the switch (stale events, flap damping)",
      timeout: Duration.seconds(25),
      environment: { GROUP_STATE_TABLE: groupStateTable.tableName },
    }).function;
    const resolveTargetsTask = new FailoverFunction(this, 'ResolveTargets', {
      folder: 'resolve-targets',
      description: 'Event or manual request -> group, failing and target members, paired interfaces',
      timeout: Duration.seconds(45),
      environment: resolveEnv,
    });
    const resolveTargets = resolveTargetsTask.function;
    const listRoutesTask = new FailoverFunction(this, 'ListRoutes', {
      folder: 'list-routes',
      description: "Routes in the group's tables that target a failing member's interfaces",
      timeout: Duration.seconds(90),
    });
    const listRoutes = listRoutesTask.function;
    const replaceRoutesTask = new FailoverFunction(this, 'ReplaceRoutes', {
      folder: 'replace-routes',
      description: 'One batch (one route table): reads the table, ReplaceRoute onto the paired interfaces (idempotent)',
      // Its own retry budget is 100 s; the Task allows 150 s.
      timeout: Duration.seconds(120),
    });
    const replaceRoutes = replaceRoutesTask.function;
    const verifyRoutesTask = new FailoverFunction(this, 'VerifyRoutes', {
      folder: 'verify-routes',
      description: 'Reads the tables back and checks every moved route',
      timeout: Duration.seconds(90),
    });
    const verifyRoutes = verifyRoutesTask.function;
    const notify = new FailoverFunction(this, 'Notify', {
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
      ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeRouteTables'],
      describeReason(
        'members, their interfaces and source/destination check, status checks, whether an inventory interface is attached elsewhere now, active member from the route tables',
      ),
    );
    for (const task of [listRoutesTask, verifyRoutesTask]) {
      task.allowOnAllResources('Ec2Describe', ['ec2:DescribeRouteTables'], describeReason("the group's route tables"));
    }
    replaceRoutesTask.allowOnAllResources(
      'Ec2Describe',
      ['ec2:DescribeRouteTables'],
      describeReason("the batch's route table, read before writing so a re-run only does what is left"),
    );
    const replaceRouteStatements = this.replaceRouteStatements(config.groups);
    for (const statement of replaceRouteStatements) replaceRoutes.addToRolePolicy(statement);
    // Route tables of a group scoped by VPC (or tag) are not known at synth time: the statement names
    // route-table/* and the ec2:Vpc condition (ArnEquals on the group's VPC ARN) is what limits it.
    const anyRouteTable = this.formatArn({ service: 'ec2', resource: 'route-table', resourceName: '*' });
    if (replaceRouteStatements.some((st) => st.resources.includes(anyRouteTable))) {
      acknowledgeFinding(
        replaceRoutesTask.role.node.findChild('DefaultPolicy'),
        wildcardResourceFinding(this, anyRouteTable),
        "ec2:ReplaceRoute on the route tables of a group whose scope is its whole VPC or a tag: the tables are found " +
          "at run time, so no ARN list exists at synth time. Each such statement carries ArnEquals ec2:Vpc = the group's " +
          'VPC ARN (and aws:ResourceTag for a tag scope), so only tables of the configured VPCs can be changed; ' +
          'ReplaceRoute is the only action (no CreateRoute, no DeleteRoute).',
      );
    }

    // Group state: exactly the DynamoDB calls of functions/shared/group-state.ts, on the table (it has no index).
    // The key with explicit actions rather than table.grant*Data(), which adds the wildcards kms:ReEncrypt* and
    // kms:GenerateDataKey*; and only through DynamoDB (kms:ViaService), so the functions cannot use it directly.
    const groupStateKeyUse = new PolicyStatement({
      actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
      resources: [groupStateKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.${this.urlSuffix}` } },
    });
    acquireLease.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:UpdateItem', 'dynamodb:GetItem'], resources: [groupStateTable.tableArn] }),
    );
    releaseLease.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [groupStateTable.tableArn] }),
    );
    // resolve-targets reads the member inventory and stores what it saw of each member.
    resolveTargets.addToRolePolicy(
      new PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [groupStateTable.tableArn] }),
    );
    for (const fn of [acquireLease, releaseLease, resolveTargets]) fn.addToRolePolicy(groupStateKeyUse);
    new InventoryRefresh(this, 'InventoryRefresh', {
      configJson: groupsJson,
      refreshMinutes: config.inventory.refreshMinutes,
      table: groupStateTable,
      keyUse: groupStateKeyUse,
    });
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
    // which grants the wildcard 'kms:GenerateDataKey*'; SNS calls GenerateDataKey and Decrypt.
    notify.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    notify.addToRolePolicy(
      new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [topicKey.keyArn] }),
    );

    // ---- State machine -------------------------------------------------------------------------------------
    const stateMachineLogs = new LogGroup(this, 'StateMachineLogs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's CloudWatch Logs resource policy.
      logGroupName: `/aws/vendedlogs/states/${stateMachineName}`,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stateMachine = new StateMachine(this, 'StateMachine', {
      // Fixed, so acquire-lease's DescribeExecution permission can name its executions (see above).
      stateMachineName,
      stateMachineType: StateMachineType.STANDARD,
      // The one definition, shared with the local runner; inline so tests can read it from the template.
      definitionBody: DefinitionBody.fromString(readFileSync(ASL_PATH, 'utf8')),
      definitionSubstitutions: {
        AcquireLeaseFunctionArn: acquireLease.functionArn,
        ReleaseLeaseFunctionArn: releaseLease.functionArn,
        ResolveTargetsFunctionArn: resolveTargets.functionArn,
        ListRoutesFunctionArn: listRoutes.functionArn,
        ReplaceRoutesFunctionArn: replaceRoutes.functionArn,
        VerifyRoutesFunctionArn: verifyRoutes.functionArn,
        NotifyFunctionArn: notify.functionArn,
      },
      logs: { destination: stateMachineLogs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // CDK cannot see the Tasks inside a string definition, so it grants nothing by itself. Explicit rather than
    // fn.grantInvoke(), which also grants '<arn>:*' (every version and alias): the ASL invokes unqualified ARNs.
    const taskFunctions = [acquireLease, resolveTargets, listRoutes, replaceRoutes, verifyRoutes, notify, releaseLease];
    stateMachine.addToRolePolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: taskFunctions.map((fn) => fn.functionArn) }),
    );
    acknowledgeFinding(
      stateMachine.role.node.findChild('DefaultPolicy'),
      'AwsSolutions-IAM5[Resource::*]',
      'What Step Functions adds for logging ALL and X-Ray tracing: the CloudWatch Logs vended-delivery actions ' +
        '(logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, ' +
        'PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) and xray:PutTraceSegments, ' +
        'PutTelemetryRecords, GetSamplingRules, GetSamplingTargets support no resource-level permissions, so ' +
        'Step Functions documents them on Resource *. The only other statement, lambda:InvokeFunction, names the ' +
        'seven Task functions.',
    );

    // ---- Triggers ------------------------------------------------------------------------------------------
    // A target that cannot be started (throttled, permissions) lands here instead of vanishing; the alarm below
    // turns a message in the queue into a notification.
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
    const eventsRole = new Role(this, 'TriggerRole', {
      assumedBy: new ServicePrincipal('events.amazonaws.com'),
      description: 'Lets the failover EventBridge rules start the state machine',
    });
    const target = new SfnStateMachine(stateMachine, {
      // No input: the execution receives the whole event, which resolve-targets parses.
      role: eventsRole,
      retryAttempts: 8,
      maxEventAge: Duration.hours(1),
      deadLetterQueue,
    });

    for (const group of config.groups) {
      const scope = new Construct(this, `Group-${group.name}`);

      new Rule(scope, 'InstanceStateRule', {
        description: `vpc-route-failover: a router of group ${group.name} stops or terminates`,
        eventPattern: {
          source: ['aws.ec2'],
          detailType: ['EC2 Instance State-change Notification'],
          detail: { 'instance-id': group.members.map((m) => m.instanceId), state: [...FAILURE_STATES] },
        },
        targets: [target],
      });

      // Automatic failback (off by default): only the preferred member coming back to running starts it; the
      // workflow waits the hold-down and re-checks before moving anything.
      const preferred = group.members.find((m) => m.name === group.preferred);
      if (group.autoFailback && preferred) {
        new Rule(scope, 'FailbackRule', {
          description: `vpc-route-failover: the preferred router of group ${group.name} is running again (automatic failback)`,
          eventPattern: {
            source: ['aws.ec2'],
            detailType: ['EC2 Instance State-change Notification'],
            detail: { 'instance-id': [preferred.instanceId], state: ['running'] },
          },
          targets: [target],
        });
      }

      // Fast detection (README "Fast detection: health probes"): TCP probes from inside the VPC.
      if (group.probe?.enabled) new Probe(scope, 'Probe', { group, stateMachine, topic, topicKey });

      if (!group.statusCheckAlarm.enabled) continue;
      const alarms = group.members.map(
        (member) =>
          new Alarm(scope, `StatusCheck-${member.name}`, {
            alarmName: statusCheckAlarmName(group.name, member.name),
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
            // A stopped instance publishes no status-check data. The EC2 state-change rule already covers that
            // case; treating the silence as breaching would only start a second, redundant execution.
            treatMissingData: TreatMissingData.NOT_BREACHING,
          }),
      );
      // One rule per group rather than one for all: EventBridge limits an event pattern to 2,048 characters
      // by default, and alarm ARNs are long; a group has at most 8 members, so its rule always fits.
      new Rule(scope, 'StatusCheckAlarmRule', {
        description: `vpc-route-failover: a status-check alarm of group ${group.name} goes to ALARM`,
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          resources: alarms.map((a) => a.alarmArn),
          detail: { state: { value: ['ALARM'] } },
        },
        targets: [target],
      });
    }

    // CloudWatch publishes the DLQ alarm to the SSE-KMS topic: the topic policy (replaced by enforceSSL) and the
    // key policy must both let it, scoped to this one alarm against the confused-deputy problem.
    const deadLetterAlarmName = `${this.stackName}-trigger-dead-letters`;
    const fromDeadLetterAlarm = {
      ArnEquals: {
        'aws:SourceArn': this.formatArn({
          service: 'cloudwatch',
          resource: 'alarm',
          resourceName: deadLetterAlarmName,
          arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        }),
      },
      StringEquals: { 'aws:SourceAccount': this.account },
    };
    const cloudWatch = new ServicePrincipal('cloudwatch.amazonaws.com');
    topic.addToResourcePolicy(
      new PolicyStatement({ principals: [cloudWatch], actions: ['sns:Publish'], resources: [topic.topicArn], conditions: fromDeadLetterAlarm }),
    );
    topicKey.addToResourcePolicy(
      new PolicyStatement({
        principals: [cloudWatch],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromDeadLetterAlarm,
      }),
    );
    const deadLetterAlarm = new Alarm(this, 'TriggerDeadLetterAlarm', {
      alarmName: deadLetterAlarmName,
      alarmDescription: 'vpc-route-failover: an EventBridge trigger could not start the state machine (see the DLQ)',
      metric: deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    deadLetterAlarm.addAlarmAction(new SnsAction(topic));

    // ---- Outputs -------------------------------------------------------------------------------------------
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'TopicArn', { value: topic.topicArn });
    new CfnOutput(this, 'Region', { value: this.region });
  }

  /**
   * ec2:ReplaceRoute and nothing else, narrowed per group to its VPC and route-table scope. Per the EC2 service
   * authorization reference ("Actions, resources, and condition keys for Amazon EC2"), ReplaceRoute's only
   * resource type is route-table* (condition keys aws:ResourceTag/${TagKey}, ec2:Region,
   * ec2:ResourceTag/${TagKey}, ec2:RouteTableID, ec2:Vpc); the target network interface is not an authorized
   * resource, so no network-interface ARN is needed. ec2:Vpc is an ARN-typed key, hence ArnEquals.
   */
  private replaceRouteStatements(groups: Group[]): PolicyStatement[] {
    const routeTableArn = (id: string) => this.formatArn({ service: 'ec2', resource: 'route-table', resourceName: id });
    const vpcArn = (id: string) => this.formatArn({ service: 'ec2', resource: 'vpc', resourceName: id });
    return groups.map((group) => {
      const scope = group.routeTables;
      const resources = scope && 'ids' in scope ? scope.ids.map(routeTableArn) : [routeTableArn('*')];
      const conditions: Record<string, Record<string, string>> = { ArnEquals: { 'ec2:Vpc': vpcArn(group.vpcId) } };
      if (scope && 'tag' in scope) conditions.StringEquals = { [`aws:ResourceTag/${scope.tag.key}`]: scope.tag.value };
      return new PolicyStatement({ actions: ['ec2:ReplaceRoute'], resources, conditions });
    });
  }
}
