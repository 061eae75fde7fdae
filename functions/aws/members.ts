import {
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
  type Instance,
  type InstanceStatus,
} from '@aws-sdk/client-ec2';
import { errorCode, isThrottling, isTransient, toEc2Error } from '../contract/aws-errors';
import { Ec2ThrottledError, Ec2TransientError } from '../contract/errors';
import type { Group, Member } from '../contract/config';
import {
  type GroupInventory,
  inventoryAgeSeconds,
  inventoryFromInstance,
  type MemberInventory,
  slotOf,
} from '../domain/inventory';
import { describeRouteTablesByInstance } from './route-tables';
import type { MemberHealth, MemberState } from '../contract/schemas';

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
 * after termination) never blocks the others: it comes back with `describeFailure` set. Throttling, of the
 * whole group or of one member, is thrown (Ec2ThrottledError: the state machine retries): it is no answer
 * about any member.
 */
export const describeMembers = async (ec2: EC2Client, group: Group, now: Date): Promise<Map<string, MemberView>> => {
  const ids = group.members.map((m) => m.instanceId);
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    const st = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }));
    const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    const statuses = st.InstanceStatuses ?? [];
    if (group.members.every((m) => instances.some((i) => i.InstanceId === m.instanceId))) {
      return new Map(
        group.members.map((m) => [
          m.name,
          viewOf(
            m,
            instances.find((i) => i.InstanceId === m.instanceId)!,
            statuses.find((s) => s.InstanceId === m.instanceId),
            now,
          ),
        ]),
      );
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
    // Throttling says nothing about the member: taken for "cannot be described", it would confirm a forged
    // failure event about a healthy member (its state reads `unknown`). The state machine retries instead.
    if (isThrottling(err)) throw toEc2Error(err, `DescribeInstances ${m.name} (${m.instanceId})`);
    return undescribed(m, failureOf(err));
  }
  if (!instance)
    return undescribed(m, {
      code: 'InvalidInstanceID.NotFound',
      message: `EC2 did not return ${m.instanceId}`,
      transient: false,
      notFound: true,
    });
  try {
    const st = await ec2.send(
      new DescribeInstanceStatusCommand({ InstanceIds: [m.instanceId], IncludeAllInstances: true }),
    );
    return viewOf(
      m,
      instance,
      st.InstanceStatuses?.find((s) => s.InstanceId === m.instanceId),
      now,
    );
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
  if (sourceDestCheckOn.length > 0)
    problems.push(
      `source/destination check enabled on ${sourceDestCheckOn.join(', ')} (forwarded traffic would be dropped)`,
    );
  return {
    name: m.name,
    instanceId: m.instanceId,
    state,
    availabilityZone: inst.Placement?.AvailabilityZone,
    enis,
    launchTime: inst.LaunchTime ? new Date(inst.LaunchTime).toISOString() : undefined,
    observed: inventoryFromInstance(m, inst, now),
    health: {
      member: m.name,
      state,
      instanceStatus,
      systemStatus,
      sourceDestCheckOn,
      healthy: problems.length === 0,
      problems,
    },
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
  /** EC2 showed it on the member; the inventory remembers it; a route showed it on the member's instance. */
  from: 'ec2' | 'inventory' | 'routes';
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
  const live: SourceInterface[] = [...view.enis]
    .filter(([, eni]) => !targetEnis.has(eni))
    .map(([slot, eni]) => ({ slot, eni, from: 'ec2' }));
  const seen = new Set(live.map((i) => i.eni));
  const inv = inventory[view.name];
  let extra: SourceInterface[] = (inv?.interfaces ?? [])
    .filter((i) => !seen.has(i.eni) && !targetEnis.has(i.eni))
    .map((i) => ({ slot: i.slot, eni: i.eni, from: 'inventory' as const }));
  const age = inv ? `observed ${inv.observedAt}, ${inventoryAgeSeconds(inv, now)} s ago` : '';

  if (view.describeFailure) {
    warnings.push(
      `${view.name} (${view.instanceId}) could not be described ` +
        `by EC2 (${view.describeFailure.code}): treated as failed; ` +
        (inv
          ? `its ${extra.length} interface(s) come from the inventory (${age})`
          : 'no inventory holds its interfaces, so routes to them cannot be found'),
    );
  } else if (live.length === 0 && view.enis.size === 0) {
    warnings.push(
      `${view.name} (${view.instanceId}) is ${view.state} with no interface attached: ` +
        (inv
          ? `its ${extra.length} interface(s) come from the inventory (${age})`
          : 'no inventory holds its former interfaces, so routes to them cannot be found'),
    );
  }

  if (extra.length > 0) {
    // An interface the inventory remembers may have been attached elsewhere since: never take its routes.
    try {
      const out = await ec2.send(
        new DescribeNetworkInterfacesCommand({
          Filters: [{ Name: 'network-interface-id', Values: extra.map((i) => i.eni) }],
        }),
      );
      const elsewhere = new Map(
        (out.NetworkInterfaces ?? [])
          .filter((n) => n.Attachment?.InstanceId && n.Attachment.InstanceId !== view.instanceId)
          .map((n) => [n.NetworkInterfaceId!, n.Attachment!.InstanceId!]),
      );
      for (const [eni, instanceId] of elsewhere) {
        warnings.push(
          `${eni} (inventory of ${view.name}) is attached to ${instanceId} now: routes to it are not moved`,
        );
      }
      extra = extra.filter((i) => !elsewhere.has(i.eni));
    } catch (err) {
      warnings.push(
        `the inventory interfaces of ${view.name} ` +
          `(${extra.map((i) => i.eni).join(', ')}) could not be checked with EC2 ` +
          `(${errorCode(err)}); they are used as recorded`,
      );
    }
  }
  return {
    interfaces: [...live, ...extra],
    warnings,
    inventoryObservedAt: extra.length > 0 ? inv?.observedAt : undefined,
  };
};

/**
 * Interfaces of source members that only the route tables reveal: a route to an interface attached to an
 * instance shows that instance (`InstanceId`), and DescribeRouteTables filters on it. When the member itself
 * cannot be described (its Availability Zone answers 5xx) and no inventory holds it yet (a first failover),
 * this is how its routes are still found. Each such interface's slot comes from DescribeNetworkInterfaces (its
 * attachment); one EC2 shows attached elsewhere now, or cannot show, is left out with a warning (its routes are
 * then named by the verification, never passed over).
 */
export const interfacesFromRoutes = async (
  ec2: EC2Client,
  vpcId: string,
  sources: MemberView[],
  known: Set<string>,
): Promise<{ byMember: Map<string, SourceInterface[]>; warnings: string[] }> => {
  const byMember = new Map<string, SourceInterface[]>();
  const warnings: string[] = [];
  const memberOf = new Map(sources.map((v) => [v.instanceId, v]));
  if (memberOf.size === 0) return { byMember, warnings };
  let tables: Awaited<ReturnType<typeof describeRouteTablesByInstance>>;
  try {
    tables = await describeRouteTablesByInstance(ec2, vpcId, [...memberOf.keys()]);
  } catch (err) {
    // Throttling and 5xx: the state machine retries. Anything else (an endpoint without the filter, say) only
    // costs what this read adds: the verification still reads every route's InstanceId and names what is left.
    if (err instanceof Ec2ThrottledError || err instanceof Ec2TransientError) throw err;
    const code = errorCode((err as { cause?: unknown }).cause ?? err);
    warnings.push(
      `the route tables could not be asked which routes lead to ` +
        `${[...memberOf.values()].map((v) => v.name).join(', ')} ` +
        `(${code}): only the interfaces EC2 and the inventory know are moved`,
    );
    return { byMember, warnings };
  }
  const found = new Map<string, string>(); // eni -> instance
  for (const t of tables) {
    for (const r of t.Routes ?? []) {
      if (r.NetworkInterfaceId && r.InstanceId && memberOf.has(r.InstanceId) && !known.has(r.NetworkInterfaceId))
        found.set(r.NetworkInterfaceId, r.InstanceId);
    }
  }
  if (found.size === 0) return { byMember, warnings };
  // Two ways to ask for the slots: by the instances they are attached to (names no interface), then by the
  // interfaces. A call naming a resource in an Availability Zone with a service disruption may fail (EC2 API
  // Reference, DescribeInstances); the other form may still answer.
  const attempts = [
    [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'attachment.instance-id', Values: [...new Set(found.values())] },
    ],
    [{ Name: 'network-interface-id', Values: [...found.keys()] }],
  ];
  let described: Map<string, { instanceId?: string; slot?: string }> | undefined;
  let lastError: unknown;
  for (const Filters of attempts) {
    try {
      const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters }));
      described = new Map(
        (out.NetworkInterfaces ?? []).map((n) => [
          n.NetworkInterfaceId!,
          {
            instanceId: n.Attachment?.InstanceId,
            slot: n.Attachment?.DeviceIndex !== undefined ? slotOf(n.Attachment) : undefined,
          },
        ]),
      );
      if ([...found.keys()].every((eni) => described!.has(eni))) break;
    } catch (err) {
      if (isThrottling(err)) throw toEc2Error(err, 'DescribeNetworkInterfaces (interfaces the routes lead to)');
      lastError = err;
    }
  }
  if (!described) {
    warnings.push(
      `route(s) lead to ${[...found.keys()].join(', ')} (attached to ${[...new Set(found.values())].join(', ')} as ` +
        `the route tables show), ` +
        `but DescribeNetworkInterfaces could not tell their slots (${errorCode(lastError)}): those routes cannot be ` +
        `paired and are not moved`,
    );
    return { byMember, warnings };
  }
  for (const [eni, instanceId] of found) {
    const view = memberOf.get(instanceId)!;
    const d = described.get(eni);
    if (!d?.slot || d.instanceId !== instanceId) {
      warnings.push(
        `${eni} (a route showed it on ${view.name}) is ` +
          `${d ? `attached to ${d.instanceId ?? 'nothing'}` : 'unknown to EC2'} now: routes to it are not moved`,
      );
      continue;
    }
    byMember.set(view.name, [...(byMember.get(view.name) ?? []), { slot: d.slot, eni, from: 'routes' }]);
  }
  for (const [name, list] of byMember) {
    warnings.push(
      `${name}: ${list.length} interface(s) learned from the route tables (the instance behind each route): ` +
        `${list.map((i) => `${i.eni} slot ${i.slot}`).join(', ')}`,
    );
  }
  return { byMember, warnings };
};

/** Where a source member's interfaces came from, for the record. */
export const interfacesFromOf = (interfaces: SourceInterface[]): MemberState['interfacesFrom'] => {
  const ec2 = interfaces.some((i) => i.from === 'ec2' || i.from === 'routes');
  const inv = interfaces.some((i) => i.from === 'inventory');
  return ec2 && inv ? 'ec2+inventory' : ec2 ? 'ec2' : inv ? 'inventory' : 'none';
};
