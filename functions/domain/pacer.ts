import { ConfigError, InvalidRequestError } from '../contract/errors';
import { WRITE_ACTION_PACE } from './switch-strategy';

/**
 * Paced writes, account-wide. EC2 gives each API action one token bucket per account and region
 * ("Request throttling for the Amazon EC2 API": ReplaceRoute, a mutating action, 50 tokens, 5 per second),
 * shared by every caller. Every SwitchItems invocation of this stack, of every execution and group, draws
 * its ReplaceRoute calls from ONE pacer bucket that mirrors EC2's, so that together they stay at EC2's refill
 * after the burst instead of each discovering the
 * limit by being throttled. What the pacer cannot see (other tools of the account calling ReplaceRoute) still
 * answers RequestLimitExceeded: the caller backs off as before and reports it with `throttled()`, which empties
 * the pacer's bucket so that every execution slows down to EC2's refill, not only the one that was refused.
 *
 * ASSUMPTIONS (README, "Paced writes"): EC2's documented default limits (an account with raised limits can
 * configure larger figures); every ReplaceRoute of the stack goes through the pacer; the clocks of the
 * functions agree to well under a second, which Lambda's NTP-synchronised clocks do.
 *
 * Why turns come on whole seconds and a queue keeps `headroom` tokens in EC2's bucket: EC2 adds its refill
 * once a second, in whole tokens ("a set number of tokens is added back to it every second", see
 * sim/throttling.ts), at an instant of the second nobody can see, and a refill that comes while the bucket is
 * full is lost. A pacer spending exactly the refill, as it arrives, meets that instant with latency jitter on
 * both sides: a call that lands a few ms before the refill finds the bucket empty, is throttled, retried at a
 * later turn, and drains the pacer for everyone. So the pacer hands out the refill in one piece per whole
 * second of the clock and, once calls have to wait for it, serves them only while one second's refill
 * (5 tokens) stays in EC2's bucket: whatever the phase of EC2's refill and the jitter (under a second), a call
 * arriving before the refill it was paced on takes one of the tokens left there, and the refill puts it back.
 * What the bucket holds now is still handed out at once, to the last token (a switch inside the burst waits
 * for nothing). The price is constant, headroom / refill = 1 s of makespan once past the burst, instead of a
 * margin taken from every second (a 4.5/s pace would cost 10 % of it).
 */

export interface PacerSpec {
  /** Tokens the bucket holds when full: calls that may start at once. */
  burst: number;
  /** Tokens added once a second, up to `burst`. */
  refillPerSecond: number;
  /** Tokens a queue leaves in the bucket (a reserve against jitter; see above). 0 when absent. */
  headroom?: number;
}

/** EC2's ReplaceRoute bucket as documented: 50 tokens, 5 per second (an account with raised limits passes its own). */
export const REPLACE_ROUTE_PACE: PacerSpec = WRITE_ACTION_PACE.ReplaceRoute;

export interface WritePacer {
  /**
   * Reserves `count` tokens, in arrival order (first come, first served: no caller polls or starves), and
   * returns when each may be used (epoch ms, ascending; now for tokens in the bucket). When the last would
   * come after `notAfter`, reserves nothing and returns undefined.
   */
  reserve(count: number, notAfter?: number): Promise<number[] | undefined>;
  /**
   * EC2 answered RequestLimitExceeded to a paced call: drop the free tokens, so every caller slows down to the refill.
   */
  throttled(): Promise<void>;
  /** Waits until `at` (epoch ms, as `reserve` returns it) on the pacer's clock; at once when it has passed. */
  waitUntil(at: number): Promise<void>;
}

export interface BucketState {
  /** Tokens at `at`; negative when reservations run ahead of the refill (they wait their turn). */
  tokens: number;
  /** Milliseconds since the epoch when `tokens` was measured. */
  at: number;
}

/**
 * How many turns can be served within k refills of an empty queue: the bucket's tokens less the headroom
 * a queue keeps (the bound of write-budget.ts).
 */
export const queueCapacity = (spec: PacerSpec): number => spec.burst - (spec.headroom ?? 0);

/** Whole seconds of the clock: the instants at which the pacer's refill arrives. */
const second = (ms: number): number => Math.floor(ms / 1000);

const refilled = (state: BucketState | undefined, now: number, spec: PacerSpec): number =>
  state
    ? Math.min(spec.burst, state.tokens + Math.max(0, second(now) - second(state.at)) * spec.refillPerSecond)
    : spec.burst;

