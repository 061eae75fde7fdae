import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBServiceException,
  GetItemCommand,
  InternalServerError,
  ProvisionedThroughputExceededException,
  PutItemCommand,
  RequestLimitExceeded,
  ThrottlingException,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { LeaseBusyError, StateStoreError } from '../../functions/contract/errors';
import { type GroupHistory, InMemoryGroupStateStore, nextHistory } from '../../functions/domain/group-state';
import { DynamoDbGroupStateStore } from '../../functions/aws/dynamodb-group-state';
import { GROUP, OTHER_EXECUTION, switchRecord } from './fixtures';

const T0 = new Date('2026-11-25T14:30:00.000Z');
const TTL = 900;
const at = (secondsAfterT0: number) => new Date(T0.getTime() + secondsAfterT0 * 1000);
const exec = (n: number) => `arn:aws:states:eu-west-1:111122223333:execution:vpc-route-failover:run-${n}`;
const running = (yes: boolean) => jest.fn(async (_id: string) => yes);
/** Keep automatic switches of the last day, as ReleaseLease does. */
const dayBefore = (d: Date) => new Date(d.getTime() - 86400 * 1000);

/** Awaits a promise that must reject; returns what it rejected with. */
const failure = async (p: Promise<unknown>): Promise<Error> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(Error);
  return err as Error;
};

