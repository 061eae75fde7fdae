import { minuteEnd, runProbeMinute } from '../../functions/probe/probe';
import { PROBE_NAMESPACE } from '../../functions/probe/metrics';
import { ConfigError } from '../../functions/contract/errors';
import { parseConfig } from '../../functions/contract/config';
import { parseTrigger, ProbeFailureRequestSchema } from '../../functions/contract/triggers';
import { probedGroup } from '../../functions/probe/probe';
import { ADDRESS, probedGroupFixture, recordingDeps, scriptedProbe, virtualClock } from './fakes';

/** One probe invocation (runProbeMinute) on a virtual clock with scripted probes. */

const MINUTE = Date.parse('2026-11-25T14:30:00Z');
const START = MINUTE + 300; // EventBridge delivers a little after the minute

describe('runProbeMinute: rounds', () => {
  it(`probes every member on every port once per interval \
until just before the next minute (12 rounds by default)`, async () => {
    const clock = virtualClock(START);
    const { probe, calls } = scriptedProbe(clock, () => 'up');
    const { deps, metrics, starts } = recordingDeps(clock, probe);

    const result = await runProbeMinute(deps, { group: probedGroupFixture({ ports: [179, 22] }) });

    expect(result.rounds).toBe(12);
    expect(calls).toHaveLength(12 * 2 * 2);
    const roundTimes = [...new Set(calls.map((c) => c.at))];
    expect(roundTimes).toEqual(Array.from({ length: 12 }, (_, i) => START + i * 5000));
    expect(new Set(calls.map((c) => `${c.address}:${c.port}`))).toEqual(
      new Set([
        `${ADDRESS['router-a']}:179`,
        `${ADDRESS['router-a']}:22`,
        `${ADDRESS['router-b']}:179`,
        `${ADDRESS['router-b']}:22`,
      ]),
    );
    // The last round ends before the next minute, when the next invocation starts.
    expect(Math.max(...roundTimes) + 1000).toBeLessThanOrEqual(MINUTE + 60_000);
    expect(starts).toEqual([]);
    expect(result.started).toEqual([]);
    expect(result.alerts).toEqual([]);
    // Per round: one EMF line per member, one for the group.
    expect(metrics).toHaveLength(12 * 3);
  });

  it('an invocation that starts late in its minute runs only the rounds that fit', async () => {
    const clock = virtualClock(MINUTE + 40_000);
    const { probe } = scriptedProbe(clock, () => 'up');
    const result = await runProbeMinute(recordingDeps(clock, probe).deps, { group: probedGroupFixture() });
    // 40, 45, 50, 55 s; 55 s + 1 s timeout <= 58 s (2 s margin before the minute).
    expect(result.rounds).toBe(4);
    expect(minuteEnd(MINUTE + 40_000)).toBe(MINUTE + 58_000);
  });

  it('honours an explicit end (the Lambda time left)', async () => {
    const clock = virtualClock(START);
    const { probe } = scriptedProbe(clock, () => 'up');
    const result = await runProbeMinute(recordingDeps(clock, probe).deps, {
      group: probedGroupFixture(),
      endAt: START + 11_000,
    });
    expect(result.rounds).toBe(3);
  });

  it('follows the configured interval', async () => {
    const clock = virtualClock(START);
    const { probe } = scriptedProbe(clock, () => 'up');
    const result = await runProbeMinute(recordingDeps(clock, probe).deps, {
      group: probedGroupFixture({ intervalSeconds: 2 }),
    });
    expect(result.rounds).toBe(29);
  });

  it('writes EMF metrics: success and latency per member, rounds and all-members-down per group', async () => {
    const clock = virtualClock(START);
    const { probe } = scriptedProbe(clock, (m) => (m === 'router-a' ? 'refused' : 'up'));
    const { deps, metrics } = recordingDeps(clock, probe);

    await runProbeMinute(deps, { group: probedGroupFixture(), endAt: START + 1000 });

    expect(metrics).toEqual([
      {
        _aws: {
          Timestamp: START,
          CloudWatchMetrics: [
            {
              Namespace: PROBE_NAMESPACE,
              Dimensions: [['Group', 'Member']],
              Metrics: [{ Name: 'ProbeSuccess', Unit: 'None' }],
            },
          ],
        },
        Group: 'onprem-edge',
        Member: 'router-a',
        ProbeSuccess: 0,
      },
      {
        _aws: {
          Timestamp: START,
          CloudWatchMetrics: [
            {
              Namespace: 'VpcRouteFailover/Probe',
              Dimensions: [['Group', 'Member']],
              Metrics: [
                { Name: 'ProbeSuccess', Unit: 'None' },
                { Name: 'ProbeLatency', Unit: 'Milliseconds' },
              ],
            },
          ],
        },
        Group: 'onprem-edge',
        Member: 'router-b',
        ProbeSuccess: 1,
        ProbeLatency: 2,
      },
      {
        _aws: {
          Timestamp: START,
          CloudWatchMetrics: [
            {
              Namespace: 'VpcRouteFailover/Probe',
              Dimensions: [['Group']],
              Metrics: [
                { Name: 'ProbeRounds', Unit: 'Count' },
                { Name: 'AllMembersDown', Unit: 'None' },
              ],
            },
          ],
        },
        Group: 'onprem-edge',
        ProbeRounds: 1,
        AllMembersDown: 0,
      },
    ]);
    // Every line is plain JSON: what CloudWatch Logs needs to extract the metrics.
    for (const line of metrics) expect(JSON.parse(JSON.stringify(line))).toEqual(line);
  });
});

