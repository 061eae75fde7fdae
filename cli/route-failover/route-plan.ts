import type { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import { planSwitch as planWorkflowSwitch } from '../../functions/plan-switch/plan-switch';
import type { Group } from '../../functions/contract/config';
import { subjectOf } from '../../functions/domain/associations';
import { readGroupTables } from '../../functions/aws/group-tables';
import { describeMembers } from '../../functions/aws/members';
import { expandPlan, associationBatchesOf } from '../../functions/domain/plan';
import type { Change, FailoverState, InterfacePair, Plan } from '../../functions/contract/schemas';
import { ARROW, plural, table } from './format';
import { addressPlanLines, type AddressItem } from '../../functions/domain/addresses';

type AddressItemsPlan = { summary: string; items: AddressItem[] };

/**
 * The per-route plan of a switchover, computed by the workflow's own steps (members and interfaces as
 * ResolveTargets reads them, the plan as PlanSwitch builds it) from the live tables. Nothing is written.
 */

export interface PlannedRoute extends Change {
  /** The route table's Name tag, when it has one. */
  routeTableName?: string;
}

/** One association the associations mode would move: its subject from one table of a family to another. */
export interface PlannedAssociation {
  /** The subnet ID, the gateway ID, or "main" (the VPC's main association). */
  subject: string;
  kind: 'subnet' | 'gateway' | 'main';
  associationId: string;
  from: { routeTableId: string; name?: string };
  to: { routeTableId: string; name?: string };
  /** The original table of the family both belong to. */
  original: string;
}

/** A table the associations mode would switch route by route, and why. */
export interface PlannedFallback {
  routeTableId: string;
  name?: string;
  original: string;
  reason: string;
}

export interface SwitchPlan {
  group: string;
  to: string;
  /** Members the routes (or associations) move away from. */
  from: string[];
  switchMode: 'routes' | 'associations';
  routes: PlannedRoute[];
  /** Associations mode: each association move, in the order the workflow makes them (main, gateways, subnets). */
  associations: PlannedAssociation[];
  /** Associations mode: the tables switched route by route (their routes are in `routes`), the first listed ones. */
  fallbacks: PlannedFallback[];
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
  for (const s of sources)
    for (const [slot, eni] of s.enis)
      pairs.push({ slot, fromMember: s.name, fromEni: eni, toEni: target.enis.get(slot) });
  const pub = (v: (typeof sources)[number]) => ({
    name: v.name,
    instanceId: v.instanceId,
    state: v.state,
    availabilityZone: v.availabilityZone,
  });
  const state: FailoverState = {
    action: 'failover',
    trigger: { kind: 'manual', summary: `plan of a switchover to ${to}` },
    dryRun: true,
    group: {
      name: group.name,
      vpcId: group.vpcId,
      routeTables: group.routeTables,
      ...(group.switchMode === 'associations' ? { switchMode: group.switchMode } : {}),
      ...(group.elasticIps ? { elasticIps: group.elasticIps } : {}),
      ...(group.secondaryPrivateIps ? { secondaryPrivateIps: group.secondaryPrivateIps } : {}),
    },
    sources: sources.map(pub),
    target: pub(target),
    pairs,
    targetEnis: [...target.enis.values()],
    maxConcurrency: group.maxConcurrency,
    execution: { id: 'route-failover-plan' },
    resolvedAt: now.toISOString(),
  };
  const plan = await planWorkflowSwitch(state, { ec2, now: () => now });
  // The tables as the workflow reads them: in the associations mode the twins too, for their Name tags.
  const read = await readGroupTables(ec2, state.group);
  const names = tableNames([...read.originals, ...read.twins.map((t) => t.table)]);
  const routes = expandPlan(plan, pairs, to).map((c) => ({ ...c, routeTableName: names.get(c.routeTableId) }));
  const associations = associationBatchesOf(plan, []).flatMap(({ batch: b }) =>
    b.moves.map(
      (m): PlannedAssociation => ({
        subject: subjectOf(m),
        kind: m.s ? 'subnet' : m.g ? 'gateway' : 'main',
        associationId: m.a,
        from: { routeTableId: m.f, name: names.get(m.f) },
        to: { routeTableId: m.t, name: names.get(m.t) },
        original: m.o,
      }),
    ),
  );
  const fallbacks = (plan.associations?.fallbacks ?? []).map((f) => ({ ...f, name: names.get(f.routeTableId) }));
  const moving = [...new Set(routes.map((r) => r.fromMember))];
  return {
    group: group.name,
    to,
    from: moving.length > 0 || associations.length === 0 ? moving : sources.map((v) => v.name),
    switchMode: group.switchMode === 'associations' ? 'associations' : 'routes',
    routes,
    associations,
    fallbacks,
    plan,
  };
};

const named = (t: { routeTableId: string; name?: string }): string =>
  t.name ? `${t.routeTableId} (${t.name})` : t.routeTableId;

/** The associations-mode part of the plan: the moves, then the tables switched route by route and why. */
const renderAssociations = (p: SwitchPlan, out: string[]): void => {
  const a = p.plan.associations;
  if (p.associations.length > 0) {
    out.push(`  associations to move (one ReplaceRouteTableAssociation each):`);
    out.push(
      table(
        ['SUBJECT', 'ASSOCIATION', 'FROM TABLE', '', 'TO TABLE'],
        p.associations.map((m) => [
          m.kind === 'main' ? 'main (every subnet without its own)' : `${m.kind} ${m.subject}`,
          m.associationId,
          named(m.from),
          ARROW,
          named(m.to),
        ]),
        '    ',
      ),
    );
  }
  const count = a?.fallbackCount ?? p.fallbacks.length;
  if (count > 0) {
    out.push(`  switched route by route instead (no true twin for ${p.to}): ${plural(count, 'route table')}`);
    for (const f of p.fallbacks) out.push(`    ${named(f)}: ${f.reason}`);
    if (count > p.fallbacks.length) out.push(`    … and ${count - p.fallbacks.length} more`);
  }
  if (a && a.alreadyOnTarget > 0)
    out.push(`  already on a table in ${p.to}'s state: ${plural(a.alreadyOnTarget, 'association')}`);
  if (a && a.unassociated.length > 0)
    out.push(`  not switched, nothing associated with them: ${a.unassociated.join(', ')}`);
};

/** The plan as people read it: one line per route that would move, then what would not. */
export const renderSwitchPlan = (p: SwitchPlan, action: string): string => {
  const out: string[] = [];
  const from = p.from.join(' + ') || '-';
  const tables = new Set(p.routes.map((r) => r.routeTableId)).size;
  const routesPart = `${plural(p.routes.length, 'route')} in ${plural(tables, 'route table')}`;
  if (p.switchMode === 'associations') {
    const families = new Set(p.associations.map((m) => m.from.routeTableId)).size;
    out.push(
      `PLAN ${action} ${p.group}: ${from} ${ARROW} ${p.to} (associations mode), ` +
        `${plural(p.associations.length, 'association')} of ${plural(families, 'route table')} ` +
        `and ${routesPart} would move (nothing started)`,
    );
    renderAssociations(p, out);
    if (p.routes.length > 0) out.push(`  routes of the tables switched route by route:`);
  } else out.push(`PLAN ${action} ${p.group}: ${from} ${ARROW} ${p.to}, ${routesPart} would move (nothing started)`);
  if (p.routes.length > 0) {
    out.push(
      table(
        ['ROUTE TABLE', 'NAME', 'DESTINATION', 'CURRENT TARGET', '', 'NEW TARGET'],
        p.routes.map((r) => [
          r.routeTableId,
          r.routeTableName ?? '-',
          r.destination.value,
          `${r.fromEni} (${r.fromMember}${r.stateBefore === 'blackhole' ? ', blackhole' : ''})`,
          ARROW,
          `${r.toEni} (${r.toMember})`,
        ]),
        '  ',
      ),
    );
  }
  out.push(
    `  already on ${p.to}: ${plural(p.plan.alreadyOnTargetCount, 'route')}; ` +
      `${p.plan.routeTablesScanned} route table(s) read`,
  );
  if (p.plan.addresses) out.push(...addressPlanLines(p.plan.addresses as AddressItemsPlan));
  for (const s of p.plan.skipped)
    out.push(`  not moved: ${s.routeTableId} ${s.destination.value} ${ARROW} ${s.eni}: ${s.reason ?? ''}`);
  // The fallback part already lists the tables switched route by route; the plan's summary warning would repeat it.
  const repeats = (w: string) => p.switchMode === 'associations' && /^\d+ table\(s\) switched route by route: /.test(w);
  for (const w of p.plan.warnings.filter((x) => !repeats(x))) out.push(`  warning: ${w}`);
  return out.join('\n');
};
