import type { RouteTable } from '@aws-sdk/client-ec2';
import { liveAssociations } from '../domain/associations';
import type { Group } from '../contract/config';
import type { ArmedPlan } from '../domain/guard-state';
import type { GroupInventory } from '../domain/inventory';
import type { MemberView } from '../aws/members';
import type { FailoverState, InterfacePair } from '../contract/schemas';
import { collectChanges } from '../domain/route-changes';

/** Tables listed per member in an armed plan (the counts are whole). */
export const ARMED_TABLES_LISTED = 50;
/** Unpaired routes named per member (a failover of that member would be refused for them). */
const UNPAIRED_LISTED = 5;

/**
 * Per member, the plan its failure would need as of this pass, found by the workflow's own route planner
 * (plan-switch/route-changes.ts `collectChanges`) on the tables this pass read: the member the routes would move
 * to (the preferred member if it passes the health gate, else the first that does), the interface pairs by slot
 * (the member's live interfaces and those the inventory remembers, onto the target's live ones), the routes to
 * move by table, the associations those tables carry (what the associations mode moves), and the routes a
 * failover would refuse (an interface with no counterpart on the target). Counts and a bounded listing: the
 * workflow still plans from its own fresh read; this is what an operator, or a detector, can check beforehand.
 */
export const armedPlans = (
  group: Group,
  views: Map<string, MemberView>,
  inventory: GroupInventory,
  tables: RouteTable[],
): ArmedPlan[] =>
  group.members.map((m) => {
    const healthy = group.members.filter((o) => o.name !== m.name && views.get(o.name)?.health.healthy);
    const to = healthy.find((o) => o.name === group.preferred) ?? healthy[0];
    if (!to)
      return {
        member: m.name,
        routes: 0,
        tables: [],
        problem: 'no other member passes the health gate now: its failure could not be failed over',
      };
    const targetBySlot = views.get(to.name)!.enis;
    const sourceBySlot = new Map<string, string>();
    for (const i of inventory[m.name]?.interfaces ?? []) sourceBySlot.set(i.eni, i.slot);
    for (const [slot, eni] of views.get(m.name)?.enis ?? []) sourceBySlot.set(eni, slot);
    const pairs: InterfacePair[] = [...sourceBySlot].map(([fromEni, slot]) => ({
      slot,
      fromMember: m.name,
      fromEni,
      ...(targetBySlot.has(slot) ? { toEni: targetBySlot.get(slot)! } : {}),
    }));
    // Only what collectChanges reads of a failover's state: the group, the target, the pairs, the target's interfaces.
    const state = {
      group: { name: group.name, vpcId: group.vpcId, routeTables: group.routeTables, priority: group.priority },
      target: { name: to.name },
      pairs,
      targetEnis: [...targetBySlot.values()],
    };
    const found = collectChanges(state as unknown as FailoverState, tables);
    const byTable = new Map<string, number>();
    for (const c of found.changes) byTable.set(c.routeTableId, (byTable.get(c.routeTableId) ?? 0) + 1);
    const associations = tables
      .filter((t) => byTable.has(t.RouteTableId!))
      .reduce((n, t) => n + liveAssociations(t).length, 0);
    return {
      member: m.name,
      to: to.name,
      routes: found.changes.length,
      tables: [...byTable].slice(0, ARMED_TABLES_LISTED).map(([routeTableId, routes]) => ({ routeTableId, routes })),
      associations,
      pairs: pairs.map((p) => ({ slot: p.slot, fromEni: p.fromEni, ...(p.toEni ? { toEni: p.toEni } : {}) })),
      targetInterfaces: Object.fromEntries(targetBySlot),
      ...(found.unpaired.length > 0
        ? {
            problem:
              `${found.unpaired.length} route(s) on an interface with no counterpart on ${to.name}: a failover ` +
              `would be refused (UnpairedInterfaceError): ${found.unpaired.slice(0, UNPAIRED_LISTED).join('; ')}`,
          }
        : {}),
    };
  });