describe('InMemoryGroupStateStore: the lease', () => {
  it("grants a free group's lease with its expiry and an empty history, without asking who runs", async () => {
    const store = new InMemoryGroupStateStore();
    const isRunning = running(true);

    const { lease, history } = await store.acquire(GROUP, exec(1), T0, TTL, isRunning);

    expect(lease).toEqual({
      group: GROUP,
      owner: exec(1),
      acquiredAt: '2026-11-25T14:30:00.000Z',
      expiresAt: '2026-11-25T14:45:00.000Z',
      tookOverFrom: undefined,
    });
    expect(history).toEqual({ automaticSwitches: [] });
    expect(store.holder(GROUP)).toBe(exec(1));
    expect(isRunning).not.toHaveBeenCalled();
  });

  it('is busy while the holder is still running: LeaseBusyError naming the holder, lease unchanged', async () => {
    const store = new InMemoryGroupStateStore();
    await store.acquire(GROUP, exec(1), T0, TTL, running(true));
    const isRunning = running(true);

    const err = await failure(store.acquire(GROUP, exec(2), at(5), TTL, isRunning));

    expect(err).toBeInstanceOf(LeaseBusyError);
    expect(err).toMatchObject({ name: 'LeaseBusyError', transient: true });
    expect(err.message).toBe(`group "${GROUP}" is being switched by ${exec(1)}; waiting for it to finish`);
    expect(isRunning).toHaveBeenCalledWith(exec(1));
    expect(store.holder(GROUP)).toBe(exec(1));
  });

  it('takes over the lease of a holder that is no longer running (tookOverFrom)', async () => {
    const store = new InMemoryGroupStateStore();
    await store.acquire(GROUP, exec(1), T0, TTL, running(true));

    const { lease } = await store.acquire(GROUP, exec(2), at(5), TTL, running(false));

    expect(lease).toMatchObject({ owner: exec(2), tookOverFrom: exec(1), acquiredAt: at(5).toISOString() });
    expect(store.holder(GROUP)).toBe(exec(2));
  });

  it('takes an expired lease without asking whether its holder runs', async () => {
    const store = new InMemoryGroupStateStore();
    await store.acquire(GROUP, exec(1), T0, TTL, running(true));
    const isRunning = running(true);

    const { lease } = await store.acquire(GROUP, exec(2), at(TTL + 1), TTL, isRunning);

    expect(lease.owner).toBe(exec(2));
    expect(lease.tookOverFrom).toBeUndefined();
    expect(isRunning).not.toHaveBeenCalled();
  });

  it('lets the holder take its own lease again (a retried AcquireLease) with a new expiry', async () => {
    const store = new InMemoryGroupStateStore();
    await store.acquire(GROUP, exec(1), T0, TTL, running(true));
    const isRunning = running(true);

    const { lease } = await store.acquire(GROUP, exec(1), at(10), TTL, isRunning);

    expect(lease).toMatchObject({ owner: exec(1), expiresAt: at(10 + TTL).toISOString() });
    expect(lease.tookOverFrom).toBeUndefined();
    expect(isRunning).not.toHaveBeenCalled();
  });

  it('keeps groups apart', async () => {
    const store = new InMemoryGroupStateStore();
    await store.acquire(GROUP, exec(1), T0, TTL, running(true));
    const { lease } = await store.acquire('dc-edge', exec(2), T0, TTL, running(true));
    expect(lease.owner).toBe(exec(2));
    expect(store.holder(GROUP)).toBe(exec(1));
  });

  it('is released only by its owner; releasing twice is harmless', async () => {
    const store = new InMemoryGroupStateStore();
    await store.acquire(GROUP, exec(1), T0, TTL, running(true));

    await expect(store.release(GROUP, exec(2), undefined, dayBefore(T0))).resolves.toEqual({ released: false });
    expect(store.holder(GROUP)).toBe(exec(1));

    await expect(store.release(GROUP, exec(1), undefined, dayBefore(T0))).resolves.toEqual({ released: true });
    expect(store.holder(GROUP)).toBeUndefined();

    await expect(store.release(GROUP, exec(1), undefined, dayBefore(T0))).resolves.toEqual({ released: false });
    await expect(store.release('never-acquired', exec(1), undefined, dayBefore(T0))).resolves.toEqual({
      released: false,
    });
  });

  it('after a release the next execution gets the lease without waiting', async () => {
    const store = new InMemoryGroupStateStore();
    await store.acquire(GROUP, exec(1), T0, TTL, running(true));
    await store.release(GROUP, exec(1), undefined, dayBefore(T0));
    const isRunning = running(true);

    const { lease } = await store.acquire(GROUP, exec(2), at(1), TTL, isRunning);

    expect(lease.owner).toBe(exec(2));
    expect(isRunning).not.toHaveBeenCalled();
  });

  it(`concurrency: 10 executions asking at once → exactly \
one gets the lease, the others LeaseBusyError naming it`, async () => {
    const store = new InMemoryGroupStateStore();
    const owners = Array.from({ length: 10 }, (_, i) => exec(i));

    const outcomes = await Promise.allSettled(owners.map((o) => store.acquire(GROUP, o, T0, TTL, running(true))));

    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(won).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<Awaited<ReturnType<InMemoryGroupStateStore['acquire']>>>).value
      .lease.owner;
    expect(store.holder(GROUP)).toBe(winner);
    expect(lost).toHaveLength(9);
    for (const l of lost) {
      expect(l.reason).toBeInstanceOf(LeaseBusyError);
      expect((l.reason as Error).message).toContain(winner);
    }
  });

  it('concurrency: 10 executions taking over a dead holder at once → exactly one takes it over', async () => {
    const store = new InMemoryGroupStateStore();
    await store.acquire(GROUP, OTHER_EXECUTION, T0, TTL, running(true));
    const owners = Array.from({ length: 10 }, (_, i) => exec(i));

    const outcomes = await Promise.allSettled(owners.map((o) => store.acquire(GROUP, o, at(5), TTL, running(false))));

    const won = outcomes.filter(
      (o): o is PromiseFulfilledResult<Awaited<ReturnType<InMemoryGroupStateStore['acquire']>>> =>
        o.status === 'fulfilled',
    );
    expect(won).toHaveLength(1);
    expect(won[0].value.lease.tookOverFrom).toBe(OTHER_EXECUTION);
    expect(store.holder(GROUP)).toBe(won[0].value.lease.owner);
    const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(lost).toHaveLength(9);
    for (const l of lost) expect(l.reason).toBeInstanceOf(LeaseBusyError);
  });
});

