import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { errorCode, isThrottling, isTransient } from '../contract/aws-errors';
import { StateStoreError } from '../contract/errors';
import {
  type BucketState,
  checkCount,
  checkSpec,
  drainTokens,
  type PacerClock,
  type PacerSpec,
  REPLACE_ROUTE_PACE,
  reserveTokens,
  WALL,
  waitOn,
  type WritePacer,
} from '../domain/pacer';
import { type Ec2WriteAction, pacerItemKey, WRITE_ACTION_PACE } from '../domain/switch-strategy';

/** The pacer item's key in the group-state table: not a group name (the schema does not allow '#'). */
export const PACER_ITEM_KEY = pacerItemKey('ReplaceRoute');
/** The ReplaceRouteTableAssociation pacer's item (EC2 gives that action a bucket of its own). */
export const ASSOCIATION_PACER_ITEM_KEY = pacerItemKey('ReplaceRouteTableAssociation');

/** The pacer of one EC2 write action's bucket: its documented pace, in its own item of the group-state table. */
export const actionPacer = (ddb: DynamoDBClient, tableName: string, action: Ec2WriteAction): DynamoDbWritePacer =>
  new DynamoDbWritePacer(ddb, tableName, WRITE_ACTION_PACE[action], undefined, undefined, pacerItemKey(action));

/**
 * The pacer as one item of the group-state DynamoDB table, shared by every function of the stack. A draw is
 * a consistent read, the refill computed here, and an UpdateItem conditioned on the version read (optimistic
 * concurrency: of two simultaneous reservations one wins, the other re-reads at once). Two DynamoDB calls per
 * reservation, a few milliseconds each; a batch reserves all its routes at once, so a 20-route batch costs one
 * reservation, not twenty, and nobody polls: each caller sleeps until its turn.
 */
export class DynamoDbWritePacer implements WritePacer {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
    private readonly spec: PacerSpec = REPLACE_ROUTE_PACE,
    private readonly clock: PacerClock = WALL,
    private readonly random: () => number = Math.random,
    /** Which EC2 action's bucket the item mirrors (PACER_ITEM_KEY, ASSOCIATION_PACER_ITEM_KEY). */
    private readonly itemKey: string = PACER_ITEM_KEY,
  ) {
    checkSpec(spec);
  }

  waitUntil(at: number): Promise<void> {
    return waitOn(this.clock, at);
  }

  async reserve(count: number, notAfter?: number): Promise<number[] | undefined> {
    checkCount(count);
    for (;;) {
      const { state, version } = await this.read();
      const r = reserveTokens(state, this.clock.now(), count, this.spec, notAfter);
      if (!r.times) return undefined;
      if (await this.write(r.next, version)) return r.times;
      // Someone reserved in between: read again after a few ms, spread so that contenders do not collide again.
      await this.clock.sleep(Math.floor(this.random() * 20));
    }
  }

  async throttled(): Promise<void> {
    for (;;) {
      const { state, version } = await this.read();
      if (await this.write(drainTokens(state, this.clock.now(), this.spec), version)) return;
    }
  }

  private async read(): Promise<{ state?: BucketState; version?: string }> {
    const out = await this.guard(
      () => this.ddb.send(new GetItemCommand({ TableName: this.tableName, Key: this.key(), ConsistentRead: true })),
      'read pacer',
    );
    const item = out.Item;
    const state =
      item?.tokens?.N !== undefined && item?.at?.N !== undefined
        ? { tokens: Number(item.tokens.N), at: Number(item.at.N) }
        : undefined;
    return { state, version: item?.v?.N };
  }

  /** Writes the bucket if nobody wrote it since `version` was read; false when someone did. */
  private async write(next: BucketState, version: string | undefined): Promise<boolean> {
    try {
      await this.guard(
        () =>
          this.ddb.send(
            new UpdateItemCommand({
              TableName: this.tableName,
              Key: this.key(),
              UpdateExpression: 'SET tokens = :t, #at = :at, v = :next',
              ConditionExpression: version === undefined ? 'attribute_not_exists(v)' : 'v = :v',
              ExpressionAttributeNames: { '#at': 'at' },
              ExpressionAttributeValues: {
                ':t': { N: String(next.tokens) },
                ':at': { N: String(next.at) },
                ':next': { N: String(Number(version ?? 0) + 1) },
                ...(version === undefined ? {} : { ':v': { N: version } }),
              },
            }),
          ),
        'write pacer',
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  private key() {
    return { group: { S: this.itemKey } };
  }

  private async guard<T>(call: () => Promise<T>, what: string): Promise<T> {
    try {
      return await call();
    } catch (err) {
      if (isConditionFailure(err)) throw err;
      const message =
        `group-state table: ${what}: ${errorCode(err) ?? ''} ${(err as Error)?.message ?? String(err)}`.replace(
          /\s+/g,
          ' ',
        );
      throw new StateStoreError(message, isThrottling(err) || isTransient(err), { cause: err });
    }
  }
}

const isConditionFailure = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || errorCode(err) === 'ConditionalCheckFailedException';
