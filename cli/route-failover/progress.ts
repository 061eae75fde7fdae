import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { causeText } from '../../functions/domain/audit';
import { parseJson, parseRecord, type ParsedRecord, NOTIFY_STATE } from './executions';
import { ARROW, clip, duration, isoTime, plural } from './format';
import {
  ASSOCIATION_MAP,
  associationIds,
  isAssociationIteration,
  iterationAssociations,
  plannedMoves,
  summarizeAssociationResults,
  type IterationAssociations,
} from './progress-associations';

/**
 * Reads Step Functions history events (GetExecutionHistory, oldest first, in as many batches as polls)
 * and tells what happened: top-level states entered and exited with a one-line summary, routes done out
 * of the plan (Map iterations of ReplaceRoutes), retries and caught errors, and the Notify state's output
 * (the audit record). Events are linked by previousEventId, so a retry is a Scheduled event whose previous
 * event is a failure, and a caught error is a state entered right after a failure.
 */

export interface RetrySeen {
  at?: Date;
  state: string;
  index?: number;
  /** 1 for the first retry of that state (or Map iteration). */
  retry: number;
  error: string;
  cause?: string;
}

export interface CaughtSeen {
  at?: Date;
  state: string;
  index?: number;
  error: string;
  cause?: string;
  next?: string;
}

export interface StateTiming {
  name: string;
  type: string;
  entered?: Date;
  exited?: Date;
}

export interface Terminal {
  type: string;
  at?: Date;
  error?: string;
  cause?: string;
  output?: string;
}

interface Ctx {
  /** Map iteration index, when the event belongs to one. */
  iter?: number;
  /** State the event belongs to. */
  state?: string;
}

/** Above this many planned routes, --wait prints a progress line every tenth instead of one per route. */
const ROUTE_LINES_MAX = 30;

/** Incremental reader of one execution's history; `emit` gets a progress line per meaningful event. */
export class HistoryTracker {
  /** Planned routes (ListRoutes' plan, else the Map's item count). */
  total?: number;
  /** Routes whose Map iteration has ended (replaced, dry-run, vanished or failed). */
  done = 0;
  /** Routes whose iteration ended in failure (RecordRouteFailure or a failed iteration). */
  failedRoutes = 0;
  /** ReplaceRoute calls beyond the first made inside batches (a batch retries each throttled route itself). */
  routeRetries = 0;
  /** Associations mode: planned association moves (ListRoutes' plan), those whose iteration ended, those not moved. */
  associationTotal?: number;
  associationsDone = 0;
  failedAssociations = 0;
  readonly retries: RetrySeen[] = [];
  readonly caught: CaughtSeen[] = [];
  readonly timings: StateTiming[] = [];
  notify?: ParsedRecord;
  terminal?: Terminal;
  lastId = 0;
  startedAt?: Date;

  private readonly ctx = new Map<number, Ctx>();
  private readonly failures = new Map<number, CaughtSeen>();
  private readonly exitsAfterFailure = new Map<number, CaughtSeen>();
  private readonly retryCount = new Map<string, number>();
  private readonly iterInput = new Map<number, Record<string, any>>();
  private readonly iterOutput = new Map<number, Record<string, any>>();
  /** The Map state each iteration belongs to (indices start at 0 in each Map). */
  private readonly iterMap = new Map<number, string | undefined>();
  private reportedStep = 0;
  private reportedAssociationStep = 0;

  constructor(private readonly emit: (line: string) => void = () => undefined) {}

  /** The top-level state the execution is in now (entered, not yet exited), when known. */
  get currentState(): string | undefined {
    const open = [...this.timings].reverse().find((t) => !t.exited && t.type !== 'Choice');
    return open?.name;
  }

  /** Consumes events in history order; events already seen (by id) are ignored. */
  consume(events: HistoryEvent[]): void {
    for (const e of events) {
      if (e.id !== undefined && e.id <= this.lastId) continue;
      this.one(e);
      this.lastId = Math.max(this.lastId, e.id ?? 0);
    }
  }

