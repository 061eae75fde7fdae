/**
 * Elastic IP addresses and private IPv4 addresses as EC2 keeps them (every fact cited in sim/FIDELITY.md):
 * DescribeAddresses, AssociateAddress, DisassociateAddress, AssignPrivateIpAddresses,
 * UnassignPrivateIpAddresses, and what DescribeNetworkInterfaces / DescribeInstances show of them.
 *
 * An address is associated with one private IPv4 address of one interface (primary or secondary); each
 * association gets a new `eipassoc-` ID, the old one is gone. A secondary private IP belongs to one interface
 * at a time and can only be assigned within its subnet's CIDR; when it moves, the Elastic IP on it moves too.
 */
import type {
  Address,
  AssignPrivateIpAddressesRequest,
  AssignPrivateIpAddressesResult,
  AssociateAddressRequest,
  AssociateAddressResult,
  DescribeAddressesRequest,
  DescribeAddressesResult,
  DisassociateAddressRequest,
  NetworkInterfaceAssociation,
  NetworkInterfacePrivateIpAddress,
  UnassignPrivateIpAddressesRequest,
} from '@aws-sdk/client-ec2';
import { fault } from './faults';
import { checkDryRun, checkFilters, compact, matchesFilters, toTags, type FilterSpec } from './filters';
import { checkIdFormat, intToIpv4, ipv4ToInt } from './ids';
import type { SimState } from './state';
import { requireSubnet } from './subnets';
import type { AddressRecord, EniRecord } from './types';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const ALLOCATION_ID = /^eipalloc-[0-9a-f]{8,17}$/;

// ─────────── lookups ───────────

/** Every private IPv4 address of an interface, primary first. */
export const privateIpsOf = (e: EniRecord): string[] => [e.privateIpAddress, ...(e.secondaryIps ?? [])];

/** The interface that holds a private IPv4 address in a VPC (as primary or secondary), if any. */
export const holderOfIp = (s: SimState, vpcId: string, ip: string): EniRecord | undefined =>
  [...s.enis.values()].find((e) => e.vpcId === vpcId && privateIpsOf(e).includes(ip));

/** The address associated with an interface's private IP, if any. */
export const addressOn = (s: SimState, eniId: string, ip: string): AddressRecord | undefined =>
  [...s.addresses.values()].find((a) => a.association?.eniId === eniId && a.association.privateIp === ip);

const requireAddress = (s: SimState, allocationId: string | undefined): AddressRecord => {
  if (allocationId === undefined)
    throw fault('MissingParameter', 'The request must contain the parameter AllocationId');
  const a = s.addresses.get(allocationId);
  if (!a) throw fault('InvalidAllocationID.NotFound', `The allocation ID '${allocationId}' does not exist`);
  return a;
};

const inCidr = (ip: string, cidr: string): boolean => {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = ipv4ToInt(base.split('.').map(Number));
  const n = ipv4ToInt(ip.split('.').map(Number));
  return n >= start && n < start + size;
};

// ─────────── setup (out of band, as AllocateAddress and the console would) ───────────

/** Allocates an Elastic IP (AllocateAddress); returns its allocation ID. */
export function allocateAddress(
  s: SimState,
  opts: { publicIp?: string; allocationId?: string; tags?: Record<string, string> } = {},
): string {
  const allocationId = s.claimId('eipalloc', opts.allocationId);
  // 198.51.100.0/24 (TEST-NET-2) stands for Amazon's pool: never a real public address.
  const publicIp = opts.publicIp ?? `198.51.100.${s.addresses.size + 1}`;
  if ([...s.addresses.values()].some((a) => a.publicIp === publicIp))
    throw new Error(`${publicIp} is already allocated`);
  s.addresses.set(allocationId, { seq: s.seq++, allocationId, publicIp, tags: { ...opts.tags } });
  return allocationId;
}

/** A free address of the interface's subnet (setup helper for secondary IPs). */
export function freeIpInSubnet(s: SimState, eni: EniRecord): string {
  const subnet = requireSubnet(s, eni.subnetId);
  const [base, bits] = subnet.cidr.split('/');
  const start = ipv4ToInt(base.split('.').map(Number));
  // EC2 reserves the first four addresses and the last one of every subnet.
  for (let n = start + 4; n < start + 2 ** (32 - Number(bits)) - 1; n++) {
    const ip = intToIpv4(n);
    if (!holderOfIp(s, eni.vpcId, ip)) return ip;
  }
  throw new Error(`subnet ${subnet.subnetId} has no free address`);
}

// ─────────── DescribeAddresses ───────────

const addressFilters = (s: SimState): FilterSpec<AddressRecord> => ({
  tags: (a) => a.tags,
  fields: {
    'allocation-id': (a) => [a.allocationId],
    'association-id': (a) => [a.association?.associationId],
    'network-interface-id': (a) => [a.association?.eniId],
    'network-interface-owner-id': (a) => [a.association && s.accountId],
    'instance-id': (a) => [a.association && s.enis.get(a.association.eniId)?.attachment?.instanceId],
    'private-ip-address': (a) => [a.association?.privateIp],
    'public-ip': (a) => [a.publicIp],
    domain: () => ['vpc'],
    'network-border-group': () => [s.region],
  },
});

