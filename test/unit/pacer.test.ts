import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { decodeSwitchTimes, encodeSwitchTimes } from '../../functions/domain/plan';
import { parseConfig } from '../../functions/contract/config';
import {
  REPLACE_ROUTE_PACE,
  drainTokens,
  queueCapacity,
  reserveTokens,
  type BucketState,
  type PacerSpec,
} from '../../functions/domain/pacer';
import { DynamoDbWritePacer, PACER_ITEM_KEY } from '../../functions/aws/dynamodb-pacer';
import { replaceRouteWriteBudget } from '../../functions/domain/write-budget';
import { TokenBucket } from '../../sim';
import { configInput } from './fixtures';

const SPEC = { burst: 3, refillPerSecond: 5 };

describe('reserveTokens: a token bucket that hands out turns on whole seconds', () => {
  it('serves the burst now, then the refill in one piece at each whole second, in arrival order', () => {
    const a = reserveTokens(undefined, 1000, 2, SPEC);
    expect(a.times).toEqual([1000, 1000]);
    const b = reserveTokens(a.next, 1000, 7, SPEC);
    // One token left, then 5 at 2,000 and the last at 3,000.
    expect(b.times).toEqual([1000, 2000, 2000, 2000, 2000, 2000, 3000]);
    expect(b.next.tokens).toBeCloseTo(-6);
    const c = reserveTokens(b.next, 1100, 1, SPEC);
    expect(c.times).toEqual([3000]);
    // Mid-second: the turn is still the next whole second, never 200 ms later.
    expect(reserveTokens({ tokens: 0, at: 1700 }, 1700, 1, SPEC).times).toEqual([2000]);
  });

  it('refuses, reserving nothing, when the last turn would come after notAfter', () => {
    const full = reserveTokens(undefined, 0, 3, SPEC);
    const refused = reserveTokens(full.next, 0, 6, SPEC, 1999);
    expect(refused.times).toBeUndefined();
    expect(refused.next.tokens).toBeCloseTo(0);
    expect(reserveTokens(refused.next, 0, 6, SPEC, 2000).times).toEqual([1000, 1000, 1000, 1000, 1000, 2000]);
  });

  it('refills up to the burst only, and a clock going backwards refills nothing', () => {
    const r = reserveTokens({ tokens: 0, at: 0 }, 60_000, 4, SPEC);
    expect(r.times).toEqual([60_000, 60_000, 60_000, 61_000]);
    expect(reserveTokens({ tokens: 0, at: 5000 }, 4000, 1, SPEC).times).toEqual([6000]);
  });

  it(`hands out what the bucket holds at once, to the last \
token; turns that wait leave \`headroom\` tokens in it`, () => {
    const inside = reserveTokens(undefined, 0, 50, REPLACE_ROUTE_PACE);
    expect(inside.times!.every((t) => t === 0)).toBe(true);
    const beyond = reserveTokens(undefined, 0, 62, REPLACE_ROUTE_PACE);
    // The 51st waits until the refills bring the level to 1 + 5: the second refill (2 s), and so on.
    expect(beyond.times!.slice(50)).toEqual([2000, 2000, 2000, 2000, 2000, 3000, 3000, 3000, 3000, 3000, 4000, 4000]);
    // A later reservation queues behind, with the same reserve: no second charge.
    expect(reserveTokens(beyond.next, 500, 3, REPLACE_ROUTE_PACE).times).toEqual([4000, 4000, 4000]);
    expect(queueCapacity(REPLACE_ROUTE_PACE)).toBe(45);
  });

  it('after RequestLimitExceeded the free tokens are gone, reservations already made keep their turn', () => {
    expect(drainTokens({ tokens: 2.5, at: 0 }, 0, SPEC)).toEqual({ tokens: 0, at: 0 });
    expect(drainTokens({ tokens: -4, at: 0 }, 0, SPEC)).toEqual({ tokens: -4, at: 0 });
  });

  it("mirrors EC2's documented ReplaceRoute bucket (50, 5/s) and keeps one second's refill in it", () => {
    expect(REPLACE_ROUTE_PACE).toEqual({ burst: 50, refillPerSecond: 5, headroom: 5 });
  });
});

