import { slotOf } from '../../functions/probe/hand-over';
import { probedGroup, probeTiming } from '../../functions/probe/probed-group';
import { parseConfig } from '../../functions/contract/config';
import { ProbeFailureRequestSchema } from '../../functions/contract/triggers';
import { locationHarness, probedGroupFixture, SUBNET_A, SUBNET_B } from './fakes';

/**
 * runProbeLocation: locations and invocations together on one virtual clock, meeting in one probe item.
 * Minute boundaries are multiples of 60,000 ms (the clock starts at 0). Router-a is the one that fails.
 */

const M = 60_000;
const both = (startAt: number, hardEndAt?: number) => [
  { location: SUBNET_A, startAt, hardEndAt },
  { location: SUBNET_B, startAt: startAt + 137, hardEndAt },
];
const outage = (from: number, to: number) => (member: string, _loc: string, t: number) =>
  member === 'router-a' && t >= from && t < to ? 'blackhole' : 'up';

describe('runProbeLocation: two locations agree', () => {
  it(
    'router-a blackholed for good: ' + 'one execution, started ~1.5 s after the failure, naming both locations',
    async () => {
      const h = locationHarness(probedGroupFixture(), outage(10_000, Infinity));
      const results = await h.run(both(300, 30_000));
      expect(h.started()).toHaveLength(1);
      // The other location, seeing the standing claim, asks for the same name: Step Functions refuses a second one.
      expect(new Set(h.starts.map((s) => s.name)).size).toBe(1);
      const [start] = h.started();
      // Each location: its failed rounds span 1 s after at most one interval, the last one's timeout, then the view
      // write, the claim and StartExecution (50 ms here).
      expect(start.at - 10_000).toBeGreaterThanOrEqual(1000 + 500);
      expect(start.at - 10_000).toBeLessThanOrEqual(250 + 1000 + 500 + 60);
      const input = ProbeFailureRequestSchema.parse(start.input);
      expect(input).toMatchObject({
        member: 'router-a',
        probe: { intervalMs: 250, downAfterMs: 1000, locations: [SUBNET_A, SUBNET_B] },
      });
      expect(start.name).toBe(`probe-onprem-edge-router-a-${Date.parse(input.firstFailureAt)}`);
      // Every later round of both locations sees the standing claim: nothing else is started.
      expect(results.every((r) => r.errors.length === 0)).toBe(true);
    },
  );

  it('an outage of 900 ms starts nothing; one of 2.1 s starts one execution', async () => {
    const short = locationHarness(probedGroupFixture(), outage(10_000, 10_900));
    await short.run(both(300, 20_000));
    expect(short.starts).toEqual([]);
    const long = locationHarness(probedGroupFixture(), outage(10_000, 12_100));
    await long.run(both(300, 20_000));
    expect(long.started()).toHaveLength(1);
  });

  it(
    'one location that sees every member fail (its own network) blocks the failover and alerts; ' +
      'it is not a vote for down',
    async () => {
      const h = locationHarness(probedGroupFixture(), (m, loc, t) =>
        t >= 10_000 && (m === 'router-a' || loc === SUBNET_B) ? 'blackhole' : 'up',
      );
      const results = await h.run(both(300, 20_000));
      expect(h.starts).toEqual([]);
      expect(results[1].alerts).toHaveLength(1);
      expect(h.logs).toContainEqual(
        expect.objectContaining({ level: 'ALERT', event: 'all-members-down', location: SUBNET_B }),
      );
    },
  );

  it(
    'one location that still reaches router-a blocks the failover ' + '(a problem on the path from the other AZ only)',
    async () => {
      const h = locationHarness(probedGroupFixture(), (m, loc, t) =>
        m === 'router-a' && loc === SUBNET_A && t >= 10_000 ? 'blackhole' : 'up',
      );
      await h.run(both(300, 20_000));
      expect(h.starts).toEqual([]);
      expect(h.logs).toContainEqual(
        expect.objectContaining({ event: 'member-down-here', location: SUBNET_A, member: 'router-a' }),
      );
    },
  );

  it(
    'a silent location (its AZ is out): by default one survivor fails nothing over; ' +
      'with minAgreeingLocations 1 it does, once the silent view is stale',
    async () => {
      const strict = locationHarness(probedGroupFixture(), outage(10_000, Infinity));
      await strict.run([{ location: SUBNET_A, startAt: 300, hardEndAt: 20_000 }]);
      expect(strict.starts).toEqual([]);

      const lenient = locationHarness(probedGroupFixture({ minAgreeingLocations: 1 }), outage(10_000, Infinity), {
        crashed: [SUBNET_B],
      });
      // Location B dies at 9.9 s, its last view written before: it stops being live 5 s (livenessMs) after that write.
      await lenient.run([
        { location: SUBNET_A, startAt: 300, hardEndAt: 25_000 },
        { location: SUBNET_B, startAt: 437, hardEndAt: 9_900 },
      ]);
      expect(lenient.started()).toHaveLength(1);
      expect(lenient.started()[0].input.probe.locations).toEqual([SUBNET_A]);
      expect(lenient.started()[0].at).toBeGreaterThan(
        9_900 + probeTiming(probedGroupFixture().probe).livenessMs - 2000,
      );
      expect(lenient.started()[0].at).toBeLessThan(9_900 + probeTiming(probedGroupFixture().probe).livenessMs + 500);
    },
  );

  it('a failed StartExecution is retried at the next heartbeat under the claimed name', async () => {
    const h = locationHarness(probedGroupFixture(), outage(10_000, Infinity), { failStarts: 1 });
    const results = await h.run(both(300, 20_000));
    expect(h.started()).toHaveLength(1);
    expect(results.flatMap((r) => r.errors)).toEqual([
      expect.stringContaining('StartExecution probe-onprem-edge-router-a-'),
    ]);
  });

  it('a member that recovers and fails again later is a new failure: a new claim, a second execution', async () => {
    const h = locationHarness(probedGroupFixture(), (m, _l, t) =>
      m === 'router-a' && ((t >= 10_000 && t < 20_000) || t >= 40_000) ? 'blackhole' : 'up',
    );
    await h.run(both(300, 50_000));
    expect(h.started()).toHaveLength(2);
    expect(new Set(h.started().map((s) => s.name)).size).toBe(2);
  });
});

