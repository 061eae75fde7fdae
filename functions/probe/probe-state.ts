import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { Claim, LocationView, ProbeItem } from './agreement';

/**
 * Where the probe locations of a group meet: one item of the group-state table, key `probe#<group>` (no group
 * item can take it: group names have no `#`), apart from the group's own item so that the probe's writes never
 * contend with the workflow's lease. Attributes: `v:<slot>` one invocation's view, `c:<member>` a claim, each a
 * JSON string. Bounded: locations × 3 slots and one claim per member (a few KiB).
 */
export interface ProbeStateStore {
  /** Writes this invocation's view and returns the whole item as it is after the write. */
  publish(group: string, view: LocationView): Promise<ProbeItem>;
  /** The item now (strongly consistent). */
  read(group: string): Promise<ProbeItem>;
  /**
   * Writes `claim` unless another claim for the member was written since `replacing` (the claim read before, if
   * any). Returns the claim that stands: this one, or the one that got there first.
   */
  claim(group: string, claim: Claim, replacing: Claim | undefined): Promise<Claim>;
  /** Removes an invocation's view (it stopped probing). */
  retire(group: string, slot: string): Promise<void>;
}

export const probeItemKey = (group: string): string => `probe#${group}`;

const viewAttr = (slot: string) => `v:${slot}`;
const claimAttr = (member: string) => `c:${member}`;

/** Parses the attributes of the probe item; an attribute that is not valid JSON is ignored (never trusted). */
export const parseProbeItem = (attrs: Record<string, AttributeValue> | undefined): ProbeItem => {
  const item: ProbeItem = { views: [], claims: {} };
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value.S === undefined) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(value.S);
    } catch {
      continue;
    }
    if (name.startsWith('v:') && isView(parsed)) item.views.push(parsed);
    else if (name.startsWith('c:') && isClaim(parsed)) item.claims[parsed.member] = parsed;
  }
  return item;
};

const isRecordOfNumbers = (x: unknown): x is Record<string, number> =>
  typeof x === 'object' && x !== null && Object.values(x).every((v) => typeof v === 'number');
const isView = (v: unknown): v is LocationView => {
  const x = v as Record<string, unknown> | null | undefined;
  return (
    typeof x?.location === 'string' &&
    typeof x.slot === 'string' &&
    typeof x.at === 'number' &&
    typeof x.startedAt === 'number' &&
    isRecordOfNumbers(x.down) &&
    isRecordOfNumbers(x.lastUp)
  );
};
const isClaim = (v: unknown): v is Claim => {
  const x = v as Record<string, unknown> | null | undefined;
  return (
    typeof x?.member === 'string' &&
    typeof x.executionName === 'string' &&
    typeof x.at === 'number' &&
    typeof x.firstFailureAt === 'number' &&
    Array.isArray(x.locations)
  );
};

/** The store on DynamoDB (the group-state table). Errors propagate: the probe loop logs them and goes on. */
export const dynamoProbeState = (ddb: DynamoDBClient, tableName: string): ProbeStateStore => {
  const key = (group: string) => ({ group: { S: probeItemKey(group) } });
  const read = async (group: string) =>
    parseProbeItem(
      (await ddb.send(new GetItemCommand({ TableName: tableName, Key: key(group), ConsistentRead: true }))).Item,
    );
  return {
    read,
    publish: async (group, view) => {
      const out = await ddb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(group),
          UpdateExpression: 'SET #v = :v',
          ExpressionAttributeNames: { '#v': viewAttr(view.slot) },
          ExpressionAttributeValues: { ':v': { S: JSON.stringify(view) } },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return parseProbeItem(out.Attributes);
    },
    claim: async (group, claim, replacing) => {
      try {
        await ddb.send(
          new UpdateItemCommand({
            TableName: tableName,
            Key: key(group),
            UpdateExpression: 'SET #c = :c',
            ConditionExpression: replacing ? '#c = :old' : 'attribute_not_exists(#c)',
            ExpressionAttributeNames: { '#c': claimAttr(claim.member) },
            ExpressionAttributeValues: {
              ':c': { S: JSON.stringify(claim) },
              ...(replacing ? { ':old': { S: JSON.stringify(replacing) } } : {}),
            },
          }),
        );
        return claim;
      } catch (err) {
        if (
          !(err instanceof ConditionalCheckFailedException) &&
          (err as Error)?.name !== 'ConditionalCheckFailedException'
        )
          throw err;
        const winner = (await read(group)).claims[claim.member];
        if (!winner) throw err;
        return winner;
      }
    },
    retire: async (group, slot) => {
      await ddb.send(
        new UpdateItemCommand({
          TableName: tableName,
          Key: key(group),
          UpdateExpression: 'REMOVE #v',
          ExpressionAttributeNames: { '#v': viewAttr(slot) },
        }),
      );
    },
  };
};

/** The store in memory, shared by the locations of a test or a benchmark (JSON round trips, like DynamoDB). */
export class InMemoryProbeState implements ProbeStateStore {
  private readonly items = new Map<string, Map<string, string>>();
  writes = 0;

  private attrs(group: string): Map<string, string> {
    let a = this.items.get(group);
    if (!a) this.items.set(group, (a = new Map()));
    return a;
  }

  private snapshot(group: string): ProbeItem {
    return parseProbeItem(Object.fromEntries([...this.attrs(group)].map(([k, v]) => [k, { S: v }])));
  }

  async read(group: string) {
    return this.snapshot(group);
  }

  async publish(group: string, view: LocationView) {
    this.writes++;
    this.attrs(group).set(viewAttr(view.slot), JSON.stringify(view));
    return this.snapshot(group);
  }

  async claim(group: string, claim: Claim, replacing: Claim | undefined) {
    this.writes++;
    const a = this.attrs(group);
    const current = a.get(claimAttr(claim.member));
    if (replacing ? current === JSON.stringify(replacing) : current === undefined) {
      a.set(claimAttr(claim.member), JSON.stringify(claim));
      return claim;
    }
    // As DynamoDB: the condition failed; the claim that stands is the one there now.
    if (current === undefined) throw new Error(`claim of ${claim.member} vanished`);
    return JSON.parse(current) as Claim;
  }

  async retire(group: string, slot: string) {
    this.writes++;
    this.attrs(group).delete(viewAttr(slot));
  }
}