  private one(e: HistoryEvent): void {
    const type = String(e.type ?? '');
    const prevId = e.previousEventId;
    let ctx: Ctx = (prevId !== undefined ? this.ctx.get(prevId) : undefined) ?? {};
    if (type === 'MapIterationStarted') {
      ctx = { iter: e.mapIterationStartedEventDetails?.index };
      if (ctx.iter !== undefined)
        this.iterMap.set(ctx.iter, e.mapIterationStartedEventDetails?.name ?? this.currentState);
    } else if (type.startsWith('MapIteration') || type.startsWith('MapState') || type.startsWith('Execution')) ctx = {};
    if (e.stateEnteredEventDetails?.name) ctx = { ...ctx, state: e.stateEnteredEventDetails.name };
    if (e.id !== undefined) this.ctx.set(e.id, ctx);

    const failureBefore = prevId !== undefined ? this.failures.get(prevId) : undefined;
    const exitAfterFailure = prevId !== undefined ? this.exitsAfterFailure.get(prevId) : undefined;
    const at = e.timestamp;
    const where = (state: string | undefined, index: number | undefined) =>
      `${state ?? '?'}${index !== undefined ? `[${index}]` : ''}`;

    if (failureBefore && /Scheduled$/.test(type)) {
      const key = where(failureBefore.state, failureBefore.index);
      const n = (this.retryCount.get(key) ?? 0) + 1;
      this.retryCount.set(key, n);
      this.retries.push({
        at,
        state: failureBefore.state,
        index: failureBefore.index,
        retry: n,
        error: failureBefore.error,
        cause: failureBefore.cause,
      });
      this.emit(`    ↻ ${key} retry ${n} after ${failureBefore.error}: ${clip(failureBefore.cause, 160)}`);
    } else if (failureBefore && /StateEntered$/.test(type)) {
      this.recordCaught({ ...failureBefore, next: e.stateEnteredEventDetails?.name });
    } else if (failureBefore && /StateExited$/.test(type)) {
      // A caught error may show the failed state's exit before the Catch's next state: resolve `next` then.
      // The state failed, so its exit is not shown as a success: the caught line shows it, once.
      if (e.id !== undefined) this.exitsAfterFailure.set(e.id, failureBefore);
      if (ctx.iter === undefined) {
        const name = e.stateExitedEventDetails?.name;
        const timing = [...this.timings].reverse().find((t) => t.name === name && !t.exited);
        if (timing) timing.exited = at;
        return;
      }
    } else if (exitAfterFailure && /StateEntered$/.test(type)) {
      this.recordCaught({ ...exitAfterFailure, next: e.stateEnteredEventDetails?.name });
    }

    const failure = failureDetails(e);
    if (failure && e.id !== undefined) {
      this.failures.set(e.id, {
        at,
        state: ctx.state ?? '?',
        index: ctx.iter,
        error: failure.error ?? 'Error',
        cause: causeText(failure.cause),
      });
      return;
    }

    if (type === 'ExecutionStarted') {
      this.startedAt = at;
      return;
    }
    if (e.stateEnteredEventDetails && ctx.iter !== undefined) {
      if (!this.iterInput.has(ctx.iter))
        this.iterInput.set(ctx.iter, parseJson(e.stateEnteredEventDetails.input) as Record<string, any>);
      return;
    }
    if (e.stateEnteredEventDetails) {
      const name = e.stateEnteredEventDetails.name ?? '?';
      const stateType = type.replace(/StateEntered$/, '');
      // A new Map numbers its iterations from 0 again: what the previous Map's iterations said is done with.
      if (stateType === 'Map') for (const m of [this.iterInput, this.iterOutput, this.iterMap]) m.clear();
      this.timings.push({ name, type: stateType, entered: at });
      if (stateType !== 'Choice') this.emit(`  → ${name}`);
      return;
    }
    if (e.stateExitedEventDetails) {
      const name = e.stateExitedEventDetails.name ?? '?';
      const output = parseJson(e.stateExitedEventDetails.output) as Record<string, any> | undefined;
      if (ctx.iter !== undefined) {
        if (output && typeof output === 'object') this.iterOutput.set(ctx.iter, output);
        return;
      }
      const timing = [...this.timings].reverse().find((t) => t.name === name && !t.exited);
      if (timing) timing.exited = at;
      if (PLAN_STATES.has(name)) {
        this.total = plannedCount(output?.plan) ?? this.total;
        this.associationTotal = plannedMoves(output?.plan) ?? this.associationTotal;
      }
      if (name === NOTIFY_STATE) this.notify = parseRecord(output) ?? this.notify;
      if (!type.startsWith('Choice')) {
        const summary = summarizeExit(name, output);
        this.emit(
          `  ✓ ${name}${timing?.entered && at ? ` (${duration(at.getTime() - timing.entered.getTime())})` : ''}${summary ? `: ${summary}` : ''}`,
        );
      }
      return;
    }
    if (type === 'MapIterationSucceeded' || type === 'MapIterationFailed' || type === 'MapIterationAborted') {
      const details =
        e.mapIterationSucceededEventDetails ?? e.mapIterationFailedEventDetails ?? e.mapIterationAbortedEventDetails;
      const index = details?.index;
      const map = details?.name ?? (index !== undefined ? this.iterMap.get(index) : undefined) ?? this.currentState;
      const input = index === undefined ? undefined : this.iterInput.get(index);
      if (map === ASSOCIATION_MAP || isAssociationIteration(input)) {
        this.associationLine(
          iterationAssociations(
            input,
            index === undefined ? undefined : this.iterOutput.get(index),
            type !== 'MapIterationSucceeded',
          ),
        );
        return;
      }
      const item = iterationRoutes(
        index === undefined ? undefined : this.iterInput.get(index),
        index === undefined ? undefined : this.iterOutput.get(index),
        type !== 'MapIterationSucceeded',
      );
      this.done += item.statuses.length;
      this.failedRoutes += item.statuses.filter((st) => st === 'failed').length;
      this.routeRetries += item.notes.reduce((n, x) => n + Math.max(0, (x.attempts ?? 1) - 1), 0);
      this.routeLine(item);
      return;
    }
    if (
      type === 'ExecutionSucceeded' ||
      type === 'ExecutionFailed' ||
      type === 'ExecutionTimedOut' ||
      type === 'ExecutionAborted'
    ) {
      const d = e.executionFailedEventDetails ?? e.executionTimedOutEventDetails ?? e.executionAbortedEventDetails;
      this.terminal = { type, at, error: d?.error, cause: d?.cause, output: e.executionSucceededEventDetails?.output };
    }
  }

