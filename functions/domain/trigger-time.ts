/**
 * How far an event's own time is trusted. An event is a claim: its `time` may be anything the caller wrote.
 * Stored or compared, it never counts as later than the execution's start plus a small clock skew (so a
 * forged future time cannot make later real events look stale), and an event older than EventBridge's
 * maximum event age for the stack's targets is stale (the stack sets the same age on its rule targets).
 */

/** Seconds an event may claim to be ahead of the execution start (clock skew between services). */
export const CLOCK_SKEW_SECONDS = 60;

/** EventBridge retries delivery to the state machine for at most this long (infra: maxEventAge). */
export const MAX_EVENT_AGE_SECONDS = 3600;

/** The time an event is taken to have happened: its own, but never past the execution start plus the skew. */
export const effectiveTriggerTime = (
  eventTime: string | undefined,
  startTime: string | undefined,
): string | undefined => {
  if (!eventTime) return undefined;
  const t = Date.parse(eventTime);
  const start = Date.parse(startTime ?? '');
  if (Number.isNaN(t)) return undefined;
  if (Number.isNaN(start)) return eventTime;
  return t > start + CLOCK_SKEW_SECONDS * 1000 ? new Date(start + CLOCK_SKEW_SECONDS * 1000).toISOString() : eventTime;
};

/** Why an event is too old to act on, or undefined. */
export const tooOldReason = (eventTime: string | undefined, startTime: string | undefined): string | undefined => {
  const t = Date.parse(eventTime ?? '');
  const start = Date.parse(startTime ?? '');
  if (Number.isNaN(t) || Number.isNaN(start)) return undefined;
  const age = Math.round((start - t) / 1000);
  return age > MAX_EVENT_AGE_SECONDS
    ? `stale event: it happened at ${eventTime}, ${age} s before this execution started (more than the ` +
        `${MAX_EVENT_AGE_SECONDS} s an event is delivered for)`
    : undefined;
};
