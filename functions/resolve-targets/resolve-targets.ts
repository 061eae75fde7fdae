import { DescribeInstancesCommand, DescribeInstanceStatusCommand, EC2Client, Instance, InstanceStatus } from '@aws-sdk/client-ec2';
import { errorCode, toEc2Error } from '../shared/aws-errors';
import { classifyTrigger } from '../shared/classify';
import type { FailoverConfig, Group, Member } from '../shared/config';
import { InvalidRequestError, MemberNotFoundError, NoHealthyTargetError, TargetUnhealthyError } from '../shared/errors';
import { describeScopedRouteTables } from '../shared/routes';
import {
  ExecutionInfoSchema,
  InterfacePair,
  LeaseState,
  LeaseStateSchema,
  MemberHealth,
  MemberState,
  Resolved,
  Trigger,
} from '../shared/schemas';
import * as z from '../shared/zod';

export const ResolveInputSchema = z.lazy(() => z.object({ event: z.unknown(), execution: ExecutionInfoSchema, lease: z.optional(LeaseStateSchema) }));
export type ResolveInput = z.infer<typeof ResolveInputSchema>;

export interface ResolveDeps {
  ec2: EC2Client;
  config: FailoverConfig;
  now?: () => Date;
}

/** A member as read from EC2: its state, its interfaces keyed by slot ("<network card>/<device index>"), its health. */
interface MemberView extends MemberState {
  enis: Map<string, string>;
  health: MemberHealth;
  launchTime?: string;
}

/**
 * Turns the workflow input into a failover decision: the group, the members whose routes move (sources),
 * the member they move to (target) and the source interfaces paired with the target's by device index.
 * ENIs are read from EC2 at run time, never from config. Before anything is written the target must pass
 * the health gate: running, instance and system status checks ok, source/destination check disabled on
 * every interface. Irrelevant and stale events resolve to `action: "noop"`.
 */
export const resolveTargets = async (input: ResolveInput, deps: ResolveDeps): Promise<Resolved> => {
  const now = deps.now ?? (() => new Date());
  const executionName = input.execution.name ?? input.execution.id;
  const c = classifyTrigger(input.event, deps.config, executionName);
  const base = { execution: input.execution, dryRun: false, sources: [], pairs: [], targetEnis: [], maxConcurrency: 1, lease: input.lease };
  const noop = (trigger: Trigger, reason: string, group?: Group, extra: Partial<Resolved> = {}): Resolved => ({
    ...base,
    action: 'noop',
    noopReason: reason,
    trigger,
    group: group && { name: group.name, vpcId: group.vpcId, routeTables: group.routeTables },
    resolvedAt: now().toISOString(),
    ...extra,
  });
  if (c.action === 'noop') return noop(c.trigger, c.reason, c.group);
  // The lease is what makes this plan safe from a concurrent execution; never plan without it.
  if (input.lease?.held !== true || input.lease.group !== c.group.name) {
    throw new InvalidRequestError(`ResolveTargets needs the lease of group "${c.group.name}" (AcquireLease did not grant it)`);
  }

  const { group, trigger } = c;
  const views = await describeMembers(deps.ec2, group);

  if (c.failback) {
    const why = failbackBlocker(c.failback.member, c.triggerTime, views, input.lease);
    if (why) return noop(trigger, why, group, { automatic: true, health: healthOf(views) });
    const target = views.get(c.failback.member.name)!;
    const sources = group.members.map((m) => m.name).filter((n) => n !== target.name);
    return decision(group, sources, target, views, trigger, false, input, now, {
      automatic: true,
      suppressReason: dampingReason(group, input.lease, c.triggerId, now()),
    });
  }

  if (c.automatic) {
    const stale = staleReason(c.triggerTime, c.failing!, trigger, views, input.lease);
    if (stale) return noop(trigger, stale, group, { automatic: true, health: healthOf(views) });
    const target = pickTarget(group, views, [c.failing!.name]);
    return decision(group, [c.failing!.name], target, views, trigger, false, input, now, {
      automatic: true,
      suppressReason: dampingReason(group, input.lease, c.triggerId, now()),
    });
  }

  const r = c.request!;
  // classifyTrigger has validated failback (a preferred member exists, `to` agrees with it).
  let targetName = r.action === 'failback' ? group.preferred : r.to;
  if (targetName === undefined) {
    const active = await activeMember(deps.ec2, group, views);
    if (!active) throw new InvalidRequestError(`no route in group "${group.name}" points at a member; name the target with "to"`);
    targetName = pickTarget(group, views, [active]).name;
  }
  const target = views.get(targetName)!;
  if (!target.health.healthy) {
    throw new TargetUnhealthyError(`target ${target.name} (${target.instanceId}) failed the health gate: ${target.health.problems.join('; ')}. Nothing was changed.`);
  }
  const sources = group.members.map((m) => m.name).filter((n) => n !== targetName);
  return decision(group, sources, target, views, trigger, r.dryRun, input, now, { automatic: false });
};

