/**
 * Agreement between probe locations: a member is failed over only when every live location has it down.
 *
 * Each probe invocation (one location = one subnet, one AZ; two invocations of a location overlap for a few
 * seconds each minute, see probe.ts) publishes its view in the group's probe item (functions/probe/probe-state.ts):
 * the members it has down, since when, and when it last saw each member answer. A view is live while it has
 * been refreshed within `livenessMs`. A location is live when one of its views is, and has a member down when
 * one of its live views does: an invocation that has just started has seen too little to contradict the one it
 * takes over from, which keeps probing until the new one has seen enough (the hand-over).
 *
 * The first location to see agreement claims the failure in the item (a conditional write): the claim names
 * the execution, so every location and every invocation starts the same one (Step Functions refuses a second
 * execution of that name), and one failure starts one failover. The claim lasts until a live location has seen
 * the member answer after it.
 */

export interface LocationView {
  /** The probe location (its subnet ID). */
  location: string;
  /** The invocation's slot in the item (location and minute), unique among invocations running at once. */
  slot: string;
  /** When the invocation started, and when this view was written (epoch ms). */
  startedAt: number;
  at: number;
  /** Members down at this location, with the start of their counted failure streak. */
  down: Record<string, number>;
  /** When each member last answered at this location. */
  lastUp: Record<string, number>;
}

export interface Claim {
  member: string;
  executionName: string;
  /** When the claim was written. */
  at: number;
  /** The earliest start of the agreeing locations' streaks. */
  firstFailureAt: number;
  /** The locations that agreed. */
  locations: string[];
}

export interface ProbeItem {
  views: LocationView[];
  claims: Record<string, Claim>;
}

export interface AgreementSettings {
  /** A view older than this is not live. */
  livenessMs: number;
  /** Live locations that must agree (at least 1). */
  minLocations: number;
}

export type Agreement =
  | { agreed: true; member: string; firstFailureAt: number; locations: string[] }
  | { agreed: false; member: string; reason: string; liveLocations: string[] };

/** Views refreshed within livenessMs of `now`. */
export const liveViews = (views: LocationView[], now: number, livenessMs: number): LocationView[] =>
  views.filter((v) => now - v.at <= livenessMs);

/** Whether every live location has `member` down, and at least minLocations of them are live. */
export const agreement = (item: ProbeItem, member: string, now: number, s: AgreementSettings): Agreement => {
  const live = liveViews(item.views, now, s.livenessMs);
  const locations = [...new Set(live.map((v) => v.location))].sort();
  const disagreeing = locations.filter((loc) => !live.some((v) => v.location === loc && v.down[member] !== undefined));
  if (disagreeing.length > 0)
    return { agreed: false, member, reason: `not down at ${disagreeing.join(', ')}`, liveLocations: locations };
  if (locations.length < Math.max(1, s.minLocations)) {
    return {
      agreed: false,
      member,
      reason: `${locations.length} live location(s), ${s.minLocations} must agree`,
      liveLocations: locations,
    };
  }
  const since = Math.min(...live.filter((v) => v.down[member] !== undefined).map((v) => v.down[member]));
  return { agreed: true, member, firstFailureAt: since, locations };
};

/**
 * Whether a claim still stands for the member's current failure: it does until a live location has seen the
 * member answer after the claim was written (then the next agreement is a new failure and claims anew).
 */
export const claimStands = (
  claim: Claim | undefined,
  item: ProbeItem,
  now: number,
  livenessMs: number,
): claim is Claim =>
  claim !== undefined &&
  !liveViews(item.views, now, livenessMs).some((v) => (v.lastUp[claim.member] ?? -Infinity) > claim.at);
