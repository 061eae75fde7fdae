import { createHash } from 'node:crypto';
import { type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { errorCode } from '../contract/aws-errors';
import { ConfigError } from '../contract/errors';
import { type FailoverConfig, findGroup, type Group, type Member, type ProbeConfig } from '../contract/config';
import { PROBE_SOURCE, type ProbeFailureRequest, ProbeFailureRequestSchema } from '../contract/triggers';
import { carryOver, type DetectorEvent, type DetectorState, markDeclared, observeRound } from './detector';
import { type EmfLine, groupMetricLine, memberMetricLine } from './metrics';
import type { ProbeResult } from './tcp-probe';

/**
 * One probe invocation: started every minute by EventBridge, it probes every member of one group for the rest
 * of that minute, one round every `intervalSeconds`, feeds each round to the detector and starts the failover
 * workflow when the detector declares a member down. See README "Fast detection: health probes".
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
  /** Writes one EMF line. */
  emitMetric: (line: EmfLine) => void;
  /** Writes one structured log entry. */
  log: (entry: Record<string, unknown>) => void;
}

export interface ProbeRunSettings {
  group: ProbedGroup;
  /** What the previous invocation left in this execution environment, if it is still warm. */
  carry?: DetectorState;
  /** No round starts later than this minus the probe timeout (epoch ms); default: minuteEnd(start). */
  endAt?: number;
}

export interface ProbeRunResult {
  /** For the next invocation (module scope of the handler). */
  state: DetectorState;
  rounds: number;
  started: Array<{ member: string; executionName: string } & StartOutcome>;
  alerts: Array<Extract<DetectorEvent, { type: 'all-members-down' }> & { at: string }>;
  /** StartExecution failures (retried the next round under the same name). */
  errors: string[];
}

/** Rounds stop this long before the next minute, so the next scheduled invocation never overlaps this one. */
export const MINUTE_END_MARGIN_MS = 2000;

/** When an invocation started at `start` stops starting rounds: just before the next wall-clock minute. */
export const minuteEnd = (start: number): number => (Math.floor(start / 60_000) + 1) * 60_000 - MINUTE_END_MARGIN_MS;

/**
 * Longest gap between the previous invocation's last round and this one's first across which the detector's
 * counts are carried: the normal gap is one interval plus EventBridge's delivery delay and any cold start.
 */
export const maxCarryGapMs = (probe: Pick<ProbeConfig, 'intervalSeconds'>): number =>
  3 * probe.intervalSeconds * 1000 + 10_000;

const NAME_LIMIT = 80;

/**
 * Deterministic Step Functions execution name for one failure: `probe-<group>-<member>-<first failure, epoch s>`,
 * [A-Za-z0-9_-] only and at most 80 characters (long names are cut and keep a hash of group and member). The
 * same failure always gives the same name, so a retry cannot start a second execution: Step Functions refuses
 * a name already used by this state machine (ExecutionAlreadyExists) for 90 days. Rounds are at least one second
 * apart and a new failure needs a successful round first, so two failures never share a second.
 */
export const executionName = (group: string, member: string, firstFailureAt: number): string => {
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '-');
  const epoch = String(Math.floor(firstFailureAt / 1000));
  const full = `probe-${clean(group)}-${clean(member)}-${epoch}`;
  if (full.length <= NAME_LIMIT) return full;
  const hash = createHash('sha256').update(`${group}\0${member}`).digest('hex').slice(0, 8);
  const room = NAME_LIMIT - 'probe-'.length - hash.length - epoch.length - 2;
  return `probe-${clean(`${group}-${member}`).slice(0, room)}-${hash}-${epoch}`;
};