describe('InMemoryGroupStateStore: the group history', () => {
  /** Acquire then release with the given switch; returns the history the next acquire sees. */
  const cycle = async (
    store: InMemoryGroupStateStore,
    owner: string,
    now: Date,
    switched?: ReturnType<typeof switchRecord>,
    keepSince = dayBefore(now),
  ) => {
    await store.acquire(GROUP, owner, now, TTL, running(true));
    await store.release(GROUP, owner, switched, keepSince);
  };
  const historyNow = async (store: InMemoryGroupStateStore, now: Date): Promise<GroupHistory> => {
    const { history } = await store.acquire(GROUP, 'reader', now, TTL, running(false));
    await store.release(GROUP, 'reader', undefined, dayBefore(now));
    return history;
  };

  it('records the last switch when one is recorded, and keeps it when a later run switched nothing', async () => {
    const store = new InMemoryGroupStateStore();
    const first = switchRecord({ at: at(10).toISOString(), executionId: exec(1), triggerId: 't-1' });
    await cycle(store, exec(1), T0, first);
    await cycle(store, exec(2), at(60));

    const h = await historyNow(store, at(120));

    expect(h.lastSwitch).toEqual(first);
    expect(h.automaticSwitches).toEqual([first]);
  });

  it('a manual switch becomes the last switch but is not counted for flap damping', async () => {
    const store = new InMemoryGroupStateStore();
    const manual = switchRecord({
      automatic: false,
      executionId: exec(1),
      triggerId: 'manual-run',
      at: at(10).toISOString(),
    });
    await cycle(store, exec(1), T0, manual);

    const h = await historyNow(store, at(60));

    expect(h.lastSwitch).toEqual(manual);
    expect(h.automaticSwitches).toEqual([]);
  });

  it('a release by someone who does not hold the lease records nothing', async () => {
    const store = new InMemoryGroupStateStore();
    await store.acquire(GROUP, exec(1), T0, TTL, running(true));
    await store.release(GROUP, exec(2), switchRecord(), dayBefore(T0));
    await store.release(GROUP, exec(1), undefined, dayBefore(T0));

    const h = await historyNow(store, at(60));

    expect(h).toEqual({ automaticSwitches: [] });
  });

  it('prunes automatic switches older than the window and counts a trigger once', async () => {
    const store = new InMemoryGroupStateStore();
    const old = switchRecord({ at: T0.toISOString(), triggerId: 't-old' });
    const recent = switchRecord({ at: at(3000).toISOString(), triggerId: 't-recent', executionId: exec(2) });
    await cycle(store, exec(1), T0, old);
    await cycle(store, exec(2), at(3000), recent);
    // The same trigger switching again (a re-run of that event) is not a second failover.
    await cycle(store, exec(3), at(3100), { ...recent, at: at(3100).toISOString(), executionId: exec(3) });
    // Window of one hour before at(3700): `old` (at T0) falls out.
    await cycle(store, exec(4), at(3700), undefined, at(100));

    const h = await historyNow(store, at(3800));

    expect(h.automaticSwitches.map((s) => s.triggerId)).toEqual(['t-recent']);
    expect(h.automaticSwitches[0].executionId).toBe(exec(2));
    expect(h.lastSwitch?.executionId).toBe(exec(3));
  });

  it('hands out a copy: changing the returned history does not change the store', async () => {
    const store = new InMemoryGroupStateStore();
    await cycle(store, exec(1), T0, switchRecord({ at: T0.toISOString() }));
    const h = await historyNow(store, at(10));
    h.automaticSwitches.length = 0;
    expect((await historyNow(store, at(20))).automaticSwitches).toHaveLength(1);
  });
});

