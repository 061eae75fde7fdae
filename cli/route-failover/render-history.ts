import { type ExecutionEntry, type ExecutionRecord, type RecordRoute, triggerOf } from './executions';
import { AuditAddressesSchema } from '../../functions/contract/address-schemas';
import { addressRecordLines } from '../../functions/domain/addresses/render';
import { ARROW, clip, duration, isoTime, pad, plural, shortPrincipal, table } from './format';
import { type HistoryTracker, renderTimings } from './progress';
import {
  associationsCell,
  associationsVerified,
  renderRecordAssociations,
  repeatsAssociations,
} from './render-associations';

/**
 * How the audit log reads: one line per execution (`history`), one execution in full (`history show`).
 * The demo prints the same lines, so what it shows is what operators will see.
 */

export const HISTORY_HEADER = [
  'START (UTC)',
  'TRIGGER',
  'REQUESTER',
  'REASON',
  'FROM → TO',
  'ROUTES',
  'OUTCOME',
  'DURATION',
  'EXECUTION',
];

/** The outcome of an execution: the record's, else what its status implies. */
export const outcomeOf = (e: ExecutionEntry): string => {
  // A held automatic trigger is a no-op by outcome; the log says why at a glance.
  if (e.parsed) return e.parsed.record.held && e.parsed.record.outcome === 'noop' ? 'held' : e.parsed.record.outcome;
  switch (e.status) {
    case 'RUNNING':
      return 'running';
    case 'FAILED':
      return 'failed';
    case 'TIMED_OUT':
      return 'timed-out';
    case 'ABORTED':
      return 'aborted';
    case 'PENDING_REDRIVE':
      return 'pending-redrive';
    case 'SUCCEEDED':
      return 'succeeded?';
    default:
      return e.status.toLowerCase();
  }
};

/** "router-a → router-b" from the record, else what the input asked for. */
export const directionOf = (e: ExecutionEntry): string => {
  const r = e.parsed?.record;
  if (r)
    return r.to || r.from.length > 0
      ? `${r.from.map((m) => m.name).join('+') || '?'} ${ARROW} ${r.to?.name ?? '?'}`
      : '-';
  const o = e.input as Record<string, unknown> | undefined;
  if (o && typeof o.action === 'string')
    return `? ${ARROW} ${typeof o.to === 'string' ? o.to : o.action === 'failback' ? '(preferred)' : '(peer)'}`;
  return '-';
};

/** Routes changed: "16", "dry 16", or "12/16" when not all planned routes moved. */
export const routesOf = (r: ExecutionRecord | undefined): string => {
  if (!r) return '-';
  // Associations mode: the associations part follows ("6 + 3 assoc"), the routes being those of the fallback tables.
  const assoc = associationsCell(r);
  const dry = r.dryRun || r.outcome === 'dry-run';
  const routes = dry
    ? `dry ${r.counts.dryRun}`
    : r.counts.replaced === r.counts.planned
      ? String(r.counts.replaced)
      : `${r.counts.replaced}/${r.counts.planned}`;
  return assoc ? `${routes} + ${dry ? assoc.replace(/^dry /, '') : assoc}` : routes;
};

/** Wall time of an execution: the record's, else stop - start. */
export const durationOf = (e: ExecutionEntry): number | undefined =>
  e.parsed?.record.durationMs ?? (e.startDate && e.stopDate ? e.stopDate.getTime() - e.startDate.getTime() : undefined);

/** The cells of one history line. */
export const historyRow = (e: ExecutionEntry): string[] => {
  const t = triggerOf(e);
  const outcome = outcomeOf(e);
  return [
    isoTime(e.startDate),
    t.kind,
    clip(shortPrincipal(t.requester), 24),
    clip(t.reason || '-', 40),
    directionOf(e),
    routesOf(e.parsed?.record),
    e.parsed && !e.parsed.known ? `${outcome}*` : outcome,
    duration(durationOf(e)),
    e.name,
  ];
};

const LINE_WIDTHS = [20, 7, 16, 30, 21, 6, 9, 8];

/** One history line on its own (fixed minimum column widths), e.g. right after an execution. */
export const renderHistoryLine = (e: ExecutionEntry): string =>
  historyRow(e)
    .map((cell, i) => (i < LINE_WIDTHS.length ? pad(cell, LINE_WIDTHS[i]) : cell))
    .join('  ');

