import { EC2Client, ReplaceRouteCommand, RouteTable } from '@aws-sdk/client-ec2';
import { errorCode, isThrottling, isTransient, toEc2Error } from '../shared/aws-errors';
import { Ec2ThrottledError, Ec2TransientError } from '../shared/errors';
import { expandBatch } from '../shared/plan';
import { describeRouteTablesById, destinationParams, findRoute, routeTarget } from '../shared/routes';
import { BatchResult, BatchRouteResult, Change, ReplaceBatchInput, ReplaceBatchInputSchema } from '../shared/schemas';

export { ReplaceBatchInputSchema };

export interface ReplaceRoutesDeps {
  ec2: EC2Client;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Per-route retry on throttling/5xx inside one invocation (see `replaceOne`). */
  retry?: { attempts: number; baseMs: number; maxMs: number };
  /** Stop retrying when the invocation has less than this left (ms since start); the state machine retries the batch. */
  budgetMs?: number;
}

const DEFAULT_RETRY = { attempts: 8, baseMs: 200, maxMs: 5000 };
const DEFAULT_BUDGET_MS = 100_000;

/**
 * Replaces the routes of one batch (one route table) with ReplaceRoute only (never removed and re-added), so
 * a route exists at every instant. The table is read first, so the batch is idempotent and safe to re-run:
 * a route already on its new interface is not written again, a route that vanished is reported and never
 * re-created, and a route that someone pointed elsewhere meanwhile (neither the failing nor the target
 * interface) is reported as a conflict and left alone. With dryRun, EC2 checks permissions and parameters
 * and nothing changes.
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

  let table: RouteTable | undefined;
  try {
    [table] = await describeRouteTablesById(deps.ec2, input.vpcId, [batch.routeTableId]);
  } catch (err) {
    throw toEc2Error(err, `DescribeRouteTables ${batch.routeTableId}`);
  }

  const results: Array<Omit<BatchRouteResult, 'i'>> = [];
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
    if (target === change.toEni && !dryRun) {
      results.push({ st: 'already-on-target' });
      continue;
    }
    if (target !== change.fromEni && target !== change.toEni) {
      results.push({ st: 'conflict', t: target, e: `points at ${target ?? 'nothing'} now, not at ${change.fromEni}: changed by someone else, left alone` });
      continue;
    }
    const r = await replaceOne(deps.ec2, change, dryRun, { sleep, random, retry, deadline: started + budgetMs, now });
    // A route already on its target in a dry run has nothing to rehearse beyond the permission check just made.
    if (r.transient) transient ??= r.transient;
    results.push(r.result);
  }
  if (transient) throw transient;
  return summarize(batch.id, batch.routeTableId, dryRun ? 'dry-run' : 'replaced', results, now());
};

/** The sparse batch result: the usual outcome (one call, replaced / dry-run) is counted, everything else listed. */
const summarize = (id: number, routeTableId: string, usual: 'replaced' | 'dry-run', results: Array<Omit<BatchRouteResult, 'i'>>, at: Date): BatchResult => {
  const counts: Record<string, number> = {};
  const exceptions: BatchRouteResult[] = [];
  results.forEach((r, i) => {
    counts[r.st] = (counts[r.st] ?? 0) + 1;
    if (r.st !== usual || r.a !== 1 || r.e) exceptions.push({ i, ...r });
  });
  return { id, routeTableId, usual, counts, exceptions, at: at.toISOString() };
};

const replaceOne = async (
  ec2: EC2Client,
  change: Change,
  dryRun: boolean,
  o: { sleep: (ms: number) => Promise<void>; random: () => number; retry: { attempts: number; baseMs: number; maxMs: number }; deadline: number; now: () => Date },
): Promise<{ result: Omit<BatchRouteResult, 'i'>; transient?: Error }> => {
  const where = `${change.routeTableId} ${change.destination.value} → ${change.toEni}`;
  for (let attempt = 1; ; attempt++) {
    try {
      await ec2.send(
        new ReplaceRouteCommand({ RouteTableId: change.routeTableId, ...destinationParams(change.destination), NetworkInterfaceId: change.toEni, DryRun: dryRun }),
      );
      return { result: { st: 'replaced', a: attempt } };
    } catch (err) {
      const code = errorCode(err);
      const message = (err as Error)?.message ?? String(err);
      if (code === 'DryRunOperation') return { result: { st: 'dry-run', a: attempt } };
      // ReplaceRoute on a missing route answers InvalidParameterValue "There is no route defined for …".
      if (code === 'InvalidRouteTableID.NotFound' || code === 'InvalidRoute.NotFound' || (code === 'InvalidParameterValue' && /no route defined/i.test(message))) {
        return { result: { st: 'vanished', a: attempt, e: `${code}: ${message}` } };
      }
      const retryable = isThrottling(err) || isTransient(err);
      if (!retryable) return { result: { st: 'failed', a: attempt, e: `${code}: ${message}` } };
      // Exponential backoff with full jitter: concurrent batches spread out instead of retrying in lockstep.
      const delay = o.random() * Math.min(o.retry.maxMs, o.retry.baseMs * 2 ** (attempt - 1));
      if (attempt >= o.retry.attempts || o.now().getTime() + delay > o.deadline) {
        const Named = isThrottling(err) ? Ec2ThrottledError : Ec2TransientError;
        return { result: { st: 'failed', a: attempt, e: `${code}: ${message}` }, transient: new Named(`ReplaceRoute ${where}: ${code} after ${attempt} attempt(s): ${message}`, { cause: err }) };
      }
      await o.sleep(delay);
    }
  }
};