/** The workflow input for a member declared down, validated with the schema the workflow parses it with. */
export const probeFailureRequest = (
  group: ProbedGroup,
  event: Extract<DetectorEvent, { type: 'member-down' }>,
): ProbeFailureRequest =>
  ProbeFailureRequestSchema.parse({
    source: PROBE_SOURCE,
    group: group.name,
    member: event.member,
    failedRounds: event.failedRounds,
    firstFailureAt: new Date(event.firstFailureAt).toISOString(),
    lastError: event.lastError.slice(0, 512),
    probe: {
      ports: group.probe.ports,
      intervalSeconds: group.probe.intervalSeconds,
      failureThreshold: group.probe.failureThreshold,
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

/**
 * Probes the group's members round after round until the end of the current minute (default interval 5 s:
 * about 12 rounds) and acts on the detector's events: a member declared down starts the workflow under a
 * deterministic name; every member down raises an alert (log line, metric, return value) and starts nothing.
 * Never throws for a probe or a StartExecution failure: the loop must keep watching.
 */
export const runProbeMinute = async (deps: ProbeRunDeps, settings: ProbeRunSettings): Promise<ProbeRunResult> => {
  const { group } = settings;
  const { probe } = group;
  const intervalMs = probe.intervalSeconds * 1000;
  const start = deps.now();
  const endAt = settings.endAt ?? minuteEnd(start);
  let state = carryOver(settings.carry, start, maxCarryGapMs(probe));
  const result: ProbeRunResult = { state, rounds: 0, started: [], alerts: [], errors: [] };

  for (let slot = start; slot + probe.timeoutMs <= endAt; ) {
    const wait = slot - deps.now();
    if (wait > 0) await deps.sleep(wait);
    const at = deps.now();
    const members = await Promise.all(group.members.map((m) => probeMember(m, probe, deps.probe)));
    result.rounds++;

    const outcome = observeRound(state, { at, members }, probe.failureThreshold);
    state = outcome.state;
    for (const m of members) deps.emitMetric(memberMetricLine(at, group.name, m.member, m.ok, m.latencyMs));
    deps.emitMetric(groupMetricLine(at, group.name, outcome.allMembersDown));

    for (const event of outcome.events) {
      if (event.type === 'member-down') state = await declareDown(deps, group, event, state, result);
      else if (event.type === 'all-members-down') {
        const alert = { ...event, at: new Date(at).toISOString() };
        result.alerts.push(alert);
        deps.log({
          level: 'ALERT',
          event: 'all-members-down',
          group: group.name,
          message: `every member of group "${group.name}" fails its probe: a probe-side network problem looks exactly like this, so no failover was started`,
          members: event.members,
        });
      } else {
        deps.log({
          level: 'INFO',
          event: 'member-recovered',
          group: group.name,
          member: event.member,
          failedRounds: event.failedRounds,
          wasDeclared: event.wasDeclared,
        });
      }
    }

    slot += intervalMs;
    // A round that overran (slow StartExecution) skips the slots already past instead of bursting to catch up.
    const late = deps.now() - slot;
    if (late > 0) slot += Math.ceil(late / intervalMs) * intervalMs;
  }
  result.state = state;
  return result;
};

const declareDown = async (
  deps: ProbeRunDeps,
  group: ProbedGroup,
  event: Extract<DetectorEvent, { type: 'member-down' }>,
  state: DetectorState,
  result: ProbeRunResult,
): Promise<DetectorState> => {
  const name = executionName(group.name, event.member, event.firstFailureAt);
  try {
    const outcome = await deps.startExecution({ name, input: probeFailureRequest(group, event) });
    result.started.push({ member: event.member, executionName: name, ...outcome });
    deps.log({
      level: 'WARN',
      event: 'member-down',
      group: group.name,
      member: event.member,
      failedRounds: event.failedRounds,
      firstFailureAt: new Date(event.firstFailureAt).toISOString(),
      lastError: event.lastError,
      execution: { name, ...outcome },
    });
    return markDeclared(state, event.member, name, deps.now());
  } catch (err) {
    // Not marked: the next round declares the member again and retries under the same name.
    const message = `StartExecution ${name}: ${errorCode(err)}: ${(err as Error)?.message ?? String(err)}`;
    result.errors.push(message);
    deps.log({ level: 'ERROR', event: 'start-execution-failed', group: group.name, member: event.member, message });
    return state;
  }
};

/**
 * StartExecution on the state machine, for runProbeMinute. ExecutionAlreadyExists means this failure's
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
