import { EC2Client, ReplaceRouteTableAssociationCommand, RouteTable } from '@aws-sdk/client-ec2';
import { errorCode, errorText, toEc2Error } from '../shared/aws-errors';
import { DEFAULT_WRITE_BUDGET_MS, DEFAULT_WRITE_RETRY, pacedCall, UNPACED, type PacedRetryOptions, type PacedWriterDeps } from '../shared/paced-retry';
import { findGroup, type FailoverConfig, type Group } from '../shared/config';
import { BatchNotAuthorizedError, Ec2ThrottledError } from '../shared/errors';
import type { GroupStateStore } from '../shared/group-state';
import type { WritePacer } from '../shared/pacer';
import { encodeSwitchTimes } from '../shared/plan';
import { describeRouteTablesById } from '../shared/routes';
import { AssociationBatchResult, AssociationMove, AssociationStatus, InterfacePair, ReplaceAssociationsInput, ReplaceAssociationsInputSchema } from '../shared/schemas';
import type { GroupInventory } from '../shared/inventory';
import { contentDifferences, contentsOf, mapContents, twinIdentity, twinMapTo } from '../shared/twins';
import { authorizePairs, originalInScope } from '../replace-routes/authorize';
import { liveAssociations, sameSubject, subjectOf } from '../shared/associations';

export { ReplaceAssociationsInputSchema };

export interface ReplaceAssociationsDeps extends PacedWriterDeps {
  ec2: EC2Client;
  config: FailoverConfig;
  store: GroupStateStore;
  /** Paces ReplaceRouteTableAssociation account-wide (its own EC2 bucket); absent: every move at once. */
  associationPacer?: WritePacer;
}

const DRY_RUN_IGNORED = 'ReplaceRouteTableAssociation with DryRun answered success, not DryRunOperation: the endpoint ignored DryRun and MOVED the association';

type Outcome = { st: AssociationStatus; a?: number; e?: string };

/**
 * Moves the associations of one batch (associations mode) with ReplaceRouteTableAssociation: each subnet,
 * gateway or main association goes to the table that holds, now, what the per-route mode would leave in the
 * table it uses. One read of the tables involved, then every move in parallel at the pacer's turns.
 *
 * Nothing of the input is trusted: the group must be configured in the associations mode, each table must be
 * the group's (in scope, or a twin of a table in scope, by its tags) and of the same original, the pairs must
 * move traffic from members to one other member (authorizePairs), and the destination must hold exactly the
 * source table's routes with those pairs applied (a drifted twin is `drifted`, not moved). Idempotent: an
 * association already on its destination is `already-on-target` (EC2 gives a moved association a new ID, so a
 * retry after a lost answer finds the subject by subnet, gateway or main, and a resend within this call whose
 * old ID EC2 no longer knows re-reads the destination: there, it is `moved`); one found on a third table was
 * moved by someone else and is a `conflict`, left alone. Throttling and 5xx are retried per move; what is
 * still failing at the budget's end surfaces as Ec2ThrottledError / Ec2TransientError for the Map to retry.
 */