/** A seeded PRNG for the property tests (same seed, same run). */
const prng = (seed: number) => () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;

describe('fairness: one first-come-first-served queue, bounded by what the groups can hold', () => {
  it(`never serves a later reservation before an earlier one, \
and serves every one within the queue the writers can form`, () => {
    // 3 groups × maxConcurrency 40: 120 batches of 20 reserve in a random order, at random instants, while
    // each finished batch's slot is taken by the next (as the Map starts iterations), over 2,000 routes each.
    const rand = prng(7);
    const config = parseConfig({
      ...configInput(),
      groups: [0, 1, 2].map((k) => ({
        ...configInput().groups[0],
        name: `g${k}`,
        maxConcurrency: 40,
        members: configInput().groups[0].members.map((m, i) => ({ ...m, instanceId: `i-00000000000000${k}${i}0` })),
      })),
    });
    const bound = replaceRouteWriteBudget(config);
    let state: BucketState | undefined;
    let now = 0;
    let lastTurn = 0;
    const inFlight: number[] = []; // the last turn of each batch being written
    let reservations = 0;
    for (let batch = 0; batch < 300; batch++) {
      // A slot frees when its batch's last turn has passed; the Map starts the next batch in it.
      while (inFlight.length >= bound.writers) now = Math.max(now, inFlight.shift()!) + Math.floor(rand() * 50);
      now += Math.floor(rand() * 30);
      const count = 1 + Math.floor(rand() * 20);
      const r = reserveTokens(state, now, count, REPLACE_ROUTE_PACE);
      state = r.next;
      reservations++;
      const times = r.times!;
      expect(times[0]).toBeGreaterThanOrEqual(lastTurn); // first come, first served
      expect(times[count - 1] - now).toBeLessThanOrEqual(bound.queueWaitMs); // nobody waits past the bound
      lastTurn = times[count - 1];
      inFlight.push(lastTurn);
      inFlight.sort((a, b) => a - b);
    }
    expect(reservations).toBe(300);
  });

  it('hands out at most one refill per whole second after the burst (the pace EC2 sustains)', () => {
    const perSecond = new Map<number, number>();
    let state: BucketState | undefined;
    for (let i = 0; i < 100; i++) {
      const r = reserveTokens(state, i * 37, 20, REPLACE_ROUTE_PACE);
      state = r.next;
      for (const t of r.times!) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    }
    const [first, ...rest] = [...perSecond.keys()].sort((a, b) => a - b);
    expect(perSecond.get(first)).toBeLessThanOrEqual(45 + 5);
    for (const s of rest) expect(perSecond.get(s)).toBeLessThanOrEqual(5);
  });
});

