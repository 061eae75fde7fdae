import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import type { Group } from '../../functions/contract/config';
import { routeDestination, routeTarget } from '../../functions/domain/routes';
import { describeScopedRouteTables } from '../../functions/aws/route-tables';
import { hasTwinTags } from '../../functions/domain/twins';
import { ARROW, plural, table } from './format';

/**
 * Where a group's traffic goes now, read from the route tables themselves (never remembered elsewhere):
 * which member the routes point at, how many per member, blackholes, and routes split between members.
 */

export interface MemberStatus {
  name: string;
  instanceId: string;
  /** EC2 instance state, or 'not-found'. */
  state: string;
  availabilityZone?: string;
  enis: string[];
  /** Routes of the group's tables that point at one of this member's interfaces. */
  routes: number;
  preferred: boolean;
  active: boolean;
}

export interface StatusRoute {
  routeTableId: string;
  destination: string;
  target?: string;
  member?: string;
  state?: string;
}

export interface GroupStatus {
  group: string;
  vpcId: string;
  /** "whole VPC", "tag K=V" or "N route table(s) by ID". */
  scope: string;
  routeTables: number;
  members: MemberStatus[];
  /** Routes pointing at any member interface. */
  routes: number;
  /** The member every group route points at; null when no route points at a member, or routes are split. */
  active: string | null;
  /** False when the group's routes point at more than one member. */
  consistent: boolean;
  /** Routes to a network interface (a member's, or one no longer attached to any member) in state blackhole. */
  blackholes: StatusRoute[];
  /** Blackhole routes in the group's tables to other targets (gateways, NAT, peering): informational. */
  otherBlackholes: number;
  /** What needs attention; non-empty makes `status` exit 1. */
  problems: string[];
  /** Worth knowing, not wrong (e.g. no route points at a member yet). */
  notes: string[];
}

/** Reads one group's members (DescribeInstances) and scoped route tables (paginated DescribeRouteTables). */
export const readGroupStatus = async (group: Group, ec2: EC2Client): Promise<GroupStatus> => {
  const instances = await describeMemberInstances(ec2, group);
  const owner = new Map<string, string>();
  const members: MemberStatus[] = group.members.map((m) => {
    const inst = instances.get(m.instanceId);
    const enis = (inst?.NetworkInterfaces ?? [])
      .filter((n) => n.NetworkInterfaceId)
      .sort(
        (a, b) =>
          (a.Attachment?.NetworkCardIndex ?? 0) - (b.Attachment?.NetworkCardIndex ?? 0) ||
          (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0),
      )
      .map((n) => n.NetworkInterfaceId!);
    for (const e of enis) owner.set(e, m.name);
    return {
      name: m.name,
      instanceId: m.instanceId,
      state: inst?.State?.Name ?? 'not-found',
      availabilityZone: inst?.Placement?.AvailabilityZone,
      enis,
      routes: 0,
      preferred: group.preferred === m.name,
      active: false,
    };
  });

  const read = await describeScopedRouteTables(ec2, group.vpcId, group.routeTables);
  // Twins are standby copies: their routes are not where traffic goes. In the associations mode the tables that
  // carry traffic are those with an association (after a switch the original has none, the target's twin has
  // them), so only those count; in the routes mode a table with twin tags never counts.
  const tables = read.filter((t) =>
    group.switchMode === 'associations' ? (t.Associations ?? []).length > 0 : !hasTwinTags(t),
  );
  const blackholes: StatusRoute[] = [];
  let otherBlackholes = 0;
  let routes = 0;
  for (const t of tables) {
    for (const r of t.Routes ?? []) {
      const member = r.NetworkInterfaceId ? owner.get(r.NetworkInterfaceId) : undefined;
      if (member) {
        routes++;
        members.find((m) => m.name === member)!.routes++;
      }
      if (r.State === 'blackhole') {
        // An interface route that cannot forward is the group's business even when the interface is no
        // longer a member's (detached or deleted from a router); gateway and peering blackholes are not.
        if (!member && !r.NetworkInterfaceId && !r.InstanceId) {
          otherBlackholes++;
          continue;
        }
        blackholes.push({
          routeTableId: t.RouteTableId ?? '?',
          destination: routeDestination(r)?.value ?? '?',
          target: routeTarget(r),
          member,
          state: r.State,
        });
      }
    }
  }

  const carrying = members.filter((m) => m.routes > 0);
  const consistent = carrying.length <= 1;
  const active = carrying.length === 1 ? carrying[0].name : null;
  for (const m of members) m.active = m.name === active;

  const problems: string[] = [];
  const notes: string[] = [];
  if (!consistent) {
    problems.push(
      `INCONSISTENT: routes are split between members (${carrying.map((m) => `${m.name} ${m.routes}`).join(', ')}); ` +
        `move them all to one member: route-failover switchover --group ${group.name} --to MEMBER`,
    );
  }
  const activeMember = members.find((m) => m.active);
  if (activeMember && activeMember.state !== 'running') {
    problems.push(
      `ACTIVE MEMBER ${activeMember.name} is ${activeMember.state}: ` +
        `the group's routes point at a router that is not running`,
    );
  }
  const standbys = members.filter((m) => m.name !== active && m.state === 'running');
  if (activeMember && standbys.length === 0) {
    problems.push(
      `NO HEALTHY STANDBY: no member other than ${activeMember.name} ` +
        `is running; another failure of the group cannot be failed over`,
    );
  }
  if (blackholes.length > 0)
    problems.push(
      `BLACKHOLE: ${plural(blackholes.length, 'route')} point at an interface that cannot forward (instance not ` +
        `running or interface detached)`,
    );
  for (const m of members.filter((x) => x.state === 'not-found'))
    problems.push(`MEMBER ${m.name} (${m.instanceId}) was not found in EC2`);
  if (routes === 0)
    notes.push(
      `no route in scope points at a member (${plural(tables.length, 'route table')} ` +
        `read${tables.length < read.length ? `, ${read.length - tables.length} standby or unassociated` : ''}` +
        `${tables.length < read.length ? ' not counted' : ''})`,
    );
  if (otherBlackholes > 0)
    notes.push(`${plural(otherBlackholes, 'other blackhole route')} in scope (targets outside the group)`);

  return {
    group: group.name,
    vpcId: group.vpcId,
    scope: describeScope(group),
    routeTables: read.length,
    members,
    routes,
    active,
    consistent,
    blackholes,
    otherBlackholes,
    problems,
    notes,
  };
};