const decision = (
  group: Group,
  sourceNames: string[],
  target: MemberView,
  views: Map<string, MemberView>,
  trigger: Trigger,
  dryRun: boolean,
  input: ResolveInput,
  now: () => Date,
  extra: Partial<Resolved>,
): Resolved => {
  const sources = sourceNames.map((n) => views.get(n)!);
  const pairs: InterfacePair[] = [];
  for (const s of sources) {
    for (const [slot, fromEni] of s.enis) pairs.push({ slot, fromMember: s.name, fromEni, toEni: target.enis.get(slot) });
  }
  return {
    action: 'failover',
    trigger,
    dryRun,
    group: { name: group.name, vpcId: group.vpcId, routeTables: group.routeTables },
    sources: sources.map(publicView),
    target: publicView(target),
    pairs,
    targetEnis: [...target.enis.values()],
    maxConcurrency: group.maxConcurrency,
    execution: input.execution,
    resolvedAt: now().toISOString(),
    lease: input.lease,
    health: healthOf(views),
    ...extra,
  };
};

/** Why an automatic trigger is stale (a newer switch already happened, or the instance is back), or undefined. */
const staleReason = (
  triggerTime: string | undefined,
  failing: Member,
  trigger: Trigger,
  views: Map<string, MemberView>,
  lease: LeaseState | undefined,
): string | undefined => {
  const last = lease?.history?.lastSwitch;
  if (triggerTime && last && Date.parse(triggerTime) < Date.parse(last.triggerTime)) {
    return (
      `stale event: it happened at ${triggerTime}, before the trigger of the group's last switch ` +
      `(${last.triggerTime}, to ${last.to ?? '?'} by ${last.executionId}); not undoing it`
    );
  }
  const state = views.get(failing.name)!.state;
  if (trigger.kind === 'instance-state' && (state === 'running' || state === 'pending')) {
    return `stale event: ${failing.name} (${failing.instanceId}) reported ${trigger.instanceState} but is ${state} now`;
  }
  return undefined;
};

/**
 * After the hold-down, why automatic failback must not move routes (or undefined when it may): the preferred
 * member must still pass the health gate and must not have been stopped and started again meanwhile (its
 * LaunchTime would be newer than the running event), and no newer switch may have happened.
 */
const failbackBlocker = (member: Member, triggerTime: string | undefined, views: Map<string, MemberView>, lease: LeaseState | undefined): string | undefined => {
  const last = lease?.history?.lastSwitch;
  if (triggerTime && last && Date.parse(triggerTime) < Date.parse(last.triggerTime)) {
    return `stale event: ${member.name} came back at ${triggerTime}, before the group's last switch (${last.triggerTime}); not failing back`;
  }
  const v = views.get(member.name)!;
  if (!v.health.healthy) return `${member.name} failed the health gate after the hold-down (${v.health.problems.join('; ')}): nothing moves`;
  if (triggerTime && v.launchTime && Date.parse(v.launchTime) > Date.parse(triggerTime) + 1000) {
    return `${member.name} was restarted during the hold-down (launched ${v.launchTime}, after ${triggerTime}): nothing moves; its next running event starts a new hold-down`;
  }
  return undefined;
};

/** Flap damping: why this automatic failover must not move routes, or undefined when it may. */
const dampingReason = (group: Group, lease: LeaseState | undefined, triggerId: string, now: Date): string | undefined => {
  const { maxFailovers, windowSeconds } = group.flapDamping;
  const since = now.getTime() - windowSeconds * 1000;
  const recent = (lease?.history?.automaticSwitches ?? []).filter((s) => Date.parse(s.at) >= since && s.triggerId !== triggerId);
  if (recent.length < maxFailovers) return undefined;
  return (
    `flap damping: group "${group.name}" already failed over automatically ${recent.length} time(s) in the last ` +
    `${windowSeconds} s (limit ${maxFailovers}; last at ${recent.at(-1)!.at}). Automatic failover suppressed; ` +
    'a manual switchover is never suppressed.'
  );
};

