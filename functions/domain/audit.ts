import type { FailoverConfig } from '../contract/config';
import { causeText, clipText } from '../contract/errors';
import { peekGroup, peekTriggerKind } from '../contract/peek';
import { resultsOf } from './plan';
import { routeKey } from './routes';
import { AUDIT_KINDS } from './audit-kinds';
import {
  type AuditRecord,
  type AuditRoute,
  FirstWriteOutcomeSchema,
  type NotifyState,
  type TimeToSwitch,
} from '../contract/audit-record';
import { ERROR_GROUPS_MAX, groupErrors, judge, summarize } from './audit-outcome';
import { addressSummaryText } from './addresses/audit';
import type { ExecutionInfo } from '../contract/schemas';

export { causeText };
export { describeErrorGroup, groupErrors } from './audit-outcome';

/** Nearest-rank percentile of sorted values. */
const percentile = (sorted: number[], p: number): number =>
  sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];

/** p50 / p99 / max of times to switch (ms); undefined when no route was switched. */
export const timeToSwitchOf = (all: number[], priority: number[]): TimeToSwitch | undefined => {
  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return { routes: s.length, p50Ms: percentile(s, 50), p99Ms: percentile(s, 99), maxMs: s[s.length - 1] };
  };
  if (all.length === 0) return undefined;
  return { ...stats(all), ...(priority.length > 0 ? { priority: stats(priority) } : {}) };
};

/**
 * Routes listed in full in the record. At ~300 bytes a route, 200 keep the record well under 256 KB; beyond
 * that the per-route details of each batch stay in the execution history (SwitchItems outputs).
 */
export const AUDIT_ROUTES_MAX = 200;

/** Characters of a caught error's Cause kept in the record (its errorMessage; functions bound theirs anyway). */
const FAILURE_CAUSE_MAX = 1000;

const listRoutes = (routes: AuditRoute[]): { routes: AuditRoute[]; routesOmitted?: number } => {
  if (routes.length <= AUDIT_ROUTES_MAX) return { routes };
  const problem = (r: AuditRoute) =>
    r.verified === false || !['replaced', 'already-on-target', 'dry-run'].includes(r.status);
  const ordered = [...routes.filter(problem), ...routes.filter((r) => !problem(r))];
  return { routes: ordered.slice(0, AUDIT_ROUTES_MAX), routesOmitted: routes.length - AUDIT_ROUTES_MAX };
};

/**
 * Builds the audit record from the state the execution reached (pure; `now` is the finish time). `config`
 * (group and member names only) lets a run that failed before resolving still name the group its input
 * names.
 */
