import type { EC2Client } from '@aws-sdk/client-ec2';
import { classifyTrigger } from '../domain/classify';
import type { FailoverConfig, Group } from '../contract/config';
import {
  Ec2TransientError,
  InvalidRequestError,
  MemberNotFoundError,
  NoHealthyTargetError,
  TargetStatusPendingError,
  TargetUnhealthyError,
} from '../contract/errors';
import type { GroupStateStore } from '../domain/group-state';
import { activeHold, heldReason } from '../contract/hold';
import type { GroupInventory } from '../domain/inventory';
import type { AlarmReader } from '../domain/alarms';
import { describeScopedRouteTables } from '../aws/route-tables';
import { knownEnis, knownMembers, refreshInventory, rememberLearned } from './member-evidence';
import { memberOfRoute } from '../domain/invariant';
import { effectiveTriggerTime, tooOldReason } from '../domain/trigger-time';
import {
  describeMembers,
  interfacesFromOf,
  interfacesFromRoutes,
  type MemberView,
  settlingChecks,
  type SourceInterface,
  sourceInterfaces,
  transientFailure,
} from '../aws/members';
import {
  ExecutionInfoSchema,
  type InterfacePair,
  LeaseStateSchema,
  type MemberHealth,
  type MemberState,
  type Resolved,
  type Trigger,
} from '../contract/schemas';
import * as z from '../contract/zod';
import { dampingReason, failbackBlocker, staleReason, unconfirmedReason } from './trigger-checks';

export const ResolveInputSchema = z.lazy(() =>
  z.object({ event: z.unknown(), execution: ExecutionInfoSchema, lease: z.optional(LeaseStateSchema) }),
);
export type ResolveInput = z.infer<typeof ResolveInputSchema>;

export interface ResolveDeps {
  ec2: EC2Client;
  config: FailoverConfig;
  /** The group-state table: the member inventory is read from it and refreshed with what EC2 shows. */
  store: GroupStateStore;
  /** CloudWatch: an alarm event acts only if its alarm is in ALARM now. */
  alarms: AlarmReader;
  /** The stack's name, which starts the names of its status-check alarms. */
  stackName: string;
  now?: () => Date;
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
  const base = {
    execution: input.execution,
    dryRun: false,
    sources: [],
    pairs: [],
    targetEnis: [],
    maxConcurrency: 1,
    lease: input.lease,
  };
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
    throw new InvalidRequestError(
      `ResolveTargets needs the lease of group "${c.group.name}" (AcquireLease did not grant it)`,
    );
  }

  const { group, trigger } = c;
  // A maintenance hold stops every automatic trigger (failback included) before EC2 is read; manual requests run.
  const hold = c.automatic ? activeHold(input.lease.hold, now()) : undefined;
  if (hold) return noop(trigger, heldReason(group.name, hold), group, { automatic: true, held: hold });
  // The event's own time is a claim: never later than this execution's start (plus skew), never too old.
  const triggerTime = effectiveTriggerTime(c.triggerTime, input.execution.startTime);
  const tooOld = c.automatic ? tooOldReason(c.triggerTime, input.execution.startTime) : undefined;
  if (tooOld) return noop(trigger, tooOld, group, { automatic: true, warnings: [tooOld] });
  const [views, inventory] = await Promise.all([
    describeMembers(deps.ec2, group, now()),
    deps.store.readInventory(group.name),
  ]);
  const refreshWarnings = await refreshInventory(deps.store, group, views, inventory);
  const ctx: DecisionContext = {
    ec2: deps.ec2,
    store: deps.store,
    group,
    views,
    inventory,
    trigger,
    input,
    now,
    warnings: refreshWarnings,
  };

  if (c.failback) {
    const why = failbackBlocker(c.failback.member, triggerTime, views, input.lease);
    if (why) return noop(trigger, why, group, { automatic: true, health: healthOf(views) });
    const target = views.get(c.failback.member.name)!;
    const sources = group.members.map((m) => m.name).filter((n) => n !== target.name);
    return decision(ctx, sources, target, false, {
      automatic: true,
      suppressReason: dampingReason(group, input.lease, c.triggerId, now()),
    });
  }

  if (c.automatic) {
    const unconfirmed = await unconfirmedReason(trigger, c.failing!, group, views, deps);
    if (unconfirmed)
      return noop(trigger, unconfirmed, group, { automatic: true, health: healthOf(views), warnings: [unconfirmed] });
    const stale = staleReason(triggerTime, c.failing!, input.lease);
    if (stale) return noop(trigger, stale, group, { automatic: true, health: healthOf(views) });
    const target = pickTarget(group, views, [c.failing!.name]);
    return decision(ctx, [c.failing!.name], target, false, {
      automatic: true,
      suppressReason: dampingReason(group, input.lease, c.triggerId, now()),
    });
  }

  const r = c.request!;
  // classifyTrigger has validated failback (a preferred member exists, `to` agrees with it).
  let targetName = r.action === 'failback' ? group.preferred : r.to;
  if (targetName === undefined) {
    const active = await activeMember(deps.ec2, group, views, inventory);
    if (!active)
      throw new InvalidRequestError(`no route in group "${group.name}" points at a member; name the target with "to"`);
    targetName = pickTarget(group, views, [active]).name;
  }
  const target = requireHealthyTarget(views.get(targetName)!);
  const sources = group.members.map((m) => m.name).filter((n) => n !== targetName);
  return decision(ctx, sources, target, r.dryRun, { automatic: false });
};

