/**
 * What the address switch reads and decides, in its own words (no SDK type): the Elastic IPs of a group, the
 * members' interfaces with their private IPv4 addresses, and the items a plan is made of. The EC2 adapter
 * (functions/aws/addresses.ts) turns DescribeAddresses / DescribeNetworkInterfaces answers into these.
 */
import type { ElasticIpsConfig, SecondaryPrivateIpsConfig } from '../../contract/config';

/** One private IPv4 address of an interface, with the Elastic IP on it, if any. */
export interface IpRead {
  ip: string;
  primary: boolean;
  /** The Elastic IP associated with this private IP (DescribeNetworkInterfaces' Association.AllocationId). */
  allocationId?: string;
}

/** An interface as read now. */
export interface InterfaceRead {
  eni: string;
  subnetId: string;
  availabilityZone?: string;
  /** The instance it is attached to, if any. */
  instanceId?: string;
  /** "<network card>/<device index>" of its attachment (functions/domain/inventory.ts slotOf). */
  slot?: string;
  ips: IpRead[];
}

/** An Elastic IP as read now (DescribeAddresses). */
export interface AddressRead {
  allocationId: string;
  publicIp: string;
  associationId?: string;
  /** Where it is: interface and private IP; absent when on nothing. */
  eni?: string;
  privateIp?: string;
  instanceId?: string;
}

/** A member of the group with the interfaces attached to it now. */
export interface MemberAddressView {
  name: string;
  instanceId: string;
  interfaces: InterfaceRead[];
  /** Interfaces the member had (the inventory): an address found on one of them is the member's, not a stranger's. */
  knownEnis?: string[];
}

/** Which addresses the group moves, from its config. */
export interface AddressSelection {
  /** Listed allocation IDs (absent when a tag selects them). */
  allocationIds?: string[];
  tag?: { key: string; value: string };
  /** Slots named in the config, by allocation ID ("eth1"). */
  slots: Record<string, string>;
  secondaryIps: Array<{ ip: string; slot?: string }>;
}

/** Where an address is, or goes: a private IP of an interface (of a member, when it is one). */
export interface AddressPlace {
  eni: string;
  privateIp: string;
  member?: string;
  instanceId?: string;
}

/**
 * Why an address cannot move, decided before anything moves:
 * - `held-elsewhere`: an instance or interface outside the group holds it now (a conflict: reported, never taken);
 * - `cross-subnet`: a secondary private IP would have to leave its subnet (another Availability
 *   Zone, or another subnet);
 * - `no-target-interface`: the target has no interface in the slot;
 * - `no-paired-ip`: the target interface has no secondary private IP at the position the address is on;
 * - `destination-taken`: the destination private IP holds an Elastic IP the move would displace;
 * - `carrier-cannot-move`: the Elastic IP is on a secondary private IP of the group that cannot move;
 * - `primary-ip`: a listed secondary private IP is an interface's primary address;
 * - `not-found`: EC2 does not know the address.
 */
export type CannotMoveReason =
  | 'held-elsewhere'
  | 'cross-subnet'
  | 'no-target-interface'
  | 'no-paired-ip'
  | 'destination-taken'
  | 'carrier-cannot-move'
  | 'primary-ip'
  | 'not-found';

/** Reasons that make the whole run refuse before anything moves (the others are reported and the run goes on). */
export const BLOCKING_REASONS: ReadonlySet<CannotMoveReason> = new Set([
  'cross-subnet',
  'no-target-interface',
  'no-paired-ip',
  'primary-ip',
  'carrier-cannot-move',
  'destination-taken',
  'not-found',
]);

/**
 * One address of the plan. `action` is the EC2 write that moves it: `associate` (AssociateAddress with
 * AllowReassociation), `assign` (AssignPrivateIpAddresses with AllowReassignment), `with-secondary` (an Elastic IP
 * on a secondary private IP of the group: EC2 moves it with that IP, no call of its own), `none`.
 */
export interface AddressItem {
  kind: 'elastic-ip' | 'secondary-ip';
  /** The allocation ID of an Elastic IP, the address of a secondary private IP. */
  id: string;
  publicIp?: string;
  /** The slot it follows ("eth1"). */
  slot: string;
  from?: AddressPlace;
  to?: AddressPlace;
  action: 'associate' | 'assign' | 'with-secondary' | 'none';
  status: 'move' | 'noop' | 'cannot-move';
  /** The secondary private IP an Elastic IP moves with (action `with-secondary`). */
  carriedBy?: string;
  reason?: CannotMoveReason;
  problem?: string;
}

// ─────────── slots ───────────

/** "eth1" → "0/1" (network card 0), the slot form the inventory uses. */
export const inventorySlot = (name: string): string => `0/${Number(name.replace(/^eth/, ''))}`;

/** "0/1" → "eth1"; "1/0" (another network card) → "card1/eth0". */
export const slotName = (slot: string): string => {
  const [card, index] = slot.split('/');
  return card === '0' ? `eth${index}` : `card${card}/eth${index}`;
};

/** The selection a group's config makes (see AddressSelection). */
export const addressSelectionOf = (group: {
  elasticIps?: ElasticIpsConfig;
  secondaryPrivateIps?: SecondaryPrivateIpsConfig;
}): AddressSelection => {
  const slots: Record<string, string> = {};
  let allocationIds: string[] | undefined;
  let tag: AddressSelection['tag'];
  if (Array.isArray(group.elasticIps)) {
    allocationIds = group.elasticIps.map((e) => {
      if (typeof e === 'string') return e;
      if (e.slot) slots[e.allocationId] = e.slot;
      return e.allocationId;
    });
  } else if (group.elasticIps) tag = group.elasticIps.tag;
  const secondaryIps = (group.secondaryPrivateIps ?? []).map((e) =>
    typeof e === 'string' ? { ip: e } : { ip: e.ip, ...(e.slot ? { slot: e.slot } : {}) },
  );
  return { ...(allocationIds ? { allocationIds } : {}), ...(tag ? { tag } : {}), slots, secondaryIps };
};

/** Whether the group moves any address at all. */
export const movesAddresses = (s: AddressSelection): boolean =>
  (s.allocationIds?.length ?? 0) > 0 || s.tag !== undefined || s.secondaryIps.length > 0;
