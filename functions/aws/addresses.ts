/**
 * The address switch's EC2 adapter: the reads (DescribeAddresses, DescribeNetworkInterfaces, DescribeSubnets)
 * turned into the domain's read shapes, and the two writes, one call each (pacing and retries belong to the paced
 * writer, keyed by EC2 action): AssociateAddress with AllowReassociation, AssignPrivateIpAddresses with
 * AllowReassignment. EC2's error codes become named errors; a dry run is judged by EC2's answer (DryRunOperation),
 * and AssignPrivateIpAddresses, which has no DryRun parameter, is never sent in a dry run.
 */
import {
  AssignPrivateIpAddressesCommand,
  AssociateAddressCommand,
  DescribeAddressesCommand,
  DescribeSubnetsCommand,
  paginateDescribeNetworkInterfaces,
  type Address,
  type EC2Client,
  type NetworkInterface,
} from '@aws-sdk/client-ec2';
import type {
  AddressItem,
  AddressRead,
  AddressSelection,
  InterfaceRead,
  MemberAddressView,
} from '../domain/addresses/model';
import type { AddressReadBack } from '../domain/addresses/verify';
import type { AddressClauseRead } from '../domain/addresses/invariant';
import {
  AddressDryRunIgnoredError,
  AddressHeldElsewhereError,
  AddressSubnetMismatchError,
  AddressTargetGoneError,
} from '../domain/addresses/errors';
import { errorCode, errorText, toEc2Error } from '../contract/aws-errors';
import { slotOf } from '../domain/inventory';

type Ec2 = EC2Client;
// EC2 takes at most 200 values per filter.
const FILTER_VALUES = 200;
const chunks = <T>(xs: T[], n = FILTER_VALUES): T[][] =>
  Array.from({ length: Math.ceil(xs.length / n) }, (_, i) => xs.slice(i * n, i * n + n));

// ─────────── reads ───────────

export const addressRead = (a: Address): AddressRead => ({
  allocationId: a.AllocationId!,
  publicIp: a.PublicIp!,
  ...(a.AssociationId ? { associationId: a.AssociationId } : {}),
  ...(a.NetworkInterfaceId ? { eni: a.NetworkInterfaceId } : {}),
  ...(a.PrivateIpAddress ? { privateIp: a.PrivateIpAddress } : {}),
  ...(a.InstanceId ? { instanceId: a.InstanceId } : {}),
});

export const interfaceRead = (n: NetworkInterface): InterfaceRead => ({
  eni: n.NetworkInterfaceId!,
  subnetId: n.SubnetId!,
  ...(n.AvailabilityZone ? { availabilityZone: n.AvailabilityZone } : {}),
  ...(n.Attachment?.InstanceId ? { instanceId: n.Attachment.InstanceId } : {}),
  ...(n.Attachment?.DeviceIndex !== undefined ? { slot: slotOf(n.Attachment) } : {}),
  ips: (n.PrivateIpAddresses ?? []).map((p) => ({
    ip: p.PrivateIpAddress!,
    primary: p.Primary === true,
    ...(p.Association?.AllocationId ? { allocationId: p.Association.AllocationId } : {}),
  })),
});

/**
 * The group's Elastic IPs now: by allocation ID (through the `allocation-id` filter, so an unknown one is simply
 * absent and the plan names it, where AllocationIds would fail the whole call) or by tag.
 */
export const readGroupAddresses = async (
  ec2: Ec2,
  selection: Pick<AddressSelection, 'allocationIds' | 'tag'>,
): Promise<AddressRead[]> => {
  const out: AddressRead[] = [];
  try {
    if (selection.allocationIds?.length) {
      for (const ids of chunks(selection.allocationIds)) {
        const r = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'allocation-id', Values: ids }] }));
        out.push(...(r.Addresses ?? []).map(addressRead));
      }
    } else if (selection.tag) {
      const r = await ec2.send(
        new DescribeAddressesCommand({
          Filters: [{ Name: `tag:${selection.tag.key}`, Values: [selection.tag.value] }],
        }),
      );
      out.push(...(r.Addresses ?? []).map(addressRead));
    }
  } catch (e) {
    throw toEc2Error(e, 'DescribeAddresses');
  }
  return out;
};