export const buildAuditRecord = (
  state: NotifyState,
  execution: ExecutionInfo,
  rawEvent: unknown,
  now: Date,
  config?: FailoverConfig,
): AuditRecord => {
  const plan = state.plan;
  const results =
    plan && state.pairs && state.target ? resultsOf(plan, state.pairs, state.target.name, state.results) : new Map();
  // The priority routes FirstWrite switched before PlanSwitch read the reach: PlanSwitch found them already on the
  // target, but this execution moved them. They are listed as replaced, with their time to switch, and verified
  // like every route of the record; a route the full path planned again keeps the full path's result.
  const byFirstWrite = new Set<string>();
  /** The same routes as the plan's alreadyOnTarget names them (table and destination value). */
  const byFirstWriteValue = new Set<string>();
  const firstWrite = FirstWriteOutcomeSchema.safeParse(state.firstWrite);
  if (firstWrite.success && !state.dryRun) {
    for (const f of firstWrite.data.switched ?? []) {
      const key = routeKey(f.routeTableId, f.destination);
      if (results.has(key)) continue;
      byFirstWrite.add(key);
      byFirstWriteValue.add(`${f.routeTableId}|${f.destination.value}`);
      const { attempts, switchedAt, ...change } = f;
      results.set(key, {
        change,
        status: 'replaced',
        attempts,
        at: switchedAt,
        switchedAt: Date.parse(switchedAt),
        priority: true,
      });
    }
  }
  // VerifySwitch lists only the routes that are not where the plan wants them; the others are verified.
  const problems = new Map(
    (state.verification?.observed ?? []).map((o) => [routeKey(o.routeTableId, o.destination), o]),
  );
  const startMs0 = state.execution?.startTime
    ? Date.parse(state.execution.startTime)
    : execution.startTime
      ? Date.parse(execution.startTime)
      : Number.NaN;
  const kinds = AUDIT_KINDS.map((k) => ({ key: k.key, judgement: k.judge(state, startMs0) }));
  const judgements = kinds.map((k) => k.judgement);
  const kindProblems = judgements.reduce((n, j) => n + j.effectiveProblems, 0);
  // Past its listing cap VerifySwitch counts problems it does not name: then no unlisted route counts as verified.
  // (The other kinds' problems are counted too, and listed by each, e.g. associations in `effective`.)
  const unlisted = state.verification
    ? Math.max(0, state.verification.mismatches - state.verification.observed.length - kindProblems)
    : 0;
  const verifiedAll = state.verification !== undefined && unlisted === 0;
  const owner = eniOwners(state);

  const startMs = startMs0;
  const routes: AuditRoute[] = [...results.values()].map(
    ({ change: c, status, attempts, error, at, currentTarget, switchedAt, priority }) => {
      const o = problems.get(routeKey(c.routeTableId, c.destination));
      const verified = o ? o.ok : verifiedAll ? true : undefined;
      const onTarget = { target: c.toEni, member: c.toMember };
      let after: AuditRoute['after'];
      if (o) after = o.target ? { target: o.target, member: owner.get(o.target), state: o.state } : null;
      else if (status === 'vanished') after = null;
      else if (status === 'conflict')
        after = currentTarget ? { target: currentTarget, member: owner.get(currentTarget) } : null;
      else if (status === 'dry-run') after = { target: c.fromEni, member: c.fromMember, state: c.stateBefore };
      else if (verifiedAll)
        after = { ...onTarget, state: 'active' }; // read back where the plan wants it
      else
        after =
          status === 'replaced' || status === 'already-on-target' || status === 'dry-run-ignored' ? onTarget : null;
      return {
        routeTableId: c.routeTableId,
        destination: c.destination,
        status,
        before: { target: c.fromEni, member: c.fromMember, state: c.stateBefore },
        after,
        verified,
        attempts,
        at,
        error:
          status === 'failed' || status === 'conflict' || status === 'not-attempted' || status === 'dry-run-ignored'
            ? error
            : undefined,
        problem: o && !o.ok ? o.problem : undefined,
        timeToSwitchMs:
          switchedAt !== undefined && Number.isFinite(startMs) ? Math.max(0, switchedAt - startMs) : undefined,
        priority: priority ? true : undefined,
      };
    },
  );
  const switchTimes = routes.filter((r) => r.timeToSwitchMs !== undefined);
  const timeToSwitch = timeToSwitchOf(
    [...switchTimes.map((r) => r.timeToSwitchMs!), ...judgements.flatMap((j) => j.switchTimes)],
    switchTimes.filter((r) => r.priority).map((r) => r.timeToSwitchMs!),
  );

  const count = (s: AuditRoute['status']) => routes.filter((r) => r.status === s).length;
  const counts = {
    planned: routes.length,
    // A route found already on its target when its batch ran (a re-run, or another writer) counts as moved.
    replaced: count('replaced') + count('already-on-target'),
    failed: count('failed') + count('not-attempted'),
    vanished: count('vanished'),
    dryRun: count('dry-run'),
    dryRunIgnored: count('dry-run-ignored'),
    conflicts: count('conflict'),
    /** Routes on their new interface because of this execution (set by judge: verification is the last word). */
    moved: 0,
    alreadyOnTarget: plan?.alreadyOnTargetCount ?? 0,
    skipped: plan?.skipped.length ?? 0,
    mismatches: state.verification?.mismatches ?? 0,
  };

  const failure = failureOf(state);
  // Routes that were already on the target are read back too: one that went bad must not read as success.
  const planned = new Set(routes.map((r) => routeKey(r.routeTableId, r.destination)));
  const otherMismatches = (state.verification?.observed ?? []).filter(
    (o) => !o.ok && !planned.has(routeKey(o.routeTableId, o.destination)),
  );
  const routeErrors = routes
    .filter((r) => r.error || r.problem)
    .map((r) => ({ error: (r.error ?? r.problem)!, route: `${r.routeTableId} ${r.destination.value}` }));
  const errorGroups = groupErrors(routeErrors).slice(0, ERROR_GROUPS_MAX);
  // Already on the target when PlanSwitch read: except what FirstWrite had just moved there.
  const alreadyOnTarget = (plan?.alreadyOnTarget ?? [])
    .map((a) => ({
      routeTableId: a.routeTableId,
      destinations: a.destinations.filter((d) => !byFirstWriteValue.has(`${a.routeTableId}|${d}`)),
    }))
    .filter((a) => a.destinations.length > 0);
  const movedEarly =
    (plan?.alreadyOnTarget ?? []).reduce((n, a) => n + a.destinations.length, 0) -
    alreadyOnTarget.reduce((n, a) => n + a.destinations.length, 0);
  counts.alreadyOnTarget = Math.max(0, counts.alreadyOnTarget - movedEarly);
  const wasOnTarget = new Set(alreadyOnTarget.flatMap((a) => a.destinations.map((d) => `${a.routeTableId}|${d}`)));
  const { outcome, error, cause, moved } = judge(
    state,
    routes,
    counts,
    failure,
    otherMismatches,
    unlisted,
    wasOnTarget,
    judgements,
  );
  counts.moved = moved;
  const from = state.sources ?? [];
  const to = state.target;
  const startedAt = execution.startTime;
  const record: AuditRecord = {
    record: 'vpc-route-failover/audit',
    version: 1,
    outcome,
    error,
    cause,
    summary: '',
    group: state.group?.name ?? state.lease?.group ?? peekGroup(rawEvent, config),
    vpcId: state.group?.vpcId,
    trigger: state.trigger ?? {
      kind: peekTriggerKind(rawEvent) ?? 'unknown',
      summary: describeRawEvent(rawEvent),
      unresolved: true,
    },
    dryRun: state.dryRun ?? false,
    from,
    to,
    counts,
    ...Object.fromEntries(kinds.filter((k) => k.judgement.section).map((k) => [k.key, k.judgement.section])),
    ...listRoutes(routes),
    errorGroups: errorGroups.length > 0 ? errorGroups : undefined,
    alreadyOnTarget,
    skipped: (plan?.skipped ?? []).map(({ routeTableId, destination, eni, reason }) => ({
      routeTableId,
      destination,
      eni,
      reason,
    })),
    warnings: [...(state.warnings ?? []), ...(plan?.warnings ?? []), ...(state.verification?.warnings ?? [])],
    verification: state.verification && {
      checked: state.verification.checked,
      ok: state.verification.ok,
      mismatches: state.verification.mismatches,
      rounds: state.verification.rounds,
      ...(state.verification.invariant ? { invariant: state.verification.invariant.summary } : {}),
    },
    failure,
    lease:
      state.lease?.held && state.lease.group
        ? { group: state.lease.group, acquiredAt: state.lease.acquiredAt, tookOverFrom: state.lease.tookOverFrom }
        : undefined,
    health: state.health,
    held: state.action === 'noop' ? state.held : undefined,
    execution: { ...execution, consoleUrl: consoleUrl(execution.id) },
    startedAt,
    finishedAt: now.toISOString(),
    durationMs: startedAt && !Number.isNaN(Date.parse(startedAt)) ? now.getTime() - Date.parse(startedAt) : undefined,
    timeToSwitch,
    firstWrite: firstWriteSection(routes, byFirstWrite),
  };
  record.summary = summarize(record, state.noopReason) + addressSummaryText(record.addresses, to?.name);
  if (standbyLost(record)) record.noHealthyStandby = true;
  return record;
};

