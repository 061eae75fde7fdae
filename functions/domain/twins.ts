import type { Route, RouteTable, Tag } from '@aws-sdk/client-ec2';
import { routeDestination, routeKey } from './routes';
import type { GroupInventory } from './inventory';
import type { Destination, InterfacePair } from '../contract/schemas';

/**
 * Twins: the associations mode's standby route tables. For an original table with routes to a group's
 * members, the twin for member M holds the same routes with every member interface replaced by M's interface
 * in the same slot (what the per-route mode would leave after a switch to M), and the same route propagation.
 * A failover then moves each association (subnet, gateway edge, main) of the original to the target's twin
 * with one ReplaceRouteTableAssociation, whatever the number of routes.
 *
 * A twin is recognised by its tags only (never by its name): which table it mirrors, for which member, of
 * which group. The comparison helpers here are the one definition of "a twin is true" used by the reconcile
 * (functions/reconcile-twins), the planner (PlanSwitch) and the write-time check (SwitchItems).
 */

/** The original route table a twin mirrors. */
export const TWIN_OF_TAG = 'route-failover:twin-of';
/** The member whose interfaces the twin's routes point at. */
export const TWIN_MEMBER_TAG = 'route-failover:twin-member';
/**
 * The group the twin belongs to (a twin of one group is never written by another). Not `route-failover:group`,
 * which operators use as a scope tag on originals: IAM lets the reconcile write only tables with THIS tag.
 */
export const TWIN_GROUP_TAG = 'route-failover:twin-group';

/** EC2 tag values are at most 256 characters. */
const TAG_VALUE_MAX = 256;

export interface TwinIdentity {
  /** The original table's ID. */
  original: string;
  member: string;
  group: string;
}

const tagOf = (tags: Tag[] | undefined, key: string): string | undefined => tags?.find((t) => t.Key === key)?.Value;

/** The twin identity a table's tags declare; undefined for a table that is not a twin (an original). */
export const twinIdentity = (table: Pick<RouteTable, 'Tags'>): TwinIdentity | undefined => {
  const original = tagOf(table.Tags, TWIN_OF_TAG);
  const member = tagOf(table.Tags, TWIN_MEMBER_TAG);
  const group = tagOf(table.Tags, TWIN_GROUP_TAG);
  return original && member && group ? { original, member, group } : undefined;
};

/** Whether a table carries any twin tag (a table with only some of them is neither a usable twin nor an original). */
export const hasTwinTags = (table: Pick<RouteTable, 'Tags'>): boolean =>
  (table.Tags ?? []).some((t) => t.Key === TWIN_OF_TAG || t.Key === TWIN_MEMBER_TAG || t.Key === TWIN_GROUP_TAG);

/** The Name of a twin: the original's Name (or ID) and the member it stands by for. */
export const twinName = (original: Pick<RouteTable, 'RouteTableId' | 'Tags'>, member: string): string => {
  const base = tagOf(original.Tags, 'Name') ?? original.RouteTableId ?? 'route table';
  const suffix = ` (standby ${member})`;
  return `${base.slice(0, TAG_VALUE_MAX - suffix.length)}${suffix}`;
};

/**
 * The tags a twin is created with: its identity and its Name. The original's other tags (a scope tag) are not copied.
 */
export const twinTags = (group: string, original: Pick<RouteTable, 'RouteTableId' | 'Tags'>, member: string): Tag[] => [
  { Key: 'Name', Value: twinName(original, member) },
  { Key: TWIN_OF_TAG, Value: original.RouteTableId! },
  { Key: TWIN_MEMBER_TAG, Value: member },
  { Key: TWIN_GROUP_TAG, Value: group },
];

/** The request field a route's target goes in (CreateRoute/ReplaceRoute), with its ID. */
export interface RouteTargetRef {
  field:
    | 'NetworkInterfaceId'
    | 'GatewayId'
    | 'NatGatewayId'
    | 'TransitGatewayId'
    | 'VpcPeeringConnectionId'
    | 'LocalGatewayId'
    | 'CarrierGatewayId'
    | 'CoreNetworkArn'
    | 'EgressOnlyInternetGatewayId'
    | 'VpcEndpointId'
    | 'InstanceId';
  id: string;
}

// An ENI route also shows InstanceId (the instance it is attached to): the ENI is the target that was set.
const TARGET_FIELDS: RouteTargetRef['field'][] = [
  'NetworkInterfaceId',
  'GatewayId',
  'NatGatewayId',
  'TransitGatewayId',
  'VpcPeeringConnectionId',
  'LocalGatewayId',
  'CarrierGatewayId',
  'CoreNetworkArn',
  'EgressOnlyInternetGatewayId',
  'VpcEndpointId',
  'InstanceId',
];

