import type { RouteTable } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { findGroup, type FailoverConfig } from '../functions/contract/config';
import { hasTwinTags, twinIdentity } from '../functions/domain/twins';
import type { SimulatedVpc } from '../sim';

/**
 * The network-truth check every test that runs the workflow gets for free (test/network-truth-guard.ts installs
 * it): an execution whose record says `succeeded` or `noop` must leave no route in the group's reach leading to
 * a member it left, and none blackhole on a member. It reads the simulator's own state (no faults, no read
 * lag) and recognises a member's interfaces by what the simulator knows was ever attached to it, not by what
 * the product found out: a false success the product cannot see is still caught. The rule is written here
 * again, on purpose, and kept plain: an oracle that called the product's own invariant
 * (functions/domain/invariant.ts) would share its bugs (a planted "local routes are not checked" passed the
 * soak while both used it).
 */

/** A route in reach that breaks the invariant, as this oracle sees it. */
export interface TruthFinding {
  routeTableId: string;
  destination: { value: string };
  problem: string;
}

const destinationOf = (r: {
  DestinationCidrBlock?: string;
  DestinationIpv6CidrBlock?: string;
  DestinationPrefixListId?: string;
}): string | undefined => r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId;

/**
 * Every route of `tables` that leads to a member other than `target` (by an interface it ever had, or by the
 * instance EC2 shows behind the route) or is blackhole on a member's interface. Propagated routes lead to their
 * gateway, never to a member.
 */
export const oracleFindings = (
  target: string,
  members: Array<{ name: string; instanceId: string; enis: string[] }>,
  tables: RouteTable[],
): TruthFinding[] => {
  const out: TruthFinding[] = [];
  for (const t of tables) {
    for (const r of t.Routes ?? []) {
      if (r.Origin === 'EnableVgwRoutePropagation') continue;
      const d = destinationOf(r);
      const m = members.find(
        (x) =>
          (r.NetworkInterfaceId !== undefined && x.enis.includes(r.NetworkInterfaceId)) ||
          (r.InstanceId !== undefined && r.InstanceId === x.instanceId),
      );
      if (!d || !m) continue;
      if (m.name !== target)
        out.push({
          routeTableId: t.RouteTableId!,
          destination: { value: d },
          problem: `leads to ${m.name} (${r.NetworkInterfaceId ?? r.InstanceId}, ${r.State})`,
        });
      else if (r.State === 'blackhole')
        out.push({
          routeTableId: t.RouteTableId!,
          destination: { value: d },
          problem: `blackhole on ${m.name}'s ${r.NetworkInterfaceId}`,
        });
    }
  }
  return out;
};

/**
 * The tables a group reaches, from the simulator's tables: in the routes mode its scope and every twin of it
 * something uses; in the associations mode every table of its (scope and twins) something uses.
 */
export const oracleReach = (
  tables: RouteTable[],
  group: {
    name: string;
    routeTables?: { ids: string[] } | { tag: { key: string; value: string } };
    switchMode?: string;
  },
): RouteTable[] => {
  const scope = group.routeTables;
  const used = (t: RouteTable) =>
    (t.Associations ?? []).some(
      (a) => (a.SubnetId || a.GatewayId || a.Main) && (a.AssociationState?.State ?? 'associated') === 'associated',
    );
  const inScope = (t: RouteTable) =>
    !hasTwinTags(t) &&
    (!scope ||
      ('ids' in scope
        ? scope.ids.includes(t.RouteTableId!)
        : (t.Tags ?? []).some((x) => x.Key === scope.tag.key && x.Value === scope.tag.value)));
  const twins = tables.filter((t) => twinIdentity(t)?.group === group.name);
  return group.switchMode === 'associations'
    ? [...tables.filter(inScope), ...twins].filter(used)
    : [...tables.filter(inScope), ...twins.filter(used)];
};

/**
 * Every address of the group (its listed or tagged Elastic IPs, its secondary private IPs) that is not on an
 * interface `target` ever had, read from the simulator's own state: on another member, on nothing, on a stranger,
 * or (a secondary IP) on no interface. The invariant's address clause, written again here for the same reason.
 */
