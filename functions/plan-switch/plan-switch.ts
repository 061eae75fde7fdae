import type { EC2Client } from '@aws-sdk/client-ec2';
import { readGroupTables } from '../aws/group-tables';
import { withAddresses } from './addresses-plan';
import { checkStateBudget } from './state-budget';
import { type FailoverState, FailoverStateSchema, type Plan } from '../contract/schemas';
import type { GroupStateStore } from '../domain/group-state';
import { PLANNERS } from './planners';

export { liveTwins } from './planners';

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
 * true twin serves. One read of the group's tables, then the planner of the group's switch mode (planners.ts).
 */
export const planSwitch = async (input: FailoverState, deps: PlanSwitchDeps): Promise<Plan> => {
  const now = deps.now ?? (() => new Date());
  const tables = await readGroupTables(deps.ec2, input.group);
  const plan = await PLANNERS[input.group.switchMode ?? 'routes'].plan(input, tables, deps, now);
  // Addresses ride on top of either mode rather than being one: a step beside the mode's planner, after it, so
  // that a refusal (AddressCannotMoveError) still comes before any write.
  return withinStateBudget(input, await withAddresses(input, plan, deps.ec2));
};

/** The plan, unless a run of it could exceed Step Functions' 256 KiB per state (PlanTooLargeError, state-budget.ts). */
const withinStateBudget = (input: FailoverState, plan: Plan): Plan => {
  checkStateBudget(input, plan);
  return plan;
};