/** A route's target as a request field and ID; undefined when it has none we can write. */
export const routeTargetRef = (route: Route): RouteTargetRef | undefined => {
  for (const field of TARGET_FIELDS) {
    const id = (route as Record<string, unknown>)[field];
    if (typeof id === 'string' && id !== '') return { field, id };
  }
  return undefined;
};

/** One static route as twins compare them. */
export interface StaticRoute {
  destination: Destination;
  target: RouteTargetRef;
}

/**
 * The routes of a table that a twin mirrors, keyed by destination: every route except the local routes
 * (every table of the VPC has them) and propagated routes (they follow the table's propagation, compared
 * separately).
 */
export const staticRoutes = (table: Pick<RouteTable, 'Routes'>): Map<string, StaticRoute> => {
  const out = new Map<string, StaticRoute>();
  for (const route of table.Routes ?? []) {
    if (
      route.Origin === 'CreateRouteTable' ||
      route.GatewayId === 'local' ||
      route.Origin === 'EnableVgwRoutePropagation'
    )
      continue;
    const destination = routeDestination(route);
    const target = routeTargetRef(route);
    if (destination && target) out.set(destinationKey(destination), { destination, target });
  }
  return out;
};

/** A destination as a key (a table holds one static route per destination). */
export const destinationKey = (d: Destination): string => routeKey('', d);

/** The virtual private gateways propagating into a table, sorted. */
export const propagatingVgws = (table: Pick<RouteTable, 'PropagatingVgws'>): string[] =>
  [...new Set((table.PropagatingVgws ?? []).map((p) => p.GatewayId).filter((g): g is string => !!g))].sort();

/**
 * What a table's routes become when every interface in `eniMap` (from → to) is replaced: the
 * per-route mode's end state.
 */
export const mapStaticRoutes = (
  routes: Map<string, StaticRoute>,
  eniMap: ReadonlyMap<string, string>,
): Map<string, StaticRoute> => {
  const out = new Map<string, StaticRoute>();
  for (const [k, r] of routes) {
    const to = r.target.field === 'NetworkInterfaceId' ? eniMap.get(r.target.id) : undefined;
    out.set(k, to ? { destination: r.destination, target: { field: 'NetworkInterfaceId', id: to } } : r);
  }
  return out;
};

/**
 * The table contents twins are compared on: static routes, propagation, and the local routes whose target
 * was replaced ("Replace or restore the target for a local route"). A local route on a middlebox that is not
 * a member stays as it is in every twin; one on a member's interface is that member's route like any other
 * (the routes mode moves it), so a member's twin holds it on that member's interface. Absent `locals`: none.
 */
export interface TableContents {
  routes: Map<string, StaticRoute>;
  vgws: string[];
  locals?: Map<string, StaticRoute>;
}

const isLocalRoute = (route: Route): boolean => route.Origin === 'CreateRouteTable' || route.GatewayId === 'local';

/** The local routes of a table that point at something other than `local` (a middlebox), keyed by destination. */
export const replacedLocalRoutes = (table: Pick<RouteTable, 'Routes'>): Map<string, StaticRoute> => {
  const out = new Map<string, StaticRoute>();
  for (const route of table.Routes ?? []) {
    if (!isLocalRoute(route) || route.Origin === 'EnableVgwRoutePropagation') continue;
    const destination = routeDestination(route);
    const target = routeTargetRef(route);
    if (destination && target && !(target.field === 'GatewayId' && target.id === 'local'))
      out.set(destinationKey(destination), { destination, target });
  }
  return out;
};

/** A table's contents as read from DescribeRouteTables. */
export const contentsOf = (table: Pick<RouteTable, 'Routes' | 'PropagatingVgws'>): TableContents => ({
  routes: staticRoutes(table),
  vgws: propagatingVgws(table),
  locals: replacedLocalRoutes(table),
});

/** A table's contents after replacing the interfaces of `eniMap`, local routes on a member included. */
export const mapContents = (c: TableContents, eniMap: ReadonlyMap<string, string>): TableContents => ({
  routes: mapStaticRoutes(c.routes, eniMap),
  vgws: c.vgws,
  locals: c.locals && mapStaticRoutes(c.locals, eniMap),
});

