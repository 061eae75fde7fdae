import { type AuditAddresses, AuditAddressesSchema } from '../../functions/contract/address-schemas';
import { addressRecordLines } from '../../functions/domain/addresses/render';
import type { ExecutionRecord, RecordRoute } from './executions';
import { ARROW, duration, isoTime, plural, table } from './format';

/**
 * The part of a record each switch kind renders: its cell in the ROUTES column of `history`, its section in
 * `history show`, its verification line, and the warnings its section already says. One implementation
 * per kind; `history` and `history show` go through them in the order the workflow switches them.
 */
export interface RecordSection {
  /** The kind's part of a history line's ROUTES cell ("16", "dry 3 assoc", "2/3 assoc"); empty when none. */
  cell(r: ExecutionRecord, dry: boolean): string;
  /** The lines of the kind's section in `history show` (each section opens with an empty line). */
  lines(r: ExecutionRecord): string[];
  /** The kind's verification line ("… read back: …"), when the record has one. */
  verified(r: ExecutionRecord): string | undefined;
  /** Whether a warning of the record repeats what the kind's section already says. */
  repeats(r: ExecutionRecord, warning: string): boolean;
}

/** "3 routes read back in 1 round: …"; `items` is the counted items ("3 routes"). */
const readBack = (items: string, ok: boolean, bad: number, rounds?: number): string =>
  `${items} read back${rounds === undefined ? '' : ` in ${plural(rounds, 'round')}`}: ` +
  (ok ? 'all where the plan wants them' : `${bad} NOT where the plan wants them`);

const endpoint = (x: RecordRoute['before']): string =>
  x
    ? `${x.target ?? '?'}${x.member || x.state ? ` (${[x.member, x.state].filter(Boolean).join(', ')})` : ''}`
    : 'absent';

/** Routes: every record has the section (the routes of the fallback tables, in the associations mode). */
export const routesSection: RecordSection = {
  cell: (r, dry) =>
    dry
      ? `dry ${r.counts.dryRun}`
      : r.counts.replaced === r.counts.planned
        ? String(r.counts.replaced)
        : `${r.counts.replaced}/${r.counts.planned}`,
  lines: (r) => {
    const c = r.counts;
    const out = [
      '',
      `Routes: ${c.planned} planned, ${c.replaced} replaced, ${c.failed} failed, ${c.vanished} vanished, ` +
        `${c.dryRun} dry-run; ${c.alreadyOnTarget} already on target, ${c.skipped} skipped`,
    ];
    if (r.routes.length > 0) {
      // Records of some versions time each route; show the column only when there is something in it.
      const timed = r.routes.some((x) => x.at);
      const header = ['STATUS', 'ROUTE TABLE', 'DESTINATION', 'BEFORE', 'AFTER', 'VERIFIED', 'ATTEMPTS'];
      out.push(
        table(
          [...header, ...(timed ? ['AT'] : []), 'ERROR'],
          r.routes.map((x) => [
            x.status,
            x.routeTableId,
            x.destination.value,
            endpoint(x.before),
            endpoint(x.after),
            x.verified === undefined ? '-' : x.verified ? 'yes' : 'NO',
            x.attempts === undefined ? '-' : String(x.attempts),
            ...(timed ? [isoTime(x.at)] : []),
            x.error ?? x.problem ?? '',
          ]),
          '  ',
        ),
      );
    }
    if (r.alreadyOnTarget.length > 0) {
      out.push('', `Already on target (${r.alreadyOnTarget.length}):`);
      for (const a of r.alreadyOnTarget) {
        out.push(
          a.destinations
            ? `  ${a.routeTableId}  ${a.destinations.join(', ')}`
            : `  ${a.routeTableId}  ${a.destination?.value ?? '?'} ${ARROW} ${a.eni ?? '?'}`,
        );
      }
    }
    if (r.skipped.length > 0) {
      out.push('', `Not moved, by design (${r.skipped.length}):`);
      for (const s of r.skipped)
        out.push(`  ${s.routeTableId}  ${s.destination.value} ${ARROW} ${s.eni}: ${s.reason ?? ''}`);
    }
    return out;
  },
  verified: (r) =>
    r.verification &&
    readBack(
      plural(r.verification.checked, 'route'),
      r.verification.ok,
      r.verification.mismatches,
      r.verification.rounds,
    ),
  repeats: () => false,
};

