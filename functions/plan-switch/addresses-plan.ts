import type { EC2Client } from '@aws-sdk/client-ec2';
import type { AddressPlanState } from '../contract/address-schemas';
import type { FailoverState, Plan } from '../contract/schemas';
import {
  addressSelectionOf,
  movesAddresses,
  planAddressMoves,
  refusalOf,
  summarizeAddressPlan,
} from '../domain/addresses';
import { readAddressWorld } from '../aws/addresses';
import { addressBatchesOf } from '../aws/address-switch';
import { ERROR_TEXT_MAX } from '../contract/aws-errors';
import { payloadBytes } from '../contract/state-size';

/**
 * The group's addresses in the plan: read fresh (DescribeAddresses, DescribeNetworkInterfaces of the members,
 * DescribeSubnets with secondary IPs), planned to the target, refused as a whole before anything moves when one
 * cannot follow (AddressCannotMoveError: a cross-zone secondary IP, a slot the target lacks, …). Their batches,
 * one per EC2 action (secondary private IPs first), go first in the plan's batches, the others renumbered after
 * them: a VPN peer redials the Elastic IP, so it moves at the head of the run. A group that moves no address
 * gets the plan unchanged.
 */
export const withAddresses = async (input: FailoverState, plan: Plan, ec2: EC2Client): Promise<Plan> => {
  const selection = addressSelectionOf(input.group);
  if (!movesAddresses(selection)) return plan;
  const members = new Map<string, { name: string; instanceId: string; knownEnis: string[] }>();
  const add = (name: string, instanceId: string | undefined, enis: string[] = []) => {
    if (!instanceId) return;
    const m = members.get(name) ?? { name, instanceId, knownEnis: [] };
    m.knownEnis.push(...enis);
    members.set(name, m);
  };
  add(input.target.name, input.target.instanceId, input.targetEnis);
  for (const s of input.sources) add(s.name, s.instanceId);
  for (const m of input.members ?? []) add(m.name, m.instanceId, m.enis);
  const world = await readAddressWorld(ec2, [...members.values()], selection);
  const planned = planAddressMoves({ target: input.target.name, selection, ...world });
  const refusal = refusalOf(planned);
  if (refusal) throw refusal;
  const batches = addressBatchesOf(planned, 0);
  const addresses: AddressPlanState = {
    target: planned.target,
    items: planned.items,
    moves: planned.moves,
    noops: planned.noops,
    cannotMove: planned.cannotMove.length,
    summary: summarizeAddressPlan(planned),
  };
  return {
    ...plan,
    addresses,
    batches: [...batches, ...plan.batches.map((b) => ({ ...b, id: b.id + batches.length }))],
    ...(planned.cannotMove.length > 0
      ? {
          warnings: [
            ...plan.warnings,
            ...planned.cannotMove.map((i) => `address ${i.publicIp ?? i.id} left where it is: ${i.problem}`),
          ],
        }
      : {}),
  };
};

/**
 * At most what the addresses add to the workflow's largest state besides the plan (which is measured as it is):
 * each address's batch result, with an error text of the longest kind, and its line of the verification, with the
 * clause's finding. A group lists at most 64 Elastic IPs and 64 secondary IPs (the config's bound).
 */
export const addressStateBytes = (plan: Plan): number => {
  const items = plan.addresses?.items ?? [];
  if (items.length === 0) return 0;
  const text = 'x'.repeat(ERROR_TEXT_MAX);
  const at = '2026-01-01T00:00:00.000Z';
  const perAddress =
    payloadBytes({
      id: 'eipalloc-0123456789abcdef0',
      status: 'dry-run-unjudged',
      attempts: 10,
      error: text,
      switchedAt: at,
    }) +
    payloadBytes({
      id: 'eipalloc-0123456789abcdef0',
      status: 'not-moved',
      found: { eni: 'eni-0123456789abcdef0', privateIp: '255.255.255.255' },
      problem: text,
    }) +
    payloadBytes(text) +
    3;
  return (
    items.length * perAddress +
    payloadBytes({
      addresses: { checked: 1e6, findings: 1e6, summary: text, items: [], problems: [], mismatches: 1e6 },
    })
  );
};