describe("headroom: EC2's once-a-second refill met with latency jitter", () => {
  /**
   * Writes paced by `spec`, each reaching EC2's bucket (50, 5 per second, refilled at `phase`) after 50 ms ± jitter.
   */
  const throttledAgainstEc2 = (spec: PacerSpec, phase: number, jitterMs: number, seed: number): number => {
    const rand = prng(seed);
    let state: BucketState | undefined;
    const arrivals: number[] = [];
    for (let i = 0; i < 26; i++) {
      const r = reserveTokens(state, 0, 20, spec);
      state = r.next;
      for (const t of r.times!) arrivals.push(t + 50 + (2 * rand() - 1) * jitterMs);
    }
    arrivals.sort((a, b) => a - b);
    let t = 0;
    const bucket = new TokenBucket({ burst: 50, refillPerSecond: 5 }, () => t, phase);
    let throttled = 0;
    for (const at of arrivals) {
      t = at;
      if (!bucket.take()) throttled++;
    }
    return throttled;
  };

  it(`with one second of refill kept in the bucket, no write is throttled \
whatever the phase of the refill and a jitter up to ±450 ms`, () => {
    for (let phase = 0; phase < 1000; phase += 37)
      expect(throttledAgainstEc2(REPLACE_ROUTE_PACE, phase, 450, phase + 1)).toBe(0);
  });

  it(`without it (pacing at exactly the refill), a jittery endpoint \
throttles writes at some phases: why the headroom is there`, () => {
    const phases = Array.from({ length: 27 }, (_, k) => k * 37);
    const counts = phases.map((phase) => throttledAgainstEc2({ burst: 50, refillPerSecond: 5 }, phase, 450, phase + 1));
    // A refill landing inside the spread of one second's arrivals serves some of them after their neighbours
    // of the next second took the tokens (seeded: 10 of these 27 phases).
    expect(counts.filter((n) => n > 0).length).toBeGreaterThanOrEqual(5);
  });
});

describe('DynamoDbWritePacer: one item of the group-state table', () => {
  const ddbMock = mockClient(DynamoDBClient);
  beforeEach(() => ddbMock.reset());
  const pacer = () =>
    new DynamoDbWritePacer(
      new DynamoDBClient({ region: 'us-east-1' }),
      'state',
      SPEC,
      { now: () => 10_000, sleep: async () => undefined },
      () => 0,
    );

  it('reads consistently, then writes the bucket on the condition that the version is still the one read', async () => {
    ddbMock
      .on(GetItemCommand)
      .resolves({ Item: { group: { S: PACER_ITEM_KEY }, tokens: { N: '1' }, at: { N: '10000' }, v: { N: '7' } } });
    ddbMock.on(UpdateItemCommand).resolves({});
    expect(await pacer().reserve(2)).toEqual([10_000, 11_000]);
    expect(ddbMock).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: 'state',
      Key: { group: { S: PACER_ITEM_KEY } },
      ConsistentRead: true,
    });
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      Key: { group: { S: PACER_ITEM_KEY } },
      ConditionExpression: 'v = :v',
      ExpressionAttributeValues: { ':t': { N: '-1' }, ':at': { N: '10000' }, ':next': { N: '8' }, ':v': { N: '7' } },
    });
  });

  it('creates the item full on first use, and reads again when another reservation won the race', async () => {
    ddbMock
      .on(GetItemCommand)
      .resolvesOnce({})
      .resolves({ Item: { tokens: { N: '3' }, at: { N: '10000' }, v: { N: '1' } } });
    ddbMock
      .on(UpdateItemCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }))
      .resolves({});
    expect(await pacer().reserve(1)).toEqual([10_000]);
    const updates = ddbMock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => u.ConditionExpression)).toEqual(['attribute_not_exists(v)', 'v = :v']);
  });

  it('a throttled or failing table is a StateStore error, transient when DynamoDB throttles', async () => {
    ddbMock
      .on(GetItemCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
    await expect(pacer().reserve(1)).rejects.toMatchObject({ name: 'StateStoreTransientError' });
    ddbMock.on(GetItemCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(pacer().reserve(1)).rejects.toMatchObject({ name: 'StateStoreError' });
  });
});

describe('switch times in a batch result', () => {
  it('round-trip to 10 ms, compact, with routes that were not switched left empty', () => {
    const at = 1_767_225_600_000;
    const times = [at - 3000, undefined, at - 2800, at - 2800, at - 10];
    const sw = encodeSwitchTimes(at, times)!;
    expect(sw).toBe('8c,,k,0,7r');
    expect(decodeSwitchTimes(at, sw, 5)).toEqual(times);
    expect(encodeSwitchTimes(at, [undefined])).toBeUndefined();
    expect(decodeSwitchTimes(at, undefined, 2)).toEqual([undefined, undefined]);
  });
});
