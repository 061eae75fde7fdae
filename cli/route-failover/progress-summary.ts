import { NOTIFY_STATE } from './executions';
import { ARROW, duration, isoTime, type LooseJson } from './format';
import { ASSOCIATION_MAP, associationIds, plannedMoves, summarizeAssociationResults } from './progress-batches';

/** The planning state: PlanSwitch, or ListRoutes in executions of the previous version. */
export const PLAN_STATES: ReadonlySet<string> = new Set(['PlanSwitch', 'ListRoutes']);

/** Routes the plan moves. */
export const plannedCount = (plan: LooseJson | undefined): number | undefined =>
  typeof plan?.changeCount === 'number' ? plan.changeCount : undefined;

/** One line on what a top-level state produced (the states of statemachine/failover.asl.json). */
export const summarizeExit = (state: string, out: LooseJson | undefined): string => {
  if (!out || typeof out !== 'object') return '';
  switch (state) {
    case 'ResolveTargets':
      return out.action === 'noop'
        ? `no-op: ${out.noopReason ?? ''}`
        : `${out.group?.name}: ${(out.sources ?? []).map((s: LooseJson) => s.name).join('+')} ` +
            `${ARROW} ${out.target?.name}${out.dryRun ? ' (dry run)' : ''}`;
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
          `${fallbacks} table(s) route by route: ${plannedCount(p) ?? 0} route(s) to move, ` +
          `${already} already on target, ${p.skipped?.length ?? 0} skipped`
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
          ? `; ${out.verification.effective.length} association(s) read back, ` +
            `${(out.verification.effective as Array<{ ok?: boolean } | undefined>).filter((x) => !x?.ok).length} ` +
            'not where the plan wants them'
          : '')
      );
    case NOTIFY_STATE:
      return out.outcome ? `${out.outcome}: ${out.summary ?? ''}` : '';
    default:
      return '';
  }
};

/** When a top-level state was entered and exited. */
export interface StateTiming {
  name: string;
  type: string;
  entered?: Date;
  exited?: Date;
}

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
