import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AddressResult, AddressVerification } from '../contract/address-schemas';
import type { FailoverState, Plan } from '../contract/schemas';
import {
  checkAddressInvariant,
  describeAddressCheck,
  verifyAddressItem,
  type AddressItem,
  type AddressReadBack,
} from '../domain/addresses';
import { readAddressBack } from '../aws/addresses';
import { knownMembers } from './known-members';

export interface AddressCheckInput
  extends Pick<FailoverState, 'target' | 'targetEnis' | 'sources' | 'pairs' | 'members' | 'dryRun'> {
  plan: Pick<Plan, 'addresses'>;
  results?: Array<{ addresses?: AddressResult[] }>;
}

/** The address part of a verification: whether it holds, what it counts, what the record keeps (absent: no address). */
export interface AddressCheck {
  ok: boolean;
  mismatches: number;
  checked: number;
  verification?: AddressVerification;
}

/**
 * Each address's result in the SwitchBatches output, by ID (absent: its batch failed as a whole, or it took no call).
 */
export const addressResultsOf = (results: AddressCheckInput['results']): Map<string, AddressResult> =>
  new Map((results ?? []).flatMap((r) => r.addresses ?? []).map((a) => [a.id, a]));

/**
 * The addresses read back and judged, never by the plan or the write's answer: each planned address (a move or
 * already in place) must sit where the plan sends it (verifyAddressItem), and THE INVARIANT'S ADDRESS CLAUSE
 * (checkAddressInvariant) must hold on the same read: every address of the group on the target, none on a member
 * the switch left, on nothing or outside the group. A move EC2 accepted moments ago that does not read back yet
 * is read again after each delay (EC2 is eventually consistent). In a dry run each address must be where it was.
 */
export const verifyAddresses = async (
  input: AddressCheckInput,
  deps: { ec2: EC2Client; sleep: (ms: number) => Promise<void>; delays: number[] },
): Promise<AddressCheck> => {
  const planned = input.plan.addresses;
  if (!planned) return { ok: true, mismatches: 0, checked: 0 };
  const items = planned.items as AddressItem[];
  const results = addressResultsOf(input.results);
  const members = knownMembers(
    input,
    items.flatMap((i) => [i.from, i.to]).filter((p) => p !== undefined),
  );
  const departed = input.sources.map((s) => s.name);
  const judged = items.filter((i) => i.status !== 'cannot-move' && i.to);

  let out: AddressCheck;
  for (let round = 0; ; round++) {
    const back: AddressReadBack = await readAddressBack(deps.ec2, items);
    const verdicts = judged.map((i) => judge(i, back, input.dryRun));
    const clause = checkAddressInvariant({
      target: input.target.name,
      departed,
      members,
      addresses: back.addresses,
      secondaryIps: items.filter((i) => i.kind === 'secondary-ip').map((i) => i.id),
      interfaces: back.interfaces,
    });
    // In a dry run the addresses are still on the members the run would leave: that is what a dry run leaves.
    const findings = input.dryRun ? clause.findings.filter((f) => f.kind !== 'departed') : clause.findings;
    const bad = verdicts.filter((v) => v.status !== 'verified' && v.status !== 'unchanged');
    out = {
      ok: bad.length === 0 && findings.length === 0,
      mismatches: bad.length + findings.length,
      checked: clause.addresses,
      verification: {
        checked: clause.addresses,
        findings: findings.length,
        summary: input.dryRun
          ? `dry run: ${verdicts.filter((v) => v.status === 'unchanged').length} ` +
            `of ${verdicts.length} address(es) where they were`
          : describeAddressCheck({ ...clause, findings }, input.target.name),
        items: verdicts,
        problems: findings.map((f) => f.problem),
        mismatches: bad.length + findings.length,
      },
    };
    const settling = bad.some((v) => v.status === 'not-moved' && results.get(v.id)?.status === 'moved');
    if (!settling || round >= deps.delays.length) return out;
    await deps.sleep(deps.delays[round]);
  }
};

const judge = (item: AddressItem, back: AddressReadBack, dryRun: boolean): AddressVerification['items'][number] => {
  if (!dryRun || item.status === 'noop') return verifyAddressItem(item, back);
  // A dry run moved nothing: the address must be where the plan found it.
  const v = verifyAddressItem({ ...item, to: item.from ?? item.to }, back);
  if (v.status === 'verified') return { id: item.id, status: 'unchanged', ...(v.found ? { found: v.found } : {}) };
  return { ...v, problem: `dry run: ${v.problem ?? 'not where it was'}` };
};
