/** IDs, CIDRs and route destinations, as EC2 writes and checks them. */
import { DESTINATION_FIELDS, type DestinationKind, type RouteDestination, type RouteFields } from './types';
import { fault, type SimFault } from './faults';

// ───────────────────────────── CIDR helpers ─────────────────────────────

export const ipv4ToInt = (octets: number[]): number => octets.reduce((acc, o) => acc * 256 + o, 0);
export const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Canonical IPv4 CIDR, or undefined when malformed or host bits are set (EC2 rejects both). */
const canonicalIpv4Cidr = (text: string): string | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  if (ipv4ToInt(octets) % 2 ** (32 - prefix) !== 0) return undefined;
  return `${octets.join('.')}/${prefix}`;
};

const expandIpv6 = (address: string): number[] | undefined => {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = split(halves[0]);
  const tail = halves.length === 2 ? split(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const parts = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (parts.some((p) => !/^[0-9a-fA-F]{1,4}$/.test(p))) return undefined;
  return parts.map((p) => parseInt(p, 16));
};

/** RFC 5952 text: lower case, the longest run of two or more zero groups as '::'. */
const compressIpv6 = (groups: number[]): string => {
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const text = groups.map((g) => g.toString(16));
  if (best.start < 0) return text.join(':');
  return `${text.slice(0, best.start).join(':')}::${text.slice(best.start + best.length).join(':')}`;
};

/** Canonical IPv6 CIDR, or undefined when malformed or host bits are set. */
const canonicalIpv6Cidr = (text: string): string | undefined => {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const groups = expandIpv6(m[1]);
  const prefix = Number(m[2]);
  if (!groups || prefix > 128) return undefined;
  const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  const hostMask = (1n << BigInt(128 - prefix)) - 1n;
  if ((value & hostMask) !== 0n) return undefined;
  return `${compressIpv6(groups)}/${prefix}`;
};

export const canonicalDestination = (kind: DestinationKind, raw: string): string => {
  const value =
    kind === 'ipv4'
      ? canonicalIpv4Cidr(raw)
      : kind === 'ipv6'
        ? canonicalIpv6Cidr(raw)
        : /^pl-[0-9a-f]{8,17}$/.test(raw)
          ? raw
          : undefined;
  if (value === undefined) {
    const param = DESTINATION_FIELDS[kind].replace(/^D/, 'd');
    const why = kind === 'prefix-list' ? 'This is not a valid prefix list ID.' : 'This is not a valid CIDR block.';
    throw fault('InvalidParameterValue', `Value (${raw}) for parameter ${param} is invalid. ${why}`);
  }
  return value;
};

/** The kind of a destination string as DescribeRouteTables prints it. */
export const destinationKindOf = (destination: string): DestinationKind =>
  destination.startsWith('pl-') ? 'prefix-list' : destination.includes(':') ? 'ipv6' : 'ipv4';

/** Reads the single destination of a ReplaceRoute/CreateRoute/DeleteRoute input, canonicalised. */
export const destinationOf = (input: RouteFields): RouteDestination => {
  const kinds = (Object.keys(DESTINATION_FIELDS) as DestinationKind[]).filter(
    (k) => input[DESTINATION_FIELDS[k]] !== undefined,
  );
  if (kinds.length === 0) {
    throw fault(
      'MissingParameter',
      'The request must contain exactly one of the parameters ' +
        'destinationCidrBlock, destinationIpv6CidrBlock or destinationPrefixListId',
    );
  }
  if (kinds.length > 1) {
    throw fault(
      'InvalidParameterCombination',
      `Only one destination can be specified, got ${kinds.map((k) => DESTINATION_FIELDS[k]).join(', ')}`,
    );
  }
  return { kind: kinds[0], value: canonicalDestination(kinds[0], String(input[DESTINATION_FIELDS[kinds[0]]])) };
};

export const sameDestination = (a: RouteDestination, b: RouteDestination): boolean =>
  a.kind === b.kind && a.value === b.value;

// ───────────────────────────── IDs ─────────────────────────────

export const ID_FORMATS = {
  rtb: { code: 'InvalidRouteTableId.Malformed', noun: 'routeTable', notFound: 'InvalidRouteTableID.NotFound' },
  i: { code: 'InvalidInstanceID.Malformed', noun: 'instance', notFound: 'InvalidInstanceID.NotFound' },
  eni: {
    code: 'InvalidNetworkInterfaceId.Malformed',
    noun: 'networkInterface',
    notFound: 'InvalidNetworkInterfaceID.NotFound',
  },
  subnet: { code: 'InvalidSubnetID.Malformed', noun: 'subnet', notFound: 'InvalidSubnetID.NotFound' },
} as const;
export type IdPrefix = keyof typeof ID_FORMATS;

export const checkIdFormat = (prefix: IdPrefix, id: unknown): string => {
  if (typeof id !== 'string' || !new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id)) {
    throw fault(ID_FORMATS[prefix].code, `Invalid id: "${String(id)}" (expecting "${prefix}-...")`);
  }
  return id;
};

export const notFound = (prefix: IdPrefix, ids: string[]): SimFault => {
  const { noun, notFound: code } = ID_FORMATS[prefix];
  return ids.length === 1
    ? fault(code, `The ${noun} ID '${ids[0]}' does not exist`)
    : fault(code, `The ${noun} IDs '${ids.join(', ')}' do not exist`);
};
