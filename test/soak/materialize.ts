import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { AssociateAddressCommand } from '@aws-sdk/client-ec2';
import type { VirtualClock } from '../../bench/virtual-clock';
import { SCOPE_TAG_KEY, VPC_CIDR, VPC_IPV6_CIDR } from '../../cli/local/scenario';
import { parseConfig, type FailoverConfig, type FailoverConfigInput } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { newHold } from '../../functions/contract/hold';
import { twinTags } from '../../functions/domain/twins';
import { SimulatedVpc, type RouteSpec } from '../../sim';
import { stageTwins } from '../workflow/twin-staging';
import type { EstateSpec, RouteGenSpec, TargetSpec } from './generators/estate';

/**
 * Builds an EstateSpec on a fresh SimulatedVpc driven by a virtual clock. Set-up writes (tables, routes, twins)
 * are not under test: CreateRoute, CreateRouteTable and EnableVgwRoutePropagation get wide buckets (the workflow
 * calls none of them; I2 checks the first), the local routes' ReplaceRoute calls are paced, and the clock then
 * moves a minute on so every bucket refills and no read lags.
 */

export const GROUP = 'soak-group';
export const memberName = (i: number): string => `router-${i}`;

export interface Member {
  name: string;
  instanceId: string;
  availabilityZone: string;
  /** Interfaces by slot (device index). */
  enis: string[];
}

/** Another group failing at the same time: a pair with tables of its own. */
export interface OtherGroup {
  name: string;
  members: Member[];
  tableIds: string[];
}

export interface Materialized {
  clock: VirtualClock;
  sim: SimulatedVpc;
  config: FailoverConfig;
  store: InMemoryGroupStateStore;
  vpcId: string;
  members: Member[];
  /** Every route table the estate made, twins included. */
  tableIds: string[];
  others: OtherGroup[];
}

const hex17 = (n: number): string => n.toString(16).padStart(17, '0');
const IGW = `igw-${hex17(1)}`;
const VGW = `vgw-${hex17(1)}`;

/** A destination no other route of its table has: derived from the route's position. */
export const destinationOf = (dest: RouteGenSpec['dest'], j: number): RouteSpec => {
  if (dest === 'ipv4') return { DestinationCidrBlock: `198.${18 + (j >> 8)}.${j & 255}.0/24` };
  if (dest === 'ipv6') return { DestinationIpv6CidrBlock: `2001:db8:${j.toString(16)}::/48` };
  return { DestinationPrefixListId: `pl-${hex17(0x1000 + j)}` };
};

