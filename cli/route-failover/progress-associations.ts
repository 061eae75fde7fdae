import { ARROW, clip } from './format';

/**
 * How --wait and `history show` read the associations mode's batches: an iteration of the SwitchBatches Map
 * whose batch has `moves` is one batch of association moves (out: `r`, one status per move, with `errors`
 * they index, or `error`/`cause` when RecordBatchFailure stood in for the batch). Executions of the previous
 * version ran them in a Map of their own, ReplaceAssociationBatches (RecordAssociationBatchFailure).
 */

/** The association Map's state name in executions of the previous version (two Maps). */
export const ASSOCIATION_MAP = 'ReplaceAssociationBatches';

/** Whether a Map iteration's input is a batch of association moves. */
export const isAssociationIteration = (input: Record<string, any> | undefined): boolean =>
  Array.isArray(input?.batch?.moves);

/** What one association Map iteration did. */
export interface IterationAssociations {
  statuses: string[];
  error?: string;
  /** Moves that did not end as usual (failed, conflict, drifted, …) or took more than one attempt. */
  notes: Array<{ move: string; status: string; attempts?: number; error?: string }>;
}

const USUAL = new Set(['moved', 'already-on-target', 'dry-run']);

/** "subnet-1 (rtb-a → rtb-b)" for a move as the plan writes it (a, f, t, s|g|m). */
export const moveText = (m: Record<string, any> | undefined): string =>
  m ? `${m.s ?? m.g ?? (m.m ? 'main' : '?')} (${m.f ?? '?'} ${ARROW} ${m.t ?? '?'})` : '?';

/** The moves of one iteration and their statuses; every move failed when the batch failed as a whole. */
export const iterationAssociations = (
  input: Record<string, any> | undefined,
  output: Record<string, any> | undefined,
  failed: boolean,
): IterationAssociations => {
  const moves: Array<Record<string, any>> = Array.isArray(input?.batch?.moves) ? input!.batch.moves : [];
  const results: Array<Record<string, any>> = Array.isArray(output?.r) ? output!.r : [];
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
export const plannedMoves = (plan: Record<string, any> | undefined): number | undefined => {
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

/** Whether a Map result is an association batch's (`r`), or a failure record of one (`ids` names the association batches). */
const isAssociationResult = (r: Record<string, any> | undefined, ids: ReadonlySet<number>): boolean =>
  Array.isArray(r?.r) || ids.has(Number(r?.id));

/** The association batches' ids in a plan's `batches` (one Map for every kind). */
export const associationIds = (plan: Record<string, any> | undefined): Set<number> =>
  new Set(
    (Array.isArray(plan?.batches) ? plan!.batches : [])
      .filter((b: any) => Array.isArray(b?.moves))
      .map((b: any) => Number(b.id)),
  );

/**
 * The association batches' line: statuses counted over their results, in the SwitchBatches Map's output
 * (`results`, with the route batches') or, in executions of the previous version, ReplaceAssociationBatches'
 * (`associationResults`).
 */
export const summarizeAssociationResults = (out: Record<string, any> | undefined): string => {
  const counts: Record<string, number> = {};
  const ids = associationIds(out?.plan);
  const results = [
    ...(out?.associationResults ?? []),
    ...(out?.results ?? []).filter((r: any) => isAssociationResult(r, ids)),
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