/**
 * A reservation of `count` tokens at `now`. The level is EC2's bucket as the pacer's turns leave it (negative:
 * turns reserved ahead of the refill). Token j is usable now when the level covers it; otherwise at the first
 * whole second at which the level, refilling, reaches j + 1 + headroom (a waiting call leaves the headroom in
 * EC2's bucket). A reservation is a place in one queue: a later one never gets an earlier turn (first come,
 * first served). Undefined `times` (and the state only refilled) when the last token would come after `notAfter`.
 */
export const reserveTokens = (
  state: BucketState | undefined,
  now: number,
  count: number,
  spec: PacerSpec,
  notAfter = Number.POSITIVE_INFINITY,
): { times?: number[]; next: BucketState } => {
  const level = refilled(state, now, spec);
  const at = Math.max(now, state?.at ?? now);
  const headroom = spec.headroom ?? 0;
  // From the later of the two clocks: a caller whose clock lags another's never jumps the queue.
  const times = Array.from({ length: count }, (_, j) => {
    if (j + 1 <= level) return at;
    return (second(at) + Math.ceil((j + 1 + headroom - level) / spec.refillPerSecond - 1e-9)) * 1000;
  });
  if (times[count - 1] > notAfter) return { next: { tokens: level, at } };
  return { times, next: { tokens: level - count, at } };
};

/** After RequestLimitExceeded: the free tokens were not there after all; reservations already made keep their turn. */
export const drainTokens = (state: BucketState | undefined, now: number, spec: PacerSpec): BucketState => ({
  tokens: Math.min(0, refilled(state, now, spec)),
  at: Math.max(now, state?.at ?? now),
});

/** The spec itself, or a ConfigError naming what a pacer needs. */
export const checkSpec = (spec: PacerSpec): PacerSpec => {
  const headroom = spec.headroom ?? 0;
  if (!(spec.burst >= 1) || !(spec.refillPerSecond > 0) || !(headroom >= 0 && headroom < spec.burst))
    throw new ConfigError(
      `a pacer needs burst >= 1, refillPerSecond > 0 and 0 <= headroom < burst, got ${JSON.stringify(spec)}`,
    );
  return spec;
};

/** The count itself, or an InvalidRequestError when it is not a positive whole number. */
export const checkCount = (count: number): number => {
  if (!Number.isInteger(count) || count < 1)
    throw new InvalidRequestError(`a pacer reservation needs a positive whole number of tokens, got ${count}`);
  return count;
};

export interface PacerClock {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** The wall clock and a real sleep. */
export const WALL: PacerClock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

/** Sleeps until the clock reads `at` (not at all when it is past). */
export const waitOn = async (clock: PacerClock, at: number): Promise<void> => {
  const ms = at - clock.now();
  if (ms > 0) await clock.sleep(ms);
};

/** In-process pacer (the local runner, the demo, tests, the bench): every caller of one process shares it. */
export class InMemoryWritePacer implements WritePacer {
  private state: BucketState | undefined;
  /** Tokens reserved, reservations refused for their deadline, throttles reported: for tests and the bench. */
  readonly stats = { reserved: 0, refused: 0, throttled: 0 };

  constructor(
    private readonly spec: PacerSpec = REPLACE_ROUTE_PACE,
    private readonly clock: PacerClock = WALL,
  ) {
    checkSpec(spec);
  }

  waitUntil(at: number): Promise<void> {
    return waitOn(this.clock, at);
  }

  async reserve(count: number, notAfter?: number): Promise<number[] | undefined> {
    checkCount(count);
    const r = reserveTokens(this.state, this.clock.now(), count, this.spec, notAfter);
    this.state = r.next;
    if (r.times) this.stats.reserved += count;
    else this.stats.refused++;
    return r.times;
  }

  async throttled(): Promise<void> {
    this.stats.throttled++;
    this.state = drainTokens(this.state, this.clock.now(), this.spec);
  }
}

/**
 * EC2's ReplaceRouteTableAssociation bucket: its own, with the same documented mutating-action figures, and the
 * same second of refill kept in reserve (a switch of more than 45 associations meets EC2's refill like routes do).
 */
export const REPLACE_ASSOCIATION_PACE: PacerSpec = WRITE_ACTION_PACE.ReplaceRouteTableAssociation;
