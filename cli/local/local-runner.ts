import './polyfill';
import { ExecutionError, StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { causeText } from '../../functions/contract/errors';
import type { LooseJson } from '../../functions/contract/loose-json';
import { checkPayload, enforcePayloadLimit } from './payload-limit';

/** The one workflow definition, shared with infra/. */
export const ASL_PATH = path.join(__dirname, '..', '..', 'statemachine', 'failover.asl.json');

/** `${Name}` placeholders of the definition, in order of first appearance. */
export const placeholdersOf = (text: string): string[] => [
  ...new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1])),
];

/**
 * Reads statemachine/failover.asl.json and substitutes every `${X}` before JSON.parse, as CloudFormation's
 * definitionSubstitutions would; an unknown placeholder is an error, not a silent blank.
 */
export const loadDefinition = (
  substitutions: Record<string, string> = {},
  region = 'us-east-1',
): Record<string, unknown> => {
  const text = readFileSync(ASL_PATH, 'utf8');
  const filled = text.replace(/\$\{(\w+)\}/g, (_m, name: string) => {
    if (name in substitutions) return substitutions[name];
    if (name.endsWith('FunctionArn'))
      return `arn:aws:lambda:${region}:000000000000:function:vpc-route-failover-${name.replace(/FunctionArn$/, '')}`;
    throw new Error(`statemachine/failover.asl.json: no substitution for \${${name}}`);
  });
  return JSON.parse(filled) as Record<string, unknown>;
};

/** The fields of an ASL state that nest other states. */
interface AslState {
  Type?: string;
  ItemProcessor?: { States?: Record<string, AslState> };
  Iterator?: { States?: Record<string, AslState> };
  Branches?: Array<{ States: Record<string, AslState> }>;
}

/** Names of every Task state, at any depth (Map item processors included). */
export const taskStateNames = (definition: Record<string, unknown>): string[] => {
  const names: string[] = [];
  const walk = (states: Record<string, AslState>) => {
    for (const [name, s] of Object.entries(states)) {
      if (s.Type === 'Task') names.push(name);
      if (s.ItemProcessor?.States) walk(s.ItemProcessor.States);
      if (s.Iterator?.States) walk(s.Iterator.States);
      for (const b of s.Branches ?? []) walk(b.States);
    }
  };
  walk(definition.States as Record<string, AslState>);
  return names;
};

/** States whose output is the audit record: Notify, or RecordWithoutNotification when SNS failed. */
const RECORD_STATES = new Set(['Notify', 'RecordWithoutNotification']);

/** Executions of this process that are still running: what DescribeExecution answers in AWS. */
const running = new Set<string>();
let sequence = 0;
let validated = false;

/** Whether a local execution (by ARN) is still running; pass it as TaskDeps.isExecutionRunning. */
export const isLocalExecutionRunning = async (executionArn: string): Promise<boolean> => running.has(executionArn);

export interface RunOptions {
  /** Task state name → handler (JSON in, JSON out). Every Task state must have one. */
  handlers: Record<string, (input: unknown) => Promise<unknown>>;
  input: unknown;
  executionName?: string;
  region?: string;
  /**
   * Milliseconds between retries, for every Task or per Task state name; leave undefined to honour the
   * definition (backoff and jitter).
   */
  retryIntervalMs?: number | Record<string, number>;
  /**
   * A simulated Lambda function timeout per Task state name, in ms: an invocation still running after it is
   * abandoned (its work may still finish, as a real timed-out function's calls may have) and the Task fails
   * with Error `Sandbox.Timedout` and a Cause like Lambda's.
   */
  functionTimeoutMs?: Record<string, number>;
  /** Milliseconds to wait in a Wait state instead of its Seconds (e.g. `{ HoldDown: 0 }` in tests). */
  waitTimeMs?: Record<string, number>;
  /** Progress lines (state by state, retries, catches), e.g. to stderr. */
  log?: (line: string) => void;
  now?: () => Date;
}

export interface RunResult {
  status: 'SUCCEEDED' | 'FAILED';
  executionArn: string;
  /** The execution output (SUCCEEDED only), as Step Functions would return it. */
  output?: unknown;
  /** Error and Cause of a FAILED execution. */
  error?: string;
  cause?: string;
  /** The audit record: the Notify state's output, on success and failure alike. */
  auditRecord?: LooseJson;
  /** Every event of the run, for tests. */
  events: Array<LooseJson>;
  durationMs: number;
}

/**
 * Runs statemachine/failover.asl.json in-process (aws-local-stepfunctions) with each Task mapped to a local
 * handler. Handler outputs go through JSON like a Lambda response, and thrown errors keep their `name`
 * (what the definition's Retry and Catch match) with Lambda's JSON Cause, stack trace included, so the
 * state carries what it would on AWS.
 */
