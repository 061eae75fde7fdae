import { errorCode } from '../contract/aws-errors';
import {
  agreement,
  type AgreementSettings,
  type Claim,
  claimStands,
  type LocationView,
  type ProbeItem,
} from './agreement';
import {
  type DetectorEvent,
  type DetectorState,
  downMembers,
  emptyDetectorState,
  lastUpTimes,
  markDeclared,
  observeRound,
} from './detector';
import { minuteEnd, slotOf } from './hand-over';
import { newPeriod } from './metric-period';
import { type EmfLine, METRIC_PERIOD_MS } from './metrics';
import type { ProbeStateStore } from './probe-state';
import { type ProbedGroup, probeTiming } from './probed-group';
import { probeMember, type RoundResult, type TcpProbe } from './round';
import { executionName, probeFailureRequest, type StartExecution, type StartOutcome } from './start-execution';

/**
 * One probe invocation at one location (a subnet, so an AZ): started every minute by EventBridge, it probes every
 * member of its group round after round, one round every `intervalMs` (rounds overlap when a connect waits for
 * its timeout), feeds each round to this location's detector in the order the rounds were sent, publishes the
 * location's view in the group's probe item, and starts the failover workflow when every live location has the
 * member down (functions/probe/agreement.ts). See docs/detection.md.
 *
 * Hand-over: an invocation probes past the end of its minute until the next invocation of its location has
 * been probing for `warmupMs` (its view is in the item), then stops; the next one has by then seen enough to
 * declare any failure the first one would have. If no successor comes (EventBridge late or lost), it keeps
 * probing up to its hard end, past the following minute's start, so one lost invocation leaves no gap.
 */

export interface ProbeRunDeps {
  /** Wall clock, epoch milliseconds. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** One TCP probe (tcpProbe in production); must not reject. */
  probe: TcpProbe;
  /** Starts the workflow under a given name; an execution of that name that already exists is not an error. */
  startExecution: StartExecution;
  /** Where the locations meet (the group-state table). */
  state: ProbeStateStore;
  /** Writes one EMF line. */
  emitMetric: (line: EmfLine) => void;
  /** Writes one structured log entry. */
  log: (entry: Record<string, unknown>) => void;
}

export interface ProbeRunSettings {
  group: ProbedGroup;
  /** This location: the subnet the function runs in. */
  location: string;
  /** No round starts later than this minus the probe timeout (epoch ms). */
  hardEndAt: number;
  /** Before this, never hand over (default: the end of the invocation's minute). */
  handOverAfter?: number;
}

export interface ProbeRunResult {
  rounds: number;
  /** Why the invocation stopped. */
  stopped: 'handed-over' | 'hard-end';
  started: Array<{ member: string; executionName: string } & StartOutcome>;
  alerts: Array<Extract<DetectorEvent, { type: 'all-members-down' }> & { at: string }>;
  /** Store and StartExecution failures (each retried on the next publish). */
  errors: string[];
  /** The detector as it ended. */
  state: DetectorState;
}

/**
 * Probes the group from one location until handed over (or the hard end) and acts on what it sees: a member
 * down here is published at once, and started under the claimed name when every live location agrees; every
 * member down here raises an alert and starts nothing. Never throws for a probe, store or StartExecution failure:
 * the loop must keep watching.
 */
