import type { KindJudgement } from './audit-kinds';
import type { AuditRecord, AuditRoute, NotifyState, Outcome } from '../contract/audit-record';

// The stages a failure can have once writes may have happened; the names of the previous version (two write
// Tasks, VerifyRoutes) stay, as records it wrote still carry them.
const WRITE_STAGES: ReadonlySet<string> = new Set(['SwitchItems', 'ReplaceRoutes', 'ReplaceAssociations']);
const VERIFY_STAGES: ReadonlySet<string> = new Set(['VerifySwitch', 'VerifyRoutes']);
const AFTER_WRITES: ReadonlySet<string> = new Set([...WRITE_STAGES, ...VERIFY_STAGES]);

/**
 * How an execution ended, from what its audit record holds: the outcome, the Fail state's Error and Cause
 * (bounded, routes that failed alike on one line), and the record's one-line summary.
 */

/** Step Functions caps a Fail state's Cause; keep ours readable and well under it. */
export const CAUSE_MAX = 4000;
/** Distinct route errors listed, and example routes per error. */
export const ERROR_GROUPS_MAX = 20;
const ERROR_EXAMPLES_MAX = 5;

export type ErrorGroup = NonNullable<AuditRecord['errorGroups']>[number];

/** The routes' errors, each distinct text once with its count and first routes, most frequent first (all of them). */
export const groupErrors = (items: Array<{ error: string; route: string }>): ErrorGroup[] => {
  const groups = new Map<string, ErrorGroup>();
  for (const { error, route } of items) {
    const g = groups.get(error) ?? { error, routes: 0, examples: [] };
    g.routes++;
    if (g.examples.length < ERROR_EXAMPLES_MAX) g.examples.push(route);
    groups.set(error, g);
  }
  return [...groups.values()].sort((a, b) => b.routes - a.routes);
};

/** The first ERROR_GROUPS_MAX groups as lines, and one line for the routes of the others. */
const errorGroupLines = (groups: ErrorGroup[]): string[] => {
  const rest = groups.slice(ERROR_GROUPS_MAX).reduce((n, g) => n + g.routes, 0);
  return [
    ...groups.slice(0, ERROR_GROUPS_MAX).map(describeErrorGroup),
    ...(rest > 0 ? [`and ${rest} more route(s) with ${groups.length - ERROR_GROUPS_MAX} other error(s)`] : []),
  ];
};

/** One line for a group: the error, how many routes, which. */
export const describeErrorGroup = (g: ErrorGroup): string =>
  g.routes === 1
    ? `${g.examples[0]}: ${g.error}`
    : `${g.error} (${g.routes} routes: ${g.examples.join(', ')}` +
      `${g.routes > g.examples.length ? `, and ${g.routes - g.examples.length} more` : ''})`;

