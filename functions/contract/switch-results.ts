import { AddressResultSchema } from './address-schemas';
import { InterfacePairSchema } from './workflow-state';
import { AssociationBatchSchema, BatchSchema, type Change } from './switch-plan';
import * as z from './zod';

/**
 * Shapes of what the SwitchBatches Map's iterations take and return: each kind's batch input, each item's
 * status, each batch's result, kept small (the Map's output holds them all).
 * Objects are not strict: the state carries the fields of earlier steps as well.
 */

/**
 * What happened to a route. `dry-run`: EC2 answered DryRunOperation (would have succeeded, nothing changed);
 * `dry-run-ignored`: a dry run's ReplaceRoute answered success, so the endpoint ignored DryRun and the
 * route WAS changed (a critical outcome).
 */
export const RouteStatusSchema = z.lazy(() =>
  z.enum(['replaced', 'already-on-target', 'vanished', 'conflict', 'dry-run', 'dry-run-ignored', 'failed']),
);
export type RouteStatus = z.infer<typeof RouteStatusSchema>;

export const ReplaceBatchInputSchema = z.lazy(() =>
  z.object({
    batch: BatchSchema,
    /** The group the batch claims to belong to: ReplaceRoutes checks every write against its config and EC2. */
    group: z.string(),
    /** The group's VPC: the table is read with a vpc-id filter, so a table of another VPC is never touched. */
    vpcId: z.string(),
    pairs: z.array(InterfacePairSchema),
    dryRun: z._default(z.boolean(), false),
    /** When ListRoutes observed the routes of the plan (its listedAt): a fresh observation spares the batch a read. */
    observedAt: z.optional(z.iso.datetime({ offset: true })),
  }),
);
export type ReplaceBatchInput = z.infer<typeof ReplaceBatchInputSchema>;

/** What happened to an association move. `drifted`: the twin no longer holds what the move needs (not moved). */
export const AssociationStatusSchema = z.lazy(() =>
  z.enum(['moved', 'already-on-target', 'conflict', 'drifted', 'dry-run', 'dry-run-ignored', 'failed']),
);
export type AssociationStatus = z.infer<typeof AssociationStatusSchema>;

export const ReplaceAssociationsInputSchema = z.lazy(() =>
  z.object({
    batch: AssociationBatchSchema,
    group: z.string(),
    vpcId: z.string(),
    pairs: z.array(InterfacePairSchema),
    dryRun: z._default(z.boolean(), false),
  }),
);
export type ReplaceAssociationsInput = z.infer<typeof ReplaceAssociationsInputSchema>;

/**
 * The result of an association batch: every move's status (`r`, batch order), or RecordBatchFailure's
 * (RecordAssociationBatchFailure's in records of the previous version).
 */
export const AssociationBatchResultSchema = z.lazy(() =>
  z.object({
    id: z.int(),
    /**
     * Per move, in batch order: status, attempts, index in `errors`, and when it was switched (ms after `at`'s
     * start, see `sw`).
     */
    r: z._default(
      z.array(z.object({ st: AssociationStatusSchema, a: z.optional(z.int()), x: z.optional(z.int()) })),
      [],
    ),
    errors: z.optional(z.array(z.string())),
    at: z.optional(z.string()),
    sw: z.optional(z.string()),
    error: z.optional(z.string()),
    cause: z.optional(z.string()),
  }),
);
export type AssociationBatchResult = z.infer<typeof AssociationBatchResultSchema>;

/** One route's result; `i` is its index in the batch's routes. */
export const BatchRouteResultSchema = z.lazy(() =>
  z.object({
    i: z.int().check(z.gte(0)),
    st: RouteStatusSchema,
    /** ReplaceRoute calls made for this route in the invocation that finished the batch. */
    a: z.optional(z.int()),
    /** Error or detail (failed, vanished, conflict), in results written before `errors`; now `x`. */
    e: z.optional(z.string()),
    /** Index in the batch's `errors` of this route's error or detail (failed, vanished, conflict). */
    x: z.optional(z.int().check(z.gte(0))),
    /** Conflicts: the target the route had when the batch found it (left alone). */
    t: z.optional(z.string()),
  }),
);
export type BatchRouteResult = z.infer<typeof BatchRouteResultSchema>;

/**
 * One item of the SwitchBatches Map output (ReplaceRouteBatches' in records of the previous version): a route
 * batch's result, an association batch's (`r`, as AssociationBatchResultSchema), or RecordBatchFailure's. Sparse, so a
 * 2,000-route state stays small and the history stays readable: every route of the batch has the `usual`
 * status after one ReplaceRoute call except those listed in `exceptions`; `counts` sums them up.
 */
export const BatchResultSchema = z.lazy(() =>
  z.object({
    id: z.int(),
    /** The batch's table (absent from RecordBatchFailure's output: the plan has it). */
    routeTableId: z.optional(z.string()),
    usual: z.optional(RouteStatusSchema),
    /** Index in `errors` of the error every usual route had (when the usual outcome is a failure, say). */
    usualError: z.optional(z.int().check(z.gte(0))),
    counts: z.optional(z.record(z.string(), z.int())),
    exceptions: z._default(z.array(BatchRouteResultSchema), []),
    /** Each distinct error text of the batch once, bounded (see aws-errors ERROR_TEXT_MAX). */
    errors: z.optional(z.array(z.string())),
    at: z.optional(z.string()),
    /** When each route (batch order) was switched by this invocation, compact (plan.ts encodeSwitchTimes). */
    sw: z.optional(z.string()),
    /** An association batch's result: per move, in batch order (AssociationBatchResultSchema). */
    r: z.optional(z.array(z.object({ st: AssociationStatusSchema, a: z.optional(z.int()), x: z.optional(z.int()) }))),
    /** An address batch's result: per address, in batch order. */
    addresses: z.optional(z.array(AddressResultSchema)),
    /** Set by RecordBatchFailure when the batch failed as a whole (its routes have no results). */
    error: z.optional(z.string()),
    cause: z.optional(z.string()),
  }),
);
export type BatchResult = z.infer<typeof BatchResultSchema>;

/** A planned change in full (expanded from a batch and the state's pairs) for the code that reasons about it. */
export interface RouteResult {
  change: Change;
  status: RouteStatus | 'not-attempted';
  attempts?: number;
  error?: string;
  /** When its batch finished. */
  at?: string;
  /** Conflicts: the target found instead of the failing interface. */
  currentTarget?: string;
  /** When this route was switched (epoch ms, to 10 ms), from its batch's result. */
  switchedAt?: number;
  /** A priority route of the group. */
  priority?: boolean;
}
