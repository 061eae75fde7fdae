import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  type HistoryEvent,
  paginateGetExecutionHistory,
  paginateListExecutions,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { AuditRecordSchema } from '../../functions/contract/audit-record';
import { type FailoverConfig, findMemberByInstance } from '../../functions/contract/config';
import { PROBE_SOURCE } from '../../functions/contract/triggers';

/**
 * Reading executions back: the audit log is the state machine's execution history. A finished execution's
 * output is its audit record; a FAILED one has no output, so its record is the output of the Notify state,
 * found in GetExecutionHistory. Records are parsed with AuditRecordSchema; a record this CLI does not fully
 * know (a newer version, an outcome added later) is still shown, field by field, and flagged.
 */

/** The state whose output is the audit record (statemachine/failover.asl.json). */
export const NOTIFY_STATE = 'Notify';
export const RECORD_ID = 'vpc-route-failover/audit';

const Str = z.string().optional().catch(undefined);
const Num0 = z.number().catch(0);
const Destination = z
  .looseObject({ kind: z.string().catch('?'), value: z.string().catch('?') })
  .catch({ kind: '?', value: '?' });
const Endpoint = z.looseObject({ target: Str, member: Str, state: Str });
const MemberLike = z.looseObject({
  name: z.string().catch('?'),
  instanceId: z.string().catch('?'),
  state: z.string().catch('?'),
  availabilityZone: Str,
});
const RouteRef = z.looseObject({
  routeTableId: z.string().catch('?'),
  destination: Destination,
  eni: z.string().catch('?'),
  reason: Str,
});

/** Routes already on the target, per table (records list destinations per table; older ones one route each). */
const AlreadyOnTargetRef = z.looseObject({
  routeTableId: z.string().catch('?'),
  destinations: z.array(z.string()).optional().catch(undefined),
  destination: Destination.optional(),
  eni: Str,
});

/** One association of an associations-mode record (functions/domain/audit-associations.ts), tolerantly. */
const RecordAssociationSchema = z.looseObject({
  subject: z.string().catch('?'),
  from: z.string().catch('?'),
  to: z.string().catch('?'),
  original: Str,
  status: z.string().catch('unknown'),
  table: Str,
  effectiveRoutes: z.number().optional().catch(undefined),
  verified: z.boolean().optional().catch(undefined),
  attempts: z.number().optional().catch(undefined),
  error: Str,
  problem: Str,
  timeToSwitchMs: z.number().optional().catch(undefined),
});

const RecordAssociationsSchema = z.looseObject({
  planned: Num0,
  moved: Num0,
  alreadyOnTarget: Num0,
  failed: Num0,
  dryRun: Num0,
  fallbacks: z
    .array(z.looseObject({ routeTableId: z.string().catch('?'), original: Str, reason: z.string().catch('') }))
    .catch([]),
  fallbackCount: Num0,
  unassociated: z.array(z.string()).catch([]),
  list: z.array(RecordAssociationSchema).catch([]),
});

const RecordRouteSchema = z.looseObject({
  routeTableId: z.string().catch('?'),
  destination: Destination,
  status: z.string().catch('unknown'),
  before: Endpoint.nullable().catch(null),
  after: Endpoint.nullable().catch(null),
  verified: z.boolean().optional().catch(undefined),
  attempts: z.number().optional().catch(undefined),
  at: Str,
  error: Str,
  problem: Str,
});

/**
 * The audit record as the CLI reads it: the fields of AuditRecordSchema, each tolerant of values this
 * version does not know (outcome and status are plain strings), so a newer record still renders.
 */
