import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { CliDeps } from './context';
import { entryOf, type ExecutionEntry, readNewEvents } from './executions';
import { duration } from './format';
import { HistoryTracker } from './progress';

/** --wait prints a line at least this often, so a quiet stretch (a long batch, a retry backoff) still shows life. */
export const HEARTBEAT_MS = 5000;

export interface FollowResult {
  entry: ExecutionEntry;
  tracker: HistoryTracker;
  /** True when `timeoutMs` passed while the execution was still running (it keeps running). */
  timedOut: boolean;
  elapsedMs: number;
}

/**
 * Follows an execution until it ends or `timeoutMs` passes: DescribeExecution, then the history events since
 * the last poll, printed state by state (routes done / total, retries, caught errors), every `pollIntervalMs`
 * (at most HEARTBEAT_MS). When nothing was printed for a while, a line with the elapsed time, the execution's
 * status and the state it is in, so that no gap between lines exceeds HEARTBEAT_MS.
 */
export const followExecution = async (
  executionArn: string,
  deps: CliDeps,
  say: (line: string) => void,
  opts: { timeoutMs?: number } = {},
): Promise<FollowResult> => {
  const interval = Math.min(deps.pollIntervalMs ?? 2000, HEARTBEAT_MS);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const clock = () => deps.now().getTime();
  const started = clock();
  let lastLine = started;
  const print = (line: string) => {
    lastLine = clock();
    say(line);
  };
  const tracker = new HistoryTracker(print);
  const limit = opts.timeoutMs !== undefined ? `, for at most ${duration(opts.timeoutMs)}` : '';
  print(`Following (every ${duration(interval)}${limit}; Ctrl-C stops following, not the execution):`);
  for (;;) {
    const d = await deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
    // History after the status: once the status is final, the history read next holds every event.
    tracker.consume(await readNewEvents(deps.sfn, executionArn, tracker.lastId));
    const now = clock();
    const elapsedMs = now - started;
    if (d.status !== 'RUNNING') return { entry: entryOf(d, tracker.notify), tracker, timedOut: false, elapsedMs };
    if (opts.timeoutMs !== undefined && elapsedMs >= opts.timeoutMs)
      return { entry: entryOf(d, tracker.notify), tracker, timedOut: true, elapsedMs };
    if (now + interval - lastLine > HEARTBEAT_MS) {
      const where = [
        tracker.currentState && `in ${tracker.currentState}`,
        tracker.total !== undefined && `routes ${tracker.done}/${tracker.total} done`,
      ].filter(Boolean);
      print(
        `  … ${duration(elapsedMs)} elapsed: ${d.status ?? 'UNKNOWN'}${where.length ? `, ${where.join(', ')}` : ''}`,
      );
    }
    await sleep(opts.timeoutMs !== undefined ? Math.max(0, Math.min(interval, opts.timeoutMs - elapsedMs)) : interval);
  }
};
