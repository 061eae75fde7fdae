import type { Route, RouteTable } from '@aws-sdk/client-ec2';
import { liveAssociations } from './associations';
import { isPropagated, routeDestination } from './routes';
import type { Destination } from '../contract/schemas';

/**
 * THE ROUTE-TABLE INVARIANT, stated once. A switch is right when, on a fresh read of every table the group
 * reaches, no route leads to a member the routes left, and no route is `blackhole` on any member's interface.
 *
 * A route leads to a member by its interface (one the member has now, or had: the inventory, the pairs) or,
 * when the interface is unknown, by the instance EC2 shows behind it (`InstanceId`, which DescribeRouteTables
 * returns for a route to an interface attached to an instance). The check never trusts the plan: it looks at
 * every route of every table in reach, local routes and routes nobody planned included. A propagated route is
 * owned by its virtual private gateway and never leads to a member.
 *
 * Reach: in the routes mode, every table of the scope and every twin of the group that something (a subnet, a
 * gateway, the main association) still uses; in the associations mode, every table of the group (originals
 * and twins) that something uses: an original every subnet has left is the fallback and points at the failed
 * side on purpose. The final verification runs it; so will the guard and the generated-case checks.
 *
 * A member that is neither the target nor left by this switch (a third member an automatic failover of
 * another member does not touch) is still another member: its routes are findings too (`split`), since the
 * group is active/standby and traffic split between members is not the state any switch leaves.
 */

/** One member as far as it can be known: its instance and every interface it has or had. */
export interface KnownMember {
  name: string;
  instanceId?: string;
  enis: Iterable<string>;
}

export interface InvariantInput {
  /** The member the routes must lead to. */
  target: string;
  /** The members the switch moved away from (a failover: the failed member; a switchover: every other member). */
  departed: string[];
  members: KnownMember[];
  /** A fresh read of the tables in reach (see `reachOf`). */
  tables: RouteTable[];
}

export type FindingKind = 'departed' | 'split' | 'blackhole';

/** A route in reach that breaks the invariant. */
export interface Finding {
  routeTableId: string;
  destination: Destination;
  /** The route's target as read: an interface ID, or the instance when only that is known. */
  target: string;
  member: string;
  state?: string;
  kind: FindingKind;
  /** Whether the route is the table's local route (replaced by an interface). */
  local?: true;
  problem: string;
}

export interface InvariantResult {
  findings: Finding[];
  /** Routes in reach to an interface or an instance (the ones that can lead to a member), and tables. */
  routes: number;
  tables: number;
  /** Findings on a member that is neither the target nor departed (counted among the findings too). */
  split: number;
}

/** The member a route leads to, by its interface first, then by the instance EC2 shows behind it. */
export const memberOfRoute = (
  route: Route,
  byEni: Map<string, string>,
  byInstance: Map<string, string>,
): string | undefined => {
  if (isPropagated(route)) return undefined;
  const eni = route.NetworkInterfaceId;
  if (eni && byEni.has(eni)) return byEni.get(eni);
  if (route.InstanceId && byInstance.has(route.InstanceId)) return byInstance.get(route.InstanceId);
  return undefined;
};

/** Which member owns each interface and each instance (an interface known of two members counts for the first). */
export const memberIndex = (
  members: KnownMember[],
): { byEni: Map<string, string>; byInstance: Map<string, string> } => {
  const byEni = new Map<string, string>();
  const byInstance = new Map<string, string>();
  for (const m of members) {
    for (const eni of m.enis) if (!byEni.has(eni)) byEni.set(eni, m.name);
    if (m.instanceId) byInstance.set(m.instanceId, m.name);
  }
  return { byEni, byInstance };
};

