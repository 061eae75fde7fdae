import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { DynamoDbGroupStateStore } from '../../functions/aws/dynamodb-group-state';
import { inventoryFromInstance, type MemberInventory, parseMemberInventory } from '../../functions/domain/inventory';
import { GROUP, IDS } from './fixtures';

const TABLE = 'vpc-route-failover-group-state';
const inv = (observedAt: string, eni: string = IDS.eniA0): MemberInventory => ({
  member: 'router-a',
  instanceId: IDS.routerA,
  observedAt,
  interfaces: [{ slot: '0/0', eni, subnetId: 'subnet-0aaaaaaaaaaaaaaaa', availabilityZone: 'eu-west-1a' }],
});

describe('member inventory', () => {
  it(`is taken from a described instance, slot by network card \
and device index; an instance without interfaces gives none`, () => {
    const member = { name: 'router-a', instanceId: IDS.routerA };
    const observedAt = new Date('2026-11-25T14:00:00.000Z');
    const withEnis = inventoryFromInstance(
      member,
      {
        InstanceId: IDS.routerA,
        Placement: { AvailabilityZone: 'eu-west-1a' },
        NetworkInterfaces: [
          { NetworkInterfaceId: IDS.eniA1, SubnetId: 'subnet-1', Attachment: { DeviceIndex: 1, NetworkCardIndex: 0 } },
          { NetworkInterfaceId: IDS.eniA0, SubnetId: 'subnet-0', Attachment: { DeviceIndex: 0 } },
        ],
      },
      observedAt,
    );
    expect(withEnis).toEqual({
      member: 'router-a',
      instanceId: IDS.routerA,
      observedAt: '2026-11-25T14:00:00.000Z',
      interfaces: [
        { slot: '0/0', eni: IDS.eniA0, subnetId: 'subnet-0', availabilityZone: 'eu-west-1a' },
        { slot: '0/1', eni: IDS.eniA1, subnetId: 'subnet-1', availabilityZone: 'eu-west-1a' },
      ],
    });
    // A terminated instance: EC2 shows it without interfaces; that must never erase what was known.
    expect(
      inventoryFromInstance(
        member,
        { InstanceId: IDS.routerA, State: { Name: 'terminated' }, NetworkInterfaces: [] },
        observedAt,
      ),
    ).toBeUndefined();
  });

  it('a stored entry that does not fit the shape is ignored, not thrown', () => {
    expect(parseMemberInventory({ member: 'router-a' })).toBeUndefined();
    expect(parseMemberInventory(inv('2026-11-25T14:00:00.000Z'))).toEqual(inv('2026-11-25T14:00:00.000Z'));
  });

  it('in memory: an older observation never replaces a newer one', async () => {
    const store = new InMemoryGroupStateStore();
    await store.writeInventory(GROUP, inv('2026-11-25T14:05:00.000Z', IDS.eniA0));
    await store.writeInventory(GROUP, inv('2026-11-25T14:00:00.000Z', IDS.eniA1));
    expect((await store.readInventory(GROUP))['router-a'].interfaces[0].eni).toBe(IDS.eniA0);
    expect(await store.readInventory('other-group')).toEqual({});
  });
});

describe('DynamoDbGroupStateStore: the inventory, as sent', () => {
  const ddbMock = mockClient(DynamoDBClient);
  beforeEach(() => ddbMock.reset());
  const store = () => new DynamoDbGroupStateStore(new DynamoDBClient({ region: 'eu-west-1' }), TABLE);

  it('writes one attribute per member with an UpdateItem that never puts an older view over a newer one', async () => {
    ddbMock.on(UpdateItemCommand).resolves({});
    const entry = inv('2026-11-25T14:05:00.000Z');
    await store().writeInventory(GROUP, entry);
    expect(ddbMock).toHaveReceivedCommandWith(UpdateItemCommand, {
      TableName: TABLE,
      Key: { group: { S: GROUP } },
      UpdateExpression: 'SET #a = :v',
      ConditionExpression: 'attribute_not_exists(#a) OR #a.#t <= :t',
      ExpressionAttributeNames: { '#a': 'inventory:router-a', '#t': 'observedAt' },
      ExpressionAttributeValues: {
        ':v': { M: { observedAt: { S: entry.observedAt }, data: { S: JSON.stringify(entry) } } },
        ':t': { S: entry.observedAt },
      },
    });
  });

  it('a newer view already stored (the condition fails) is not an error', async () => {
    ddbMock
      .on(UpdateItemCommand)
      .rejects(new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} }));
    await expect(store().writeInventory(GROUP, inv('2026-11-25T14:00:00.000Z'))).resolves.toBeUndefined();
  });

  it(`reads every member of the group item with a consistent \
read, skipping the lease attributes and anything malformed`, async () => {
    const entry = inv('2026-11-25T14:05:00.000Z');
    ddbMock.on(GetItemCommand).resolves({
      Item: {
        group: { S: GROUP },
        owner: { S: 'arn:aws:states:eu-west-1:111122223333:execution:x:y' },
        'inventory:router-a': { M: { observedAt: { S: entry.observedAt }, data: { S: JSON.stringify(entry) } } },
        'inventory:router-b': { M: { observedAt: { S: entry.observedAt }, data: { S: '{not json' } } },
        // An entry filed under the wrong member name is not trusted.
        'inventory:router-c': { M: { observedAt: { S: entry.observedAt }, data: { S: JSON.stringify(entry) } } },
      },
    });
    await expect(store().readInventory(GROUP)).resolves.toEqual({ 'router-a': entry });
    expect(ddbMock).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: TABLE,
      Key: { group: { S: GROUP } },
      ConsistentRead: true,
    });
  });

  it('a throttled read is a transient StateStoreError (ResolveTargets is retried)', async () => {
    ddbMock
      .on(GetItemCommand)
      .rejects(
        Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client', $metadata: {} }),
      );
    await expect(store().readInventory(GROUP)).rejects.toMatchObject({ name: 'StateStoreTransientError' });
  });
});