  /** A failed state whose error a Catch handled: one line, as failed, with where the Catch went. */
  private recordCaught(c: CaughtSeen): void {
    this.caught.push(c);
    const timing = c.index === undefined ? [...this.timings].reverse().find((t) => t.name === c.state) : undefined;
    const took = timing?.entered && c.at ? ` (${duration(c.at.getTime() - timing.entered.getTime())})` : '';
    const indent = c.index === undefined ? '  ' : '    ';
    const cause = clip(c.cause, 160);
    this.emit(
      `${indent}✗ ${c.state}${c.index !== undefined ? `[${c.index}]` : ''}${took}: ${c.error} (caught ${ARROW} ${c.next ?? '?'})${cause ? `: ${cause}` : ''}`,
    );
  }

  /** One line per batch of association moves (a line per tenth on large plans), and one per move that did not go as usual. */
  private associationLine(item: IterationAssociations): void {
    this.associationsDone += item.statuses.length;
    const notMoved = item.statuses.filter((st) => !['moved', 'already-on-target', 'dry-run'].includes(st)).length;
    this.failedAssociations += notMoved;
    const total = this.associationTotal;
    const of = total !== undefined ? `${this.associationsDone}/${total}` : `${this.associationsDone}`;
    if (total !== undefined && total > ROUTE_LINES_MAX) {
      const step = Math.ceil(total / 10);
      if (Math.floor(this.associationsDone / step) > this.reportedAssociationStep || this.associationsDone === total) {
        this.reportedAssociationStep = Math.floor(this.associationsDone / step);
        this.emit(
          `    associations ${of} done${this.failedAssociations ? `, ${this.failedAssociations} not moved` : ''}`,
        );
      }
    } else {
      const counts: Record<string, number> = {};
      for (const st of item.statuses) counts[st] = (counts[st] ?? 0) + 1;
      this.emit(
        `    [${of}] associations: ${
          Object.entries(counts)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ') || 'none'
        }${item.error ? `: ${item.error}` : ''}`,
      );
    }
    for (const x of item.notes) {
      const mark = x.status === 'moved' || x.status === 'dry-run' ? '↻' : x.status === 'failed' ? '✗' : '!';
      const tries = (x.attempts ?? 1) > 1 ? `${x.attempts} attempts` : '';
      this.emit(`      ${mark} ${x.move}: ${[x.status, tries, clip(x.error, 160)].filter(Boolean).join(', ')}`);
    }
  }

