import type { Instance } from '@aws-sdk/client-ec2';
import type { Member } from '../contract/config';
import * as z from '../contract/zod';

/**
 * The member inventory: each member's interface map as last seen in EC2 (slot → ENI, subnet, AZ, when).
 *
 * Why: the failover must work when the failed router cannot be seen. A terminated instance comes back from
 * DescribeInstances without interfaces (delete-on-termination ENIs are gone), and an instance in an
 * Availability Zone with a service disruption cannot be described at all. The routes still carry the old
 * NetworkInterfaceId (state `blackhole`), so the inventory is what tells which routes belonged to that
 * member and which slot each interface filled, so they can be paired with the target's interfaces.
 * It is written whenever a member is described (every execution, and the scheduled refresh).
 */

export const InventoryInterfaceSchema = z.lazy(() =>
  z.object({
    /** "<network card>/<device index>", as in an interface pair. */
    slot: z.string(),
    eni: z.string(),
    subnetId: z.optional(z.string()),
    availabilityZone: z.optional(z.string()),
    /**
     * When EC2 last showed this interface on the member, for one it no longer shows (remembered by
     * `mergeInventory`); absent when it was seen at the entry's `observedAt`.
     */
    seenAt: z.optional(z.string()),
  }),
);
export type InventoryInterface = z.infer<typeof InventoryInterfaceSchema>;

export const MemberInventorySchema = z.lazy(() =>
  z.object({
    member: z.string(),
    instanceId: z.string(),
    /** When EC2 last showed these interfaces attached to the instance. */
    observedAt: z.string(),
    interfaces: z.array(InventoryInterfaceSchema).check(z.minLength(1)),
  }),
);
export type MemberInventory = z.infer<typeof MemberInventorySchema>;

/** Member name → its last known interface map. */
export type GroupInventory = Record<string, MemberInventory>;

// Instances with several network cards repeat device indexes per card, so the card is part of the slot.
export const slotOf = (a: { NetworkCardIndex?: number; DeviceIndex?: number }): string =>
  `${a.NetworkCardIndex ?? 0}/${a.DeviceIndex}`;

/**
 * A member's inventory from its DescribeInstances answer, or undefined when EC2 shows no attached interface
 * (a terminated instance): an empty answer never replaces what was known.
 */
export const inventoryFromInstance = (
  member: Member,
  instance: Instance,
  observedAt: Date,
): MemberInventory | undefined => {
  const interfaces = (instance.NetworkInterfaces ?? [])
    .filter((n) => n.NetworkInterfaceId && n.Attachment?.DeviceIndex !== undefined)
    .map((n) => ({
      slot: slotOf(n.Attachment!),
      eni: n.NetworkInterfaceId!,
      subnetId: n.SubnetId,
      availabilityZone: instance.Placement?.AvailabilityZone,
    }))
    .sort((a, b) => a.slot.localeCompare(b.slot));
  if (interfaces.length === 0) return undefined;
  return { member: member.name, instanceId: member.instanceId, observedAt: observedAt.toISOString(), interfaces };
};

/**
 * What to store after a new observation: the interfaces EC2 shows now, plus those the stored entry knew in
 * slots EC2 no longer shows (each keeping when it was last seen). A partial view (an interface detached and
 * deleted, then the instance terminated) must never make the product forget an interface that routes may
 * still lead to: that is what the inventory is for. A different instance behind the member starts afresh.
 */
export const mergeInventory = (stored: MemberInventory | undefined, observed: MemberInventory): MemberInventory => {
  if (!stored || stored.instanceId !== observed.instanceId || stored.observedAt > observed.observedAt) return observed;
  const slots = new Set(observed.interfaces.map((i) => i.slot));
  const enis = new Set(observed.interfaces.map((i) => i.eni));
  const remembered = stored.interfaces
    .filter((i) => !slots.has(i.slot) && !enis.has(i.eni))
    .map((i) => ({ ...i, seenAt: i.seenAt ?? stored.observedAt }));
  if (remembered.length === 0) return observed;
  return {
    ...observed,
    interfaces: [...observed.interfaces, ...remembered].sort((a, b) => a.slot.localeCompare(b.slot)),
  };
};

/**
 * A member's entry with interfaces EC2 showed on it some other way (the route tables and the interfaces'
 * attachments, when the instance itself cannot be described): they take their slots, the rest is kept.
 */
export const withInterfaces = (
  stored: MemberInventory | undefined,
  member: { member: string; instanceId: string },
  found: Array<{ slot: string; eni: string }>,
  observedAt: Date,
): MemberInventory => {
  const slots = new Set(found.map((i) => i.slot));
  const enis = new Set(found.map((i) => i.eni));
  const kept =
    stored && stored.instanceId === member.instanceId
      ? stored.interfaces
          .filter((i) => !slots.has(i.slot) && !enis.has(i.eni))
          .map((i) => ({ ...i, seenAt: i.seenAt ?? stored.observedAt }))
      : [];
  return {
    ...member,
    observedAt: observedAt.toISOString(),
    interfaces: [...found, ...kept].sort((a, b) => a.slot.localeCompare(b.slot)),
  };
};

/** When EC2 last showed an interface of an entry on its member. */
export const interfaceSeenAt = (entry: MemberInventory, i: InventoryInterface): string => i.seenAt ?? entry.observedAt;

/** Parses a stored inventory entry; undefined (never an exception) for anything that does not fit the shape. */
export const parseMemberInventory = (raw: unknown): MemberInventory | undefined => {
  const r = MemberInventorySchema.safeParse(raw);
  return r.success ? r.data : undefined;
};

/** Whether two inventories describe the same interfaces (so a refresh needs only a newer timestamp). */
export const sameInterfaces = (a: MemberInventory, b: MemberInventory): boolean =>
  a.instanceId === b.instanceId && JSON.stringify(a.interfaces) === JSON.stringify(b.interfaces);

/** Age of an inventory entry in seconds at `now`, for reports. */
export const inventoryAgeSeconds = (inv: MemberInventory, now: Date): number =>
  Math.max(0, Math.round((now.getTime() - Date.parse(inv.observedAt)) / 1000));
