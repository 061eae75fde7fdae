import type { LogEntry } from '../contract/lambda-errors';

/**
 * The EC2 write actions a switch makes. EC2 throttles each action in a bucket of its own (per account and
 * region), so each has its own pacer: the paced writer looks its pacer up by the action its kind writes with.
 */
export type Ec2WriteAction =
  | 'ReplaceRoute'
  | 'ReplaceRouteTableAssociation'
  | 'AssociateAddress'
  | 'AssignPrivateIpAddresses';

/** A bucket as a pacer mirrors it (functions/domain/pacer.ts PacerSpec). */
export interface ActionPace {
  burst: number;
  refillPerSecond: number;
  headroom?: number;
}

/**
 * EC2's documented mutating-action figures (50 burst, 5/s), one second of refill kept in reserve; the same for
 * every action today.
 */
const MUTATING_ACTION_PACE: ActionPace = { burst: 50, refillPerSecond: 5, headroom: 5 };

/** Each write action's bucket as the pacers mirror it. */
export const WRITE_ACTION_PACE: Readonly<Record<Ec2WriteAction, ActionPace>> = {
  ReplaceRoute: MUTATING_ACTION_PACE,
  ReplaceRouteTableAssociation: MUTATING_ACTION_PACE,
  AssociateAddress: MUTATING_ACTION_PACE,
  AssignPrivateIpAddresses: MUTATING_ACTION_PACE,
};

/** The group-state table item that mirrors an action's bucket: not a group name (the schema does not allow '#'). */
export const pacerItemKey = (action: Ec2WriteAction): string => `#pacer:${action}`;

/** What one item's write settled as: its status, the calls it took, its error or detail (bounded). */
export interface ItemOutcome {
  st: string;
  a?: number;
  e?: string;
}

/** A batch after its kind authorized it and read what it needs, fresh: each item settled by the read, or to write. */
export interface PreparedBatch<Item, Outcome extends ItemOutcome> {
  items: Item[];
  /** Per item (batch order), what the read already settled; undefined: the item is to be written. */
  settled: Array<Outcome | undefined>;
  /** How long the invocation keeps its turns and retries, from its start (ms); the state machine retries the rest. */
  budgetMs: number;
}

/** What a kind's hooks get besides the item: the batch input, the deps, a log that writes each distinct text once. */
export interface WriteContext<Input, Deps> {
  input: Input;
  deps: Deps;
  log?: LogEntry;
}

/**
 * One kind of switch (routes, associations, addresses): the decisions that differ between kinds, while
 * one paced writer (functions/aws/paced-writer.ts) owns the flow every kind shares: prepare, reserve the
 * batch's turns of the action's pacer, wait, write each item with retries, record, summarize. A kind
 * overrides only what it writes and how it judges an answer, as a store of Powertools' idempotency package
 * overrides only storage under one abstract flow.
 */
export interface SwitchStrategy<Input extends { dryRun: boolean }, Item, Outcome extends ItemOutcome, Result, Deps> {
  /** The switch mode this kind implements, as named in the config and the plan. */
  readonly kind: 'routes' | 'associations' | 'addresses';
  /**
   * The EC2 action the batch's writes make: its pacer, its throttling bucket. One action per batch (the whole
   * batch is one reservation from one pacer); a kind with several actions (addresses: AssociateAddress for
   * Elastic IPs, AssignPrivateIpAddresses for secondary private IPs) plans a batch per action.
   */
  action(input: Input): Ec2WriteAction;
  /**
   * Re-derives from the config and EC2 what the batch may write (a named error, nothing written, otherwise),
   * reads it fresh, settles what needs no write.
   */
  prepare(input: Input, deps: Deps, startedAt: number): Promise<PreparedBatch<Item, Outcome>>;
  /** Sends one item's write (DryRun when asked). */
  write(item: Item, ctx: WriteContext<Input, Deps>): Promise<unknown>;
  /** The outcome of a write EC2 accepted (in a dry run: the endpoint ignored DryRun and changed the network). */
  written(attempt: number, ctx: WriteContext<Input, Deps>): Outcome;
  /**
   * The outcome an EC2 error settles (DryRunOperation, an item that vanished, …); undefined: the writer retries
   * or fails it.
   */
  settledBy(
    err: unknown,
    attempt: number,
    item: Item,
    ctx: WriteContext<Input, Deps>,
  ): Outcome | undefined | Promise<Outcome | undefined>;
  /** Whether an outcome changed the network (its switch time is recorded). */
  switched(outcome: Outcome): boolean;
  /** The write in words, for the errors that surface to the state machine. */
  describe(item: Item, input: Input): string;
  /** Why the pacer refused the batch's turns (nothing was sent; the state machine retries the batch). */
  refusedTurns(input: Input, count: number): string;
  /** The batch's result as kept in state: each item's outcome, each distinct error text once, switch times. */
  summarize(input: Input, outcomes: Outcome[], at: Date, switchedAt: Array<number | undefined>): Result;
}

/**
 * The planning side of a kind, companion of SwitchStrategy: from one fresh read of the group's tables (PlanSwitch
 * reads them once, whatever the kind) to the plan, its batches of the kind and the route-by-route changes the
 * kind leaves to the routes kind. A plan that cannot run fails by name before anything is written.
 */
export interface SwitchPlanner<Input, Tables, Deps, Plan> {
  /** The switch mode this planner serves, as named in the config. */
  readonly kind: 'routes' | 'associations';
  /** The plan from the fresh read `tables`; `now` dates the plan's observations. */
  plan(input: Input, tables: Tables, deps: Deps, now: () => Date): Promise<Plan>;
}

/**
 * The verification side of a kind, companion of SwitchStrategy: what each planned item must read back as (from
 * the plan and the Map's results), and one item judged on one fresh read. VerifySwitch reads the group's tables
 * and evaluates the route-table invariant once per round for every kind, then asks each kind about its items.
 */
export interface SwitchVerifier<Input, Item, Read, Observation extends { ok: boolean }> {
  /** The switch kind whose items this verifier judges. */
  readonly kind: 'routes' | 'associations';
  /** The kind's planned items, each with what it must read back as. */
  expect(input: Input): Item[];
  /** One item judged on a read-back; `settling`: a write acknowledged moments ago may not read back yet. */
  verifyOne(item: Item, read: Read): Observation & { settling: boolean };
}
