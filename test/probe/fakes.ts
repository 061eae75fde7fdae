import { parseConfig } from '../../functions/contract/config';
import { type ProbeRunDeps, runProbeLocation } from '../../functions/probe/probe';
import type { ProbedGroup } from '../../functions/probe/probed-group';
import type { StartOutcome } from '../../functions/probe/start-execution';
import { InMemoryProbeState } from '../../functions/probe/probe-state';
import { VirtualClock } from '../../bench/virtual-clock';
import type { ProbeResult } from '../../functions/probe/tcp-probe';
import type { EmfLine } from '../../functions/probe/metrics';
import type { ProbeFailureRequest } from '../../functions/contract/triggers';

/** Fakes for runProbeMinute: a virtual clock, scripted probes and a recording StartExecution. */

export const ADDRESS = { 'router-a': '10.0.1.10', 'router-b': '10.0.2.10' } as const;
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:vpc-route-failover';
export const SUBNET_A = 'subnet-0123456789abcdef0';
export const SUBNET_B = 'subnet-0123456789abcdef1';

/**
 * A fresh, validated group with the probe enabled in two subnets (defaults: port 179, every 250 ms, 500 ms,
 * down after 1 s).
 */
export const probedGroupFixture = (probe: Record<string, unknown> = {}, name = 'onprem-edge'): ProbedGroup =>
  parseConfig({
    groups: [
      {
        name,
        vpcId: 'vpc-0123456789abcdef0',
        members: [
          { name: 'router-a', instanceId: 'i-0a1b2c3d4e5f60001', probeAddress: ADDRESS['router-a'] },
          { name: 'router-b', instanceId: 'i-0a1b2c3d4e5f60002', probeAddress: ADDRESS['router-b'] },
        ],
        preferred: 'router-a',
        probe: { subnetIds: [SUBNET_A, SUBNET_B], ...probe },
      },
    ],
  }).groups[0] as ProbedGroup;

/**
 * Virtual wall clock. sleep() moves time forward to now + ms; sleeps started together (parallel probes that
 * time out) end together rather than adding up.
 */
export const virtualClock = (start: number) => {
  let t = start;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      const until = t + ms;
      await Promise.resolve();
      t = Math.max(t, until);
    },
    set: (ms: number) => {
      t = ms;
    },
  };
};

export type Behaviour = 'up' | 'refused' | 'blackhole';

/**
 * A probe whose answer for an address depends on the virtual time: `script(member, t)`. A blackholed port
 * costs the whole timeout in virtual time, a refusal 1 ms, an answer 2 ms.
 */
export const scriptedProbe = (
  clock: ReturnType<typeof virtualClock>,
  script: (member: keyof typeof ADDRESS, t: number) => Behaviour,
) => {
  const byAddress = Object.fromEntries(Object.entries(ADDRESS).map(([m, a]) => [a, m as keyof typeof ADDRESS]));
  const calls: Array<{ address: string; port: number; at: number }> = [];
  const probe = async (address: string, port: number, timeoutMs: number): Promise<ProbeResult> => {
    const at = clock.now();
    calls.push({ address, port, at });
    const behaviour = script(byAddress[address], at);
    if (behaviour === 'blackhole') {
      await clock.sleep(timeoutMs);
      return {
        ok: false,
        latencyMs: timeoutMs,
        failure: 'timeout',
        error: `timeout: no answer within ${timeoutMs} ms`,
      };
    }
    if (behaviour === 'refused')
      return { ok: false, latencyMs: 1, failure: 'refused', error: `refused: connect ECONNREFUSED ${address}:${port}` };
    return { ok: true, latencyMs: 2 };
  };
  return { probe, calls };
};

