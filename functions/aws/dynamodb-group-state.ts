import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { errorCode, isThrottling, isTransient } from '../contract/aws-errors';
import { FailoverError, LeaseBusyError, StateStoreError } from '../contract/errors';
import { activeHold, type Hold, HoldSchema } from '../contract/hold';
import type { GroupInventory, MemberInventory } from '../domain/inventory';
import { parseMemberInventory } from '../domain/inventory';
import { type GroupHistory, type GroupStateStore, nextHistory, type SwitchRecord } from '../domain/group-state';

/**
 * DynamoDB store: one item per group (partition key `group`), conditional writes for the lease. No TTL:
 * the item also holds the group's history, so an abandoned lease ends by its `expiresAt` (checked in the
 * write condition) or by takeover when its holder no longer runs, never by deleting the item.
 */
export class DynamoDbGroupStateStore implements GroupStateStore {
  constructor(
    private readonly ddb: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  /** The group's whole item, read consistently (lease, history, inventory and hold live in it). */
  private readItem(group: string) {
    return this.ddb.send(
      new GetItemCommand({ TableName: this.tableName, Key: { group: { S: group } }, ConsistentRead: true }),
    );
  }

  async acquire(
    group: string,
    owner: string,
    now: Date,
    ttlSeconds: number,
    isRunning: (id: string) => Promise<boolean>,
  ) {
    const acquiredAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + ttlSeconds * 1000).toISOString();
    const take = (condition: string, values: Record<string, { S: string }>) =>
      this.ddb.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { group: { S: group } },
          UpdateExpression: 'SET #o = :me, acquiredAt = :now, expiresAt = :exp',
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#o': 'owner' },
          ExpressionAttributeValues: {
            ':me': { S: owner },
            ':now': { S: acquiredAt },
            ':exp': { S: expiresAt },
            ...values,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
    try {
      const out = await guard(() => take('attribute_not_exists(#o) OR #o = :me OR expiresAt < :now', {}), 'take lease');
      return {
        lease: { group, owner, acquiredAt, expiresAt },
        history: historyOf(out.Attributes),
        ...heldAt(out.Attributes, now),
      };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    const current = await guard(() => this.readItem(group), 'read lease');
    const holder = current.Item?.owner?.S;
    if (!holder) throw new LeaseBusyError(group, 'another execution');
    if (await isRunning(holder)) throw new LeaseBusyError(group, holder);
    try {
      // The holder is gone: take over, on the condition that nobody else did in between.
      const out = await guard(() => take('#o = :holder', { ':holder': { S: holder } }), 'take over lease');
      return {
        lease: { group, owner, acquiredAt, expiresAt, tookOverFrom: holder },
        history: historyOf(out.Attributes),
        ...heldAt(out.Attributes, now),
      };
    } catch (err) {
      if (isConditionFailed(err)) throw new LeaseBusyError(group, 'another execution');
      throw err;
    }
  }

  async release(group: string, owner: string, switched: SwitchRecord | undefined, keepAutomaticSince: Date) {
    const current = await guard(() => this.readItem(group), 'read lease');
    if (current.Item?.owner?.S !== owner) return { released: false };
    const history = nextHistory(historyOf(current.Item), switched, keepAutomaticSince);
    try {
      // An update, not a put: the item also holds the member inventory, written without the lease.
      await guard(
        () =>
          this.ddb.send(
            new UpdateItemCommand({
              TableName: this.tableName,
              Key: { group: { S: group } },
              UpdateExpression: 'SET history = :h REMOVE #o, acquiredAt, expiresAt',
              ConditionExpression: '#o = :me',
              ExpressionAttributeNames: { '#o': 'owner' },
              ExpressionAttributeValues: { ':me': { S: owner }, ':h': { S: JSON.stringify(history) } },
            }),
          ),
        'release lease',
      );
      return { released: true };
    } catch (err) {
      if (isConditionFailed(err)) return { released: false };
      throw err;
    }
  }

  async readInventory(group: string): Promise<GroupInventory> {
    const out = await guard(() => this.readItem(group), 'read inventory');
    const inventory: GroupInventory = {};
    for (const [name, value] of Object.entries(out.Item ?? {})) {
      if (!name.startsWith(INVENTORY_PREFIX) || !value.M?.data?.S) continue;
      let parsed: MemberInventory | undefined;
      try {
        parsed = parseMemberInventory(JSON.parse(value.M.data.S));
      } catch {
        parsed = undefined;
      }
      if (parsed && parsed.member === name.slice(INVENTORY_PREFIX.length)) inventory[parsed.member] = parsed;
    }
    return inventory;
  }

  async writeInventory(group: string, inventory: MemberInventory): Promise<void> {
    try {
      await guard(
        () =>
          this.ddb.send(
            new UpdateItemCommand({
              TableName: this.tableName,
              Key: { group: { S: group } },
              UpdateExpression: 'SET #a = :v',
              // Two writers (an execution and the scheduled refresh) never put an older view over a newer one.
              ConditionExpression: 'attribute_not_exists(#a) OR #a.#t <= :t',
              ExpressionAttributeNames: { '#a': `${INVENTORY_PREFIX}${inventory.member}`, '#t': 'observedAt' },
              ExpressionAttributeValues: {
                ':v': { M: { observedAt: { S: inventory.observedAt }, data: { S: JSON.stringify(inventory) } } },
                ':t': { S: inventory.observedAt },
              },
            }),
          ),
        'write inventory',
      );
    } catch (err) {
      if (isConditionFailed(err)) return;
      throw err;
    }
  }

  async setHold(group: string, hold: Hold): Promise<void> {
    // An update of one attribute, not a put: the item also holds the lease, the history and the inventory.
    await guard(
      () =>
        this.ddb.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { group: { S: group } },
            UpdateExpression: 'SET #h = :h',
            ExpressionAttributeNames: { '#h': HOLD_ATTRIBUTE },
            ExpressionAttributeValues: {
              ':h': {
                M: {
                  until: { S: hold.until },
                  by: { S: hold.by },
                  reason: { S: hold.reason },
                  setAt: { S: hold.setAt },
                },
              },
            },
          }),
        ),
      'set hold',
    );
  }

  async clearHold(group: string): Promise<Hold | undefined> {
    const out = await guard(
      () =>
        this.ddb.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { group: { S: group } },
            UpdateExpression: 'REMOVE #h',
            // Only an item that exists: removing from a group never seen would create an empty item.
            ConditionExpression: 'attribute_exists(#g)',
            ExpressionAttributeNames: { '#h': HOLD_ATTRIBUTE, '#g': 'group' },
            ReturnValues: 'UPDATED_OLD',
          }),
        ),
      'clear hold',
    ).catch((err: unknown) => {
      if (isConditionFailed(err)) return { Attributes: undefined };
      throw err;
    });
    return holdOf(out.Attributes);
  }

  async readHold(group: string): Promise<Hold | undefined> {
    const out = await guard(
      () =>
        this.ddb.send(
          new GetItemCommand({
            TableName: this.tableName,
            Key: { group: { S: group } },
            ConsistentRead: true,
            ProjectionExpression: '#h',
            ExpressionAttributeNames: { '#h': HOLD_ATTRIBUTE },
          }),
        ),
      'read hold',
    );
    return holdOf(out.Item);
  }
}