/** The outcome of an execution, its Error and Cause, and how many routes and associations it moved. */
export const judge = (
  state: NotifyState,
  routes: AuditRoute[],
  counts: AuditRecord['counts'],
  failure: AuditRecord['failure'],
  otherMismatches: Array<{ routeTableId: string; destination: { value: string }; problem?: string }>,
  unlisted: number,
  wasOnTarget: Set<string>,
  kinds: KindJudgement[],
): { outcome: Outcome; error?: string; cause?: string; moved: number } => {
  if (failure?.error === 'FailoverSuppressedError') {
    return {
      outcome: 'suppressed',
      error: failure.error,
      cause: clip(`${failure.cause ?? failure.error} No route was changed.`),
      moved: 0,
    };
  }
  // A failed Map (routes or associations) or verification is judged by what reads back, not as "nothing changed".
  if (failure && !AFTER_WRITES.has(failure.stage)) {
    // Only FirstWrite can have written before a failure there (its routes are the only ones in `routes` then).
    const early = routes.filter((r) => r.status === 'replaced').length;
    const changed =
      early > 0
        ? ` ${early} priority route(s) had been switched by FirstWrite ` +
          `before it (listed in routes); no other route was changed.`
        : ' No route was changed.';
    return {
      outcome: 'failed',
      error: failure.error,
      cause: clip(`${failure.stage} failed: ${failure.cause ?? failure.error}.${changed}`),
      moved: early,
    };
  }
  if (state.action === 'noop') return { outcome: 'noop', moved: 0 };
  // A dry run that changed routes is the worst kind of surprise: it must never read as "nothing changed".
  const ignored = routes.filter((r) => r.status === 'dry-run-ignored');
  const kindsIgnored = kinds.filter((k) => k.ignored.length > 0);
  if (ignored.length > 0 || kindsIgnored.length > 0) {
    const lines = [
      ...errorGroupLines(
        groupErrors(
          ignored.map((r) => ({ error: r.error ?? r.status, route: `${r.routeTableId} ${r.destination.value}` })),
        ),
      ),
      ...kindsIgnored.flatMap((k) => k.ignored),
    ];
    const what =
      kindsIgnored.length > 0
        ? [`${ignored.length} route(s)`, ...kindsIgnored.map((k) => `${k.ignored.length} ${k.nouns}`)].join(' and ')
        : `${ignored.length} of ${routes.length} route(s)`;
    const head =
      `dry run NOT honoured: ${what} CHANGED to ${state.target?.name ?? 'the target'} ` +
      '(EC2 answered success, not DryRunOperation)';
    return {
      outcome: 'failed',
      error: 'DryRunIgnored',
      cause: clip(`${head}: ${lines.join('; ')}`),
      moved: ignored.length,
    };
  }
  // Verification is the last word: a route read back on its target is good whatever its Map result said.
  // A conflict (someone else pointed the route elsewhere meanwhile) was left alone on purpose, and is reported.
  const bad = routes.filter(
    (r) =>
      r.status === 'conflict' ||
      r.verified === false ||
      (r.verified === undefined && (r.status === 'failed' || r.status === 'not-attempted')),
  );
  const kindsGood = kinds.reduce((n, k) => n + k.good, 0);
  const kindsBad = kinds.filter((k) => k.bad.length > 0);
  // Problems VerifyRoutes counted but did not name are subtracted from the good ones (conservative).
  const badSet = new Set(bad);
  const good =
    Math.max(
      0,
      routes.filter((r) => !badSet.has(r) && r.status !== 'vanished' && r.status !== 'dry-run').length - unlisted,
    ) + kindsGood;
  // Unnamed problems are among the routes VerifyRoutes did not name: the failed ones already counted in `bad`
  // first; only the excess is more routes off target.
  const unlistedExtra = Math.max(0, unlisted - bad.filter((r) => r.verified === undefined).length);
  if (bad.length > 0 || otherMismatches.length > 0 || unlisted > 0 || failure || kindsBad.length > 0) {
    const error =
      failure && WRITE_STAGES.has(failure.stage)
        ? failure.error
        : state.dryRun
          ? 'DryRunFailed'
          : counts.failed > 0
            ? 'RoutesNotSwitched'
            : kindsBad.length > 0
              ? kindsBad[0].notSwitchedError
              : failure
                ? 'VerificationFailed'
                : 'RoutesNotVerified';
    // Routes that failed alike are one line: the error once, then how many and which.
    const lines = [
      ...errorGroupLines(
        groupErrors(
          bad.map((r) => ({
            error: r.error ?? r.problem ?? r.status,
            route: `${r.routeTableId} ${r.destination.value}`,
          })),
        ),
      ),
      ...otherMismatches.map(
        (o) =>
          `${o.routeTableId} ${o.destination.value}` +
          (wasOnTarget.has(`${o.routeTableId}|${o.destination.value}`) ? ' (was already on target)' : '') +
          `: ${o.problem ?? 'mismatch'}`,
      ),
      ...(unlistedExtra > 0 ? [`and ${unlistedExtra} more route(s) not where the plan wants them (not listed)`] : []),
      ...kindsBad.flatMap((k) => k.bad),
    ];
    const total = routes.length + otherMismatches.length;
    const notOn = bad.length + otherMismatches.length + unlistedExtra;
    const target = state.target?.name ?? 'the target';
    const planned = kinds.filter((k) => k.planned > 0);
    const kindsOf = (k: KindJudgement) => `, ${k.bad.length} of ${k.planned} ${k.nouns}`;
    const head = state.dryRun
      ? `dry run: ${bad.length} of ${routes.length} routes would fail${planned.map(kindsOf).join('')}`
      : `${notOn} of ${total} routes are not on ${target}` +
        planned.map((k) => `${kindsOf(k)} not on ${k.offTarget(target)}`).join('') +
        (good > 0 ? ` (${good} switched)` : '');
    const verify =
      failure && VERIFY_STAGES.has(failure.stage)
        ? `; verification could not run: ${failure.error}: ${failure.cause ?? ''}`
        : '';
    return {
      outcome: good > 0 && !state.dryRun ? 'partial' : 'failed',
      error,
      cause: clip(`${head}${verify}: ${lines.join('; ')}`),
      moved: state.dryRun ? 0 : good - kindsGood,
    };
  }
  if (state.dryRun) return { outcome: 'dry-run', moved: 0 };
  if (routes.length === 0 && kinds.every((k) => k.planned === 0)) return { outcome: 'noop', moved: 0 };
  // counts.moved counts routes; the other kinds have their own sections.
  return { outcome: 'succeeded', moved: good - kindsGood };
};