export function addressOutput(s: SimState, a: AddressRecord): Address {
  const assoc = a.association;
  const eni = assoc && s.enis.get(assoc.eniId);
  return compact({
    AllocationId: a.allocationId,
    PublicIp: a.publicIp,
    Domain: 'vpc',
    PublicIpv4Pool: 'amazon',
    NetworkBorderGroup: s.region,
    AssociationId: assoc?.associationId,
    NetworkInterfaceId: assoc?.eniId,
    NetworkInterfaceOwnerId: assoc && s.accountId,
    PrivateIpAddress: assoc?.privateIp,
    InstanceId: eni?.attachment?.instanceId,
    Tags: Object.keys(a.tags).length > 0 ? toTags(a.tags) : undefined,
  } satisfies Address);
}

export function describeAddresses(s: SimState, input: DescribeAddressesRequest): DescribeAddressesResult {
  const spec = addressFilters(s);
  checkFilters(input.Filters, spec);
  let selected = [...s.addresses.values()].sort((a, b) => a.seq - b.seq);
  if (input.AllocationIds?.length) {
    const missing = input.AllocationIds.filter((id) => !s.addresses.has(id));
    if (missing.length > 0)
      throw fault('InvalidAllocationID.NotFound', `The allocation IDs '${missing.join(', ')}' do not exist`);
    selected = selected.filter((a) => input.AllocationIds?.includes(a.allocationId));
  }
  if (input.PublicIps?.length) {
    const missing = input.PublicIps.filter((ip) => !selected.some((a) => a.publicIp === ip));
    if (missing.length > 0) throw fault('InvalidAddress.NotFound', `Address '${missing.join(', ')}' not found.`);
    selected = selected.filter((a) => input.PublicIps?.includes(a.publicIp));
  }
  selected = selected.filter((a) => matchesFilters(a, input.Filters, spec));
  checkDryRun(input);
  return { Addresses: selected.map((a) => addressOutput(s, a)) };
}

// ─────────── AssociateAddress / DisassociateAddress ───────────

/** The interface an AssociateAddress names: by ID, or the instance's only interface. */
const associateTarget = (s: SimState, input: AssociateAddressRequest): EniRecord => {
  if (input.NetworkInterfaceId !== undefined && input.InstanceId !== undefined) {
    throw fault(
      'InvalidParameterCombination',
      'You can specify either the instance ID or the network interface ID, but not both.',
    );
  }
  if (input.NetworkInterfaceId !== undefined) return s.requireEni(checkIdFormat('eni', input.NetworkInterfaceId));
  if (input.InstanceId === undefined)
    throw fault('MissingParameter', 'Either instance ID or network interface ID must be specified');
  const instance = s.requireInstance(checkIdFormat('i', input.InstanceId));
  const enis = s.attachedEnis(instance.instanceId);
  if (enis.length !== 1) {
    throw fault(
      'InvalidInstanceID',
      `There are multiple interfaces attached to instance '${instance.instanceId}'. Please specify an interface ID ` +
        `for the operation instead.`,
    );
  }
  return enis[0];
};

export function associateAddress(s: SimState, input: AssociateAddressRequest): AssociateAddressResult {
  if (input.PublicIp !== undefined && input.AllocationId === undefined) {
    throw fault('InvalidParameterValue', 'The PublicIp parameter is deprecated in a VPC: specify the AllocationId');
  }
  const address = requireAddress(s, input.AllocationId);
  const eni = associateTarget(s, input);
  const privateIp = input.PrivateIpAddress ?? eni.privateIpAddress;
  if (!privateIpsOf(eni).includes(privateIp)) {
    throw fault(
      'InvalidParameterValue',
      `The specified private IP address ${privateIp} is not assigned to the network interface ${eni.eniId}`,
    );
  }
  const held = address.association;
  const elsewhere = held !== undefined && (held.eniId !== eni.eniId || held.privateIp !== privateIp);
  // Reassociation is automatic; AllowReassociation: false makes an address held elsewhere an error.
  if (elsewhere && input.AllowReassociation === false) {
    throw fault(
      'Resource.AlreadyAssociated',
      `resource ${address.allocationId} is already associated with associate-id ${held.associationId}`,
    );
  }
  checkDryRun(input);
  // The private IP's previous Elastic IP, if any, is disassociated but stays allocated.
  const previous = addressOn(s, eni.eniId, privateIp);
  if (previous && previous !== address) previous.association = undefined;
  const associationId = s.claimId('eipassoc');
  address.association = { associationId, eniId: eni.eniId, privateIp };
  return { AssociationId: associationId };
}

