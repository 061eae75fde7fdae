import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { addressRecordLines } from '../domain/addresses/render';
import { toSnsError } from '../contract/aws-errors';
import { buildAuditRecord, causeText } from '../domain/audit';
import { type AuditRecord, NotifyStateSchema } from '../contract/audit-record';
import type { FailoverConfig } from '../contract/config';
import { type EmfLine, recordMetricLines } from '../domain/failover-metrics';
import { CaughtErrorSchema, ExecutionInfoSchema } from '../contract/schemas';
import * as z from '../contract/zod';

export const NotifyInputSchema = z.lazy(() =>
  z.object({
    state: NotifyStateSchema,
    execution: ExecutionInfoSchema,
    /** false in RecordWithoutNotification: SNS already failed; build the record only. */
    publish: z._default(z.boolean(), true),
    /** Why Notify failed, when called from RecordWithoutNotification. */
    notifyFailure: z.optional(CaughtErrorSchema),
  }),
);
export type NotifyInput = z.infer<typeof NotifyInputSchema>;

export interface NotifyDeps {
  sns: SNSClient;
  topicArn: string;
  /** Group and member names, so a run that failed before resolving is still reported under its group. */
  config?: FailoverConfig;
  now?: () => Date;
  /** Writes one EMF log line (index.ts: a bare JSON line on stdout); metrics are skipped without it. */
  emitMetric?: (line: EmfLine) => void;
}

/** SNS subjects: ASCII, no line breaks, under 100 characters. */
const SUBJECT_MAX = 99;
/** SNS messages are at most 256 KiB; leave room for attributes. */
const MESSAGE_MAX_BYTES = 250 * 1024;
/** Route lines listed in the message; the execution output always has all of them. */
const ROUTE_LINES_MAX = 300;

const LABEL: Record<AuditRecord['outcome'], string> = {
  succeeded: 'FAILOVER OK',
  noop: 'NO CHANGE',
  'dry-run': 'DRY RUN',
  partial: 'FAILOVER PARTIAL',
  failed: 'FAILOVER FAILED',
  suppressed: 'FAILOVER SUPPRESSED',
};

/**
 * Builds the audit record from the execution's state, publishes it to SNS (subject for the inbox, a body a
 * network engineer can act on, attributes `group` and `outcome` for subscription filters) and returns it:
 * it becomes the execution output.
 */
export const notify = async (input: NotifyInput, deps: NotifyDeps): Promise<AuditRecord> => {
  const now = deps.now ?? (() => new Date());
  const record = buildAuditRecord(input.state, input.execution, input.state.input, now(), deps.config);
  // Once per execution: after SNS took the message (a retried Publish must not count twice), or here when SNS failed.
  const emit = () => {
    for (const l of recordMetricLines(record, now().getTime())) deps.emitMetric?.(l);
  };
  if (!input.publish) {
    emit();
    const f = input.notifyFailure;
    const why = f ? `${f.Error}: ${causeText(f.Cause) ?? ''}`.slice(0, 1000) : 'unknown error';
    return {
      ...record,
      notification: {
        published: false,
        error: f?.Error,
        cause:
          `${record.outcome}: ${record.summary}. The SNS notification could not be published (${why}); the audit ` +
          `record is the output of RecordWithoutNotification in the execution history.`,
      },
    };
  }
  try {
    await deps.sns.send(
      new PublishCommand({
        TopicArn: deps.topicArn,
        Subject: renderSubject(record),
        Message: renderMessage(record),
        MessageAttributes: {
          group: { DataType: 'String', StringValue: record.group ?? 'unknown' },
          outcome: { DataType: 'String', StringValue: record.outcome },
          severity: { DataType: 'String', StringValue: severityOf(record) },
        },
      }),
    );
  } catch (err) {
    throw toSnsError(err);
  }
  emit();
  return { ...record, notification: { published: true } };
};

/**
 * critical when routes may be in a bad place; warning when something needs a look (a held automatic
 * failover, a switch that left no healthy standby, vanished routes, warnings); info otherwise.
 */