/** The record's one-line summary. */
export const summarize = (r: AuditRecord, noopReason: string | undefined): string => {
  const g = r.group ?? 'unknown group';
  const dir = `${r.from.map((m) => m.name).join('+') || '?'} -> ${r.to?.name ?? '?'}`;
  switch (r.outcome) {
    case 'succeeded':
      if (r.associations)
        return (
          `${g}: ${dir}, ${r.associations.moved + r.associations.alreadyOnTarget} association(s) ` +
          `on ${r.to?.name}'s tables and ${r.counts.replaced} route(s) moved, verified`
        );
      return (
        `${g}: ${dir}, ${r.counts.replaced} route(s) moved and verified` +
        (r.counts.vanished ? `, ${r.counts.vanished} vanished meanwhile (not re-created)` : '')
      );
    case 'dry-run':
      if (r.associations)
        return (
          `${g}: dry run ${dir}: would move ${r.associations.dryRun} association(s) ` +
          `and ${r.counts.dryRun} route(s); nothing changed`
        );
      return `${g}: dry run ${dir}: would move ${r.counts.dryRun} route(s); nothing changed`;
    case 'noop':
      return `${g}: no change: ${
        noopReason ??
        (r.counts.alreadyOnTarget > 0
          ? `already on target (${r.counts.alreadyOnTarget} route(s) on ${r.to?.name})`
          : `no route points at ${r.from.map((m) => m.name).join(', ')}`)
      }`;
    case 'partial':
      if (r.associations) {
        const a = r.associations;
        const on = a.list.filter(
          (x) => (x.status === 'moved' || x.status === 'already-on-target') && x.verified !== false,
        ).length;
        return (
          `${g}: PARTIAL ${dir}: ${on} of ${a.planned} association(s) and ` +
          `${r.counts.moved} of ${r.counts.planned} route(s) on ${r.to?.name ?? 'the target'}; see failures`
        );
      }
      return `${g}: PARTIAL ${dir}: ${r.counts.moved} of ${r.counts.planned} route(s) moved; see failures`;
    case 'suppressed':
      return `${g}: SUPPRESSED automatic failover ${dir} (flap damping); routes unchanged`;
    case 'failed':
      return (
        `${g}: FAILED ${dir}: ${r.error}` +
        (r.failure && !AFTER_WRITES.has(r.failure.stage) ? ' (no route changed)' : '')
      );
  }
};

/** A Cause within CAUSE_MAX. */
export const clip = (s: string): string => (s.length > CAUSE_MAX ? `${s.slice(0, CAUSE_MAX - 20)}… (truncated)` : s);
