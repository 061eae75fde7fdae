import { DescribeInstancesCommand, EC2Client, Instance } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { errorCode, toEc2Error } from '../shared/aws-errors';
import { FailoverConfig, findGroup, findMemberByInstance, Group, Member } from '../shared/config';
import {
  InvalidRequestError,
  MemberNotFoundError,
  NoHealthyTargetError,
  TargetUnhealthyError,
  UnknownGroupError,
  UnknownMemberError,
} from '../shared/errors';
import { describeScopedRouteTables } from '../shared/routes';
import { ExecutionInfoSchema, InterfacePair, MemberState, Resolved, Trigger } from '../shared/schemas';
import { alarmInstanceId, FAILURE_STATES, ManualRequest, parseTrigger } from '../shared/triggers';

export const ResolveInputSchema = z.object({ event: z.unknown(), execution: ExecutionInfoSchema });
export type ResolveInput = z.infer<typeof ResolveInputSchema>;

export interface ResolveDeps {
  ec2: EC2Client;
  config: FailoverConfig;
  now?: () => Date;
}

/** A member as read from EC2: its state and its interfaces keyed by slot ("<network card>/<device index>"). */
interface MemberView extends MemberState {
  enis: Map<string, string>;
}

/**
 * Turns the workflow input into a failover decision: the group, the members whose routes move (sources),
 * the member they move to (target) and the source interfaces paired with the target's by device index.
 * ENIs are read from EC2 at run time, never from config. Irrelevant events resolve to `action: "noop"`.
 */
export const resolveTargets = async (input: ResolveInput, deps: ResolveDeps): Promise<Resolved> => {
  const now = deps.now ?? (() => new Date());
  const parsed = parseTrigger(input.event);
  const base = { execution: input.execution, dryRun: false, sources: [], pairs: [], targetEnis: [], maxConcurrency: 1 };
  const noop = (trigger: Trigger, reason: string, group?: Group): Resolved => ({
    ...base,
    action: 'noop',
    noopReason: reason,
    trigger,
    group: group && { name: group.name, vpcId: group.vpcId, routeTables: group.routeTables },
    resolvedAt: now().toISOString(),
  });

  if (parsed.kind === 'manual') return resolveManual(parsed.request, input, deps, now);

  const event = parsed.event;
  const instanceId = parsed.kind === 'instance-state' ? parsed.event.detail['instance-id'] : alarmInstanceId(parsed.event);
  const owner = instanceId ? findMemberByInstance(deps.config, instanceId) : undefined;
  const trigger: Trigger =
    parsed.kind === 'instance-state'
      ? {
          kind: 'instance-state',
          summary: `EC2 instance ${instanceId}${owner ? ` (${owner.member.name})` : ''} entered ${parsed.event.detail.state}`,
          eventId: event.id,
          eventTime: event.time,
          instanceId,
          instanceState: parsed.event.detail.state,
        }
      : {
          kind: 'alarm',
          summary: `alarm ${parsed.event.detail.alarmName} entered ${parsed.event.detail.state.value}${owner ? ` for ${owner.member.name} (${instanceId})` : ''}`,
          eventId: event.id,
          eventTime: event.time,
          instanceId,
          alarmName: parsed.event.detail.alarmName,
        };

  if (parsed.kind === 'instance-state' && !(FAILURE_STATES as readonly string[]).includes(parsed.event.detail.state)) {
    return noop(trigger, `EC2 state "${parsed.event.detail.state}" needs no failover`, owner?.group);
  }
  if (parsed.kind === 'alarm' && parsed.event.detail.state.value !== 'ALARM') {
    return noop(trigger, `alarm state "${parsed.event.detail.state.value}" needs no failover`, owner?.group);
  }
  if (!instanceId) return noop(trigger, 'the alarm names no InstanceId dimension');
  if (!owner) return noop(trigger, `instance ${instanceId} belongs to no failover group`);

  const { group, member: failing } = owner;
  const views = await describeMembers(deps.ec2, group);
  const target = pickTarget(group, views, [failing.name]);
  return decision(group, [failing.name], target, views, trigger, false, input, now);
};

