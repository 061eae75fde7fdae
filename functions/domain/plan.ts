import { causeText, InvalidRequestError } from '../contract/errors';
import { routeKey } from './routes';
import type {
  AssociationBatch,
  Batch,
  BatchResult,
  Change,
  Destination,
  InterfacePair,
  Plan,
  RouteResult,
  SwitchBatch,
} from '../contract/schemas';

/**
 * The plan travels through the state machine in a compact form (batches of destinations and pair indexes)
 * so that a 2,000-route failover stays far below the 256 KB state limit and needs one Map iteration per
 * batch instead of one per route (history events stay far below 25,000). These helpers convert between
 * that form and full changes.
 */

/** Whether a batch of the plan is association moves (else the routes of one table). */
export const isAssociationBatch = (b: SwitchBatch): b is AssociationBatch => 'moves' in b;

/** Whether a batch of the plan holds the routes of one table (else association moves, or addresses). */
export const isRouteBatch = (b: SwitchBatch): b is Batch => 'routes' in b;

/** The plan's route batches. */
export const routeBatchesOf = (plan: Pick<Plan, 'batches'>): Batch[] => plan.batches.filter(isRouteBatch);

/**
 * The plan's association batches, with the results that belong to them: in `batches` and `results` (one Map),
 * or, in records of the previous version, in `associationBatches` and `associationResults` (a Map of their own,
 * ids numbered apart from the route batches').
 */
export const associationBatchesOf = <R extends { id: number }>(
  plan: Pick<Plan, 'batches' | 'associationBatches'> | undefined,
  results: R[] | undefined,
  legacyResults?: R[],
): Array<{ batch: AssociationBatch; result?: R }> => {
  const pair = (batches: AssociationBatch[], rs: R[] | undefined) => {
    const byId = new Map((rs ?? []).map((r) => [r.id, r]));
    return batches.map((batch) => ({ batch, result: byId.get(batch.id) }));
  };
  return [
    ...pair(plan?.associationBatches ?? [], legacyResults),
    ...pair((plan?.batches ?? []).filter(isAssociationBatch), results),
  ];
};

/**
 * Routes per route batch (one SwitchItems invocation): small enough to finish well inside its
 * timeout at EC2's refill rate.
 */
export const BATCH_SIZE = 20;

/** The destination a route table key stands for: prefix lists start with pl-, IPv6 CIDRs contain ':'. */
export const destinationOf = (value: string): Destination =>
  value.startsWith('pl-')
    ? { kind: 'prefix-list', value }
    : value.includes(':')
      ? { kind: 'ipv6', value }
      : { kind: 'ipv4', value };

/** Groups changes into batches of one route table each, at most `size` routes per batch, in a stable order. */
export const batchChanges = (changes: Change[], pairs: InterfacePair[], size = BATCH_SIZE): Batch[] => {
  const index = new Map(pairs.map((p, i) => [p.fromEni, i]));
  const byTable = new Map<string, Change[]>();
  for (const c of changes) byTable.set(c.routeTableId, [...(byTable.get(c.routeTableId) ?? []), c]);
  const batches: Batch[] = [];
  for (const [routeTableId, list] of [...byTable].sort(([a], [b]) => a.localeCompare(b))) {
    for (let i = 0; i < list.length; i += size) {
      batches.push({
        id: batches.length,
        routeTableId,
        routes: list.slice(i, i + size).map((c) => {
          const p = index.get(c.fromEni);
          if (p === undefined) throw new InvalidRequestError(`no interface pair for ${c.fromEni}`);
          return c.stateBefore === 'blackhole'
            ? { d: c.destination.value, p, b: 1 as const }
            : { d: c.destination.value, p };
        }),
      });
    }
  }
  return batches;
};

/** The full changes of one batch. */
export const expandBatch = (batch: Batch, pairs: InterfacePair[], targetName: string): Change[] =>
  batch.routes.map((r) => {
    const pair = pairs[r.p];
    if (!pair?.toEni) throw new InvalidRequestError(`batch ${batch.id}: pair ${r.p} is missing or unpaired`);
    return {
      routeTableId: batch.routeTableId,
      destination: destinationOf(r.d),
      fromEni: pair.fromEni,
      fromMember: pair.fromMember,
      toEni: pair.toEni,
      toMember: targetName,
      stateBefore: r.b ? 'blackhole' : 'active',
    };
  });

