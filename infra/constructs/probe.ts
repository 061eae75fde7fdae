import { Annotations, CfnOutput, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type IPeer, Peer, Port, SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as ProbeFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Group } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import { PROBE_METRICS, PROBE_NAMESPACE } from '../../functions/probe/metrics';
import { HARD_RUN_MS, PROBE_RESERVED_PER_LOCATION } from '../../functions/probe/hand-over';
import { probeItemKey } from '../../functions/probe/probe-state';
import { allowAlarmsToPublish } from '../alarm-publishing';
import { FailoverFunction } from './failover-function';

/** Alarm raised when one probe location of a group stops reporting (a dead detector there). */
export const probeSilentAlarmName = (stackName: string, group: string, location: string): string =>
  `${stackName}-${group}-probe-silent-${location}`;
/** Alarm raised while every member of a group fails its probe (nothing is failed over then). */
export const probeAllDownAlarmName = (stackName: string, group: string): string =>
  `${stackName}-${group}-probe-all-members-down`;

export interface ProbeProps {
  /** A validated group whose probe is enabled (the schema guarantees every member's probeAddress then). */
  readonly group: Group;
  /** The failover workflow: the only thing the probe may start. */
  readonly stateMachine: IStateMachine;
  /** The group-state table: the locations meet in the group's probe item (functions/probe/probe-state.ts). */
  readonly stateTable: ITable;
  /** Where the probe's alarms go. */
  readonly topic: ITopic;
  /** The topic's KMS key: CloudWatch needs it to publish the alarms to the encrypted topic. */
  readonly topicKey?: IKey;
  /** The topic's fixed name; required with topicKey, whose policy names the topic (infra/alarm-publishing.ts). */
  readonly topicName?: string;
  /**
   * Where HTTPS to the Step Functions and DynamoDB APIs may go. Default: any IPv4 address, port 443 only — the
   * interface endpoint's addresses (or the NAT path) are not known at synth time without lookups, and Step
   * Functions has no AWS-managed prefix list. Pass the endpoint's security group or the VPC CIDR to narrow it.
   */
  readonly apiEgress?: IPeer;
}

/**
 * The health probe of one group: one Lambda function per probe subnet (a location, one per AZ), each started
 * every minute and probing until the next minute's invocation has taken over (they overlap for a few seconds, so
 * probing never stops at a minute boundary), connecting to each member's probe ports several times a second.
 * The locations meet in the group-state table and start the failover workflow when every live one has a member
 * down while its peer answers (docs/detection.md). Their security group can reach only the members' probe ports
 * and HTTPS; an alarm fires when a location stops reporting, another while every member fails.
 */
export class Probe extends Construct {
  /** One per location, by subnet ID. */
  readonly functions: Record<string, ProbeFunction> = {};
  readonly securityGroup: SecurityGroup;
  readonly schedules: Record<string, Rule> = {};
  readonly silentAlarms: Alarm[] = [];
  readonly allDownAlarm: Alarm;