interface DecisionContext {
  ec2: EC2Client;
  store: GroupStateStore;
  group: Group;
  views: Map<string, MemberView>;
  inventory: GroupInventory;
  trigger: Trigger;
  input: ResolveInput;
  now: () => Date;
  warnings: string[];
}

/**
 * The failover decision: each source interface (live, or remembered by the inventory when the source is
 * gone or cannot be seen) paired by slot with the target's live interface.
 */
const decision = async (
  ctx: DecisionContext,
  sourceNames: string[],
  target: MemberView,
  dryRun: boolean,
  extra: Partial<Resolved>,
): Promise<Resolved> => {
  const { group, views, input, now } = ctx;
  const targetEnis = new Set(target.enis.values());
  const pairs: InterfacePair[] = [];
  const warnings = [...ctx.warnings];
  const found = new Map<string, SourceInterface[]>();
  const inventoryAt = new Map<string, string | undefined>();
  for (const name of sourceNames) {
    const r = await sourceInterfaces(ctx.ec2, views.get(name)!, ctx.inventory, targetEnis, now());
    warnings.push(...r.warnings);
    found.set(name, r.interfaces);
    inventoryAt.set(name, r.inventoryObservedAt);
  }
  // The route tables say where each route leads, whatever the instances' describes and the inventory know.
  const known = new Set([
    ...targetEnis,
    ...[...found.values()].flat().map((i) => i.eni),
    ...knownEnis(ctx.inventory, views),
  ]);
  const learned = await interfacesFromRoutes(
    ctx.ec2,
    group.vpcId,
    sourceNames.map((n) => views.get(n)!),
    known,
  );
  warnings.push(...learned.warnings);
  warnings.push(...(await rememberLearned(ctx.store, group, views, learned.byMember, now())));
  const sources: MemberState[] = [];
  for (const name of sourceNames) {
    const s = views.get(name)!;
    const interfaces = [...found.get(name)!, ...(learned.byMember.get(name) ?? [])];
    for (const i of interfaces)
      pairs.push({ slot: i.slot, fromMember: s.name, fromEni: i.eni, toEni: target.enis.get(i.slot) });
    sources.push({
      ...publicView(s),
      interfacesFrom: interfacesFromOf(interfaces),
      inventoryObservedAt: inventoryAt.get(name),
    });
  }
  return {
    action: 'failover',
    trigger: ctx.trigger,
    dryRun,
    group: {
      name: group.name,
      vpcId: group.vpcId,
      routeTables: group.routeTables,
      ...(group.priority ? { priority: group.priority } : {}),
      ...(group.switchMode === 'associations' ? { switchMode: group.switchMode } : {}),
      ...(group.elasticIps ? { elasticIps: group.elasticIps } : {}),
      ...(group.secondaryPrivateIps ? { secondaryPrivateIps: group.secondaryPrivateIps } : {}),
    },
    sources,
    target: { ...publicView(target), interfacesFrom: 'ec2' },
    pairs,
    targetEnis: [...targetEnis],
    members: knownMembers(group, views, ctx.inventory, pairs),
    maxConcurrency: group.maxConcurrency,
    execution: input.execution,
    resolvedAt: now().toISOString(),
    lease: input.lease,
    health: healthOf(views),
    ...(warnings.length > 0 ? { warnings } : {}),
    ...extra,
  };
};