/**
 * Associations: each association moved with its status, subject, from → to table and the subject's
 * effective routes as read back; the tables switched route by route instead and why; the tables nothing is
 * associated with.
 */
export const associationsSection: RecordSection = {
  cell: (r, dry) => {
    const a = r.associations;
    if (!a || a.planned === 0) return '';
    if (dry) return `${a.dryRun} assoc`;
    const on = a.moved + a.list.filter((x) => x.status === 'already-on-target').length;
    return on === a.planned ? `${on} assoc` : `${on}/${a.planned} assoc`;
  },
  lines: (r) => {
    const a = r.associations;
    if (!a) return [];
    const out: string[] = [''];
    out.push(
      `Associations: ${a.planned} planned, ${a.moved} moved, ${a.failed} failed, ${a.dryRun} dry-run; ` +
        `${a.alreadyOnTarget} already on target; ${plural(a.fallbackCount, 'table')} switched route by route`,
    );
    if (a.list.length > 0) {
      const timed = a.list.some((x) => x.timeToSwitchMs !== undefined);
      const header = ['STATUS', 'SUBJECT', 'FROM TABLE', '', 'TO TABLE', 'NOW ON', 'EFFECTIVE ROUTES', 'VERIFIED'];
      out.push(
        table(
          [...header, 'ATTEMPTS', ...(timed ? ['AFTER'] : []), 'ERROR'],
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
      for (const f of a.fallbacks) {
        const twin = f.original && f.original !== f.routeTableId ? ` (twin of ${f.original})` : '';
        out.push(`  ${f.routeTableId}${twin}: ${f.reason}`);
      }
      if (a.fallbackCount > a.fallbacks.length)
        out.push(`  … and ${a.fallbackCount - a.fallbacks.length} more (not listed in the record)`);
    }
    if (a.unassociated.length > 0) {
      out.push('');
      out.push(`Not switched, nothing associated with them (${a.unassociated.length}): ${a.unassociated.join(', ')}`);
    }
    return out;
  },
  verified: (r) => {
    const list = r.associations?.list.filter((x) => x.verified !== undefined) ?? [];
    if (list.length === 0) return undefined;
    const bad = list.filter((x) => !x.verified).length;
    return readBack(plural(list.length, 'association'), bad === 0, bad);
  },
  // The plan's "N table(s) switched route by route: …" is the section's fallback part.
  repeats: (r, warning) => r.associations !== undefined && /^\d+ table\(s\) switched route by route: /.test(warning),
};

/** A record's addresses section, when it has one this CLI can read (records are read leniently). */
const addressesOf = (r: ExecutionRecord): AuditAddresses | undefined => {
  const parsed = r.addresses === undefined ? undefined : AuditAddressesSchema.safeParse(r.addresses);
  return parsed?.success ? parsed.data : undefined;
};

/**
 * Addresses (Elastic IPs, secondary private IPs): each address before → after, verified, calls, time to switch
 * (functions/domain/addresses/render.ts, the notification's lines too), and the invariant's address clause.
 */
export const addressesSection: RecordSection = {
  cell: (r, dry) => {
    const a = addressesOf(r);
    if (!a || a.planned === 0) return '';
    if (dry) return `${a.list.filter((x) => x.status === 'dry-run').length} addr`;
    const on = a.list.filter((x) => x.verified === true || x.status === 'noop').length;
    return on === a.planned ? `${on} addr` : `${on}/${a.planned} addr`;
  },
  lines: (r) => {
    const a = addressesOf(r);
    return a ? addressRecordLines(a) : [];
  },
  verified: (r) => {
    const list = addressesOf(r)?.list.filter((x) => x.verified !== undefined) ?? [];
    if (list.length === 0) return undefined;
    const bad = list.filter((x) => !x.verified).length;
    return readBack(plural(list.length, 'address', 'addresses'), bad === 0, bad);
  },
  repeats: () => false,
};

/**
 * The sections of a record: associations before the fallback routes (the order the workflow switches them), the
 * addresses between them (their batches run first, their table reads best next to the associations').
 */
export const RECORD_SECTIONS: readonly RecordSection[] = [associationsSection, addressesSection, routesSection];