/** Reads every member instance of a group with its interfaces and status checks. */
const describeMembers = async (ec2: EC2Client, group: Group): Promise<Map<string, MemberView>> => {
  const ids = group.members.map((m) => m.instanceId);
  let instances: Instance[];
  let statuses: InstanceStatus[];
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
    const st = await ec2.send(new DescribeInstanceStatusCommand({ InstanceIds: ids, IncludeAllInstances: true }));
    statuses = st.InstanceStatuses ?? [];
  } catch (err) {
    if (errorCode(err) === 'InvalidInstanceID.NotFound' || errorCode(err) === 'InvalidInstanceID.Malformed') {
      throw new MemberNotFoundError(`group "${group.name}": ${(err as Error).message}`);
    }
    throw toEc2Error(err, `DescribeInstances for group ${group.name}`);
  }
  const views = new Map<string, MemberView>();
  for (const m of group.members) {
    const inst = instances.find((i) => i.InstanceId === m.instanceId);
    if (!inst) throw new MemberNotFoundError(`group "${group.name}": member ${m.name} (${m.instanceId}) was not returned by EC2`);
    views.set(m.name, viewOf(m, inst, statuses.find((s) => s.InstanceId === m.instanceId)));
  }
  return views;
};

const viewOf = (m: Member, inst: Instance, status: InstanceStatus | undefined): MemberView => {
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
    health: { member: m.name, state, instanceStatus, systemStatus, sourceDestCheckOn, healthy: problems.length === 0, problems },
  };
};

// Instances with several network cards repeat device indexes per card, so the card is part of the slot.
const slotOf = (a: { NetworkCardIndex?: number; DeviceIndex?: number }): string => `${a.NetworkCardIndex ?? 0}/${a.DeviceIndex}`;

const publicView = (v: MemberView): MemberState => ({
  name: v.name,
  instanceId: v.instanceId,
  state: v.state,
  availabilityZone: v.availabilityZone,
});

const healthOf = (views: Map<string, MemberView>): MemberHealth[] => [...views.values()].map((v) => v.health);

/**
 * The target for routes leaving `exclude`: the preferred member if it passes the health gate, else the first
 * healthy member in config order. None running: NoHealthyTargetError; running but unhealthy: TargetUnhealthyError.
 */
const pickTarget = (group: Group, views: Map<string, MemberView>, exclude: string[]): MemberView => {
  const candidates = group.members.map((m) => views.get(m.name)!).filter((v) => !exclude.includes(v.name));
  const healthy = candidates.filter((v) => v.health.healthy);
  const chosen = healthy.find((v) => v.name === group.preferred) ?? healthy[0];
  if (chosen) return chosen;
  const all = group.members.map((m) => views.get(m.name)!);
  if (!candidates.some((v) => v.state === 'running')) {
    throw new NoHealthyTargetError(
      `group "${group.name}" has no running member to move routes to: ${all.map((v) => `${v.name} (${v.instanceId}) is ${v.state}`).join('; ')}. Nothing was changed.`,
    );
  }
  throw new TargetUnhealthyError(
    `no member of group "${group.name}" passes the health gate: ${candidates.map((v) => `${v.name}: ${v.health.problems.join(', ')}`).join('; ')}. Nothing was changed.`,
  );
};

/** The member most of the group's routes point at now (read from the route tables, never remembered). */
const activeMember = async (ec2: EC2Client, group: Group, views: Map<string, MemberView>): Promise<string | undefined> => {
  const owner = new Map<string, string>();
  for (const v of views.values()) for (const eni of v.enis.values()) owner.set(eni, v.name);
  const counts = new Map<string, number>();
  for (const table of await describeScopedRouteTables(ec2, group.vpcId, group.routeTables)) {
    for (const r of table.Routes ?? []) {
      const m = r.NetworkInterfaceId ? owner.get(r.NetworkInterfaceId) : undefined;
      if (m) counts.set(m, (counts.get(m) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
};
