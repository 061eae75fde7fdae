/**
 * The consecutive-failure detector: a pure state machine fed one probe round at a time.
 *
 * - A member's failure streak is its run of consecutive failed rounds; one successful round ends it, so a
 *   flapping port (fail, ok, fail, …) never reaches the threshold.
 * - A member is declared down when `failureThreshold` rounds of its streak failed WHILE at least one peer
 *   answered. Rounds in which every member failed neither count nor end the streak: from inside the VPC, a
 *   probe-side problem (the probe's subnet, its security group, a NACL) looks exactly like every router
 *   failing at once, and that must never move routes.
 * - When every member has failed `failureThreshold` consecutive rounds, the detector raises one alert per
 *   episode and declares nobody.
 * - A declared member is declared once per streak; the caller records the execution it started
 *   (markDeclared) so later rounds do not start another.
 */

export interface MemberTrack {
  /** Consecutive failed rounds (a successful round resets the whole track). */
  failedRounds: number;
  /** Those of the streak's rounds in which at least one peer answered: what the threshold counts. */
  failedWhilePeerUp: number;
  /** Start of the streak's first failed round (epoch ms): part of the execution name. */
  firstFailureAt?: number;
  lastError?: string;
  /** The execution started (or found already started) for this streak. */
  declared?: { executionName: string; at: number };
}

export interface DetectorState {
  members: Record<string, MemberTrack>;
  /** The current all-members-down episode has been alerted. */
  allDownAlerted: boolean;
  /** Start of the last round observed (epoch ms): how carryOver knows whether rounds were missed. */
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
      failedWhilePeerUp: number;
      firstFailureAt: number;
      lastError: string;
    }
  | { type: 'all-members-down'; members: Array<{ member: string; failedRounds: number; lastError: string }> }
  | { type: 'member-recovered'; member: string; failedRounds: number; wasDeclared: boolean };

export interface RoundOutcome {
  state: DetectorState;
  events: DetectorEvent[];
  /** Every member has failed at least the threshold of consecutive rounds (emitted as a metric each round). */
  allMembersDown: boolean;
}

/** A detector that has seen nothing. */
export const emptyDetectorState = (): DetectorState => ({ members: {}, allDownAlerted: false });

const FRESH: MemberTrack = { failedRounds: 0, failedWhilePeerUp: 0 };

/** Feeds one round (every member probed once at `at`) to the detector; returns the new state and what happened. */
export const observeRound = (
  state: DetectorState,
  round: { at: number; members: MemberObservation[] },
  failureThreshold: number,
): RoundOutcome => {
  const events: DetectorEvent[] = [];
  const up = new Set(round.members.filter((m) => m.ok).map((m) => m.member));
  const members: Record<string, MemberTrack> = {};

  for (const m of round.members) {
    const prev = state.members[m.member] ?? FRESH;
    if (m.ok) {
      if (prev.failedRounds > 0)
        events.push({
          type: 'member-recovered',
          member: m.member,
          failedRounds: prev.failedRounds,
          wasDeclared: !!prev.declared,
        });
      members[m.member] = { ...FRESH };
      continue;
    }
    const peerUp = [...up].some((n) => n !== m.member);
    const next: MemberTrack = {
      failedRounds: prev.failedRounds + 1,
      failedWhilePeerUp: prev.failedWhilePeerUp + (peerUp ? 1 : 0),
      firstFailureAt: prev.firstFailureAt ?? round.at,
      lastError: m.error ?? 'probe failed',
      declared: prev.declared,
    };
    members[m.member] = next;
    if (!next.declared && peerUp && next.failedWhilePeerUp >= failureThreshold) {
      events.push({
        type: 'member-down',
        member: m.member,
        failedRounds: next.failedRounds,
        failedWhilePeerUp: next.failedWhilePeerUp,
        firstFailureAt: next.firstFailureAt!,
        lastError: next.lastError!,
      });
    }
  }

  const allMembersDown =
    round.members.length > 0 && round.members.every((m) => !m.ok && members[m.member].failedRounds >= failureThreshold);
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

/**
 * The state a new invocation starts from, given what the previous one left (if this execution environment
 * is still warm). Kept as is when the gap since its last round is at most `maxGapMs`. After a longer gap a
 * member may have recovered and failed again unseen, so streaks restart from zero, except those already
 * declared: a member that is still down must not be failed over a second time.
 */
export const carryOver = (
  carried: DetectorState | undefined,
  firstRoundAt: number,
  maxGapMs: number,
): DetectorState => {
  if (!carried) return emptyDetectorState();
  if (carried.lastRoundAt !== undefined && firstRoundAt - carried.lastRoundAt <= maxGapMs) return carried;
  const members = Object.fromEntries(Object.entries(carried.members).filter(([, t]) => t.declared !== undefined));
  return { members, allDownAlerted: carried.allDownAlerted, lastRoundAt: carried.lastRoundAt };
};
