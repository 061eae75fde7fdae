import type { GroupHistory, InMemoryGroupStateStore } from './group-state';
import type { Hold } from '../contract/hold';
import * as z from '../contract/zod';

/**
 * What the route guard remembers of a group between passes, in the group's item of the group-state table
 * (attribute `guard`, one JSON string: the guard is its only writer, and it needs no lease, since it never
 * writes a route). Bounded: at most GUARD_FINDINGS_LISTED findings listed, at most BASELINE_TABLES_MAX table IDs.
 */

/** Table IDs kept as the baseline of a group's scope (a VPC holds 200 route tables by default). */
export const BASELINE_TABLES_MAX = 2000;

const CauseSchema = z.lazy(() =>
  z.object({ who: z.string(), when: z.string(), call: z.string(), eventId: z.optional(z.string()) }),
);

export const GuardFindingSchema = z.lazy(() =>
  z.object({
    kind: z.enum(['departed', 'split', 'blackhole', 'new-table', 'scope-gap', 'address']),
    routeTableId: z.string(),
    destination: z.string(),
    target: z.string(),
    member: z.string(),
    problem: z.string(),
    cause: z.optional(CauseSchema),
  }),
);

/** Per member: what its failure would need, as seen by the last pass (the plan kept armed). */
export const ArmedPlanSchema = z.lazy(() =>
  z.object({
    member: z.string(),
    /** The member its routes would move to (the first other member that passes the health gate now), if any. */
    to: z.optional(z.string()),
    /** Routes the workflow's planner would move, by table (at most ARMED_TABLES_LISTED tables listed). */
    routes: z.number(),
    tables: z.array(z.object({ routeTableId: z.string(), routes: z.number() })),
    /** Associations (subnets, gateways, main) of those tables: what the associations mode moves. */
    associations: z.optional(z.number()),
    /** The member's interfaces (live and remembered) paired by slot with the target's. */
    pairs: z.optional(z.array(z.object({ slot: z.string(), fromEni: z.string(), toEni: z.optional(z.string()) }))),
    /** The target's live interfaces by slot. */
    targetInterfaces: z.optional(z.record(z.string(), z.string())),
    /** Why the failure could not be failed over, or what a failover would refuse. */
    problem: z.optional(z.string()),
  }),
);
export type ArmedPlan = z.infer<typeof ArmedPlanSchema>;

export const GuardStateSchema = z.lazy(() =>
  z.object({
    lastPassAt: z.string(),
    active: z.optional(z.object({ member: z.string(), from: z.enum(['last-switch', 'routes']) })),
    /** Hash of the whole finding set of the last pass (CLEAN_HASH when clean). */
    hash: z.string(),
    /** Hash of the finding set last notified: a change is published until it is. */
    notifiedHash: z.string(),
    /** Since when the current finding set stands (the grace period of convergence counts from here). */
    since: z.string(),
    total: z.number(),
    counts: z.record(z.string(), z.number()),
    findings: z.array(GuardFindingSchema),
    /** The scope's table IDs at the first pass after the switch `switchId` (the last switch's execution, or "none"). */
    baseline: z.object({ switchId: z.string(), tables: z.array(z.string()) }),
    /** The convergence execution started for the current finding set, if any. */
    converging: z.optional(z.object({ name: z.string(), status: z.string(), at: z.string() })),
    plans: z.optional(z.array(ArmedPlanSchema)),
  }),
);
export type GuardState = z.infer<typeof GuardStateSchema>;

/** Everything a guard pass reads of a group's item, in one consistent read. */
export interface GuardView {
  history: GroupHistory;
  /** The lease as stored (expired or not: the caller compares expiresAt with now). */
  lease?: { owner: string; expiresAt: string };
  /** The stored hold, expired or not (activeHold tells whether it is in force). */
  hold?: Hold;
  guard?: GuardState;
}

export interface GuardStore {
  read(group: string): Promise<GuardView>;
  write(group: string, state: GuardState): Promise<void>;
}

/** A stored guard state that does not parse is treated as none: the next pass starts over (and notifies). */
export const parseGuardState = (text: string | undefined): GuardState | undefined => {
  if (!text) return undefined;
  try {
    const parsed = GuardStateSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
};

/** The guard's view of the in-memory group state (local runner, tests). */
export class InMemoryGuardStore implements GuardStore {
  private readonly states = new Map<string, string>();
  constructor(private readonly groups: InMemoryGroupStateStore) {}

  async read(group: string): Promise<GuardView> {
    const { owner, expiresAt, history } = this.groups.peek(group);
    const hold = await this.groups.readHold(group);
    const guard = parseGuardState(this.states.get(group));
    return {
      history,
      ...(owner && expiresAt ? { lease: { owner, expiresAt } } : {}),
      ...(hold ? { hold } : {}),
      ...(guard ? { guard } : {}),
    };
  }

  async write(group: string, state: GuardState): Promise<void> {
    this.states.set(group, JSON.stringify(state));
  }
}