describe('nextHistory', () => {
  it('keeps switches exactly at the window start, drops older ones, appends the new one last', () => {
    const since = at(0);
    const h: GroupHistory = {
      automaticSwitches: [
        switchRecord({ at: at(-1).toISOString(), triggerId: 'a' }),
        switchRecord({ at: at(0).toISOString(), triggerId: 'b' }),
      ],
    };
    const next = nextHistory(h, switchRecord({ at: at(5).toISOString(), triggerId: 'c' }), since);
    expect(next.automaticSwitches.map((s) => s.triggerId)).toEqual(['b', 'c']);
    expect(next.lastSwitch?.triggerId).toBe('c');
    // Pure: the input is untouched.
    expect(h.automaticSwitches).toHaveLength(2);
  });
});

describe('DynamoDbGroupStateStore: what is sent', () => {
  const ddbMock = mockClient(DynamoDBClient);
  const ddb = new DynamoDBClient({ region: 'eu-west-1' });
  const TABLE = 'vpc-route-failover-group-state';
  const store = () => new DynamoDbGroupStateStore(ddb, TABLE);
  const KEY = { group: { S: GROUP } };
  const ACQUIRE_CONDITION = 'attribute_not_exists(#o) OR #o = :me OR expiresAt < :now';
  const conditionalFailed = () =>
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: { httpStatusCode: 400 },
    });
  const historyItem = (h: GroupHistory) => ({ history: { S: JSON.stringify(h) } });

  beforeEach(() => ddbMock.reset());

  it('acquire: one conditional UpdateItem that takes a free, own or expired lease, returning the history', async () => {
    const h: GroupHistory = { lastSwitch: switchRecord(), automaticSwitches: [switchRecord()] };
    ddbMock
      .on(UpdateItemCommand)
      .resolves({ Attributes: { group: { S: GROUP }, owner: { S: exec(1) }, ...historyItem(h) } });
    const isRunning = running(true);

    const out = await store().acquire(GROUP, exec(1), T0, TTL, isRunning);

    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'SET #o = :me, acquiredAt = :now, expiresAt = :exp',
      ConditionExpression: ACQUIRE_CONDITION,
      ExpressionAttributeNames: { '#o': 'owner' },
      ExpressionAttributeValues: {
        ':me': { S: exec(1) },
        ':now': { S: '2026-11-25T14:30:00.000Z' },
        ':exp': { S: '2026-11-25T14:45:00.000Z' },
      },
      ReturnValues: 'ALL_NEW',
    });
    expect(ddbMock).toHaveReceivedCommandTimes(GetItemCommand, 0);
    expect(isRunning).not.toHaveBeenCalled();
    expect(out).toEqual({
      lease: {
        group: GROUP,
        owner: exec(1),
        acquiredAt: '2026-11-25T14:30:00.000Z',
        expiresAt: '2026-11-25T14:45:00.000Z',
      },
      history: h,
    });
  });

  it('acquire: an item without history (first use of a group) gives an empty history', async () => {
    ddbMock.on(UpdateItemCommand).resolves({ Attributes: { group: { S: GROUP }, owner: { S: exec(1) } } });
    await expect(store().acquire(GROUP, exec(1), T0, TTL, running(true))).resolves.toMatchObject({
      history: { automaticSwitches: [] },
    });
  });

  it('acquire: an unreadable history is treated as empty rather than failing the failover', async () => {
    ddbMock.on(UpdateItemCommand).resolves({ Attributes: { history: { S: '{not json' } } });
    await expect(store().acquire(GROUP, exec(1), T0, TTL, running(true))).resolves.toMatchObject({
      history: { automaticSwitches: [] },
    });
  });

  it(`acquire: held by a running execution → consistent GetItem, \
ask whether the holder runs, LeaseBusyError naming it`, async () => {
    ddbMock.on(UpdateItemCommand).rejects(conditionalFailed());
    ddbMock
      .on(GetItemCommand)
      .resolves({ Item: { group: { S: GROUP }, owner: { S: exec(1) }, expiresAt: { S: at(600).toISOString() } } });
    const isRunning = running(true);

    const err = await failure(store().acquire(GROUP, exec(2), T0, TTL, isRunning));

    expect(err).toBeInstanceOf(LeaseBusyError);
    expect(err.message).toContain(exec(1));
    expect(ddbMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE, Key: KEY, ConsistentRead: true });
    expect(isRunning).toHaveBeenCalledWith(exec(1));
    // No takeover attempt while the holder runs.
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
  });

  it(`acquire: held by an execution that no longer runs → a \
second UpdateItem conditioned on that holder (takeover)`, async () => {
    const h: GroupHistory = { automaticSwitches: [switchRecord()] };
    ddbMock
      .on(UpdateItemCommand)
      .rejectsOnce(conditionalFailed())
      .resolvesOnce({ Attributes: { group: { S: GROUP }, owner: { S: exec(2) }, ...historyItem(h) } });
    ddbMock.on(GetItemCommand).resolves({ Item: { group: { S: GROUP }, owner: { S: exec(1) } } });

    const out = await store().acquire(GROUP, exec(2), T0, TTL, running(false));

    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 2);
    expect(ddbMock).toHaveReceivedNthSpecificCommandWith(1, UpdateItemCommand, {
      ConditionExpression: ACQUIRE_CONDITION,
    });
    expect(ddbMock).toHaveReceivedNthSpecificCommandWith(2, UpdateItemCommand, {
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'SET #o = :me, acquiredAt = :now, expiresAt = :exp',
      ConditionExpression: '#o = :holder',
      ExpressionAttributeNames: { '#o': 'owner' },
      ExpressionAttributeValues: {
        ':me': { S: exec(2) },
        ':now': { S: '2026-11-25T14:30:00.000Z' },
        ':exp': { S: '2026-11-25T14:45:00.000Z' },
        ':holder': { S: exec(1) },
      },
    });
    expect(out.lease).toEqual({
      group: GROUP,
      owner: exec(2),
      acquiredAt: '2026-11-25T14:30:00.000Z',
      expiresAt: '2026-11-25T14:45:00.000Z',
      tookOverFrom: exec(1),
    });
    expect(out.history).toEqual(h);
  });

  it('acquire: someone else took over first (the takeover condition fails) → LeaseBusyError', async () => {
    ddbMock.on(UpdateItemCommand).rejects(conditionalFailed());
    ddbMock.on(GetItemCommand).resolves({ Item: { owner: { S: exec(1) } } });
    const err = await failure(store().acquire(GROUP, exec(3), T0, TTL, running(false)));
    expect(err).toBeInstanceOf(LeaseBusyError);
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 2);
  });

  it(`acquire: the lease vanished between the write and the \
read → LeaseBusyError (retried), no holder asked about`, async () => {
    ddbMock.on(UpdateItemCommand).rejects(conditionalFailed());
    ddbMock.on(GetItemCommand).resolves({ Item: { group: { S: GROUP } } });
    const isRunning = running(false);
    const err = await failure(store().acquire(GROUP, exec(2), T0, TTL, isRunning));
    expect(err).toBeInstanceOf(LeaseBusyError);
    expect(isRunning).not.toHaveBeenCalled();
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
  });

  it(`release: consistent GetItem, then an UpdateItem conditioned on the owner that drops the lease and keeps the \
history (and the inventory)`, async () => {
    const old = switchRecord({ at: at(-100000).toISOString(), triggerId: 't-old' });
    const kept = switchRecord({ at: at(-600).toISOString(), triggerId: 't-kept' });
    ddbMock.on(GetItemCommand).resolves({
      Item: { group: { S: GROUP }, owner: { S: exec(1) }, ...historyItem({ automaticSwitches: [old, kept] }) },
    });
    ddbMock.on(UpdateItemCommand).resolves({});
    const switched = switchRecord({ at: T0.toISOString(), triggerId: 't-new', executionId: exec(1) });

    const out = await store().release(GROUP, exec(1), switched, dayBefore(T0));

    expect(out).toEqual({ released: true });
    expect(ddbMock).toHaveReceivedCommandWith(GetItemCommand, { TableName: TABLE, Key: KEY, ConsistentRead: true });
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: KEY,
      UpdateExpression: 'SET history = :h REMOVE #o, acquiredAt, expiresAt',
      ConditionExpression: '#o = :me',
      ExpressionAttributeNames: { '#o': 'owner' },
      ExpressionAttributeValues: { ':me': { S: exec(1) }, ':h': { S: expect.any(String) } },
    });
    const sent = ddbMock.commandCalls(UpdateItemCommand)[0].args[0].input;
    expect(JSON.parse(sent.ExpressionAttributeValues![':h'].S!)).toEqual({
      lastSwitch: switched,
      automaticSwitches: [kept, switched],
    });
    expect(ddbMock).toHaveReceivedCommandTimes(PutItemCommand, 0);
  });

  it('release: by someone who does not hold the lease → no write, released false', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: { owner: { S: exec(1) } } });
    await expect(store().release(GROUP, exec(2), switchRecord(), dayBefore(T0))).resolves.toEqual({ released: false });
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 0);
  });

  it('release: the lease was taken over between read and write (condition fails) → released false', async () => {
    ddbMock.on(GetItemCommand).resolves({ Item: { owner: { S: exec(1) } } });
    ddbMock.on(UpdateItemCommand).rejects(conditionalFailed());
    await expect(store().release(GROUP, exec(1), undefined, dayBefore(T0))).resolves.toEqual({ released: false });
  });

  const throttles: [string, () => DynamoDBServiceException][] = [
    [
      'ThrottlingException',
      () => new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }),
    ],
    [
      'RequestLimitExceeded',
      () =>
        new RequestLimitExceeded({
          message: 'Throughput exceeds the account limit',
          $metadata: { httpStatusCode: 400 },
        }),
    ],
    // DynamoDB's usual throttle on a provisioned table; the SDK's own retry classification treats it as throttling.
    [
      'ProvisionedThroughputExceededException',
      () =>
        new ProvisionedThroughputExceededException({
          message: 'The level of configured provisioned throughput for the table was exceeded',
          $metadata: { httpStatusCode: 400 },
        }),
    ],
    [
      'InternalServerError (500)',
      () => new InternalServerError({ message: 'Internal server error', $metadata: { httpStatusCode: 500 } }),
    ],
  ];

  it.each(throttles)('acquire: %s → StateStoreTransientError (the state machine retries)', async (_name, make) => {
    ddbMock.on(UpdateItemCommand).rejects(make());
    const err = await failure(store().acquire(GROUP, exec(1), T0, TTL, running(true)));
    expect(err).toBeInstanceOf(StateStoreError);
    expect(err).toMatchObject({ name: 'StateStoreTransientError', transient: true });
    expect(err.message).toContain('take lease');
  });

  it.each(throttles)('release: %s on the read → StateStoreTransientError', async (_name, make) => {
    ddbMock.on(GetItemCommand).rejects(make());
    const err = await failure(store().release(GROUP, exec(1), undefined, dayBefore(T0)));
    expect(err).toMatchObject({ name: 'StateStoreTransientError', transient: true });
  });

  it('a throttled read after a failed condition → StateStoreTransientError, not LeaseBusyError', async () => {
    ddbMock.on(UpdateItemCommand).rejects(conditionalFailed());
    ddbMock
      .on(GetItemCommand)
      .rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }));
    const err = await failure(store().acquire(GROUP, exec(1), T0, TTL, running(true)));
    expect(err).toMatchObject({ name: 'StateStoreTransientError' });
  });

  it('a permanent error (table missing, access denied) → StateStoreError, not retried', async () => {
    const missing = new DynamoDBServiceException({
      name: 'ResourceNotFoundException',
      $fault: 'client',
      message: 'Requested resource not found',
      $metadata: { httpStatusCode: 400 },
    });
    ddbMock.on(UpdateItemCommand).rejects(missing);
    const err = await failure(store().acquire(GROUP, exec(1), T0, TTL, running(true)));
    expect(err).toBeInstanceOf(StateStoreError);
    expect(err).toMatchObject({ name: 'StateStoreError', transient: false });
    expect(err.message).toContain('ResourceNotFoundException');
  });
});
