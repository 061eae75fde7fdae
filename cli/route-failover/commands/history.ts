import { DescribeExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { findGroup } from '../../../functions/contract/config';
import { UnknownGroupError } from '../../../functions/contract/errors';
import { readAwsContext, renderAwsContext } from '../aws-target';
import {
  type CliDeps,
  type CommonOptions,
  EXIT,
  executionArnOf,
  isExecutionArn,
  refuse,
  resolveStateMachineArn,
} from '../context';
import { entryOf, groupOfEntry, listExecutions, mapLimit, readExecution, readHistory } from '../executions';
import { isoTime, parseDurationMs, plural } from '../format';
import { HistoryTracker } from '../progress';
import { historyJson, renderExecutionDetail, renderHistoryTable } from '../render-history';

export interface HistoryOptions extends CommonOptions {
  group?: string;
  since: Date;
  /** At most this many executions are read (newest first). */
  limit: number;
}

export interface HistoryShowOptions extends CommonOptions {
  /** An execution ARN, or an execution name of the state machine. */
  execution: string;
}

/** DescribeExecution calls in flight at once (the API is rate limited per account). */
const DESCRIBE_CONCURRENCY = 4;

/**
 * A duration before now ("30m", "2h", "7d", "2w"), or an ISO date or time; a time without a zone is UTC,
 * like every time the CLI prints. undefined when unreadable (or an impossible date such as 2026-13-45).
 */
export const parseSince = (text: string, now: Date): Date | undefined => {
  const ms = parseDurationMs(text);
  if (ms !== undefined) return new Date(now.getTime() - ms);
  const m = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)(Z|[+-]\d{2}:?\d{2})?)?$/.exec(text.trim());
  if (!m) return undefined;
  const d = new Date(m[2] ? `${m[1]}T${m[2]}${m[3] ?? 'Z'}` : m[1]);
  return Number.isNaN(d.getTime()) ? undefined : d;
};

/**
 * `history`: the audit log, one line per execution newest first: ListExecutions (paginated, stopping past
 * --since), DescribeExecution for each (its output is the audit record), and for executions that failed
 * the Notify state's output from GetExecutionHistory.
 */
export const history = async (opts: HistoryOptions, deps: CliDeps): Promise<number> => {
  if (opts.group !== undefined && opts.config && !findGroup(opts.config, opts.group)) {
    throw refuse(
      new UnknownGroupError(
        opts.group,
        opts.config.groups.map((g) => g.name),
      ).message,
    );
  }
  const arn = await resolveStateMachineArn(opts, deps);
  const aws = await readAwsContext(deps);
  const { executions, truncated } = await listExecutions(deps.sfn, arn, { since: opts.since, limit: opts.limit });
  const read = await mapLimit(executions, DESCRIBE_CONCURRENCY, (x) => readExecution(deps.sfn, x.executionArn));
  const withGroup = read.map((entry) => ({ entry, group: groupOfEntry(entry, opts.config) }));
  const shown = opts.group === undefined ? withGroup : withGroup.filter((x) => x.group === opts.group);

  if (opts.json) {
    deps.out(
      JSON.stringify(
        {
          account: aws.account ?? null,
          region: aws.region ?? null,
          stack: opts.stateMachineArn ? null : opts.stack,
          stateMachineArn: arn,
          since: opts.since.toISOString(),
          group: opts.group ?? null,
          truncated,
          executions: shown.map((x) => historyJson(x.entry, x.group)),
        },
        null,
        2,
      ),
    );
    return EXIT.OK;
  }
  const scope = `since ${isoTime(opts.since)}${opts.group ? ` for group ${opts.group}` : ''}`;
  deps.out(renderAwsContext(aws, opts));
  deps.out('');
  if (shown.length === 0) {
    deps.out(`No execution ${scope}.`);
  } else {
    deps.out(renderHistoryTable(shown.map((x) => x.entry)));
    deps.out('');
    deps.out(`${plural(shown.length, 'execution')} ${scope}. Details: route-failover history show EXECUTION`);
  }
  if (truncated) deps.out(`Only the newest ${opts.limit} executions were read: narrow --since or raise --limit.`);
  return EXIT.OK;
};

/**
 * `history show`: one execution in full: DescribeExecution and its whole history (paginated), rendered as
 * the audit record (every route before/after, attempts, errors, verification) plus the retries and caught
 * errors seen in the history and each state's timing.
 */
export const historyShow = async (opts: HistoryShowOptions, deps: CliDeps): Promise<number> => {
  let executionArn: string;
  if (isExecutionArn(opts.execution)) {
    executionArn = opts.execution;
  } else {
    if (!/^[A-Za-z0-9_-]{1,80}$/.test(opts.execution))
      throw refuse(`"${opts.execution}" is neither an execution ARN nor an execution name`);
    executionArn = executionArnOf(await resolveStateMachineArn(opts, deps), opts.execution);
  }
  let described: DescribeExecutionCommandOutput;
  try {
    described = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
  } catch (e) {
    if ((e as Error).name === 'ExecutionDoesNotExist') throw refuse(`no such execution: ${executionArn}`);
    throw e;
  }
  const tracker = new HistoryTracker();
  tracker.consume(await readHistory(deps.sfn, executionArn));
  const entry = entryOf(described, tracker.notify);

  if (opts.json) {
    deps.out(
      JSON.stringify(
        {
          ...historyJson(entry, groupOfEntry(entry, opts.config)),
          input: entry.input ?? null,
          retries: tracker.retries.map((r) => ({ ...r, at: r.at?.toISOString() })),
          caught: tracker.caught.map((c) => ({ ...c, at: c.at?.toISOString() })),
          timings: tracker.timings.map((t) => ({
            name: t.name,
            type: t.type,
            entered: t.entered?.toISOString(),
            exited: t.exited?.toISOString(),
            durationMs: t.entered && t.exited ? t.exited.getTime() - t.entered.getTime() : undefined,
          })),
        },
        null,
        2,
      ),
    );
  } else {
    deps.out(renderExecutionDetail(entry, tracker));
  }
  return EXIT.OK;
};