export const runExecution = async (opts: RunOptions): Promise<RunResult> => {
  const region = opts.region ?? 'us-east-1';
  const now = opts.now ?? (() => new Date());
  const definition = loadDefinition({}, region);
  const tasks = taskStateNames(definition);
  const missing = tasks.filter((t) => !(t in opts.handlers));
  if (missing.length > 0) throw new Error(`no local handler for Task state(s): ${missing.join(', ')}`);

  const name = opts.executionName ?? `local-${now().toISOString().replace(/[-:.]/g, '')}-${++sequence}`;
  const executionArn = `arn:aws:states:${region}:000000000000:execution:vpc-route-failover:${name}`;
  const started = now();
  const unknownTimeouts = Object.keys(opts.functionTimeoutMs ?? {}).filter((t) => !tasks.includes(t));
  if (unknownTimeouts.length > 0)
    throw new Error(`functionTimeoutMs names no Task state: ${unknownTimeouts.join(', ')}`);
  const handlers = Object.fromEntries(
    tasks.map((t) => [
      t,
      async (input: unknown) => {
        // Step Functions' payload limit on the Task's input (after Parameters) and on its result: an oversized
        // one ends the execution uncaught (payload-limit.ts), never reaching the Task's Retry or Catch.
        checkPayload(`the input of Task ${t}`, input);
        const invocation = invokeLikeLambda(() => opts.handlers[t](input));
        const timeoutMs = opts.functionTimeoutMs?.[t];
        const result = await (timeoutMs === undefined ? invocation : withFunctionTimeout(invocation, timeoutMs));
        checkPayload(`the result of Task ${t}`, result);
        return result as never;
      },
    ]),
  );
  const interval = opts.retryIntervalMs;
  const retryIntervalOverrides =
    interval === undefined
      ? undefined
      : typeof interval === 'number'
        ? Object.fromEntries(tasks.map((t) => [t, interval]))
        : Object.fromEntries(tasks.filter((t) => t in interval).map((t) => [t, interval[t]]));

  // Every state's input and output is held to Step Functions' 256 KiB, as on AWS (payload-limit.ts).
  enforcePayloadLimit();
  // Validating the definition costs most of a second; the file does not change within a process.
  const machine = new StateMachine(definition as never, {
    validationOptions: validated ? { noValidate: true } : { checkArn: true, checkPaths: true },
  });
  validated = true;
  const execution = machine.run(opts.input as never, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides, waitTimeOverrides: opts.waitTimeMs },
    context: {
      Execution: { Id: executionArn, Name: name, StartTime: started.toISOString(), Input: opts.input as never },
      StateMachine: {
        Id: `arn:aws:states:${region}:000000000000:stateMachine:vpc-route-failover`,
        Name: 'vpc-route-failover',
      },
    },
  });

  const events: Array<LooseJson> = [];
  let auditRecord: LooseJson | undefined;
  const log = opts.log ?? (() => undefined);
  const collecting = (async () => {
    for await (const e of execution.eventLogs) {
      const ev = e as unknown as LooseJson;
      events.push(ev);
      if (ev.type === 'StateExited' && RECORD_STATES.has(ev.state?.name)) auditRecord = ev.state.output;
      const line = describeEvent(ev, started.getTime());
      if (line) log(line);
    }
  })();

  let result: RunResult;
  running.add(executionArn);
  try {
    const output = await execution.result;
    await collecting;
    result = {
      status: 'SUCCEEDED',
      executionArn,
      output,
      auditRecord,
      events,
      durationMs: now().getTime() - started.getTime(),
    };
  } catch (err) {
    await collecting;
    const cause = err instanceof ExecutionError ? (err.cause as Error) : (err as Error);
    result = {
      status: 'FAILED',
      executionArn,
      error: cause?.name ?? 'Error',
      cause: cause?.message,
      auditRecord,
      events,
      durationMs: now().getTime() - started.getTime(),
    };
  } finally {
    running.delete(executionArn);
  }
  return result;
};

/**
 * One invocation as Lambda reports it to Step Functions: the output goes through JSON, and a thrown error
 * becomes Error = its name and Cause = the JSON the Node.js runtime sends
 * ({"errorType","errorMessage","trace"}, the trace being the stack's lines).
 */
const invokeLikeLambda = async (run: () => Promise<unknown>): Promise<unknown> => {
  try {
    return JSON.parse(JSON.stringify((await run()) ?? null));
  } catch (err) {
    throw lambdaError(err);
  }
};

/** The error Step Functions sees for an error a Lambda function threw. */
export const lambdaError = (err: unknown): Error => {
  const e = err instanceof Error ? err : new Error(String(err));
  const name = e.name || 'Error';
  const cause = JSON.stringify({
    errorType: name,
    errorMessage: e.message,
    trace: (e.stack ?? `${name}: ${e.message}`).split('\n'),
  });
  return Object.assign(new Error(cause), { name });
};

