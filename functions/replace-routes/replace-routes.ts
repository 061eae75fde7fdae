import { EC2Client, ReplaceRouteCommand, RouteTable } from '@aws-sdk/client-ec2';
import type { WritePacer } from '../shared/pacer';
import { errorCode, errorText, isAbridged, toEc2Error } from '../shared/aws-errors';
import { Ec2ThrottledError } from '../shared/errors';
import { DEFAULT_WRITE_RETRY, pacedCall, UNPACED, type PacedRetryOptions, type PacedWriterDeps } from '../shared/paced-retry';
import type { LogEntry } from '../shared/lambda-errors';
import type { FailoverConfig } from '../shared/config';
import type { GroupStateStore } from '../shared/group-state';
import { encodeSwitchTimes, expandBatch } from '../shared/plan';
import { authorizeBatch } from './authorize';
import { replaceRouteWriteBudget } from '../shared/write-budget';
import { describeRouteTablesById, destinationParams, findRoute, routeTarget } from '../shared/routes';
import { BatchResult, BatchRouteResult, Change, ReplaceBatchInput, ReplaceBatchInputSchema } from '../shared/schemas';

export { ReplaceBatchInputSchema };

export interface ReplaceRoutesDeps extends PacedWriterDeps {
  ec2: EC2Client;
  /** The groups, and their inventory: what the batch may write is re-derived from them (authorize.ts). */
  config: FailoverConfig;
  store: GroupStateStore;
  /** Where an error whose text was abridged for state is written whole, once per distinct text (the function log). */
  log?: LogEntry;
  /**
   * Paces ReplaceRoute calls account-wide (functions/shared/pacer.ts): each call, first attempts and retries,
   * takes one of its tokens. Absent: no pacing, every route of the batch is sent at once.
   */
  pacer?: WritePacer;
  /** A plan observed this long ago or longer is read again before writing (ms; 0: always read). */
  maxObservationAgeMs?: number;
}

const DRY_RUN_IGNORED = 'ReplaceRoute with DryRun answered success, not DryRunOperation: the endpoint ignored DryRun and CHANGED the route';
/** Longer than a 2,000-route failover at EC2's refill (~400 s): within one run the plan's observation stands. */
const DEFAULT_MAX_OBSERVATION_AGE_MS = 900_000;

/**
 * Replaces the routes of one batch (one route table) with ReplaceRoute only (never removed and re-added), so
 * a route exists at every instant. Idempotent and safe to re-run: a route already on its new interface is
 * not written again, a route that vanished is reported and never re-created (ReplaceRoute refuses a missing
 * route; that answer is the check), and a route that someone pointed elsewhere (neither the failing nor the
 * target interface) is reported as a conflict and left alone. With dryRun, EC2 checks permissions and
 * parameters and nothing changes: each route is `dry-run` only when EC2 answers DryRunOperation; a success
 * answer (an endpoint that ignores DryRun) is `dry-run-ignored`, reported loudly.
 *
 * Which observation the checks use: the plan carries each route's observed target (ListRoutes planned it
 * because it pointed at the failing interface, `observedAt`), so one read of the group's tables serves every
 * batch of the run and the batch writes at once; without `observedAt`, or when the observation is older than
 * `maxObservationAgeMs` (a re-run much later), the batch reads its table first, as before.
 *
 * Writes go out in parallel, as many at a time as the pacer grants: each ReplaceRoute (first attempt or
 * retry) takes one token, so all the stack's executions together stay at EC2's ReplaceRoute refill after the
 * burst. The pacer's queue is first come, first served and the batch's budget covers the longest queue the
 * groups can form (functions/shared/write-budget.ts), so no batch is starved by the batches started after it.
 * Throttling and 5xx are still retried per route with exponential backoff and full jitter (written
 * here rather than left to the SDK so each route's attempts belong in the audit record); RequestLimitExceeded
 * also empties the pacer (another caller of the account drained EC2's bucket). What is still throttled when
 * the budget runs out surfaces as Ec2ThrottledError / Ec2TransientError and the state machine retries the
 * batch. Permanent errors are recorded for their route; the other routes still switch.
 */