describe('runProbeMinute: decisions', () => {
  it(`router-a blackholed from 14:30:10: after 3 failed rounds \
it starts the workflow once, named after the failure`, async () => {
    const clock = virtualClock(START);
    const failFrom = MINUTE + 10_000;
    const { probe } = scriptedProbe(clock, (m, t) => (m === 'router-a' && t >= failFrom ? 'blackhole' : 'up'));
    const { deps, starts, logs } = recordingDeps(clock, probe);
    const group = probedGroupFixture();

    const result = await runProbeMinute(deps, { group });

    const firstFailedRound = START + 2 * 5000;
    expect(starts).toHaveLength(1);
    expect(starts[0].name).toBe(`probe-onprem-edge-router-a-${Math.floor(firstFailedRound / 1000)}`);
    // Declared when the third failed round ends: two intervals plus the timeout after the first failed probe.
    expect(starts[0].at - firstFailedRound).toBe(2 * 5000 + 1000);
    expect(starts[0].input).toEqual({
      source: 'vpc-route-failover.probe',
      group: 'onprem-edge',
      member: 'router-a',
      failedRounds: 3,
      firstFailureAt: new Date(firstFailedRound).toISOString(),
      lastError: '10.0.1.10:179 timeout: no answer within 1000 ms',
      probe: { ports: [179], intervalSeconds: 5, failureThreshold: 3 },
    });
    // Exactly what the workflow accepts.
    expect(parseTrigger(JSON.parse(JSON.stringify(starts[0].input)))).toEqual({
      kind: 'probe',
      request: starts[0].input,
    });
    expect(result.started).toEqual([{ member: 'router-a', executionName: starts[0].name, status: 'started' }]);
    expect(result.state.members['router-a'].declared?.executionName).toBe(starts[0].name);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'WARN', event: 'member-down', member: 'router-a', failedRounds: 3 }),
    );
  });

  it('a flapping port (refused every other round) starts nothing in a whole minute', async () => {
    const clock = virtualClock(START);
    let n = 0;
    const { probe } = scriptedProbe(clock, (m) => (m === 'router-a' && n++ % 2 === 0 ? 'refused' : 'up'));
    const { deps, starts } = recordingDeps(clock, probe);

    const result = await runProbeMinute(deps, { group: probedGroupFixture() });

    expect(result.rounds).toBe(12);
    expect(starts).toEqual([]);
  });

  it('both members unreachable: one alert (log line, metric, return value), nothing started', async () => {
    const clock = virtualClock(START);
    const { probe } = scriptedProbe(clock, () => 'blackhole');
    const { deps, starts, logs, metrics } = recordingDeps(clock, probe);

    const result = await runProbeMinute(deps, { group: probedGroupFixture() });

    expect(starts).toEqual([]);
    expect(result.started).toEqual([]);
    expect(result.alerts).toEqual([
      {
        type: 'all-members-down',
        at: new Date(START + 2 * 5000).toISOString(),
        members: [
          { member: 'router-a', failedRounds: 3, lastError: '10.0.1.10:179 timeout: no answer within 1000 ms' },
          { member: 'router-b', failedRounds: 3, lastError: '10.0.2.10:179 timeout: no answer within 1000 ms' },
        ],
      },
    ]);
    expect(logs.filter((l) => l.level === 'ALERT')).toEqual([
      expect.objectContaining({ event: 'all-members-down', group: 'onprem-edge' }),
    ]);
    const allDown = metrics.filter((m) => 'AllMembersDown' in m).map((m) => m.AllMembersDown);
    expect(allDown).toEqual([0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('a StartExecution failure is logged and retried the next round under the same name', async () => {
    const clock = virtualClock(START);
    const { probe } = scriptedProbe(clock, (m) => (m === 'router-a' ? 'refused' : 'up'));
    let calls = 0;
    const { deps, starts, logs } = recordingDeps(clock, probe, async () => {
      if (calls++ === 0) throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
      return { status: 'started' };
    });

    const result = await runProbeMinute(deps, { group: probedGroupFixture() });

    expect(starts.map((s) => s.name)).toEqual([starts[0].name, starts[0].name]);
    expect(starts[1].at - starts[0].at).toBe(5000);
    expect(result.errors).toEqual([`StartExecution ${starts[0].name}: ThrottlingException: Rate exceeded`]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'ERROR', event: 'start-execution-failed', member: 'router-a' }),
    );
    expect(result.started).toEqual([expect.objectContaining({ status: 'started', executionName: starts[0].name })]);
  });

  it('a round that overruns (a slow StartExecution) skips the slots already past', async () => {
    const clock = virtualClock(START);
    const { probe, calls } = scriptedProbe(clock, (m) => (m === 'router-a' ? 'refused' : 'up'));
    const { deps } = recordingDeps(clock, probe, async () => {
      await clock.sleep(7000);
      return { status: 'started' };
    });
    await runProbeMinute(deps, { group: probedGroupFixture() });
    const times = [...new Set(calls.map((c) => c.at))];
    // Rounds at 0, 5, 10 s; the start takes 7 s (until 17 s): next round at 20 s, not a burst at 15 s.
    expect(times.slice(0, 4).map((t) => t - START)).toEqual([0, 5000, 10_000, 20_000]);
  });
});

