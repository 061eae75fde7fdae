import { moveResultsOf, subjectOf } from './associations';
import type { AuditAssociation, AuditAssociations } from '../contract/audit-record';
import type { Plan, AssociationBatchResult, BatchResult, Verification } from '../contract/schemas';

/**
 * The associations mode's part of the audit record: each association moved (subject, from table → to
 * table), its status, and the subject's effective route count as read back; the tables switched route by
 * route instead, with why; and how it weighs in the outcome.
 */

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
  state: {
    plan?: Plan;
    results?: BatchResult[];
    associationResults?: AssociationBatchResult[];
    verification?: Verification;
    dryRun?: boolean;
  },
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
      timeToSwitchMs:
        r.switchedAt !== undefined && Number.isFinite(startMs) ? Math.max(0, r.switchedAt - startMs) : undefined,
    };
  });
  const count = (...s: string[]) => list.filter((a) => s.includes(a.status)).length;
  const okStatus = state.dryRun ? ['dry-run'] : ['moved', 'already-on-target'];
  const isBad = (a: AuditAssociation) =>
    a.verified === false ||
    (a.verified === undefined && !okStatus.includes(a.status)) ||
    a.status === 'conflict' ||
    a.status === 'drifted';
  const describe = (a: AuditAssociation) =>
    `${a.subject} (${a.from} → ${a.to}) ${a.status}${a.problem ? `: ${a.problem}` : a.error ? `: ${a.error}` : ''}`;
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
