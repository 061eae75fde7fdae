import type { RouteTable } from '@aws-sdk/client-ec2';
import { FailoverSuppressedError, UnpairedInterfaceError } from '../contract/errors';
import { batchChanges } from './plan';
import { routeDestination, unreplaceableReason } from './routes';
import type { AssociationBatch, Change, FailoverState, InterfacePair, Plan, RouteRef } from '../contract/schemas';

/**
 * What a scan of some tables found: the changes (priority ones marked), routes already on target,
 * skipped and unpaired routes.
 */
export interface FoundChanges {
  changes: Change[];
  priority: Set<Change>;
  alreadyOnTarget: Map<string, string[]>;
  alreadyOnTargetCount: number;
  skipped: RouteRef[];
  unpaired: string[];
  routesScanned: number;
}

/** Every route of `tables` whose target is a source-member interface, as a change to the paired target interface. */
export const collectChanges = (input: FailoverState, tables: RouteTable[]): FoundChanges => {
  const { group, target } = input;
  const bySourceEni = new Map(input.pairs.map((p) => [p.fromEni, p]));
  const targetEnis = new Set(input.targetEnis);
  const out: FoundChanges = {
    changes: [],
    priority: new Set(),
    alreadyOnTarget: new Map(),
    alreadyOnTargetCount: 0,
    skipped: [],
    unpaired: [],
    routesScanned: 0,
  };
  const priorityDestinations = new Set((group.priority?.destinations ?? []).map((d) => d.toLowerCase()));
  const priorityTag = group.priority?.routeTableTag;

  for (const table of tables) {
    const routeTableId = table.RouteTableId!;
    const priorityTable =
      priorityTag !== undefined &&
      (table.Tags ?? []).some((x) => x.Key === priorityTag.key && x.Value === priorityTag.value);
    for (const route of table.Routes ?? []) {
      out.routesScanned++;
      const eni = route.NetworkInterfaceId;
      const destination = routeDestination(route);
      if (!eni || !destination) continue;
      if (targetEnis.has(eni)) {
        out.alreadyOnTarget.set(routeTableId, [...(out.alreadyOnTarget.get(routeTableId) ?? []), destination.value]);
        out.alreadyOnTargetCount++;
        continue;
      }
      const pair = bySourceEni.get(eni);
      if (!pair) continue;
      const reason = unreplaceableReason(route);
      if (reason) {
        out.skipped.push({ routeTableId, destination, eni, member: pair.fromMember, reason });
        continue;
      }
      if (!pair.toEni) {
        out.unpaired.push(`${routeTableId} ${destination.value} → ${eni} (${pair.fromMember} slot ${pair.slot})`);
        continue;
      }
      const change: Change = {
        routeTableId,
        destination,
        fromEni: eni,
        fromMember: pair.fromMember,
        toEni: pair.toEni,
        toMember: target.name,
        stateBefore: route.State,
      };
      out.changes.push(change);
      if (priorityTable || priorityDestinations.has(destination.value.toLowerCase())) out.priority.add(change);
    }
  }
  return out;
};

/**
 * Refuses a plan before anything is written: a route whose interface has no counterpart on the target
 * (UnpairedInterfaceError), or a failover flap damping suppresses when it would move something (`moving`).
 */
export const checkPlannable = (
  input: FailoverState,
  found: FoundChanges,
  moving: number,
  what = 'route(s) still point at',
): void => {
  if (found.unpaired.length > 0) {
    throw new UnpairedInterfaceError(
      `${input.target.name} has no interface in the slot (network card/device index) of: ` +
        `${found.unpaired.join('; ')}. ` +
        'Attach a matching interface to the target or move these routes by hand. Nothing was changed.',
    );
  }
  // Flap damping applies only when this failover would actually move something.
  if (input.suppressReason && moving > 0) {
    const members = [...new Set(found.changes.map((c) => c.fromMember))];
    throw new FailoverSuppressedError(
      `${input.suppressReason} ${moving} ${what} ` +
        `${members.length > 0 ? members.join(', ') : input.sources.map((s) => s.name).join(', ')}.`,
    );
  }
};

/**
 * The plan from what was found, with the scope warnings; `moves` are the associations mode's batches (their
 * ids count on into the route batches': one Map writes them all, the association batches first) and
 * `associations` what that mode planned besides.
 */
export const finishPlan = (
  input: FailoverState,
  found: FoundChanges,
  tables: RouteTable[],
  now: Date,
  extra: { moves?: AssociationBatch[]; associations?: Plan['associations'] },
  warnings: string[] = [],
): Plan => {
  const { group } = input;
  if (group.routeTables && 'ids' in group.routeTables) {
    const seen = new Set(tables.map((t) => t.RouteTableId));
    const missing = group.routeTables.ids.filter((id) => !seen.has(id));
    if (missing.length > 0)
      warnings.push(`configured route table(s) not found in ${group.vpcId}: ${missing.join(', ')}`);
  }
  if (tables.length === 0) warnings.push(`no route table in scope for group ${group.name} in ${group.vpcId}`);

  const order = (a: { routeTableId: string; destination: { value: string } }, b: typeof a) =>
    a.routeTableId.localeCompare(b.routeTableId) || a.destination.value.localeCompare(b.destination.value);
  const moves = extra.moves ?? [];
  return {
    ...(extra.associations ? { associations: extra.associations } : {}),
    batches: [...moves, ...priorityFirst(found.changes.sort(order), found.priority, input.pairs, moves.length)],
    changeCount: found.changes.length,
    alreadyOnTarget: [...found.alreadyOnTarget]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([routeTableId, destinations]) => ({ routeTableId, destinations: destinations.sort() })),
    alreadyOnTargetCount: found.alreadyOnTargetCount,
    skipped: found.skipped.sort(order),
    warnings,
    routeTablesScanned: tables.length,
    routesScanned: found.routesScanned,
    listedAt: now.toISOString(),
  };
};

/** The priority routes' batches first (marked `pr`), so that their turns come first, inside EC2's burst. */
const priorityFirst = (changes: Change[], priority: Set<Change>, pairs: InterfacePair[], firstId: number) => {
  const first = batchChanges(
    changes.filter((c) => priority.has(c)),
    pairs,
  ).map((b) => ({ ...b, pr: 1 as const }));
  const rest = batchChanges(
    changes.filter((c) => !priority.has(c)),
    pairs,
  );
  return [...first, ...rest].map((b, i) => ({ ...b, id: firstId + i }));
};