export const severityOf = (r: AuditRecord): 'critical' | 'warning' | 'info' =>
  r.outcome === 'failed' || r.outcome === 'partial' || r.outcome === 'suppressed'
    ? 'critical'
    : r.held || r.noHealthyStandby || r.counts.vanished > 0 || r.warnings.length > 0
      ? 'warning'
      : 'info';

/** The line that says the group has no standby left, when a switch left it so. */
export const standbyLine = (r: AuditRecord): string | undefined =>
  r.noHealthyStandby
    ? `NO HEALTHY STANDBY: ${r.to?.name ?? 'the target'} carries the ` +
      `routes and no other member of the group passed the health gate; ` +
      'another failure cannot be failed over. Repair a standby.'
    : undefined;

/** The e-mail subject: outcome, group, direction, count; ASCII and at most 99 characters. */
export const renderSubject = (r: AuditRecord): string => {
  const dir = r.to ? `${r.from.map((m) => m.name).join('+') || '?'} -> ${r.to.name}` : '';
  const n = r.outcome === 'dry-run' ? r.counts.dryRun : r.outcome === 'noop' ? 0 : r.counts.planned;
  if (r.held)
    return ascii(
      `[HELD] ${r.group ?? 'unknown group'}: automatic failover held until ${r.held.until}, routes unchanged`,
    ).slice(0, SUBJECT_MAX);
  const tail =
    r.outcome === 'noop'
      ? 'nothing to move'
      : r.outcome === 'suppressed'
        ? 'flap damping, routes unchanged'
        : r.outcome === 'failed' && r.error
          ? `${r.error}`
          : `${n} route(s)`;
  const subject =
    `[${LABEL[r.outcome]}] ${r.group ?? 'unknown group'}${dir ? `: ${dir}` : ''}, ` +
    `${tail}${r.noHealthyStandby ? ', NO STANDBY' : ''}`;
  return ascii(subject).slice(0, SUBJECT_MAX);
};

