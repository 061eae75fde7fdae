import { errorText, isThrottling, isTransient } from '../contract/aws-errors';
import { Ec2ThrottledError, Ec2TransientError } from '../contract/errors';
import type { WritePacer } from './pacer';

/** A writer with no pacer: every call of the batch is sent at once. */
export const UNPACED: WritePacer = {
  reserve: async (count) => new Array<number>(count).fill(0),
  throttled: async () => undefined,
  waitUntil: async () => undefined,
};

/** Attempts of one write on throttling/5xx inside one invocation, with exponential backoff and full jitter. */
export const DEFAULT_WRITE_RETRY = { attempts: 8, baseMs: 200, maxMs: 5000 };

/**
 * How long one writer invocation keeps retrying (ms since it started); the state machine retries the batch.
 * SwitchItems adds the wait of the longest queue of turns its groups can form (write-budget.ts).
 */
export const DEFAULT_WRITE_BUDGET_MS = 100_000;

/** The clock, randomness and retry settings a paced writer (SwitchItems, SwitchItems) may be given. */
export interface PacedWriterDeps {
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Per-write retry on throttling/5xx inside one invocation. */
  retry?: { attempts: number; baseMs: number; maxMs: number };
  /**
   * Stop retrying when the invocation has less than this left (ms since start); the state machine retries the batch.
   */
  budgetMs?: number;
}

export interface PacedRetryOptions {
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  retry: { attempts: number; baseMs: number; maxMs: number };
  /** Epoch ms after which no retry starts (the invocation's budget). */
  deadline: number;
  now: () => Date;
  pacer: WritePacer;
}

export interface PacedCallHandlers<T> {
  /** The call succeeded on this attempt. */
  ok: (attempt: number) => T;
  /** An answer that settles the call (DryRunOperation, a vanished resource, …); undefined for any other error. */
  settled: (err: unknown, attempt: number) => T | undefined | Promise<T | undefined>;
  /** The call failed for good (permanent error, or retries exhausted), with its bounded error text. */
  failed: (errorText: string, attempt: number) => T;
}

/**
 * One paced EC2 write until it settles: throttling and 5xx are retried with exponential backoff and full
 * jitter (concurrent writers spread out instead of retrying in lockstep), each retry at its own pacer turn; a
 * throttled answer also drains the pacer (another caller of the account emptied EC2's bucket). When the
 * attempts or the budget run out, the result is `failed` plus an Ec2ThrottledError / Ec2TransientError for the
 * state machine to retry the whole invocation. Written here rather than left to the SDK so that each write's
 * attempts belong in the audit record.
 */
export const pacedCall = async <T>(
  send: () => Promise<unknown>,
  h: PacedCallHandlers<T>,
  o: PacedRetryOptions,
  where: string,
): Promise<{ result: T; transient?: Error }> => {
  for (let attempt = 1; ; attempt++) {
    try {
      await send();
      return { result: h.ok(attempt) };
    } catch (err) {
      const settled = await h.settled(err, attempt);
      if (settled !== undefined) return { result: settled };
      const e = errorText(err);
      if (!(isThrottling(err) || isTransient(err))) return { result: h.failed(e, attempt) };
      const delay = o.random() * Math.min(o.retry.maxMs, o.retry.baseMs * 2 ** (attempt - 1));
      if (attempt >= o.retry.attempts || o.now().getTime() + delay > o.deadline) {
        const Named = isThrottling(err) ? Ec2ThrottledError : Ec2TransientError;
        return {
          result: h.failed(e, attempt),
          transient: new Named(`${where}: ${e} (after ${attempt} attempt(s))`, { cause: err }),
        };
      }
      if (isThrottling(err)) await o.pacer.throttled();
      // A retry is a call like any other: it waits its backoff, then its turn for a token.
      const [turn] = (await o.pacer.reserve(1, o.deadline)) ?? [];
      if (turn === undefined) {
        return {
          result: h.failed(e, attempt),
          transient: new Ec2ThrottledError(
            `${where}: ${e} (after ${attempt} attempt(s); no pacer turn within the budget)`,
            { cause: err },
          ),
        };
      }
      await o.sleep(delay);
      await o.pacer.waitUntil(turn);
    }
  }
};
