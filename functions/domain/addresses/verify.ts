/**
 * Verifying one address item from a read-back (DescribeAddresses, DescribeNetworkInterfaces), never
 * from the write's answer.
 */
import type { AddressItem, AddressRead, InterfaceRead } from './model';

export interface AddressReadBack {
  /** DescribeAddresses of the items' allocation IDs. */
  addresses: AddressRead[];
  /** DescribeNetworkInterfaces of the items' destination interfaces (and wherever the secondary IPs are now). */
  interfaces: InterfaceRead[];
}

/**
 * `verified`: the address is where the item sends it; `not-moved`: it is still where it was; `elsewhere`: it is
 * on another interface or private IP (someone else moved it meanwhile); `gone`: EC2 no longer shows it (released
 * Elastic IP, or a secondary IP no interface holds).
 */
export interface AddressVerdict {
  id: string;
  status: 'verified' | 'not-moved' | 'elsewhere' | 'gone';
  /** Where the read-back found it. */
  found?: { eni: string; privateIp: string };
  problem?: string;
}

/** Judges one item (a move or a noop) on a read-back: verified only when the address sits at `item.to`. */
export const verifyAddressItem = (item: AddressItem, read: AddressReadBack): AddressVerdict => {
  if (!item.to) throw new Error(`verifyAddressItem: ${item.id} has no destination (status ${item.status})`);
  const to = item.to;
  let found: { eni: string; privateIp: string } | undefined;
  let known = true;
  if (item.kind === 'elastic-ip') {
    const a = read.addresses.find((x) => x.allocationId === item.id);
    known = a !== undefined;
    if (a?.eni && a.privateIp) found = { eni: a.eni, privateIp: a.privateIp };
  } else {
    const holder = read.interfaces.find((i) => i.ips.some((x) => x.ip === item.id && !x.primary));
    if (holder) found = { eni: holder.eni, privateIp: item.id };
  }
  const label = item.publicIp ? `${item.publicIp} (${item.id})` : item.id;
  if (found && found.eni === to.eni && found.privateIp === to.privateIp)
    return { id: item.id, status: 'verified', found };
  if (!known || (!found && item.kind === 'secondary-ip'))
    return { id: item.id, status: 'gone', problem: `${label}: EC2 no longer shows it` };
  if (!found)
    return { id: item.id, status: 'elsewhere', problem: `${label} is on nothing, not on ${to.eni} (${to.privateIp})` };
  if (item.from && found.eni === item.from.eni && found.privateIp === item.from.privateIp) {
    return {
      id: item.id,
      status: 'not-moved',
      found,
      problem: `${label} is still on ${found.eni} (${found.privateIp}), not on ${to.eni}`,
    };
  }
  return {
    id: item.id,
    status: 'elsewhere',
    found,
    problem: `${label} is on ${found.eni} (${found.privateIp}), not on ${to.eni} (${to.privateIp})`,
  };
};