describe('runProbeMinute: across invocations', () => {
  it('a failure spanning the minute boundary is declared in the next invocation with its original start', async () => {
    const clock = virtualClock(START);
    const failFrom = MINUTE + 50_000;
    const { probe } = scriptedProbe(clock, (m, t) => (m === 'router-a' && t >= failFrom ? 'refused' : 'up'));
    const { deps, starts } = recordingDeps(clock, probe);
    const group = probedGroupFixture();

    const first = await runProbeMinute(deps, { group });
    expect(starts).toEqual([]);
    expect(first.state.members['router-a'].failedRounds).toBe(2);

    clock.set(MINUTE + 60_000 + 2500);
    const second = await runProbeMinute(deps, { group, carry: first.state });

    expect(starts).toHaveLength(1);
    expect(starts[0].at).toBe(MINUTE + 60_000 + 2500);
    expect(starts[0].input.firstFailureAt).toBe(new Date(START + 10 * 5000).toISOString());
    expect(second.started).toHaveLength(1);
  });

  it('a member still down in the next minute is not failed over a second time', async () => {
    const clock = virtualClock(START);
    const { probe } = scriptedProbe(clock, (m) => (m === 'router-a' ? 'blackhole' : 'up'));
    const { deps, starts } = recordingDeps(clock, probe);
    const group = probedGroupFixture();

    let carry = (await runProbeMinute(deps, { group })).state;
    for (let minute = 1; minute <= 3; minute++) {
      clock.set(MINUTE + minute * 60_000 + 1000);
      carry = (await runProbeMinute(deps, { group, carry })).state;
    }
    expect(starts).toHaveLength(1);
  });

  it('a cold start (nothing carried) counts from zero: the documented blind spot', async () => {
    const clock = virtualClock(MINUTE + 60_000 + 2500);
    const { probe } = scriptedProbe(clock, (m) => (m === 'router-a' ? 'refused' : 'up'));
    const { deps, starts } = recordingDeps(clock, probe);
    await runProbeMinute(deps, { group: probedGroupFixture() });
    expect(starts[0].at - (MINUTE + 60_000 + 2500)).toBe(2 * 5000);
  });
});

