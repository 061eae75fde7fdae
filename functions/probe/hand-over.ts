/**
 * Hand-over between a location's invocations (functions/probe/probe.ts): each writes its view under a slot of its
 * own, and runs at most HARD_RUN_MS.
 */

/** Slots per location: an invocation runs at most HARD_RUN_MS, under 3 minutes, so three minutes never share one. */
const SLOTS = 3;
/**
 * Reserved concurrency of each location's function: two invocations overlap at each hand-over, a third only if
 * one ran to its hard end while the next minute's started; never more, since each needs a slot of its own.
 */
export const PROBE_RESERVED_PER_LOCATION = SLOTS;
/** Longest an invocation probes: past the next minute's start, so one lost invocation leaves no gap. */
export const HARD_RUN_MS = 140_000;

/** The slot an invocation started at `start` writes its view under. */
export const slotOf = (location: string, start: number): string => `${location}#${Math.floor(start / 60_000) % SLOTS}`;

/** The end of the wall-clock minute `start` falls in. */
export const minuteEnd = (start: number): number => (Math.floor(start / 60_000) + 1) * 60_000;