/** Interfaces matching one filter (paginated), as the domain reads them. */
export const readInterfaces = async (
  ec2: Ec2,
  filter: {
    name: 'attachment.instance-id' | 'addresses.private-ip-address' | 'network-interface-id';
    values: string[];
  },
): Promise<InterfaceRead[]> => {
  const out = new Map<string, InterfaceRead>();
  try {
    for (const values of chunks([...new Set(filter.values)])) {
      if (values.length === 0) continue;
      for await (const page of paginateDescribeNetworkInterfaces(
        { client: ec2, pageSize: 1000 },
        { Filters: [{ Name: filter.name, Values: values }] },
      )) {
        for (const n of page.NetworkInterfaces ?? []) out.set(n.NetworkInterfaceId!, interfaceRead(n));
      }
    }
  } catch (e) {
    throw toEc2Error(e, 'DescribeNetworkInterfaces');
  }
  return [...out.values()];
};

/** The members with the interfaces attached to them now (one DescribeNetworkInterfaces for all). */
export const readMemberAddressViews = async (
  ec2: Ec2,
  members: Array<{ name: string; instanceId: string; knownEnis?: string[] }>,
): Promise<MemberAddressView[]> => {
  const interfaces = await readInterfaces(ec2, {
    name: 'attachment.instance-id',
    values: members.map((m) => m.instanceId),
  });
  return members.map((m) => ({ ...m, interfaces: interfaces.filter((i) => i.instanceId === m.instanceId) }));
};

/** CIDRs of subnets, by ID. */
export const readSubnetCidrs = async (ec2: Ec2, subnetIds: string[]): Promise<Record<string, string>> => {
  if (subnetIds.length === 0) return {};
  try {
    const r = await ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'subnet-id', Values: [...new Set(subnetIds)] }] }),
    );
    return Object.fromEntries((r.Subnets ?? []).map((s) => [s.SubnetId!, s.CidrBlock!]));
  } catch (e) {
    throw toEc2Error(e, 'DescribeSubnets');
  }
};

/**
 * Everything planAddressMoves needs but the target: 2 to 4 calls in 1 or 2 round trips (DescribeAddresses and
 * DescribeNetworkInterfaces of the members; with listed secondary IPs, DescribeNetworkInterfaces of whoever holds
 * them, then DescribeSubnets).
 */
export const readAddressWorld = async (
  ec2: Ec2,
  members: Array<{ name: string; instanceId: string; knownEnis?: string[] }>,
  selection: AddressSelection,
): Promise<{
  members: MemberAddressView[];
  addresses: AddressRead[];
  others: InterfaceRead[];
  subnetCidrs: Record<string, string>;
}> => {
  const ips = selection.secondaryIps.map((s) => s.ip);
  const [addresses, views, holders] = await Promise.all([
    readGroupAddresses(ec2, selection),
    readMemberAddressViews(ec2, members),
    ips.length > 0 ? readInterfaces(ec2, { name: 'addresses.private-ip-address', values: ips }) : Promise.resolve([]),
  ]);
  if (ips.length === 0) return { members: views, addresses, others: [], subnetCidrs: {} };
  const own = new Set(views.flatMap((m) => m.interfaces.map((i) => i.eni)));
  const subnetCidrs = await readSubnetCidrs(
    ec2,
    views.flatMap((m) => m.interfaces.map((i) => i.subnetId)),
  );
  return { members: views, addresses, others: holders.filter((i) => !own.has(i.eni)), subnetCidrs };
};

/** A fresh read of where the items' addresses are now (for verifyAddressItem). */
export const readAddressBack = async (ec2: Ec2, items: AddressItem[]): Promise<AddressReadBack> => {
  const allocationIds = items.filter((i) => i.kind === 'elastic-ip').map((i) => i.id);
  const ips = items.filter((i) => i.kind === 'secondary-ip').map((i) => i.id);
  const [addresses, interfaces] = await Promise.all([
    allocationIds.length ? readGroupAddresses(ec2, { allocationIds }) : Promise.resolve([]),
    ips.length ? readInterfaces(ec2, { name: 'addresses.private-ip-address', values: ips }) : Promise.resolve([]),
  ]);
  return { addresses, interfaces };
};

// ─────────── writes ───────────