/** Everything runProbeMinute needs, recording what it does. `start` decides what StartExecution answers. */
export const recordingDeps = (
  clock: ReturnType<typeof virtualClock>,
  probe: ProbeRunDeps['probe'],
  start: (req: { name: string; input: ProbeFailureRequest }) => Promise<StartOutcome> = async () => ({
    status: 'started',
  }),
) => {
  const metrics: EmfLine[] = [];
  const logs: Array<Record<string, unknown>> = [];
  const starts: Array<{ name: string; input: ProbeFailureRequest; at: number }> = [];
  const deps: ProbeRunDeps = {
    now: clock.now,
    sleep: clock.sleep,
    probe,
    startExecution: async (req) => {
      starts.push({ ...req, at: clock.now() });
      return start(req);
    },
    state: new InMemoryProbeState(),
    emitMetric: (line) => metrics.push(line),
    log: (entry) => logs.push(entry),
  };
  return { deps, metrics, logs, starts };
};

const bind = (s: InMemoryProbeState) => ({
  publish: s.publish.bind(s),
  read: s.read.bind(s),
  claim: s.claim.bind(s),
  retire: s.retire.bind(s),
});

export type LocationScript = (member: keyof typeof ADDRESS, location: string, t: number) => Behaviour;

/**
 * Probe locations of one group on one discrete-event clock (bench/virtual-clock.ts), meeting in one in-memory
 * probe item, starting executions as Step Functions would (a name already used is ExecutionAlreadyExists).
 * Probes answer in virtual time: a blackholed port costs the whole timeout, a refusal or an answer 1 ms.
 */
export const locationHarness = (
  group: ProbedGroup,
  script: LocationScript,
  opts: { failStarts?: number; crashed?: string[] } = {},
) => {
  const clock = new VirtualClock(0);
  const state = new InMemoryProbeState();
  const names = new Set<string>();
  const starts: Array<{ name: string; input: ProbeFailureRequest; at: number; status: StartOutcome['status'] }> = [];
  const logs: Array<Record<string, unknown>> = [];
  const metrics: EmfLine[] = [];
  const rounds: Array<{ location: string; slot: number; at: number }> = [];
  let failStarts = opts.failStarts ?? 0;
  const byAddress = Object.fromEntries(Object.entries(ADDRESS).map(([m, a]) => [a, m as keyof typeof ADDRESS]));
  const deps = (location: string, invocation: number): ProbeRunDeps => ({
    now: () => clock.now(),
    sleep: (ms) => clock.sleep(ms),
    probe: async (address, _port, timeoutMs): Promise<ProbeResult> => {
      const at = clock.now();
      if (address === ADDRESS['router-a']) rounds.push({ location, slot: invocation, at });
      const b = script(byAddress[address], location, at);
      if (b === 'blackhole') {
        await clock.sleep(timeoutMs);
        return {
          ok: false,
          latencyMs: timeoutMs,
          failure: 'timeout',
          error: `timeout: no answer within ${timeoutMs} ms`,
        };
      }
      await clock.sleep(1);
      return b === 'refused'
        ? { ok: false, latencyMs: 1, failure: 'refused', error: 'refused' }
        : { ok: true, latencyMs: 1 };
    },
    startExecution: async ({ name, input }) => {
      await clock.sleep(50);
      if (failStarts > 0) {
        failStarts--;
        throw Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable' });
      }
      const status = names.has(name) ? 'already-started' : 'started';
      names.add(name);
      starts.push({ name, input, at: clock.now(), status });
      return { status };
    },
    // A location that dies (its AZ fails) cannot remove its view: it stays in the item until it goes stale.
    state: opts.crashed?.includes(location) ? { ...bind(state), retire: async () => undefined } : state,
    emitMetric: (line) => metrics.push(line),
    log: (entry) => logs.push({ ...entry, at: clock.now() }),
  });
  /** Executions actually started (Step Functions answered ExecutionAlreadyExists to the others). */
  const started = () => starts.filter((s) => s.status === 'started');
  /** Runs invocations (location, start, hard end) together until all have stopped. */
  const run = (invocations: Array<{ location: string; startAt: number; hardEndAt?: number }>) =>
    clock.run(() =>
      Promise.all(
        invocations.map(async (inv, i) => {
          await clock.sleep(inv.startAt - clock.now());
          return runProbeLocation(deps(inv.location, i), {
            group,
            location: inv.location,
            hardEndAt: inv.hardEndAt ?? inv.startAt + 140_000,
          });
        }),
      ),
    );
  return { clock, state, names, starts, started, logs, metrics, rounds, run };
};