/** The named target, if EC2 can describe it and it passes the health gate; else a named error (nothing changes). */
const requireHealthyTarget = (target: MemberView): MemberView => {
  const t = transientFailure(target);
  if (t)
    throw new Ec2TransientError(
      `target ${target.name} (${target.instanceId}) could not be described (${t.code}: ${t.message}); retrying`,
    );
  const f = target.describeFailure;
  if (f?.notFound)
    throw new MemberNotFoundError(
      `target ${target.name} (${target.instanceId}) does not exist in EC2 (${f.code}). Nothing was changed.`,
    );
  if (!target.health.healthy) {
    // Checks still settling (a standby just started) may pass in minutes: retried, unlike a check that failed.
    const settling = settlingChecks(target);
    if (settling)
      throw new TargetStatusPendingError(
        `target ${target.name} (${target.instanceId}) is running but its ${settling.join(', ')}`,
      );
    throw new TargetUnhealthyError(
      `target ${target.name} (${target.instanceId}) failed the health ` +
        `gate: ${target.health.problems.join('; ')}. Nothing was changed.`,
    );
  }
  return target;
};

const publicView = (v: MemberView): MemberState => ({
  name: v.name,
  instanceId: v.instanceId,
  state: v.state,
  availabilityZone: v.availabilityZone,
});

const healthOf = (views: Map<string, MemberView>): MemberHealth[] => [...views.values()].map((v) => v.health);

/**
 * The target for routes leaving `exclude`: the preferred member if it passes the health gate, else the first
 * healthy member in config order. One whose checks are still settling: TargetStatusPendingError (retried); none
 * running: NoHealthyTargetError; running but unhealthy: TargetUnhealthyError.
 */
const pickTarget = (group: Group, views: Map<string, MemberView>, exclude: string[]): MemberView => {
  const candidates = group.members.map((m) => views.get(m.name)!).filter((v) => !exclude.includes(v.name));
  const healthy = candidates.filter((v) => v.health.healthy);
  const chosen = healthy.find((v) => v.name === group.preferred) ?? healthy[0];
  if (chosen) return chosen;
  const all = group.members.map((m) => views.get(m.name)!);
  const unseen = candidates.filter((v) => transientFailure(v));
  if (unseen.length > 0) {
    // A standby EC2 cannot describe right now may be healthy: retry rather than declare none.
    throw new Ec2TransientError(
      `no member of group "${group.name}" could be confirmed healthy: ` +
        `${unseen.map((v) => `${v.name}: ${transientFailure(v)!.code}`).join('; ')}; retrying`,
    );
  }
  // A candidate whose only problem is checks still settling may pass in minutes: wait for it rather than fail.
  const settling = candidates.filter((v) => settlingChecks(v));
  if (settling.length > 0) {
    throw new TargetStatusPendingError(
      `no member of group "${group.name}" passes the health gate yet: ` +
        settling
          .map((v) => `${v.name} (${v.instanceId}) is running but its ${settlingChecks(v)!.join(', ')}`)
          .join('; '),
    );
  }
  if (!candidates.some((v) => v.state === 'running')) {
    throw new NoHealthyTargetError(
      `group "${group.name}" has no running member to move routes to: ` +
        `${all.map((v) => `${v.name} (${v.instanceId}) is ${v.state}`).join('; ')}. Nothing was changed.`,
    );
  }
  throw new TargetUnhealthyError(
    `no member of group "${group.name}" passes the health gate: ` +
      `${candidates.map((v) => `${v.name}: ${v.health.problems.join(', ')}`).join('; ')}. Nothing was changed.`,
  );
};

/** The member most of the group's routes point at now (read from the route tables, never remembered). */
const activeMember = async (
  ec2: EC2Client,
  group: Group,
  views: Map<string, MemberView>,
  inventory: GroupInventory,
): Promise<string | undefined> => {
  const owner = new Map<string, string>();
  for (const inv of Object.values(inventory)) for (const i of inv.interfaces) owner.set(i.eni, inv.member);
  for (const v of views.values()) for (const eni of v.enis.values()) owner.set(eni, v.name);
  const counts = new Map<string, number>();
  const byInstance = new Map(group.members.map((m) => [m.instanceId, m.name]));
  for (const table of await describeScopedRouteTables(ec2, group.vpcId, group.routeTables)) {
    for (const r of table.Routes ?? []) {
      const m = memberOfRoute(r, owner, byInstance);
      if (m) counts.set(m, (counts.get(m) ?? 0) + 1);
    }
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
};
