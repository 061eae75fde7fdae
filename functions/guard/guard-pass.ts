import { createHash } from 'node:crypto';
import type { RouteTable } from '@aws-sdk/client-ec2';
import { liveAssociations } from '../domain/associations';
import { checkInvariant, memberOfRoute, type KnownMember } from '../domain/invariant';
import { addressGuardFindings, type AddressClauseRead } from '../domain/addresses/invariant';
import { routeDestination } from '../domain/routes';

/**
 * THE GUARD PASS, pure: given what one fresh read shows of a group (its reach, its scope, the VPC's other
 * tables) and what the group state remembers (the last switch, the tables in scope at that switch), the
 * findings. The rule itself is not here: routes in reach are judged by checkInvariant (shared/invariant.ts),
 * the one function the final verification runs too. What the guard adds is what only a pass between failovers
 * can see: a table that appeared in the scope since the last switch, and subnets on a table outside the scope
 * that still route to a member (a gap in the scope, which no switch will ever move).
 *
 * Exceptions: a route table tagged `route-failover:guard = ignore` is never judged, reported or converged.
 */

/** The tag that exempts a route table from the guard, and the one value that does. */
export const GUARD_TAG_KEY = 'route-failover:guard';
export const GUARD_TAG_IGNORE = 'ignore';

/** Findings listed in a result, a notification and the group state; every finding is counted. */
export const GUARD_FINDINGS_LISTED = 25;
/** Ignored tables named in a result (the count is whole). */
export const IGNORED_LISTED = 25;

/** `address`: the invariant's address clause (an Elastic IP or secondary IP of the group not on the active member). */
export type GuardFindingKind = 'departed' | 'split' | 'blackhole' | 'new-table' | 'scope-gap' | 'address';
export const GUARD_FINDING_KINDS: GuardFindingKind[] = [
  'departed',
  'split',
  'blackhole',
  'new-table',
  'scope-gap',
  'address',
];

/** Who changed a route, as CloudTrail reported it (the event that started the pass, or an earlier one). */
export interface ChangeCause {
  who: string;
  when: string;
  call: string;
  eventId?: string;
}

export interface GuardFinding {
  kind: GuardFindingKind;
  routeTableId: string;
  /** CIDR or prefix-list ID. */
  destination: string;
  /** The route's target as read: an interface, or the instance when only that is known. */
  target: string;
  member: string;
  problem: string;
  cause?: ChangeCause;
}

/** Where the active member comes from: the last switch's target, or the member most routes lead to. */
export interface ActiveMember {
  member: string;
  from: 'last-switch' | 'routes';
}

export interface GuardPassInput {
  /** Undefined when no route in reach leads to a member (then only the scope can have a gap). */
  active?: ActiveMember;
  /** The members the last switch moved away from (empty when the active member comes from the routes). */
  departed: string[];
  members: KnownMember[];
  /** A fresh read of the tables in reach (shared/invariant.ts `reachOf`). */
  reach: RouteTable[];
  /** The tables of the group's scope, as read with the reach (originals, no twins). */
  scoped: RouteTable[];
  /** Table IDs in scope at the last switch (the baseline); undefined while none is taken: no table is new. */
  baseline?: string[];
  /**
   * Every table of the VPC outside the group's own read; undefined when the scope is the whole VPC (no gap possible).
   */
  outside?: RouteTable[];
  /** A fresh read of the group's addresses, when it moves any: judged by the invariant's address clause. */
  addresses?: AddressClauseRead;
}

export interface GuardPassResult {
  active?: ActiveMember;
  /** Tables and routes to an interface the invariant looked at. */
  tables: number;
  routes: number;
  /**
   * Tables tagged to be left alone, and how many of their routes in reach lead to a member other than the active
   * one: a switchover would move those too (the workflow does not know the guard's tag), so convergence waits.
   */
  ignored: { count: number; tables: string[]; wouldMove: number };
  total: number;
  counts: Record<GuardFindingKind, number>;
  /** At most GUARD_FINDINGS_LISTED, in a stable order (kind, table, destination). */
  findings: GuardFinding[];
  /** Hash of the whole finding set (listed or not): what "the findings changed" means. */
  hash: string;
}

/** Whether a table carries the guard's exception tag. */
export const isGuardIgnored = (t: RouteTable): boolean =>
  (t.Tags ?? []).some((x) => x.Key === GUARD_TAG_KEY && x.Value === GUARD_TAG_IGNORE);

/** The identity of a finding across passes: kind, table, destination, target. */
export const findingKey = (f: Pick<GuardFinding, 'kind' | 'routeTableId' | 'destination' | 'target'>): string =>
  `${f.kind}|${f.routeTableId}|${f.destination}|${f.target}`;

/** Hash of a finding set by its keys (order-free); the clean set has a hash too (CLEAN_HASH). */
export const findingSetHash = (keys: string[]): string =>
  createHash('sha256')
    .update([...keys].sort().join('\n'))
    .digest('hex')
    .slice(0, 16);

export const CLEAN_HASH = findingSetHash([]);

const lookups = (members: KnownMember[]) => {
  const byEni = new Map<string, string>();
  const byInstance = new Map<string, string>();
  for (const m of members) {
    for (const eni of m.enis) if (!byEni.has(eni)) byEni.set(eni, m.name);
    if (m.instanceId) byInstance.set(m.instanceId, m.name);
  }
  return { byEni, byInstance };
};