export const replaceRoutes = async (input: ReplaceBatchInput, deps: ReplaceRoutesDeps): Promise<BatchResult> => {
  const now = deps.now ?? (() => new Date());
  const started = now().getTime();
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  const retry = deps.retry ?? DEFAULT_WRITE_RETRY;
  // Derived from the groups (write-budget.ts): long enough for the longest queue of turns they can form, so
  // the batch's first reservation is never refused and the batch never loses its place in the pacer's queue.
  const budgetMs = deps.budgetMs ?? replaceRouteWriteBudget(deps.config).budgetMs;
  const pacer = deps.pacer ?? UNPACED;
  const { batch, pairs, dryRun } = input;
  const changes = expandBatch(batch, pairs, '');
  await authorizeBatch(input, deps);

  const observedAt = input.observedAt === undefined ? undefined : Date.parse(input.observedAt);
  const fresh = observedAt !== undefined && started - observedAt < (deps.maxObservationAgeMs ?? DEFAULT_MAX_OBSERVATION_AGE_MS);
  let table: RouteTable | undefined;
  if (!fresh) {
    try {
      [table] = await describeRouteTablesById(deps.ec2, input.vpcId, [batch.routeTableId]);
    } catch (err) {
      throw toEc2Error(err, `DescribeRouteTables ${batch.routeTableId}`);
    }
  }

  const results: RouteOutcome[] = new Array(changes.length);
  const switchedAt: Array<number | undefined> = new Array(changes.length);
  const toWrite: number[] = [];
  changes.forEach((change, i) => {
    const checked = fresh ? undefined : checkObserved(table, batch.routeTableId, change, dryRun);
    if (checked) results[i] = checked;
    else toWrite.push(i);
  });

  const log = logOnce(deps.log);
  let transient: Error | undefined;
  const deadline = started + budgetMs;
  const o = { sleep, random, retry, deadline, now, log, pacer };
  const running: Promise<void>[] = [];
  if (toWrite.length > 0) {
    // The whole batch in one reservation: its routes go out in parallel, each at its turn (all at once in the burst).
    const times = await pacer.reserve(toWrite.length, deadline);
    if (!times) {
      throw new Ec2ThrottledError(
        `ReplaceRoute pacer: the ${toWrite.length} route(s) of ${batch.routeTableId} would not all get their turn within the batch's budget (longer than the longest queue the groups can form: are other writers using this pacer?); nothing was sent (the state machine retries the batch)`,
      );
    }
    toWrite.forEach((i, j) => {
      running.push(
        pacer
          .waitUntil(times[j])
          .then(() => replaceOne(deps.ec2, changes[i], dryRun, o))
          .then((r) => {
            if (r.transient) transient ??= r.transient;
            if (r.result.st === 'replaced' || r.result.st === 'dry-run-ignored') switchedAt[i] = now().getTime();
            results[i] = r.result;
          }),
      );
    });
  }
  await Promise.all(running);
  if (transient) throw transient;
  return summarize(batch.id, batch.routeTableId, dryRun ? 'dry-run' : 'replaced', results, now(), switchedAt);
};

/** What a read of the table says about a change before writing: undefined when it is to be written. */
const checkObserved = (table: RouteTable | undefined, routeTableId: string, change: Change, dryRun: boolean): RouteOutcome | undefined => {
  if (!table) return { st: 'vanished', e: `route table ${routeTableId} no longer exists` };
  const current = findRoute(table, change.destination);
  if (!current) return { st: 'vanished', e: `no route for ${change.destination.value} any more (not re-created)` };
  const target = routeTarget(current);
  // In a dry run a route already on its target is still sent (DryRun checks the permission to write it).
  if (target === change.toEni && !dryRun) return { st: 'already-on-target' };
  if (target !== change.fromEni && target !== change.toEni) {
    return { st: 'conflict', t: target, e: `points at ${target ?? 'nothing'} now, not at ${change.fromEni}: changed by someone else, left alone` };
  }
  return undefined;
};

type RouteOutcome = Omit<BatchRouteResult, 'i' | 'x'>;

/**
 * The sparse batch result. The usual outcome (one call, the same status and error) is counted, every other
 * route listed; each distinct error text is kept once in `errors` and referred to by index, so a batch whose
 * routes all failed alike costs one error text, not one per route. The usual outcome is the nominal one
 * (replaced / dry-run) unless most routes share another (all refused, say).
 */
