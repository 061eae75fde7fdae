import {
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeNetworkInterfacesCommand,
  EC2Client,
  Instance,
  InstanceStatus,
} from '@aws-sdk/client-ec2';
import { errorCode, isThrottling, isTransient, toEc2Error } from './aws-errors';
import type { Group, Member } from './config';
import { GroupInventory, inventoryAgeSeconds, inventoryFromInstance, MemberInventory, slotOf } from './inventory';
import type { MemberHealth, MemberState } from './schemas';

/** Why EC2 could not describe a member. */
export interface DescribeFailure {
  code: string;
  message: string;
  /** Throttling, 5xx, a network failure or a timeout: it may answer later (an impaired AZ answers 5xx). */
  transient: boolean;
  /** EC2 does not know the instance (purged after termination, or a wrong ID). */
  notFound: boolean;
}

/** A member as read from EC2: its state, its live interfaces keyed by slot, its health. */
export interface MemberView extends MemberState {
  /** Interfaces attached now, by slot ("<network card>/<device index>"). Empty when EC2 shows none or cannot answer. */
  enis: Map<string, string>;
  health: MemberHealth;
  launchTime?: string;
  /** Set when EC2 could not describe the member. */
  describeFailure?: DescribeFailure;
  /** Set when the instance was described but its status checks could not be read. */
  statusFailure?: DescribeFailure;
  /** What this description adds to the inventory (only when EC2 showed interfaces). */
  observed?: MemberInventory;
}

/**
 * Reads every member of a group with its interfaces and status checks. One request for all members first
 * (two EC2 calls in the usual case); when that request fails, each member is described on its own, so one
 * member EC2 cannot describe (an instance in an Availability Zone with a service disruption, one purged
 * after termination) never blocks the others: it comes back with `describeFailure` set. Only throttling of
 * the whole group is thrown (Ec2ThrottledError: the state machine retries).
 */
export const describeMembers = async (ec2: EC2Client, group: Group, now: Date): Promise<Map<string, MemberView>> => {
  const ids = group.members.map((m) => m.instanceId);
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const st = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }));
    const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    const statuses = st.InstanceStatuses ?? [];
    if (group.members.every((m) => instances.some((i) => i.InstanceId === m.instanceId))) {
      return new Map(group.members.map((m) => [m.name, viewOf(m, instances.find((i) => i.InstanceId === m.instanceId)!, statuses.find((s) => s.InstanceId === m.instanceId), now)]));
    }
  } catch (err) {
    if (isThrottling(err)) throw toEc2Error(err, `DescribeInstances for group ${group.name}`);
    // Anything else: find out which member EC2 cannot describe, one request each.
  }
  const views = await Promise.all(group.members.map((m) => describeOne(ec2, m, now)));
  return new Map(views.map((v) => [v.name, v]));
};

const describeOne = async (ec2: EC2Client, m: Member, now: Date): Promise<MemberView> => {
  let instance: Instance | undefined;
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [m.instanceId] }));
    instance = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).find((i) => i.InstanceId === m.instanceId);
  } catch (err) {
    return undescribed(m, failureOf(err));
  }
  if (!instance) return undescribed(m, { code: 'InvalidInstanceID.NotFound', message: `EC2 did not return ${m.instanceId}`, transient: false, notFound: true });
  try {
    const st = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: [m.instanceId], IncludeAllInstances: true }));
    return viewOf(m, instance, st.InstanceStatuses?.find((s) => s.InstanceId === m.instanceId), now);
  } catch (err) {
    const view = viewOf(m, instance, undefined, now);
    const f = failureOf(err);
    view.statusFailure = f;
    view.health.problems.push(`status checks could not be read (${f.code}: ${f.message})`);
    view.health.healthy = false;
    return view;
  }
};

const failureOf = (err: unknown): DescribeFailure => {
  const code = errorCode(err);
  return {
    code,
    message: String((err as Error)?.message ?? err).slice(0, 300),
    transient: isThrottling(err) || isTransient(err),
    notFound: code === 'InvalidInstanceID.NotFound' || code === 'InvalidInstanceID.Malformed',
  };
};

