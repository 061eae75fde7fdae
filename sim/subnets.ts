/** EC2 subnets: the records setup calls create (explicitly or implicitly) and DescribeSubnets. */
import type { DescribeSubnetsRequest, DescribeSubnetsResult, Subnet } from '@aws-sdk/client-ec2';
import { fault } from './faults';
import {
  checkDryRun,
  checkFilters,
  checkPaging,
  compact,
  matchesFilters,
  paginate,
  selectByIds,
  toTags,
  type FilterSpec,
  type PageRequest,
} from './filters';
import { canonicalDestination, intToIpv4, ipv4ToInt } from './ids';
import type { SimState } from './state';
import type { SubnetRecord } from './types';

/** First address and size of an IPv4 CIDR (already canonical). */
const ipv4Range = (cidr: string): { start: number; size: number; prefix: number } => {
  const [base, prefix] = cidr.split('/');
  return { start: ipv4ToInt(base.split('.').map(Number)), size: 2 ** (32 - Number(prefix)), prefix: Number(prefix) };
};

const overlaps = (a: string, b: string): boolean => {
  const x = ipv4Range(a);
  const y = ipv4Range(b);
  return x.start < y.start + y.size && y.start < x.start + x.size;
};

/**
 * Registers a subnet. An explicit CIDR must lie in the VPC's CIDR, be /16 to /28 and not overlap another
 * subnet of the VPC (EC2's InvalidSubnet.Range / InvalidSubnet.Conflict); without one the next free block
 * of the VPC is used (/24 in a /16). Returns the subnet ID.
 */
export function addSubnet(
  s: SimState,
  opts: {
    vpcId: string;
    availabilityZone: string;
    cidr?: string;
    ipv6Cidr?: string;
    subnetId?: string;
    tags?: Record<string, string>;
  },
): string {
  const vpc = s.requireVpc(opts.vpcId);
  const siblings = [...s.subnets.values()].filter((n) => n.vpcId === vpc.vpcId);
  let cidr: string;
  if (opts.cidr !== undefined) {
    cidr = canonicalDestination('ipv4', opts.cidr);
    const own = ipv4Range(cidr);
    const outer = ipv4Range(vpc.cidr);
    if (
      own.prefix < 16 ||
      own.prefix > 28 ||
      own.start < outer.start ||
      own.start + own.size > outer.start + outer.size
    ) {
      throw fault('InvalidSubnet.Range', `The CIDR '${cidr}' is invalid.`);
    }
    if (siblings.some((n) => overlaps(n.cidr, cidr)))
      throw fault('InvalidSubnet.Conflict', `The CIDR '${cidr}' conflicts with another subnet`);
  } else {
    cidr = nextFreeCidr(
      vpc.cidr,
      siblings.map((n) => n.cidr),
      () => vpc.nextSubnet++,
    );
  }
  const ipv6Cidr = opts.ipv6Cidr === undefined ? undefined : canonicalDestination('ipv6', opts.ipv6Cidr);
  const subnetId = s.claimId('subnet', opts.subnetId);
  s.subnets.set(subnetId, {
    seq: s.seq++,
    subnetId,
    vpcId: vpc.vpcId,
    cidr,
    ipv6Cidr,
    availabilityZone: opts.availabilityZone,
    tags: { ...opts.tags },
  });
  return subnetId;
}

/** The next block of the VPC (prefix +8, at most /28) that overlaps no subnet; setup fails when the VPC is full. */
const nextFreeCidr = (vpcCidr: string, taken: string[], next: () => number): string => {
  const outer = ipv4Range(vpcCidr);
  const prefix = Math.min(Math.max(outer.prefix + 8, 16), 28);
  const blocks = 2 ** (prefix - outer.prefix);
  for (let index = next(); index < blocks; index = next()) {
    const cidr = `${intToIpv4(outer.start + index * 2 ** (32 - prefix))}/${prefix}`;
    if (!taken.some((t) => overlaps(t, cidr))) return cidr;
  }
  throw new Error(`no free /${prefix} left in ${vpcCidr} for another subnet`);
};

