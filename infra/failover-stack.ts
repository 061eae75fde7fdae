import { readFileSync } from 'fs';
import * as path from 'path';
import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, StackProps } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
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
import { Probe } from './constructs/probe';

export const ASL_PATH = path.join(__dirname, '..', 'statemachine', 'failover.asl.json');


/** Deterministic name of a member's status-check alarm (operators and runbooks refer to it). */
export const statusCheckAlarmName = (group: string, member: string): string =>
  `route-failover-${group}-${member}-status-check`;

export interface FailoverStackProps extends StackProps {
  /** Already validated with parseConfig. */
  readonly config: FailoverConfig;
}

/**
 * Everything that runs a failover: the five Task functions, the state machine built from
 * statemachine/failover.asl.json, the EventBridge rules and status-check alarms that start it, and the
 * encrypted SNS topic the audit record is published to. Environment-agnostic: no lookups, synth works offline.
 */
export class FailoverStack extends Stack {
  constructor(scope: Construct, id: string, props: FailoverStackProps) {
    super(scope, id, props);
    const { config } = props;

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

    // ---- Task functions ------------------------------------------------------------------------------------
    const configJson = JSON.stringify(config);
    const resolveEnv = { FAILOVER_CONFIG: configJson };
    const resolveEnvSize = environmentSize({ NODE_OPTIONS: '--enable-source-maps', ...resolveEnv });
    if (resolveEnvSize > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
      throw new ConfigError(
        `cdk.json context "failover" is too large: resolve-targets receives it in FAILOVER_CONFIG ` +
          `(${Buffer.byteLength(configJson, 'utf8')} bytes as JSON) and its environment would take ${resolveEnvSize} bytes, ` +
          `over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit for all environment variables of a function. ` +
          `Shorten names, drop unused groups, or split the groups across several stacks.`,
      );
    }

    // Timeouts stay below each Task's TimeoutSeconds in the ASL (60/120/30/120/30 s).
    const resolveTargets = new FailoverFunction(this, 'ResolveTargets', {
      folder: 'resolve-targets',
      description: 'Event or manual request -> group, failing and target members, paired interfaces',
      timeout: Duration.seconds(45),
      environment: resolveEnv,
    }).function;
    const listRoutes = new FailoverFunction(this, 'ListRoutes', {
      folder: 'list-routes',
      description: "Routes in the group's tables that target a failing member's interfaces",
      timeout: Duration.seconds(90),
    }).function;
    const replaceRoute = new FailoverFunction(this, 'ReplaceRoute', {
      folder: 'replace-route',
      description: 'One ReplaceRoute onto the paired interface (idempotent)',
      timeout: Duration.seconds(25),
    }).function;
    const verifyRoutes = new FailoverFunction(this, 'VerifyRoutes', {
      folder: 'verify-routes',
      description: 'Reads the tables back and checks every moved route',
      timeout: Duration.seconds(90),
    }).function;
    const notify = new FailoverFunction(this, 'Notify', {
      folder: 'notify',
      description: 'Builds the audit record and publishes it to SNS',
      timeout: Duration.seconds(25),
      environment: { TOPIC_ARN: topic.topicArn },
    }).function;

    // ---- Least-privilege IAM, per function -----------------------------------------------------------------
    // EC2 Describe* actions support no resource-level permissions: the service authorization reference lists
    // no resource type for them, so Resource must be '*'. They are read-only.
    resolveTargets.addToRolePolicy(
      new PolicyStatement({
        actions: ['ec2:DescribeInstances', 'ec2:DescribeInstanceStatus', 'ec2:DescribeRouteTables'],
        resources: ['*'],
      }),
    );
    for (const fn of [listRoutes, verifyRoutes]) {
      fn.addToRolePolicy(new PolicyStatement({ actions: ['ec2:DescribeRouteTables'], resources: ['*'] }));
    }
    for (const statement of this.replaceRouteStatements(config.groups)) replaceRoute.addToRolePolicy(statement);

    // Publishing to an SSE-KMS topic needs the key too. Explicit actions rather than topic.grantPublish(),
    // which grants the wildcard 'kms:GenerateDataKey*'; SNS calls GenerateDataKey and Decrypt.
    notify.addToRolePolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [topic.topicArn] }));
    notify.addToRolePolicy(
      new PolicyStatement({ actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [topicKey.keyArn] }),
    );

    // ---- State machine -------------------------------------------------------------------------------------
    const stateMachineLogs = new LogGroup(this, 'StateMachineLogs', {
      // The /aws/vendedlogs/ prefix keeps Step Functions from growing the account's CloudWatch Logs resource policy.
      logGroupName: `/aws/vendedlogs/states/${this.stackName}-failover`,
      retention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      // The one definition, shared with the local runner; inline so tests can read it from the template.
      definitionBody: DefinitionBody.fromString(readFileSync(ASL_PATH, 'utf8')),
      definitionSubstitutions: {
        ResolveTargetsFunctionArn: resolveTargets.functionArn,
        ListRoutesFunctionArn: listRoutes.functionArn,
        ReplaceRouteFunctionArn: replaceRoute.functionArn,
        VerifyRoutesFunctionArn: verifyRoutes.functionArn,
        NotifyFunctionArn: notify.functionArn,
      },
      logs: { destination: stateMachineLogs, level: LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    // CDK cannot see the Tasks inside a string definition, so it grants nothing by itself.
    for (const fn of [resolveTargets, listRoutes, replaceRoute, verifyRoutes, notify]) fn.grantInvoke(stateMachine);

    // ---- Triggers ------------------------------------------------------------------------------------------
    // A target that cannot be started (throttled, permissions) lands here instead of vanishing; the alarm below
    // turns a message in the queue into a notification.
    const deadLetterQueue = new Queue(this, 'TriggerDeadLetterQueue', {
      // SSE-SQS: EventBridge can deliver to it without a key policy, unlike a customer-managed key.
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
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
