import { ARROW, clip } from './format';

/**
 * How --wait and `history show` read the associations mode's states: one ReplaceAssociationBatches Map
 * iteration is one batch of association moves (`batch.moves` in; out: `r`, one status per move, with
 * `errors` they index, or `error`/`cause` when RecordAssociationBatchFailure stood in for the batch).
 */

/** The association Map's state name (statemachine/failover.asl.json). */
export const ASSOCIATION_MAP = 'ReplaceAssociationBatches';

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
export const iterationAssociations = (input: Record<string, any> | undefined, output: Record<string, any> | undefined, failed: boolean): IterationAssociations => {
  const moves: Array<Record<string, any>> = Array.isArray(input?.batch?.moves) ? input!.batch.moves : [];
  const results: Array<Record<string, any>> = Array.isArray(output?.r) ? output!.r : [];
  const error = typeof output?.error === 'string' ? [output.error, typeof output.cause === 'string' ? clip(output.cause, 160) : undefined].filter(Boolean).join(': ') : undefined;
  const n = Math.max(moves.length, results.length);
  const statuses = Array.from({ length: n }, (_, i) => (failed || error || !results[i] ? 'failed' : String(results[i].st ?? 'failed')));
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

/** Association moves the plan holds (ListRoutes' output), when it says. */
export const plannedMoves = (plan: Record<string, any> | undefined): number | undefined =>
  Array.isArray(plan?.associationBatches) ? (plan!.associationBatches as Array<{ moves?: unknown } | undefined>).reduce((n: number, b) => n + (Array.isArray(b?.moves) ? b.moves.length : 0), 0) : undefined;

/** The ReplaceAssociationBatches Map's exit line: statuses counted over its results. */
export const summarizeAssociationResults = (out: Record<string, any> | undefined): string => {
  const counts: Record<string, number> = {};
  for (const r of out?.associationResults ?? []) {
    if (typeof r?.error === 'string') counts['batch(es) failed'] = (counts['batch(es) failed'] ?? 0) + 1;
    else for (const x of Array.isArray(r?.r) ? r.r : []) counts[String(x?.st ?? '?')] = (counts[String(x?.st ?? '?')] ?? 0) + 1;
  }
  const failure = out?.associationFailure?.Error ? `; Map failed: ${out.associationFailure.Error}` : '';
  return (Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', ') || 'no association to move') + failure;
};
