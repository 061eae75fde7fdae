import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  type EC2Client,
  type NetworkInterface,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { hasTwinTags, twinIdentity } from '../domain/twins';
import { toEc2Error } from '../contract/aws-errors';
import { findGroup, type FailoverConfig, type Group } from '../contract/config';
import { BatchNotAuthorizedError } from '../contract/errors';
import type { GroupStateStore } from '../domain/group-state';
import { interfaceSeenAt, type GroupInventory } from '../domain/inventory';
import type { InterfacePair, ReplaceBatchInput } from '../contract/schemas';

export interface AuthorizeDeps {
  ec2: EC2Client;
  config: FailoverConfig;
  store: GroupStateStore;
  now?: () => Date;
}

/**
 * SwitchItems re-derives what it may write instead of trusting its input. IAM cannot narrow the target of
 * ReplaceRoute (its only resource is the route table), so without this check anyone allowed to invoke the
 * function could repoint any in-scope route anywhere. A batch is written only if, from the config and EC2:
 * - it names a configured group, in that group's VPC, and a route table in the group's scope;
 * - every target interface is attached to one member of the group (the same one for the whole batch): EC2
 *   shows it now, or the inventory saw it there within the last 10 minutes (this execution's ResolveTargets
 *   describes the members and stores what it saw, so a failover usually needs no extra EC2 call here);
 * - every source interface is another member's: by a recent inventory entry, or attached to it now, or
 *   (detached, deleted on termination, or in an AZ that cannot answer) in its inventory; one EC2 shows
 *   attached to an instance outside the group is refused.
 * Anything else throws BatchNotAuthorizedError and nothing of the batch is written.
 */
export const authorizeBatch = async (input: ReplaceBatchInput, deps: AuthorizeDeps): Promise<void> => {
  const refuse = (why: string): never => {
    throw new BatchNotAuthorizedError(
      `batch ${input.batch.id} (${input.batch.routeTableId}) refused, nothing written: ${why}`,
    );
  };
  const group = findGroup(deps.config, input.group) ?? refuse(`"${input.group}" is not a configured group`);
  if (input.vpcId !== group.vpcId) refuse(`VPC ${input.vpcId} is not group ${group.name}'s (${group.vpcId})`);
  await requireInScope(deps.ec2, group, input.batch.routeTableId, refuse);

  const used = [...new Set(input.batch.routes.map((r) => r.p))].map(
    (p) => input.pairs[p] ?? refuse(`pair ${p} does not exist`),
  );
  await authorizePairs(group, used, deps, refuse);
};

/**
 * The interface pairs a write uses must move traffic from members of the group to ONE other member: every
 * target interface is attached to that member (a fresh inventory entry, or EC2 now), every source interface
 * is another member's (a fresh inventory entry, attached to it now, or, when EC2 cannot show it, its
 * inventory). `refuse` throws the caller's named error.
 */
export const authorizePairs = async (
  group: Group,
  used: InterfacePair[],
  deps: AuthorizeDeps,
  refuse: (why: string) => never,
): Promise<void> => {
  const toEnis = [...new Set(used.map((p) => p.toEni ?? refuse(`pair of ${p.fromEni} has no target interface`)))];
  const fromEnis = [...new Set(used.map((p) => p.fromEni))];
  const instanceOf = new Map(group.members.map((m) => [m.instanceId, m.name]));

  // An interface the inventory saw on a member minutes ago (ResolveTargets of this execution describes the
  // members and stores what it saw) needs no EC2 call; anything else is looked up now.
  const inventory = await deps.store.readInventory(group.name);
  const now = (deps.now ?? (() => new Date()))().getTime();
  // An interface the inventory only remembers (EC2 no longer showed it on the member) is not vouched for by it.
  const freshOwner = (eni: string): string | undefined => {
    for (const m of Object.values(inventory)) {
      const i = m.interfaces.find((x) => x.eni === eni);
      if (i) return now - Date.parse(interfaceSeenAt(m, i)) <= FRESH_INVENTORY_MS ? m.member : undefined;
    }
    return undefined;
  };
  const uncovered = [...new Set([...toEnis, ...fromEnis])].filter((e) => !freshOwner(e));
  let live: Map<string, NetworkInterface> | undefined;
  let liveError: unknown;
  if (uncovered.length > 0) {
    try {
      live = await attachments(deps.ec2, uncovered);
    } catch (err) {
      liveError = err; // an Availability Zone that cannot answer: the inventory decides for the sources
    }
  }

  // The target side must be attached to a member: seen just now by this execution, or by EC2 now.
  const targetMembers = new Set<string>();
  for (const eni of toEnis) {
    let member = freshOwner(eni);
    if (!member) {
      if (!live) throw liveError;
      member = instanceOf.get(live.get(eni)?.Attachment?.InstanceId ?? '');
    }
    if (!member) refuse(`target interface ${eni} is not attached to a member of group ${group.name}`);
    targetMembers.add(member!);
  }
  if (targetMembers.size > 1) refuse(`target interfaces belong to several members (${[...targetMembers].join(', ')})`);
  const [target] = [...targetMembers];

  // The source side may be gone (terminated, impaired AZ): EC2 if it answers, the inventory for what it cannot show.
  for (const eni of fromEnis) {
    const fresh = freshOwner(eni);
    if (fresh) {
      if (fresh === target) refuse(`source interface ${eni} belongs to the target ${target}`);
      continue;
    }
    const attachedTo = live?.get(eni)?.Attachment?.InstanceId;
    if (attachedTo) {
      const member = instanceOf.get(attachedTo);
      if (!member)
        refuse(`source interface ${eni} is attached to ${attachedTo}, which is not a member of group ${group.name}`);
      if (member === target) refuse(`source interface ${eni} belongs to the target ${target}`);
      continue;
    }
    const owner = inventoryOwner(inventory, eni);
    if (!owner || owner === target)
      refuse(`source interface ${eni} is not an interface any other member of group ${group.name} has or had`);
  }
};