/** The audit log as an aligned table. */
export const renderHistoryTable = (entries: ExecutionEntry[]): string => {
  const body = table(HISTORY_HEADER, entries.map(historyRow));
  return entries.some((e) => e.parsed && !e.parsed.known)
    ? `${body}\n* record from a newer version of the workflow: shown as far as this CLI understands it`
    : body;
};

/** The JSON form of one history line (with the whole record, for export). */
export const historyJson = (e: ExecutionEntry, group: string | undefined) => {
  const t = triggerOf(e);
  const r = e.parsed?.record;
  return {
    name: e.name,
    executionArn: e.arn,
    status: e.status,
    startDate: e.startDate?.toISOString(),
    stopDate: e.stopDate?.toISOString(),
    durationMs: durationOf(e),
    group: group ?? null,
    trigger: { kind: t.kind, requestedBy: t.requester, reason: t.reason || undefined, action: t.action },
    from: r?.from.map((m) => m.name) ?? [],
    to: r?.to?.name ?? null,
    outcome: outcomeOf(e),
    routesChanged: r?.counts.replaced ?? null,
    associationsMoved: r?.associations?.moved ?? null,
    counts: r?.counts ?? null,
    summary: r?.summary ?? null,
    error: r?.error ?? e.error ?? null,
    cause: r?.cause ?? e.cause ?? null,
    recordKnown: e.parsed?.known ?? null,
    record: r ?? null,
  };
};

const endpoint = (x: RecordRoute['before']): string =>
  x
    ? `${x.target ?? '?'}${x.member || x.state ? ` (${[x.member, x.state].filter(Boolean).join(', ')})` : ''}`
    : 'absent';

