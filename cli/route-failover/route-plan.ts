import type { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import { listRoutes } from '../../functions/list-routes/list-routes';
import type { Group } from '../../functions/shared/config';
import { describeMembers } from '../../functions/shared/members';
import { expandPlan } from '../../functions/shared/plan';
import { describeScopedRouteTables } from '../../functions/shared/routes';
import type { Change, FailoverState, InterfacePair, Plan } from '../../functions/shared/schemas';
import { ARROW, plural, table } from './format';

/**
 * The per-route plan of a switchover, computed by the workflow's own steps (members and interfaces as
 * ResolveTargets reads them, the plan as ListRoutes builds it) from the live tables. Nothing is written.
 */

export interface PlannedRoute extends Change {
  /** The route table's Name tag, when it has one. */
  routeTableName?: string;
}

export interface SwitchPlan {
  group: string;
  to: string;
  routes: PlannedRoute[];
  plan: Plan;
}

/** The Name tag of each table, by ID. */
export const tableNames = (tables: RouteTable[]): Map<string, string> => {
  const names = new Map<string, string>();
  for (const t of tables) {
    const name = t.Tags?.find((x) => x.Key === 'Name')?.Value;
    if (t.RouteTableId && name) names.set(t.RouteTableId, name);
  }
  return names;
};

/** Plans moving every route of `group` that points at another member to `to`'s interface in the same slot. */
export const planSwitch = async (group: Group, to: string, ec2: EC2Client, now: Date): Promise<SwitchPlan> => {
  const views = await describeMembers(ec2, group, now);
  const target = views.get(to)!;
  const pairs: InterfacePair[] = [];
  const sources = group.members.filter((m) => m.name !== to).map((m) => views.get(m.name)!);
  for (const s of sources) for (const [slot, eni] of s.enis) pairs.push({ slot, fromMember: s.name, fromEni: eni, toEni: target.enis.get(slot) });
  const pub = (v: (typeof sources)[number]) => ({ name: v.name, instanceId: v.instanceId, state: v.state, availabilityZone: v.availabilityZone });
  const state: FailoverState = {
    action: 'failover',
    trigger: { kind: 'manual', summary: `plan of a switchover to ${to}` },
    dryRun: true,
    group: { name: group.name, vpcId: group.vpcId, routeTables: group.routeTables },
    sources: sources.map(pub),
    target: pub(target),
    pairs,
    targetEnis: [...target.enis.values()],
    maxConcurrency: group.maxConcurrency,
    execution: { id: 'route-failover-plan' },
    resolvedAt: now.toISOString(),
  };
  const plan = await listRoutes(state, { ec2, now: () => now });
  const names = tableNames(await describeScopedRouteTables(ec2, group.vpcId, group.routeTables));
  const routes = expandPlan(plan, pairs, to).map((c) => ({ ...c, routeTableName: names.get(c.routeTableId) }));
  return { group: group.name, to, routes, plan };
};

/** The plan as people read it: one line per route that would move, then what would not. */
export const renderSwitchPlan = (p: SwitchPlan, action: string): string => {
  const out: string[] = [];
  const from = [...new Set(p.routes.map((r) => r.fromMember))].join(' + ') || '-';
  const tables = new Set(p.routes.map((r) => r.routeTableId)).size;
  out.push(`PLAN ${action} ${p.group}: ${from} ${ARROW} ${p.to}, ${plural(p.routes.length, 'route')} in ${plural(tables, 'route table')} would move (nothing started)`);
  if (p.routes.length > 0) {
    out.push(
      table(
        ['ROUTE TABLE', 'NAME', 'DESTINATION', 'CURRENT TARGET', '', 'NEW TARGET'],
        p.routes.map((r) => [r.routeTableId, r.routeTableName ?? '-', r.destination.value, `${r.fromEni} (${r.fromMember}${r.stateBefore === 'blackhole' ? ', blackhole' : ''})`, ARROW, `${r.toEni} (${r.toMember})`]),
        '  ',
      ),
    );
  }
  out.push(`  already on ${p.to}: ${plural(p.plan.alreadyOnTargetCount, 'route')}; ${p.plan.routeTablesScanned} route table(s) read`);
  for (const s of p.plan.skipped) out.push(`  not moved: ${s.routeTableId} ${s.destination.value} ${ARROW} ${s.eni}: ${s.reason ?? ''}`);
  for (const w of p.plan.warnings) out.push(`  warning: ${w}`);
  return out.join('\n');
};
