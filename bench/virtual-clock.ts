/**
 * A discrete-event clock for the benchmark: every wait (simulated EC2 latency, token refill, the state
 * machine's Retry backoff, Task and execution timeouts, VerifySwitch' re-reads) happens in virtual time,
 * which jumps straight to the next timer once the process has nothing else to do. A run that takes
 * minutes of simulated time finishes in the CPU time it needs, and its figures are exact for the model:
 * every call costs exactly its latency, every backoff exactly what the definition says, and the runner's
 * own CPU time costs nothing (real Step Functions adds its state-transition overhead on top).
 *
 * aws-local-stepfunctions reads time and waits through the globals (setTimeout, clearTimeout, Date,
 * Math.random for retry jitter), so `run` swaps them for virtual, seeded ones for the duration of one
 * run and puts the originals back after. The simulated VPC and the task handlers take the clock directly.
 */

import { mulberry32 } from '../sim';

interface Timer {
  id: number;
  at: number;
  seq: number;
  fn: (...args: unknown[]) => void;
  args: unknown[];
}

/** A small seeded PRNG (the simulated VPC's mulberry32) so retry jitter is reproducible. */
export const seededRandom = (seed: number): (() => number) => mulberry32(seed);

/** A timer handle shaped enough like Node's Timeout for code that calls ref/unref on it. */
class VirtualTimeout {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

export class VirtualClock {
  private t: number;
  private seq = 0;
  private readonly heap: Timer[] = [];
  private readonly live = new Set<number>();
  private running = false;

  /** `epochMs`: the virtual time at which the clock starts (a fixed instant keeps runs reproducible). */
  constructor(epochMs = Date.UTC(2026, 0, 1)) {
    this.t = epochMs;
  }

  /** Virtual milliseconds since the Unix epoch. */
  now(): number {
    return this.t;
  }

  /** Resolves when virtual time has advanced by `ms` (immediately scheduled for ms <= 0). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(() => resolve(), ms, []));
  }

  /** Timers waiting to fire. */
  pending(): number {
    return this.live.size;
  }

  /**
   * Runs `fn` with the global timers, Date and Math.random made virtual (Math.random seeded with `seed`),
   * firing timers in time order whenever the process is idle, until fn's promise settles. Timers left
   * behind (for example a retry of an execution that timed out) are dropped.
   */
  async run<T>(fn: () => Promise<T>, opts: { seed?: number } = {}): Promise<T> {
    if (this.running) throw new Error('VirtualClock.run is not re-entrant');
    this.running = true;
    const restore = this.install(seededRandom(opts.seed ?? 1));
    try {
      let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
      fn().then(
        (value) => (outcome = { ok: true, value }),
        (error) => (outcome = { ok: false, error }),
      );
      let idleHops = 0;
      while (outcome === undefined) {
        // One real macrotask hop: every promise chain started by the last timer runs to its next wait.
        await realImmediate();
        if (outcome !== undefined) break;
        const next = this.pop();
        if (next === undefined) {
          // Nothing scheduled and not settled: something waits on real I/O or on nothing at all.
          if (++idleHops > 1000) throw new Error('VirtualClock: the run is waiting on something other than a timer');
          continue;
        }
        idleHops = 0;
        this.t = Math.max(this.t, next.at);
        next.fn(...next.args);
      }
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    } finally {
      restore();
      this.heap.length = 0;
      this.live.clear();
      this.running = false;
    }
  }

  private schedule(fn: (...args: unknown[]) => void, ms: unknown, args: unknown[]): VirtualTimeout {
    const delay = typeof ms === 'number' && Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer: Timer = { id: ++this.seq, at: this.t + delay, seq: this.seq, fn, args };
    this.live.add(timer.id);
    this.push(timer);
    return new VirtualTimeout(timer.id);
  }

  private cancel(handle: unknown): void {
    if (handle === undefined || handle === null) return;
    const id = handle instanceof VirtualTimeout ? handle.id : Number(handle);
    this.live.delete(id);
  }

  private install(random: () => number): () => void {
    const g = globalThis as unknown as Record<string, unknown>;
    const saved = { setTimeout: g.setTimeout, clearTimeout: g.clearTimeout, Date: g.Date, random: Math.random };
    const RealDate = Date;
    const clock = this;
    // `new Date()` and Date.now() read virtual time; every other form and every existing Date is untouched.
    class VirtualDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(clock.now());
        else super(...(args as [string]));
      }
      static override now(): number {
        return clock.now();
      }
      static override [Symbol.hasInstance](value: unknown): boolean {
        return value instanceof RealDate;
      }
    }
    g.setTimeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]) => this.schedule(fn, ms, args);
    g.clearTimeout = (handle: unknown) => this.cancel(handle);
    g.Date = VirtualDate;
    Math.random = random;
    return () => {
      g.setTimeout = saved.setTimeout;
      g.clearTimeout = saved.clearTimeout;
      g.Date = saved.Date;
      Math.random = saved.random;
    };
  }

  // A binary heap on (at, seq): earliest first, FIFO among equals, as Node fires timers.
  private push(timer: Timer): void {
    const h = this.heap;
    h.push(timer);
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(h[i], h[parent])) break;
      [h[i], h[parent]] = [h[parent], h[i]];
      i = parent;
    }
  }

  /** The next live timer, removed; cancelled ones are dropped on the way. */
  private pop(): Timer | undefined {
    const h = this.heap;
    while (h.length > 0) {
      const top = h[0];
      const last = h.pop() as Timer;
      if (h.length > 0) {
        h[0] = last;
        for (let i = 0; ; ) {
          const l = 2 * i + 1;
          const r = l + 1;
          let m = i;
          if (l < h.length && before(h[l], h[m])) m = l;
          if (r < h.length && before(h[r], h[m])) m = r;
          if (m === i) break;
          [h[i], h[m]] = [h[m], h[i]];
          i = m;
        }
      }
      if (this.live.delete(top.id)) return top;
    }
    return undefined;
  }
}

const before = (a: Timer, b: Timer): boolean => a.at < b.at || (a.at === b.at && a.seq < b.seq);

// Captured at load, before any run swaps the globals.
const realSetImmediate = setImmediate;
const realImmediate = (): Promise<void> => new Promise((resolve) => realSetImmediate(resolve));

/** The wall clock, for `--clock real` cross-checks of the virtual figures. */
export const WALL_CLOCK = {
  now: (): number => Date.now(),
  sleep: (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms)),
};
