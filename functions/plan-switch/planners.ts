import type { GroupTables } from '../aws/group-tables';
import { errorText } from '../contract/aws-errors';
import type { SwitchMode } from '../contract/config';
import type { FailoverState, Plan } from '../contract/schemas';
import { liveAssociations } from '../domain/associations';
import type { GroupStateStore } from '../domain/group-state';
import { checkPlannable, collectChanges, finishPlan } from '../domain/route-changes';
import type { SwitchPlanner } from '../domain/switch-strategy';
import { twinIdentity, twinMapTo } from '../domain/twins';
import { planAssociations } from './associations-plan';

/** What a planner may use besides the tables: the members' interfaces (inventory), what twins are judged by. */
export interface PlannerDeps {
  store?: Pick<GroupStateStore, 'readInventory'>;
}

/** A kind's planner as PlanSwitch runs it. */
export type Planner = SwitchPlanner<FailoverState, GroupTables, PlannerDeps, Plan>;

/** This group's twins that something is associated with (they carry traffic whatever the group's mode). */
export const liveTwins = (tables: GroupTables) =>
  tables.twins.map((t) => t.table).filter((t) => liveAssociations(t).length > 0);

/**
 * Routes: every route in the group's tables whose target is a source-member interface, paired with the target
 * member's interface in the same slot. A group switched back to the routes mode while subnets still use its
 * twins: those twins carry traffic, so they are switched route by route like the originals, and the plan says why.
 */
export const routesPlanner: Planner = {
  kind: 'routes',
  plan: async (input, tables, _deps, now) => {
    const live = liveTwins(tables);
    const found = collectChanges(input, [...tables.originals, ...live]);
    checkPlannable(input, found, found.changes.length);
    const warnings = live.map(
      (t) =>
        `${t.RouteTableId} is a twin of ${twinIdentity(t)?.original} that subnets still use ` +
        '(the group was in the associations mode): switched route by route; ' +
        'fail back to the originals or set switchMode "associations" again',
    );
    return finishPlan(input, found, [...tables.originals, ...live], now(), {}, warnings);
  },
};

/**
 * Associations: the associations to move to twins, with route-by-route changes only for tables no true twin
 * serves (associations-plan.ts). Twins are judged true against the inventory; when it cannot be read, against
 * this failover's pairs alone (stricter), and the plan says so.
 */
export const associationsPlanner: Planner = {
  kind: 'associations',
  plan: async (input, tables, deps, now) => {
    let twinMap: Map<string, string> | undefined;
    let warning: string | undefined;
    try {
      if (deps.store)
        twinMap = twinMapTo(await deps.store.readInventory(input.group.name), input.target.name, input.pairs);
    } catch (err) {
      warning = `the inventory could not be read (${errorText(err)}): twins are judged by this failover's pairs alone`;
    }
    const plan = planAssociations(input, tables, now(), twinMap);
    return warning ? { ...plan, warnings: [...plan.warnings, warning] } : plan;
  },
};

/** The planner of each switch mode. */
export const PLANNERS: Readonly<Record<SwitchMode, Planner>> = {
  routes: routesPlanner,
  associations: associationsPlanner,
};