/** How many routes FirstWrite switched and when (from the execution's start); undefined when none. */
const firstWriteSection = (routes: AuditRoute[], byFirstWrite: Set<string>): AuditRecord['firstWrite'] => {
  const early = routes.filter((r) => byFirstWrite.has(routeKey(r.routeTableId, r.destination)));
  if (early.length === 0) return undefined;
  const times = early.map((r) => r.timeToSwitchMs).filter((t): t is number => t !== undefined);
  return {
    routes: early.length,
    ...(times.length > 0 ? { firstMs: Math.min(...times), lastMs: Math.max(...times) } : {}),
  };
};

/** Routes moved to the target and the health gate saw no healthy member besides it (no standby is left). */
const standbyLost = (r: AuditRecord): boolean =>
  r.to !== undefined &&
  !r.dryRun &&
  r.counts.moved > 0 &&
  r.health !== undefined &&
  !r.health.some((h) => h.member !== r.to!.name && h.healthy);

const eniOwners = (state: NotifyState): Map<string, string> => {
  const m = new Map<string, string>();
  for (const p of state.pairs ?? []) m.set(p.fromEni, p.fromMember);
  if (state.target) for (const e of state.targetEnis ?? []) m.set(e, state.target.name);
  return m;
};

const boundedCause = (cause: string | undefined): string | undefined => {
  const text = causeText(cause);
  return text === undefined ? undefined : clipText(text, FAILURE_CAUSE_MAX);
};

