/**
 * EC2 instances and network interfaces: DescribeInstances, DescribeInstanceStatus,
 * DescribeNetworkInterfaces, AZ impairment.
 */
import type {
  DescribeInstanceStatusRequest,
  DescribeInstanceStatusResult,
  DescribeInstancesRequest,
  DescribeInstancesResult,
  DescribeNetworkInterfacesRequest,
  DescribeNetworkInterfacesResult,
  Filter,
  Instance,
  InstanceNetworkInterface,
  InstanceStatus,
  InstanceStatusSummary,
  NetworkInterface,
} from '@aws-sdk/client-ec2';
import { ipAssociationOutput, privateIpsOf, privateIpsOutput } from './addresses';
import { EC2_FAULT_DEFAULTS, fault } from './faults';
import {
  checkDryRun,
  checkFilters,
  checkPaging,
  compact,
  matchesFilters,
  paginate,
  selectByIds,
  toTags,
  type FilterSpec,
  type PageRequest,
} from './filters';
import type { SimState } from './state';
import type { CommandInput, EniRecord, InstanceRecord, InstanceStateName, Service, StatusCheck } from './types';

export const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export function describeInstances(s: SimState, input: DescribeInstancesRequest): DescribeInstancesResult {
  const req = instancePaging(s, 'DescribeInstances', input);
  const spec = instanceFilters(s);
  checkFilters(input.Filters, spec);
  const selected = selectInstances(s, input.InstanceIds).filter((i) => matchesFilters(i, input.Filters, spec));
  checkDryRun(input);
  const { page, NextToken } = paginate(selected, req);
  const Reservations = page.map((i) => ({
    ReservationId: i.reservationId,
    OwnerId: s.accountId,
    Groups: [],
    Instances: [instanceOutput(s, i)],
  }));
  return compact({ Reservations, NextToken });
}

export function describeInstanceStatus(
  s: SimState,
  input: DescribeInstanceStatusRequest,
): DescribeInstanceStatusResult {
  const req = instancePaging(s, 'DescribeInstanceStatus', input);
  const spec: FilterSpec<InstanceRecord> = {
    fields: {
      'instance-state-name': (i) => [i.state],
      'instance-state-code': (i) => [String(STATE_CODES[i.state])],
      'availability-zone': (i) => [i.availabilityZone],
      'instance-status.status': (i) => [statusSummary(s, i, i.instanceCheck).Status],
      'system-status.status': (i) => [statusSummary(s, i, i.systemCheck).Status],
    },
  };
  checkFilters(input.Filters, spec);
  const selected = selectInstances(s, input.InstanceIds)
    // Without IncludeAllInstances EC2 only reports running instances, even ones asked for by ID.
    .filter((i) => input.IncludeAllInstances === true || i.state === 'running')
    .filter((i) => matchesFilters(i, input.Filters, spec));
  checkDryRun(input);
  const { page, NextToken } = paginate(selected, req);
  return compact({ InstanceStatuses: page.map((i) => instanceStatusOutput(s, i)), NextToken });
}

export function describeNetworkInterfaces(
  s: SimState,
  input: DescribeNetworkInterfacesRequest,
): DescribeNetworkInterfacesResult {
  const req: PageRequest = {
    action: 'DescribeNetworkInterfaces',
    MaxResults: input.MaxResults,
    NextToken: input.NextToken,
    filters: input.Filters,
    ids: { param: 'networkInterfaceIds', value: input.NetworkInterfaceIds },
    min: 5,
    max: 1000,
  };
  checkPaging(req);
  const spec: FilterSpec<EniRecord> = {
    fields: {
      'network-interface-id': (e) => [e.eniId],
      'vpc-id': (e) => [e.vpcId],
      'subnet-id': (e) => [e.subnetId],
      'availability-zone': (e) => [e.availabilityZone],
      status: (e) => [e.attachment ? 'in-use' : 'available'],
      'attachment.instance-id': (e) => [e.attachment?.instanceId],
      'attachment.device-index': (e) => [e.attachment && String(e.attachment.deviceIndex)],
      'attachment.status': (e) => [e.attachment && 'attached'],
      'source-dest-check': (e) => [String(e.sourceDestCheck)],
      'addresses.private-ip-address': (e) => privateIpsOf(e),
      'association.allocation-id': (e) =>
        privateIpsOf(e).map((ip) => ipAssociationOutput(s, e.eniId, ip)?.AllocationId),
      'association.public-ip': (e) => privateIpsOf(e).map((ip) => ipAssociationOutput(s, e.eniId, ip)?.PublicIp),
    },
  };
  checkFilters(input.Filters, spec);
  let enis = [...s.enis.values()];
  if (input.NetworkInterfaceIds?.length) enis = selectByIds('eni', input.NetworkInterfaceIds, s.enis);
  enis = enis.filter((e) => matchesFilters(e, input.Filters, spec));
  checkDryRun(input);
  const { page, NextToken } = paginate(enis, req);
  return compact({ NetworkInterfaces: page.map((e) => networkInterfaceOutput(s, e)), NextToken });
}

