/**
 * Setting up network interfaces out of band (as the console or CreateNetworkInterface would): creation and attachment.
 */
import type { SimState } from './state';
import { subnetOf } from './subnets';

export interface NetworkInterfaceSpec {
  vpcId: string;
  subnetId?: string;
  instanceId?: string;
  deviceIndex?: number;
  networkCardIndex?: number;
  sourceDestCheck?: boolean;
  privateIpAddress?: string;
  eniId?: string;
  deleteOnTermination?: boolean;
}

/** Creates an ENI, attached to `instanceId` at `deviceIndex` (next free by default) when given; returns its ID. */
export function addNetworkInterface(s: SimState, opts: NetworkInterfaceSpec): string {
  const vpc = s.requireVpc(opts.vpcId);
  const instance = opts.instanceId === undefined ? undefined : s.requireInstance(opts.instanceId);
  if (instance && instance.vpcId !== vpc.vpcId)
    throw new Error(`instance ${instance.instanceId} is not in ${vpc.vpcId}`);
  const availabilityZone = instance?.availabilityZone ?? `${s.region}a`;
  const eniId = s.claimId('eni', opts.eniId);
  s.enis.set(eniId, {
    seq: s.seq++,
    eniId,
    vpcId: vpc.vpcId,
    subnetId: subnetOf(s, vpc.vpcId, opts.subnetId ?? instance?.subnetId, availabilityZone),
    availabilityZone,
    sourceDestCheck: opts.sourceDestCheck ?? true,
    privateIpAddress: opts.privateIpAddress ?? s.allocateIp(vpc),
    deleteOnTermination: opts.deleteOnTermination ?? true,
  });
  if (instance) attachNetworkInterface(s, eniId, instance.instanceId, opts.deviceIndex, opts.networkCardIndex);
  return eniId;
}

/** Attaches an existing detached ENI to an instance. */
export function attachNetworkInterface(
  s: SimState,
  eniId: string,
  instanceId: string,
  deviceIndex?: number,
  networkCardIndex = 0,
): void {
  const eni = s.requireEni(eniId);
  const instance = s.requireInstance(instanceId);
  if (eni.attachment) throw new Error(`${eniId} is already attached to ${eni.attachment.instanceId}`);
  const taken = s.attachedEnis(instanceId).map((e) => e.attachment?.deviceIndex);
  const index = deviceIndex ?? Math.max(-1, ...taken.map((i) => i ?? -1)) + 1;
  if (taken.includes(index)) throw new Error(`${instanceId} already has an interface at device index ${index}`);
  eni.attachment = {
    instanceId: instance.instanceId,
    deviceIndex: index,
    networkCardIndex,
    attachmentId: s.claimId('eni-attach'),
  };
  s.attachedEver.set(eni.eniId, new Set([...(s.attachedEver.get(eni.eniId) ?? []), instance.instanceId]));
}
