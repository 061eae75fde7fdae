import { EC2Client, ReplaceRouteCommand, RouteTable } from '@aws-sdk/client-ec2';
import { errorCode, errorText, isAbridged, isThrottling, isTransient, toEc2Error } from '../shared/aws-errors';
import { Ec2ThrottledError, Ec2TransientError } from '../shared/errors';
import type { LogEntry } from '../shared/lambda-errors';
import type { FailoverConfig } from '../shared/config';
import type { GroupStateStore } from '../shared/group-state';
import { expandBatch } from '../shared/plan';
import { authorizeBatch } from './authorize';
import { describeRouteTablesById, destinationParams, findRoute, routeTarget } from '../shared/routes';
import { BatchResult, BatchRouteResult, Change, ReplaceBatchInput, ReplaceBatchInputSchema } from '../shared/schemas';

export { ReplaceBatchInputSchema };

export interface ReplaceRoutesDeps {
  ec2: EC2Client;
  /** The groups, and their inventory: what the batch may write is re-derived from them (authorize.ts). */
  config: FailoverConfig;
  store: GroupStateStore;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Per-route retry on throttling/5xx inside one invocation (see `replaceOne`). */
  retry?: { attempts: number; baseMs: number; maxMs: number };
  /** Stop retrying when the invocation has less than this left (ms since start); the state machine retries the batch. */
  budgetMs?: number;
  /** Where an error whose text was abridged for state is written whole, once per distinct text (the function log). */
  log?: LogEntry;
}

const DEFAULT_RETRY = { attempts: 8, baseMs: 200, maxMs: 5000 };
const DRY_RUN_IGNORED = 'ReplaceRoute with DryRun answered success, not DryRunOperation: the endpoint ignored DryRun and CHANGED the route';
const DEFAULT_BUDGET_MS = 100_000;

/**
 * Replaces the routes of one batch (one route table) with ReplaceRoute only (never removed and re-added), so
 * a route exists at every instant. The table is read first, so the batch is idempotent and safe to re-run:
 * a route already on its new interface is not written again, a route that vanished is reported and never
 * re-created, and a route that someone pointed elsewhere meanwhile (neither the failing nor the target
 * interface) is reported as a conflict and left alone. With dryRun, EC2 checks permissions and parameters
 * and nothing changes: each route is `dry-run` only when EC2 answers DryRunOperation; a success answer
 * (an endpoint that ignores DryRun) is `dry-run-ignored`, reported loudly.
 *
 * Throttling and 5xx are retried per route with exponential backoff and full jitter. That loop is written
 * here rather than left to the SDK's retry middleware because each route's attempts belong in the audit
 * record, and because the same code must behave the same against the simulated VPC. What is still
 * throttled when the budget runs out surfaces as Ec2ThrottledError / Ec2TransientError, and the state
 * machine retries the whole batch (which then skips the routes already done). Permanent errors are
 * recorded for their route; the other routes still switch.
 */
export const replaceRoutes = async (input: ReplaceBatchInput, deps: ReplaceRoutesDeps): Promise<BatchResult> => {
  const now = deps.now ?? (() => new Date());
  const started = now().getTime();
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  const retry = deps.retry ?? DEFAULT_RETRY;
  const budgetMs = deps.budgetMs ?? DEFAULT_BUDGET_MS;
  const { batch, pairs, dryRun } = input;
  const changes = expandBatch(batch, pairs, '');
  await authorizeBatch(input, deps);

  let table: RouteTable | undefined;
  try {
    [table] = await describeRouteTablesById(deps.ec2, input.vpcId, [batch.routeTableId]);
  } catch (err) {
    throw toEc2Error(err, `DescribeRouteTables ${batch.routeTableId}`);
  }

  const results: RouteOutcome[] = [];
  const log = logOnce(deps.log);
  let transient: Error | undefined;
  for (const change of changes) {
    const current = findRoute(table, change.destination);
    if (!table) {
      results.push({ st: 'vanished', e: `route table ${batch.routeTableId} no longer exists` });
      continue;
    }
    if (!current) {
      results.push({ st: 'vanished', e: `no route for ${change.destination.value} any more (not re-created)` });
      continue;
    }
    const target = routeTarget(current);
    // In a dry run a route already on its target is still sent (DryRun checks the permission to write it).
    if (target === change.toEni && !dryRun) {
      results.push({ st: 'already-on-target' });
      continue;
    }
    if (target !== change.fromEni && target !== change.toEni) {
      results.push({ st: 'conflict', t: target, e: `points at ${target ?? 'nothing'} now, not at ${change.fromEni}: changed by someone else, left alone` });
      continue;
    }
    const r = await replaceOne(deps.ec2, change, dryRun, { sleep, random, retry, deadline: started + budgetMs, now, log });
    if (r.transient) transient ??= r.transient;
    results.push(r.result);
  }
  if (transient) throw transient;
  return summarize(batch.id, batch.routeTableId, dryRun ? 'dry-run' : 'replaced', results, now());
};