export const replaceAssociations = async (input: ReplaceAssociationsInput, deps: ReplaceAssociationsDeps): Promise<AssociationBatchResult> => {
  const now = deps.now ?? (() => new Date());
  const started = now().getTime();
  const { batch, dryRun } = input;
  const refuse = (why: string): never => {
    throw new BatchNotAuthorizedError(`association batch ${batch.id} refused, nothing moved: ${why}`);
  };
  const group = findGroup(deps.config, input.group) ?? refuse(`"${input.group}" is not a configured group`);
  if (group.switchMode !== 'associations') refuse(`group ${group.name} does not switch by associations (switchMode "${group.switchMode}")`);
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
    if (!t) continue; // gone: its moves are reported below
    const twin = twinIdentity(t);
    const original = twin ? tables.get(twin.original) : t;
    const ok = twin ? twin.group === group.name && original !== undefined && originalInScope(group, original) : originalInScope(group, t);
    if (!ok) refuse(`route table ${id} is neither in group ${group.name}'s scope nor one of its twins`);
  }

  const pairMap = new Map(used.map((p) => [p.fromEni, p.toEni!]));
  const twinMaps = batch.moves.some((m) => m.t !== m.o) ? await twinMapsOf(deps, group, used) : () => pairMap;
  const results: Outcome[] = new Array(batch.moves.length);
  const toMove: number[] = [];
  batch.moves.forEach((m, i) => {
    const checked = check(m, tables, pairMap, twinMaps, refuse);
    if (checked) results[i] = checked;
    else toMove.push(i);
  });

  const pacer = deps.associationPacer ?? UNPACED;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = deps.random ?? Math.random;
  const retry = deps.retry ?? DEFAULT_WRITE_RETRY;
  const deadline = started + (deps.budgetMs ?? DEFAULT_WRITE_BUDGET_MS);
  const switchedAt: Array<number | undefined> = new Array(batch.moves.length);
  let transient: Error | undefined;
  if (toMove.length > 0) {
    const times = await pacer.reserve(toMove.length, deadline);
    if (!times) throw new Ec2ThrottledError(`ReplaceRouteTableAssociation pacer: the ${toMove.length} move(s) of batch ${batch.id} would not get their turn within the budget; nothing was sent`);
    await Promise.all(
      toMove.map(async (i, j) => {
        await pacer.waitUntil(times[j]);
        const r = await moveOne(deps, batch.moves[i], dryRun, { deadline, now, pacer, sleep, random, retry }, group.vpcId);
        if (r.transient) transient ??= r.transient;
        if (r.result.st === 'moved' || r.result.st === 'dry-run-ignored') switchedAt[i] = now().getTime();
        results[i] = r.result;
      }),
    );
  }
  if (transient) throw transient;
  return summarize(batch.id, results, now(), switchedAt);
};

/**
 * For a twin's member, the map the twin holds its original with (every member's interface → that member's,
 * as the reconcile builds it), from the inventory of the configured members and this batch's pairs; the
 * pairs alone when the inventory cannot be read (stricter: a twin of an original that points at a third
 * member then reads as drifted).
 */
const twinMapsOf = async (deps: ReplaceAssociationsDeps, group: Group, used: InterfacePair[]): Promise<(member: string) => ReadonlyMap<string, string>> => {
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
    if (!maps.has(member)) maps.set(member, twinMapTo(inventory!, member, used.filter((p) => twinPairOf(inventory!, member, p)), members));
    return maps.get(member)!;
  };
};

const twinPairOf = (inventory: GroupInventory, member: string, p: InterfacePair): boolean => {
  const own = inventory[member]?.interfaces;
  return !own || own.some((i) => i.eni === p.toEni);
};

/** What the read says of a move before writing: undefined when it is to be sent. */
const check = (
  m: AssociationMove,
  tables: Map<string, RouteTable>,
  pairMap: ReadonlyMap<string, string>,
  twinMaps: (member: string) => ReadonlyMap<string, string>,
  refuse: (why: string) => never,
): Outcome | undefined => {
  const from = tables.get(m.f);
  const to = tables.get(m.t);
  const original = tables.get(m.o);
  if (!to) return { st: 'failed', a: 0, e: `destination table ${m.t} no longer exists` };
  for (const [id, t] of [[m.f, from], [m.t, to]] as const) {
    if (t && id !== m.o && twinIdentity(t)?.original !== m.o) refuse(`route table ${id} is neither ${m.o} nor one of its twins`);
  }
  const here = (t: RouteTable | undefined) => (t ? liveAssociations(t).find((a) => sameSubject(a, m)) : undefined);
  if (here(to)) return { st: 'already-on-target' };
  if (!from || !here(from)) return { st: 'conflict', e: `${subjectOf(m)} is no longer associated with ${m.f} (moved by someone else): left alone` };
  if (!original) return { st: 'drifted', e: `original ${m.o} no longer exists: its twin is not trusted` };
  // Never trust a drifted twin: the destination must hold exactly what the per-route mode would leave in the source table.
  const unlike = contentDifferences(mapContents(contentsOf(from), pairMap), contentsOf(to), 2);
  if (unlike.length > 0) return { st: 'drifted', e: `${m.t} does not hold what ${m.f} needs after the switch: ${unlike.join('; ')}` };
  if (m.t !== m.o) {
    const drift = contentDifferences(mapContents(contentsOf(original), twinMaps(twinIdentity(to)?.member ?? '')), contentsOf(to), 2);
    if (drift.length > 0) return { st: 'drifted', e: `twin ${m.t} drifted from ${m.o}: ${drift.join('; ')}` };
  }
  return undefined;
};

