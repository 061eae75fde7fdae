import { AuditAddressesSchema } from './address-schemas';
import { HoldSchema } from './hold';
import {
  AssociationBatchResultSchema,
  BatchResultSchema,
  CaughtErrorSchema,
  DestinationSchema,
  ExecutionInfoSchema,
  FallbackTableSchema,
  GroupRefSchema,
  InterfacePairSchema,
  LeaseStateSchema,
  MemberHealthSchema,
  MemberStateSchema,
  PlanSchema,
  RouteStatusSchema,
  TriggerSchema,
  VerificationSchema,
} from './schemas';
import * as z from './zod';

/**
 * The associations mode's part of the audit record: each association moved, its status, the subject's effective routes.
 */
export const AuditAssociationSchema = z.lazy(() =>
  z.object({
    /** The subnet, the gateway, or "main" (the VPC's main association: every subnet without an explicit one). */
    subject: z.string(),
    from: z.string(),
    to: z.string(),
    original: z.string(),
    status: z.string(),
    /** The table the subject uses as read back, and how many routes it holds (its effective routes). */
    table: z.optional(z.string()),
    effectiveRoutes: z.optional(z.number()),
    verified: z.optional(z.boolean()),
    attempts: z.optional(z.number()),
    error: z.optional(z.string()),
    problem: z.optional(z.string()),
    timeToSwitchMs: z.optional(z.number()),
  }),
);
export type AuditAssociation = z.infer<typeof AuditAssociationSchema>;

export const AuditAssociationsSchema = z.lazy(() =>
  z.object({
    planned: z.number(),
    moved: z.number(),
    alreadyOnTarget: z.number(),
    failed: z.number(),
    dryRun: z.number(),
    /** Tables switched route by route (no true twin for the target), with the reason. */
    fallbacks: z.array(FallbackTableSchema),
    /** Tables switched route by route, listed or not. */
    fallbackCount: z.number(),
    /** Tables with routes to the failed side that nothing is associated with: not switched. */
    unassociated: z.array(z.string()),
    list: z.array(AuditAssociationSchema),
  }),
);
export type AuditAssociations = z.infer<typeof AuditAssociationsSchema>;

/**
 * The audit record: what an execution returns and what Notify publishes. Built from whatever state the
 * execution reached (a failure can stop it at any step), so every field past `trigger` is optional.
 */

/** One route FirstWrite switched: enough for the audit record to list it as this execution's switch. */
export const FirstWriteRouteSchema = z.lazy(() =>
  z.object({
    routeTableId: z.string(),
    destination: DestinationSchema,
    fromEni: z.string(),
    fromMember: z.string(),
    toEni: z.string(),
    toMember: z.string(),
    stateBefore: z.optional(z.string()),
    attempts: z.optional(z.int()),
    /** When the route was switched (ISO 8601, to 10 ms). */
    switchedAt: z.string(),
  }),
);
export type FirstWriteRoute = z.infer<typeof FirstWriteRouteSchema>;

/**
 * What FirstWrite answered, as the audit reads it from `$.firstWrite` (an error caught there has another shape
 * and is read as nothing switched). `switched` lists the routes it moved, at most FIRST_WRITE_LISTED_MAX of them;
 * `switchedCount` counts them all.
 */
export const FirstWriteOutcomeSchema = z.lazy(() =>
  z.looseObject({
    status: z.enum(['written', 'skipped']),
    reason: z.optional(z.string()),
    switchedCount: z.optional(z.int()),
    switched: z.optional(z.array(FirstWriteRouteSchema)),
  }),
);
export type FirstWriteOutcome = z.infer<typeof FirstWriteOutcomeSchema>;

/** Routes FirstWrite lists in its output (each about 250 bytes of state; the rest are counted only). */
export const FIRST_WRITE_LISTED_MAX = 40;

