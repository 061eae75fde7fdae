import { DeleteRouteCommand, DeleteRouteTableCommand } from '@aws-sdk/client-ec2';
import { parseConfig } from '../../functions/contract/config';
import { twinIdentity } from '../../functions/domain/twins';
import type { RunResult } from '../../cli/local/local-runner';
import { buildAssociationPair } from '../../cli/local/scenario';
import type { SimulatedVpc } from '../../sim';
import { associationsHarness, associationsSim } from './associations-harness';
import { ec2StateEvent } from './events';

/**
 * The associations mode in a group of three: the reconcile builds a twin per member, a failover moves the
 * subnets to the target's twins, and when that target fails in turn (an automatic failover: its only source
 * is the member that failed) the subnets move on from one twin to the third member's twin, which is true to
 * the original by the reconcile's own definition (every member's interface mapped to the third's).
 */

const GROUP = 'onprem-edge';

const setup = async () => {
  const sim = associationsSim(11);
  const estate = buildAssociationPair(sim, { routeTables: 2, groupName: GROUP });
  const instanceId = sim.addInstance({
    vpcId: estate.vpcId,
    availabilityZone: `${sim.region}a`,
    tags: { Name: 'router-c' },
  });
  const routerC = {
    instanceId,
    eni0: sim.addNetworkInterface({ vpcId: estate.vpcId, instanceId, deviceIndex: 0, sourceDestCheck: false }),
    eni1: sim.addNetworkInterface({ vpcId: estate.vpcId, instanceId, deviceIndex: 1, sourceDestCheck: false }),
  };
  const raw = {
    ...estate.config,
    groups: estate.config.groups.map((g) => ({ ...g, members: [...g.members, { name: 'router-c', instanceId }] })),
  };
  const config = parseConfig(raw);
  const { run, reconcile } = associationsHarness(sim, config);
  const prepared = await reconcile();
  expect(prepared.ok).toBe(true);
  const enisOf = new Map([
    ['router-a', [estate.routerA.eni0, estate.routerA.eni1]],
    ['router-b', [estate.routerB.eni0, estate.routerB.eni1]],
    ['router-c', [routerC.eni0, routerC.eni1]],
  ]);
  const instanceOf = new Map([
    ['router-a', estate.routerA.instanceId],
    ['router-b', estate.routerB.instanceId],
    ['router-c', routerC.instanceId],
  ]);
  return { sim, estate, run, reconcile, enisOf, instanceOf };
};

const record = (r: RunResult): any => r.output ?? r.auditRecord;
const writes = (sim: SimulatedVpc, action: string) =>
  sim.mutatingCalls().filter((c) => c.action === action && c.input.DryRun !== true).length;
const stop = (sim: SimulatedVpc, instanceId: string) => {
  sim.setInstanceState(instanceId, 'stopped');
  return ec2StateEvent(instanceId, 'stopped');
};

