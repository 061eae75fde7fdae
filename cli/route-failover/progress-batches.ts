import { ARROW, clip, type LooseJson } from './format';

/**
 * How --wait and `history show` read one batch of the SwitchBatches Map, per switch kind: what each item
 * ended as, and the items worth a line of their own.
 */

/** What one Map iteration did: the routes of one route table's batch. */
export interface IterationRoutes {
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
export const iterationRoutes = (
  input: LooseJson | undefined,
  output: LooseJson | undefined,
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
  const notes = (Array.isArray(output?.exceptions) ? output!.exceptions : []).map((x: LooseJson) => ({
    destination: typeof x?.i === 'number' ? batch?.routes?.[x.i]?.d : undefined,
    status: String(x?.st ?? '?'),
    attempts: typeof x?.a === 'number' ? x.a : undefined,
    error: typeof x?.e === 'string' ? x.e : typeof x?.x === 'number' ? output?.errors?.[x.x] : undefined,
  }));
  return { statuses, routeTableId: output?.routeTableId ?? batch?.routeTableId, error, notes };
};

/**
 * The associations' batches: how --wait and `history show` read them: an iteration of the SwitchBatches Map
 * whose batch has `moves` is one batch of association moves (out: `r`, one status per move, with `errors`
 * they index, or `error`/`cause` when RecordBatchFailure stood in for the batch). Executions of the previous
 * version ran them in a Map of their own, ReplaceAssociationBatches (RecordAssociationBatchFailure).
 */

/** The association Map's state name in executions of the previous version (two Maps). */
export const ASSOCIATION_MAP = 'ReplaceAssociationBatches';

/** Whether a Map iteration's input is a batch of association moves. */
export const isAssociationIteration = (input: LooseJson | undefined): boolean => Array.isArray(input?.batch?.moves);

/** What one association Map iteration did. */
export interface IterationAssociations {
  statuses: string[];
  error?: string;
  /** Moves that did not end as usual (failed, conflict, drifted, …) or took more than one attempt. */
  notes: Array<{ move: string; status: string; attempts?: number; error?: string }>;
}

const USUAL = new Set(['moved', 'already-on-target', 'dry-run']);

/** "subnet-1 (rtb-a → rtb-b)" for a move as the plan writes it (a, f, t, s|g|m). */
export const moveText = (m: LooseJson | undefined): string =>
  m ? `${m.s ?? m.g ?? (m.m ? 'main' : '?')} (${m.f ?? '?'} ${ARROW} ${m.t ?? '?'})` : '?';

/** The moves of one iteration and their statuses; every move failed when the batch failed as a whole. */
export const iterationAssociations = (
  input: LooseJson | undefined,
  output: LooseJson | undefined,
  failed: boolean,
): IterationAssociations => {
  const moves: Array<LooseJson> = Array.isArray(input?.batch?.moves) ? input!.batch.moves : [];
  const results: Array<LooseJson> = Array.isArray(output?.r) ? output!.r : [];
  const error =
    typeof output?.error === 'string'
      ? [output.error, typeof output.cause === 'string' ? clip(output.cause, 160) : undefined]
          .filter(Boolean)
          .join(': ')
      : undefined;
  const n = Math.max(moves.length, results.length);
  const statuses = Array.from({ length: n }, (_, i) =>
    failed || error || !results[i] ? 'failed' : String(results[i].st ?? 'failed'),
  );
  const notes = results
    .map((x, i) => ({ x, i }))
    .filter(({ x }) => !USUAL.has(String(x?.st)) || (typeof x?.a === 'number' && x.a > 1))
    .map(({ x, i }) => ({
      move: moveText(moves[i]),
      status: String(x?.st ?? '?'),
      attempts: typeof x?.a === 'number' ? x.a : undefined,
      error: typeof x?.x === 'number' ? output?.errors?.[x.x] : undefined,
    }));
  return { statuses, error, notes };
};

/** Association moves the plan holds (PlanSwitch's output, or ListRoutes' of the previous version), when it says. */
export const plannedMoves = (plan: LooseJson | undefined): number | undefined => {
  const moves = (batches: unknown) =>
    Array.isArray(batches)
      ? (batches as Array<{ moves?: unknown } | undefined>).reduce(
          (n: number, b) => n + (Array.isArray(b?.moves) ? b.moves.length : 0),
          0,
        )
      : 0;
  if (!Array.isArray(plan?.associationBatches) && !plan?.associations) return undefined;
  return moves(plan?.associationBatches) + moves(plan?.batches);
};

/** Whether a Map result is an association batch's (`r`), or a failure record of one (`ids`: association batches). */
const isAssociationResult = (r: LooseJson | undefined, ids: ReadonlySet<number>): boolean =>
  Array.isArray(r?.r) || ids.has(Number(r?.id));

/** The association batches' ids in a plan's `batches` (one Map for every kind). */
export const associationIds = (plan: LooseJson | undefined): Set<number> =>
  new Set(
    (Array.isArray(plan?.batches) ? plan!.batches : [])
      .filter((b: LooseJson) => Array.isArray(b?.moves))
      .map((b: LooseJson) => Number(b.id)),
  );

/**
 * The association batches' line: statuses counted over their results, in the SwitchBatches Map's output
 * (`results`, with the route batches') or, in executions of the previous version, ReplaceAssociationBatches'
 * (`associationResults`).
 */
export const summarizeAssociationResults = (out: LooseJson | undefined): string => {
  const counts: Record<string, number> = {};
  const ids = associationIds(out?.plan);
  const results = [
    ...(out?.associationResults ?? []),
    ...(out?.results ?? []).filter((r: LooseJson) => isAssociationResult(r, ids)),
  ];
  for (const r of results) {
    if (typeof r?.error === 'string') counts['batch(es) failed'] = (counts['batch(es) failed'] ?? 0) + 1;
    else
      for (const x of Array.isArray(r?.r) ? r.r : [])
        counts[String(x?.st ?? '?')] = (counts[String(x?.st ?? '?')] ?? 0) + 1;
  }
  const failure = out?.associationFailure?.Error ? `; Map failed: ${out.associationFailure.Error}` : '';
  return (
    (Object.entries(counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ') || 'no association to move') + failure
  );
};