const resolveManual = async (request: ManualRequest, input: ResolveInput, deps: ResolveDeps, now: () => Date): Promise<Resolved> => {
  const group = findGroup(deps.config, request.group);
  if (!group) throw new UnknownGroupError(request.group, deps.config.groups.map((g) => g.name));
  const names = group.members.map((m) => m.name);
  if (request.to !== undefined && !names.includes(request.to)) throw new UnknownMemberError(group.name, request.to, names);

  let targetName: string | undefined = request.to;
  if (request.action === 'failback') {
    if (!group.preferred) throw new InvalidRequestError(`group "${group.name}" has no preferred member to fail back to`);
    if (request.to !== undefined && request.to !== group.preferred) {
      throw new InvalidRequestError(`failback goes to the preferred member "${group.preferred}", not "${request.to}"`);
    }
    targetName = group.preferred;
  }

  const views = await describeMembers(deps.ec2, group);
  if (targetName === undefined) {
    const active = await activeMember(deps.ec2, group, views);
    if (!active) {
      throw new InvalidRequestError(`no route in group "${group.name}" points at a member; name the target with "to"`);
    }
    targetName = pickTarget(group, views, [active]).name;
  }
  const target = views.get(targetName)!;
  if (target.state !== 'running') {
    throw new TargetUnhealthyError(`target ${target.name} (${target.instanceId}) is ${target.state}, not running: nothing was changed`);
  }
  const sources = names.filter((n) => n !== targetName);
  const who = request.requestedBy ?? 'unknown requester';
  const trigger: Trigger = {
    kind: 'manual',
    summary: `${request.action} to ${targetName} requested by ${who}${request.reason ? `: ${request.reason}` : ''}`,
    action: request.action,
    requestedBy: request.requestedBy,
    reason: request.reason,
  };
  return decision(group, sources, target, views, trigger, request.dryRun, input, now);
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
  };
};

/** Reads every member instance of a group with its interfaces. */
const describeMembers = async (ec2: EC2Client, group: Group): Promise<Map<string, MemberView>> => {
  const ids = group.members.map((m) => m.instanceId);
  let instances: Instance[];
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
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
    views.set(m.name, viewOf(m, inst));
  }
  return views;
};

const viewOf = (m: Member, inst: Instance): MemberView => {
  const enis = new Map<string, string>();
  const attached = (inst.NetworkInterfaces ?? [])
    .filter((n) => n.NetworkInterfaceId && n.Attachment?.DeviceIndex !== undefined)
    .sort((a, b) => slotOf(a.Attachment!).localeCompare(slotOf(b.Attachment!)));
  for (const n of attached) enis.set(slotOf(n.Attachment!), n.NetworkInterfaceId!);
  return {
    name: m.name,
    instanceId: m.instanceId,
    state: inst.State?.Name ?? 'unknown',
    availabilityZone: inst.Placement?.AvailabilityZone,
    enis,
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

/** The preferred member if it is a running candidate, else the first running one in config order. */
const pickTarget = (group: Group, views: Map<string, MemberView>, exclude: string[]): MemberView => {
  const candidates = group.members.map((m) => views.get(m.name)!).filter((v) => !exclude.includes(v.name));
  const running = candidates.filter((v) => v.state === 'running');
  const chosen = running.find((v) => v.name === group.preferred) ?? running[0];
  if (!chosen) {
    const all = group.members.map((m) => views.get(m.name)!).map((v) => `${v.name} (${v.instanceId}) is ${v.state}`);
    throw new NoHealthyTargetError(`group "${group.name}" has no running member to move routes to: ${all.join('; ')}. Nothing was changed.`);
  }
  return chosen;
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