/** The subnet a setup call uses for a VPC and AZ when it names none (one per VPC and AZ, made on first use). */
export function defaultSubnet(s: SimState, vpcId: string, availabilityZone: string): string {
  const key = `${vpcId}/${availabilityZone}`;
  const existing = s.defaultSubnets.get(key);
  if (existing) return existing;
  const subnetId = addSubnet(s, { vpcId, availabilityZone });
  s.defaultSubnets.set(key, subnetId);
  return subnetId;
}

/**
 * A subnet named by a setup call (addInstance, addNetworkInterface): registered implicitly, with the next
 * free CIDR, when it is not known yet; a known one must be in the same VPC.
 */
export function ensureSubnet(s: SimState, vpcId: string, subnetId: string, availabilityZone: string): string {
  const known = s.subnets.get(subnetId);
  if (known) {
    if (known.vpcId !== vpcId) throw new Error(`subnet ${subnetId} is in ${known.vpcId}, not ${vpcId}`);
    return subnetId;
  }
  return addSubnet(s, { vpcId, availabilityZone, subnetId });
}

/** The subnet a setup call names (registered implicitly when new), else the VPC's default one for the AZ. */
export const subnetOf = (s: SimState, vpcId: string, subnetId: string | undefined, availabilityZone: string): string =>
  subnetId === undefined
    ? defaultSubnet(s, vpcId, availabilityZone)
    : ensureSubnet(s, vpcId, subnetId, availabilityZone);

export function requireSubnet(s: SimState, subnetId: string): SubnetRecord {
  const subnet = s.subnets.get(subnetId);
  if (!subnet) throw fault('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
  return subnet;
}

export function describeSubnets(s: SimState, input: DescribeSubnetsRequest): DescribeSubnetsResult {
  const req: PageRequest = {
    action: 'DescribeSubnets',
    MaxResults: input.MaxResults,
    NextToken: input.NextToken,
    filters: input.Filters,
    ids: { param: 'subnetIds', value: input.SubnetIds },
    min: 5,
    max: 1000,
  };
  checkPaging(req);
  const spec: FilterSpec<SubnetRecord> = {
    tags: (n) => n.tags,
    fields: {
      'subnet-id': (n) => [n.subnetId],
      'vpc-id': (n) => [n.vpcId],
      'availability-zone': (n) => [n.availabilityZone],
      'cidr-block': (n) => [n.cidr],
      'ipv6-cidr-block-association.ipv6-cidr-block': (n) => [n.ipv6Cidr],
      state: () => ['available'],
      'owner-id': () => [s.accountId],
      'default-for-az': () => ['false'],
    },
  };
  checkFilters(input.Filters, spec);
  let subnets = [...s.subnets.values()];
  if (input.SubnetIds?.length) subnets = selectByIds('subnet', input.SubnetIds, s.subnets);
  subnets = subnets.filter((n) => matchesFilters(n, input.Filters, spec));
  checkDryRun(input);
  const { page, NextToken } = paginate(subnets, req);
  return compact({ Subnets: page.map((n) => subnetOutput(s, n)), NextToken });
}

export function subnetOutput(s: SimState, n: SubnetRecord): Subnet {
  const tags = toTags(n.tags);
  return compact({
    SubnetId: n.subnetId,
    SubnetArn: `arn:aws:ec2:${s.region}:${s.accountId}:subnet/${n.subnetId}`,
    VpcId: n.vpcId,
    OwnerId: s.accountId,
    State: 'available',
    CidrBlock: n.cidr,
    AvailabilityZone: n.availabilityZone,
    // AWS reserves five addresses of every subnet.
    AvailableIpAddressCount: ipv4Range(n.cidr).size - 5,
    DefaultForAz: false,
    MapPublicIpOnLaunch: false,
    AssignIpv6AddressOnCreation: false,
    Ipv6CidrBlockAssociationSet: n.ipv6Cidr
      ? [
          {
            AssociationId: `subnet-cidr-assoc-${n.subnetId.slice(7)}`,
            Ipv6CidrBlock: n.ipv6Cidr,
            Ipv6CidrBlockState: { State: 'associated' as const },
          },
        ]
      : [],
    Tags: tags.length > 0 ? tags : undefined,
  });
}
