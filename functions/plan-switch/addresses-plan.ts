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