export const ExecutionRecordSchema = z.looseObject({
  record: z.literal(RECORD_ID),
  version: z.number().catch(0),
  outcome: z.string().catch('unknown'),
  error: Str,
  cause: Str,
  summary: z.string().catch(''),
  group: Str,
  vpcId: Str,
  trigger: z
    .looseObject({
      kind: z.string().catch('unknown'),
      summary: z.string().catch(''),
      action: Str,
      requestedBy: Str,
      reason: Str,
      eventId: Str,
      eventTime: Str,
      instanceId: Str,
      instanceState: Str,
      alarmName: Str,
    })
    .catch({ kind: 'unknown', summary: '' }),
  dryRun: z.boolean().catch(false),
  from: z.array(MemberLike).catch([]),
  to: MemberLike.optional().catch(undefined),
  counts: z
    .looseObject({
      planned: Num0,
      replaced: Num0,
      failed: Num0,
      vanished: Num0,
      dryRun: Num0,
      alreadyOnTarget: Num0,
      skipped: Num0,
      mismatches: Num0,
    })
    .catch({
      planned: 0,
      replaced: 0,
      failed: 0,
      vanished: 0,
      dryRun: 0,
      alreadyOnTarget: 0,
      skipped: 0,
      mismatches: 0,
    }),
  routes: z.array(RecordRouteSchema).catch([]),
  alreadyOnTarget: z.array(AlreadyOnTargetRef).catch([]),
  skipped: z.array(RouteRef).catch([]),
  warnings: z.array(z.string()).catch([]),
  verification: z
    .looseObject({ checked: Num0, ok: z.boolean().catch(false), mismatches: Num0, rounds: Num0 })
    .optional()
    .catch(undefined),
  failure: z
    .looseObject({ stage: z.string().catch('?'), error: z.string().catch('?'), cause: Str })
    .optional()
    .catch(undefined),
  execution: z.looseObject({ id: z.string().catch(''), name: Str, startTime: Str, consoleUrl: Str }).catch({ id: '' }),
  startedAt: Str,
  finishedAt: Str,
  durationMs: z.number().optional().catch(undefined),
  /** The maintenance hold that turned an automatic trigger into a no-op. */
  held: z
    .looseObject({ until: z.string().catch('?'), by: z.string().catch('?'), reason: z.string().catch('') })
    .optional()
    .catch(undefined),
  noHealthyStandby: z.boolean().optional().catch(undefined),
  /** Associations mode: the associations moved and the tables switched route by route instead. */
  associations: RecordAssociationsSchema.optional().catch(undefined),
});
export type ExecutionRecord = z.infer<typeof ExecutionRecordSchema>;
export type RecordRoute = z.infer<typeof RecordRouteSchema>;
export type RecordAssociations = z.infer<typeof RecordAssociationsSchema>;

export interface ParsedRecord {
  record: ExecutionRecord;
  /** True when AuditRecordSchema accepts it as is. */
  known: boolean;
  /** What this CLI did not recognise, when `known` is false. */
  unknown?: string;
}

/** Parses an audit record (object or JSON text); undefined when the value is not one. */
export const parseRecord = (raw: unknown): ParsedRecord | undefined => {
  const value = typeof raw === 'string' ? parseJson(raw) : raw;
  if (!value || typeof value !== 'object' || (value as { record?: unknown }).record !== RECORD_ID) return undefined;
  const strict = AuditRecordSchema.safeParse(value);
  const lenient = ExecutionRecordSchema.safeParse(value);
  if (!lenient.success) return undefined;
  if (strict.success) return { record: lenient.data, known: true };
  const first = strict.error.issues[0];
  return { record: lenient.data, known: false, unknown: `${first.path.join('.') || '(root)'}: ${first.message}` };
};

/** JSON.parse that answers undefined instead of throwing. */
export const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/** One execution as the audit log shows it. */
export interface ExecutionEntry {
  name: string;
  arn: string;
  /** Step Functions status: RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE, or newer. */
  status: string;
  startDate?: Date;
  stopDate?: Date;
  input?: unknown;
  parsed?: ParsedRecord;
  /** Error and cause of a failed execution (DescribeExecution). */
  error?: string;
  cause?: string;
}

