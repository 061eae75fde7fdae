import { CreateRouteCommand, DescribeRouteTablesCommand, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { buildLargeEstate } from '../../cli/local/scenario';
import { DescribeInstancesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  EC2_ACTION_CATEGORIES,
  EC2_API_RATE_LIMITS,
  SimulatedVpc,
  TokenBucket,
  type ThrottlingOptions,
} from '../../sim';

/** A clock the test moves by hand. */
const fakeClock = (start = 1_000_000) => {
  let t = start;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

describe(`TokenBucket: refilled once a second, in whole tokens, \
as "Request throttling for the Amazon EC2 API" says`, () => {
  it(`starts full, serves its burst, then adds its refill at each \
whole second only (nothing in between), capped at the burst`, () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 8, refillPerSecond: 5 }, clock.now);
    expect(Array.from({ length: 9 }, () => bucket.take())).toEqual([
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      true,
      false,
    ]);
    // 999 ms later: a continuous bucket would hold ~5 tokens; EC2's holds none until the second is up.
    clock.advance(999);
    expect(bucket.tokens()).toBe(0);
    expect(bucket.take()).toBe(false);
    clock.advance(1);
    expect(bucket.tokens()).toBe(5);
    expect(Array.from({ length: 6 }, () => bucket.take())).toEqual([true, true, true, true, true, false]);
    clock.advance(60_000);
    expect(bucket.tokens()).toBe(8);
  });

  it('adds the refill at its phase within the second, whatever the time of the first call', () => {
    const clock = fakeClock(1_000_000);
    const bucket = new TokenBucket({ burst: 1, refillPerSecond: 1 }, clock.now, 300);
    expect(bucket.take()).toBe(true);
    clock.advance(299);
    expect(bucket.take()).toBe(false);
    clock.advance(1); // 1,000,300: the refill instant
    expect(bucket.take()).toBe(true);
  });

  it('takes nothing when it refuses, and a clock going backwards drains nothing', () => {
    const clock = fakeClock();
    const bucket = new TokenBucket({ burst: 1, refillPerSecond: 1 }, clock.now);
    expect(bucket.take()).toBe(true);
    clock.advance(500);
    expect(bucket.take()).toBe(false);
    expect(bucket.tokens()).toBe(0);
    clock.advance(500);
    expect(bucket.tokens()).toBe(1);
    clock.advance(-10_000);
    expect(bucket.tokens()).toBe(1);
  });
});

