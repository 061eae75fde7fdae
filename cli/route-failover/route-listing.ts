import type { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import type { Group } from '../../functions/contract/config';
import { routeDestination, routeTarget } from '../../functions/domain/routes';
import { describeScopedRouteTables } from '../../functions/aws/route-tables';
import type { GroupStatus } from './group-status';
import { ARROW, plural, table } from './format';
import { tableNames } from './route-plan';

/**
 * `status --routes`: every route of the group's tables that points at a network interface, per table,
 * with the member it reaches; tables whose routes are split between members; blackholes; and routes in
 * tables OUTSIDE the group's scope that point at a member's interface: a failover never moves those.
 */

export interface ListedRoute {
  destination: string;
  target: string;
  /** The member whose interface it is; absent for an interface no member has now. */
  member?: string;
  state?: string;
}

export interface ListedTable {
  routeTableId: string;
  name?: string;
  routes: ListedRoute[];
  /** Members this table's routes point at; more than one is a split table. */
  members: string[];
  split: boolean;
}

export interface RouteListing {
  tables: ListedTable[];
  /** Tables of the VPC outside the scope with routes to a member's interface ("will not fail over"). */
  outside: ListedTable[];
}

/** Lists the group's interface routes per table, from the live tables (and the VPC's other tables when scoped). */
export const readRouteListing = async (group: Group, status: GroupStatus, ec2: EC2Client): Promise<RouteListing> => {
  const owner = new Map<string, string>();
  for (const m of status.members) for (const e of m.enis) owner.set(e, m.name);
  const scoped = await describeScopedRouteTables(ec2, group.vpcId, group.routeTables);
  const inScope = new Set(scoped.map((t) => t.RouteTableId));
  // A whole-VPC scope has no outside; otherwise read the VPC once more for tables the scope leaves out.
  const others = group.routeTables
    ? (await describeScopedRouteTables(ec2, group.vpcId, undefined)).filter((t) => !inScope.has(t.RouteTableId))
    : [];
  const names = tableNames([...scoped, ...others]);
  const list = (t: RouteTable, onlyMembers: boolean): ListedTable => {
    const routes: ListedRoute[] = [];
    for (const r of t.Routes ?? []) {
      const eni = r.NetworkInterfaceId;
      const member = eni ? owner.get(eni) : undefined;
      if (!eni || (onlyMembers && !member)) continue;
      routes.push({
        destination: routeDestination(r)?.value ?? '?',
        target: routeTarget(r) ?? eni,
        member,
        state: r.State,
      });
    }
    const members = [...new Set(routes.flatMap((r) => (r.member ? [r.member] : [])))].sort();
    return {
      routeTableId: t.RouteTableId ?? '?',
      name: names.get(t.RouteTableId ?? ''),
      routes,
      members,
      split: members.length > 1,
    };
  };
  return {
    tables: scoped.map((t) => list(t, false)).filter((t) => t.routes.length > 0),
    outside: others.map((t) => list(t, true)).filter((t) => t.routes.length > 0),
  };
};

/** The listing as people read it. */
export const renderRouteListing = (l: RouteListing): string => {
  const out: string[] = [];
  const row = (r: ListedRoute) => [
    r.destination,
    `${ARROW} ${r.target}`,
    r.member ?? 'no member',
    r.state === 'blackhole' ? 'BLACKHOLE' : (r.state ?? ''),
  ];
  for (const t of l.tables) {
    out.push(
      `  ROUTE TABLE ${t.routeTableId}${t.name ? ` (${t.name})` : ''}: ` +
        `${plural(t.routes.length, 'interface route')}${t.split ? `  SPLIT: ${t.members.join(' + ')}` : ''}`,
    );
    out.push(table(['DESTINATION', 'TARGET', 'MEMBER', 'STATE'], t.routes.map(row), '    '));
  }
  if (l.tables.length === 0) out.push('  no route in scope points at a network interface');
  for (const t of l.outside) {
    out.push(
      `  OUTSIDE THE SCOPE ${t.routeTableId}${t.name ? ` (${t.name})` : ''}: ${plural(t.routes.length, 'route')} to ` +
        `a member, will not fail over`,
    );
    out.push(table(['DESTINATION', 'TARGET', 'MEMBER', 'STATE'], t.routes.map(row), '    '));
  }
  return out.join('\n');
};
