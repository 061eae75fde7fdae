import { EC2Client } from '@aws-sdk/client-ec2';
import { FailoverSuppressedError, UnpairedInterfaceError } from '../shared/errors';
import { describeScopedRouteTables, routeDestination, unreplaceableReason } from '../shared/routes';
import { batchChanges } from '../shared/plan';
import type { InterfacePair } from '../shared/schemas';
import { Change, FailoverState, FailoverStateSchema, Plan, RouteRef } from '../shared/schemas';

export const ListRoutesInputSchema = FailoverStateSchema;

export interface ListRoutesDeps {
  ec2: EC2Client;
  now?: () => Date;
}

/**
 * Builds the plan: every route in the group's route tables whose target is a source-member interface,
 * paired with the target member's interface in the same slot. Routes already on the target are counted,
 * propagated and local routes are skipped with the reason. A route whose interface has no counterpart on
 * the target fails the whole plan (UnpairedInterfaceError) before anything is written, and so does a
 * failover that flap damping suppresses (FailoverSuppressedError).
 */
export const listRoutes = async (input: FailoverState, deps: ListRoutesDeps): Promise<Plan> => {
  const now = deps.now ?? (() => new Date());
  const { group, target } = input;
  const bySourceEni = new Map(input.pairs.map((p) => [p.fromEni, p]));
  const targetEnis = new Set(input.targetEnis);
  const tables = await describeScopedRouteTables(deps.ec2, group.vpcId, group.routeTables);

  const changes: Change[] = [];
  const priority = new Set<Change>();
  const priorityDestinations = new Set((group.priority?.destinations ?? []).map((d) => d.toLowerCase()));
  const priorityTag = group.priority?.routeTableTag;
  const alreadyOnTarget = new Map<string, string[]>();
  let alreadyOnTargetCount = 0;
  const skipped: RouteRef[] = [];
  const unpaired: string[] = [];
  let routesScanned = 0;

  for (const table of tables) {
    const routeTableId = table.RouteTableId!;
    const priorityTable = priorityTag !== undefined && (table.Tags ?? []).some((x) => x.Key === priorityTag.key && x.Value === priorityTag.value);
    for (const route of table.Routes ?? []) {
      routesScanned++;
      const eni = route.NetworkInterfaceId;
      const destination = routeDestination(route);
      if (!eni || !destination) continue;
      if (targetEnis.has(eni)) {
        alreadyOnTarget.set(routeTableId, [...(alreadyOnTarget.get(routeTableId) ?? []), destination.value]);
        alreadyOnTargetCount++;
        continue;
      }
      const pair = bySourceEni.get(eni);
      if (!pair) continue;
      const reason = unreplaceableReason(route);
      if (reason) {
        skipped.push({ routeTableId, destination, eni, member: pair.fromMember, reason });
        continue;
      }
      if (!pair.toEni) {
        unpaired.push(`${routeTableId} ${destination.value} → ${eni} (${pair.fromMember} slot ${pair.slot})`);
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
      changes.push(change);
      if (priorityTable || priorityDestinations.has(destination.value.toLowerCase())) priority.add(change);
    }
  }

  if (unpaired.length > 0) {
    throw new UnpairedInterfaceError(
      `${target.name} has no interface in the slot (network card/device index) of: ${unpaired.join('; ')}. ` +
        'Attach a matching interface to the target or move these routes by hand. Nothing was changed.',
    );
  }

  // Flap damping applies only when this failover would actually move something.
  if (input.suppressReason && changes.length > 0) {
    throw new FailoverSuppressedError(`${input.suppressReason} ${changes.length} route(s) still point at ${[...new Set(changes.map((c) => c.fromMember))].join(', ')}.`);
  }

  const warnings: string[] = [];
  if (group.routeTables && 'ids' in group.routeTables) {
    const seen = new Set(tables.map((t) => t.RouteTableId));
    const missing = group.routeTables.ids.filter((id) => !seen.has(id));
    if (missing.length > 0) warnings.push(`configured route table(s) not found in ${group.vpcId}: ${missing.join(', ')}`);
  }
  if (tables.length === 0) warnings.push(`no route table in scope for group ${group.name} in ${group.vpcId}`);

  const order = (a: { routeTableId: string; destination: { value: string } }, b: typeof a) =>
    a.routeTableId.localeCompare(b.routeTableId) || a.destination.value.localeCompare(b.destination.value);
  return {
    batches: priorityFirst(changes.sort(order), priority, input.pairs),
    changeCount: changes.length,
    alreadyOnTarget: [...alreadyOnTarget].sort(([a], [b]) => a.localeCompare(b)).map(([routeTableId, destinations]) => ({ routeTableId, destinations: destinations.sort() })),
    alreadyOnTargetCount,
    skipped: skipped.sort(order),
    warnings,
    routeTablesScanned: tables.length,
    routesScanned,
    listedAt: now().toISOString(),
  };
};

/** The priority routes' batches first (marked `pr`), so that their turns come first, inside EC2's burst. */
const priorityFirst = (changes: Change[], priority: Set<Change>, pairs: InterfacePair[]) => {
  const first = batchChanges(changes.filter((c) => priority.has(c)), pairs).map((b) => ({ ...b, pr: 1 as const }));
  const rest = batchChanges(changes.filter((c) => !priority.has(c)), pairs);
  return [...first, ...rest].map((b, id) => ({ ...b, id }));
};