const undescribed = (m: Member, f: DescribeFailure): MemberView => {
  const state = f.notFound ? 'not-found' : 'unknown';
  const problem = `EC2 could not describe it (${f.code}: ${f.message})`;
  return {
    name: m.name,
    instanceId: m.instanceId,
    state,
    enis: new Map(),
    describeFailure: f,
    health: { member: m.name, state, sourceDestCheckOn: [], healthy: false, problems: [problem] },
  };
};

const viewOf = (m: Member, inst: Instance, status: InstanceStatus | undefined, now: Date): MemberView => {
  const enis = new Map<string, string>();
  const attached = (inst.NetworkInterfaces ?? [])
    .filter((n) => n.NetworkInterfaceId && n.Attachment?.DeviceIndex !== undefined)
    .sort((a, b) => slotOf(a.Attachment!).localeCompare(slotOf(b.Attachment!)));
  for (const n of attached) enis.set(slotOf(n.Attachment!), n.NetworkInterfaceId!);
  const state = inst.State?.Name ?? 'unknown';
  const instanceStatus = status?.InstanceStatus?.Status;
  const systemStatus = status?.SystemStatus?.Status;
  const sourceDestCheckOn = attached.filter((n) => n.SourceDestCheck !== false).map((n) => n.NetworkInterfaceId!);
  const problems: string[] = [];
  if (state !== 'running') problems.push(`instance is ${state}`);
  else {
    if (instanceStatus !== 'ok') problems.push(`instance status check is ${instanceStatus ?? 'unknown'}`);
    if (systemStatus !== 'ok') problems.push(`system status check is ${systemStatus ?? 'unknown'}`);
  }
  if (attached.length === 0) problems.push('no network interface attached');
  if (sourceDestCheckOn.length > 0) problems.push(`source/destination check enabled on ${sourceDestCheckOn.join(', ')} (forwarded traffic would be dropped)`);
  return {
    name: m.name,
    instanceId: m.instanceId,
    state,
    availabilityZone: inst.Placement?.AvailabilityZone,
    enis,
    launchTime: inst.LaunchTime ? new Date(inst.LaunchTime).toISOString() : undefined,
    observed: inventoryFromInstance(m, inst, now),
    health: { member: m.name, state, instanceStatus, systemStatus, sourceDestCheckOn, healthy: problems.length === 0, problems },
  };
};

/** Why EC2 could not answer for a member in a way that may pass (then a target must be retried, not refused). */
export const transientFailure = (v: MemberView): DescribeFailure | undefined =>
  v.describeFailure?.transient ? v.describeFailure : v.statusFailure?.transient ? v.statusFailure : undefined;

/**
 * The check values of a member that may still pass (DescribeInstanceStatus, InstanceStatusSummary: ok | impaired |
 * insufficient-data | not-applicable | initializing): ok, the two that say the check is still being made, and no
 * value at all (a running instance EC2 does not report yet). EC2 takes minutes after a start to settle them.
 */
const SETTLING_CHECKS: ReadonlyArray<string | undefined> = ['ok', 'initializing', 'insufficient-data', undefined];

/**
 * The checks of a running member that only wait to settle, when they are all that keeps it from the health gate
 * (interfaces attached, source/destination check off, no check `impaired`); undefined otherwise.
 */
export const settlingChecks = (v: MemberView): string[] | undefined => {
  const { instanceStatus, systemStatus, problems, healthy } = v.health;
  if (healthy || v.state !== 'running' || v.describeFailure || v.statusFailure) return undefined;
  if (!SETTLING_CHECKS.includes(instanceStatus) || !SETTLING_CHECKS.includes(systemStatus)) return undefined;
  const pending: string[] = [];
  if (instanceStatus !== 'ok') pending.push(`instance status check is ${instanceStatus ?? 'not reported yet'}`);
  if (systemStatus !== 'ok') pending.push(`system status check is ${systemStatus ?? 'not reported yet'}`);
  // viewOf adds one problem per check that is not ok: any other problem is one waiting will not fix.
  return problems.length === pending.length ? pending : undefined;
};