/** The EC2 action an item's move takes (the paced writer's key), or undefined when it takes none. */
export const addressWriteAction = (item: AddressItem): 'AssociateAddress' | 'AssignPrivateIpAddresses' | undefined =>
  item.status !== 'move'
    ? undefined
    : item.action === 'associate'
      ? 'AssociateAddress'
      : item.action === 'assign'
        ? 'AssignPrivateIpAddresses'
        : undefined;

/**
 * `moved`: EC2 accepted the write (what a read-back then verifies); `dry-run`: EC2 answered DryRunOperation;
 * `dry-run-unjudged`: a dry run of AssignPrivateIpAddresses, which EC2 cannot rehearse (no DryRun parameter): not
 * sent; `none`: the item takes no call (noop, or an Elastic IP that moves with its secondary IP).
 */
export interface AddressWriteResult {
  id: string;
  outcome: 'moved' | 'dry-run' | 'dry-run-unjudged' | 'none';
  associationId?: string;
}

/** Named errors for EC2's answers to an address write; throttling and 5xx stay retryable (toEc2Error). */
export const toAddressError = (err: unknown, item: AddressItem): Error => {
  const code = errorCode(err);
  const what = `${addressWriteAction(item) ?? 'address write'} ${item.id} → ${item.to?.eni ?? '?'}: ${errorText(err)}`;
  if (code === 'Resource.AlreadyAssociated' || code === 'PrivateIpAddressInUse')
    return new AddressHeldElsewhereError(what, { cause: err });
  if (code === 'InvalidParameterValue' && /subnet/i.test((err as Error)?.message ?? ''))
    return new AddressSubnetMismatchError(what, { cause: err });
  if (
    code === 'InvalidAllocationID.NotFound' ||
    code === 'InvalidNetworkInterfaceID.NotFound' ||
    code === 'InvalidParameterValue'
  ) {
    return new AddressTargetGoneError(what, { cause: err });
  }
  return toEc2Error(err, what);
};

/** Sends the one EC2 write of an item (see AddressWriteResult); AllowReassociation / AllowReassignment always on. */
export const writeAddressItem = async (
  ec2: Ec2,
  item: AddressItem,
  opts: { dryRun: boolean },
): Promise<AddressWriteResult> => {
  const action = addressWriteAction(item);
  if (!action || !item.to) return { id: item.id, outcome: 'none' };
  if (action === 'AssignPrivateIpAddresses' && opts.dryRun) return { id: item.id, outcome: 'dry-run-unjudged' };
  try {
    if (action === 'AssociateAddress') {
      const r = await ec2.send(
        new AssociateAddressCommand({
          AllocationId: item.id,
          NetworkInterfaceId: item.to.eni,
          PrivateIpAddress: item.to.privateIp,
          AllowReassociation: true,
          DryRun: opts.dryRun,
        }),
      );
      if (opts.dryRun)
        throw new AddressDryRunIgnoredError(
          `AssociateAddress with DryRun answered success, not DryRunOperation: the endpoint ignored DryRun and MOVED ` +
            `${item.publicIp ?? item.id}`,
        );
      return { id: item.id, outcome: 'moved', ...(r.AssociationId ? { associationId: r.AssociationId } : {}) };
    }
    await ec2.send(
      new AssignPrivateIpAddressesCommand({
        NetworkInterfaceId: item.to.eni,
        PrivateIpAddresses: [item.id],
        AllowReassignment: true,
      }),
    );
    return { id: item.id, outcome: 'moved' };
  } catch (e) {
    if (e instanceof AddressDryRunIgnoredError) throw e;
    if (opts.dryRun && errorCode(e) === 'DryRunOperation') return { id: item.id, outcome: 'dry-run' };
    throw toAddressError(e, item);
  }
};

/** A fresh read of the group's addresses for the invariant's address clause (the guard's, between failovers). */
export const readAddressClause = async (ec2: Ec2, selection: AddressSelection): Promise<AddressClauseRead> => {
  const secondaryIps = selection.secondaryIps.map((s) => s.ip);
  const [addresses, interfaces] = await Promise.all([
    readGroupAddresses(ec2, selection),
    secondaryIps.length > 0
      ? readInterfaces(ec2, { name: 'addresses.private-ip-address', values: secondaryIps })
      : Promise.resolve([]),
  ]);
  return { addresses, secondaryIps, interfaces };
};
