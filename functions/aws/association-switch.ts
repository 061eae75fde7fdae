import { type EC2Client, ReplaceRouteTableAssociationCommand, type RouteTable } from '@aws-sdk/client-ec2';
import { checkAssociationMove, summarizeAssociations, type AssociationOutcome } from '../domain/association-outcomes';
import type { SwitchStrategy } from '../domain/switch-strategy';
import { liveAssociations, sameSubject, subjectOf } from '../domain/associations';
import { errorCode, errorText, toEc2Error } from '../contract/aws-errors';
import { findGroup, type FailoverConfig, type Group } from '../contract/config';
import { BatchNotAuthorizedError } from '../contract/errors';
import type { GroupStateStore } from '../domain/group-state';
import type { GroupInventory } from '../domain/inventory';
import { DEFAULT_WRITE_BUDGET_MS } from '../domain/paced-retry';
import { describeRouteTablesById } from './route-tables';
import type {
  AssociationBatchResult,
  AssociationMove,
  InterfacePair,
  ReplaceAssociationsInput,
} from '../contract/schemas';
import { twinIdentity, twinMapTo } from '../domain/twins';
import { authorizePairs, originalInScope } from './authorize';
import type { SwitchWriterDeps } from './paced-writer';

export interface AssociationSwitchDeps extends SwitchWriterDeps {
  ec2: EC2Client;
  config: FailoverConfig;
  store: GroupStateStore;
}

const DRY_RUN_IGNORED =
  'ReplaceRouteTableAssociation with DryRun answered success, not ' +
  'DryRunOperation: the endpoint ignored DryRun and MOVED the association';

/**
 * The associations kind: each subnet, gateway or main association of one batch goes, with
 * ReplaceRouteTableAssociation, to the table that holds, now, what the per-route mode would leave in the
 * table it uses. One read of the tables involved, then every move in parallel at the pacer's turns.
 *
 * Nothing of the input is trusted: the group must be configured in the associations mode, each table must be
 * the group's (in scope, or a twin of a table in scope, by its tags) and of the same original, the pairs must
 * move traffic from members to one other member (authorizePairs), and the destination must hold exactly the
 * source table's routes with those pairs applied (a drifted twin is `drifted`, not moved). Idempotent: an
 * association already on its destination is `already-on-target` (EC2 gives a moved association a new ID, so a
 * retry after a lost answer finds the subject by subnet, gateway or main, and a resend within this call whose
 * old ID EC2 no longer knows re-reads the destination: there, it is `moved`); one found on a third table was
 * moved by someone else and is a `conflict`, left alone.
 */
export const associationSwitch: SwitchStrategy<
  ReplaceAssociationsInput,
  AssociationMove,
  AssociationOutcome,
  AssociationBatchResult,
  AssociationSwitchDeps