/** One interface of a member whose routes move: its slot and where it is known from. */
export interface SourceInterface {
  slot: string;
  eni: string;
  from: 'ec2' | 'inventory';
}

/**
 * The interfaces whose routes leave a source member: those EC2 shows attached now, plus those the inventory
 * still holds (deleted on termination, detached, or unseen because EC2 cannot describe the member). An
 * inventory interface that EC2 shows attached to another instance now belongs to that instance and is left
 * out, and so is any interface of the target. Returns the interfaces and what the operator should know.
 */
export const sourceInterfaces = async (
  ec2: EC2Client,
  view: MemberView,
  inventory: GroupInventory,
  targetEnis: Set<string>,
  now: Date,
): Promise<{ interfaces: SourceInterface[]; warnings: string[]; inventoryObservedAt?: string }> => {
  const warnings: string[] = [];
  const live: SourceInterface[] = [...view.enis].filter(([, eni]) => !targetEnis.has(eni)).map(([slot, eni]) => ({ slot, eni, from: 'ec2' }));
  const seen = new Set(live.map((i) => i.eni));
  const inv = inventory[view.name];
  let extra: SourceInterface[] = (inv?.interfaces ?? [])
    .filter((i) => !seen.has(i.eni) && !targetEnis.has(i.eni))
    .map((i) => ({ slot: i.slot, eni: i.eni, from: 'inventory' as const }));
  const age = inv ? `observed ${inv.observedAt}, ${inventoryAgeSeconds(inv, now)} s ago` : '';

  if (view.describeFailure) {
    warnings.push(
      `${view.name} (${view.instanceId}) could not be described by EC2 (${view.describeFailure.code}): treated as failed; ` +
        (inv ? `its ${extra.length} interface(s) come from the inventory (${age})` : 'no inventory holds its interfaces, so routes to them cannot be found'),
    );
  } else if (live.length === 0 && view.enis.size === 0) {
    warnings.push(
      `${view.name} (${view.instanceId}) is ${view.state} with no interface attached: ` +
        (inv ? `its ${extra.length} interface(s) come from the inventory (${age})` : 'no inventory holds its former interfaces, so routes to them cannot be found'),
    );
  }

  if (extra.length > 0) {
    // An interface the inventory remembers may have been attached elsewhere since: never take its routes.
    try {
      const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: extra.map((i) => i.eni) }] }));
      const elsewhere = new Map(
        (out.NetworkInterfaces ?? [])
          .filter((n) => n.Attachment?.InstanceId && n.Attachment.InstanceId !== view.instanceId)
          .map((n) => [n.NetworkInterfaceId!, n.Attachment!.InstanceId!]),
      );
      for (const [eni, instanceId] of elsewhere) {
        warnings.push(`${eni} (inventory of ${view.name}) is attached to ${instanceId} now: routes to it are not moved`);
      }
      extra = extra.filter((i) => !elsewhere.has(i.eni));
    } catch (err) {
      warnings.push(
        `the inventory interfaces of ${view.name} (${extra.map((i) => i.eni).join(', ')}) could not be checked with EC2 ` +
          `(${errorCode(err)}); they are used as recorded`,
      );
    }
  }
  return { interfaces: [...live, ...extra], warnings, inventoryObservedAt: extra.length > 0 ? inv?.observedAt : undefined };
};

/** Where a source member's interfaces came from, for the record. */
export const interfacesFromOf = (interfaces: SourceInterface[]): MemberState['interfacesFrom'] => {
  const ec2 = interfaces.some((i) => i.from === 'ec2');
  const inv = interfaces.some((i) => i.from === 'inventory');
  return ec2 && inv ? 'ec2+inventory' : ec2 ? 'ec2' : inv ? 'inventory' : 'none';
};