/** The differences of `actual` from `wanted`, in words (empty when they are the same), at most `max` listed. */
export const contentDifferences = (wanted: TableContents, actual: TableContents, max = 5): string[] => {
  const out: string[] = [];
  let more = 0;
  const say = (text: string) => (out.length < max ? out.push(text) : more++);
  for (const [k, w] of wanted.routes) {
    const a = actual.routes.get(k);
    if (!a) say(`${w.destination.value} missing (wanted → ${w.target.id})`);
    else if (a.target.id !== w.target.id) say(`${w.destination.value} → ${a.target.id}, wanted → ${w.target.id}`);
  }
  for (const [k, a] of actual.routes)
    if (!wanted.routes.has(k)) say(`${a.destination.value} → ${a.target.id} is extra`);
  const wv = new Set(wanted.vgws);
  const av = new Set(actual.vgws);
  for (const g of wanted.vgws) if (!av.has(g)) say(`propagation from ${g} missing`);
  for (const g of actual.vgws) if (!wv.has(g)) say(`propagation from ${g} is extra`);
  const wl = wanted.locals ?? new Map<string, StaticRoute>();
  const al = actual.locals ?? new Map<string, StaticRoute>();
  for (const [k, w] of wl)
    if (al.get(k)?.target.id !== w.target.id)
      say(`local route ${w.destination.value} → ${al.get(k)?.target.id ?? 'local'}, wanted → ${w.target.id}`);
  for (const [k, a] of al) if (!wl.has(k)) say(`local route ${a.destination.value} → ${a.target.id}, wanted → local`);
  if (more > 0) out.push(`and ${more} more difference(s)`);
  return out;
};

/** Whether two tables hold the same static routes and propagation. */
export const sameContents = (a: TableContents, b: TableContents): boolean => contentDifferences(a, b, 1).length === 0;

/** A member's interfaces by slot ("<card>/<device>"), from EC2 or the inventory. */
export interface MemberInterfaces {
  member: string;
  interfaces: Array<{ slot: string; eni: string }>;
}

/**
 * The interface map of a switch to `target`: every other member's interface → the target's interface in the
 * same slot. Interfaces whose slot the target lacks are listed in `unpaired` (a twin cannot be built for them).
 */
export const eniMapTo = (
  members: MemberInterfaces[],
  target: string,
): { map: Map<string, string>; unpaired: Array<{ member: string; slot: string; eni: string }> } => {
  const own = new Map((members.find((m) => m.member === target)?.interfaces ?? []).map((i) => [i.slot, i.eni]));
  const map = new Map<string, string>();
  const unpaired: Array<{ member: string; slot: string; eni: string }> = [];
  for (const m of members) {
    if (m.member === target) continue;
    for (const i of m.interfaces) {
      const to = own.get(i.slot);
      if (to) map.set(i.eni, to);
      else unpaired.push({ member: m.member, slot: i.slot, eni: i.eni });
    }
  }
  return { map, unpaired };
};

/** Whether a table has at least one route to an interface among `enis` (it depends on those members). */
export const routesToAny = (c: TableContents, enis: ReadonlySet<string>): boolean =>
  [...c.routes.values()].some((r) => r.target.field === 'NetworkInterfaceId' && enis.has(r.target.id));

/**
 * The writes that make a table's contents equal `wanted`: routes to create, to replace (wanted target), to delete,
 * propagation to turn on and off.
 */
export interface ContentChanges {
  add: StaticRoute[];
  replace: StaticRoute[];
  remove: StaticRoute[];
  enable: string[];
  disable: string[];
  /** Local routes to point at a middlebox (`target`) or to restore to `local` (no target). */
  locals?: Array<{ destination: Destination; target?: RouteTargetRef }>;
}

/** What must change in `actual` for it to equal `wanted` (the same comparison as contentDifferences, as writes). */
export const contentChanges = (wanted: TableContents, actual: TableContents): ContentChanges => {
  const add: StaticRoute[] = [];
  const replace: StaticRoute[] = [];
  const remove: StaticRoute[] = [];
  for (const [k, w] of wanted.routes) {
    const a = actual.routes.get(k);
    if (!a) add.push(w);
    else if (a.target.id !== w.target.id || a.target.field !== w.target.field) replace.push(w);
  }
  for (const [k, a] of actual.routes) if (!wanted.routes.has(k)) remove.push(a);
  const av = new Set(actual.vgws);
  const wv = new Set(wanted.vgws);
  const locals: NonNullable<ContentChanges['locals']> = [];
  const wl = wanted.locals ?? new Map<string, StaticRoute>();
  const al = actual.locals ?? new Map<string, StaticRoute>();
  for (const [k, w] of wl)
    if (al.get(k)?.target.id !== w.target.id) locals.push({ destination: w.destination, target: w.target });
  for (const [k, a] of al) if (!wl.has(k)) locals.push({ destination: a.destination });
  return {
    add,
    replace,
    remove,
    enable: wanted.vgws.filter((g) => !av.has(g)),
    disable: actual.vgws.filter((g) => !wv.has(g)),
    locals,
  };
};

