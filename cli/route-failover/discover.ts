import {
  DescribeAddressesCommand,
  type EC2Client,
  type Instance,
  paginateDescribeInstances,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { INSTANCE_ID } from '../../functions/contract/config';
import type { FailoverConfigInput, RouteTableScope } from '../../functions/contract/config';
import { describeScopedRouteTables } from '../../functions/aws/route-tables';
import { refuse } from './context';

/**
 * What `route-failover init` reads from EC2 to write a group's config: the members' instances and
 * interfaces (DescribeInstances), and the VPC's route tables with routes to those interfaces
 * (DescribeRouteTables with a vpc-id filter, paginated; EC2 has no filter on a route's interface, so routes
 * are matched in code). Nothing is written to EC2.
 */

/** `--member NAME=INSTANCE` or `--member NAME` (the instance whose Name tag is NAME). */
export interface MemberSpec {
  name: string;
  instanceId?: string;
}

export interface DiscoveredMember {
  name: string;
  instanceId: string;
  state: string;
  availabilityZone?: string;
  /** Interfaces by slot: network card, then device index (how the workflow pairs them). */
  interfaces: Array<{
    eni: string;
    deviceIndex: number;
    networkCardIndex: number;
    sourceDestCheck?: boolean;
    subnetId?: string;
  }>;
  /** Routes of the VPC that point at one of its interfaces. */
  routes: number;
  /** Elastic IPs on its interfaces (DescribeAddresses), by slot and private IP. */
  elasticIps: Array<{ allocationId: string; publicIp: string; slot: string; privateIp: string }>;
  /** Secondary private IPs of its interfaces, by slot, with the interface's subnet. */
  secondaryIps: Array<{ ip: string; slot: string; subnetId?: string }>;
}

export interface Discovery {
  vpcId: string;
  members: DiscoveredMember[];
  /** Route tables of the VPC (all of them, read once). */
  tablesRead: number;
  /** Tables with at least one route to a member interface, by ID. */
  tables: string[];
  scope?: RouteTableScope;
  /** Why that scope: "tag K=V shared by exactly these tables", "their IDs", … */
  scopeReason: string;
  /** Things to fix or check before deploying (source/destination check on, no route found, …). */
  warnings: string[];
  /** Addresses proposed to follow the active member: every Elastic IP on a member, the secondary IPs that can move. */
  elasticIps: string[];
  secondaryPrivateIps: string[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const VPC = /^vpc-[0-9a-f]{8,17}$/;
/** States in which an instance can be a router of the group (terminated ones linger in DescribeInstances). */
const LIVE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** Parses the --member values; refuses bad names, bad IDs and duplicates, naming the flag. */
export const parseMemberSpecs = (values: string[]): MemberSpec[] => {
  const specs = values.map((v): MemberSpec => {
    const [name, instanceId, extra] = v.split('=');
    if (extra !== undefined || !NAME.test(name ?? '')) {
      throw refuse(
        `--member "${v}": NAME=INSTANCE (router-a=i-0123456789abcdef0) ` +
          `or NAME (its Name tag); NAME is letters, digits, "-" or "_"`,
      );
    }
    if (instanceId !== undefined && !INSTANCE_ID.test(instanceId))
      throw refuse(`--member "${v}": "${instanceId}" is not an instance ID such as i-0123456789abcdef0`);
    return { name, instanceId };
  });
  const seen = new Set<string>();
  for (const s of specs) {
    if (seen.has(s.name)) throw refuse(`--member: "${s.name}" is given twice`);
    seen.add(s.name);
  }
  const ids = specs.map((s) => s.instanceId).filter(Boolean);
  if (new Set(ids).size !== ids.length) throw refuse('--member: the same instance is given for two members');
  return specs;
};

const describeAll = async (ec2: EC2Client, filters: Array<{ Name: string; Values: string[] }>): Promise<Instance[]> => {
  const out: Instance[] = [];
  for await (const page of paginateDescribeInstances({ client: ec2, pageSize: 100 }, { Filters: filters })) {
    for (const r of page.Reservations ?? []) out.push(...(r.Instances ?? []));
  }
  return out;
};

/** Finds each member's instance: by ID, or by its Name tag within the VPC (exactly one live instance). */
const findInstances = async (ec2: EC2Client, vpcId: string, specs: MemberSpec[]): Promise<Map<string, Instance>> => {
  const found = new Map<string, Instance>();
  const byId = specs.filter((s) => s.instanceId);
  if (byId.length > 0) {
    // A filter, not InstanceIds: an unknown ID is simply absent, so every missing one can be named at once.
    const instances = await describeAll(ec2, [{ Name: 'instance-id', Values: byId.map((s) => s.instanceId!) }]);
    const missing: string[] = [];
    for (const s of byId) {
      const i = instances.find((x) => x.InstanceId === s.instanceId);
      if (!i || i.State?.Name === 'terminated') missing.push(`${s.name} (${s.instanceId})`);
      else if (i.VpcId !== vpcId)
        throw refuse(`--member ${s.name}=${s.instanceId}: the instance is in ${i.VpcId ?? 'no VPC'}, not ${vpcId}`);
      else found.set(s.name, i);
    }
    if (missing.length > 0) throw refuse(`instance not found (or terminated): ${missing.join(', ')}`);
  }
  const byName = specs.filter((s) => !s.instanceId);
  if (byName.length > 0) {
    const instances = await describeAll(ec2, [
      { Name: 'vpc-id', Values: [vpcId] },
      { Name: 'tag:Name', Values: byName.map((s) => s.name) },
      { Name: 'instance-state-name', Values: LIVE_STATES },
    ]);
    for (const s of byName) {
      const named = instances.filter((i) => i.Tags?.some((t) => t.Key === 'Name' && t.Value === s.name));
      if (named.length === 0)
        throw refuse(
          `--member ${s.name}: no instance in ${vpcId} has the Name tag "${s.name}": give its ID as ${s.name}=i-…`,
        );
      if (named.length > 1) {
        throw refuse(
          `--member ${s.name}: ${named.length} instances in ${vpcId} have the Name tag "${s.name}" ` +
            `(${named.map((i) => i.InstanceId).join(', ')}): give one as ${s.name}=i-…`,
        );
      }
      found.set(s.name, named[0]);
    }
  }
  return found;
};

/** The tag shared by exactly the given tables among all the VPC's tables, if any (Name and aws: tags excluded). */
const sharedTag = (all: RouteTable[], chosen: Set<string>): { key: string; value: string } | undefined => {
  const tagsOf = (t: RouteTable) =>
    (t.Tags ?? []).filter((x) => x.Key && x.Key !== 'Name' && !x.Key.startsWith('aws:'));
  const first = all.find((t) => chosen.has(t.RouteTableId ?? ''));
  const candidates = first ? tagsOf(first).map((x) => ({ key: x.Key!, value: x.Value ?? '' })) : [];
  const exact = candidates.filter((c) => {
    const carrying = all
      .filter((t) => tagsOf(t).some((x) => x.Key === c.key && (x.Value ?? '') === c.value))
      .map((t) => t.RouteTableId);
    return carrying.length === chosen.size && carrying.every((id) => chosen.has(id ?? ''));
  });
  // A tag meant for this product reads best; otherwise the first by key, so the choice is stable.
  exact.sort(
    (a, b) =>
      Number(b.key.startsWith('route-failover')) - Number(a.key.startsWith('route-failover')) ||
      a.key.localeCompare(b.key),
  );
  return exact[0];
};

/** Reads the members and the VPC's route tables; refuses (exit 2) what cannot make a group. */
export const discoverGroup = async (ec2: EC2Client, vpcId: string, specs: MemberSpec[]): Promise<Discovery> => {
  if (!VPC.test(vpcId)) throw refuse(`--vpc "${vpcId}" is not a VPC ID such as vpc-0123456789abcdef0`);
  const instances = await findInstances(ec2, vpcId, specs);
  const warnings: string[] = [];
  const owner = new Map<string, DiscoveredMember>();
  const members = specs.map((s): DiscoveredMember => {
    const i = instances.get(s.name)!;
    const interfaces = (i.NetworkInterfaces ?? [])
      .filter((n) => n.NetworkInterfaceId)
      .map((n) => ({
        eni: n.NetworkInterfaceId!,
        deviceIndex: n.Attachment?.DeviceIndex ?? 0,
        networkCardIndex: n.Attachment?.NetworkCardIndex ?? 0,
        sourceDestCheck: n.SourceDestCheck,
        ...(n.SubnetId ? { subnetId: n.SubnetId } : {}),
      }))
      .sort((a, b) => a.networkCardIndex - b.networkCardIndex || a.deviceIndex - b.deviceIndex);
    const secondaryIps = (i.NetworkInterfaces ?? []).flatMap((n) =>
      (n.PrivateIpAddresses ?? [])
        .filter((p) => p.Primary === false && p.PrivateIpAddress)
        .map((p) => ({
          ip: p.PrivateIpAddress!,
          slot: slotLabel(n.Attachment?.NetworkCardIndex ?? 0, n.Attachment?.DeviceIndex ?? 0),
          ...(n.SubnetId ? { subnetId: n.SubnetId } : {}),
        })),
    );
    const m: DiscoveredMember = {
      name: s.name,
      instanceId: i.InstanceId!,
      state: i.State?.Name ?? 'unknown',
      availabilityZone: i.Placement?.AvailabilityZone,
      interfaces,
      routes: 0,
      elasticIps: [],
      secondaryIps,
    };
    for (const n of interfaces) owner.set(n.eni, m);
    const checking = interfaces.filter((n) => n.sourceDestCheck === true).map((n) => n.eni);
    if (checking.length > 0)
      warnings.push(
        `${s.name} (${m.instanceId}): source/destination check is on for ${checking.join(', ')}: a router needs it ` +
          `off (the workflow refuses such a target)`,
      );
    if (interfaces.length === 0)
      warnings.push(`${s.name} (${m.instanceId}) has no network interface attached (state ${m.state})`);
    return m;
  });
  const counts = new Set(members.map((m) => m.interfaces.length));
  if (counts.size > 1)
    warnings.push(
      `members have different numbers of interfaces ` +
        `(${members.map((m) => `${m.name} ${m.interfaces.length}`).join(', ')}): routes on an interface without a ` +
        `counterpart cannot move (UnpairedInterfaceError)`,
    );

  const addresses = await proposeAddresses(ec2, members, warnings);

  const all = await describeScopedRouteTables(ec2, vpcId, undefined);
  const chosen = new Set<string>();
  for (const t of all) {
    for (const r of t.Routes ?? []) {
      const m = r.NetworkInterfaceId ? owner.get(r.NetworkInterfaceId) : undefined;
      if (!m) continue;
      m.routes++;
      chosen.add(t.RouteTableId!);
    }
  }
  const tables = [...chosen].sort();
  let scope: RouteTableScope | undefined;
  let scopeReason: string;
  if (tables.length === 0) {
    scopeReason = `whole VPC: none of its ${all.length} route tables has a route to a member's interface yet`;
    warnings.push(
      `no route table of ${vpcId} has a route to the members' interfaces: the scope is the whole VPC; narrow it ` +
        `(routeTables) once the routes exist`,
    );
  } else {
    const tag = sharedTag(all, chosen);
    scope = tag ? { tag } : { ids: tables };
    scopeReason = tag
      ? `tag ${tag.key}=${tag.value}, carried by exactly the ${tables.length} route table(s) with routes to the members`
      : `the ${tables.length} route table(s) with routes to the members, by ID (no tag is shared by exactly those)`;
  }
  return { vpcId, members, tablesRead: all.length, tables, scope, scopeReason, warnings, ...addresses };
};

const slotLabel = (card: number, index: number): string => (card === 0 ? `eth${index}` : `card${card}/eth${index}`);

/**
 * The addresses init proposes (docs/addresses.md): every Elastic IP on a member's interface (DescribeAddresses by
 * instance), and every secondary private IP that can follow, that is whose slot is in one subnet on every member.
 * A secondary IP that cannot (members in different subnets, so certainly when in different zones) is named in a
 * warning, not proposed: a run would refuse it before anything moves.
 */
const proposeAddresses = async (
  ec2: EC2Client,
  members: DiscoveredMember[],
  warnings: string[],
): Promise<{ elasticIps: string[]; secondaryPrivateIps: string[] }> => {
  const r = await ec2.send(
    new DescribeAddressesCommand({ Filters: [{ Name: 'instance-id', Values: members.map((m) => m.instanceId) }] }),
  );
  for (const a of r.Addresses ?? []) {
    const m = members.find((x) => x.instanceId === a.InstanceId);
    const n = m?.interfaces.find((x) => x.eni === a.NetworkInterfaceId);
    if (!m || !n || !a.AllocationId) continue;
    m.elasticIps.push({
      allocationId: a.AllocationId,
      publicIp: a.PublicIp ?? '?',
      slot: slotLabel(n.networkCardIndex, n.deviceIndex),
      privateIp: a.PrivateIpAddress ?? '?',
    });
  }
  const elasticIps = members.flatMap((m) => m.elasticIps.map((e) => e.allocationId));
  const secondaryPrivateIps: string[] = [];
  for (const m of members) {
    for (const s of m.secondaryIps) {
      const elsewhere = members
        .filter((o) => o !== m)
        .map((o) => ({ o, subnetId: subnetAtSlot(o, s.slot) }))
        .filter((x) => x.subnetId !== s.subnetId);
      if (elsewhere.length === 0) {
        secondaryPrivateIps.push(s.ip);
        continue;
      }
      const [first] = elsewhere;
      const zones =
        first.o.availabilityZone && m.availabilityZone && first.o.availabilityZone !== m.availabilityZone
          ? ` (${m.availabilityZone} → ${first.o.availabilityZone})`
          : '';
      warnings.push(
        `${m.name}'s secondary private IP ${s.ip} (${s.slot}, ${s.subnetId ?? 'subnet unknown'}) cannot follow to ` +
          `${first.o.name}, whose ${s.slot} is ` +
          `${first.subnetId ? `in ${first.subnetId}` : 'missing'}${zones}: a secondary IP moves only within its ` +
          `subnet (CrossZoneSecondaryIp when zones differ); ` +
          'not proposed: move an Elastic IP instead, or route to the interface',
      );
    }
  }
  return { elasticIps, secondaryPrivateIps };
};

/** The subnet of a member's interface in a slot ("eth1"), from DescribeInstances' view. */
const subnetAtSlot = (m: DiscoveredMember, slot: string): string | undefined =>
  m.interfaces.find((n) => slotLabel(n.networkCardIndex, n.deviceIndex) === slot)?.subnetId;

/** The group's config (input form: only what init decided; the schema fills in the defaults). */
export const groupConfigOf = (
  d: Discovery,
  opts: { group: string; preferred?: string; switchMode?: 'routes' | 'associations' },
): FailoverConfigInput => ({
  groups: [
    {
      name: opts.group,
      vpcId: d.vpcId,
      // Zones are written when a secondary IP is proposed: synth then refuses the group if a member moves zone.
      members: d.members.map((m) => ({
        name: m.name,
        instanceId: m.instanceId,
        ...(d.secondaryPrivateIps.length > 0 && m.availabilityZone ? { availabilityZone: m.availabilityZone } : {}),
      })),
      ...(opts.preferred ? { preferred: opts.preferred } : {}),
      ...(d.scope ? { routeTables: d.scope } : {}),
      ...(opts.switchMode ? { switchMode: opts.switchMode } : {}),
      ...(d.elasticIps.length > 0 ? { elasticIps: d.elasticIps } : {}),
      ...(d.secondaryPrivateIps.length > 0 ? { secondaryPrivateIps: d.secondaryPrivateIps } : {}),
    },
  ],
});