describe('runProbeLocation: hand-over between invocations', () => {
  /** Largest gap between consecutive rounds of one location, over all its invocations. */
  const largestGap = (rounds: Array<{ location: string; at: number }>, location: string, from: number, to: number) => {
    const at = rounds
      .filter((r) => r.location === location && r.at >= from && r.at <= to)
      .map((r) => r.at)
      .sort((a, b) => a - b);
    return Math.max(...at.slice(1).map((t, i) => t - at[i]));
  };

  it(
    'the next minute takes over after its warm-up: ' +
      'no gap, the old invocation stops, a failure across the boundary starts once',
    async () => {
      const h = locationHarness(probedGroupFixture(), outage(M - 400, Infinity));
      const results = await h.run([
        { location: SUBNET_A, startAt: 300 },
        { location: SUBNET_B, startAt: 800 },
        // EventBridge delivers the next minute's invocations 1.2 and 2.5 s late.
        { location: SUBNET_A, startAt: M + 1200 },
        { location: SUBNET_B, startAt: M + 2500 },
      ]);
      expect(results.map((r) => r.stopped)).toEqual(['handed-over', 'handed-over', 'hard-end', 'hard-end']);
      expect(h.started()).toHaveLength(1);
      expect(new Set(h.starts.map((s) => s.name)).size).toBe(1);
      for (const loc of [SUBNET_A, SUBNET_B])
        expect(largestGap(h.rounds, loc, 1000, M + 30_000)).toBeLessThanOrEqual(250);
      const warmup = probeTiming(probedGroupFixture().probe).warmupMs;
      // The old invocation of A stopped once the new one had probed for the warm-up (within a heartbeat).
      const lastOfOldA = Math.max(...h.rounds.filter((r) => r.location === SUBNET_A && r.slot === 0).map((r) => r.at));
      expect(lastOfOldA).toBeGreaterThanOrEqual(M + 1200 + warmup - 250);
      expect(lastOfOldA).toBeLessThanOrEqual(M + 1200 + warmup + 2000 + 250);
    },
  );

  it(
    'a lost invocation leaves no gap: ' + 'the previous one probes on to its hard end, past the following minute',
    async () => {
      const h = locationHarness(probedGroupFixture(), () => 'up');
      const results = await h.run([
        { location: SUBNET_A, startAt: 300 },
        { location: SUBNET_A, startAt: 2 * M + 400 },
      ]);
      expect(results[0].stopped).toBe('handed-over');
      expect(largestGap(h.rounds, SUBNET_A, 300, 2 * M + 20_000)).toBeLessThanOrEqual(250);
    },
  );

  it('invocations overlapping in time write distinct slots (three minutes, three slots)', () => {
    expect(new Set([0, M, 2 * M].map((t) => slotOf(SUBNET_A, t + 5)))).toEqual(
      new Set([`${SUBNET_A}#0`, `${SUBNET_A}#1`, `${SUBNET_A}#2`]),
    );
    expect(slotOf(SUBNET_A, 3 * M)).toBe(slotOf(SUBNET_A, 0));
  });
});

