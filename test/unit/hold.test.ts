import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { acquireLease } from '../../functions/acquire-lease/acquire-lease';
import { parseConfig } from '../../functions/contract/config';
import { InvalidRequestError } from '../../functions/contract/errors';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { DynamoDbGroupStateStore } from '../../functions/aws/dynamodb-group-state';
import { activeHold, type Hold, HOLD_MAX_SECONDS, newHold } from '../../functions/contract/hold';

const T0 = new Date('2026-11-25T14:30:00.000Z');
const BY = 'arn:aws:sts::111122223333:assumed-role/NetOps/alice';
const hold = (seconds = 7200): Hold => newHold({ seconds, by: BY, reason: 'firmware CHG-2001', now: T0 });
const ddbMock = mockClient(DynamoDBClient);
const ddb = new DynamoDBClient({ region: 'eu-west-1' });
const holdAttr = (h: Hold) => ({
  M: { until: { S: h.until }, by: { S: h.by }, reason: { S: h.reason }, setAt: { S: h.setAt } },
});

beforeEach(() => ddbMock.reset());

describe('newHold and activeHold', () => {
  it('a hold ends `seconds` after it is set, and is in force only until then', () => {
    const h = hold(7200);
    expect(h).toEqual({
      until: '2026-11-25T16:30:00.000Z',
      by: BY,
      reason: 'firmware CHG-2001',
      setAt: T0.toISOString(),
    });
    expect(activeHold(h, new Date('2026-11-25T16:29:59Z'))).toEqual(h);
    expect(activeHold(h, new Date('2026-11-25T16:30:00Z'))).toBeUndefined();
    expect(activeHold(undefined, T0)).toBeUndefined();
  });

  it.each([
    ['no duration', { seconds: 0 }, /more than 0 s/],
    ['over 7 days', { seconds: HOLD_MAX_SECONDS + 1 }, /at most 7 days/],
    ['a blank reason', { reason: '  ' }, /needs a reason/],
    ['a 513-character reason', { reason: 'x'.repeat(513) }, /at most 512 characters/],
    ['no caller', { by: '' }, /identity/],
  ])('refuses a hold with %s (InvalidRequestError)', (_label, bad, message) => {
    const args = { seconds: 3600, by: BY, reason: 'r', now: T0, ...bad };
    expect(() => newHold(args)).toThrow(InvalidRequestError);
    expect(() => newHold(args)).toThrow(message);
  });
});

describe('DynamoDbGroupStateStore: the hold', () => {
  const store = () => new DynamoDbGroupStateStore(ddb, 'group-state');

  it('setHold updates the one `hold` attribute of the group item (lease, history and inventory are kept)', async () => {
    ddbMock.on(UpdateItemCommand).resolves({});
    const h = hold();
    await store().setHold('onprem-edge', h);
    expect(ddbMock).toHaveReceivedCommandTimes(UpdateItemCommand, 1);
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: 'group-state',
      Key: { group: { S: 'onprem-edge' } },
      UpdateExpression: 'SET #h = :h',
      ExpressionAttributeNames: { '#h': 'hold' },
      ExpressionAttributeValues: { ':h': holdAttr(h) },
    });
  });

  it('clearHold removes only the hold and returns the one removed; a group never seen has none', async () => {
    const h = hold();
    ddbMock
      .on(UpdateItemCommand)
      .resolvesOnce({ Attributes: { hold: holdAttr(h) } })
      .rejectsOnce(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    expect(await store().clearHold('onprem-edge')).toEqual(h);
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      UpdateExpression: 'REMOVE #h',
      ReturnValues: 'UPDATED_OLD',
    });
    expect(await store().clearHold('never-seen')).toBeUndefined();
  });

  it('acquire returns the hold stored in the item while it is in force, and none once it expired', async () => {
    const h = hold(600);
    ddbMock
      .on(UpdateItemCommand)
      .resolves({ Attributes: { group: { S: 'g' }, owner: { S: 'me' }, hold: holdAttr(h) } });
    const inForce = await store().acquire('g', 'me', new Date(T0.getTime() + 300_000), 1800, async () => false);
    expect(inForce.hold).toEqual(h);
    const expired = await store().acquire('g', 'me', new Date(T0.getTime() + 601_000), 1800, async () => false);
    expect(expired.hold).toBeUndefined();
  });

  it('readHold reads the item consistently; an unreadable hold is no hold', async () => {
    ddbMock
      .on(GetItemCommand)
      .resolvesOnce({ Item: { hold: holdAttr(hold()) } })
      .resolvesOnce({ Item: { hold: { M: { until: { S: 'x' } } } } });
    expect(await store().readHold('g')).toEqual(hold());
    expect(ddbMock).toHaveReceivedCommandWith(GetItemCommand, { ConsistentRead: true });
    expect(await store().readHold('g')).toBeUndefined();
  });
});

describe('AcquireLease: the hold in the LeaseState', () => {
  const config = parseConfig({
    groups: [
      {
        name: 'onprem-edge',
        vpcId: 'vpc-0123456789abcdef0',
        members: [
          { name: 'router-a', instanceId: 'i-0a1b2c3d4e5f60001' },
          { name: 'router-b', instanceId: 'i-0a1b2c3d4e5f60002' },
        ],
      },
    ],
  });
  const request = { action: 'switchover', group: 'onprem-edge', to: 'router-b', requestedBy: 'netops' };

  it('returns the group hold in force with the lease', async () => {
    const store = new InMemoryGroupStateStore();
    await store.setHold('onprem-edge', hold());
    const out = await acquireLease(
      { event: request, execution: { id: 'x-1' }, holdDownDone: false },
      { config, store, isExecutionRunning: async () => false, now: () => T0 },
    );
    expect(out).toMatchObject({ held: true, group: 'onprem-edge', hold: hold() });
  });

  it('returns no hold once it expired or was cleared', async () => {
    const store = new InMemoryGroupStateStore();
    await store.setHold('onprem-edge', hold(60));
    const later = await acquireLease(
      { event: request, execution: { id: 'x-2' }, holdDownDone: false },
      { config, store, isExecutionRunning: async () => false, now: () => new Date(T0.getTime() + 61_000) },
    );
    expect(later.hold).toBeUndefined();
  });
});
