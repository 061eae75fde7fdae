import { LeaseBusyError } from '../contract/errors';
import { activeHold, type Hold } from '../contract/hold';
import type { GroupInventory, MemberInventory } from './inventory';

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
  /**
   * Takes the group's lease for `owner`, or throws LeaseBusyError naming the holder. Returns the group's history and
   * its hold in force at `now`.
   */
  acquire(
    group: string,
    owner: string,
    now: Date,
    ttlSeconds: number,
    isRunning: (executionId: string) => Promise<boolean>,
  ): Promise<{ lease: Lease; history: GroupHistory; hold?: Hold }>;
  /** Gives the lease back (only if `owner` holds it) and records the switch, if any. Idempotent. */
  release(
    group: string,
    owner: string,
    switched: SwitchRecord | undefined,
    keepAutomaticSince: Date,
  ): Promise<{ released: boolean }>;
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
  private readonly items = new Map<
    string,
    { owner?: string; acquiredAt?: string; expiresAt?: string; history: GroupHistory }
  >();
  private readonly inventories = new Map<string, GroupInventory>();
  private readonly holds = new Map<string, Hold>();

  async acquire(
    group: string,
    owner: string,
    now: Date,
    ttlSeconds: number,
    isRunning: (id: string) => Promise<boolean>,
  ) {
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
    const lease = {
      group,
      owner,
      acquiredAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + ttlSeconds * 1000).toISOString(),
    };
    this.items.set(group, { ...lease, history: item.history });
    const hold = activeHold(this.holds.get(group), now);
    return {
      lease: { ...lease, tookOverFrom },
      history: structuredClone(item.history),
      ...(hold ? { hold: { ...hold } } : {}),
    };
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
    return {
      owner: item?.owner,
      expiresAt: item?.expiresAt,
      history: structuredClone(item?.history ?? { automaticSwitches: [] }),
    };
  }
}

/** The group's history after a switch: last switch, and automatic switches within the damping window. */
export const nextHistory = (
  h: GroupHistory,
  switched: SwitchRecord | undefined,
  keepAutomaticSince: Date,
): GroupHistory => {
  const since = keepAutomaticSince.toISOString();
  const automatic = h.automaticSwitches.filter((s) => s.at >= since);
  if (switched?.automatic && !automatic.some((s) => s.triggerId === switched.triggerId)) automatic.push(switched);
  return { lastSwitch: switched ?? h.lastSwitch, automaticSwitches: automatic };
};
