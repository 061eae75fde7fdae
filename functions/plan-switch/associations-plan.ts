import type { RouteTable } from '@aws-sdk/client-ec2';
import { liveAssociations, subjectOf } from '../domain/associations';
import type { GroupTables } from '../aws/group-tables';
import {
  FALLBACKS_LISTED,
  type AssociationBatch,
  type AssociationMove,
  type FailoverState,
  type FallbackTable,
  type Plan,
} from '../contract/schemas';
import {
  contentDifferences,
  contentsOf,
  mapContents,
  routesToAny,
  sameContents,
  twinIdentity,
  type TableContents,
} from '../domain/twins';
import { checkPlannable, collectChanges, finishPlan } from '../domain/route-changes';

/** Associations per SwitchItems invocation: one EC2 burst (ReplaceRouteTableAssociation: 50 tokens). */
export const ASSOCIATION_BATCH_SIZE = 50;

/**
 * The associations mode's plan. For every table the group's subnets (or gateways, or the main association)
 * use, whose routes lead to a source member: `wanted` is what the per-route mode would leave in that table
 * (every source interface replaced by its pair). Its associations move, with one ReplaceRouteTableAssociation
 * each, to the original if the original already holds `wanted` (a failback), else to the target's twin if
 * the twin holds `wanted` AND is true to the original (mirrors the original with every member's interface
 * mapped to the target's, `twinMap`: the reconcile's definition; the pairs alone when absent). A table no
 * such table serves falls back to route-by-route replacement (its routes go in `batches`), with the reason:
 * a failover never trusts a drifted twin. Tables nothing is associated with carry no traffic: not switched.
 * So every subnet ends with the same effective routes as the per-route mode would give it.
 */
export const planAssociations = (
  input: FailoverState,
  tables: GroupTables,
  now: Date,
  twinMap?: ReadonlyMap<string, string>,
): Plan => {
  const pairMap = new Map(input.pairs.filter((p) => p.toEni).map((p) => [p.fromEni, p.toEni!]));
  const sourceEnis = new Set(input.pairs.map((p) => p.fromEni));
  const targetEnis = new Set(input.targetEnis);
  const byOriginal = new Map(
    tables.originals.map((t) => [t.RouteTableId!, { original: t, twins: [] as RouteTable[] }]),
  );
  for (const { table, twin } of tables.twins) byOriginal.get(twin.original)?.twins.push(table);
  const memberTwin = (original: string): RouteTable | undefined =>
    byOriginal
      .get(original)
      ?.twins.filter((t) => twinIdentity(t)?.member === input.target.name)
      .sort((a, b) => a.RouteTableId!.localeCompare(b.RouteTableId!))[0];

  const moves: AssociationMove[] = [];
  const fallbacks: FallbackTable[] = [];
  const fallbackTables: RouteTable[] = [];
  const unassociated: string[] = [];
  let alreadyOnTarget = 0;
  const warnings: string[] = [];

  for (const [originalId, family] of [...byOriginal].sort(([a], [b]) => a.localeCompare(b))) {
    const originalContents = contentsOf(family.original);
    const twin = memberTwin(originalId);
    for (const table of [family.original, ...family.twins]) {
      const contents = contentsOf(table);
      const associations = liveAssociations(table);
      if (!routesToAny(contents, sourceEnis)) {
        if (routesToAny(contents, targetEnis)) alreadyOnTarget += associations.length;
        continue;
      }
      if (associations.length === 0) {
        if (table === family.original) unassociated.push(originalId);
        continue;
      }
      const wanted = mapContents(contents, pairMap);
      const dest = destinationFor(family.original, originalContents, twin, wanted, twinMap ?? pairMap);
      if ('reason' in dest) {
        fallbacks.push({ routeTableId: table.RouteTableId!, original: originalId, reason: dest.reason });
        fallbackTables.push(table);
        continue;
      }
      for (const a of associations) {
        moves.push({
          a: a.RouteTableAssociationId!,
          f: table.RouteTableId!,
          t: dest.table.RouteTableId!,
          o: originalId,
          ...(a.SubnetId ? { s: a.SubnetId } : a.GatewayId ? { g: a.GatewayId } : { m: 1 as const }),
        });
      }
    }
  }
  for (const t of tables.ignored) {
    const live = liveAssociations(t).length;
    const traffic =
      live > 0 && routesToAny(contentsOf(t), sourceEnis)
        ? `; it has ${live} association(s) and routes to the failed side, which this failover does NOT switch: move ` +
          `its associations to a table of the scope`
        : '';
    warnings.push(
      `${t.RouteTableId} carries route-failover twin tags but is not a usable twin of group ${input.group.name} ` +
        `(tags incomplete, or its original is gone or out of scope): left alone${traffic}`,
    );
  }
  if (fallbacks.length > 0)
    warnings.push(
      `${fallbacks.length} table(s) switched route by route: ${fallbacks
        .slice(0, 5)
        .map((f) => `${f.routeTableId} (${f.reason})`)
        .join('; ')}${fallbacks.length > 5 ? '; …' : ''}`,
    );

  const found = collectChanges(input, fallbackTables);
  checkPlannable(input, found, found.changes.length + moves.length, 'route(s) or association(s) still lead to');
  // The main association first (it carries every subnet without an explicit one), then gateways, then subnets.
  const rank = (m: AssociationMove) => (m.m ? 0 : m.g ? 1 : 2);
  moves.sort((x, y) => rank(x) - rank(y) || x.f.localeCompare(y.f) || subjectOf(x).localeCompare(subjectOf(y)));
  const associationBatches: AssociationBatch[] = [];
  for (let i = 0; i < moves.length; i += ASSOCIATION_BATCH_SIZE)
    associationBatches.push({ id: associationBatches.length, moves: moves.slice(i, i + ASSOCIATION_BATCH_SIZE) });
  const all = [...tables.originals, ...tables.twins.map((t) => t.table)];
  return finishPlan(
    input,
    found,
    all,
    now,
    {
      moves: associationBatches,
      associations: {
        alreadyOnTarget,
        fallbacks: fallbacks.slice(0, FALLBACKS_LISTED),
        fallbackCount: fallbacks.length,
        unassociated: unassociated.sort(),
        twinsSeen: tables.twins.length,
      },
    },
    warnings,
  );
};

/**
 * Where a table's associations go: the original when it holds `wanted`, else the target's twin when it holds
 * `wanted` and mirrors the original; otherwise why the table must be switched route by route.
 */
const destinationFor = (
  original: RouteTable,
  originalContents: TableContents,
  twin: RouteTable | undefined,
  wanted: TableContents,
  twinMap: ReadonlyMap<string, string>,
): { table: RouteTable } | { reason: string } => {
  if (sameContents(wanted, originalContents)) return { table: original };
  if (!twin) return { reason: `no twin for the target` };
  const twinContents = contentsOf(twin);
  const drift = contentDifferences(mapContents(originalContents, twinMap), twinContents, 2);
  if (drift.length > 0)
    return { reason: `twin ${twin.RouteTableId} drifted from ${original.RouteTableId}: ${drift.join('; ')}` };
  const unlike = contentDifferences(wanted, twinContents, 2);
  if (unlike.length > 0)
    return { reason: `twin ${twin.RouteTableId} differs from what this table needs: ${unlike.join('; ')}` };
  return { table: twin };
};