/** How recent an inventory entry must be to vouch for an interface without asking EC2. */
const FRESH_INVENTORY_MS = 10 * 60 * 1000;

/**
 * The table must be one the group's scope selects, or a twin of one (associations mode). A list is checked as
 * is; a tag with one read. A table of
 * another VPC needs no read here: SwitchItems reads its table with the group's vpc-id filter, finds nothing,
 * and reports the routes as vanished without writing.
 */
const requireInScope = async (
  ec2: EC2Client,
  group: Group,
  routeTableId: string,
  refuse: (why: string) => never,
): Promise<void> => {
  const scope = group.routeTables;
  if (!scope) return;
  if ('ids' in scope) {
    if (scope.ids.includes(routeTableId)) return;
    // A twin of a listed table (associations mode, a table switched route by route) is the group's too.
    const table = await readOne(ec2, group, routeTableId);
    if (table && (await isTwinInScope(ec2, group, table))) return;
    refuse(`route table ${routeTableId} is not in group ${group.name}'s list`);
  }
  const table = await readOne(ec2, group, routeTableId);
  // A table that no longer exists is not refused: the batch reports its routes as vanished.
  if (!table || carries(table, scope.tag) || (await isTwinInScope(ec2, group, table))) return;
  refuse(
    `route table ${routeTableId} does not carry the tag ${scope.tag.key}=${scope.tag.value} of group ${group.name}`,
  );
};

const carries = (table: RouteTable, tag: { key: string; value: string }): boolean =>
  (table.Tags ?? []).some((t) => t.Key === tag.key && t.Value === tag.value);

/** One table of the group's VPC by ID (a vpc-id filter, so another VPC's table reads as absent). */
const readOne = async (ec2: EC2Client, group: Group, routeTableId: string): Promise<RouteTable | undefined> => {
  const Filters = [
    { Name: 'vpc-id', Values: [group.vpcId] },
    { Name: 'route-table-id', Values: [routeTableId] },
  ];
  try {
    return (await ec2.send(new DescribeRouteTablesCommand({ Filters }))).RouteTables?.[0];
  } catch (err) {
    throw toEc2Error(err, `DescribeRouteTables ${routeTableId} (scope check)`);
  }
};

/**
 * Whether a table, as read, is an original of the group's scope: no twin tags, and in its ID list or carrying its tag
 * (any table of the VPC without a scope).
 */
export const originalInScope = (group: Group, table: RouteTable): boolean => {
  const scope = group.routeTables;
  if (hasTwinTags(table)) return false;
  if (!scope) return true;
  return 'ids' in scope ? scope.ids.includes(table.RouteTableId!) : carries(table, scope.tag);
};

/**
 * Whether a table is a twin of this group whose original is in the group's scope (its tags say
 * so, and the original does).
 */
export const isTwinInScope = async (ec2: EC2Client, group: Group, table: RouteTable): Promise<boolean> => {
  const twin = twinIdentity(table);
  if (!twin || twin.group !== group.name) return false;
  const scope = group.routeTables;
  if (!scope) return true;
  if ('ids' in scope) return scope.ids.includes(twin.original);
  const original = await readOne(ec2, group, twin.original);
  return original !== undefined && originalInScope(group, original);
};

/** The interfaces EC2 knows among `enis`, by ID (a filter, so deleted ones are simply absent). */
const attachments = async (ec2: EC2Client, enis: string[]): Promise<Map<string, NetworkInterface>> => {
  try {
    const out = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'network-interface-id', Values: enis }] }),
    );
    return new Map((out.NetworkInterfaces ?? []).map((n) => [n.NetworkInterfaceId!, n]));
  } catch (err) {
    throw toEc2Error(err, `DescribeNetworkInterfaces ${enis.join(', ')}`);
  }
};

const inventoryOwner = (inventory: GroupInventory, eni: string): string | undefined =>
  Object.values(inventory).find((m) => m.interfaces.some((i) => i.eni === eni))?.member;
