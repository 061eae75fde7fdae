/**
 * Keeping the functions on the failover's critical path warm: the health probe invokes them once a minute with
 * this event (asynchronously), so that Lambda keeps an initialized execution environment of each, and the first
 * Task states of a failover start without a cold start (docs/detection.md, "The first write"). A warm-up does
 * nothing else: it returns before reading its environment or parsing anything.
 */

export const WARM_UP_EVENT = { warmUp: 'vpc-route-failover' } as const;

/** Whether an event is the probe's warm-up (exactly that shape, nothing a Task state sends). */
export const isWarmUp = (event: unknown): boolean =>
  typeof event === 'object' &&
  event !== null &&
  Object.keys(event).length === 1 &&
  (event as Record<string, unknown>).warmUp === WARM_UP_EVENT.warmUp;

/** The handler, answering a warm-up at once. */
export const answeringWarmUp =
  <T>(handler: (event: unknown) => Promise<T>) =>
  async (event: unknown): Promise<T | { warm: true }> =>
    isWarmUp(event) ? { warm: true } : handler(event);