describe('probedGroup (PROBE_CONFIG)', () => {
  const config = (probe?: Record<string, unknown>) =>
    parseConfig({
      groups: [
        {
          name: 'g1',
          vpcId: 'vpc-0123456789abcdef0',
          members: [
            { name: 'a', instanceId: 'i-0a1b2c3d4e5f60001', probeAddress: '10.0.0.1' },
            { name: 'b', instanceId: 'i-0a1b2c3d4e5f60002', probeAddress: '10.0.0.2' },
          ],
          ...(probe ? { probe } : {}),
        },
      ],
    });

  it('returns the named group with its probe defaults applied', () => {
    expect(probedGroup(config({ subnetIds: ['subnet-0123456789abcdef0'] }), 'g1').probe).toEqual({
      enabled: true,
      subnetIds: ['subnet-0123456789abcdef0'],
      ports: [179],
      intervalSeconds: 5,
      timeoutMs: 1000,
      failureThreshold: 3,
    });
  });

  it('refuses an unknown group or a group without an enabled probe (ConfigError)', () => {
    expect(() => probedGroup(config({ subnetIds: ['subnet-0123456789abcdef0'] }), 'g2')).toThrow(ConfigError);
    expect(() => probedGroup(config(), 'g1')).toThrow(/no enabled probe/);
    expect(() => probedGroup(config({ enabled: false, subnetIds: ['subnet-0123456789abcdef0'] }), 'g1')).toThrow(
      /no enabled probe/,
    );
  });

  it('the probe request schema rejects anything beyond group, member and what the probe saw', () => {
    const ok = {
      source: 'vpc-route-failover.probe',
      group: 'g1',
      member: 'a',
      failedRounds: 3,
      firstFailureAt: '2026-11-25T14:30:10.300Z',
      lastError: 'x',
      probe: { ports: [179], intervalSeconds: 5, failureThreshold: 3 },
    };
    expect(ProbeFailureRequestSchema.safeParse(ok).success).toBe(true);
    expect(ProbeFailureRequestSchema.safeParse({ ...ok, to: 'b' }).success).toBe(false);
    expect(ProbeFailureRequestSchema.safeParse({ ...ok, probe: { ...ok.probe, eni: 'eni-1' } }).success).toBe(false);
    expect(ProbeFailureRequestSchema.safeParse({ ...ok, firstFailureAt: 'yesterday' }).success).toBe(false);
    expect(ProbeFailureRequestSchema.safeParse({ ...ok, lastError: 'x'.repeat(513) }).success).toBe(false);
  });
});