type RouteOutcome = Omit<BatchRouteResult, 'i' | 'x'>;

/**
 * The sparse batch result. The usual outcome (one call, the same status and error) is counted, every other
 * route listed; each distinct error text is kept once in `errors` and referred to by index, so a batch whose
 * routes all failed alike costs one error text, not one per route. The usual outcome is the nominal one
 * (replaced / dry-run) unless most routes share another (all refused, say).
 */
const summarize = (id: number, routeTableId: string, nominal: 'replaced' | 'dry-run', results: RouteOutcome[], at: Date): BatchResult => {
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

const replaceOne = async (
  ec2: EC2Client,
  change: Change,
  dryRun: boolean,
  o: {
    sleep: (ms: number) => Promise<void>;
    random: () => number;
    retry: { attempts: number; baseMs: number; maxMs: number };
    deadline: number;
    now: () => Date;
    log?: LogEntry;
  },
): Promise<{ result: RouteOutcome; transient?: Error }> => {
  const where = `${change.routeTableId} ${change.destination.value} → ${change.toEni}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await ec2.send(
        new ReplaceRouteCommand({ RouteTableId: change.routeTableId, ...destinationParams(change.destination), NetworkInterfaceId: change.toEni, DryRun: dryRun }),
      );
      // A dry run is judged by EC2's answer: only DryRunOperation means rehearsed. Success means the endpoint
      // ignored DryRun and changed the route; say so, never "nothing changed".
      if (dryRun) return { result: { st: 'dry-run-ignored', a: attempt, e: DRY_RUN_IGNORED } };
      return { result: { st: 'replaced', a: attempt } };
    } catch (err) {
      const code = errorCode(err);
      const message = (err as Error)?.message ?? String(err);
      if (code === 'DryRunOperation') return { result: { st: 'dry-run', a: attempt } };
      // The route's error as state keeps it: bounded (EC2's UnauthorizedOperation carries ~1.5 KB); whole in the log.
      const e = errorText(err);
      if (isAbridged(err)) o.log?.({ level: 'WARN', message: 'ReplaceRoute error, abridged in the batch result', errorText: e, routeTableId: change.routeTableId, destination: change.destination.value, code, errorMessage: message });
      // ReplaceRoute on a missing route answers InvalidParameterValue "There is no route defined for …".
      if (code === 'InvalidRouteTableID.NotFound' || code === 'InvalidRoute.NotFound' || (code === 'InvalidParameterValue' && /no route defined/i.test(message))) {
        return { result: { st: 'vanished', a: attempt, e } };
      }
      const retryable = isThrottling(err) || isTransient(err);
      if (!retryable) return { result: { st: 'failed', a: attempt, e } };
      // Exponential backoff with full jitter: concurrent batches spread out instead of retrying in lockstep.
      const delay = o.random() * Math.min(o.retry.maxMs, o.retry.baseMs * 2 ** (attempt - 1));
      if (attempt >= o.retry.attempts || o.now().getTime() + delay > o.deadline) {
        const Named = isThrottling(err) ? Ec2ThrottledError : Ec2TransientError;
        return { result: { st: 'failed', a: attempt, e }, transient: new Named(`ReplaceRoute ${where}: ${e} (after ${attempt} attempt(s))`, { cause: err }) };
      }
      await o.sleep(delay);
    }
  }
};