/** Lambda's Error and Cause for a function that ran out of time (Sandbox.Timedout, as newer runtimes report it). */
export const functionTimedOut = (timeoutMs: number): Error => {
  const requestId = randomUUID();
  const cause = JSON.stringify({
    errorType: 'Sandbox.Timedout',
    errorMessage: `RequestId: ${requestId} Error: Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
  });
  return Object.assign(new Error(cause), { name: 'Sandbox.Timedout' });
};

const withFunctionTimeout = (invocation: Promise<unknown>, timeoutMs: number): Promise<unknown> => {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(functionTimedOut(timeoutMs)), timeoutMs);
  });
  // The abandoned invocation may still settle later; its result goes nowhere, as on Lambda.
  invocation.catch(() => undefined);
  return Promise.race([invocation, timedOut]).finally(() => clearTimeout(timer));
};

/**
 * How many events Step Functions would write to the execution history for this run (its limit is 25,000).
 * From the local event log with Step Functions' per-state costs: a Lambda Task writes 5 events (entered,
 * scheduled, started, succeeded, exited) and 3 more per retry; a Map 4 plus 2 per iteration; other states 2;
 * the execution itself 2.
 */
export const estimateHistoryEvents = (events: Array<LooseJson>): number => {
  let n = 2;
  for (const e of events) {
    if (e.type === 'StateEntered') n += e.state?.type === 'Task' ? 5 : e.state?.type === 'Map' ? 4 : 2;
    else if (e.type === 'StateRetried') n += 3;
    else if (e.type === 'MapIterationStarted') n += 2;
  }
  return n;
};

/**
 * The largest state (input or output, as JSON bytes) the run passed between states: Step Functions allows
 * 256 KiB (payload-limit.ts).
 */
export const largestStatePayload = (events: Array<LooseJson>): { bytes: number; state: string } => {
  let best = { bytes: 0, state: '' };
  for (const e of events) {
    for (const v of [e.state?.input, e.state?.output]) {
      if (v === undefined) continue;
      const bytes = Buffer.byteLength(JSON.stringify(v));
      if (bytes > best.bytes) best = { bytes, state: e.state?.name ?? '' };
    }
  }
  return best;
};

/** One progress line per interesting event; undefined for noise. */
export const describeEvent = (e: LooseJson, t0: number): string | undefined => {
  const t = `+${String(Math.max(0, e.timestamp - t0)).padStart(5)} ms`;
  const at = e.index !== undefined ? `${e.state?.name}[${e.index}]` : e.state?.name;
  switch (e.type) {
    case 'ExecutionStarted':
      return `${t}  execution started`;
    case 'StateEntered':
      return e.index === undefined ? `${t}  → ${at}` : undefined;
    case 'StateExited':
      return e.index === undefined ? `${t}  ✓ ${at}${summarizeOutput(e.state?.name, e.state?.output)}` : undefined;
    case 'StateRetried':
      return `${t}  ↻ ${at} retry ${e.retry?.attempt} (${e.retry?.retrier?.ErrorEquals?.[0] ?? 'error'})`;
    case 'StateCaught':
      return `${t}  ⚑ ${at} caught → ${e.catch?.catcher?.Next}`;
    case 'StateFailed':
      // A Lambda Cause is JSON (errorType, errorMessage, trace): a person needs the message.
      return `${t}  ✗ ${at}: ${e.Error}: ${String(causeText(e.Cause) ?? '').slice(0, 300)}`;
    case 'ExecutionSucceeded':
      return `${t}  execution succeeded`;
    case 'ExecutionFailed':
      return `${t}  execution FAILED: ${e.Error}: ${String(causeText(e.Cause) ?? '').slice(0, 500)}`;
    default:
      return undefined;
  }
};

const summarizeOutput = (state: string | undefined, out: LooseJson | undefined): string => {
  if (!out || typeof out !== 'object') return '';
  switch (state) {
    case 'ResolveTargets':
      return out.action === 'noop'
        ? ` (no-op: ${out.noopReason})`
        : ` (${out.group?.name}: ${out.sources?.map((s: { name: string }) => s.name).join('+')} ` +
            `→ ${out.target?.name}, ` +
            `${out.pairs?.length} interface pair(s))`;
    case 'PlanSwitch':
      return (
        ` (${out.plan?.changeCount} to move in ${out.plan?.batches?.length} batch(es), ` +
        `${out.plan?.alreadyOnTargetCount} already on target, ${out.plan?.skipped?.length} skipped, ` +
        `${out.plan?.routeTablesScanned} tables)`
      );
    case 'SwitchBatches': {
      const counts: Record<string, number> = {};
      for (const b of out.results ?? []) {
        if (b.error) counts[`batch failed (${b.error})`] = (counts[`batch failed (${b.error})`] ?? 0) + 1;
        for (const [st, n] of Object.entries((b.counts ?? {}) as Record<string, number>))
          counts[st] = (counts[st] ?? 0) + n;
        // An association batch's result: one status per move.
        for (const x of Array.isArray(b.r) ? (b.r as Array<{ st: string }>) : [])
          counts[x.st] = (counts[x.st] ?? 0) + 1;
      }
      return ` (${
        Object.entries(counts)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ') || 'nothing to do'
      })`;
    }
    case 'VerifySwitch':
      return (
        ` (${out.verification?.checked} read back, ${out.verification?.mismatches} mismatch(es), ` +
        `${out.verification?.rounds} round(s))`
      );
    case 'Notify':
      return ` (${out.outcome}: ${out.summary})`;
    default:
      return '';
  }
};