/** Every planned change. */
export const expandPlan = (plan: Plan, pairs: InterfacePair[], targetName: string): Change[] =>
  routeBatchesOf(plan).flatMap((b) => expandBatch(b, pairs, targetName));

const errorAt = (r: BatchResult | undefined, k: number | undefined): string | undefined =>
  k === undefined ? undefined : r?.errors?.[k];

/** Each planned change with its result (`not-attempted` when its batch has none), keyed by route. */
export const resultsOf = (
  plan: Plan,
  pairs: InterfacePair[],
  targetName: string,
  results: BatchResult[] | undefined,
): Map<string, RouteResult> => {
  const byId = new Map((results ?? []).map((r) => [r.id, r]));
  const out = new Map<string, RouteResult>();
  for (const b of routeBatchesOf(plan)) {
    const r = byId.get(b.id);
    const exceptions = new Map((r?.exceptions ?? []).map((x) => [x.i, x]));
    const whole = r?.error ? [r.error, causeText(r.cause)].filter(Boolean).join(': ') : undefined;
    const switched = r?.at ? decodeSwitchTimes(Date.parse(r.at), r.sw, b.routes.length) : [];
    const extra = (i: number) => ({
      ...(switched[i] !== undefined ? { switchedAt: switched[i] } : {}),
      ...(b.pr ? { priority: true } : {}),
    });
    expandBatch(b, pairs, targetName).forEach((change, i) => {
      const x = exceptions.get(i);
      const key = routeKey(change.routeTableId, change.destination);
      if (x)
        out.set(key, {
          change,
          status: x.st,
          attempts: x.a,
          error: x.e ?? errorAt(r, x.x),
          at: r?.at,
          currentTarget: x.t,
          ...extra(i),
        });
      else if (r?.usual)
        out.set(key, { change, status: r.usual, attempts: 1, at: r.at, error: errorAt(r, r.usualError), ...extra(i) });
      else out.set(key, { change, status: r?.error ? 'failed' : 'not-attempted', error: whole, ...extra(i) });
    });
  }
  return out;
};

/** Resolution of the switch times a batch result carries (ms). */
export const SWITCH_TIME_UNIT_MS = 10;

/**
 * Each route's switch time, compact (2,000 routes must fit in state next to everything else): comma-separated
 * base-36 numbers in 10 ms units, '' for a route this invocation did not switch; the first number counts back
 * from the batch's `at`, each later one forward from the route before it (usually 0 in the burst, ~20 after).
 */
export const encodeSwitchTimes = (atMs: number, times: Array<number | undefined>): string | undefined => {
  if (!times.some((x) => x !== undefined)) return undefined;
  let previous: number | undefined;
  return times
    .map((x) => {
      if (x === undefined) return '';
      const units = Math.round(x / SWITCH_TIME_UNIT_MS);
      const value = previous === undefined ? Math.round(atMs / SWITCH_TIME_UNIT_MS) - units : units - previous;
      previous = units;
      return value.toString(36);
    })
    .join(',');
};

/** The switch times (epoch ms, to 10 ms) that `encodeSwitchTimes` wrote; undefined for routes without one. */
export const decodeSwitchTimes = (atMs: number, sw: string | undefined, count: number): Array<number | undefined> => {
  const out: Array<number | undefined> = new Array(count).fill(undefined);
  if (!sw) return out;
  let previous: number | undefined;
  sw.split(',').forEach((text, i) => {
    if (text === '' || i >= count) return;
    const value = parseInt(text, 36);
    if (!Number.isFinite(value)) return;
    previous = previous === undefined ? Math.round(atMs / SWITCH_TIME_UNIT_MS) - value : previous + value;
    out[i] = previous * SWITCH_TIME_UNIT_MS;
  });
  return out;
};
