import type { ExecutionRecord, RecordAssociations } from './executions';
import { ARROW, duration, plural, table } from './format';

/**
 * The associations-mode part of `history show` (and the ROUTES cell of `history`): each association moved
 * with its status, subject, from → to table and the subject's effective routes as read back; the tables
 * switched route by route instead and why; the tables nothing is associated with.
 */

/** Warnings the associations part already says (the plan's "N table(s) switched route by route: …"). */
export const repeatsAssociations = (r: ExecutionRecord, warning: string): boolean =>
  r.associations !== undefined && /^\d+ table\(s\) switched route by route: /.test(warning);

/** "3 assoc", "2/3 assoc", "dry 3 assoc": the associations part of a history line, empty outside the mode. */
export const associationsCell = (r: ExecutionRecord): string => {
  const a = r.associations;
  if (!a || a.planned === 0) return '';
  if (r.dryRun || r.outcome === 'dry-run') return `dry ${a.dryRun} assoc`;
  const on = a.moved + a.list.filter((x) => x.status === 'already-on-target').length;
  return on === a.planned ? `${on} assoc` : `${on}/${a.planned} assoc`;
};

/** The lines of the associations section, or none when the record has none. */
export const renderRecordAssociations = (r: ExecutionRecord): string[] => {
  const a: RecordAssociations | undefined = r.associations;
  if (!a) return [];
  const out: string[] = [''];
  out.push(
    `Associations: ${a.planned} planned, ${a.moved} moved, ${a.failed} failed, ${a.dryRun} dry-run; ${a.alreadyOnTarget} already on target; ` +
      `${plural(a.fallbackCount, 'table')} switched route by route`,
  );
  if (a.list.length > 0) {
    const timed = a.list.some((x) => x.timeToSwitchMs !== undefined);
    out.push(
      table(
        [
          'STATUS',
          'SUBJECT',
          'FROM TABLE',
          '',
          'TO TABLE',
          'NOW ON',
          'EFFECTIVE ROUTES',
          'VERIFIED',
          'ATTEMPTS',
          ...(timed ? ['AFTER'] : []),
          'ERROR',
        ],
        a.list.map((x) => [
          x.status,
          x.subject,
          x.from,
          ARROW,
          x.to,
          x.table ?? '-',
          x.effectiveRoutes === undefined ? '-' : String(x.effectiveRoutes),
          x.verified === undefined ? '-' : x.verified ? 'yes' : 'NO',
          x.attempts === undefined ? '-' : String(x.attempts),
          ...(timed ? [x.timeToSwitchMs === undefined ? '-' : duration(x.timeToSwitchMs)] : []),
          // What EC2 answered, then what the read-back found.
          [x.error, x.problem].filter(Boolean).join('; '),
        ]),
        '  ',
      ),
    );
  }
  if (a.fallbackCount > 0) {
    out.push('');
    out.push(`Switched route by route instead (${plural(a.fallbackCount, 'table')}; their routes are under Routes):`);
    for (const f of a.fallbacks)
      out.push(
        `  ${f.routeTableId}${f.original && f.original !== f.routeTableId ? ` (twin of ${f.original})` : ''}: ${f.reason}`,
      );
    if (a.fallbackCount > a.fallbacks.length)
      out.push(`  … and ${a.fallbackCount - a.fallbacks.length} more (not listed in the record)`);
  }
  if (a.unassociated.length > 0) {
    out.push('');
    out.push(`Not switched, nothing associated with them (${a.unassociated.length}): ${a.unassociated.join(', ')}`);
  }
  return out;
};

/** The verification line's associations part: how many read back where the plan wants them. */
export const associationsVerified = (r: ExecutionRecord): string | undefined => {
  const list = r.associations?.list.filter((x) => x.verified !== undefined) ?? [];
  if (list.length === 0) return undefined;
  const bad = list.filter((x) => !x.verified).length;
  return `${plural(list.length, 'association')} read back: ${bad === 0 ? 'all where the plan wants them' : `${bad} NOT where the plan wants them`}`;
};