/** Turns DescribeExecution output (plus a record found elsewhere) into an entry. */
export const entryOf = (d: DescribeExecutionOutput, recordFromHistory?: ParsedRecord): ExecutionEntry => ({
  name: d.name ?? d.executionArn?.split(':').pop() ?? '?',
  arn: d.executionArn ?? '?',
  status: d.status ?? 'UNKNOWN',
  startDate: d.startDate,
  stopDate: d.stopDate,
  input: parseJson(d.input),
  parsed: parseRecord(d.output) ?? recordFromHistory,
  error: d.error,
  cause: d.cause,
});

/**
 * Reads one execution: DescribeExecution, and for a finished execution without output (FAILED, TIMED_OUT,
 * ABORTED) the Notify state's output from the history, newest events first, reading at most `maxEvents`.
 */
export const readExecution = async (sfn: SFNClient, executionArn: string, maxEvents = 300): Promise<ExecutionEntry> => {
  const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const entry = entryOf(d);
  if (!entry.parsed && entry.status !== 'RUNNING') entry.parsed = await findNotifyRecord(sfn, executionArn, maxEvents);
  return entry;
};

/** The Notify state's output, searched from the end of the history (it is the last Task to run). */
export const findNotifyRecord = async (
  sfn: SFNClient,
  executionArn: string,
  maxEvents = Infinity,
): Promise<ParsedRecord | undefined> => {
  let seen = 0;
  for await (const page of paginateGetExecutionHistory(
    { client: sfn, pageSize: 100 },
    { executionArn, reverseOrder: true, includeExecutionData: true },
  )) {
    for (const e of page.events ?? []) {
      const found = recordInEvent(e);
      if (found) return found;
      if (++seen >= maxEvents) return undefined;
    }
  }
  return undefined;
};

/** An audit record carried by a history event: Notify's StateExited, or its Lambda/Task success. */
export const recordInEvent = (e: HistoryEvent): ParsedRecord | undefined => {
  if (e.stateExitedEventDetails?.name === NOTIFY_STATE) return parseRecord(e.stateExitedEventDetails.output);
  const out = e.lambdaFunctionSucceededEventDetails?.output ?? e.taskSucceededEventDetails?.output;
  return out?.includes(RECORD_ID) ? parseRecord(out) : undefined;
};

/** Every history event, oldest first, paginated with nextToken. */
export const readHistory = async (sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> => {
  const events: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory(
    { client: sfn, pageSize: 500 },
    { executionArn, includeExecutionData: true },
  )) {
    events.push(...(page.events ?? []));
  }
  return events;
};

/**
 * History events newer than `afterId`, oldest first. Reads newest first and stops at the first event
 * already seen, so following a long execution does not re-read its whole history on every poll.
 */
export const readNewEvents = async (sfn: SFNClient, executionArn: string, afterId: number): Promise<HistoryEvent[]> => {
  const fresh: HistoryEvent[] = [];
  for await (const page of paginateGetExecutionHistory(
    { client: sfn, pageSize: 200 },
    { executionArn, reverseOrder: true, includeExecutionData: true },
  )) {
    for (const e of page.events ?? []) {
      if ((e.id ?? 0) <= afterId) return fresh.reverse();
      fresh.push(e);
    }
  }
  return fresh.reverse();
};

export interface ListedExecution {
  executionArn: string;
  name: string;
  status: string;
  startDate?: Date;
  stopDate?: Date;
}

/**
 * Executions newest first (ListExecutions, paginated), stopping at the first one started before `since`
 * or after `limit` of them.
 */
export const listExecutions = async (
  sfn: SFNClient,
  stateMachineArn: string,
  opts: { since?: Date; limit: number },
): Promise<{ executions: ListedExecution[]; truncated: boolean }> => {
  const executions: ListedExecution[] = [];
  for await (const page of paginateListExecutions({ client: sfn, pageSize: 100 }, { stateMachineArn })) {
    for (const e of page.executions ?? []) {
      if (opts.since && e.startDate && e.startDate < opts.since) return { executions, truncated: false };
      if (executions.length >= opts.limit) return { executions, truncated: true };
      executions.push({
        executionArn: e.executionArn ?? '?',
        name: e.name ?? '?',
        status: e.status ?? 'UNKNOWN',
        startDate: e.startDate,
        stopDate: e.stopDate,
      });
    }
  }
  return { executions, truncated: false };
};

