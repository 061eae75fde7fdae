/**
 * THE ADDRESS CLAUSE of the route-table invariant (functions/domain/invariant.ts states the rest): for a group
 * switched to member T, every Elastic IP of the group is on one of T's interfaces, and every secondary private IP
 * of the group is on one of T's interfaces. An address on another member, on nothing, or on an interface outside
 * the group is a finding. Evaluated on a fresh read, never on the plan; shaped like the route findings so that
 * the final verification, the guard and the generated-case checks can list both.
 */
import { memberIndex } from '../invariant';
import type { AddressRead, InterfaceRead } from './model';

export interface AddressInvariantInput {
  /** The member the addresses must be on. */
  target: string;
  /** The members the switch moved away from. */
  departed: string[];
  /** Each member's instance and every interface it has or had (as the route clause's KnownMember). */
  members: Array<{ name: string; instanceId?: string; enis: Iterable<string> }>;
  /** A fresh DescribeAddresses of the group's Elastic IPs. */
  addresses: AddressRead[];
  /** The group's secondary private IPs and a fresh read of the interfaces that hold them (absent: none listed). */
  secondaryIps?: string[];
  interfaces?: InterfaceRead[];
}

/**
 * departed/split as in the route clause; `unassociated`: on nothing; `foreign`: outside the group; `missing`:
 * EC2 shows no such address.
 */
export type AddressFindingKind = 'departed' | 'split' | 'unassociated' | 'foreign' | 'missing';

export interface AddressFinding {
  kind: AddressFindingKind;
  /** Allocation ID of an Elastic IP, or the secondary private IP. */
  address: string;
  publicIp?: string;
  /** Where it is (interface), and whose it is, when on a member. */
  target?: string;
  member?: string;
  problem: string;
}

export interface AddressInvariantResult {
  findings: AddressFinding[];
  /** Addresses looked at. */
  addresses: number;
}

/** Every address of the group that is not on the target (see the module comment). */
export const checkAddressInvariant = (input: AddressInvariantInput): AddressInvariantResult => {
  const { byEni, byInstance } = memberIndex(input.members);
  const departed = new Set(input.departed);
  const findings: AddressFinding[] = [];
  const judge = (
    address: string,
    publicIp: string | undefined,
    eni: string | undefined,
    instanceId: string | undefined,
  ): void => {
    const label = publicIp ? `${publicIp} (${address})` : address;
    if (!eni) {
      findings.push({
        kind: 'unassociated',
        address,
        ...(publicIp ? { publicIp } : {}),
        problem: `${label} is on nothing: not on ${input.target}`,
      });
      return;
    }
    const member = byEni.get(eni) ?? (instanceId ? byInstance.get(instanceId) : undefined);
    if (member === input.target) return;
    const base = { address, ...(publicIp ? { publicIp } : {}), target: eni };
    if (member === undefined)
      findings.push({
        ...base,
        kind: 'foreign',
        problem: `${label} is on ${eni}${instanceId ? ` of ${instanceId}` : ''}, outside the group`,
      });
    else
      findings.push({
        ...base,
        member,
        kind: departed.has(member) ? 'departed' : 'split',
        problem: `${label} is still on ${member}'s interface ${eni}`,
      });
  };
  for (const a of input.addresses) judge(a.allocationId, a.publicIp, a.eni, a.instanceId);
  for (const ip of input.secondaryIps ?? []) {
    const holder = (input.interfaces ?? []).find((i) => i.ips.some((x) => x.ip === ip && !x.primary));
    if (!holder)
      findings.push({ kind: 'missing', address: ip, problem: `${ip} is a secondary private IP of no interface` });
    else judge(ip, undefined, holder.eni, holder.instanceId);
  }
  return { findings, addresses: input.addresses.length + (input.secondaryIps?.length ?? 0) };
};

/** One line for the record and the notification, beside the route clause's describeCheck. */
export const describeAddressCheck = (r: AddressInvariantResult, target: string): string =>
  `checked ${r.addresses} address(es) of the group: ` +
  (r.findings.length === 0
    ? `all on ${target}`
    : `${r.findings.length} not on ${target} (${r.findings.map((f) => f.kind).join(', ')})`);

/**
 * A read of the group's addresses for the clause: its Elastic IPs, its secondary IPs and the interfaces holding them.
 */
export interface AddressClauseRead {
  addresses: AddressRead[];
  secondaryIps: string[];
  interfaces: InterfaceRead[];
}

/**
 * The clause's findings in the guard's route-shaped form (kind `address`; the address stands where a route's
 * destination does, the interface it is on where its target does); none without an active member.
 */
export const addressGuardFindings = (
  active: string | undefined,
  departed: string[],
  members: AddressInvariantInput['members'],
  read: AddressClauseRead,
): Array<{
  kind: 'address';
  routeTableId: string;
  destination: string;
  target: string;
  member: string;
  problem: string;
}> =>
  active === undefined
    ? []
    : checkAddressInvariant({ target: active, departed, members, ...read }).findings.map((f) => ({
        kind: 'address' as const,
        routeTableId: '-',
        destination: f.publicIp ?? f.address,
        target: f.target ?? 'nothing',
        member: f.member ?? '',
        problem: `address ${f.kind}: ${f.problem}`,
      }));