export const oracleAddressFindings = (
  target: string,
  members: Array<{ name: string; instanceId: string; enis: string[] }>,
  group: {
    elasticIps?: FailoverConfig['groups'][number]['elasticIps'];
    secondaryPrivateIps?: Array<string | { ip: string }>;
  },
  sim: SimulatedVpc,
): TruthFinding[] => {
  const out: TruthFinding[] = [];
  const owner = (eni: string | undefined, instanceId?: string) =>
    members.find((m) => (eni !== undefined && m.enis.includes(eni)) || (instanceId && m.instanceId === instanceId));
  const judge = (address: string, eni: string | undefined, instanceId?: string) => {
    const m = owner(eni, instanceId);
    if (m?.name === target) return;
    out.push({
      routeTableId: 'address',
      destination: { value: address },
      problem: eni
        ? `on ${m ? `${m.name}'s` : 'a stranger’s'} ${eni}, not on ${target}`
        : `on nothing, not on ${target}`,
    });
  };
  const eips = group.elasticIps;
  const addresses = Array.isArray(eips)
    ? eips.map((e) => {
        const id = typeof e === 'string' ? e : e.allocationId;
        return sim.address(id) ?? { AllocationId: id };
      })
    : eips
      ? sim.addresses().filter((a) => (a.Tags ?? []).some((t) => t.Key === eips.tag.key && t.Value === eips.tag.value))
      : [];
  for (const a of addresses) judge(a.AllocationId!, a.NetworkInterfaceId, a.InstanceId);
  for (const s of group.secondaryPrivateIps ?? []) {
    const ip = typeof s === 'string' ? s : s.ip;
    judge(ip, sim.secondaryIpHolder(ip));
  }
  return out;
};

const simOfClient = new WeakMap<object, SimulatedVpc>();
const depsOfHandler = new WeakMap<object, { ec2: EC2Client; config: FailoverConfig }>();

/** Remembers which simulator serves a client (SimulatedVpc.ec2 is wrapped by the guard). */
export const rememberClient = (client: object, sim: SimulatedVpc): void => void simOfClient.set(client, sim);
/** Remembers the deps each Task handler was built with (createTaskHandlers is wrapped by the guard). */
export const rememberHandlers = (
  handlers: Record<string, unknown>,
  deps: { ec2: EC2Client; config: FailoverConfig },
): void => {
  for (const h of Object.values(handlers)) if (typeof h === 'function') depsOfHandler.set(h, deps);
};

/**
 * Executions of this test file: checked; reported a success or no-op about a switch but could not be checked
 * (not on a simulator this guard knows); and the others (an outcome that claims nothing, or no switch at all).
 */
export const coverage = { checked: 0, skipped: 0, other: 0 };

/** The findings on the simulator's tables for an execution's record, or undefined when it cannot be checked. */
export const findingsFor = (handlers: Record<string, unknown>, record: any): TruthFinding[] | undefined => {
  if (!record || (record.outcome !== 'succeeded' && record.outcome !== 'noop') || !record.group || !record.to?.name)
    return undefined;
  const deps = Object.values(handlers)
    .map((h) => (typeof h === 'function' ? depsOfHandler.get(h) : undefined))
    .find((d) => d !== undefined);
  const sim = deps && simOfClient.get(deps.ec2);
  const group = deps && findGroup(deps.config, record.group);
  if (!sim || !group) return undefined;
  const reach = oracleReach(
    sim.routeTables().filter((t) => t.VpcId === group.vpcId),
    group,
  );
  const members = group.members.map((m) => ({
    name: m.name,
    instanceId: m.instanceId,
    enis: sim.interfacesEverAttached(m.instanceId),
  }));
  return [
    ...oracleFindings(record.to.name, members, reach),
    ...oracleAddressFindings(record.to.name, members, group, sim),
  ];
};

/** Throws when an execution reported success or no-op while the tables say otherwise. */
export const assertNetworkTruth = (handlers: Record<string, unknown>, record: any): void => {
  const claims =
    record && (record.outcome === 'succeeded' || record.outcome === 'noop') && record.group && record.to?.name;
  const findings = findingsFor(handlers, record);
  if (findings === undefined) {
    if (claims) coverage.skipped++;
    else coverage.other++;
    return;
  }
  coverage.checked++;
  if (findings.length > 0) {
    const lines = findings.slice(0, 10).map((f) => `${f.routeTableId} ${f.destination.value}: ${f.problem}`);
    throw new Error(
      `FALSE ${String(record.outcome).toUpperCase()}: group ${record.group} reported ${record.outcome} ` +
        `(${record.summary ?? ''}) ` +
        `but ${findings.length} route(s) or address(es) in its reach ` +
        `break the route-table invariant:\n  ${lines.join('\n  ')}`,
    );
  }
};
