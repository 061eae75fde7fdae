import type { RouteTable } from '@aws-sdk/client-ec2';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { findGroup, type FailoverConfig } from '../functions/shared/config';
import { checkInvariant, reachOf, type Finding } from '../functions/shared/invariant';
import { hasTwinTags, twinIdentity } from '../functions/shared/twins';
import { SimulatedVpc } from '../sim';

/**
 * The network-truth check every test that runs the workflow gets for free (test/network-truth-guard.ts installs
 * it): an execution whose record says `succeeded` or `noop` must leave no route in the group's reach leading to
 * a member it left, and none blackhole on a member. It reads the simulator's own state (no faults, no read
 * lag) and recognises a member's interfaces by what the simulator knows was ever attached to it, not by what
 * the product found out: a false success the product cannot see is still caught.
 */

const simOfClient = new WeakMap<object, SimulatedVpc>();
const depsOfHandler = new WeakMap<object, { ec2: EC2Client; config: FailoverConfig }>();

/** Remembers which simulator serves a client (SimulatedVpc.ec2 is wrapped by the guard). */
export const rememberClient = (client: object, sim: SimulatedVpc): void => void simOfClient.set(client, sim);
/** Remembers the deps each Task handler was built with (createTaskHandlers is wrapped by the guard). */
export const rememberHandlers = (handlers: Record<string, unknown>, deps: { ec2: EC2Client; config: FailoverConfig }): void => {
  for (const h of Object.values(handlers)) if (typeof h === 'function') depsOfHandler.set(h, deps);
};

/**
 * Executions of this test file: checked; reported a success or no-op about a switch but could not be checked
 * (not on a simulator this guard knows); and the others (an outcome that claims nothing, or no switch at all).
 */
export const coverage = { checked: 0, skipped: 0, other: 0 };

/** The findings on the simulator's tables for an execution's record, or undefined when it cannot be checked. */
export const findingsFor = (handlers: Record<string, unknown>, record: any): Finding[] | undefined => {
  if (!record || (record.outcome !== 'succeeded' && record.outcome !== 'noop') || !record.group || !record.to?.name) return undefined;
  const deps = Object.values(handlers)
    .map((h) => (typeof h === 'function' ? depsOfHandler.get(h) : undefined))
    .find((d) => d !== undefined);
  const sim = deps && simOfClient.get(deps.ec2);
  const group = deps && findGroup(deps.config, record.group);
  if (!sim || !group) return undefined;
  const tables = sim.routeTables().filter((t) => t.VpcId === group.vpcId);
  const scope = group.routeTables;
  const inScope = (t: RouteTable) =>
    !hasTwinTags(t) && (!scope || ('ids' in scope ? scope.ids.includes(t.RouteTableId!) : (t.Tags ?? []).some((x) => x.Key === scope.tag.key && x.Value === scope.tag.value)));
  const originals = tables.filter(inScope);
  const originalIds = new Set(originals.map((t) => t.RouteTableId));
  const ours = tables.filter((t) => twinIdentity(t)?.group === group.name);
  const reach = reachOf(
    { originals, twins: ours.filter((t) => originalIds.has(twinIdentity(t)!.original)), orphanTwins: ours.filter((t) => !originalIds.has(twinIdentity(t)!.original)) },
    group.switchMode === 'associations' ? 'associations' : 'routes',
  );
  const members = group.members.map((m) => ({ name: m.name, instanceId: m.instanceId, enis: sim.interfacesEverAttached(m.instanceId) }));
  const departed: string[] = (record.from ?? []).map((m: { name: string }) => m.name).filter((n: string) => n !== record.to.name);
  return checkInvariant({ target: record.to.name, departed, members, tables: reach }).findings;
};

/** Throws when an execution reported success or no-op while the tables say otherwise. */
export const assertNetworkTruth = (handlers: Record<string, unknown>, record: any): void => {
  const claims = record && (record.outcome === 'succeeded' || record.outcome === 'noop') && record.group && record.to?.name;
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
      `FALSE ${String(record.outcome).toUpperCase()}: group ${record.group} reported ${record.outcome} (${record.summary ?? ''}) ` +
        `but ${findings.length} route(s) in its reach break the route-table invariant:\n  ${lines.join('\n  ')}`,
    );
  }
};