export function disassociateAddress(s: SimState, input: DisassociateAddressRequest): object {
  if (input.AssociationId === undefined)
    throw fault('MissingParameter', 'The request must contain the parameter AssociationId');
  const address = [...s.addresses.values()].find((a) => a.association?.associationId === input.AssociationId);
  if (!address)
    throw fault('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
  checkDryRun(input);
  address.association = undefined;
  return {};
}

// ─────────── AssignPrivateIpAddresses / UnassignPrivateIpAddresses ───────────

export function assignPrivateIpAddresses(
  s: SimState,
  input: AssignPrivateIpAddressesRequest,
): AssignPrivateIpAddressesResult {
  if (input.NetworkInterfaceId === undefined)
    throw fault('MissingParameter', 'The request must contain the parameter networkInterfaceId');
  const eni = s.requireEni(checkIdFormat('eni', input.NetworkInterfaceId));
  const wanted = input.PrivateIpAddresses ?? [];
  if (
    input.SecondaryPrivateIpAddressCount !== undefined ||
    input.Ipv4Prefixes !== undefined ||
    input.Ipv4PrefixCount !== undefined
  ) {
    // Not modelled (the product never asks EC2 to choose an address): fails loudly rather than pretending.
    throw new Error('the simulated VPC models AssignPrivateIpAddresses with PrivateIpAddresses only');
  }
  if (wanted.length === 0)
    throw fault('MissingParameter', 'You must specify either the IP addresses or the IP address count in the request.');
  const subnet = requireSubnet(s, eni.subnetId);
  const moves: Array<{ ip: string; from?: EniRecord }> = [];
  for (const ip of wanted) {
    if (!IPV4.test(ip))
      throw fault('InvalidParameterValue', `Value (${ip}) for parameter privateIpAddress is invalid. Invalid format.`);
    if (!inCidr(ip, subnet.cidr))
      throw fault('InvalidParameterValue', `Address ${ip} does not fall within the subnet's address range`);
    const holder = holderOfIp(s, eni.vpcId, ip);
    if (holder === eni) continue;
    if (holder && holder.privateIpAddress === ip)
      throw fault('InvalidParameterValue', `Address ${ip} is the primary private IP address of ${holder.eniId}`);
    if (holder && input.AllowReassignment !== true) {
      throw fault(
        'PrivateIpAddressInUse',
        `Some of the specified addresses are already assigned to ENI ${holder.eniId}`,
      );
    }
    moves.push({ ip, from: holder });
  }
  // AssignPrivateIpAddresses has no DryRun parameter (EC2 API reference): every accepted call takes effect.
  for (const { ip, from } of moves) {
    // The Elastic IP on the address moves with it.
    const address = from && addressOn(s, from.eniId, ip);
    if (from) from.secondaryIps = (from.secondaryIps ?? []).filter((x) => x !== ip);
    eni.secondaryIps = [...(eni.secondaryIps ?? []), ip];
    if (address?.association) address.association = { ...address.association, eniId: eni.eniId };
  }
  return {
    NetworkInterfaceId: eni.eniId,
    AssignedPrivateIpAddresses: wanted.map((PrivateIpAddress) => ({ PrivateIpAddress })),
    AssignedIpv4Prefixes: [],
  };
}

export function unassignPrivateIpAddresses(s: SimState, input: UnassignPrivateIpAddressesRequest): object {
  if (input.NetworkInterfaceId === undefined)
    throw fault('MissingParameter', 'The request must contain the parameter networkInterfaceId');
  const eni = s.requireEni(checkIdFormat('eni', input.NetworkInterfaceId));
  const ips = input.PrivateIpAddresses ?? [];
  const notSecondary = ips.find((ip) => !(eni.secondaryIps ?? []).includes(ip));
  if (notSecondary !== undefined) {
    throw fault(
      'InvalidParameterValue',
      `Some of the specified addresses are not assigned to ` +
        `interface ${eni.eniId} as secondary addresses: ${notSecondary}`,
    );
  }
  for (const ip of ips) {
    const address = addressOn(s, eni.eniId, ip);
    if (address) address.association = undefined;
  }
  eni.secondaryIps = (eni.secondaryIps ?? []).filter((ip) => !ips.includes(ip));
  return {};
}

// ─────────── what interfaces show ───────────

/** The Association element of an interface's private IP, as DescribeNetworkInterfaces shows it. */
export const ipAssociationOutput = (
  s: SimState,
  eniId: string,
  ip: string,
): NetworkInterfaceAssociation | undefined => {
  const a = addressOn(s, eniId, ip);
  return (
    a?.association && {
      AllocationId: a.allocationId,
      AssociationId: a.association.associationId,
      PublicIp: a.publicIp,
      IpOwnerId: s.accountId,
      PublicDnsName: '',
    }
  );
};

/** An interface's PrivateIpAddresses, primary first, each with its Elastic IP when it has one. */
export const privateIpsOutput = (s: SimState, e: EniRecord): NetworkInterfacePrivateIpAddress[] =>
  privateIpsOf(e).map((ip, i) =>
    compact({
      Primary: i === 0,
      PrivateIpAddress: ip,
      Association: ipAssociationOutput(s, e.eniId, ip),
    } satisfies NetworkInterfacePrivateIpAddress),
  );

export const isAllocationId = (id: string): boolean => ALLOCATION_ID.test(id);