export const runProbeLocation = async (deps: ProbeRunDeps, settings: ProbeRunSettings): Promise<ProbeRunResult> => {
  const { group, location } = settings;
  const { probe } = group;
  const timing = probeTiming(probe);
  const agreementSettings: AgreementSettings = { livenessMs: timing.livenessMs, minLocations: timing.minLocations };
  const startedAt = deps.now();
  const slot = slotOf(location, startedAt);
  const handOverAfter = settings.handOverAfter ?? minuteEnd(startedAt);
  let state = emptyDetectorState();
  let lastPublishAt = -Infinity;
  let dirty = true;
  let handedOver = false;
  const result: ProbeRunResult = { rounds: 0, stopped: 'hard-end', started: [], alerts: [], errors: [], state };
  const period = newPeriod(startedAt);

  const fail = (what: string, err: unknown) => {
    const message = `${what}: ${errorCode(err)}: ${(err as Error)?.message ?? String(err)}`;
    result.errors.push(message);
    deps.log({ level: 'ERROR', event: 'probe-error', group: group.name, location, message });
  };

  const declare = async (item: ProbeItem, member: string): Promise<void> => {
    const now = deps.now();
    const a = agreement(item, member, now, agreementSettings);
    if (!a.agreed) return;
    const track = state.members[member];
    let claim: Claim;
    try {
      const standing = item.claims[member];
      claim = claimStands(standing, item, now, timing.livenessMs)
        ? standing
        : await deps.state.claim(
            group.name,
            {
              member,
              executionName: executionName(group.name, member, a.firstFailureAt),
              at: now,
              firstFailureAt: a.firstFailureAt,
              locations: a.locations,
            },
            standing,
          );
    } catch (err) {
      fail(`claim ${member}`, err);
      return;
    }
    try {
      const outcome = await deps.startExecution({
        name: claim.executionName,
        input: probeFailureRequest(group, claim, track.failedRounds, track.lastError ?? 'probe failed'),
      });
      result.started.push({ member, executionName: claim.executionName, ...outcome });
      deps.log({
        level: 'WARN',
        event: 'member-down',
        group: group.name,
        member,
        location,
        agreed: claim.locations,
        firstFailureAt: new Date(claim.firstFailureAt).toISOString(),
        lastError: track.lastError,
        execution: { name: claim.executionName, ...outcome },
      });
      state = markDeclared(state, member, claim.executionName, deps.now());
    } catch (err) {
      // Not marked: the next publish checks the agreement again and retries under the same (claimed) name.
      fail(`StartExecution ${claim.executionName}`, err);
    }
  };

  const publish = async (): Promise<void> => {
    const now = deps.now();
    const view: LocationView = {
      location,
      slot,
      startedAt,
      at: now,
      down: downMembers(state),
      lastUp: lastUpTimes(state),
    };
    let item: ProbeItem;
    try {
      item = await deps.state.publish(group.name, view);
    } catch (err) {
      fail('publish', err);
      return;
    }
    lastPublishAt = now;
    dirty = false;
    for (const member of Object.keys(view.down)) if (!state.members[member]?.declared) await declare(item, member);
    // The successor of this location has probed long enough: it sees all this invocation would.
    if (now >= handOverAfter) {
      handedOver = item.views.some(
        (v) =>
          v.location === location &&
          v.slot !== slot &&
          v.startedAt > startedAt &&
          now - v.at <= timing.livenessMs &&
          now - v.startedAt >= timing.warmupMs,
      );
    }
  };

  const handle = async (round: RoundResult): Promise<void> => {
    result.rounds++;
    const outcome = observeRound(state, round, probe.downAfterMs);
    state = outcome.state;
    period.add(round, outcome.allMembersDown);
    for (const event of outcome.events) {
      if (event.type === 'member-down') {
        dirty = true;
        deps.log({
          level: 'INFO',
          event: 'member-down-here',
          group: group.name,
          location,
          member: event.member,
          spanMs: event.spanMs,
          failedRounds: event.failedRounds,
        });
      } else if (event.type === 'all-members-down') {
        const alert = { ...event, at: new Date(round.at).toISOString() };
        result.alerts.push(alert);
        deps.log({
          level: 'ALERT',
          event: 'all-members-down',
          group: group.name,
          location,
          message:
            `every member of group "${group.name}" fails its probe from ${location}: ` +
            'a probe-side network problem looks exactly like this, so this location declares nobody',
          members: event.members,
        });
      } else {
        if (event.wasDown) dirty = true;
        deps.log({
          level: 'INFO',
          event: 'member-recovered',
          group: group.name,
          location,
          member: event.member,
          failedRounds: event.failedRounds,
          wasDeclared: event.wasDeclared,
        });
      }
    }
    const now = deps.now();
    if (now - period.start >= METRIC_PERIOD_MS) period.flush(deps, group.name, location, now);
    if (dirty || now - lastPublishAt >= probe.heartbeatMs) await publish();
  };

  // Rounds are sent on schedule, whatever earlier rounds still wait for; they are judged in the order sent.
  let judged: Promise<void> = Promise.resolve();
  for (let slotAt = startedAt; slotAt + probe.timeoutMs <= settings.hardEndAt && !handedOver; ) {
    const wait = slotAt - deps.now();
    if (wait > 0) await deps.sleep(wait);
    if (handedOver) break;
    const at = deps.now();
    const round = Promise.all(group.members.map((m) => probeMember(m, probe, deps.probe))).then(
      (members): RoundResult => ({ at, members }),
    );
    // A verdict that throws (it should not: every call in it is caught) must not stop the ones after it.
    judged = judged.then(() => round.then(handle)).catch((err) => fail('round', err));
    slotAt += probe.intervalMs;
    // A late wake-up skips the slots already past instead of bursting to catch up.
    const late = deps.now() - slotAt;
    if (late > 0) slotAt += Math.ceil(late / probe.intervalMs) * probe.intervalMs;
  }
  await judged;
  result.stopped = handedOver ? 'handed-over' : 'hard-end';
  period.flush(deps, group.name, location, deps.now());
  try {
    await deps.state.retire(group.name, slot);
  } catch (err) {
    fail('retire', err);
  }
  result.state = state;
  return result;
};
