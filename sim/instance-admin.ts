/** Setting up instances out of band (as a launch, the console or EC2 itself would): creation, state, status checks. */
import { wholeSecond } from './instances';
import type { SimState } from './state';
import { subnetOf } from './subnets';
import type { InstanceStateName, StatusCheck } from './types';

/** What an instance is created with (its interfaces are added with addNetworkInterface). */
export interface InstanceSpec {
  vpcId: string;
  availabilityZone: string;
  state?: InstanceStateName;
  instanceId?: string;
  subnetId?: string;
  tags?: Record<string, string>;
}

/** Creates an instance without interfaces; returns its ID. */
export function addInstance(s: SimState, opts: InstanceSpec): string {
  s.requireVpc(opts.vpcId);
  const instanceId = s.claimId('i', opts.instanceId);
  s.instances.set(instanceId, {
    seq: s.seq++,
    instanceId,
    reservationId: s.claimId('r'),
    vpcId: opts.vpcId,
    subnetId: subnetOf(s, opts.vpcId, opts.subnetId, opts.availabilityZone),
    availabilityZone: opts.availabilityZone,
    state: opts.state ?? 'running',
    launchTime: wholeSecond(),
    tags: { ...opts.tags },
    instanceCheck: 'ok',
    systemCheck: 'ok',
  });
  return instanceId;
}

/** Moves an instance to a state; terminating deletes its delete-on-termination ENIs and detaches the rest. */
export function setInstanceState(s: SimState, instanceId: string, state: InstanceStateName): void {
  const instance = s.requireInstance(instanceId);
  if (instance.state === 'terminated' && state !== 'terminated')
    throw new Error(`${instanceId} is terminated for good`);
  // A stop/start gives the instance a new LaunchTime (a reboot would not change state at all).
  if (state === 'running' && instance.state !== 'running') instance.launchTime = wholeSecond();
  instance.state = state;
  if (state !== 'terminated') return;
  for (const eni of s.attachedEnis(instanceId)) {
    if (eni.deleteOnTermination) s.enis.delete(eni.eniId);
    else eni.attachment = undefined;
  }
}

/** Sets the result of an instance's status checks. */
export function setInstanceStatusCheck(
  s: SimState,
  instanceId: string,
  status: StatusCheck,
  check: 'instance' | 'system' | 'both',
): void {
  const instance = s.requireInstance(instanceId);
  if (check !== 'system') instance.instanceCheck = status;
  if (check !== 'instance') instance.systemCheck = status;
}
