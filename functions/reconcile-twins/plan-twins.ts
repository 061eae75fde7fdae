import type { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import { errorText } from '../contract/aws-errors';
import type { Group } from '../contract/config';
import type { GroupStateStore } from '../domain/group-state';
import type { GroupInventory } from '../domain/inventory';
import { describeMembers } from '../aws/members';
import { readScopeAndTwins } from '../aws/group-tables';
import {
  contentDifferences,
  contentsOf,
  eniMapTo,
  hasTwinTags,
  mapContents,
  type MemberInterfaces,
  routesToAny,
  sameContents,
  type TableContents,
  TWIN_GROUP_TAG,
  TWIN_MEMBER_TAG,
  TWIN_OF_TAG,
  twinIdentity,
} from '../domain/twins';

/**
 * The read-only half of the twin reconcile: reads a group's tables, its twins and its members' interfaces,
 * and says for every original and member what the twin should hold and how far it is from that. The
 * reconcile (reconcile-twins.ts) writes from this plan; `status` shows it (twinDrift).
 */

/** The twin of one original for one member, as planned. */
export interface TwinPlan {
  member: string;
  /** The twin as read, when it exists. */
  twin?: RouteTable;
  /** What it must hold: the original's routes with every member interface replaced by this member's. */
  wanted: TableContents;
  /** False when the original already points at this member (no twin is created; an existing one is kept true). */
  needed: boolean;
  /** How the existing twin differs from `wanted` (empty when true or missing). */
  drift: string[];
}

/** A member for which no twin of the original can be built: interfaces whose slot it lacks. */
export interface NotBuildable {
  member: string;
  unpaired: Array<{ member: string; slot: string; eni: string }>;
}

export interface OriginalPlan {
  original: RouteTable;
  twins: TwinPlan[];
  notBuildable: NotBuildable[];
}

/** A twin of the group whose original is gone, out of scope, or whose member left the group. Never deleted here. */
export interface Orphan {
  twin: string;
  original: string;
  member: string;
  reason: string;
  /** Associations it still has (an associated twin carries traffic: remove it only after moving them back). */
  associations: number;
}

/** A table carrying some twin tags but not all: neither a twin nor an original, never written. */
export interface PartialTwin {
  table: string;
  tags: Record<string, string>;
}

export interface GroupPlan {
  group: Group;
  members: MemberInterfaces[];
  originals: OriginalPlan[];
  orphans: Orphan[];
  partial: PartialTwin[];
  /** Twins sharing one original and member: none of them is written until one is removed. */
  duplicates: Array<{ original: string; member: string; twins: string[] }>;
  /** Every table ID the reconcile must never write: originals, partial twins, other groups' twins. */
  untouchable: Set<string>;
  warnings: string[];
}

export interface PlanDeps {
  ec2: EC2Client;
  store: Pick<GroupStateStore, 'readInventory'>;
}

/**
 * Each member's interfaces by slot: live from EC2, else from the inventory (a member EC2 cannot show:
 * terminated, in an impaired Availability Zone), else none (then no twin can be built for it).
 */
export const memberInterfaces = async (
  deps: PlanDeps,
  group: Group,
  now: Date,
  warnings: string[],
): Promise<MemberInterfaces[]> => {
  const views = await describeMembers(deps.ec2, group, now);
  let inventory: GroupInventory = {};
  try {
    inventory = await deps.store.readInventory(group.name);
  } catch (err) {
    warnings.push(`the inventory could not be read (${errorText(err)}): members are taken from EC2 only`);
  }
  return group.members.map((m) => {
    const view = views.get(m.name);
    if (view && view.enis.size > 0)
      return { member: m.name, interfaces: [...view.enis].map(([slot, eni]) => ({ slot, eni })) };
    const inv = inventory[m.name];
    const why = view?.describeFailure
      ? `EC2 could not describe it (${view.describeFailure.code})`
      : `EC2 shows it ${view?.state ?? 'unknown'} with no interface`;
    if (inv) {
      warnings.push(`${m.name}: ${why}; its interfaces come from the inventory (observed ${inv.observedAt})`);
      return { member: m.name, interfaces: inv.interfaces.map((i) => ({ slot: i.slot, eni: i.eni })) };
    }
    warnings.push(`${m.name}: ${why} and no inventory holds its interfaces: no twin can be built for it`);
    return { member: m.name, interfaces: [] };
  });
};

/**
 * The group's originals and twins. With a whole-VPC scope one read returns both; otherwise the twins are read
 * with their group tag (vpc-id + tag:route-failover:twin-group). Any table with a twin tag is never an original.
 */
const TWIN_KEYS = [TWIN_OF_TAG, TWIN_MEMBER_TAG, TWIN_GROUP_TAG];

/** Reads a group and plans its twins; `only` limits the originals planned (orphans are found from the whole scope). */
export const planGroup = async (
  deps: PlanDeps,
  group: Group,
  now: Date,
  only?: ReadonlySet<string>,
): Promise<GroupPlan> => {
  const warnings: string[] = [];
  const { scoped, tagged } = await readScopeAndTwins(deps.ec2, group);
  const members = await memberInterfaces(deps, group, now, warnings);
  const memberNames = new Set(group.members.map((m) => m.name));
  const allEnis = new Set(members.flatMap((m) => m.interfaces.map((i) => i.eni)));

  const untouchable = new Set<string>();
  const partial: PartialTwin[] = [];
  const twins = new Map<string, RouteTable[]>();
  const seen = new Set<string>();
  for (const t of [...scoped, ...tagged]) {
    const id = t.RouteTableId!;
    if (seen.has(id)) continue;
    seen.add(id);
    const identity = twinIdentity(t);
    if (!hasTwinTags(t)) continue;
    if (!identity) {
      untouchable.add(id);
      partial.push({
        table: id,
        tags: Object.fromEntries(
          (t.Tags ?? []).filter((x) => TWIN_KEYS.includes(x.Key!)).map((x) => [x.Key!, x.Value ?? '']),
        ),
      });
    } else if (identity.group !== group.name) {
      untouchable.add(id);
    } else {
      const key = `${identity.original}|${identity.member}`;
      twins.set(key, [...(twins.get(key) ?? []), t]);
    }
  }
  const originals = scoped.filter((t) => !hasTwinTags(t));
  for (const o of originals) untouchable.add(o.RouteTableId!);
  const originalIds = new Set(originals.map((o) => o.RouteTableId!));

  const duplicates: GroupPlan['duplicates'] = [];
  const orphans: Orphan[] = [];
  for (const [key, list] of twins) {
    const [original, member] = key.split('|');
    if (list.length > 1) {
      duplicates.push({ original, member, twins: list.map((t) => t.RouteTableId!).sort() });
      for (const t of list) untouchable.add(t.RouteTableId!);
    }
    const reason = !memberNames.has(member)
      ? `member "${member}" is not in the group`
      : !originalIds.has(original)
        ? `original ${original} is gone or outside the group's scope`
        : undefined;
    if (reason) {
      for (const t of list)
        orphans.push({ twin: t.RouteTableId!, original, member, reason, associations: (t.Associations ?? []).length });
    }
  }

  const planned: OriginalPlan[] = [];
  for (const original of originals) {
    const id = original.RouteTableId!;
    if (only && !only.has(id)) continue;
    const contents = contentsOf(original);
    const existing = group.members.filter((m) => (twins.get(`${id}|${m.name}`) ?? []).length === 1);
    // A table without routes to any member needs no twin; twins it already has are still kept true.
    if (!routesToAny(contents, allEnis) && existing.length === 0) continue;
    const plan: OriginalPlan = { original, twins: [], notBuildable: [] };
    for (const m of group.members) {
      const list = twins.get(`${id}|${m.name}`) ?? [];
      if (list.length > 1) continue;
      const twin = list[0];
      const { map, unpaired } = eniMapTo(members, m.name);
      const wanted = mapContents(contents, map);
      const needed = !sameContents(wanted, contents);
      // Only the unpaired interfaces this table routes to stop its twin from being built.
      const blocking = unpaired.filter((u) =>
        [...contents.routes.values()].some((r) => r.target.field === 'NetworkInterfaceId' && r.target.id === u.eni),
      );
      if (blocking.length > 0) {
        plan.notBuildable.push({ member: m.name, unpaired: blocking });
        continue;
      }
      if (!twin && !needed) continue;
      plan.twins.push({
        member: m.name,
        twin,
        wanted,
        needed,
        drift: twin ? contentDifferences(wanted, contentsOf(twin)) : [],
      });
    }
    planned.push(plan);
  }
  if (only)
    for (const id of only)
      if (!originalIds.has(id))
        warnings.push(`${id} is not an original route table in the scope of group ${group.name}`);
  return { group, members, originals: planned, orphans, partial, duplicates, untouchable, warnings };
};

/** One twin's state for `status`. */
export interface TwinDriftEntry {
  member: string;
  state: 'ok' | 'drifted' | 'missing' | 'not-buildable';
  twin?: string;
  /** The first differences (drifted) or the unpaired interfaces (not-buildable). */
  differences: string[];
}

export interface TwinDrift {
  group: string;
  originals: Array<{ original: string; name?: string; twins: TwinDriftEntry[] }>;
  orphans: Orphan[];
  partial: PartialTwin[];
  duplicates: GroupPlan['duplicates'];
  warnings: string[];
}

/**
 * Whether the drift view shows anything a failover would trip over (a missing, false or unbuildable twin, a duplicate).
 */
export const driftNeedsAttention = (d: TwinDrift): boolean =>
  d.duplicates.length > 0 || d.originals.some((o) => o.twins.some((t) => t.state !== 'ok'));

/** Read-only: for each original and member, whether its twin exists and is true. Writes nothing. */
export const twinDrift = async (deps: PlanDeps, group: Group, now: Date = new Date()): Promise<TwinDrift> => {
  const plan = await planGroup(deps, group, now);
  return driftOf(plan);
};

/** The drift view of a plan. */
export const driftOf = (plan: GroupPlan): TwinDrift => ({
  group: plan.group.name,
  originals: plan.originals.map((o) => ({
    original: o.original.RouteTableId!,
    name: o.original.Tags?.find((t) => t.Key === 'Name')?.Value,
    twins: [
      ...o.twins.map(
        (t): TwinDriftEntry => ({
          member: t.member,
          twin: t.twin?.RouteTableId,
          state: !t.twin ? 'missing' : t.drift.length > 0 ? 'drifted' : 'ok',
          differences: t.drift,
        }),
      ),
      ...o.notBuildable.map(
        (n): TwinDriftEntry => ({
          member: n.member,
          state: 'not-buildable',
          differences: n.unpaired.map((u) => `${u.member} ${u.eni} (slot ${u.slot}) has no pair`),
        }),
      ),
    ],
  })),
  orphans: plan.orphans,
  partial: plan.partial,
  duplicates: plan.duplicates,
  warnings: plan.warnings,
});