const moveOne = (deps: ReplaceAssociationsDeps, m: AssociationMove, dryRun: boolean, o: PacedRetryOptions, vpcId: string): Promise<{ result: Outcome; transient?: Error }> =>
  pacedCall<Outcome>(
    () => deps.ec2.send(new ReplaceRouteTableAssociationCommand({ AssociationId: m.a, RouteTableId: m.t, DryRun: dryRun })),
    {
      ok: (a) => (dryRun ? { st: 'dry-run-ignored', a, e: DRY_RUN_IGNORED } : { st: 'moved', a }),
      settled: async (err, a) => {
        const code = errorCode(err);
        if (code === 'DryRunOperation') return { st: 'dry-run', a };
        // The association ID is gone. EC2 gives a replaced association a NEW ID, so this is also what a resend
        // of a move that took effect gets (its answer lost to a 5xx or a timeout, then resent by this loop or
        // by the SDK): the subject on the destination is this move, made. Anywhere else: moved by someone else.
        if (code === 'InvalidAssociationID.NotFound') return afterNotFound(deps, m, vpcId, a, errorText(err));
        return undefined;
      },
      failed: (e, a) => ({ st: 'failed', a, e }),
    },
    o,
    `ReplaceRouteTableAssociation ${m.a} (${subjectOf(m)}) → ${m.t}`,
  );

/** A move whose association ID EC2 no longer knows: `moved` when its subject is on the destination now (one re-read), else a conflict. */
const afterNotFound = async (deps: ReplaceAssociationsDeps, m: AssociationMove, vpcId: string, attempt: number, e: string): Promise<Outcome> => {
  let on: RouteTable | undefined;
  try {
    [on] = await describeRouteTablesById(deps.ec2, vpcId, [m.t]);
  } catch (err) {
    return { st: 'conflict', a: attempt, e: `${e} (association changed since it was read, and ${m.t} could not be read back: ${errorText(err)}; left alone)` };
  }
  if (on && liveAssociations(on).some((a) => sameSubject(a, m))) return { st: 'moved', a: attempt };
  return { st: 'conflict', a: attempt, e: `${e} (association changed since it was read; left alone)` };
};

/** Every move's outcome in batch order; each distinct error text once. */
const summarize = (id: number, results: Outcome[], at: Date, switchedAt: Array<number | undefined>): AssociationBatchResult => {
  const errors: string[] = [];
  const r = results.map(({ st, a, e }) => {
    if (e === undefined) return { st, ...(a !== undefined ? { a } : {}) };
    const k = errors.indexOf(e);
    return { st, ...(a !== undefined ? { a } : {}), x: k >= 0 ? k : errors.push(e) - 1 };
  });
  const sw = encodeSwitchTimes(at.getTime(), switchedAt);
  return { id, r, ...(errors.length > 0 ? { errors } : {}), at: at.toISOString(), ...(sw !== undefined ? { sw } : {}) };
};
