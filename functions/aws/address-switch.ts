/**
 * The addresses kind of switch: the Elastic IPs (AssociateAddress, AllowReassociation) or the secondary private
 * IPs (AssignPrivateIpAddresses, AllowReassignment) of one batch, one EC2 action per batch, through the one paced
 * writer (each action has its own pacer, its own bucket).
 *
 * Nothing of the input is trusted: the group must be configured and move addresses, the target must be one of
 * its members, and the group's addresses are read fresh and planned again from the config (planAddressMoves):
 * an address is written only where that fresh plan sends it, the same interface and private IP as the batch
 * says. One already there is `already-on-target` (so a retry only does what is left); one the fresh read finds
 * held outside the group, or sent elsewhere, is a `conflict`, left alone; an address the config does not list
 * refuses the batch. A dry run is judged by EC2's answer (DryRunOperation); AssignPrivateIpAddresses has no
 * DryRun parameter, so a dry run never sends it and says `dry-run-unjudged`.
 */
import { AssignPrivateIpAddressesCommand, AssociateAddressCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { AddressBatch, AddressResult, AddressSwitchInput } from '../contract/address-schemas';
import { errorCode, errorText } from '../contract/aws-errors';
import { findGroup, type FailoverConfig } from '../contract/config';
import { BatchNotAuthorizedError } from '../contract/errors';
import {
  addressSelectionOf,
  movesAddresses,
  planAddressMoves,
  type AddressItem,
  type AddressPlan,
} from '../domain/addresses';
import { DEFAULT_WRITE_BUDGET_MS } from '../domain/paced-retry';
import type { ItemOutcome, SwitchStrategy } from '../domain/switch-strategy';
import { readAddressWorld } from './addresses';
import type { SwitchWriterDeps } from './paced-writer';

export interface AddressSwitchDeps extends SwitchWriterDeps {
  ec2: EC2Client;
  config: FailoverConfig;
}

/** One address's outcome before it is named in its batch's result. */
export interface AddressOutcome extends ItemOutcome {
  st: AddressResult['status'];
}

/** The batch's result: every address in batch order, with the time EC2 accepted its move. */
export interface AddressBatchResult {
  id: number;
  addresses: AddressResult[];
  at: string;
}

const DRY_RUN_IGNORED = (action: string) =>
  `${action} with DryRun answered success, not DryRunOperation: the endpoint ignored DryRun and MOVED the address`;

/** Whether the fresh plan sends an address where the batch does. */
const samePlace = (a: AddressItem['to'], b: AddressItem['to']): boolean =>
  a !== undefined && b !== undefined && a.eni === b.eni && a.privateIp === b.privateIp;

/** What the fresh plan settles for one item of the batch before any write; undefined: to be written. */
const settle = (item: AddressItem, fresh: AddressPlan, dryRun: boolean): AddressOutcome | undefined => {
  const now = fresh.items.find((i) => i.kind === item.kind && i.id === item.id)!;
  if (now.status === 'noop') return { st: 'already-on-target' };
  if (now.status === 'cannot-move') return { st: 'conflict', e: `${now.reason}: ${now.problem}` };
  if (!samePlace(now.to, item.to) || now.action !== item.action)
    return {
      st: 'conflict',
      e:
        `planned to ${item.to?.eni} ${item.to?.privateIp}, a fresh read sends it to ${now.to?.eni} ` +
        `${now.to?.privateIp} (${now.action}): left alone`,
    };
  if (dryRun && item.action === 'assign') return { st: 'dry-run-unjudged' };
  return undefined;
};

export const addressSwitch: SwitchStrategy<
  AddressSwitchInput,
  AddressItem,
  AddressOutcome,
  AddressBatchResult,
  AddressSwitchDeps
> = {
  kind: 'addresses',
  action: (input) => input.batch.action,
  prepare: async (input, deps) => {
    const { batch } = input;
    const refuse = (why: string): never => {
      throw new BatchNotAuthorizedError(`address batch ${batch.id} refused, nothing moved: ${why}`);
    };
    const group = findGroup(deps.config, input.group) ?? refuse(`"${input.group}" is not a configured group`);
    if (input.vpcId !== group.vpcId) refuse(`VPC ${input.vpcId} is not group ${group.name}'s (${group.vpcId})`);
    const selection = addressSelectionOf(group);
    if (!movesAddresses(selection)) refuse(`group ${group.name} moves no address`);
    if (!group.members.some((m) => m.name === batch.target))
      refuse(`${batch.target} is not a member of group ${group.name}`);
    const wantAction = batch.action === 'AssociateAddress' ? 'associate' : 'assign';
    for (const i of batch.addresses)
      if (i.action !== wantAction) refuse(`${i.id} is moved by ${i.action}, not by ${batch.action}`);

    const world = await readAddressWorld(
      deps.ec2,
      group.members.map((m) => ({ name: m.name, instanceId: m.instanceId })),
      selection,
    );
    const fresh = planAddressMoves({ target: batch.target, selection, ...world });
    const items = batch.addresses as AddressItem[];
    for (const i of items)
      if (!fresh.items.some((x) => x.kind === i.kind && x.id === i.id))
        refuse(`${i.id} is not an address of group ${group.name}`);
    return {
      items,
      settled: items.map((i) => settle(i, fresh, input.dryRun)),
      budgetMs: deps.budgetMs ?? DEFAULT_WRITE_BUDGET_MS,
    };
  },
  write: (item, { input, deps }) =>
    item.action === 'associate'
      ? deps.ec2.send(
          new AssociateAddressCommand({
            AllocationId: item.id,
            NetworkInterfaceId: item.to!.eni,
            PrivateIpAddress: item.to!.privateIp,
            AllowReassociation: true,
            DryRun: input.dryRun,
          }),
        )
      : deps.ec2.send(
          new AssignPrivateIpAddressesCommand({
            NetworkInterfaceId: item.to!.eni,
            PrivateIpAddresses: [item.id],
            AllowReassignment: true,
          }),
        ),
  written: (a, { input }) =>
    input.dryRun ? { st: 'dry-run-ignored', a, e: DRY_RUN_IGNORED(input.batch.action) } : { st: 'moved', a },
  settledBy: (err, a) => {
    const code = errorCode(err);
    if (code === 'DryRunOperation') return { st: 'dry-run', a };
    // Held by an instance or interface outside the group since the read: a conflict, never taken.
    if (code === 'Resource.AlreadyAssociated' || code === 'PrivateIpAddressInUse')
      return { st: 'conflict', a, e: errorText(err) };
    return undefined;
  },
  switched: (o) => o.st === 'moved' || o.st === 'dry-run-ignored',
  describe: (i) =>
    i.action === 'associate'
      ? `AssociateAddress ${i.publicIp ?? i.id} → ${i.to?.eni} ${i.to?.privateIp}`
      : `AssignPrivateIpAddresses ${i.id} → ${i.to?.eni}`,
  refusedTurns: (input, n) =>
    `${input.batch.action} pacer: the ${n} address(es) of batch ${input.batch.id} would not get their turn within ` +
    `the budget; nothing was sent`,
  summarize: (input, outcomes, at, switchedAt) => ({
    id: input.batch.id,
    addresses: input.batch.addresses.map((item, i) => ({
      id: item.id,
      status: outcomes[i].st,
      ...(outcomes[i].a !== undefined ? { attempts: outcomes[i].a } : {}),
      ...(outcomes[i].e !== undefined ? { error: outcomes[i].e } : {}),
      ...(switchedAt[i] !== undefined ? { switchedAt: new Date(switchedAt[i]!).toISOString() } : {}),
    })),
    at: at.toISOString(),
  }),
};

/**
 * The batches of an address plan: one per EC2 action, the secondary private IPs' first (an Elastic IP may ride one).
 */
export const addressBatchesOf = (plan: AddressPlan, firstId: number): AddressBatch[] => {
  const out: AddressBatch[] = [];
  for (const [action, kind] of [
    ['AssignPrivateIpAddresses', 'assign'],
    ['AssociateAddress', 'associate'],
  ] as const) {
    const items = plan.items.filter((i) => i.status === 'move' && i.action === kind);
    if (items.length > 0) out.push({ id: firstId + out.length, action, target: plan.target, addresses: items });
  }
  return out;
};