/** Every route of `tables` that breaks the invariant (see the module comment), with what was looked at. */
export const checkInvariant = (input: InvariantInput): InvariantResult => {
  const { byEni, byInstance } = memberIndex(input.members);
  const departed = new Set(input.departed);
  const out: InvariantResult = { findings: [], routes: 0, tables: input.tables.length, split: 0 };
  for (const table of input.tables) {
    for (const route of table.Routes ?? []) {
      const destination = routeDestination(route);
      // Only a route to an interface (or an instance) can lead to a member: those are the routes checked.
      if (!destination || (!route.NetworkInterfaceId && !route.InstanceId)) continue;
      out.routes++;
      const member = memberOfRoute(route, byEni, byInstance);
      if (member === undefined) continue;
      const target = route.NetworkInterfaceId ?? route.InstanceId!;
      const base = {
        routeTableId: table.RouteTableId!,
        destination,
        target,
        member,
        state: route.State,
        ...(isLocal(route) ? { local: true as const } : {}),
      };
      if (member !== input.target) {
        const kind = departed.has(member) ? 'departed' : 'split';
        if (kind === 'split') out.split++;
        out.findings.push({
          ...base,
          kind,
          problem: problemText.departed(member, target, !route.NetworkInterfaceId, route.State === 'blackhole'),
        });
      } else if (route.State === 'blackhole') {
        out.findings.push({ ...base, kind: 'blackhole', problem: problemText.blackhole(member, target) });
      }
    }
  }
  return out;
};

const isLocal = (route: Route): boolean => route.Origin === 'CreateRouteTable';

/**
 * The texts the verification lists for routes that break the invariant, in one place: PlanSwitch' state budget
 * sizes a listed problem from the longest of them (plan-switch/state-budget.ts).
 */
export const problemText = {
  departed: (member: string, target: string, byInstance: boolean, blackhole: boolean): string =>
    `still points at ` +
    `${byInstance ? `${member} (instance ${target})` : `${member}'s interface ${target}`}` +
    `${blackhole ? ' (blackhole)' : ''}`,
  blackhole: (member: string, target: string): string =>
    `blackhole on ${member}'s interface ${target}: it cannot carry traffic`,
  /** A finding the verification lists (a route a planned write did not reach). */
  unmoved: (finding: string): string => `${finding}: not moved by this run`,
  /**
   * A blackhole on an interface nobody knew, while departed members' interfaces are unknown (the
   * record's warnings say more).
   */
  unattributed: (eni: string, blind: string[]): string =>
    `blackhole on ${eni}: nobody's known interface, and ${blind.join(', ')}'s are unknown`,
};

/** What a group's table read holds, as the reach needs it (see group-tables.ts). */
export interface ReachSource {
  originals: RouteTable[];
  twins: RouteTable[];
  /** Tables tagged as this group's twins whose original is gone or out of scope. */
  orphanTwins: RouteTable[];
}

/** The tables the group reaches (see the module comment), each once. */
export const reachOf = (read: ReachSource, mode: 'routes' | 'associations'): RouteTable[] => {
  const used = (t: RouteTable) => liveAssociations(t).length > 0;
  const tables =
    mode === 'associations'
      ? [...read.originals, ...read.twins, ...read.orphanTwins].filter(used)
      : [...read.originals, ...[...read.twins, ...read.orphanTwins].filter(used)];
  const seen = new Set<string>();
  return tables.filter((t) => !seen.has(t.RouteTableId!) && seen.add(t.RouteTableId!));
};

/** One line for the record and the notification: what the invariant looked at, and what it found. */
export const describeCheck = (r: InvariantResult, target: string, departed: string[]): string =>
  `checked ${r.routes} route(s) to an interface in ${r.tables} table(s) in reach: ` +
  (r.findings.length === 0
    ? `none leads to a member other than ${target} or is blackhole on a member`
    : `${r.findings.length} lead to ` +
      `${departed.join(', ') || 'another member'}` +
      `${r.split > 0 ? ` (${r.split} to a member this switch did not leave)` : ''} ` +
      `or are blackhole, not on ${target}`);
