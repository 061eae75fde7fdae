import { InvalidRequestError } from './errors';
import * as z from './zod';

/**
 * A maintenance hold: while a group is held, automatic triggers (instance events, alarms, probe requests,
 * automatic failback) end as a no-op marked `held`; manual requests still run. It lives in the group's item
 * of the group-state table and ends by itself at `until` (compared, never deleted by a TTL).
 */
export const HoldSchema = z.lazy(() =>
  z.object({
    /** When the hold ends (ISO time). */
    until: z.string(),
    /** Who set it: the caller identity (STS GetCallerIdentity ARN). */
    by: z.string(),
    /** Why (a change ticket, a maintenance window). */
    reason: z.string(),
    /** When it was set. */
    setAt: z.string(),
  }),
);
export type Hold = z.infer<typeof HoldSchema>;

/** Longest hold: a forgotten hold must not switch a group's automatic failover off for good. */
export const HOLD_MAX_SECONDS = 7 * 24 * 3600;
/** Same bound as a manual request's reason. */
export const HOLD_REASON_MAX = 512;

/** The hold if it is still in force at `now`, else undefined (an expired hold is as good as none). */
export const activeHold = (hold: Hold | undefined, now: Date): Hold | undefined =>
  hold && Date.parse(hold.until) > now.getTime() ? hold : undefined;

/** A hold to store, checked: duration in (0, HOLD_MAX_SECONDS], a reason, a caller; else InvalidRequestError. */
export const newHold = (args: { seconds: number; by: string; reason: string; now: Date }): Hold => {
  const reason = checkHoldRequest(args);
  if (!args.by) throw new InvalidRequestError('a hold needs the identity of who sets it');
  return {
    until: new Date(args.now.getTime() + args.seconds * 1000).toISOString(),
    by: args.by,
    reason,
    setAt: args.now.toISOString(),
  };
};

/**
 * Checks what the operator asked for (duration and reason) before anything is read from AWS; returns the
 * trimmed reason. Throws InvalidRequestError.
 */
export const checkHoldRequest = (args: { seconds: number; reason: string }): string => {
  if (!Number.isFinite(args.seconds) || args.seconds <= 0 || args.seconds > HOLD_MAX_SECONDS) {
    throw new InvalidRequestError(
      `a hold lasts more than 0 s and at most ${HOLD_MAX_SECONDS / 86400} days (got ${args.seconds} s)`,
    );
  }
  const reason = args.reason.trim();
  if (reason.length === 0) throw new InvalidRequestError('a hold needs a reason (say why automatic failover is held)');
  if (reason.length > HOLD_REASON_MAX)
    throw new InvalidRequestError(`a hold's reason has at most ${HOLD_REASON_MAX} characters (got ${reason.length})`);
  return reason;
};

/** The no-op reason of an automatic trigger that met a hold. */
export const heldReason = (group: string, hold: Hold): string =>
  `held: group "${group}" is under a maintenance hold until ${hold.until} (set by ${hold.by}: ${hold.reason}); ` +
  'automatic failover did not run. A manual switchover still runs; route-failover unhold ends the hold.';
