import type { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import type { GroupRef } from '../contract/schemas';
import { describeScopedRouteTables } from './route-tables';
import { hasTwinTags, TWIN_GROUP_TAG, twinIdentity, type TwinIdentity } from '../domain/twins';

/** A group's route tables as the planner, the writers and the verifier see them. */
export interface GroupTables {
  /** In-scope tables that are not twins: the tables the operator manages. */
  originals: RouteTable[];
  /** This group's twins whose original is among `originals`, each with its identity. */
  twins: Array<{ table: RouteTable; twin: TwinIdentity }>;
  /** Tables carrying twin tags that are not usable twins of this group (partial tags, an original out of scope). */
  ignored: RouteTable[];
  /** Tables tagged as this group's twins whose original is gone or out of scope (in either mode). */
  orphanTwins: RouteTable[];
}

/**
 * Reads a group's tables: its scope (paginated DescribeRouteTables, vpc-id filter) and its twins (one more
 * read by the group tag, unless the scope is the whole VPC and already returned them). Twins are read in both
 * modes: a group set back to the routes mode may still have subnets on its twins, and those carry traffic. A
 * twin is never an original, whatever tags it carries.
 */
export const readGroupTables = async (ec2: EC2Client, group: GroupRef): Promise<GroupTables> => {
  const { scoped, tagged } = await readScopeAndTwins(ec2, group);
  const byId = new Map([...scoped, ...tagged].map((t) => [t.RouteTableId!, t]));
  const all = [...byId.values()];
  const originals = all.filter((t) => !hasTwinTags(t) && scoped.includes(t));
  const originalIds = new Set(originals.map((t) => t.RouteTableId!));
  const twins: GroupTables['twins'] = [];
  const ignored: RouteTable[] = [];
  const orphanTwins: RouteTable[] = [];
  for (const table of all.filter(hasTwinTags)) {
    const twin = twinIdentity(table);
    if (twin && twin.group === group.name && originalIds.has(twin.original)) twins.push({ table, twin });
    else {
      if (twin?.group === group.name) orphanTwins.push(table);
      // Another group's twins are simply not ours; a half-tagged table, or our twin of a table
      // out of scope, is reported.
      if (group.switchMode === 'associations' && (!twin || twin.group === group.name)) ignored.push(table);
    }
  }
  return { originals, twins, ignored, orphanTwins };
};

/**
 * The two reads behind a group's tables: its scope, and the tables tagged as its twins (the same read when the
 * scope is the whole VPC). The reconcile plans from these too.
 */
export const readScopeAndTwins = async (
  ec2: EC2Client,
  group: Pick<GroupRef, 'name' | 'vpcId' | 'routeTables'>,
): Promise<{ scoped: RouteTable[]; tagged: RouteTable[] }> => {
  const scoped = await describeScopedRouteTables(ec2, group.vpcId, group.routeTables);
  if (group.routeTables === undefined) return { scoped, tagged: scoped.filter(hasTwinTags) };
  return {
    scoped,
    tagged: await describeScopedRouteTables(ec2, group.vpcId, { tag: { key: TWIN_GROUP_TAG, value: group.name } }),
  };
};

/** The tables of `tables` by ID. */
export const tablesById = (tables: GroupTables): Map<string, RouteTable> =>
  new Map([...tables.originals, ...tables.twins.map((t) => t.table)].map((t) => [t.RouteTableId!, t]));