export const NotifyStateSchema = z.lazy(() =>
  z.looseObject({
    /** The raw execution input, present when ResolveTargets failed (see the ResolveFailed state). */
    input: z.optional(z.unknown()),
    action: z.optional(z.enum(['failover', 'noop'])),
    noopReason: z.optional(z.string()),
    trigger: z.optional(TriggerSchema),
    dryRun: z.optional(z.boolean()),
    group: z.optional(GroupRefSchema),
    sources: z.optional(z.array(MemberStateSchema)),
    target: z.optional(MemberStateSchema),
    pairs: z.optional(z.array(InterfacePairSchema)),
    targetEnis: z.optional(z.array(z.string())),
    execution: z.optional(ExecutionInfoSchema),
    resolvedAt: z.optional(z.string()),
    lease: z.optional(LeaseStateSchema),
    health: z.optional(z.array(MemberHealthSchema)),
    plan: z.optional(PlanSchema),
    results: z.optional(z.array(BatchResultSchema)),
    /** Records of the previous version: the association Map's output (now in `results`). */
    associationResults: z.optional(z.array(AssociationBatchResultSchema)),
    verification: z.optional(VerificationSchema),
    failure: z.optional(CaughtErrorSchema),
    /**
     * Records of the previous version: the SwitchBatches Map failed as a whole (the route batches and
     * verification still ran).
     */
    associationFailure: z.optional(CaughtErrorSchema),
    verificationFailure: z.optional(CaughtErrorSchema),
    /** ResolveTargets' warnings (a member EC2 could not describe, interfaces from the inventory, …). */
    warnings: z.optional(z.array(z.string())),
    /** The maintenance hold that turned an automatic trigger into a no-op. */
    held: z.optional(HoldSchema),
    /** FirstWrite's answer, or the error its Catch kept (read with FirstWriteOutcomeSchema). */
    firstWrite: z.optional(z.unknown()),
  }),
);
export type NotifyState = z.infer<typeof NotifyStateSchema>;

export const OutcomeSchema = z.lazy(() => z.enum(['succeeded', 'noop', 'dry-run', 'partial', 'failed', 'suppressed']));
export type Outcome = z.infer<typeof OutcomeSchema>;

const EndpointSchema = z.lazy(() =>
  z.object({ target: z.optional(z.string()), member: z.optional(z.string()), state: z.optional(z.string()) }),
);

const PercentilesSchema = z.lazy(() =>
  z.object({ routes: z.number(), p50Ms: z.number(), p99Ms: z.number(), maxMs: z.number() }),
);
export const TimeToSwitchSchema = z.lazy(() =>
  z.extendLazy(PercentilesSchema, { priority: z.optional(PercentilesSchema) }),
);
export type TimeToSwitch = z.infer<typeof TimeToSwitchSchema>;

export const AuditRouteSchema = z.lazy(() =>
  z.object({
    routeTableId: z.string(),
    destination: DestinationSchema,
    status: z.union([RouteStatusSchema, z.literal('not-attempted')]),
    before: EndpointSchema,
    after: z.nullable(EndpointSchema),
    verified: z.optional(z.boolean()),
    attempts: z.optional(z.number()),
    at: z.optional(z.string()),
    error: z.optional(z.string()),
    problem: z.optional(z.string()),
    /** Milliseconds from the execution's start until this route was switched (to 10 ms). */
    timeToSwitchMs: z.optional(z.number()),
    /** A priority route of the group (switched first). */
    priority: z.optional(z.literal(true)),
  }),
);
export type AuditRoute = z.infer<typeof AuditRouteSchema>;