> = {
  kind: 'associations',
  action: () => 'ReplaceRouteTableAssociation',
  prepare: async (input, deps) => {
    const { batch } = input;
    const refuse = (why: string): never => {
      throw new BatchNotAuthorizedError(`association batch ${batch.id} refused, nothing moved: ${why}`);
    };
    const group = findGroup(deps.config, input.group) ?? refuse(`"${input.group}" is not a configured group`);
    if (group.switchMode !== 'associations')
      refuse(`group ${group.name} does not switch by associations (switchMode "${group.switchMode}")`);
    if (input.vpcId !== group.vpcId) refuse(`VPC ${input.vpcId} is not group ${group.name}'s (${group.vpcId})`);
    const used = input.pairs.filter((p) => p.toEni);
    if (used.length === 0) refuse('no interface pair to switch');
    await authorizePairs(group, used, deps, refuse);

    const ids = [...new Set(batch.moves.flatMap((m) => [m.f, m.t, m.o]))];
    let tables: Map<string, RouteTable>;
    try {
      tables = new Map((await describeRouteTablesById(deps.ec2, group.vpcId, ids)).map((t) => [t.RouteTableId!, t]));
    } catch (err) {
      throw toEc2Error(err, `DescribeRouteTables ${ids.join(', ')}`);
    }
    // Every table named must be the group's: an original in scope, or a twin of this group whose original (read
    // in the same call: each move names it) is in scope. No further read.
    for (const id of ids) {
      const t = tables.get(id);
      if (!t) continue; // gone: its moves are reported by the check
      const twin = twinIdentity(t);
      const original = twin ? tables.get(twin.original) : t;
      const ok = twin
        ? twin.group === group.name && original !== undefined && originalInScope(group, original)
        : originalInScope(group, t);
      if (!ok) refuse(`route table ${id} is neither in group ${group.name}'s scope nor one of its twins`);
    }
    const pairMap = new Map(used.map((p) => [p.fromEni, p.toEni!]));
    const twinMaps = batch.moves.some((m) => m.t !== m.o) ? await twinMapsOf(deps, group, used) : () => pairMap;
    const settled = batch.moves.map((m) => checkAssociationMove(m, tables, pairMap, twinMaps, refuse));
    return { items: batch.moves, settled, budgetMs: deps.budgetMs ?? DEFAULT_WRITE_BUDGET_MS };
  },
  write: (m, { input, deps }) =>
    deps.ec2.send(
      new ReplaceRouteTableAssociationCommand({ AssociationId: m.a, RouteTableId: m.t, DryRun: input.dryRun }),
    ),
  written: (a, { input }) => (input.dryRun ? { st: 'dry-run-ignored', a, e: DRY_RUN_IGNORED } : { st: 'moved', a }),
  settledBy: (err, a, m, { input, deps }) => {
    const code = errorCode(err);
    if (code === 'DryRunOperation') return { st: 'dry-run', a };
    // The association ID is gone. EC2 gives a replaced association a NEW ID, so this is also what a resend
    // of a move that took effect gets (its answer lost to a 5xx or a timeout, then resent by the writer or
    // by the SDK): the subject on the destination is this move, made. Anywhere else: moved by someone else.
    if (code === 'InvalidAssociationID.NotFound') return afterNotFound(deps, m, input.vpcId, a, errorText(err));
    return undefined;
  },
  switched: (o) => o.st === 'moved' || o.st === 'dry-run-ignored',
  describe: (m) => `ReplaceRouteTableAssociation ${m.a} (${subjectOf(m)}) → ${m.t}`,
  refusedTurns: (input, n) =>
    `ReplaceRouteTableAssociation pacer: the ${n} move(s) of batch ${input.batch.id} would not get their turn within ` +
    `the budget; nothing was sent`,
  summarize: (input, outcomes, at, switchedAt) => summarizeAssociations(input.batch.id, outcomes, at, switchedAt),
};

/**
 * For a twin's member, the map the twin holds its original with (every member's interface → that member's,
 * as the reconcile builds it), from the inventory of the configured members and this batch's pairs; the
 * pairs alone when the inventory cannot be read (stricter: a twin of an original that points at a third
 * member then reads as drifted).
 */
const twinMapsOf = async (
  deps: AssociationSwitchDeps,
  group: Group,
  used: InterfacePair[],
): Promise<(member: string) => ReadonlyMap<string, string>> => {
  const pairMap = new Map(used.map((p) => [p.fromEni, p.toEni!]));
  let inventory: GroupInventory | undefined;
  try {
    inventory = await deps.store.readInventory(group.name);
  } catch {
    return () => pairMap;
  }
  const members = new Set(group.members.map((m) => m.name));
  const maps = new Map<string, ReadonlyMap<string, string>>();
  return (member) => {
    // The pairs lead to the batch's target: they apply to a twin of that member only (another's is then unlike).
    if (!maps.has(member))
      maps.set(
        member,
        twinMapTo(
          inventory!,
          member,
          used.filter((p) => twinPairOf(inventory!, member, p)),
          members,
        ),
      );
    return maps.get(member)!;
  };
};

const twinPairOf = (inventory: GroupInventory, member: string, p: InterfacePair): boolean => {
  const own = inventory[member]?.interfaces;
  return !own || own.some((i) => i.eni === p.toEni);
};

/**
 * A move whose association ID EC2 no longer knows: `moved` when its subject is on the destination now (one
 * re-read), else a conflict.
 */
const afterNotFound = async (
  deps: AssociationSwitchDeps,
  m: AssociationMove,
  vpcId: string,
  attempt: number,
  e: string,
): Promise<AssociationOutcome> => {
  let on: RouteTable | undefined;
  try {
    [on] = await describeRouteTablesById(deps.ec2, vpcId, [m.t]);
  } catch (err) {
    return {
      st: 'conflict',
      a: attempt,
      e:
        `${e} (association changed since it was read, and ${m.t} ` +
        `could not be read back: ${errorText(err)}; left alone)`,
    };
  }
  if (on && liveAssociations(on).some((a) => sameSubject(a, m))) return { st: 'moved', a: attempt };
  return { st: 'conflict', a: attempt, e: `${e} (association changed since it was read; left alone)` };
};
