import { parseConfig } from '../../functions/contract/config';
import type { ProbedGroup, ProbeRunDeps, StartOutcome } from '../../functions/probe/probe';
import type { ProbeResult } from '../../functions/probe/tcp-probe';
import type { EmfLine } from '../../functions/probe/metrics';
import type { ProbeFailureRequest } from '../../functions/contract/triggers';

/** Fakes for runProbeMinute: a virtual clock, scripted probes and a recording StartExecution. */

export const ADDRESS = { 'router-a': '10.0.1.10', 'router-b': '10.0.2.10' } as const;
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:vpc-route-failover';

/** A fresh, validated group with the probe enabled (defaults: port 179, every 5 s, 1000 ms, 3 rounds). */
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
        probe: { subnetIds: ['subnet-0123456789abcdef0'], ...probe },
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
    emitMetric: (line) => metrics.push(line),
    log: (entry) => logs.push(entry),
  };
  return { deps, metrics, logs, starts };
};