describe('associations mode with three members', () => {
  it(`a second automatic failover moves the subnets from the \
first target twin to the third member twin, route writes none`, async () => {
    const { sim, estate, run, reconcile, enisOf, instanceOf } = await setup();
    const first = record(await run(stop(sim, estate.routerA.instanceId)));
    expect(first).toMatchObject({ outcome: 'succeeded', associations: { failed: 0, fallbacks: [] } });
    const explicit = estate.subnets.filter((s) => s.explicit);
    const tableOf = (subnetId: string) =>
      sim.routeTables().find((t) => t.RouteTableId === sim.effectiveRouteTableId(subnetId))!;
    const t1 = twinIdentity(tableOf(explicit[0].subnetId))?.member;
    expect(['router-b', 'router-c']).toContain(t1);
    const t2 = t1 === 'router-b' ? 'router-c' : 'router-b';
    for (const s of explicit) expect(twinIdentity(tableOf(s.subnetId))?.member).toBe(t1);
    const routeWrites = writes(sim, 'ReplaceRoute');

    // The first target fails too: its event's failover has that one member as its source.
    const second = record(await run(stop(sim, instanceOf.get(t1!)!)));

    expect(second).toMatchObject({
      outcome: 'succeeded',
      verification: { ok: true },
      associations: { failed: 0, fallbacks: [] },
    });
    for (const s of explicit) {
      const table = tableOf(s.subnetId);
      expect(twinIdentity(table)).toMatchObject({ original: s.routeTableId, member: t2 });
      const targets = (table.Routes ?? []).map((r) => r.NetworkInterfaceId).filter(Boolean);
      expect(targets.every((eni) => !enisOf.get(t1!)!.includes(eni!))).toBe(true);
    }
    // No twin was rewritten route by route (a twin carrying traffic the reconcile would then "repair").
    expect(writes(sim, 'ReplaceRoute')).toBe(routeWrites);
    const after = await reconcile();
    expect(after.writes).toBe(0);
  });

  it(`the reconcile never undoes a failover that switched a \
live twin route by route (its next pass holds those routes)`, async () => {
    const { sim, estate, run, reconcile, enisOf, instanceOf } = await setup();
    await run(stop(sim, estate.routerA.instanceId));
    const subnet = estate.subnets.find((s) => s.explicit)!;
    const tableOf = () => sim.routeTables().find((t) => t.RouteTableId === sim.effectiveRouteTableId(subnet.subnetId))!;
    const t1 = twinIdentity(tableOf())!.member;
    const t2 = t1 === 'router-b' ? 'router-c' : 'router-b';
    const live = tableOf().RouteTableId!;
    // The third member's twin of this subnet's table drifted: the next failover switches the live twin route by route.
    const twinT2 = sim
      .routeTables()
      .find((t) => twinIdentity(t)?.original === subnet.routeTableId && twinIdentity(t)?.member === t2)!;
    await sim
      .ec2()
      .send(new DeleteRouteCommand({ RouteTableId: twinT2.RouteTableId!, DestinationCidrBlock: '172.16.0.0/12' }));
    const second = record(await run(stop(sim, instanceOf.get(t1)!)));
    expect(second).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(second.associations.fallbacks.map((f: any) => f.routeTableId)).toEqual([live]);
    const leadsToFailed = () =>
      (tableOf().Routes ?? []).some((r) => enisOf.get(t1)!.includes(r.NetworkInterfaceId ?? ''));
    expect(tableOf().RouteTableId).toBe(live);
    expect(leadsToFailed()).toBe(false);

    // The failover's ReplaceRoute on the twin is a CloudTrail event: the reconcile runs. It repairs the idle twin
    // and leaves the live twin's switched routes where the failover put them, saying so.
    const after = await reconcile();
    expect(leadsToFailed()).toBe(false);
    const report = after.groups[0].originals.find((o) => o.original === subnet.routeTableId)!;
    const held = report.twins.find((t) => t.twin === live)!;
    expect(held.inUse?.drift.filter((d) => d.kind === 'switched').length).toBeGreaterThan(0);
    expect(held.changes.counts.replaced).toBe(0);
    expect(report.twins.find((t) => t.twin === twinT2.RouteTableId)!.changes.counts.added).toBe(1);
  });

  it('a failover does not pass silently over a twin that carries traffic after its original was deleted', async () => {
    const { sim, estate, run, enisOf, instanceOf } = await setup();
    await run(stop(sim, estate.routerA.instanceId));
    const subnet = estate.subnets.find((s) => s.explicit)!;
    const tableOf = () => sim.routeTables().find((t) => t.RouteTableId === sim.effectiveRouteTableId(subnet.subnetId))!;
    const t1 = twinIdentity(tableOf())!.member;
    // The original has no association left (its subnet is on the twin): EC2 lets it be deleted.
    await sim.ec2().send(new DeleteRouteTableCommand({ RouteTableId: subnet.routeTableId }));
    const second = record(await run(stop(sim, instanceOf.get(t1)!)));
    const leadsToFailed = (tableOf().Routes ?? []).some((r) => enisOf.get(t1)!.includes(r.NetworkInterfaceId ?? ''));
    // Its routes could not be switched (the twin's original is gone: it is trusted for
    // nothing), and the record says so.
    expect(leadsToFailed).toBe(true);
    expect(second.outcome).not.toBe('succeeded');
    expect(second.verification).toMatchObject({ ok: false });
    expect(second).toMatchObject({ error: 'RoutesNotVerified' });
    expect(second.cause).toContain(`${tableOf().RouteTableId} 192.168.0.0/16: still points at ${t1}`);
    expect(second.warnings.join(' ')).toContain(`${tableOf().RouteTableId} carries route-failover twin tags`);
    expect(second.warnings.join(' ')).toContain('which this failover does NOT switch');
  });
});