export const materialize = async (
  spec: EstateSpec,
  opts: { seed: number; clock: VirtualClock; readLagMs?: number },
): Promise<Materialized> => {
  const { clock } = opts;
  const sim = new SimulatedVpc({
    seed: opts.seed,
    latencyMs: 0,
    clock: { now: () => clock.now(), sleep: (ms) => clock.sleep(ms) },
    readLagMs: opts.readLagMs ? { max: opts.readLagMs } : undefined,
    throttling: {
      buckets: {
        CreateRoute: { burst: 1e6, refillPerSecond: 1e6 },
        CreateRouteTable: { burst: 1e6, refillPerSecond: 1e6 },
        EnableVgwRoutePropagation: { burst: 1e6, refillPerSecond: 1e6 },
      },
    },
  });
  const vpcId = sim.addVpc({ cidr: VPC_CIDR, ipv6Cidr: VPC_IPV6_CIDR });
  const members: Member[] = Array.from({ length: spec.members }, (_, i) => {
    const availabilityZone = `${sim.region}${'abc'[i]}`;
    const instanceId = sim.addInstance({ vpcId, availabilityZone, tags: { Name: memberName(i) } });
    const enis = Array.from({ length: spec.slots }, (_, deviceIndex) =>
      sim.addNetworkInterface({ vpcId, instanceId, deviceIndex, sourceDestCheck: false }),
    );
    return { name: memberName(i), instanceId, availabilityZone, enis };
  });
  const applianceId = sim.addInstance({ vpcId, availabilityZone: `${sim.region}a`, tags: { Name: 'appliance' } });
  const applianceEni = sim.addNetworkInterface({
    vpcId,
    instanceId: applianceId,
    deviceIndex: 0,
    sourceDestCheck: false,
  });
  const foreignEni = sim.addNetworkInterface({ vpcId, sourceDestCheck: false });

  const target = (t: TargetSpec): RouteSpec => {
    switch (t.kind) {
      case 'member':
        return { NetworkInterfaceId: members[t.member].enis[t.slot] };
      case 'member-instance':
        return { InstanceId: members[t.member].instanceId };
      case 'appliance':
        return { NetworkInterfaceId: applianceEni };
      case 'gateway':
        return { GatewayId: IGW };
      case 'foreign-blackhole':
        return { NetworkInterfaceId: foreignEni };
    }
  };

  const scopeTag = { key: SCOPE_TAG_KEY, value: GROUP };
  const inScope: string[] = [];
  const tableIds: string[] = [];
  let gatewayTaken = false;
  for (const [i, t] of spec.tables.entries()) {
    const scoped = i === 0 || t.inScope;
    const tags: Record<string, string> = { Name: `soak-${i}`, ...(scoped ? { [scopeTag.key]: scopeTag.value } : {}) };
    const rtb = sim.addRouteTable({ vpcId, tags, main: i === 0 && spec.mainOnFirst });
    tableIds.push(rtb);
    if (scoped) inScope.push(rtb);
    for (const [j, r] of t.routes.entries()) {
      const dest = destinationOf(r.dest, j);
      if (r.propagatedTwin && r.dest === 'ipv4')
        sim.addRoute(rtb, { ...dest, GatewayId: VGW, Origin: 'EnableVgwRoutePropagation' });
      sim.addRoute(rtb, { ...dest, ...target(r.target) });
    }
    if (t.localOn) {
      // Set-up paced under EC2's mutating bucket (5 a second), so ReplaceRoute's own bucket stays the real one.
      await clock.sleep(250);
      await sim.ec2().send(
        new ReplaceRouteCommand({
          RouteTableId: rtb,
          DestinationCidrBlock: VPC_CIDR,
          NetworkInterfaceId: members[t.localOn.member].enis[t.localOn.slot],
        }),
      );
    }
    for (let s = 0; s < t.subnets; s++)
      sim.associateRouteTable(rtb, { subnetId: sim.addSubnet({ vpcId, availabilityZone: `${sim.region}a` }) });
    if (t.gateway && !gatewayTaken) {
      gatewayTaken = true;
      sim.associateRouteTable(rtb, { gatewayId: IGW });
    }
  }
  if (!spec.mainOnFirst) tableIds.push(sim.addRouteTable({ vpcId, main: true, tags: { Name: 'main' } }));

  const active = members[spec.active];
  if (spec.strayTwin && spec.mode === 'routes') {
    const original = sim.routeTables().find((t) => t.RouteTableId === tableIds[0])!;
    const twin = sim.addRouteTable({
      vpcId,
      tags: Object.fromEntries(twinTags(GROUP, original, active.name).map((x) => [x.Key!, x.Value!])),
    });
    sim.addRoute(twin, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: active.enis[0] });
    sim.associateRouteTable(twin, { subnetId: sim.addSubnet({ vpcId, availabilityZone: `${sim.region}a` }) });
    tableIds.push(twin);
  }

  const firstRoute = spec.tables[0].routes[0];
  const priority = !spec.priority
    ? undefined
    : firstRoute
      ? { destinations: [Object.values(destinationOf(firstRoute.dest, 0))[0]!] }
      : { routeTableTag: scopeTag };
  // Two cases in three: an Elastic IP on each slot of the active member, moved with the routes (the address
  // clause of I1 judges them). Drawn from the simulator's seed, not the estate's arbitrary: the generated
  // estates and histories stay what they were for a given seed.
  const elasticIps: string[] = [];
  if (opts.seed % 3 !== 0) {
    for (const eni of members[spec.active].enis) {
      const allocationId = sim.allocateAddress();
      await sim.ec2().send(new AssociateAddressCommand({ AllocationId: allocationId, NetworkInterfaceId: eni }));
      elasticIps.push(allocationId);
    }
  }
  const raw: FailoverConfigInput = {
    groups: [
      {
        name: GROUP,
        vpcId,
        members: members.map((m) => ({ name: m.name, instanceId: m.instanceId })),
        preferred: memberName(0),
        ...(spec.scope === 'tag'
          ? { routeTables: { tag: scopeTag } }
          : spec.scope === 'ids'
            ? { routeTables: { ids: inScope } }
            : {}),
        ...(priority ? { priority } : {}),
        ...(elasticIps.length > 0 ? { elasticIps } : {}),
        switchMode: spec.mode,
      },
    ],
  };
  const others = Array.from({ length: spec.otherGroups }, (_, g) => otherGroup(sim, vpcId, `soak-other-${g + 1}`));
  raw.groups.push(
    ...others.map((o) => ({
      name: o.name,
      vpcId,
      members: o.members.map((m) => ({ name: m.name, instanceId: m.instanceId })),
      preferred: o.members[0].name,
      routeTables: { tag: { key: SCOPE_TAG_KEY, value: o.name } },
    })),
  );
  const config = parseConfig(raw);

  if (spec.mode === 'associations') {
    const originals = spec.scope === 'vpc' ? tableIds : inScope;
    const maps = members.map((m) => ({
      member: m.name,
      map: new Map(
        members
          .filter((o) => o !== m)
          .flatMap((o) => o.enis.map((eni, slot) => [eni, m.enis[slot]] as [string, string])),
      ),
    }));
    const twins = await stageTwins(sim, GROUP, originals, maps);
    tableIds.push(...twins.values());
  }

  // Deleted after its routes (and their twins) were made: they read as blackholes that were never the group's.
  sim.deleteNetworkInterface(foreignEni);
  const store = new InMemoryGroupStateStore();
  if (spec.hold) {
    await store.setHold(
      GROUP,
      newHold({
        seconds: 3600,
        by: 'arn:aws:sts::123456789012:assumed-role/NetOps/soak',
        reason: 'soak maintenance hold',
        now: new Date(clock.now()),
      }),
    );
  }
  // Set-up is over: a minute later every bucket has refilled and every set-up write reads back.
  await clock.sleep(60_000);
  return { clock, sim, config, store, vpcId, members, tableIds, others };
};

/** A router pair in AZs a and b, one interface each, and two tables tagged for it with routes to its first member. */
const otherGroup = (sim: SimulatedVpc, vpcId: string, name: string): OtherGroup => {
  const members = [0, 1].map((i) => {
    const availabilityZone = `${sim.region}${'ab'[i]}`;
    const instanceId = sim.addInstance({ vpcId, availabilityZone, tags: { Name: `${name}-${i}` } });
    return {
      name: `${name}-r${i}`,
      instanceId,
      availabilityZone,
      enis: [sim.addNetworkInterface({ vpcId, instanceId, deviceIndex: 0, sourceDestCheck: false })],
    };
  });
  const tableIds = [0, 1].map((t) => {
    const rtb = sim.addRouteTable({ vpcId, tags: { Name: `${name}-${t}`, [SCOPE_TAG_KEY]: name } });
    sim.addRoute(rtb, { DestinationCidrBlock: `203.0.${t}.0/24`, NetworkInterfaceId: members[0].enis[0] });
    sim.addRoute(rtb, { DestinationIpv6CidrBlock: `2001:db8:ff0${t}::/64`, NetworkInterfaceId: members[0].enis[0] });
    return rtb;
  });
  return { name, members, tableIds };
};
