import {
  AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { errorCode, isThrottling, isTransient } from '../contract/aws-errors';
import { FailoverError, LeaseBusyError, StateStoreError } from '../contract/errors';
import { activeHold, Hold, HoldSchema } from '../contract/hold';
import { GroupInventory, MemberInventory, parseMemberInventory } from './inventory';

/**
 * One writer per group, and the memory a group needs across executions.
 *
 * Why a lease: two executions for one group (an alarm and an instance event for the same failure, a manual
 * switchover racing an automatic one) must never write route tables at the same time, and each must plan
 * from the route tables as the previous one left them. Each execution takes the group's lease with a
 * conditional write before it resolves anything and gives it back after notifying. The condition is what
 * makes it correct under concurrency: of two simultaneous writers exactly one wins, the other waits (the
 * state machine retries LeaseBusyError with backoff) and then plans against the tables as they are now.
 * A lease whose holder is no longer RUNNING (failed, aborted, timed out) is taken over at once with a second
 * conditional write on the old owner, and every lease expires after the state machine's own timeout, so a
 * dead execution cannot block a group.
 *
 * The same item remembers when the group last switched (so a stale event cannot undo a newer switch), its
 * recent automatic failovers (flap damping), the member inventory (functions/domain/inventory.ts) and the
 * group's maintenance hold, if any (functions/contract/hold.ts).
 */

export interface SwitchRecord {
  /** When the switch finished. */
  at: string;
  /** Time of the trigger that caused it (event time, or execution start for manual/probe requests). */
  triggerTime: string;
  executionId: string;
  automatic: boolean;
  /** Event ID (or execution name) so re-running the same trigger is not counted twice. */
  triggerId: string;
  to?: string;
  /** The members the switch moved routes away from (the stale-event guard ignores only events about them). */
  from?: string[];
}

export interface GroupHistory {
  lastSwitch?: SwitchRecord;
  /** Automatic switches, newest last, pruned to the damping window. */
  automaticSwitches: SwitchRecord[];
}

export interface Lease {
  group: string;
  owner: string;
  acquiredAt: string;
  expiresAt: string;
  /** Set when the previous holder was no longer running and its lease was taken over. */
  tookOverFrom?: string;
}

export interface GroupStateStore {
  /** Takes the group's lease for `owner`, or throws LeaseBusyError naming the holder. Returns the group's history and its hold in force at `now`. */
  acquire(
    group: string,
    owner: string,
    now: Date,
    ttlSeconds: number,
    isRunning: (executionId: string) => Promise<boolean>,
  ): Promise<{ lease: Lease; history: GroupHistory; hold?: Hold }>;
  /** Gives the lease back (only if `owner` holds it) and records the switch, if any. Idempotent. */
  release(group: string, owner: string, switched: SwitchRecord | undefined, keepAutomaticSince: Date): Promise<{ released: boolean }>;
  /** Every member's last known interface map (members never seen are absent). */
  readInventory(group: string): Promise<GroupInventory>;
  /** Stores a member's interface map unless a newer observation is already stored. Needs no lease. */
  writeInventory(group: string, inventory: MemberInventory): Promise<void>;
  /** Stores the group's maintenance hold (replacing any), leaving the rest of its state as it is. Needs no lease. */
  setHold(group: string, hold: Hold): Promise<void>;
  /** Removes the group's hold; returns the one removed (expired or not), if any. */
  clearHold(group: string): Promise<Hold | undefined>;
  /** The group's stored hold, expired or not (activeHold tells whether it is in force). */
  readHold(group: string): Promise<Hold | undefined>;
}

/** In-process store: the local runner, the demo and tests. Atomic because JavaScript runs one callback at a time. */
export class InMemoryGroupStateStore implements GroupStateStore {
  private readonly items = new Map<string, { owner?: string; acquiredAt?: string; expiresAt?: string; history: GroupHistory }>();
  private readonly inventories = new Map<string, GroupInventory>();
  private readonly holds = new Map<string, Hold>();

  async acquire(group: string, owner: string, now: Date, ttlSeconds: number, isRunning: (id: string) => Promise<boolean>) {
    const item = this.items.get(group) ?? { history: { automaticSwitches: [] } };
    const holder = item.owner;
    let tookOverFrom: string | undefined;
    if (holder && holder !== owner && item.expiresAt! > now.toISOString()) {
      // Checked outside the critical section like the DynamoDB store: the await lets others interleave.
      const running = await isRunning(holder);
      const current = this.items.get(group);
      if (current?.owner !== holder) throw new LeaseBusyError(group, current?.owner ?? 'another execution');
      if (running) throw new LeaseBusyError(group, holder);
      tookOverFrom = holder;
    }
    const lease = { group, owner, acquiredAt: now.toISOString(), expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString() };
    this.items.set(group, { ...lease, history: item.history });
    const hold = activeHold(this.holds.get(group), now);
    return { lease: { ...lease, tookOverFrom }, history: structuredClone(item.history), ...(hold ? { hold: { ...hold } } : {}) };
  }

  async release(group: string, owner: string, switched: SwitchRecord | undefined, keepAutomaticSince: Date) {
    const item = this.items.get(group);
    if (!item || item.owner !== owner) return { released: false };
    this.items.set(group, { history: nextHistory(item.history, switched, keepAutomaticSince) });
    return { released: true };
  }

  async readInventory(group: string): Promise<GroupInventory> {
    return structuredClone(this.inventories.get(group) ?? {});
  }

  async writeInventory(group: string, inventory: MemberInventory): Promise<void> {
    const all = this.inventories.get(group) ?? {};
    const old = all[inventory.member];
    if (old && old.observedAt > inventory.observedAt) return;
    this.inventories.set(group, { ...all, [inventory.member]: structuredClone(inventory) });
  }

  async setHold(group: string, hold: Hold): Promise<void> {
    this.holds.set(group, { ...hold });
  }

  async clearHold(group: string): Promise<Hold | undefined> {
    const old = this.holds.get(group);
    this.holds.delete(group);
    return old;
  }

  async readHold(group: string): Promise<Hold | undefined> {
    const h = this.holds.get(group);
    return h && { ...h };
  }

  /** The current holder of a group's lease (tests). */
  holder(group: string): string | undefined {
    return this.items.get(group)?.owner;
  }

  /** The group's lease and history as they stand, without taking anything (the guard's in-memory store). */
  peek(group: string): { owner?: string; expiresAt?: string; history: GroupHistory } {
    const item = this.items.get(group);
    return { owner: item?.owner, expiresAt: item?.expiresAt, history: structuredClone(item?.history ?? { automaticSwitches: [] }) };
  }
}

/** The group's history after a switch: last switch, and automatic switches within the damping window. */
export const nextHistory = (h: GroupHistory, switched: SwitchRecord | undefined, keepAutomaticSince: Date): GroupHistory => {
  const since = keepAutomaticSince.toISOString();
  const automatic = h.automaticSwitches.filter((s) => s.at >= since);
  if (switched?.automatic && !automatic.some((s) => s.triggerId === switched.triggerId)) automatic.push(switched);
  return { lastSwitch: switched ?? h.lastSwitch, automaticSwitches: automatic };
};

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
    return this.ddb.send(new GetItemCommand({ TableName: this.tableName, Key: { group: { S: group } }, ConsistentRead: true }));
  }

  async acquire(group: string, owner: string, now: Date, ttlSeconds: number, isRunning: (id: string) => Promise<boolean>) {
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
          ExpressionAttributeValues: { ':me': { S: owner }, ':now': { S: acquiredAt }, ':exp': { S: expiresAt }, ...values },
          ReturnValues: 'ALL_NEW',
        }),
      );
    try {
      const out = await guard(() => take('attribute_not_exists(#o) OR #o = :me OR expiresAt < :now', {}), 'take lease');
      return { lease: { group, owner, acquiredAt, expiresAt }, history: historyOf(out.Attributes), ...heldAt(out.Attributes, now) };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
    }
    const current = await guard(
      () => this.readItem(group),
      'read lease',
    );
    const holder = current.Item?.owner?.S;
    if (!holder) throw new LeaseBusyError(group, 'another execution');
    if (await isRunning(holder)) throw new LeaseBusyError(group, holder);
    try {
      // The holder is gone: take over, on the condition that nobody else did in between.
      const out = await guard(() => take('#o = :holder', { ':holder': { S: holder } }), 'take over lease');
      return { lease: { group, owner, acquiredAt, expiresAt, tookOverFrom: holder }, history: historyOf(out.Attributes), ...heldAt(out.Attributes, now) };
    } catch (err) {
      if (isConditionFailed(err)) throw new LeaseBusyError(group, 'another execution');
      throw err;
    }
  }

  async release(group: string, owner: string, switched: SwitchRecord | undefined, keepAutomaticSince: Date) {
    const current = await guard(
      () => this.readItem(group),
      'read lease',
    );
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
    const out = await guard(
      () => this.readItem(group),
      'read inventory',
    );
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
            ExpressionAttributeValues: { ':h': { M: { until: { S: hold.until }, by: { S: hold.by }, reason: { S: hold.reason }, setAt: { S: hold.setAt } } } },
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
      () => this.ddb.send(new GetItemCommand({ TableName: this.tableName, Key: { group: { S: group } }, ConsistentRead: true, ProjectionExpression: '#h', ExpressionAttributeNames: { '#h': HOLD_ATTRIBUTE } })),
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
    return { lastSwitch: h.lastSwitch, automaticSwitches: Array.isArray(h.automaticSwitches) ? h.automaticSwitches : [] };
  } catch {
    return { automaticSwitches: [] };
  }
};

/** A conditional write whose condition did not hold (not an error of the store). */
const isConditionFailed = (err: unknown): boolean => err instanceof ConditionalCheckFailedException || errorCode(err) === 'ConditionalCheckFailedException';

/** Runs a DynamoDB call; throttling and 5xx become StateStoreError marked transient, conditional failures pass through. */
const guard = async <T>(call: () => Promise<T>, what: string): Promise<T> => {
  try {
    return await call();
  } catch (err) {
    if (err instanceof FailoverError || isConditionFailed(err)) throw err;
    throw new StateStoreError(`${what}: ${errorCode(err)}: ${(err as Error)?.message}`, isThrottling(err) || isTransient(err), { cause: err });
  }
};
