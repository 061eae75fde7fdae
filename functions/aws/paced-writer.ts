import type { Ec2WriteAction, ItemOutcome, SwitchStrategy, WriteContext } from '../domain/switch-strategy';
import { Ec2ThrottledError } from '../contract/errors';
import type { LogEntry } from '../contract/lambda-errors';
import { DEFAULT_WRITE_RETRY, pacedCall, UNPACED, type PacedWriterDeps } from '../domain/paced-retry';
import type { WritePacer } from '../domain/pacer';

/** The pacers of the write actions, by action (each mirrors its EC2 bucket); an action without one writes unpaced. */
export type WritePacers = Partial<Record<Ec2WriteAction, WritePacer>>;

export interface SwitchWriterDeps extends PacedWriterDeps {
  /**
   * Paces each EC2 write action account-wide: every call of that action, first attempts and retries,
   * takes one of its tokens.
   */
  pacers?: WritePacers;
  /** Where an error whose text was abridged for state is written whole, once per distinct text (the function log). */
  log?: LogEntry;
}

/**
 * The one flow every kind of switch writes with: prepare (the kind authorizes the batch and reads it fresh),
 * reserve the batch's turns at once from the pacer of the kind's EC2 action, wait for each turn, write each
 * item with retries on throttling and 5xx (functions/domain/paced-retry.ts), record each outcome and when the
 * network changed, summarize. The items go out in parallel, as many at a time as the pacer grants; the queue
 * is first come, first served, so no batch is starved by those started after it. A refused reservation sends
 * nothing and surfaces as Ec2ThrottledError; what is still throttled or failing when the budget runs out
 * surfaces as Ec2ThrottledError / Ec2TransientError after every item settled, for the state machine to retry
 * the batch (idempotent: a retry does only what is left). Permanent errors are recorded for their item; the
 * other items still switch.
 */
export const writeBatch = async <
  Input extends { dryRun: boolean },
  Item,
  Outcome extends ItemOutcome,
  Result,
  Deps extends SwitchWriterDeps,
>(
  strategy: SwitchStrategy<Input, Item, Outcome, Result, Deps>,
  input: Input,
  deps: Deps,
): Promise<Result> => {
  const now = deps.now ?? (() => new Date());
  const started = now().getTime();
  const { items, settled, budgetMs } = await strategy.prepare(input, deps, started);
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  const retry = deps.retry ?? DEFAULT_WRITE_RETRY;
  const pacer = deps.pacers?.[strategy.action(input)] ?? UNPACED;
  const deadline = started + budgetMs;
  const ctx: WriteContext<Input, Deps> = { input, deps, log: logOnce(deps.log) };

  const outcomes: Outcome[] = new Array(items.length);
  const switchedAt: Array<number | undefined> = new Array(items.length);
  const toWrite: number[] = [];
  items.forEach((_, i) => {
    const s = settled[i];
    if (s) outcomes[i] = s;
    else toWrite.push(i);
  });

  let transient: Error | undefined;
  if (toWrite.length > 0) {
    // The whole batch in one reservation: its items go out in parallel, each at its turn (all at once in the burst).
    const times = await pacer.reserve(toWrite.length, deadline);
    if (!times) throw new Ec2ThrottledError(strategy.refusedTurns(input, toWrite.length));
    const o = { sleep, random, retry, deadline, now, pacer };
    await Promise.all(
      toWrite.map(async (i, j) => {
        await pacer.waitUntil(times[j]);
        const item = items[i];
        const r = await pacedCall<Outcome>(
          () => strategy.write(item, ctx),
          {
            ok: (a) => strategy.written(a, ctx),
            settled: (err, a) => strategy.settledBy(err, a, item, ctx),
            failed: (e, a) => ({ st: 'failed', a, e }) as Outcome,
          },
          o,
          strategy.describe(item, input),
        );
        if (r.transient) transient ??= r.transient;
        if (strategy.switched(r.result)) switchedAt[i] = now().getTime();
        outcomes[i] = r.result;
      }),
    );
  }
  if (transient) throw transient;
  return strategy.summarize(input, outcomes, now(), switchedAt);
};

/** A log that writes each distinct abridged error once per invocation. */
const logOnce = (log: LogEntry | undefined): LogEntry | undefined => {
  if (!log) return undefined;
  const seen = new Set<string>();
  return (entry) => {
    const key = String(entry.errorText);
    if (seen.has(key)) return;
    seen.add(key);
    log(entry);
  };
};
