import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Group, Member } from '../contract/config';
import { Ec2ThrottledError, Ec2TransientError } from '../contract/errors';
import type { GroupStateStore } from '../domain/group-state';
import { mergeInventory, withInterfaces, type GroupInventory } from '../domain/inventory';
import type { MemberView, SourceInterface } from '../aws/members';
import { describeRouteTablesByInstance } from '../aws/route-tables';
import type { InterfacePair, Resolved } from '../contract/schemas';

/**
 * What an execution knows of the members beyond the describe: the inventory it stores and what the route
 * tables say (which interfaces lead to a member, whether its instance runs). ResolveTargets decides with it.
 */

/**
 * Stores what EC2 showed of each member's interfaces, remembering those it no longer shows (mergeInventory).
 * A failure here never blocks the failover (the inventory is for the next one): it becomes a warning.
 */
export const refreshInventory = async (
  store: GroupStateStore,
  group: Group,
  views: Map<string, MemberView>,
  inventory: GroupInventory,
): Promise<string[]> => {
  const warnings: string[] = [];
  await Promise.all(
    [...views.values()]
      .filter((v) => v.observed)
      .map((v) =>
        store.writeInventory(group.name, mergeInventory(inventory[v.name], v.observed!)).catch((err: Error) => {
          warnings.push(`the inventory of ${v.name} could not be stored (${err.name}: ${err.message})`);
        }),
      ),
  );
  return warnings;
};

/**
 * Stores the interfaces the route tables revealed (EC2 showed each attached to the member's instance): what a
 * describe of the member would have stored, so SwitchItems' authorization, which trusts a fresh inventory
 * entry, and the next failover know them too. A failure is a warning, as for the refresh.
 */
export const rememberLearned = async (
  store: GroupStateStore,
  group: Group,
  views: Map<string, MemberView>,
  byMember: Map<string, SourceInterface[]>,
  now: Date,
): Promise<string[]> => {
  const warnings: string[] = [];
  if (byMember.size === 0) return warnings;
  try {
    // What this execution's refresh stored a moment ago is the base, not the inventory read before it.
    const stored = await store.readInventory(group.name);
    for (const [name, interfaces] of byMember) {
      const v = views.get(name)!;
      const found = interfaces.map((i) => ({ slot: i.slot, eni: i.eni }));
      await store.writeInventory(
        group.name,
        withInterfaces(stored[name], { member: name, instanceId: v.instanceId }, found, now),
      );
    }
  } catch (err) {
    warnings.push(
      `the interfaces learned from the route tables could not be stored (${(err as Error).name}: ` +
        `${(err as Error).message})`,
    );
  }
  return warnings;
};

/** Every interface a member of the group has (live) or had (inventory). */
export const knownEnis = (inventory: GroupInventory, views: Map<string, MemberView>): string[] => [
  ...Object.values(inventory).flatMap((m) => m.interfaces.map((i) => i.eni)),
  ...[...views.values()].flatMap((v) => [...v.enis.values()]),
];

/**
 * Every member as this execution knows it, for the state (`members`): its live interfaces, the inventory's,
 * and the source interfaces paired (learned from the routes included). What the invariant recognises a
 * member's route by.
 */
export const knownMembers = (
  group: Group,
  views: Map<string, MemberView>,
  inventory: GroupInventory,
  pairs: InterfacePair[],
): NonNullable<Resolved['members']> =>
  group.members.map((m) => ({
    name: m.name,
    instanceId: m.instanceId,
    enis: [
      ...new Set([
        ...(views.get(m.name)?.enis.values() ?? []),
        ...(inventory[m.name]?.interfaces.map((i) => i.eni) ?? []),
        ...pairs.filter((p) => p.fromMember === m.name).map((p) => p.fromEni),
      ]),
    ],
  }));

/**
 * A member EC2 cannot describe right now (5xx, a network failure: an impaired Availability Zone, or a blip)
 * is no confirmation that it failed. The route tables, a regional read that answers when its zone does not,
 * say whether its instance runs: a route to an interface attached to it reads `active` only while it does
 * (`blackhole` once it is stopped or gone). Any such route `active` refuses the event; none, or all
 * `blackhole`, lets it stand (an impaired zone with the router really down is what the failover exists for).
 */
export const routesSayRunning = async (
  ec2: EC2Client,
  group: Group,
  failing: Member,
  code: string,
  reported?: string,
): Promise<string | undefined> => {
  let routes: Array<{ State?: string; InstanceId?: string }>;
  try {
    routes = (await describeRouteTablesByInstance(ec2, group.vpcId, [failing.instanceId]))
      .flatMap((t) => t.Routes ?? [])
      .filter((r) => r.InstanceId === failing.instanceId);
  } catch (err) {
    if (err instanceof Ec2ThrottledError || err instanceof Ec2TransientError) throw err;
    return undefined;
  }
  const active = routes.filter((r) => r.State === 'active').length;
  if (active === 0) return undefined;
  return (
    `event not confirmed: ${failing.name} (${failing.instanceId}) reported ${reported ?? 'a failure'}; EC2 cannot ` +
    `describe it now (${code}), ` +
    `but ${active} route(s) to its interfaces read active, which they do only while it runs`
  );
};