export function instancePaging(
  _s: SimState,
  action: string,
  input: { MaxResults?: number; NextToken?: string; Filters?: Filter[]; InstanceIds?: string[] },
): PageRequest {
  const req: PageRequest = {
    action,
    MaxResults: input.MaxResults,
    NextToken: input.NextToken,
    filters: input.Filters,
    ids: { param: 'instanceIds', value: input.InstanceIds },
    min: 5,
    max: 1000,
  };
  checkPaging(req);
  return req;
}

export function selectInstances(s: SimState, ids: string[] | undefined): InstanceRecord[] {
  return ids?.length ? selectByIds('i', ids, s.instances) : [...s.instances.values()];
}

export function instanceFilters(s: SimState): FilterSpec<InstanceRecord> {
  const visible = (i: InstanceRecord): boolean => i.state !== 'terminated';
  return {
    tags: (i) => i.tags,
    fields: {
      'instance-id': (i) => [i.instanceId],
      'vpc-id': (i) => [visible(i) ? i.vpcId : undefined],
      'subnet-id': (i) => [visible(i) ? i.subnetId : undefined],
      'instance-state-name': (i) => [i.state],
      'instance-state-code': (i) => [String(STATE_CODES[i.state])],
      'availability-zone': (i) => [i.availabilityZone],
      'network-interface.network-interface-id': (i) => s.attachedEnis(i.instanceId).map((e) => e.eniId),
    },
  };
}

export function instanceOutput(s: SimState, i: InstanceRecord): Instance {
  // A terminated instance lingers in DescribeInstances without network details.
  const terminated = i.state === 'terminated';
  const enis = terminated ? [] : s.attachedEnis(i.instanceId);
  const eth0 = enis.find((e) => e.attachment?.deviceIndex === 0);
  return compact({
    InstanceId: i.instanceId,
    InstanceType: 'c6in.large',
    State: { Code: STATE_CODES[i.state], Name: i.state },
    LaunchTime: i.launchTime,
    Placement: { AvailabilityZone: i.availabilityZone, GroupName: '', Tenancy: 'default' },
    VpcId: terminated ? undefined : i.vpcId,
    SubnetId: terminated ? undefined : i.subnetId,
    PrivateIpAddress: eth0?.privateIpAddress,
    PublicIpAddress: eth0 && ipAssociationOutput(s, eth0.eniId, eth0.privateIpAddress)?.PublicIp,
    SourceDestCheck: eth0?.sourceDestCheck,
    Tags: Object.keys(i.tags).length > 0 ? toTags(i.tags) : undefined,
    NetworkInterfaces: enis.map((e) => instanceEniOutput(s, e)),
  } satisfies Instance);
}

export function instanceEniOutput(s: SimState, e: EniRecord): InstanceNetworkInterface {
  const a = e.attachment;
  return {
    NetworkInterfaceId: e.eniId,
    OwnerId: s.accountId,
    SourceDestCheck: e.sourceDestCheck,
    PrivateIpAddress: e.privateIpAddress,
    // An instance's view of its addresses has no allocation or association ID (InstanceNetworkInterfaceAssociation).
    PrivateIpAddresses: privateIpsOutput(s, e).map(({ Association, ...ip }) => ({
      ...ip,
      ...(Association && { Association: instanceAssociation(Association) }),
    })),
    ...(eipOf(s, e) && { Association: instanceAssociation(eipOf(s, e)!) }),
    SubnetId: e.subnetId,
    VpcId: e.vpcId,
    Status: 'in-use',
    InterfaceType: 'interface',
    Attachment: a && {
      AttachmentId: a.attachmentId,
      DeviceIndex: a.deviceIndex,
      NetworkCardIndex: a.networkCardIndex,
      Status: 'attached',
      DeleteOnTermination: e.deleteOnTermination,
    },
  };
}

