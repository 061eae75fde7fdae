import { AddressBatchSchema, AddressPlanStateSchema } from './address-schemas';
import { DestinationSchema } from './workflow-state';
import * as z from './zod';

/**
 * Shapes of the plan (PlanSwitch's output): route changes in batches of one table, association moves in
 * batches of one EC2 burst, one SwitchBatches Map for every kind.
 * Objects are not strict: the state carries the fields of earlier steps as well.
 */

export const RouteStateSchema = z.lazy(() => z.enum(['active', 'blackhole']));

/** One planned route change. */
export const ChangeSchema = z.lazy(() =>
  z.object({
    routeTableId: z.string(),
    destination: DestinationSchema,
    fromEni: z.string(),
    fromMember: z.string(),
    toEni: z.string(),
    toMember: z.string(),
    stateBefore: z.optional(z.string()),
  }),
);
export type Change = z.infer<typeof ChangeSchema>;

export const RouteRefSchema = z.lazy(() =>
  z.object({
    routeTableId: z.string(),
    destination: DestinationSchema,
    eni: z.string(),
    member: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
);
export type RouteRef = z.infer<typeof RouteRefSchema>;

/** One route of a batch: its destination and the index of its interface pair in the state's `pairs`. */
export const BatchRouteSchema = z.lazy(() =>
  z.object({
    d: z.string().check(z.minLength(1)),
    p: z.int().check(z.gte(0)),
    /** 1 when the route was blackhole when planned (the usual case for a stopped router). */
    b: z.optional(z.literal(1)),
  }),
);
export type BatchRoute = z.infer<typeof BatchRouteSchema>;

/**
 * Routes of one route table replaced by one ReplaceRoutes invocation. Compact on purpose: the plan of a
 * 2,000-route failover must fit Step Functions' 256 KB state, so a route is a destination and a pair index.
 */
export const BatchSchema = z.lazy(() =>
  z.object({
    id: z.int().check(z.gte(0)),
    routeTableId: z.string(),
    routes: z.array(BatchRouteSchema).check(z.minLength(1)),
    /** 1 when the batch holds the group's priority routes (planned first, so they go out in the burst). */
    pr: z.optional(z.literal(1)),
  }),
);
export type Batch = z.infer<typeof BatchSchema>;

/**
 * One association to move (associations mode): association `a` of table `f` goes to table `t`, both of the
 * family of original `o` (the original or one of its twins). What it associates: subnet `s`, gateway `g`, or
 * the VPC's main association (`m`).
 */
export const AssociationMoveSchema = z.lazy(() =>
  z.object({
    a: z.string().check(z.regex(/^rtbassoc-[0-9a-f]+$/, 'a route table association ID')),
    f: z.string(),
    t: z.string(),
    o: z.string(),
    s: z.optional(z.string()),
    g: z.optional(z.string()),
    m: z.optional(z.literal(1)),
  }),
);
export type AssociationMove = z.infer<typeof AssociationMoveSchema>;

/** The associations one ReplaceAssociations invocation moves (at most one EC2 burst). */
export const AssociationBatchSchema = z.lazy(() =>
  z.object({
    id: z.int().check(z.gte(0)),
    moves: z.array(AssociationMoveSchema).check(z.minLength(1)),
  }),
);
export type AssociationBatch = z.infer<typeof AssociationBatchSchema>;

/** A table the associations mode switches route by route instead, and why (no twin, a drifted twin, …). */
export const FallbackTableSchema = z.lazy(() =>
  z.object({ routeTableId: z.string(), original: z.string(), reason: z.string() }),
);
/** Fallback tables listed in the plan and the record (the state must hold 2,000 routes' worth of everything else). */
export const FALLBACKS_LISTED = 50;
export type FallbackTable = z.infer<typeof FallbackTableSchema>;

/** What the associations mode planned besides its moves (absent in the routes mode). */
export const AssociationPlanSchema = z.lazy(() =>
  z.object({
    /** Associations already on a table in the target's state. */
    alreadyOnTarget: z.int(),
    /** Affected tables switched route by route (their routes are in `batches`), the first FALLBACKS_LISTED of them. */
    fallbacks: z.array(FallbackTableSchema),
    /** How many tables were switched route by route (all of them, listed or not). */
    fallbackCount: z.optional(z.int()),
    /** Tables with routes to a source member but no association: no subnet uses them, nothing to switch. */
    unassociated: z.array(z.string()),
    twinsSeen: z.int(),
  }),
);
export type AssociationPlan = z.infer<typeof AssociationPlanSchema>;

/**
 * One batch of the SwitchBatches Map, of any kind: association moves (`moves`), one table's routes (`routes`),
 * or address moves (`addresses`).
 */
export const SwitchBatchSchema = z.lazy(() => z.union([BatchSchema, AssociationBatchSchema, AddressBatchSchema]));
export type SwitchBatch = z.infer<typeof SwitchBatchSchema>;

/** Output of PlanSwitch. */
export const PlanSchema = z.lazy(() =>
  z.object({
    /**
     * Records of the previous version only (two Maps): the association batches, numbered apart from the route
     * batches, their results in `associationResults`. PlanSwitch now puts them in `batches`.
     */
    associationBatches: z.optional(z.array(AssociationBatchSchema)),
    associations: z.optional(AssociationPlanSchema),
    /** The group's addresses (Elastic IPs, secondary private IPs): every one, planned; absent when it moves none. */
    addresses: z.optional(AddressPlanStateSchema),
    /**
     * Every batch the SwitchBatches Map writes, ids 0…n−1 in this order: the association batches first (they
     * start first), then the route batches (the priority routes' first).
     */
    batches: z.array(SwitchBatchSchema),
    changeCount: z.int(),
    /** Routes of the group that already point at the target, per table (checked again by VerifyRoutes). */
    alreadyOnTarget: z.array(z.object({ routeTableId: z.string(), destinations: z.array(z.string()) })),
    alreadyOnTargetCount: z.int(),
    skipped: z.array(RouteRefSchema),
    warnings: z.array(z.string()),
    routeTablesScanned: z.int(),
    routesScanned: z.int(),
    listedAt: z.string(),
  }),
);
export type Plan = z.infer<typeof PlanSchema>;