/** Whether a set of changes writes nothing. */
export const noChanges = (c: ContentChanges): boolean =>
  c.add.length + c.replace.length + c.remove.length + c.enable.length + c.disable.length + (c.locals?.length ?? 0) ===
  0;

/**
 * The interface map a true twin of `target` was built with, as the reconcile builds it: every member's
 * interface (from the inventory; only `members` when given) → the target's in the same slot, the failover's
 * own pairs over it. A twin is judged true to its original with this map, not with the pairs alone: in an
 * automatic failover the pairs name only the failed member, and the original may point at a third one.
 */
export const twinMapTo = (
  inventory: GroupInventory,
  target: string,
  pairs: InterfacePair[],
  members?: ReadonlySet<string>,
): Map<string, string> => {
  const known: MemberInterfaces[] = Object.values(inventory)
    .filter((m) => !members || members.has(m.member))
    .map((m) => ({ member: m.member, interfaces: m.interfaces.map((i) => ({ slot: i.slot, eni: i.eni })) }));
  // The target's live interfaces (ResolveTargets paired them from EC2) win over what the inventory remembers.
  const own = new Map((known.find((m) => m.member === target)?.interfaces ?? []).map((i) => [i.slot, i.eni]));
  for (const p of pairs) if (p.toEni) own.set(p.slot, p.toEni);
  const all = [
    ...known.filter((m) => m.member !== target),
    { member: target, interfaces: [...own].map(([slot, eni]) => ({ slot, eni })) },
  ];
  const map = eniMapTo(all, target).map;
  for (const p of pairs) if (p.toEni) map.set(p.fromEni, p.toEni);
  return map;
};

/** One way a twin that carries traffic differs from what its original says it should hold. */
export interface LiveTwinDrift {
  /** The twin's ID. */
  table: string;
  /** The route's destination (CIDR, IPv6 CIDR, prefix list), `local <cidr>` for a local route, `propagation <vgw>`. */
  destination: string;
  /** What the twin holds now (`none`: no such route, `off`: no propagation). */
  target: string;
  /** What the original says it should hold (`none`: the original has no such route). */
  wanted: string;
  /**
   * extra: a route only the twin has (added by hand); missing: a route of the original the twin lacks; changed:
   * another target; switched: on another member's interface (a failover switched this twin route by route).
   */
  kind: 'extra' | 'missing' | 'changed' | 'switched';
}

/**
 * The changes a reconcile would make to a twin that carries traffic (has live associations), as drift to
 * report instead: such a twin is what its subnets route by now, so none of its routes is created, replaced or
 * deleted by the reconcile (only a twin no association uses is written; see reconcile-twins.ts). A route an
 * operator added during an incident, or one a failover switched to another member, stays as it is.
 */
export const liveTwinDrift = (
  table: string,
  c: ContentChanges,
  actual: TableContents,
  otherMembersEnis: ReadonlySet<string>,
): LiveTwinDrift[] => {
  const out: LiveTwinDrift[] = [];
  for (const w of c.add)
    out.push({ table, destination: w.destination.value, target: 'none', wanted: w.target.id, kind: 'missing' });
  for (const w of c.replace) {
    const a = actual.routes.get(destinationKey(w.destination));
    const switched = a?.target.field === 'NetworkInterfaceId' && otherMembersEnis.has(a.target.id);
    out.push({
      table,
      destination: w.destination.value,
      target: a?.target.id ?? 'none',
      wanted: w.target.id,
      kind: switched ? 'switched' : 'changed',
    });
  }
  for (const a of c.remove)
    out.push({ table, destination: a.destination.value, target: a.target.id, wanted: 'none', kind: 'extra' });
  const locals = actual.locals ?? new Map<string, StaticRoute>();
  for (const l of c.locals ?? []) {
    out.push({
      table,
      destination: `local ${l.destination.value}`,
      target: locals.get(destinationKey(l.destination))?.target.id ?? 'local',
      wanted: l.target?.id ?? 'local',
      kind: 'changed',
    });
  }
  for (const g of c.enable)
    out.push({ table, destination: `propagation ${g}`, target: 'off', wanted: 'on', kind: 'missing' });
  for (const g of c.disable)
    out.push({ table, destination: `propagation ${g}`, target: 'on', wanted: 'off', kind: 'extra' });
  return out;
};
