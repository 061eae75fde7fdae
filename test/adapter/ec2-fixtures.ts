import {
  EC2ServiceException,
  type Instance,
  type InstanceStateName,
  type InstanceStatus,
  type Route,
  type RouteTable,
  type SummaryStatus,
} from '@aws-sdk/client-ec2';
import { SNSServiceException } from '@aws-sdk/client-sns';
import type { FailoverState } from '../../functions/contract/schemas';
import { execution, GROUP, IDS } from '../unit/fixtures';

/** EC2-side shapes for the adapter tests. Every factory returns a fresh object. */

/** An EC2 error as the SDK surfaces it (name = EC2's error code). */
export const ec2Error = (
  name: string,
  opts: { fault?: 'client' | 'server'; status?: number; message?: string } = {},
): EC2ServiceException =>
  new EC2ServiceException({
    name,
    $fault: opts.fault ?? 'client',
    $metadata: { httpStatusCode: opts.status ?? 400, requestId: 'f1e2d3c4-0000-4000-8000-000000000000', attempts: 3 },
    message: opts.message ?? `${name} (test)`,
  });

/** An SNS error as the SDK surfaces it. */
export const snsError = (
  name: string,
  opts: { fault?: 'client' | 'server'; status?: number; message?: string } = {},
): SNSServiceException =>
  new SNSServiceException({
    name,
    $fault: opts.fault ?? 'client',
    $metadata: { httpStatusCode: opts.status ?? 400, requestId: 'a1b2c3d4-0000-4000-8000-000000000000' },
    message: opts.message ?? `${name} (test)`,
  });

/** An interface attached to an instance: [eni, deviceIndex, networkCardIndex?]. */
export type Attached = [eni: string, deviceIndex: number, networkCardIndex?: number];

/** A DescribeInstances instance with its network interfaces; source/destination check off, as on a router. */
export const instance = (
  instanceId: string,
  state: InstanceStateName | string,
  enis: Attached[],
  az = 'eu-west-1a',
): Instance => ({
  InstanceId: instanceId,
  State: { Name: state as InstanceStateName, Code: 16 },
  Placement: { AvailabilityZone: az },
  VpcId: IDS.vpc,
  NetworkInterfaces: enis.map(([eni, deviceIndex, card]) => ({
    NetworkInterfaceId: eni,
    Attachment: {
      AttachmentId: `eni-attach-${eni.slice(4)}`,
      DeviceIndex: deviceIndex,
      NetworkCardIndex: card,
      Status: 'attached',
    },
    Status: 'in-use',
    SourceDestCheck: false,
  })),
});

/** A copy of `inst` with source/destination check as given on one of its interfaces (undefined: EC2 did not say). */
export const withSourceDestCheck = (inst: Instance, eni: string, value: boolean | undefined): Instance => ({
  ...inst,
  NetworkInterfaces: (inst.NetworkInterfaces ?? []).map((n) =>
    n.NetworkInterfaceId === eni ? { ...n, SourceDestCheck: value } : { ...n },
  ),
});

/**
 * A DescribeInstanceStatus (IncludeAllInstances) entry. Defaults follow the instance state: a running
 * instance passes both checks, any other state has them not applicable, as EC2 reports.
 */
export const instanceStatus = (
  instanceId: string,
  state: InstanceStateName | string = 'running',
  checks: { instance?: SummaryStatus | string; system?: SummaryStatus | string } = {},
): InstanceStatus => {
  const byState = state === 'running' ? 'ok' : 'not-applicable';
  const summary = (status: string) => ({
    Status: status as SummaryStatus,
    Details: [
      {
        Name: 'reachability' as const,
        Status: (status === 'ok' ? 'passed' : status === 'impaired' ? 'failed' : status) as 'passed',
      },
    ],
  });
  return {
    InstanceId: instanceId,
    AvailabilityZone: 'eu-west-1a',
    InstanceState: { Name: state as InstanceStateName, Code: state === 'running' ? 16 : 80 },
    InstanceStatus: summary(checks.instance ?? byState),
    SystemStatus: summary(checks.system ?? byState),
  };
};