/** Members by instance ID; an instance EC2 does not know is simply absent (reported as not-found). */
const describeMemberInstances = async (ec2: EC2Client, group: Group): Promise<Map<string, Instance>> => {
  const ids = group.members.map((m) => m.instanceId);
  const found = new Map<string, Instance>();
  const read = async (InstanceIds: string[]) => {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds }));
    for (const i of (out.Reservations ?? []).flatMap((r) => r.Instances ?? []))
      if (i.InstanceId) found.set(i.InstanceId, i);
  };
  try {
    await read(ids);
  } catch (e) {
    // One unknown ID fails the whole call; read the members one by one to say which.
    if ((e as Error).name !== 'InvalidInstanceID.NotFound') throw e;
    for (const id of ids) {
      try {
        await read([id]);
      } catch (inner) {
        if ((inner as Error).name !== 'InvalidInstanceID.NotFound') throw inner;
      }
    }
  }
  return found;
};

const describeScope = (group: Group): string => {
  const s = group.routeTables;
  if (!s) return 'whole VPC';
  if ('tag' in s) return `tag ${s.tag.key}=${s.tag.value}`;
  return `${plural(s.ids.length, 'route table')} by ID`;
};

/** One line for the demo and progress: "router-a 0 (stopped) | router-b 19 (running) | blackhole 0". */
export const compactStatus = (s: GroupStatus): string => {
  const parts = s.members.map((m) => `${m.name} ${m.routes} (${m.state})`);
  const head = s.consistent ? (s.active ? `active ${s.active}` : 'no active member') : 'INCONSISTENT';
  return `${head}: ${parts.join(' | ')} | blackhole ${s.blackholes.length}`;
};

/** The readable block `status` prints for a group. */
export const renderGroupStatus = (s: GroupStatus, last?: string, hold?: string): string => {
  const out: string[] = [];
  out.push(`GROUP ${s.group}  ${s.vpcId}  scope: ${s.scope} (${plural(s.routeTables, 'route table')} read)`);
  const active = s.consistent
    ? s.active
      ? `${s.active} (${plural(s.routes, 'route')})`
      : 'none (no route points at a member)'
    : `INCONSISTENT (${plural(s.routes, 'route')} split between members)`;
  out.push(`  active:  ${active}`);
  if (hold) out.push(`  ${hold}`);
  out.push(
    table(
      ['MEMBER', 'INSTANCE', 'STATE', 'AZ', 'ROUTES', 'ROLE'],
      s.members.map((m) => [
        m.name,
        m.instanceId,
        m.state,
        m.availabilityZone ?? '-',
        String(m.routes),
        [m.active ? 'active' : '', m.preferred ? 'preferred' : ''].filter(Boolean).join(', '),
      ]),
      '  ',
    ),
  );
  for (const p of s.problems) out.push(`  ${p}`);
  const shown = 20;
  if (s.blackholes.length > 0) {
    const rows = s.blackholes
      .slice(0, shown)
      .map((b) => [
        b.routeTableId,
        b.destination,
        `${ARROW} ${b.target ?? '?'}`,
        b.member ?? 'not attached to a member',
      ]);
    out.push(table(['BLACKHOLE ROUTE TABLE', 'DESTINATION', 'TARGET', 'MEMBER'], rows, '    '));
    if (s.blackholes.length > shown)
      out.push(`    … ${s.blackholes.length - shown} more blackhole route(s) (--json lists all)`);
  }
  for (const n of s.notes) out.push(`  note: ${n}`);
  if (last !== undefined) out.push(`  last execution: ${last}`);
  return out.join('\n');
};
