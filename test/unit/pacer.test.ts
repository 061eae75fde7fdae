import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { decodeSwitchTimes, encodeSwitchTimes } from '../../functions/shared/plan';
import { DynamoDbWritePacer, InMemoryWritePacer, PACER_ITEM_KEY, REPLACE_ROUTE_PACE, drainTokens, reserveTokens } from '../../functions/shared/pacer';

const SPEC = { burst: 3, refillPerSecond: 5 };

describe('reserveTokens: a token bucket that hands out turns', () => {
  it('serves the burst now, then one turn per refill interval, in arrival order', () => {
    const a = reserveTokens(undefined, 1000, 2, SPEC);
    expect(a.times).toEqual([1000, 1000]);
    const b = reserveTokens(a.next, 1000, 3, SPEC);
    // One token left, then 200 ms per token at 5/s.
    expect(b.times).toEqual([1000, 1200, 1400]);
    expect(b.next.tokens).toBeCloseTo(-2);
    const c = reserveTokens(b.next, 1100, 1, SPEC);
    expect(c.times).toEqual([1600]);
  });

  it('refuses, reserving nothing, when the last turn would come after notAfter', () => {
    const full = reserveTokens(undefined, 0, 3, SPEC);
    const refused = reserveTokens(full.next, 0, 5, SPEC, 999);
    expect(refused.times).toBeUndefined();
    expect(refused.next.tokens).toBeCloseTo(0);
    expect(reserveTokens(refused.next, 0, 5, SPEC, 1000).times).toEqual([200, 400, 600, 800, 1000]);
  });

  it('refills up to the burst only, and a clock going backwards refills nothing', () => {
    const r = reserveTokens({ tokens: 0, at: 0 }, 60_000, 4, SPEC);
    expect(r.times).toEqual([60_000, 60_000, 60_000, 60_200]);
    expect(reserveTokens({ tokens: 0, at: 5000 }, 4000, 1, SPEC).times).toEqual([5200]);
  });

  it('after RequestLimitExceeded the free tokens are gone, reservations already made keep their turn', () => {
    expect(drainTokens({ tokens: 2.5, at: 0 }, 0, SPEC)).toEqual({ tokens: 0, at: 0 });
    expect(drainTokens({ tokens: -4, at: 0 }, 0, SPEC)).toEqual({ tokens: -4, at: 0 });
  });

  it("mirrors EC2's documented ReplaceRoute bucket (50, 5/s)", () => {
    expect(REPLACE_ROUTE_PACE).toEqual({ burst: 50, refillPerSecond: 5 });
  });
});

describe('InMemoryWritePacer', () => {
  it('gives concurrent callers turns in arrival order, and waits on its own clock', async () => {
    let t = 0;
    const waited: number[] = [];
    const pacer = new InMemoryWritePacer(SPEC, { now: () => t, sleep: async (ms) => void (waited.push(ms), (t += ms)) });
    const [a, b] = await Promise.all([pacer.reserve(2), pacer.reserve(2)]);
    expect(a).toEqual([0, 0]);
    expect(b).toEqual([0, 200]);
    await pacer.waitUntil(b![1]);
    expect(waited).toEqual([200]);
    expect(pacer.stats).toEqual({ reserved: 4, refused: 0, throttled: 0 });
  });

  it('refuses bad counts and bad specs by name', async () => {
    await expect(new InMemoryWritePacer(SPEC).reserve(0)).rejects.toMatchObject({ name: 'InvalidRequestError' });
    expect(() => new InMemoryWritePacer({ burst: 0, refillPerSecond: 5 })).toThrow(expect.objectContaining({ name: 'ConfigError' }));
  });
});

describe('DynamoDbWritePacer: one item of the group-state table', () => {
  const ddbMock = mockClient(DynamoDBClient);
  beforeEach(() => ddbMock.reset());
  const pacer = () => new DynamoDbWritePacer(new DynamoDBClient({ region: 'us-east-1' }), 'state', SPEC, { now: () => 10_000, sleep: async () => undefined }, () => 0);

  it('reads consistently, then writes the bucket on the condition that the version is still the one read', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: { group: { S: PACER_ITEM_KEY }, tokens: { N: '1' }, at: { N: '10000' }, v: { N: '7' } } });
    ddbMock.on(UpdateItemCommand).resolves({});
    expect(await pacer().reserve(2)).toEqual([10_000, 10_200]);
    expect(ddbMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: 'state', Key: { group: { S: PACER_ITEM_KEY } }, ConsistentRead: true });
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      Key: { group: { S: PACER_ITEM_KEY } },
      ConditionExpression: 'v = :v',
      ExpressionAttributeValues: { ':t': { N: '-1' }, ':at': { N: '10000' }, ':next': { N: '8' }, ':v': { N: '7' } },
    });
  });

  it('creates the item full on first use, and reads again when another reservation won the race', async () => {
    ddbMock.on(GetItemCommand).resolvesOnce({}).resolves({ Item: { tokens: { N: '3' }, at: { N: '10000' }, v: { N: '1' } } });
    ddbMock
      .on(UpdateItemCommand)
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }))
      .resolves({});
    expect(await pacer().reserve(1)).toEqual([10_000]);
    const updates = ddbMock.commandCalls(UpdateItemCommand).map((c) => c.args[0].input);
    expect(updates.map((u) => u.ConditionExpression)).toEqual(['attribute_not_exists(v)', 'v = :v']);
  });

  it('a throttled or failing table is a StateStore error, transient when DynamoDB throttles', async () => {
    ddbMock.on(GetItemCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ProvisionedThroughputExceededException' }));
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