/** The message body: plain text, readable in a mail client and a chat channel. */
export const renderMessage = (r: AuditRecord): string => {
  const out: string[] = [];
  out.push(
    `vpc-route-failover: ` +
      `${r.held ? 'HELD' : LABEL[r.outcome]}${r.group ? ` for group ${r.group}${r.vpcId ? ` (${r.vpcId})` : ''}` : ''}`,
  );
  out.push('');
  out.push(`Outcome:    ${r.outcome}${r.held ? ' (held)' : ''}: ${r.summary}`);
  if (r.held) out.push(`Held:       until ${r.held.until}, set by ${r.held.by} at ${r.held.setAt}: ${r.held.reason}`);
  const standby = standbyLine(r);
  if (standby) out.push(`Standby:    ${standby}`);
  if (r.error) out.push(`Error:      ${r.error}`);
  if (r.cause) out.push(`Cause:      ${r.cause}`);
  out.push(`Trigger:    ${r.trigger.summary}${eventRef(r)}`);
  if (r.trigger.kind === 'manual' && !('unresolved' in r.trigger)) {
    out.push(
      `Requested:  ${r.trigger.requestedBy ?? 'unknown'}${r.trigger.reason ? `, reason: ${r.trigger.reason}` : ''}`,
    );
  }
  for (const m of r.from)
    out.push(
      `From:       ${m.name} ${m.instanceId} (${m.state}${m.availabilityZone ? `, ${m.availabilityZone}` : ''})`,
    );
  if (r.to)
    out.push(
      `To:         ${r.to.name} ${r.to.instanceId} ` +
        `(${r.to.state}${r.to.availabilityZone ? `, ${r.to.availabilityZone}` : ''})`,
    );
  const changed = r.counts.dryRunIgnored ?? 0;
  if (r.dryRun)
    out.push(
      changed > 0
        ? `Dry run:    yes, but the endpoint IGNORED DryRun: ${changed} route(s) were CHANGED`
        : 'Dry run:    yes, nothing was changed',
    );
  for (const h of r.health ?? []) {
    out.push(`Health:     ${h.member}: ${h.healthy ? 'ok' : h.problems.join('; ')}`);
  }
  if (r.lease?.tookOverFrom) out.push(`Lease:      taken over from ${r.lease.tookOverFrom} (no longer running)`);
  const c = r.counts;
  out.push('');
  out.push(
    `Routes:     ${c.planned} planned, ${c.moved} moved, ${c.failed} failed, ${c.conflicts} conflict(s), ` +
      `${c.vanished} vanished, ` +
      `${c.dryRun} dry-run${c.dryRunIgnored ? `, ${c.dryRunIgnored} CHANGED despite dry run` : ''}; ` +
      `${c.alreadyOnTarget} already on target, ${c.skipped} skipped`,
  );
  if (r.routes.length > 0) {
    out.push('');
    out.push(table(['STATUS', 'ROUTE TABLE', 'DESTINATION', 'BEFORE', 'AFTER'], r.routes.map(routeRow)));
    if (r.routesOmitted) {
      out.push(
        `  … ${r.routesOmitted} more route(s) not listed (problems are listed first): each route's result is in the ` +
          'output of its ReplaceRoutes batch in the execution history (route-failover history show).',
      );
    }
  }
  if (r.associations) out.push(...associationLines(r.associations));
  if (r.addresses) out.push(...addressRecordLines(r.addresses));
  // Routes that failed alike are listed once per error: 2,000 refused routes are one line, not 2,000.
  const groups = r.errorGroups ?? [];
  if (groups.length > 0) {
    out.push('');
    out.push('Failures:');
    for (const g of groups) {
      if (g.routes === 1) out.push(`  ${g.examples[0]}: ${g.error}`);
      else
        out.push(
          `  ${g.routes} routes: ${g.error}`,
          ...g.examples.map((x) => `    ${x}`),
          ...(g.routes > g.examples.length ? [`    … and ${g.routes - g.examples.length} more`] : []),
        );
    }
  }
  if (r.skipped.length > 0) {
    out.push('');
    out.push('Not moved (by design):');
    for (const s of r.skipped.slice(0, ROUTE_LINES_MAX))
      out.push(`  ${s.routeTableId} ${s.destination.value} -> ${s.eni}: ${s.reason}`);
  }
  if (r.warnings.length > 0) {
    out.push('');
    out.push('Warnings:');
    for (const w of r.warnings) out.push(`  ${w}`);
  }
  if (r.verification) {
    out.push('');
    out.push(
      `Verified:   ${r.verification.checked} route(s) read back in ${r.verification.rounds} round(s): ` +
        (r.verification.ok
          ? 'all where the plan wants them'
          : `${r.verification.mismatches} NOT where the plan wants them`),
    );
    if (r.verification.invariant) out.push(`Network:    ${r.verification.invariant}`);
  }
  out.push('');
  out.push(`Execution:  ${r.execution.id}`);
  if (r.execution.consoleUrl) out.push(`Console:    ${r.execution.consoleUrl}`);
  out.push(
    `Started:    ${r.startedAt ?? 'unknown'}   Finished: ` +
      `${r.finishedAt}${r.durationMs !== undefined ? ` (${(r.durationMs / 1000).toFixed(1)} s)` : ''}`,
  );
  if (r.timeToSwitch) {
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const p = r.timeToSwitch.priority;
    out.push(
      `Switched:   ${r.timeToSwitch.routes} route(s) after p50 ${s(r.timeToSwitch.p50Ms)}, max ` +
        `${s(r.timeToSwitch.maxMs)} from the start` +
        (p ? `; priority routes (${p.routes}) p50 ${s(p.p50Ms)}, max ${s(p.maxMs)}` : ''),
    );
  }
  if (r.firstWrite) {
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    out.push(
      `First write: ${r.firstWrite.routes} priority route(s) switched by FirstWrite, before the plan of the rest` +
        (r.firstWrite.firstMs !== undefined && r.firstWrite.lastMs !== undefined
          ? `, ${s(r.firstWrite.firstMs)} to ${s(r.firstWrite.lastMs)} from the start`
          : ''),
    );
  }
  const next = nextSteps(r);
  if (next) {
    out.push('');
    out.push(`Next:       ${next}`);
  }
  return fit(out.join('\n'));
};

