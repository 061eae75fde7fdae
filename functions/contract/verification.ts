import { AddressVerificationSchema } from './address-schemas';
import { DestinationSchema } from './workflow-state';
import * as z from './zod';

/**
 * Shapes of VerifySwitch's output: what a fresh read of the reach found, bounded for the state.
 * Objects are not strict: the state carries the fields of earlier steps as well.
 */

export const ObservedRouteSchema = z.lazy(() =>
  z.object({
    routeTableId: z.string(),
    destination: DestinationSchema,
    /** Target as read back: an ENI ID, another target ID, or absent when the route is gone. */
    target: z.optional(z.string()),
    state: z.optional(z.string()),
    expected: z.enum(['target', 'source', 'absent', 'untouched']),
    ok: z.boolean(),
    problem: z.optional(z.string()),
  }),
);
export type ObservedRoute = z.infer<typeof ObservedRouteSchema>;

/**
 * What VerifyRoutes lists (its counts are always complete): the problems, the associations read back (a VPC
 * has at most a few hundred subnets by default), and warnings about blackhole routes to interfaces no member
 * is known to have had (then one line for the rest). Bounded so the state stays small at thousands of routes;
 * ListRoutes' state budget counts them at these sizes.
 */
export const PROBLEMS_LISTED = 200;
export const EFFECTIVE_LISTED = 500;
export const UNKNOWN_BLACKHOLES_LISTED = 20;

/** Output of VerifyRoutes. */
export const VerificationSchema = z.lazy(() =>
  z.object({
    checked: z.int(),
    ok: z.boolean(),
    mismatches: z.int(),
    rounds: z.int(),
    /** The routes that are NOT where the plan wants them (at most 200 listed; `mismatches` counts all). */
    observed: z.array(ObservedRouteSchema),
    /**
     * What the route-table invariant (shared/invariant.ts) looked at on the last read, and what it found: tables
     * and routes in reach, routes breaking it, routes left on a member this switch did not leave, one line.
     */
    invariant: z.optional(
      z.object({ tables: z.int(), routes: z.int(), findings: z.int(), split: z.int(), summary: z.string() }),
    ),
    /** Blackhole routes in scope to interfaces no member is known to have had (not counted as mismatches). */
    warnings: z.optional(z.array(z.string())),
    /**
     * Associations mode: each planned association as read back, with the table it now uses and how many
     * routes that table holds (`n`: the subject's effective routes); `ok` false when it is not where the plan wants.
     */
    effective: z.optional(
      z.array(
        z.object({
          subject: z.string(),
          table: z.optional(z.string()),
          n: z.int(),
          ok: z.boolean(),
          problem: z.optional(z.string()),
        }),
      ),
    ),
    /** The addresses read back and the invariant's address clause (absent when the group moves none). */
    addresses: z.optional(AddressVerificationSchema),
    verifiedAt: z.string(),
  }),
);
export type Verification = z.infer<typeof VerificationSchema>;
