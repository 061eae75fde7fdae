import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  type HistoryEvent,
  paginateGetExecutionHistory,
  paginateListExecutions,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { FailoverConfig } from '../../functions/contract/config';
import { findMemberByInstance } from '../../functions/contract/config';
import { PROBE_SOURCE } from '../../functions/contract/triggers';
import { NOTIFY_STATE, type ParsedRecord, parseJson, parseRecord, RECORD_ID } from './execution-record';
import type { LooseJson } from './format';

export {
  type ExecutionRecord,
  NOTIFY_STATE,
  type ParsedRecord,
  parseJson,
  parseRecord,
  RECORD_ID,
  type RecordAssociations,
  type RecordRoute,
} from './execution-record';

/**
 * Reading executions back: the audit log is the state machine's execution history. A finished execution's
 * output is its audit record; a FAILED one has no output, so its record is the output of the Notify state,
 * found in GetExecutionHistory (the record itself: execution-record.ts).
 */

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
  const o = input as LooseJson | undefined;
  if (!o || typeof o !== 'object') return undefined;
  if (typeof o.group === 'string') return o.group;
  const instanceId = instanceOfEvent(o);
  return instanceId && config ? findMemberByInstance(config, instanceId)?.group.name : undefined;
};

const instanceOfEvent = (o: LooseJson): string | undefined => {
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
  const o = entry.input as LooseJson | undefined;
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
