import type { RouteTable } from '@aws-sdk/client-ec2';
import { encodeSwitchTimes } from './plan';
import { findRoute, routeTarget } from './routes';
import type { BatchResult, BatchRouteResult, Change } from '../contract/schemas';

/** One route's outcome before it is indexed into its batch's result. */
export type RouteOutcome = Omit<BatchRouteResult, 'i' | 'x'>;

/** What a read of the table says about a change before writing: undefined when it is to be written. */
export const checkObservedRoute = (
  table: RouteTable | undefined,
  routeTableId: string,
  change: Change,
  dryRun: boolean,
): RouteOutcome | undefined => {
  if (!table) return { st: 'vanished', e: `route table ${routeTableId} no longer exists` };
  const current = findRoute(table, change.destination);
  if (!current) return { st: 'vanished', e: `no route for ${change.destination.value} any more (not re-created)` };
  const target = routeTarget(current);
  // In a dry run a route already on its target is still sent (DryRun checks the permission to write it).
  if (target === change.toEni && !dryRun) return { st: 'already-on-target' };
  if (target !== change.fromEni && target !== change.toEni) {
    return {
      st: 'conflict',
      t: target,
      e: `points at ${target ?? 'nothing'} now, not at ${change.fromEni}: changed by someone else, left alone`,
    };
  }
  return undefined;
};

/**
 * The sparse batch result. The usual outcome (one call, the same status and error) is counted, every other
 * route listed; each distinct error text is kept once in `errors` and referred to by index, so a batch whose
 * routes all failed alike costs one error text, not one per route. The usual outcome is the nominal one
 * (replaced / dry-run) unless most routes share another (all refused, say).
 */
export const summarizeRoutes = (
  id: number,
  routeTableId: string,
  nominal: 'replaced' | 'dry-run',
  results: RouteOutcome[],
  at: Date,
  switchedAt: Array<number | undefined>,
): BatchResult => {
  const errors: string[] = [];
  const indexOf = (e: string | undefined): number | undefined => {
    if (e === undefined) return undefined;
    const k = errors.indexOf(e);
    return k >= 0 ? k : errors.push(e) - 1;
  };
  const sig = (r: RouteOutcome): string | undefined =>
    r.a === 1 && r.t === undefined ? `${r.st}\u0000${r.e ?? ''}` : undefined;
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
