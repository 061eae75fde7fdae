import type { RouteTable } from '@aws-sdk/client-ec2';
import type { Group } from '../shared/config';
import type { ArmedPlan } from '../shared/guard-state';
import { memberOfRoute, type KnownMember } from '../shared/invariant';
import type { MemberView } from '../shared/members';

/** Tables listed per member in an armed plan (the routes count is whole). */
export const ARMED_TABLES_LISTED = 50;

/**
 * Per member, what its failure would need as of this pass: the routes in reach on its interfaces (by table), the
 * member they would move to (the preferred member if it passes the health gate, else the first that does) and
 * that member's live interfaces. A summary kept beside the guard state, so an operator (and a later detector)
 * sees a plan checked seconds ago; the workflow still plans from its own fresh read.
 */
export const armedPlans = (group: Group, views: Map<string, MemberView>, members: KnownMember[], reach: RouteTable[]): ArmedPlan[] => {
  const byEni = new Map<string, string>();
  const byInstance = new Map<string, string>();
  for (const m of members) {
    for (const e of m.enis) if (!byEni.has(e)) byEni.set(e, m.name);
    if (m.instanceId) byInstance.set(m.instanceId, m.name);
  }
  const perMember = new Map<string, Map<string, number>>();
  for (const t of reach) {
    for (const r of t.Routes ?? []) {
      const m = memberOfRoute(r, byEni, byInstance);
      if (!m) continue;
      const tables = perMember.get(m) ?? new Map<string, number>();
      tables.set(t.RouteTableId!, (tables.get(t.RouteTableId!) ?? 0) + 1);
      perMember.set(m, tables);
    }
  }
  return group.members.map((m) => {
    const tables = [...(perMember.get(m.name) ?? new Map<string, number>()).entries()].map(([routeTableId, routes]) => ({ routeTableId, routes }));
    const healthy = group.members.filter((o) => o.name !== m.name && views.get(o.name)?.health.healthy);
    const to = healthy.find((o) => o.name === group.preferred) ?? healthy[0];
    const base = { member: m.name, routes: tables.reduce((n, t) => n + t.routes, 0), tables: tables.slice(0, ARMED_TABLES_LISTED) };
    if (!to) return { ...base, problem: 'no other member passes the health gate now: its failure could not be failed over' };
    return { ...base, to: to.name, targetInterfaces: Object.fromEntries(views.get(to.name)!.enis) };
  });
};