/** `history show`: one execution in full. */
export const renderExecutionDetail = (e: ExecutionEntry, h: HistoryTracker | undefined): string => {
  const out: string[] = [];
  const r = e.parsed?.record;
  const t = triggerOf(e);
  const field = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') out.push(`${pad(k, 11)}${v}`);
  };
  field('Execution', e.name);
  field('ARN', e.arn);
  field('Status', `${e.status}${r ? `, outcome ${r.outcome}` : ''}`);
  if (e.parsed && !e.parsed.known)
    field(
      'Note',
      `record from a newer version of the workflow (${e.parsed.unknown}); shown as far as this CLI understands it`,
    );
  if (!r && e.status !== 'RUNNING')
    field('Note', 'no audit record (the execution ended before or inside Notify); what the history shows follows');
  field('Summary', r?.summary);
  if (r?.held)
    field(
      'Held',
      `maintenance hold until ${r.held.until}, set by ${r.held.by}: ${r.held.reason} (automatic failover did not run)`,
    );
  if (r?.noHealthyStandby)
    field(
      'Standby',
      `NONE HEALTHY: ${r.to?.name ?? 'the target'} carries the routes and no other member passed the health gate`,
    );
  field('Trigger', `${t.kind}${r?.trigger.summary ? `: ${r.trigger.summary}` : ''}`);
  if (t.kind === 'manual') field('Requested', `${t.requester}${t.reason ? `, reason: ${t.reason}` : ''}`);
  const eventRef = r?.trigger.eventId
    ? `${r.trigger.eventId}${r.trigger.eventTime ? ` at ${r.trigger.eventTime}` : ''}`
    : undefined;
  field('Event', eventRef);
  field('Group', r?.group ? `${r.group}${r.vpcId ? ` (${r.vpcId})` : ''}` : undefined);
  for (const m of r?.from ?? [])
    field('From', `${m.name} ${m.instanceId} (${m.state}${m.availabilityZone ? `, ${m.availabilityZone}` : ''})`);
  if (r?.to)
    field(
      'To',
      `${r.to.name} ${r.to.instanceId} (${r.to.state}${r.to.availabilityZone ? `, ${r.to.availabilityZone}` : ''})`,
    );
  if (r) field('Dry run', r.dryRun ? 'yes, nothing was changed' : 'no');
  field('Started', isoTime(e.startDate));
  field(
    'Stopped',
    e.stopDate
      ? `${isoTime(e.stopDate)} (${duration(durationOf(e))})`
      : e.status === 'RUNNING'
        ? 'still running'
        : undefined,
  );
  field('Error', r?.error ?? e.error);
  field('Cause', r?.cause ?? e.cause);
  if (r?.failure)
    field('Failed at', `${r.failure.stage}: ${r.failure.error}${r.failure.cause ? `: ${r.failure.cause}` : ''}`);

  if (r) {
    const c = r.counts;
    // Associations first: the workflow moves them before the routes of the tables no twin serves.
    out.push(...renderRecordAssociations(r));
    const addresses = r.addresses === undefined ? undefined : AuditAddressesSchema.safeParse(r.addresses);
    if (addresses?.success) out.push(...addressRecordLines(addresses.data));
    out.push('');
    out.push(
      `Routes: ${c.planned} planned, ${c.replaced} replaced, ${c.failed} failed, ${c.vanished} vanished, ${c.dryRun} dry-run; ` +
        `${c.alreadyOnTarget} already on target, ${c.skipped} skipped`,
    );
    if (r.routes.length > 0) {
      // Records of some versions time each route; show the column only when there is something in it.
      const timed = r.routes.some((x) => x.at);
      out.push(
        table(
          [
            'STATUS',
            'ROUTE TABLE',
            'DESTINATION',
            'BEFORE',
            'AFTER',
            'VERIFIED',
            'ATTEMPTS',
            ...(timed ? ['AT'] : []),
            'ERROR',
          ],
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
      out.push('');
      out.push(`Already on target (${r.alreadyOnTarget.length}):`);
      for (const a of r.alreadyOnTarget) {
        out.push(
          a.destinations
            ? `  ${a.routeTableId}  ${a.destinations.join(', ')}`
            : `  ${a.routeTableId}  ${a.destination?.value ?? '?'} ${ARROW} ${a.eni ?? '?'}`,
        );
      }
    }
    if (r.skipped.length > 0) {
      out.push('');
      out.push(`Not moved, by design (${r.skipped.length}):`);
      for (const s of r.skipped)
        out.push(`  ${s.routeTableId}  ${s.destination.value} ${ARROW} ${s.eni}: ${s.reason ?? ''}`);
    }
    if (r.warnings.some((x) => !repeatsAssociations(r, x))) {
      out.push('');
      out.push('Warnings:');
      for (const w of r.warnings.filter((x) => !repeatsAssociations(r, x))) out.push(`  ${w}`);
    }
    if (r.verification) {
      out.push('');
      out.push(
        `Verification: ${plural(r.verification.checked, 'route')} read back in ${plural(r.verification.rounds, 'round')}: ` +
          (r.verification.ok
            ? 'all where the plan wants them'
            : `${r.verification.mismatches} NOT where the plan wants them`),
      );
      const assoc = associationsVerified(r);
      if (assoc) out.push(`Verification: ${assoc}`);
    }
  }

  if (h) {
    out.push('');
    const inRecord = (r?.routes ?? []).reduce((n, x) => n + Math.max(0, (x.attempts ?? 1) - 1), 0);
    if (inRecord > 0) out.push(`ReplaceRoute calls retried inside the run: ${inRecord} (column ATTEMPTS)`);
    out.push(
      h.retries.length === 0
        ? 'State retries: none'
        : `State retries (${h.retries.length}, from the execution history):`,
    );
    for (const x of h.retries) {
      out.push(
        `  ${isoTime(x.at)}  ${x.state}${x.index !== undefined ? `[${x.index}]` : ''}  retry ${x.retry} after ${x.error}: ${clip(x.cause, 200)}`,
      );
    }
    if (h.caught.length > 0) {
      out.push(`Caught errors (${h.caught.length}):`);
      for (const x of h.caught) {
        out.push(
          `  ${isoTime(x.at)}  ${x.state}${x.index !== undefined ? `[${x.index}]` : ''}  ${x.error}${x.next ? ` ${ARROW} ${x.next}` : ''}: ${clip(x.cause, 200)}`,
        );
      }
    }
    if (h.timings.length > 0) {
      out.push('');
      out.push('Timings:');
      for (const line of renderTimings(h.timings)) out.push(`  ${line}`);
    }
  }
  if (r?.execution.consoleUrl) {
    out.push('');
    field('Console', r.execution.consoleUrl);
  }
  return out.join('\n');
};