/** Attribute of the group's item that holds its maintenance hold (a map: until, by, reason, setAt). */
const HOLD_ATTRIBUTE = 'hold';

type Item = Record<string, AttributeValue> | undefined;

/** The stored hold of an item, or undefined when absent or unreadable (an unreadable hold holds nothing). */
export const holdOf = (item: Item): Hold | undefined => {
  const m = item?.[HOLD_ATTRIBUTE]?.M;
  if (!m) return undefined;
  const parsed = HoldSchema.safeParse({ until: m.until?.S, by: m.by?.S, reason: m.reason?.S, setAt: m.setAt?.S });
  return parsed.success ? parsed.data : undefined;
};

const heldAt = (item: Item, now: Date): { hold?: Hold } => {
  const hold = activeHold(holdOf(item), now);
  return hold ? { hold } : {};
};

/** Attribute name prefix of a member's inventory in the group's item ("inventory:router-a"). */
const INVENTORY_PREFIX = 'inventory:';

export const historyOf = (item: Record<string, { S?: string }> | undefined): GroupHistory => {
  const raw = item?.history?.S;
  if (!raw) return { automaticSwitches: [] };
  try {
    const h = JSON.parse(raw) as GroupHistory;
    return {
      lastSwitch: h.lastSwitch,
      automaticSwitches: Array.isArray(h.automaticSwitches) ? h.automaticSwitches : [],
    };
  } catch {
    return { automaticSwitches: [] };
  }
};

/** A conditional write whose condition did not hold (not an error of the store). */
const isConditionFailed = (err: unknown): boolean =>
  err instanceof ConditionalCheckFailedException || errorCode(err) === 'ConditionalCheckFailedException';

/**
 * Runs a DynamoDB call; throttling and 5xx become StateStoreError marked transient, conditional failures pass through.
 */
const guard = async <T>(call: () => Promise<T>, what: string): Promise<T> => {
  try {
    return await call();
  } catch (err) {
    if (err instanceof FailoverError || isConditionFailed(err)) throw err;
    throw new StateStoreError(
      `${what}: ${errorCode(err)}: ${(err as Error)?.message}`,
      isThrottling(err) || isTransient(err),
      { cause: err },
    );
  }
};