describe('SimulatedVpc throttling (EC2 request token buckets)', () => {
  const setup = (throttling?: ThrottlingOptions | false) => {
    const sim = new SimulatedVpc({ seed: 5, throttling });
    const estate = buildLargeEstate(sim, { routeTables: 1, routesPerTable: 1, affectedPerTable: 1 });
    const [move] = estate.expectedMoves;
    const replace = () =>
      sim.ec2().send(
        new ReplaceRouteCommand({
          RouteTableId: move.routeTableId,
          DestinationCidrBlock: move.destination.value,
          NetworkInterfaceId: move.toEni,
        }),
      );
    const describe = () =>
      sim.ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [estate.vpcId] }] }));
    const create = () =>
      sim.ec2().send(
        new CreateRouteCommand({
          RouteTableId: move.routeTableId,
          DestinationCidrBlock: '198.18.0.0/15',
          NetworkInterfaceId: move.toEni,
        }),
      );
    const instances = () => (sim.ec2() as EC2Client).send(new DescribeInstancesCommand({}));
    return { sim, estate, move, replace, describe, create, instances };
  };
  const settle = (p: Promise<unknown>) =>
    p.then(
      () => 'ok',
      (e: any) => `${e.name} ${e.$metadata?.httpStatusCode}`,
    );

  it(`states the documented limits once: mutating 50 at 5/s, \
non-mutating 100 at 20/s, unfiltered and unpaginated 50 at 10/s`, () => {
    expect(EC2_API_RATE_LIMITS).toEqual({
      mutating: { burst: 50, refillPerSecond: 5 },
      nonMutating: { burst: 100, refillPerSecond: 20 },
      unfilteredNonMutating: { burst: 50, refillPerSecond: 10 },
    });
    expect(EC2_ACTION_CATEGORIES).toMatchObject({
      ReplaceRoute: 'mutating',
      ReplaceRouteTableAssociation: 'mutating',
      DescribeRouteTables: 'nonMutating',
      DescribeInstances: 'unfilteredNonMutating',
      DescribeInstanceStatus: 'unfilteredNonMutating',
      DescribeNetworkInterfaces: 'unfilteredNonMutating',
    });
  });

  it('is on by default; throttling: false turns it off (300 ReplaceRoute calls in a burst all succeed)', async () => {
    expect(setup().sim.tokens()).toEqual({});
    const { replace, sim } = setup(false);
    const results = await Promise.all(Array.from({ length: 300 }, () => settle(replace())));
    expect(results.every((r) => r === 'ok')).toBe(true);
    expect(sim.tokens()).toBeUndefined();
  });

  it(`serves the ReplaceRoute burst of 50, then answers \
RequestLimitExceeded (503) until the bucket refills at 5/s`, async () => {
    const clock = fakeClock();
    const { replace, sim } = setup({ clock: clock.now, refillPhaseMs: 0 });
    const burst = await Promise.all(Array.from({ length: 51 }, () => settle(replace())));
    expect(burst.slice(0, 50).every((r) => r === 'ok')).toBe(true);
    expect(burst[50]).toBe('RequestLimitExceeded 503');
    // A throttled call took no token and changed nothing.
    expect(sim.calls[50]).toMatchObject({ action: 'ReplaceRoute', error: 'RequestLimitExceeded' });
    expect(sim.calls[50].tookEffect).toBeUndefined();
    expect(await settle(replace())).toBe('RequestLimitExceeded 503');

    clock.advance(800); // nothing before the second is up
    expect(await settle(replace())).toBe('RequestLimitExceeded 503');
    clock.advance(200); // 5 tokens at once
    const after = await Promise.all(Array.from({ length: 6 }, () => settle(replace())));
    expect(after).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'RequestLimitExceeded 503']);
  });

  it(`gives every action its own bucket: an empty ReplaceRoute \
bucket leaves CreateRoute and the reads alone`, async () => {
    const clock = fakeClock();
    const { replace, create, describe, instances, sim } = setup({ clock: clock.now, refillPhaseMs: 0 });
    await Promise.all(Array.from({ length: 50 }, () => replace()));
    expect(await settle(replace())).toBe('RequestLimitExceeded 503');
    expect(await settle(create())).toBe('ok');
    const reads = await Promise.all(Array.from({ length: 101 }, () => settle(describe())));
    expect(reads.filter((r) => r === 'ok')).toHaveLength(100);
    expect(reads[100]).toBe('RequestLimitExceeded 503');
    const described = await Promise.all(Array.from({ length: 51 }, () => settle(instances())));
    expect(described.filter((r) => r === 'ok')).toHaveLength(50);
    expect(described[50]).toBe('RequestLimitExceeded 503');
    clock.advance(1000); // one refill each: 5, 20 and 10 tokens
    expect(await settle(describe())).toBe('ok');
    expect(await settle(instances())).toBe('ok');
    expect(sim.tokens()).toEqual({ ReplaceRoute: 5, CreateRoute: 50, DescribeRouteTables: 19, DescribeInstances: 9 });
  });

  it('takes overrides by category or by action; an action wins over its category', async () => {
    const clock = fakeClock();
    const { replace, create } = setup({
      clock: clock.now,
      buckets: { mutating: { burst: 2, refillPerSecond: 1 }, CreateRoute: { burst: 1, refillPerSecond: 1 } },
    });
    expect([await settle(replace()), await settle(replace()), await settle(replace())]).toEqual([
      'ok',
      'ok',
      'RequestLimitExceeded 503',
    ]);
    expect([await settle(create()), await settle(create())]).toEqual(['ok', 'RequestLimitExceeded 503']);
  });

  it('takes limits from options and time from the simulator clock when no throttling clock is given', async () => {
    let t = 0;
    const sim = new SimulatedVpc({
      clock: { now: () => t, sleep: async (ms) => void (t += ms) },
      latencyMs: 500,
      throttling: { buckets: { mutating: { burst: 1, refillPerSecond: 1 } }, refillPhaseMs: 0 },
    });
    const estate = buildLargeEstate(sim, { routeTables: 1, routesPerTable: 1, affectedPerTable: 1 });
    const [m] = estate.expectedMoves;
    const replace = () =>
      settle(
        sim.ec2().send(
          new ReplaceRouteCommand({
            RouteTableId: m.routeTableId,
            DestinationCidrBlock: m.destination.value,
            NetworkInterfaceId: m.toEni,
          }),
        ),
      );
    // Each call waits its 500 ms of latency on the simulator's clock; the token comes back at each whole second:
    // the second call reaches EC2 at 1,000 (refilled), the third at 1,500 (not yet).
    expect([await replace(), await replace(), await replace()]).toEqual(['ok', 'ok', 'RequestLimitExceeded 503']);
    expect(sim.calls.map((c) => [c.at, c.endAt])).toEqual([
      [0, 500],
      [500, 1000],
      [1000, 1500],
    ]);
  });
});

describe('SimulatedVpc latency jitter', () => {
  it('spreads each call over latency ± jitter, seeded (same seed, same delays), never below zero', async () => {
    const delays = async (seed: number) => {
      let t = 0;
      const sim = new SimulatedVpc({
        seed,
        clock: { now: () => t, sleep: async (ms) => void (t += ms) },
        latencyMs: 50,
        latencyJitterMs: 80,
        throttling: false,
      });
      const estate = buildLargeEstate(sim, { routeTables: 1, routesPerTable: 1, affectedPerTable: 1 });
      for (let i = 0; i < 40; i++)
        await sim.ec2().send(new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [estate.vpcId] }] }));
      return sim.calls.map((c) => c.endAt! - c.at);
    };
    const a = await delays(3);
    expect(await delays(3)).toEqual(a);
    expect(Math.min(...a)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...a)).toBeLessThanOrEqual(130);
    expect(new Set(a).size).toBeGreaterThan(10);
    expect(a).toContain(0);
  });
});