/** Runs `fn` over `items` with at most `limit` in flight, keeping order (DescribeExecution is rate limited). */
export const mapLimit = async <T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};

/**
 * The group an execution concerns: the audit record's group, else from its input: a manual request's
 * `group`, or the group owning the instance an EC2 or alarm event names (needs the config).
 */
export const groupOfEntry = (entry: ExecutionEntry, config: FailoverConfig | undefined): string | undefined =>
  entry.parsed?.record.group ?? groupOfInput(entry.input, config);

/** The group named by a workflow input, read leniently (an input may be anything). */
export const groupOfInput = (input: unknown, config: FailoverConfig | undefined): string | undefined => {
  const o = input as Record<string, any> | undefined;
  if (!o || typeof o !== 'object') return undefined;
  if (typeof o.group === 'string') return o.group;
  const instanceId = instanceOfEvent(o);
  return instanceId && config ? findMemberByInstance(config, instanceId)?.group.name : undefined;
};

const instanceOfEvent = (o: Record<string, any>): string | undefined => {
  const direct = o.detail?.['instance-id'];
  if (typeof direct === 'string') return direct;
  for (const m of o.detail?.configuration?.metrics ?? []) {
    const id = m?.metricStat?.metric?.dimensions?.InstanceId;
    if (typeof id === 'string') return id;
  }
  return undefined;
};

/** Who and why, for a history line: from the record's trigger, else from the input. */
export interface TriggerView {
  /** event | alarm | manual | probe | (a kind this version does not know, as is). */
  kind: string;
  requester: string;
  reason: string;
  action?: string;
}

/** The trigger kind, requester and reason of an execution, from its record or else its input. */
export const triggerOf = (entry: ExecutionEntry): TriggerView => {
  const t = entry.parsed?.record.trigger;
  if (t) {
    switch (t.kind) {
      case 'manual':
        return { kind: 'manual', requester: t.requestedBy ?? 'unknown', reason: t.reason ?? '', action: t.action };
      case 'instance-state': {
        const who = entry.parsed?.record.from[0]?.name ?? t.instanceId;
        return {
          kind: 'event',
          requester: 'aws.ec2',
          reason: who && t.instanceState ? `${who} entered ${t.instanceState}` : t.summary,
        };
      }
      case 'alarm':
        return {
          kind: 'alarm',
          requester: 'aws.cloudwatch',
          reason: t.alarmName ? `${t.alarmName} in ALARM` : t.summary,
        };
      case 'probe':
        return { kind: 'probe', requester: 'health probe', reason: t.summary };
      default:
        return { kind: t.kind, requester: '-', reason: t.summary };
    }
  }
  const o = entry.input as Record<string, any> | undefined;
  if (o && typeof o === 'object') {
    if (typeof o.action === 'string') {
      return {
        kind: 'manual',
        requester: typeof o.requestedBy === 'string' ? o.requestedBy : 'unknown',
        reason: typeof o.reason === 'string' ? o.reason : '',
        action: o.action,
      };
    }
    if (o.source === 'aws.ec2')
      return {
        kind: 'event',
        requester: 'aws.ec2',
        reason: `EC2 instance ${o.detail?.['instance-id']} entered ${o.detail?.state}`,
      };
    if (o.source === 'aws.cloudwatch')
      return {
        kind: 'alarm',
        requester: 'aws.cloudwatch',
        reason: `alarm ${o.detail?.alarmName} entered ${o.detail?.state?.value}`,
      };
    if (o.source === PROBE_SOURCE)
      return { kind: 'probe', requester: 'health probe', reason: `${o.member} down: ${o.lastError}` };
  }
  return { kind: '?', requester: '-', reason: '' };
};