  private routeLine(item: IterationRoutes): void {
    const total = this.total;
    const of = total !== undefined ? `${this.done}/${total}` : `${this.done}`;
    if (total !== undefined && total > ROUTE_LINES_MAX) {
      // Large plans: a line each time another tenth is done, not one per route.
      const step = Math.ceil(total / 10);
      if (Math.floor(this.done / step) > this.reportedStep || this.done === total) {
        this.reportedStep = Math.floor(this.done / step);
        const retries = this.retries.length + this.routeRetries;
        this.emit(
          `    routes ${of} done${this.failedRoutes ? `, ${this.failedRoutes} failed` : ''}${retries ? `, ${plural(retries, 'retry', 'retries')}` : ''}`,
        );
      }
      return;
    }
    const width = String(total ?? this.done).length;
    const counter = `[${of.padStart(width * 2 + 1)}]`;
    const counts: Record<string, number> = {};
    for (const st of item.statuses) counts[st] = (counts[st] ?? 0) + 1;
    this.emit(
      `    ${counter} ${item.routeTableId ?? '?'}: ${
        Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'no route'
      }${item.error ? `: ${item.error}` : ''}`,
    );
    for (const x of item.notes) {
      const mark = x.status === 'failed' ? '✗' : x.status === 'replaced' || x.status === 'dry-run' ? '↻' : '!';
      const tries = (x.attempts ?? 1) > 1 ? `${x.attempts} attempts` : '';
      this.emit(
        `      ${mark} ${item.routeTableId ?? '?'} ${x.destination ?? '?'}: ${[x.status, tries, clip(x.error, 160)].filter(Boolean).join(', ')}`,
      );
    }
  }
}

/** What one Map iteration did: the routes of one route table's batch. */
interface IterationRoutes {
  statuses: string[];
  routeTableId?: string;
  error?: string;
  /** Routes of a batch that needed more than one attempt, or did not end as usual. */
  notes: Array<{ destination?: string; status: string; attempts?: number; error?: string }>;
}

/**
 * What one Map iteration did: one batch of a route table (`batch.routes` in; out: `counts` per status, or
 * `usual` for all but the listed `exceptions`, or `error` when the batch failed as a whole).
 */
const iterationRoutes = (
  input: Record<string, any> | undefined,
  output: Record<string, any> | undefined,
  failed: boolean,
): IterationRoutes => {
  const batch = input?.batch;
  const error = typeof output?.error === 'string' ? output.error : undefined;
  const n: number = Array.isArray(batch?.routes)
    ? batch.routes.length
    : Object.values((output?.counts ?? {}) as Record<string, number>).reduce((a, b) => a + b, 0);
  let statuses: string[];
  if (output?.counts && typeof output.counts === 'object') {
    statuses = Object.entries(output.counts as Record<string, number>).flatMap(([st, k]) =>
      Array<string>(Number(k) || 0).fill(st),
    );
  } else if (!failed && !error && output) {
    statuses = Array<string>(n).fill(String(output.usual ?? 'done'));
    for (const x of output.exceptions ?? [])
      if (typeof x?.i === 'number' && x.i < n) statuses[x.i] = String(x.st ?? 'done');
  } else {
    statuses = Array<string>(n).fill('failed');
  }
  const notes = (Array.isArray(output?.exceptions) ? output!.exceptions : []).map((x: any) => ({
    destination: typeof x?.i === 'number' ? batch?.routes?.[x.i]?.d : undefined,
    status: String(x?.st ?? '?'),
    attempts: typeof x?.a === 'number' ? x.a : undefined,
    error: typeof x?.e === 'string' ? x.e : typeof x?.x === 'number' ? output?.errors?.[x.x] : undefined,
  }));
  return { statuses, routeTableId: output?.routeTableId ?? batch?.routeTableId, error, notes };
};

/** Routes the plan moves. */
/** The planning state: PlanSwitch, or ListRoutes in executions of the previous version. */
const PLAN_STATES: ReadonlySet<string> = new Set(['PlanSwitch', 'ListRoutes']);

const plannedCount = (plan: Record<string, any> | undefined): number | undefined =>
  typeof plan?.changeCount === 'number' ? plan.changeCount : undefined;

/** error/cause of a failure event of any kind (LambdaFunctionFailed, TaskTimedOut, …). */
const failureDetails = (e: HistoryEvent): { error?: string; cause?: string } | undefined => {
  if (
    !/(Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed)$/.test(String(e.type)) ||
    /^(Execution|MapIteration|MapState|MapRun|ParallelState)/.test(String(e.type))
  ) {
    return undefined;
  }
  for (const [key, value] of Object.entries(e)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object' && ('error' in value || 'cause' in value)) {
      return value as { error?: string; cause?: string };
    }
  }
  return { error: String(e.type) };
};