const failureOf = (state: NotifyState): AuditRecord['failure'] => {
  if (state.failure) {
    const stage =
      state.resolvedAt === undefined
        ? state.lease === undefined
          ? 'AcquireLease'
          : 'ResolveTargets'
        : !state.plan
          ? 'PlanSwitch'
          : !state.results
            ? 'SwitchItems'
            : 'unknown';
    return { stage, error: state.failure.Error, cause: boundedCause(state.failure.Cause) };
  }
  if (state.associationFailure)
    return {
      stage: 'SwitchItems',
      error: state.associationFailure.Error,
      cause: boundedCause(state.associationFailure.Cause),
    };
  if (state.verificationFailure)
    return {
      stage: 'VerifySwitch',
      error: state.verificationFailure.Error,
      cause: boundedCause(state.verificationFailure.Cause),
    };
  return undefined;
};

/** One line for an input that could not be resolved (it may be anything). */
export const describeRawEvent = (raw: unknown): string => {
  if (raw && typeof raw === 'object') {
    const o = raw as Record<string, unknown>;
    if (typeof o['detail-type'] === 'string') return `${o['detail-type']} from ${String(o.source)}`;
    if (typeof o.action === 'string') return `manual ${o.action} request for group ${String(o.group)}`;
  }
  const text = JSON.stringify(raw) ?? String(raw);
  return `unrecognised input ${text.length > 120 ? `${text.slice(0, 117)}...` : text}`;
};

/** Console link for an execution ARN (region taken from the ARN). */
export const consoleUrl = (executionArn: string): string | undefined => {
  const m = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):\d{12}:execution:/.exec(executionArn);
  if (!m) return undefined;
  const [, partition, region] = m;
  // Each partition has its own console host.
  const host =
    partition === 'aws-cn'
      ? `${region}.console.amazonaws.cn`
      : partition === 'aws-us-gov'
        ? 'console.amazonaws-us-gov.com'
        : `${region}.console.aws.amazon.com`;
  return `https://${host}/states/home?region=${region}#/v2/executions/details/${executionArn}`;
};