/** Each route of `table` that leads to a member, with the member. */
const memberRoutes = (table: RouteTable, members: KnownMember[]) => {
  const { byEni, byInstance } = lookups(members);
  const out: Array<{ destination: string; target: string; member: string }> = [];
  for (const route of table.Routes ?? []) {
    const d = routeDestination(route);
    const member = memberOfRoute(route, byEni, byInstance);
    if (d && member) out.push({ destination: d.value, target: route.NetworkInterfaceId ?? route.InstanceId!, member });
  }
  return out;
};

/**
 * The active member when the group state records no switch to a member of the group: the member most routes
 * in reach lead to (ties: config order of `members`); undefined when no route leads to a member.
 */
export const activeFromRoutes = (members: KnownMember[], reach: RouteTable[]): string | undefined => {
  const counts = new Map<string, number>();
  for (const t of reach)
    for (const r of memberRoutes(t, members)) counts.set(r.member, (counts.get(r.member) ?? 0) + 1);
  let best: string | undefined;
  for (const m of members) if ((counts.get(m.name) ?? 0) > (counts.get(best ?? '') ?? 0)) best = m.name;
  return best;
};

/** The findings of one pass (see the module comment). Pure: the same read gives the same result. */
export const guardPass = (input: GuardPassInput): GuardPassResult => {
  const ignoredIds = new Set<string>();
  const keep = (tables: RouteTable[]) =>
    tables.filter((t) => {
      if (!isGuardIgnored(t)) return true;
      ignoredIds.add(t.RouteTableId!);
      return false;
    });
  const reach = keep(input.reach);
  const scoped = keep(input.scoped);
  const outside = input.outside ? keep(input.outside) : [];

  const invariant = checkInvariant({
    target: input.active?.member ?? '',
    departed: input.departed,
    members: input.members,
    tables: reach,
  });
  const ignoredReach = input.reach.filter((t) => ignoredIds.has(t.RouteTableId!));
  const wouldMove = checkInvariant({
    target: input.active?.member ?? '',
    departed: input.departed,
    members: input.members,
    tables: ignoredReach,
  }).findings.filter((f) => f.kind !== 'blackhole').length;
  const all: GuardFinding[] = invariant.findings.map((f) => ({
    kind: f.kind,
    routeTableId: f.routeTableId,
    destination: f.destination.value,
    target: f.target,
    member: f.member,
    problem: f.problem,
  }));

  // A table the last switch did not see: its routes to the active member are right today by chance, and it was
  // never planned (its routes to other members are already findings of the invariant).
  if (input.baseline && input.active) {
    const known = new Set(input.baseline);
    for (const t of scoped.filter((x) => !known.has(x.RouteTableId!))) {
      for (const r of memberRoutes(t, input.members).filter((x) => x.member === input.active!.member)) {
        all.push({
          kind: 'new-table',
          routeTableId: t.RouteTableId!,
          ...r,
          problem:
            `table is in scope but did not exist at the last switch: ` +
            `its route to ${r.member}'s ${r.target} was never planned`,
        });
      }
    }
  }

  // Outside the scope no switch ever writes: a subnet there that routes to a member follows no failover.
  for (const t of outside) {
    // A gateway's edge association carries traffic as a subnet's does: it counts too.
    const users = liveAssociations(t).map((a) =>
      a.Main ? 'the main association' : a.SubnetId ? `subnet ${a.SubnetId}` : `gateway ${a.GatewayId}`,
    );
    if (users.length === 0) continue;
    for (const r of memberRoutes(t, input.members)) {
      const via = users.length === 1 ? users[0] : `${users.length} associations`;
      all.push({
        kind: 'scope-gap',
        routeTableId: t.RouteTableId!,
        ...r,
        problem:
          `table outside the group's scope routes to ${r.member}'s ` + `${r.target} for ${via}: no switch will move it`,
      });
    }
  }

  if (input.addresses)
    all.push(...addressGuardFindings(input.active?.member, input.departed, input.members, input.addresses));

  all.sort(
    (a, b) =>
      GUARD_FINDING_KINDS.indexOf(a.kind) - GUARD_FINDING_KINDS.indexOf(b.kind) ||
      findingKey(a).localeCompare(findingKey(b)),
  );
  const counts = Object.fromEntries(GUARD_FINDING_KINDS.map((k) => [k, 0])) as Record<GuardFindingKind, number>;
  for (const f of all) counts[f.kind]++;
  const ignored = [...ignoredIds].sort();
  return {
    ...(input.active ? { active: input.active } : {}),
    tables: invariant.tables,
    routes: invariant.routes,
    ignored: { count: ignored.length, tables: ignored.slice(0, IGNORED_LISTED), wouldMove },
    total: all.length,
    counts,
    findings: all.slice(0, GUARD_FINDINGS_LISTED),
    hash: findingSetHash(all.map(findingKey)),
  };
};

/** What a CloudTrail event says it changed: the table, and the destination when the call names one. */
export interface ChangeClaim {
  routeTableId?: string;
  destination?: string;
  cause: ChangeCause;
}

/**
 * Attaches causes to findings: a cause already known for the same finding (a previous pass's) is kept, and the
 * event that started this pass explains the findings on the table (and destination) it names.
 */
export const attributeCauses = (
  findings: GuardFinding[],
  claim: ChangeClaim | undefined,
  previous: GuardFinding[] = [],
): GuardFinding[] => {
  const known = new Map(previous.filter((f) => f.cause).map((f) => [findingKey(f), f.cause!]));
  return findings.map((f) => {
    const explained =
      claim &&
      claim.routeTableId === f.routeTableId &&
      (claim.destination === undefined || claim.destination === f.destination);
    const cause = explained ? claim.cause : known.get(findingKey(f));
    return cause ? { ...f, cause } : f;
  });
};
