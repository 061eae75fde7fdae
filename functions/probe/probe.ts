import { createHash } from 'node:crypto';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorCode } from '../contract/aws-errors';
import { ConfigError } from '../contract/errors';
import { type FailoverConfig, findGroup, type Group, type Member, type ProbeConfig } from '../contract/config';
import { PROBE_SOURCE, type ProbeFailureRequest, ProbeFailureRequestSchema } from '../contract/triggers';
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
import { type EmfLine, locationMetricLine, memberMetricLine, METRIC_PERIOD_MS } from './metrics';
import type { ProbeStateStore } from './probe-state';
import type { ProbeResult } from './tcp-probe';

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

/** A group whose probe is configured (the config schema has then checked every member's probeAddress). */
export type ProbedGroup = Group & { probe: ProbeConfig };

export interface StartOutcome {
  status: 'started' | 'already-started';
  executionArn?: string;
}

export interface ProbeRunDeps {
  /** Wall clock, epoch milliseconds. */
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** One TCP probe (tcpProbe in production); must not reject. */
  probe: (address: string, port: number, timeoutMs: number) => Promise<ProbeResult>;
  /** Starts the workflow under a given name; an execution of that name that already exists is not an error. */
  startExecution: (request: { name: string; input: ProbeFailureRequest }) => Promise<StartOutcome>;
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

/** Timing derived from a probe config: what every location and the workflow input agree on. */
export const probeTiming = (probe: ProbeConfig) => ({
  /** A view not refreshed for this long is not live. */
  livenessMs: Math.round(2.5 * probe.heartbeatMs),
  /** How long a new invocation probes before the one it takes over from may stop. */
  warmupMs: probe.downAfterMs + probe.intervalMs + probe.timeoutMs + 500,
  minLocations: probe.minAgreeingLocations ?? Math.min(2, probe.subnetIds.length),
});

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

const NAME_LIMIT = 80;

/**
 * Deterministic Step Functions execution name for one failure: `probe-<group>-<member>-<first failure, epoch ms>`,
 * [A-Za-z0-9_-] only and at most 80 characters (long names are cut and keep a hash of group and member). The
 * claim in the probe item carries it to every location; Step Functions refuses a name already used by this
 * state machine (ExecutionAlreadyExists) for 90 days, so a retry cannot start a second execution.
 */
export const executionName = (group: string, member: string, firstFailureAt: number): string => {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
  const epoch = String(Math.floor(firstFailureAt));
  const full = `probe-${clean(group)}-${clean(member)}-${epoch}`;
  if (full.length <= NAME_LIMIT) return full;
  const hash = createHash('sha256').update(`${group}\0${member}`).digest('hex').slice(0, 8);
  const room = NAME_LIMIT - 'probe-'.length - hash.length - epoch.length - 2;
  return `probe-${clean(`${group}-${member}`).slice(0, room)}-${hash}-${epoch}`;
};

/** The workflow input for a member every live location has down, validated with the schema the workflow parses it with. */
export const probeFailureRequest = (
  group: ProbedGroup,
  claim: Claim,
  failedRounds: number,
  lastError: string,
): ProbeFailureRequest =>
  ProbeFailureRequestSchema.parse({
    source: PROBE_SOURCE,
    group: group.name,
    member: claim.member,
    failedRounds,
    firstFailureAt: new Date(claim.firstFailureAt).toISOString(),
    lastError: lastError.slice(0, 512),
    probe: {
      ports: group.probe.ports,
      intervalMs: group.probe.intervalMs,
      downAfterMs: group.probe.downAfterMs,
      locations: claim.locations,
    },
  });

/** The group named `name` of a (probe-only) config, with its probe enabled; ConfigError otherwise. */
export const probedGroup = (config: FailoverConfig, name: string): ProbedGroup => {
  const group = findGroup(config, name);
  if (!group) throw new ConfigError(`PROBE_CONFIG has no group "${name}"`);
  if (!group.probe?.enabled) throw new ConfigError(`group "${name}" has no enabled probe`);
  return group as ProbedGroup;
};

/** A member's round: every configured port probed in parallel; the round fails if any port fails. */
export const probeMember = async (
  member: Member,
  probe: ProbeConfig,
  tcp: ProbeRunDeps['probe'],
): Promise<{ member: string; ok: boolean; latencyMs: number; error?: string }> => {
  const address = member.probeAddress!;
  const results = await Promise.all(
    probe.ports.map(async (port) => ({ port, ...(await tcp(address, port, probe.timeoutMs)) })),
  );
  const failed = results.filter((r) => !r.ok);
  return {
    member: member.name,
    ok: failed.length === 0,
    latencyMs: Math.max(...results.map((r) => r.latencyMs)),
    error:
      failed.length === 0
        ? undefined
        : failed.map((r) => `${address}:${r.port} ${r.error ?? r.failure ?? 'failed'}`).join('; '),
  };
};

type RoundResult = { at: number; members: Array<{ member: string; ok: boolean; latencyMs: number; error?: string }> };

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
          message: `every member of group "${group.name}" fails its probe from ${location}: a probe-side network problem looks exactly like this, so this location declares nobody`,
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

/** Rounds of one report period, aggregated into a few EMF lines. */
const newPeriod = (start: number) => {
  const p = {
    start,
    rounds: 0,
    allDown: false,
    members: new Map<string, { ok: number; n: number; maxLatency?: number }>(),
    add(round: RoundResult, allMembersDown: boolean) {
      p.rounds++;
      p.allDown ||= allMembersDown;
      for (const m of round.members) {
        const s = p.members.get(m.member) ?? { ok: 0, n: 0 };
        s.n++;
        if (m.ok) {
          s.ok++;
          s.maxLatency = Math.max(s.maxLatency ?? 0, m.latencyMs);
        }
        p.members.set(m.member, s);
      }
    },
    flush(deps: Pick<ProbeRunDeps, 'emitMetric'>, group: string, location: string, now: number) {
      if (p.rounds === 0) return;
      for (const [member, s] of p.members)
        deps.emitMetric(memberMetricLine(now, group, member, s.ok / s.n, s.maxLatency));
      deps.emitMetric(locationMetricLine(now, group, location, p.rounds, p.allDown));
      p.start = now;
      p.rounds = 0;
      p.allDown = false;
      p.members.clear();
    },
  };
  return p;
};

/**
 * StartExecution on the state machine, for runProbeLocation. ExecutionAlreadyExists means this failure's
 * execution was started before (a retry, or a previous invocation): reported as already started.
 */
export const stepFunctionsStarter =
  (sfn: SFNClient, stateMachineArn: string): ProbeRunDeps['startExecution'] =>
  async ({ name, input }) => {
    try {
      const out = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      return { status: 'started', executionArn: out.executionArn };
    } catch (err) {
      if (errorCode(err) === 'ExecutionAlreadyExists')
        return { status: 'already-started', executionArn: executionArnOf(stateMachineArn, name) };
      throw err;
    }
  };

/** arn:…:stateMachine:<machine> + name → arn:…:execution:<machine>:<name>. */
export const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
