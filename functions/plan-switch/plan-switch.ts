import type { EC2Client } from '@aws-sdk/client-ec2';
import { readGroupTables, type GroupTables } from '../aws/group-tables';
import { liveAssociations } from '../domain/associations';
import { planAssociations } from './associations-plan';
import { withAddresses } from './addresses-plan';
import { checkPlannable, collectChanges, finishPlan } from '../domain/route-changes';
import { checkStateBudget } from './state-budget';
import { type FailoverState, FailoverStateSchema, type Plan } from '../contract/schemas';
import type { GroupStateStore } from '../domain/group-state';
import { errorText } from '../contract/aws-errors';
import { twinIdentity, twinMapTo } from '../domain/twins';

export const PlanSwitchInputSchema = FailoverStateSchema;

export interface PlanSwitchDeps {
  ec2: EC2Client;
  /** The members' interfaces (inventory), what twins are judged true with; absent: by the pairs alone (stricter). */
  store?: Pick<GroupStateStore, 'readInventory'>;
  now?: () => Date;
}

/**
 * Builds the plan: every route in the group's route tables whose target is a source-member interface,
 * paired with the target member's interface in the same slot. Routes already on the target are counted,
 * propagated and local routes are skipped with the reason. A route whose interface has no counterpart on
 * the target fails the whole plan (UnpairedInterfaceError) before anything is written, and so do a
 * failover that flap damping suppresses (FailoverSuppressedError) and a plan too large for the workflow's
 * states (PlanTooLargeError: a run of it could exceed Step Functions' 256 KiB per state). In the associations
 * mode the plan is the associations to move to twins instead, with route-by-route changes only for tables no
 * true twin serves (associations-plan.ts).
 */
export const planSwitch = async (input: FailoverState, deps: PlanSwitchDeps): Promise<Plan> => {
  const now = deps.now ?? (() => new Date());
  const tables = await readGroupTables(deps.ec2, input.group);
  if (input.group.switchMode === 'associations') {
    let twinMap: Map<string, string> | undefined;
    let warning: string | undefined;
    try {
      if (deps.store)
        twinMap = twinMapTo(await deps.store.readInventory(input.group.name), input.target.name, input.pairs);
    } catch (err) {
      warning = `the inventory could not be read (${errorText(err)}): twins are judged by this failover's pairs alone`;
    }
    const plan = planAssociations(input, tables, now(), twinMap);
    return withinStateBudget(
      input,
      await withAddresses(input, warning ? { ...plan, warnings: [...plan.warnings, warning] } : plan, deps.ec2),
    );
  }
  // A group switched back to the routes mode while subnets still use its twins: those twins carry traffic, so
  // they are switched route by route like the originals, and the plan says why.
  const live = liveTwins(tables);
  const found = collectChanges(input, [...tables.originals, ...live]);
  checkPlannable(input, found, found.changes.length);
  const warnings = live.map(
    (t) =>
      `${t.RouteTableId} is a twin of ${twinIdentity(t)?.original} that subnets still use (the group was in the associations mode): switched route by route; fail back to the originals or set switchMode "associations" again`,
  );
  const plan = finishPlan(input, found, [...tables.originals, ...live], now(), {}, warnings);
  return withinStateBudget(input, await withAddresses(input, plan, deps.ec2));
};

/** The plan, unless a run of it could exceed Step Functions' 256 KiB per state (PlanTooLargeError, state-budget.ts). */
const withinStateBudget = (input: FailoverState, plan: Plan): Plan => {
  checkStateBudget(input, plan);
  return plan;
};

/** This group's twins that something is associated with (they carry traffic whatever the group's mode). */
export const liveTwins = (tables: GroupTables) =>
  tables.twins.map((t) => t.table).filter((t) => liveAssociations(t).length > 0);
