import { moveResultsOf, subjectOf } from './associations';
import type { AuditAddresses } from '../contract/address-schemas';
import type { AuditAssociation, AuditAssociations } from '../contract/audit-record';
import { judgeAddresses } from './addresses/audit';
import type { AssociationBatchResult, BatchResult, Plan, Verification } from '../contract/schemas';

/**
 * The audit record has one shape for every switch kind: the routes part (functions/domain/audit.ts), and
 * one section per other kind, supplied by the kind with what it weighs in the outcome
 * (functions/domain/audit-outcome.ts). A kind adds its AuditKind here and its section to the record's schema.
 */

/** What the kinds read of the state the execution reached. */
export interface AuditState {
  plan?: Plan;
  results?: BatchResult[];
  associationResults?: AssociationBatchResult[];
  verification?: Verification;
  dryRun?: boolean;
}

/** A kind's section of the audit record and what it weighs in the outcome. */
export interface KindJudgement {
  /** The section as the record keeps it; undefined when the plan has none of the kind. */
  section?: AuditAssociations | AuditAddresses;
  /** The kind's items in the record's texts: "association(s)" gives "2 of 3 association(s)". */
  nouns: string;
  /** Where an item not switched is not, after "not on": "router-b's tables". */
  offTarget: (target: string) => string;
  /** The Error of a run whose routes all moved but some of the kind's items did not. */
  notSwitchedError: string;
  /** Items the plan holds. */
  planned: number;
  /** Items where the plan wants them because of this run (or found there). */
  good: number;
  /** One line per item not where the plan wants it. */
  bad: string[];
  /** Dry-run writes the endpoint carried out (it ignored DryRun). */
  ignored: string[];
  /** Milliseconds from the execution's start at which each item switched. */
  switchTimes: number[];
  /** Verification problems about the kind's items (counted in `mismatches`, not listed among routes). */
  effectiveProblems: number;
}

/** A switch kind's part of the audit: the record key of its section, and its judgement of the state. */
export interface AuditKind {
  readonly key: 'associations' | 'addresses';
  judge(state: AuditState, startMs: number): KindJudgement;
}

const ASSOCIATION_TEXTS = {
  nouns: 'association(s)',
  offTarget: (target: string) => `${target}'s tables`,
  notSwitchedError: 'AssociationsNotSwitched',
};

/**
 * Associations: each association moved (subject, from table → to table), its status, and the subject's
 * effective route count as read back; the tables switched route by route instead, with why.
 */
export const associationsAudit: AuditKind = {
  key: 'associations',
  judge: (state, startMs) => judgeAssociations(state, startMs),
};

const judgeAssociations = (state: AuditState, startMs: number): KindJudgement => {
  const none: KindJudgement = {
    ...ASSOCIATION_TEXTS,
    planned: 0,
    good: 0,
    bad: [],
    ignored: [],
    switchTimes: [],
    effectiveProblems: 0,
  };
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
    ...ASSOCIATION_TEXTS,
    planned: list.length,
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

const ADDRESS_TEXTS = {
  nouns: 'address(es)',
  offTarget: (target: string) => `${target}'s interfaces`,
  notSwitchedError: 'AddressesNotSwitched',
};

/**
 * Addresses (Elastic IPs, secondary private IPs): each address before (the plan's read), after (VerifySwitch's
 * read back), its result, calls and time to switch; the clause's findings count as addresses not switched.
 * `planned` counts the addresses this run had to move, so a run that finds them all in place stays a `noop`.
 */
export const addressesAudit: AuditKind = {
  key: 'addresses',
  judge: (state, startMs) => {
    const a = judgeAddresses(state, startMs);
    const items = state.plan?.addresses?.items ?? [];
    return {
      ...ADDRESS_TEXTS,
      section: a.section,
      planned: items.filter((i) => i.status !== 'noop' && i.status !== 'cannot-move').length,
      good: a.good,
      bad: a.bad,
      ignored: a.ignored,
      switchTimes: (a.section?.list ?? []).flatMap((i) => (i.timeToSwitchMs !== undefined ? [i.timeToSwitchMs] : [])),
      effectiveProblems: state.verification?.addresses?.mismatches ?? 0,
    };
  },
};

/** The kinds with a section of their own in the audit record, in the order the workflow switches them. */
export const AUDIT_KINDS: readonly AuditKind[] = [associationsAudit, addressesAudit];