describe('runProbeLocation: metrics', () => {
  it('aggregates rounds per 10 s: one line per member and one per location (rounds and all-members-down)', async () => {
    const h = locationHarness(probedGroupFixture(), outage(5_000, 6_000));
    await h.run([{ location: SUBNET_A, startAt: 0, hardEndAt: 20_000 }]);
    const loc = h.metrics.filter((l) => l.Location === SUBNET_A);
    expect(loc.map((l) => l.ProbeRounds).reduce((a, b) => (a as number) + (b as number), 0)).toBeGreaterThanOrEqual(78);
    expect(loc.length).toBeLessThanOrEqual(3);
    const a = h.metrics.filter((l) => l.Member === 'router-a');
    expect(a[0].ProbeSuccess).toBeLessThan(1);
    expect(a[0].ProbeSuccess).toBeGreaterThan(0.8);
  });
});

describe('probedGroup (PROBE_CONFIG)', () => {
  it('returns the named group with its probe defaults applied', () => {
    const g = probedGroup(
      parseConfig({
        groups: [
          {
            name: 'g',
            vpcId: 'vpc-0123456789abcdef0',
            members: [
              { name: 'a', instanceId: 'i-0a1b2c3d4e5f60001', probeAddress: '10.0.1.10' },
              { name: 'b', instanceId: 'i-0a1b2c3d4e5f60002', probeAddress: '10.0.2.10' },
            ],
            probe: { subnetIds: [SUBNET_A, SUBNET_B] },
          },
        ],
      }),
      'g',
    );
    expect(g.probe).toEqual({
      enabled: true,
      subnetIds: [SUBNET_A, SUBNET_B],
      ports: [179],
      intervalMs: 250,
      timeoutMs: 500,
      downAfterMs: 1000,
      heartbeatMs: 2000,
    });
    expect(probeTiming(g.probe)).toEqual({ livenessMs: 5000, warmupMs: 2250, minLocations: 2 });
  });

  it(
    'refuses settings that make no sense: ' +
      'downAfterMs under one interval, a subnet twice, more agreeing locations than listed',
    () => {
      const group = (probe: Record<string, unknown>) => () => probedGroupFixture(probe);
      expect(group({ intervalMs: 500, downAfterMs: 300 })).toThrow(/downAfterMs/);
      expect(group({ intervalMs: 100, downAfterMs: 100 })).toThrow(/downAfterMs/);
      expect(group({ subnetIds: [SUBNET_A, SUBNET_A] })).toThrow(/listed twice/);
      expect(group({ minAgreeingLocations: 3 })).toThrow(/minAgreeingLocations/);
    },
  );
});