/** The associations mode's part of the message: each association moved and the tables switched route by route. */
const associationLines = (a: NonNullable<AuditRecord['associations']>): string[] => {
  const out = [
    '',
    `Associations: ${a.moved} moved, ${a.alreadyOnTarget} already on the target's tables, ${a.failed} not switched, ` +
      `${a.dryRun} rehearsed (dry run)`,
  ];
  if (a.list.length > 0) {
    out.push(
      table(
        ['STATUS', 'SUBJECT', 'FROM TABLE', 'TO TABLE', 'EFFECTIVE ROUTES'],
        a.list
          .slice(0, ROUTE_LINES_MAX)
          .map((x) => [
            x.verified === false ? `${x.status} (NOT VERIFIED)` : x.status,
            x.subject,
            x.from,
            x.to,
            x.effectiveRoutes === undefined ? '?' : String(x.effectiveRoutes),
          ]),
      ),
    );
    if (a.list.length > ROUTE_LINES_MAX)
      out.push(`  … ${a.list.length - ROUTE_LINES_MAX} more association(s) in the execution output`);
  }
  for (const f of a.fallbacks) out.push(`  switched route by route: ${f.routeTableId} (${f.reason})`);
  if (a.fallbackCount > a.fallbacks.length)
    out.push(`  … and ${a.fallbackCount - a.fallbacks.length} more table(s) switched route by route`);
  if (a.unassociated.length > 0) out.push(`  not switched, no association: ${a.unassociated.join(', ')}`);
  return out;
};

const nextSteps = (r: AuditRecord): string | undefined => {
  if (r.error === 'DryRunIgnored') {
    return (
      'the EC2 endpoint does not honour DryRun: the routes listed now point at the target. Check them, then either ' +
      'switch back (switchover to the member they came from) or complete the switchover; rehearse only against an ' +
      'endpoint that answers DryRunOperation.'
    );
  }
  const nothingChanged = ['AcquireLease', 'ResolveTargets', 'PlanSwitch', 'ListRoutes'].includes(
    r.failure?.stage ?? '',
  );
  if (r.outcome === 'partial' || (r.outcome === 'failed' && !nothingChanged)) {
    return (
      'fix the cause above, then start a new execution with the same input: routes already on the target are ' +
      'no-ops, only the rest are replaced.'
    );
  }
  if (r.outcome === 'suppressed')
    return (
      'routes still point at the failed member. Check why the group keeps failing over, then run a manual ' +
      'switchover (never suppressed).'
    );
  if (r.outcome === 'failed') return 'nothing was changed. Fix the cause above, then start a new execution.';
  return undefined;
};

const eventRef = (r: AuditRecord): string => {
  const t = r.trigger as { eventId?: string; eventTime?: string };
  return t.eventId ? ` (event ${t.eventId}${t.eventTime ? ` at ${t.eventTime}` : ''})` : '';
};

const endpoint = (e: { target?: string; member?: string; state?: string } | null): string =>
  e
    ? `${e.target ?? '?'}${e.member || e.state ? ` (${[e.member, e.state].filter(Boolean).join(', ')})` : ''}`
    : 'absent';

const routeRow = (x: AuditRecord['routes'][number]): string[] => [
  x.verified === false ? `${x.status}!` : x.status,
  x.routeTableId,
  x.destination.value,
  endpoint(x.before),
  endpoint(x.after),
];

const table = (head: string[], rows: string[][]): string => {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padEnd(widths[i])).join('  ')}`.trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
};

const ascii = (s: string): string => s.replace(/→/g, '->').replace(/[^\x20-\x7e]/g, '?');

const fit = (s: string): string => {
  if (Buffer.byteLength(s) <= MESSAGE_MAX_BYTES) return s;
  const note = '\n… message truncated: the execution output holds the full audit record.';
  let cut = s.slice(0, MESSAGE_MAX_BYTES - note.length * 2);
  while (Buffer.byteLength(cut) > MESSAGE_MAX_BYTES - note.length * 2) cut = cut.slice(0, -1024);
  return cut + note;
};
