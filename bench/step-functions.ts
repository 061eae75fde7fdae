import { estimateHistoryEvents } from '../cli/local/local-runner';
import type { LooseJson } from '../functions/contract/loose-json';

/**
 * What an execution run locally would weigh in AWS Step Functions, read from the local event log
 * (aws-local-stepfunctions does not enforce Step Functions' quotas, so the benchmark checks them):
 * - payload: every state's input and output as JSON, in UTF-8 bytes, against the 256 KiB quota;
 * - history: the events a STANDARD execution would record (the local runner's estimateHistoryEvents,
 *   the same count test/workflow/scale.test.ts holds to), against the 25,000-event quota.
 */

/** Step Functions quotas (STANDARD workflows). */
export const SFN_PAYLOAD_LIMIT_BYTES = 256 * 1024;
export const SFN_HISTORY_EVENT_LIMIT = 25_000;

export interface StatePayload {
  state: string;
  /** True for states inside a Map's item processor. */
  inMap: boolean;
  entered: number;
  maxInputBytes: number;
  maxOutputBytes: number;
}

export interface ExecutionWeight {
  localEvents: number;
  /** Estimated Step Functions history events (cli/local/local-runner.ts estimateHistoryEvents). */
  historyEvents: number;
  states: StatePayload[];
  /** The largest payload and where: the first thing that would hit States.DataLimitExceeded. */
  largest?: { state: string; bytes: number; what: 'input' | 'output' };
  overPayloadLimit: StatePayload[];
}

const bytes = (value: unknown): number =>
  value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');

/** Input/output sizes per state name and the estimated history length of one execution's event log. */
export const weighExecution = (events: Array<LooseJson>): ExecutionWeight => {
  const states = new Map<string, StatePayload>();
  const entry = (e: LooseJson): StatePayload => {
    const name = e.state?.name as string;
    let s = states.get(name);
    if (!s)
      states.set(
        name,
        (s = { state: name, inMap: e.index !== undefined, entered: 0, maxInputBytes: 0, maxOutputBytes: 0 }),
      );
    return s;
  };
  for (const e of events) {
    if (e.type === 'StateEntered') {
      const s = entry(e);
      s.entered++;
      s.maxInputBytes = Math.max(s.maxInputBytes, bytes(e.state?.input));
    } else if (e.type === 'StateExited') {
      const s = entry(e);
      s.maxOutputBytes = Math.max(s.maxOutputBytes, bytes(e.state?.output));
    }
  }
  const list = [...states.values()];
  let largest: ExecutionWeight['largest'];
  for (const s of list) {
    if (!largest || s.maxInputBytes > largest.bytes)
      largest = { state: s.state, bytes: s.maxInputBytes, what: 'input' };
    if (s.maxOutputBytes > largest.bytes) largest = { state: s.state, bytes: s.maxOutputBytes, what: 'output' };
  }
  return {
    localEvents: events.length,
    historyEvents: estimateHistoryEvents(events),
    states: list,
    largest,
    overPayloadLimit: list.filter((s) => Math.max(s.maxInputBytes, s.maxOutputBytes) > SFN_PAYLOAD_LIMIT_BYTES),
  };
};
