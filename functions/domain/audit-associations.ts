import { moveResultsOf, subjectOf } from './associations';
import { FallbackTableSchema, type Plan, type AssociationBatchResult, type BatchResult, type Verification } from '../contract/schemas';
import * as z from '../contract/zod';

/**
 * The associations mode's part of the audit record: each association moved (subject, from table → to
 * table), its status, and the subject's effective route count as read back; the tables switched route by
 * route instead, with why; and how it weighs in the outcome.
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

export interface AssociationJudgement {
  section?: AuditAssociations;
  /** Associations where the plan wants them because of this run (or found there). */
  good: number;
  /** One line per association not where the plan wants it. */
  bad: string[];
  /** Dry-run moves the endpoint carried out (it ignored DryRun). */
  ignored: string[];
  /** Milliseconds from the execution's start at which each association moved. */
  switchTimes: number[];
  /** Verification problems about associations (counted in `mismatches`, not listed among routes). */
  effectiveProblems: number;
}

/** The associations section of the record and what it adds to the outcome; empty outside the associations mode. */
export const judgeAssociations = (
  state: { plan?: Plan; results?: BatchResult[]; associationResults?: AssociationBatchResult[]; verification?: Verification; dryRun?: boolean },
  startMs: number,
): AssociationJudgement => {
  const none: AssociationJudgement = { good: 0, bad: [], ignored: [], switchTimes: [], effectiveProblems: 0 };
  const plan = state.plan;
  if (!plan?.associations) return none;
  const moves = moveResultsOf(plan, state.results, state.associationResults);
  const effective = state.verification?.effective;
  const list: AuditAssociation[] = moves.map((r, i) => {
    const e = effective?.[i];
    return {
      subject: subjectOf(r.move),
      from: r.move.f,
      to: r.move.t,
      original: r.move.o,
      status: r.status,
      table: e?.table,
      effectiveRoutes: e?.n,
      verified: e?.ok,
      attempts: r.attempts,
      error: r.error,
      problem: e && !e.ok ? e.problem : undefined,
      timeToSwitchMs: r.switchedAt !== undefined && Number.isFinite(startMs) ? Math.max(0, r.switchedAt - startMs) : undefined,
    };
  });
  const count = (...s: string[]) => list.filter((a) => s.includes(a.status)).length;
  const okStatus = state.dryRun ? ['dry-run'] : ['moved', 'already-on-target'];
  const isBad = (a: AuditAssociation) => a.verified === false || (a.verified === undefined && !okStatus.includes(a.status)) || a.status === 'conflict' || a.status === 'drifted';
  const describe = (a: AuditAssociation) => `${a.subject} (${a.from} → ${a.to}) ${a.status}${a.problem ? `: ${a.problem}` : a.error ? `: ${a.error}` : ''}`;
  return {
    section: {
      planned: list.length,
      moved: count('moved'),
      alreadyOnTarget: plan.associations.alreadyOnTarget + count('already-on-target'),
      failed: count('failed', 'not-attempted', 'drifted', 'conflict'),
      dryRun: count('dry-run'),
      fallbacks: plan.associations.fallbacks,
      fallbackCount: plan.associations.fallbackCount ?? plan.associations.fallbacks.length,
      unassociated: plan.associations.unassociated,
      list,
    },
    good: state.dryRun ? 0 : list.filter((a) => !isBad(a) && okStatus.includes(a.status)).length,
    bad: list.filter(isBad).map(describe),
    ignored: list.filter((a) => a.status === 'dry-run-ignored').map(describe),
    switchTimes: list.map((a) => a.timeToSwitchMs).filter((t): t is number => t !== undefined),
    effectiveProblems: (effective ?? []).filter((e) => !e.ok).length,
  };
};
