import { CfnOutput, Duration, Fn, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { type IPeer, Peer, Port, SecurityGroup, Subnet, Vpc } from 'aws-cdk-lib/aws-ec2';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { Function as ProbeFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Group } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import { PROBE_METRICS, PROBE_NAMESPACE } from '../../functions/probe/metrics';
import { allowAlarmsToPublish } from '../alarm-publishing';
import { FailoverFunction } from './failover-function';

/** Alarm raised when a group's probe stops reporting (a dead detector). */
export const probeSilentAlarmName = (stackName: string, group: string): string => `${stackName}-${group}-probe-silent`;
/** Alarm raised while every member of a group fails its probe (nothing is failed over then). */
export const probeAllDownAlarmName = (stackName: string, group: string): string =>
  `${stackName}-${group}-probe-all-members-down`;

export interface ProbeProps {
  /** A validated group whose probe is enabled (the schema guarantees every member's probeAddress then). */
  readonly group: Group;
  /** The failover workflow: the only thing the probe may start. */
  readonly stateMachine: IStateMachine;
  /** Where the probe's alarms go. */
  readonly topic: ITopic;
  /** The topic's KMS key: CloudWatch needs it to publish the alarms to the encrypted topic. */
  readonly topicKey?: IKey;
  /** The topic's fixed name; required with topicKey, whose policy names the topic (infra/alarm-publishing.ts). */
  readonly topicName?: string;
  /**
   * Where HTTPS to the Step Functions API may go. Default: any IPv4 address, port 443 only — the interface
   * endpoint's addresses (or the NAT path) are not known at synth time without lookups, and Step Functions has
   * no AWS-managed prefix list. Pass the endpoint's security group or the VPC CIDR to narrow it.
   */
  readonly apiEgress?: IPeer;
}

/**
 * The health probe of one group: a Lambda function in the group's subnets, started every minute, that
 * connects to each member's probe ports every few seconds and starts the failover workflow when a member
 * stops answering while its peer answers. Its security group can reach only the members' probe ports and
 * HTTPS; an alarm fires when it stops reporting, another while every member fails.
 */
export class Probe extends Construct {
  readonly function: ProbeFunction;
  readonly securityGroup: SecurityGroup;
  readonly schedule: Rule;
  readonly silentAlarm: Alarm;
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
    const subnets = probe.subnetIds.map((id) => Subnet.fromSubnetId(this, `Subnet-${id}`, id));

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
      'Step Functions API (interface endpoint or NAT)',
    );
    // The routers' own security groups must let this one in on the probe ports; they are not this stack's to change.
    new CfnOutput(this, 'SecurityGroupId', {
      value: this.securityGroup.securityGroupId,
      description: `Security group of the ${group.name} probe: allow it in on TCP ${probe.ports.join(', ')} in the routers' security groups`,
    });

    this.function = new FailoverFunction(this, 'Function', {
      folder: 'probe',
      description: `Health probe of group ${group.name}: TCP connects to its members every ${probe.intervalSeconds} s`,
      // An invocation stops starting rounds 2 s before the next minute; 70 s only matters if something hangs.
      timeout: Duration.seconds(70),
      environment: {
        // Only this group, in the config's own shape: the function validates it with the same schema.
        PROBE_CONFIG: JSON.stringify({ groups: [group] }),
        GROUP: group.name,
        STATE_MACHINE_ARN: props.stateMachine.stateMachineArn,
      },
      vpc,
      vpcSubnets: { subnets },
      securityGroups: [this.securityGroup],
      // One invocation at a time: the detector's counts live in the warm execution environment, and two
      // overlapping detectors could each date the same failure differently (two execution names).
      reservedConcurrentExecutions: 1,
    }).function;
    // A probe minute that could not run on time is worthless later: no retries, no queueing past a minute.
    this.function.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.seconds(60) });
    props.stateMachine.grantStartExecution(this.function);

    this.schedule = new Rule(this, 'Schedule', {
      description: `vpc-route-failover: run the health probe of group ${group.name} every minute`,
      // cron, not rate: invocations start at the wall-clock minute, which is what each one probes until.
      schedule: Schedule.cron({ minute: '*' }),
      targets: [new LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.seconds(60) })],
    });

    const stackName = Stack.of(this).stackName;
    const metric = (metricName: string, statistic: string) =>
      new Metric({
        namespace: PROBE_NAMESPACE,
        metricName,
        dimensionsMap: { Group: group.name },
        statistic,
        period: Duration.minutes(1),
      });
    this.silentAlarm = new Alarm(this, 'SilentAlarm', {
      alarmName: probeSilentAlarmName(stackName, group.name),
      alarmDescription: `vpc-route-failover: the health probe of group ${group.name} reports nothing (function failing, throttled, or unable to run in its subnets): fast detection is off`,
      metric: metric(PROBE_METRICS.rounds, 'Sum'),
      evaluationPeriods: 3,
      threshold: 1,
      comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
      // No data at all is exactly the failure this alarm exists for.
      treatMissingData: TreatMissingData.BREACHING,
    });
    this.allDownAlarm = new Alarm(this, 'AllMembersDownAlarm', {
      alarmName: probeAllDownAlarmName(stackName, group.name),
      alarmDescription: `vpc-route-failover: every member of group ${group.name} fails its health probe; nothing was failed over (check the probe's subnets and security group first)`,
      metric: metric(PROBE_METRICS.allMembersDown, 'Maximum'),
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // Silence is the other alarm's business.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    for (const alarm of [this.silentAlarm, this.allDownAlarm]) {
      alarm.addAlarmAction(new SnsAction(props.topic));
      alarm.addOkAction(new SnsAction(props.topic));
    }
    allowAlarmsToPublish(this, {
      topic: props.topic,
      topicKey: props.topicKey,
      topicName: props.topicName,
      alarmNames: [probeSilentAlarmName(stackName, group.name), probeAllDownAlarmName(stackName, group.name)],
    });
  }
}