const summarize = (id: number, routeTableId: string, nominal: 'replaced' | 'dry-run', results: RouteOutcome[], at: Date, switchedAt: Array<number | undefined>): BatchResult => {
  const errors: string[] = [];
  const indexOf = (e: string | undefined): number | undefined => {
    if (e === undefined) return undefined;
    const k = errors.indexOf(e);
    return k >= 0 ? k : errors.push(e) - 1;
  };
  const sig = (r: RouteOutcome): string | undefined => (r.a === 1 && r.t === undefined ? `${r.st}\u0000${r.e ?? ''}` : undefined);
  const tally = new Map<string, number>();
  for (const r of results) {
    const k = sig(r);
    if (k !== undefined) tally.set(k, (tally.get(k) ?? 0) + 1);
  }
  const nominalSig = `${nominal}\u0000`;
  let usualSig = nominalSig;
  for (const [k, n] of tally) if (n > (tally.get(usualSig) ?? 0)) usualSig = k;
  const usualRoute = results.find((r) => sig(r) === usualSig);
  const usual = usualRoute?.st ?? nominal;
  const usualError = indexOf(usualRoute?.e);
  const sw = encodeSwitchTimes(at.getTime(), switchedAt);

  const counts: Record<string, number> = {};
  const exceptions: BatchRouteResult[] = [];
  results.forEach((r, i) => {
    counts[r.st] = (counts[r.st] ?? 0) + 1;
    if (sig(r) === usualSig) return;
    const { e, ...rest } = r;
    const x = indexOf(e);
    exceptions.push(x === undefined ? { i, ...rest } : { i, ...rest, x });
  });
  return {
    id,
    routeTableId,
    usual,
    ...(usualError !== undefined ? { usualError } : {}),
    counts,
    exceptions,
    ...(errors.length > 0 ? { errors } : {}),
    at: at.toISOString(),
    ...(sw !== undefined ? { sw } : {}),
  };
};

/** A log that writes each distinct abridged error once per invocation. */
const logOnce = (log: LogEntry | undefined): LogEntry | undefined => {
  if (!log) return undefined;
  const seen = new Set<string>();
  return (entry) => {
    const key = String(entry.errorText);
    if (seen.has(key)) return;
    seen.add(key);
    log(entry);
  };
};

const replaceOne = (ec2: EC2Client, change: Change, dryRun: boolean, o: PacedRetryOptions & { log?: LogEntry }): Promise<{ result: RouteOutcome; transient?: Error }> =>
  pacedCall<RouteOutcome>(
    () => ec2.send(new ReplaceRouteCommand({ RouteTableId: change.routeTableId, ...destinationParams(change.destination), NetworkInterfaceId: change.toEni, DryRun: dryRun })),
    {
      // A dry run is judged by EC2's answer: only DryRunOperation means rehearsed. Success means the endpoint
      // ignored DryRun and changed the route; say so, never "nothing changed".
      ok: (a) => (dryRun ? { st: 'dry-run-ignored', a, e: DRY_RUN_IGNORED } : { st: 'replaced', a }),
      settled: (err, a) => {
        const code = errorCode(err);
        const message = (err as Error)?.message ?? String(err);
        if (code === 'DryRunOperation') return { st: 'dry-run', a };
        // The route's error as state keeps it: bounded (EC2's UnauthorizedOperation carries ~1.5 KB); whole in the log.
        const e = errorText(err);
        if (isAbridged(err)) o.log?.({ level: 'WARN', message: 'ReplaceRoute error, abridged in the batch result', errorText: e, routeTableId: change.routeTableId, destination: change.destination.value, code, errorMessage: message });
        // ReplaceRoute on a missing route answers InvalidParameterValue "There is no route defined for …".
        if (code === 'InvalidRouteTableID.NotFound' || code === 'InvalidRoute.NotFound' || (code === 'InvalidParameterValue' && /no route defined/i.test(message))) {
          return { st: 'vanished', a, e };
        }
        return undefined;
      },
      failed: (e, a) => ({ st: 'failed', a, e }),
    },
    o,
    `ReplaceRoute ${change.routeTableId} ${change.destination.value} → ${change.toEni}`,
  );
