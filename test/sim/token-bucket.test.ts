import { DescribeRouteTablesCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { buildLargeEstate } from '../../cli/local/scenario';
import { EC2_API_RATE_LIMITS, SimulatedVpc, TokenBucket, type ThrottlingOptions } from '../../sim';

/** A clock the test moves by hand. */
const fakeClock = (start = 1_000_000) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe('TokenBucket', () => {
  it('starts full, serves its burst, then refills at its rate (continuously, capped at the burst)', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 3, refillPerSecond: 5 }, clock.now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    clock.advance(199);
    expect(bucket.take()).toBe(false); // 0.995 token
    clock.advance(1);
    expect(bucket.take()).toBe(true); // 200 ms at 5/s = 1 token
    expect(bucket.take()).toBe(false);
    clock.advance(60_000);
    expect(bucket.tokens()).toBe(3);
  });

  it('takes nothing when it refuses, and a clock going backwards drains nothing', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 1, refillPerSecond: 1 }, clock.now);
    expect(bucket.take()).toBe(true);
    clock.advance(500);
    expect(bucket.take()).toBe(false);
    expect(bucket.tokens()).toBeCloseTo(0.5);
    clock.advance(-10_000);
    expect(bucket.tokens()).toBeCloseTo(0.5);
  });
});

describe('SimulatedVpc throttling (EC2 request token buckets)', () => {
  const setup = (throttling?: ThrottlingOptions) => {
    const sim = new SimulatedVpc({ seed: 5, throttling });
    const estate = buildLargeEstate(sim, { routeTables: 1, routesPerTable: 1, affectedPerTable: 1 });
    const [move] = estate.expectedMoves;
    const replace = () =>
      sim.ec2().send(new ReplaceRouteCommand({ RouteTableId: move.routeTableId, DestinationCidrBlock: move.destination.value, NetworkInterfaceId: move.toEni }));
    const describe = () => sim.ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [estate.vpcId] }] }));
    return { sim, estate, move, replace, describe };
  };
  const settle = (p: Promise<unknown>) => p.then(() => 'ok', (e: any) => `${e.name} ${e.$metadata?.httpStatusCode}`);

  it('assumes EC2 defaults: mutating 200 burst at 5/s, non-mutating 100 burst at 20/s', () => {
    expect(EC2_API_RATE_LIMITS).toEqual({ mutating: { burst: 200, refillPerSecond: 5 }, nonMutating: { burst: 100, refillPerSecond: 20 } });
  });

  it('is off by default: 300 ReplaceRoute calls in a burst all succeed', async () => {
    const { replace, sim } = setup();
    const results = await Promise.all(Array.from({ length: 300 }, () => settle(replace())));
    expect(results.every((r) => r === 'ok')).toBe(true);
    expect(sim.tokens()).toBeUndefined();
  });

  it('serves the mutating burst, then answers RequestLimitExceeded (503) until the bucket refills', async () => {
    const clock = fakeClock();
    const { replace, sim } = setup({ clock: clock.now });
    const burst = await Promise.all(Array.from({ length: 201 }, () => settle(replace())));
    expect(burst.slice(0, 200).every((r) => r === 'ok')).toBe(true);
    expect(burst[200]).toBe('RequestLimitExceeded 503');
    // A throttled call took no token and changed nothing.
    expect(sim.calls[200]).toMatchObject({ action: 'ReplaceRoute', error: 'RequestLimitExceeded' });
    expect(sim.calls[200].tookEffect).toBeUndefined();
    expect(await settle(replace())).toBe('RequestLimitExceeded 503');

    clock.advance(1000); // 5 tokens
    const after = await Promise.all(Array.from({ length: 6 }, () => settle(replace())));
    expect(after).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RequestLimitExceeded 503']);
  });

  it('keeps the categories apart: Describe* has its own 100-token bucket', async () => {
    const clock = fakeClock();
    const { replace, describe, sim } = setup({ clock: clock.now });
    const reads = await Promise.all(Array.from({ length: 101 }, () => settle(describe())));
    expect(reads.filter((r) => r === 'ok')).toHaveLength(100);
    expect(reads[100]).toBe('RequestLimitExceeded 503');
    expect(await settle(replace())).toBe('ok');
    clock.advance(50); // 20/s: one read token
    expect(await settle(describe())).toBe('ok');
    expect(sim.tokens()).toEqual({ nonMutating: 0, mutating: 199.25 });
  });

  it('takes limits from options and time from the simulator clock when no throttling clock is given', async () => {
    let t = 0;
    const sim = new SimulatedVpc({
      clock: { now: () => t, sleep: async (ms) => void (t += ms) },
      latencyMs: 100,
      throttling: { buckets: { mutating: { burst: 1, refillPerSecond: 10 } } },
    });
    const estate = buildLargeEstate(sim, { routeTables: 1, routesPerTable: 1, affectedPerTable: 1 });
    const [m] = estate.expectedMoves;
    const replace = () =>
      settle(sim.ec2().send(new ReplaceRouteCommand({ RouteTableId: m.routeTableId, DestinationCidrBlock: m.destination.value, NetworkInterfaceId: m.toEni })));
    // Each call waits its 100 ms of latency on the simulator's clock, which refills one token at 10/s.
    expect([await replace(), await replace(), await replace()]).toEqual(['ok', 'ok', 'ok']);
    expect(sim.calls.map((c) => [c.at, c.endAt])).toEqual([
      [0, 100],
      [100, 200],
      [200, 300],
    ]);
  });
});
