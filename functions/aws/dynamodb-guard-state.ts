import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { errorCode, isThrottling, isTransient } from '../contract/aws-errors';
import { StateStoreError } from '../contract/errors';
import { type GuardState, type GuardStore, type GuardView, parseGuardState } from '../domain/guard-state';
import { historyOf, holdOf } from './dynamodb-group-state';

export const GUARD_ATTRIBUTE = 'guard';

/** The guard's view of the DynamoDB group-state table: one GetItem per read, one UpdateItem of `guard` per write. */
export class DynamoDbGuardStore implements GuardStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(group: string): Promise<GuardView> {
    const out = await call(
      () =>
        this.ddb.send(
          new GetItemCommand({ TableName: this.tableName, Key: { group: { S: group } }, ConsistentRead: true }),
        ),
      'read group state',
    );
    const item = out.Item;
    const hold = holdOf(item);
    const guard = parseGuardState(item?.[GUARD_ATTRIBUTE]?.S);
    const owner = item?.owner?.S;
    const expiresAt = item?.expiresAt?.S;
    return {
      history: historyOf(item as Record<string, { S?: string }> | undefined),
      ...(owner && expiresAt ? { lease: { owner, expiresAt } } : {}),
      ...(hold ? { hold } : {}),
      ...(guard ? { guard } : {}),
    };
  }

  async write(group: string, state: GuardState): Promise<void> {
    // One attribute, not a put: the item also holds the lease, the history, the inventory and the hold.
    await call(
      () =>
        this.ddb.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { group: { S: group } },
            UpdateExpression: 'SET #g = :g',
            ExpressionAttributeNames: { '#g': GUARD_ATTRIBUTE },
            ExpressionAttributeValues: { ':g': { S: JSON.stringify(state) } },
          }),
        ),
      'write guard state',
    );
  }
}

const call = async <T>(send: () => Promise<T>, what: string): Promise<T> => {
  try {
    return await send();
  } catch (err) {
    throw new StateStoreError(
      `${what}: ${errorCode(err)}: ${(err as Error)?.message}`,
      isThrottling(err) || isTransient(err),
      { cause: err },
    );
  }
};
