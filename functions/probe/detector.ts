/**
 * One probe location's detector: a pure state machine fed one round at a time, in the order the rounds were
 * sent (each round's `at` is when its connects were opened, so its verdict is about the member at that time).
 *
 * - A member's failure streak is its run of consecutive failed rounds; one successful round ends it, so a
 *   flapping port (fail, ok, fail, …) starts over each time.
 * - Only the streak's rounds in which a peer answered count: from inside the VPC a probe-side problem (this
 *   location's subnet, its security group, a NACL, its AZ) looks exactly like every router failing at once,
 *   and that must never move routes. Rounds in which every member failed neither count nor end the streak.
 * - A member is down at this location when the counted rounds span at least `downAfterMs`
 *   (last counted round's `at` − first's). Every failed round lies inside the outage, so the span is shorter
 *   than the outage: an outage shorter than downAfterMs is never declared, whatever the interval, the phase
 *   of the rounds or their jitter; one longer than downAfterMs + intervalMs always is when rounds go out on
 *   time, and one longer than downAfterMs + 2 × intervalMs + L when they go out up to L late.
 * - When every member has failed for downAfterMs, the detector raises one alert per episode and declares nobody.
 *
 * Whether a member is failed over is not this detector's decision: every live location must agree
 * (functions/probe/agreement.ts).
 */

export interface MemberTrack {
  /** Consecutive failed rounds (a successful round resets the whole track). */
  failedRounds: number;
  /** `at` of the streak's first and last rounds in which a peer answered (what downAfterMs is measured on). */
  firstCountedAt?: number;
  lastCountedAt?: number;
  /** `at` of the streak's first failed round. */
  firstFailureAt?: number;
  lastError?: string;
  /** When the member was last seen answering (epoch ms of the round). */
  lastUpAt?: number;
  /** Down at this location (the span reached downAfterMs) since this round's `at`. */
  downAt?: number;
  /** The execution started (or found already started) for this streak. */
  declared?: { executionName: string; at: number };
}

export interface DetectorState {
  members: Record<string, MemberTrack>;
  /** The current all-members-down episode has been alerted. */
  allDownAlerted: boolean;
  lastRoundAt?: number;
}

export interface MemberObservation {
  member: string;
  ok: boolean;
  error?: string;
}

export type DetectorEvent =
  | {
      type: 'member-down';
      member: string;
      failedRounds: number;
      firstFailureAt: number;
      spanMs: number;
      lastError: string;
    }
  | { type: 'all-members-down'; members: Array<{ member: string; failedRounds: number; lastError: string }> }
  | { type: 'member-recovered'; member: string; failedRounds: number; wasDown: boolean; wasDeclared: boolean };

export interface RoundOutcome {
  state: DetectorState;
  events: DetectorEvent[];
  /** Every member has failed for downAfterMs (emitted as a metric). */
  allMembersDown: boolean;
}

/** A detector that has seen nothing. */
export const emptyDetectorState = (): DetectorState => ({ members: {}, allDownAlerted: false });

const FRESH: MemberTrack = { failedRounds: 0 };

/** Feeds one round (every member probed once at `at`) to the detector; returns the new state and what happened. */
export const observeRound = (
  state: DetectorState,
  round: { at: number; members: MemberObservation[] },
  downAfterMs: number,
): RoundOutcome => {
  const events: DetectorEvent[] = [];
  const up = new Set(round.members.filter((m) => m.ok).map((m) => m.member));
  const members: Record<string, MemberTrack> = {};

  for (const m of round.members) {
    const prev = state.members[m.member] ?? FRESH;
    if (m.ok) {
      if (prev.failedRounds > 0) {
        events.push({
          type: 'member-recovered',
          member: m.member,
          failedRounds: prev.failedRounds,
          wasDown: prev.downAt !== undefined,
          wasDeclared: !!prev.declared,
        });
      }
      members[m.member] = { ...FRESH, lastUpAt: round.at };
      continue;
    }
    const peerUp = [...up].some((n) => n !== m.member);
    const next: MemberTrack = {
      ...prev,
      failedRounds: prev.failedRounds + 1,
      firstFailureAt: prev.firstFailureAt ?? round.at,
      lastError: m.error ?? 'probe failed',
    };
    if (peerUp) {
      next.firstCountedAt = prev.firstCountedAt ?? round.at;
      next.lastCountedAt = round.at;
    }
    const span = next.firstCountedAt === undefined ? -1 : next.lastCountedAt! - next.firstCountedAt;
    if (next.downAt === undefined && peerUp && span >= downAfterMs) {
      next.downAt = round.at;
      events.push({
        type: 'member-down',
        member: m.member,
        failedRounds: next.failedRounds,
        firstFailureAt: next.firstCountedAt!,
        spanMs: span,
        lastError: next.lastError!,
      });
    }
    members[m.member] = next;
  }

  const allMembersDown =
    round.members.length > 0 &&
    round.members.every((m) => {
      const t = members[m.member];
      return !m.ok && t.firstFailureAt !== undefined && round.at - t.firstFailureAt >= downAfterMs;
    });
  let allDownAlerted = up.size === 0 ? state.allDownAlerted : false;
  if (allMembersDown && !allDownAlerted) {
    allDownAlerted = true;
    events.push({
      type: 'all-members-down',
      members: round.members.map((m) => ({
        member: m.member,
        failedRounds: members[m.member].failedRounds,
        lastError: members[m.member].lastError!,
      })),
    });
  }
  return { state: { members, allDownAlerted, lastRoundAt: round.at }, events, allMembersDown };
};

/** Members down at this location now, with the start of their counted streak (what the location publishes). */
export const downMembers = (state: DetectorState): Record<string, number> =>
  Object.fromEntries(
    Object.entries(state.members)
      .filter(([, t]) => t.downAt !== undefined)
      .map(([m, t]) => [m, t.firstCountedAt!]),
  );

/** When each member last answered at this location (what the location publishes beside its down list). */
export const lastUpTimes = (state: DetectorState): Record<string, number> =>
  Object.fromEntries(
    Object.entries(state.members)
      .filter(([, t]) => t.lastUpAt !== undefined)
      .map(([m, t]) => [m, t.lastUpAt!]),
  );

/** Records that an execution was started (or already existed) for the member's current streak. */
export const markDeclared = (
  state: DetectorState,
  member: string,
  executionName: string,
  at: number,
): DetectorState => {
  const track = state.members[member];
  if (!track) return state;
  return { ...state, members: { ...state.members, [member]: { ...track, declared: { executionName, at } } } };
};