export const AuditRecordSchema = z.lazy(() =>
  z.object({
    record: z.literal('vpc-route-failover/audit'),
    version: z.literal(1),
    outcome: OutcomeSchema,
    /** Set when outcome is partial or failed: the Fail state's Error and Cause. */
    error: z.optional(z.string()),
    cause: z.optional(z.string()),
    summary: z.string(),
    group: z.optional(z.string()),
    vpcId: z.optional(z.string()),
    /** The resolved trigger; when the run failed before resolving, its kind as the input's shape says (or unknown). */
    trigger: z.union([
      TriggerSchema,
      z.object({
        kind: z.enum(['unknown', 'instance-state', 'alarm', 'manual', 'probe']),
        summary: z.string(),
        unresolved: z.literal(true),
      }),
    ]),
    dryRun: z.boolean(),
    from: z.array(MemberStateSchema),
    to: z.optional(MemberStateSchema),
    counts: z.object({
      planned: z.number(),
      replaced: z.number(),
      failed: z.number(),
      vanished: z.number(),
      dryRun: z.number(),
      /** Dry-run routes the endpoint CHANGED (it answered success, not DryRunOperation). */
      dryRunIgnored: z.optional(z.number()),
      conflicts: z.number(),
      moved: z.number(),
      alreadyOnTarget: z.number(),
      skipped: z.number(),
      mismatches: z.number(),
    }),
    /** Associations mode: each association moved (subject, from → to table), with its effective routes. */
    associations: z.optional(AuditAssociationsSchema),
    /** The group's addresses (Elastic IPs, secondary private IPs), each before and after. */
    addresses: z.optional(AuditAddressesSchema),
    /**
     * Every planned route, or (past AUDIT_ROUTES_MAX) every route with a problem first and then
     * the others up to the cap.
     */
    routes: z.array(AuditRouteSchema),
    /** Routes left out of `routes` to keep the record under Step Functions' 256 KB output limit. */
    routesOmitted: z.optional(z.number()),
    /**
     * Each distinct route error once (the 20 most frequent), with how many routes had it and the first
     * few of them ("rtb dest").
     */
    errorGroups: z.optional(
      z.array(z.object({ error: z.string(), routes: z.number(), examples: z.array(z.string()) })),
    ),
    alreadyOnTarget: z.array(z.object({ routeTableId: z.string(), destinations: z.array(z.string()) })),
    skipped: z.array(
      z.object({
        routeTableId: z.string(),
        destination: DestinationSchema,
        eni: z.string(),
        reason: z.optional(z.string()),
      }),
    ),
    warnings: z.array(z.string()),
    verification: z.optional(
      z.object({
        checked: z.number(),
        ok: z.boolean(),
        mismatches: z.number(),
        rounds: z.number(),
        /** What the route-table invariant checked on the final read (shared/invariant.ts), in one line. */
        invariant: z.optional(z.string()),
      }),
    ),
    failure: z.optional(z.object({ stage: z.string(), error: z.string(), cause: z.optional(z.string()) })),
    /** The group lease this execution held: when it got it, and whose dead lease it took over. */
    lease: z.optional(
      z.object({ group: z.string(), acquiredAt: z.optional(z.string()), tookOverFrom: z.optional(z.string()) }),
    ),
    /** What the health gate saw of each member. */
    health: z.optional(z.array(MemberHealthSchema)),
    /** Set when an automatic trigger was held by the group's maintenance hold (outcome noop; nothing moved). */
    held: z.optional(HoldSchema),
    /**
     * Set when routes moved to the target and the health gate saw no other healthy member: the group has no
     * standby left to fail over to.
     */
    noHealthyStandby: z.optional(z.literal(true)),
    execution: z.extendLazy(ExecutionInfoSchema, { consoleUrl: z.optional(z.string()) }),
    startedAt: z.optional(z.string()),
    finishedAt: z.string(),
    durationMs: z.optional(z.number()),
    /** Time to switch, from the execution's start, over the routes this run switched (all of them, listed or not). */
    timeToSwitch: z.optional(TimeToSwitchSchema),
    /**
     * The priority routes FirstWrite switched right after ResolveTargets, before PlanSwitch read the reach (they
     * are in `routes` as replaced, with their time to switch); absent when it switched none.
     */
    firstWrite: z.optional(
      z.object({
        routes: z.int(),
        /** From the execution's start to the first route FirstWrite switched, and to its last. */
        firstMs: z.optional(z.number()),
        lastMs: z.optional(z.number()),
      }),
    ),
    /** Whether SNS took the notification; when it did not, the execution fails as NotificationFailed with `cause`. */
    notification: z.optional(
      z.object({ published: z.boolean(), error: z.optional(z.string()), cause: z.optional(z.string()) }),
    ),
  }),
);
export type AuditRecord = z.infer<typeof AuditRecordSchema>;