/** The DescribeInstanceStatus answer for these instances, each with status checks matching its state. */
export const describeInstanceStatusOutput = (...instances: Instance[]) => ({
  InstanceStatuses: instances.map((i) => instanceStatus(i.InstanceId!, i.State?.Name)),
});

/** router-a (eth0, eth1) and router-b (eth0, eth1), in two AZs. */
export const routerA = (
  state = 'running',
  enis: Attached[] = [
    [IDS.eniA0, 0],
    [IDS.eniA1, 1],
  ],
) => instance(IDS.routerA, state, enis, 'eu-west-1a');
export const routerB = (
  state = 'running',
  enis: Attached[] = [
    [IDS.eniB0, 0],
    [IDS.eniB1, 1],
  ],
) => instance(IDS.routerB, state, enis, 'eu-west-1b');
export const routerC = (
  state = 'running',
  enis: Attached[] = [
    [IDS.eniC0, 0],
    [IDS.eniC1, 1],
  ],
) => instance(IDS.routerC, state, enis, 'eu-west-1c');

/** A DescribeInstances answer (one reservation per instance, as for separately launched instances). */
export const describeInstancesOutput = (...instances: Instance[]) => ({
  Reservations: instances.map((i, n) => ({
    ReservationId: `r-0${n}aaaaaaaaaaaaaaa`,
    OwnerId: IDS.account,
    Instances: [i],
  })),
});

/** A route to an ENI (IPv4 unless said otherwise). */
export const eniRoute = (destination: string, eni: string, extra: Partial<Route> = {}): Route => ({
  ...(destination.startsWith('pl-')
    ? { DestinationPrefixListId: destination }
    : destination.includes(':')
      ? { DestinationIpv6CidrBlock: destination }
      : { DestinationCidrBlock: destination }),
  NetworkInterfaceId: eni,
  InstanceOwnerId: IDS.account,
  Origin: 'CreateRoute',
  State: 'active',
  ...extra,
});

export const localRoute = (cidr = '10.0.0.0/16'): Route => ({
  DestinationCidrBlock: cidr,
  GatewayId: 'local',
  Origin: 'CreateRouteTable',
  State: 'active',
});
export const igwRoute = (): Route => ({
  DestinationCidrBlock: '0.0.0.0/0',
  GatewayId: 'igw-0123456789abcdef0',
  Origin: 'CreateRoute',
  State: 'active',
});

export const routeTable = (id: string, routes: Route[], vpcId: string = IDS.vpc): RouteTable => ({
  RouteTableId: id,
  VpcId: vpcId,
  OwnerId: IDS.account,
  Routes: routes,
  Associations: [],
  Tags: [{ Key: 'Name', Value: id }],
});

/** The PlanSwitch input: router-a is failing, router-b is the target, eth0/eth1 paired. */
export const failoverState = (overrides: Partial<FailoverState> = {}): FailoverState => ({
  action: 'failover',
  trigger: {
    kind: 'instance-state',
    summary: `EC2 instance ${IDS.routerA} (router-a) entered stopping`,
    instanceId: IDS.routerA,
    instanceState: 'stopping',
  },
  dryRun: false,
  group: { name: GROUP, vpcId: IDS.vpc },
  sources: [{ name: 'router-a', instanceId: IDS.routerA, state: 'stopping', availabilityZone: 'eu-west-1a' }],
  target: { name: 'router-b', instanceId: IDS.routerB, state: 'running', availabilityZone: 'eu-west-1b' },
  pairs: [
    { slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniB0 },
    { slot: '0/1', fromMember: 'router-a', fromEni: IDS.eniA1, toEni: IDS.eniB1 },
  ],
  targetEnis: [IDS.eniB0, IDS.eniB1],
  maxConcurrency: 10,
  execution: execution(),
  resolvedAt: '2026-11-25T14:30:06.000Z',
  ...overrides,
});

export const FIXED_NOW = () => new Date('2026-11-25T14:30:07.000Z');