const eipOf = (s: SimState, e: EniRecord) => ipAssociationOutput(s, e.eniId, e.privateIpAddress);
const instanceAssociation = (a: { PublicIp?: string; IpOwnerId?: string; PublicDnsName?: string }) => ({
  PublicIp: a.PublicIp,
  IpOwnerId: a.IpOwnerId,
  PublicDnsName: a.PublicDnsName,
});

export function networkInterfaceOutput(s: SimState, e: EniRecord): NetworkInterface {
  const a = e.attachment;
  return compact({
    NetworkInterfaceId: e.eniId,
    OwnerId: s.accountId,
    AvailabilityZone: e.availabilityZone,
    SubnetId: e.subnetId,
    VpcId: e.vpcId,
    InterfaceType: 'interface',
    PrivateIpAddress: e.privateIpAddress,
    PrivateIpAddresses: privateIpsOutput(s, e),
    Association: ipAssociationOutput(s, e.eniId, e.privateIpAddress),
    SourceDestCheck: e.sourceDestCheck,
    Status: a ? 'in-use' : 'available',
    TagSet: [],
    Attachment: a && {
      AttachmentId: a.attachmentId,
      DeviceIndex: a.deviceIndex,
      NetworkCardIndex: a.networkCardIndex,
      InstanceId: a.instanceId,
      InstanceOwnerId: s.accountId,
      Status: 'attached',
      DeleteOnTermination: e.deleteOnTermination,
    },
  } satisfies NetworkInterface);
}

export function instanceStatusOutput(s: SimState, i: InstanceRecord): InstanceStatus {
  return {
    InstanceId: i.instanceId,
    AvailabilityZone: i.availabilityZone,
    InstanceState: { Code: STATE_CODES[i.state], Name: i.state },
    InstanceStatus: statusSummary(s, i, i.instanceCheck),
    SystemStatus: statusSummary(s, i, i.systemCheck),
  };
}

/** Status checks only mean something while running; otherwise EC2 reports 'not-applicable'. */
export function statusSummary(
  _s: SimState,
  i: InstanceRecord,
  check: StatusCheck,
): InstanceStatusSummary & { Status: string } {
  if (i.state === 'pending')
    return { Status: 'initializing', Details: [{ Name: 'reachability', Status: 'initializing' }] };
  if (i.state !== 'running') return { Status: 'not-applicable' };
  const detail = {
    ok: 'passed',
    impaired: 'failed',
    'insufficient-data': 'insufficient-data',
    initializing: 'initializing',
  } as const;
  return { Status: check, Details: [{ Name: 'reachability', Status: detail[check] }] };
}

// ─────────── SNS ───────────

/** A call that an Availability Zone's service disruption makes fail (see SimulatedVpc.impairAvailabilityZone). */
export function failIfImpaired(
  s: SimState,
  impairedAzs: ReadonlySet<string>,
  service: Service,
  action: string,
  input: CommandInput,
): void {
  if (service !== 'ec2' || impairedAzs.size === 0) return;
  const ids = (param: string, filter: string): string[] => [
    ...((input[param] as string[] | undefined) ?? []),
    ...(((input.Filters as Array<{ Name?: string; Values?: string[] }> | undefined) ?? []).find(
      (f) => f.Name === filter,
    )?.Values ?? []),
  ];
  let impaired = false;
  if (action === 'DescribeInstances' || action === 'DescribeInstanceStatus') {
    const named = ids('InstanceIds', 'instance-id');
    impaired = named.length === 0 || named.some((id) => impairedAzs.has(s.instances.get(id)?.availabilityZone ?? ''));
  } else if (action === 'DescribeNetworkInterfaces') {
    impaired = ids('NetworkInterfaceIds', 'network-interface-id').some((id) =>
      impairedAzs.has(s.enis.get(id)?.availabilityZone ?? ''),
    );
  }
  if (impaired) throw fault('Unavailable', EC2_FAULT_DEFAULTS.Unavailable.message, 503);
}

/** EC2 reports LaunchTime to the second. */
export const wholeSecond = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000);