  constructor(scope: Construct, id: string, props: ProbeProps) {
    super(scope, id);
    const { group } = props;
    const probe = group.probe;
    if (!probe?.enabled) throw new ConfigError(`group "${group.name}": the probe construct needs an enabled probe`);

    // Imported by ID, no lookups: synth stays offline. The subnets are chosen explicitly, so the AZ list is never
    // used; Fn::GetAZs only satisfies the attribute check (stack.availabilityZones would be a context lookup in
    // a stack with a concrete environment).
    const vpc = Vpc.fromVpcAttributes(this, 'Vpc', { vpcId: group.vpcId, availabilityZones: Fn.getAzs() });
    if (probe.subnetIds.length < 2) {
      Annotations.of(this).addWarningV2(
        'vpc-route-failover:probe-one-location',
        `group ${group.name}: the probe runs from one subnet only; list one subnet per AZ (two at least) ` +
          'so that a problem near one location cannot hide a failure or fake one',
      );
    }

    this.securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      vpc,
      description: `vpc-route-failover probe of group ${group.name}: egress only to the member probe ports and HTTPS`,
      allowAllOutbound: false,
    });
    for (const member of group.members) {
      for (const port of probe.ports) {
        this.securityGroup.addEgressRule(
          Peer.ipv4(`${member.probeAddress}/32`),
          Port.tcp(port),
          `probe ${member.name} on TCP ${port}`,
        );
      }
    }
    // DNS needs no rule: security groups do not filter traffic to the VPC's Amazon-provided resolver.
    this.securityGroup.addEgressRule(
      props.apiEgress ?? Peer.anyIpv4(),
      Port.tcp(443),
      'Step Functions and DynamoDB APIs (endpoints or NAT)',
    );
    // The routers' own security groups must let this one in on the probe ports; they are not this stack's to change.
    new CfnOutput(this, 'SecurityGroupId', {
      value: this.securityGroup.securityGroupId,
      description:
        `Security group of the ${group.name} probe: allow it in on TCP ${probe.ports.join(', ')} ` +
        "in the routers' security groups",
    });

    for (const subnetId of probe.subnetIds) {
      const fn = new FailoverFunction(this, `Function-${subnetId}`, {
        folder: 'probe',
        description:
          `Health probe of group ${group.name} from ${subnetId}: ` +
          `TCP connects to its members every ${probe.intervalMs} ms`,
        // An invocation probes up to HARD_RUN_MS (it normally hands over a few seconds after its minute); the rest
        // is margin.
        timeout: Duration.millis(HARD_RUN_MS + 10_000),
        // The probe is mostly waiting on sockets; the smallest size keeps a continuously running location cheap.
        memorySize: 128,
        environment: {
          // Only this group, in the config's own shape: the function validates it with the same schema.
          PROBE_CONFIG: JSON.stringify({ groups: [group] }),
          GROUP: group.name,
          PROBE_LOCATION: subnetId,
          STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
          GROUP_STATE_TABLE: props.stateTable.tableName,
        },
        vpc,
        vpcSubnets: { subnets: [Subnet.fromSubnetId(this, `Subnet-${subnetId}`, subnetId)] },
        securityGroups: [this.securityGroup],
        // Two invocations overlap at each hand-over, a third only if one ran to its hard end while the next
        // minute's started: never more (each writes its own slot of the probe item).
        reservedConcurrentExecutions: PROBE_RESERVED_PER_LOCATION,
      }).function;
      // A probe minute that could not run on time is worthless later: no retries, no queueing past a minute.
      fn.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
      props.stateMachine.grantStartExecution(fn);
      for (const statement of probeItemUse(this, props.stateTable, group.name)) fn.addToRolePolicy(statement);
      this.functions[subnetId] = fn;
      this.schedules[subnetId] = new Rule(this, `Schedule-${subnetId}`, {
        description: `vpc-route-failover: run the health probe of group ${group.name} from ${subnetId} every minute`,
        // cron, not rate: invocations start at the wall-clock minute; each probes until the next has taken over.
        schedule: Schedule.cron({ minute: '*' }),
        targets: [new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.seconds(60) })],
      });
    }

    const stackName = Stack.of(this).stackName;
    const metric = (metricName: string, statistic: string, dimensionsMap: Record<string, string>) =>
      new Metric({ namespace: PROBE_NAMESPACE, metricName, dimensionsMap, statistic, period: Duration.minutes(1) });
    for (const subnetId of probe.subnetIds) {
      this.silentAlarms.push(
        new Alarm(this, `SilentAlarm-${subnetId}`, {
          alarmName: probeSilentAlarmName(stackName, group.name, subnetId),
          alarmDescription:
            `vpc-route-failover: the health probe of group ${group.name} in ${subnetId} reports nothing ` +
            '(function failing, throttled, or unable to run in its subnet, or its AZ is out): ' +
            'that location is not live, and with fewer live locations than minAgreeingLocations ' +
            'the probe fails nothing over',
          metric: metric(PROBE_METRICS.rounds, 'Sum', { Group: group.name, Location: subnetId }),
          evaluationPeriods: 2,
          threshold: 1,
          comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
          // No data at all is exactly the failure this alarm exists for.
          treatMissingData: TreatMissingData.BREACHING,
        }),
      );
    }
    this.allDownAlarm = new Alarm(this, 'AllMembersDownAlarm', {
      alarmName: probeAllDownAlarmName(stackName, group.name),
      alarmDescription:
        `vpc-route-failover: a probe location sees every member of group ${group.name} fail; ` +
        "it fails nothing over (check the probe's subnets and security group first)",
      metric: metric(PROBE_METRICS.allMembersDown, 'Maximum', { Group: group.name }),
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Silence is the other alarm's business.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [...this.silentAlarms, this.allDownAlarm]) {
      alarm.addAlarmAction(new SnsAction(props.topic));
      alarm.addOkAction(new SnsAction(props.topic));
    }
    allowAlarmsToPublish(this, {
      topic: props.topic,
      topicKey: props.topicKey,
      topicName: props.topicName,
      alarmNames: [
        ...probe.subnetIds.map((s) => probeSilentAlarmName(stackName, group.name, s)),
        probeAllDownAlarmName(stackName, group.name),
      ],
    });
  }
}

/**
 * The probe's use of the group-state table: exactly its calls (functions/probe/probe-state.ts) on its group's
 * probe item only (dynamodb:LeadingKeys), never a lease; the table's key through DynamoDB only, for this table,
 * with explicit actions (table.grant*Data() would add the wildcards kms:ReEncrypt* and kms:GenerateDataKey*).
 */
const probeItemUse = (scope: Construct, table: ITable, group: string): PolicyStatement[] => {
  const stack = Stack.of(scope);
  const statements = [
    new PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      resources: [table.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [probeItemKey(group)] } },
    }),
  ];
  if (table.encryptionKey) {
    statements.push(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [table.encryptionKey.keyArn],
        conditions: {
          StringEquals: {
            'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}`,
            'kms:EncryptionContext:aws:dynamodb:tableName': table.tableName,
            'kms:EncryptionContext:aws:dynamodb:subscriberId': stack.account,
          },
        },
      }),
    );
  }
  return statements;
};