/** One line on what a top-level state produced (the states of statemachine/failover.asl.json). */
export const summarizeExit = (state: string, out: Record<string, any> | undefined): string => {
  if (!out || typeof out !== 'object') return '';
  switch (state) {
    case 'ResolveTargets':
      return out.action === 'noop'
        ? `no-op: ${out.noopReason ?? ''}`
        : `${out.group?.name}: ${(out.sources ?? []).map((s: any) => s.name).join('+')} ${ARROW} ${out.target?.name}${out.dryRun ? ' (dry run)' : ''}`;
    case 'PlanSwitch':
    case 'ListRoutes': {
      const p = out.plan;
      if (!p) return '';
      const already =
        typeof p.alreadyOnTargetCount === 'number' ? p.alreadyOnTargetCount : (p.alreadyOnTarget?.length ?? 0);
      if (p.associations && typeof p.associations === 'object') {
        const a = p.associations;
        const fallbacks =
          typeof a.fallbackCount === 'number' ? a.fallbackCount : Array.isArray(a.fallbacks) ? a.fallbacks.length : 0;
        return (
          `${plannedMoves(p) ?? 0} association(s) to move, ${Number(a.alreadyOnTarget) || 0} already on target; ` +
          `${fallbacks} table(s) route by route: ${plannedCount(p) ?? 0} route(s) to move, ${already} already on target, ${p.skipped?.length ?? 0} skipped`
        );
      }
      return `${plannedCount(p) ?? 0} to move, ${already} already on target, ${p.skipped?.length ?? 0} skipped`;
    }
    case ASSOCIATION_MAP:
      return summarizeAssociationResults(out);
    case 'SwitchBatches':
    case 'ReplaceRouteBatches': {
      const counts: Record<string, number> = {};
      const add = (st: string, n = 1) => (counts[st] = (counts[st] ?? 0) + n);
      // One Map for every kind: the association batches' results are counted on their own line first.
      const moves = associationIds(out.plan);
      const assoc =
        state === 'SwitchBatches' && (moves.size > 0 || out.plan?.associations)
          ? `associations: ${summarizeAssociationResults(out)}; routes: `
          : '';
      // Address batches (`addresses` per item) are counted on a line of their own, first (they run first).
      const addressed: Record<string, number> = {};
      for (const r of out.results ?? [])
        for (const a of Array.isArray(r?.addresses) ? r.addresses : [])
          addressed[String(a?.status)] = (addressed[String(a?.status)] ?? 0) + 1;
      const addresses = Object.entries(addressed).length
        ? `addresses: ${Object.entries(addressed)
            .map(([k, v]) => `${v} ${k}`)
            .join(', ')}; `
        : '';
      for (const r of out.results ?? []) {
        if (Array.isArray(r?.r) || Array.isArray(r?.addresses) || moves.has(Number(r?.id))) continue;
        if (r?.counts && typeof r.counts === 'object')
          for (const [st, n] of Object.entries(r.counts)) add(st, Number(n) || 0);
        else if (r?.error) add('batch(es) failed');
      }
      return (
        addresses +
        assoc +
        (Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'nothing to do')
      );
    }
    case 'VerifySwitch':
    case 'VerifyRoutes':
      if (!out.verification) return '';
      return (
        `${out.verification.checked} read back, ${out.verification.mismatches} mismatch(es)` +
        (Array.isArray(out.verification.effective) && out.verification.effective.length > 0
          ? `; ${out.verification.effective.length} association(s) read back, ${(out.verification.effective as Array<{ ok?: boolean } | undefined>).filter((x) => !x?.ok).length} not where the plan wants them`
          : '')
      );
    case NOTIFY_STATE:
      return out.outcome ? `${out.outcome}: ${out.summary ?? ''}` : '';
    default:
      return '';
  }
};

/** Timing lines for `history show`: each top-level state with how long it took. */
export const renderTimings = (timings: StateTiming[]): string[] => {
  const shown = timings.filter((t) => t.type !== 'Choice');
  // As wide as the longest name (ReplaceAssociationBatches, of executions of the previous version, is 25), at least 20.
  const width = Math.max(20, ...shown.map((t) => t.name.length));
  return shown.map((t) => {
    const took =
      t.entered && t.exited
        ? duration(t.exited.getTime() - t.entered.getTime())
        : t.type === 'Fail' || t.type === 'Succeed'
          ? ''
          : '(not exited)';
    return `${t.name.padEnd(width)} ${t.type.padEnd(8)} ${isoTime(t.entered)}  ${took}`.trimEnd();
  });
};
