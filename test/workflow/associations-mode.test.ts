import type { Route } from '@aws-sdk/client-ec2';
import { parseConfig } from '../../functions/contract/config';
import { routeDestination, routeTarget } from '../../functions/domain/routes';
import type { RunResult } from '../../cli/local/local-runner';
import { buildAssociationPair } from '../../cli/local/scenario';
import type { SimulatedVpc } from '../../sim';
import { associationsHarness, associationsSim } from './associations-harness';
import { ec2StateEvent } from './events';
import { stageTwins } from './twin-staging';

/**
 * The associations mode end to end (the ASL run locally against the simulated VPC): subnets, the main
 * table's implicit subnet and a gateway's ingress table move to the target's twins with one
 * ReplaceRouteTableAssociation each, and every subnet ends with exactly the effective routes the per-route
 * mode gives it on the same VPC.
 */

const GROUP = 'onprem-edge';

const setup = async (mode: 'routes' | 'associations', opts: { stage?: boolean } = {}) => {
  const sim = associationsSim(7);
  const estate = buildAssociationPair(sim, { routeTables: 3, groupName: GROUP });
  const raw = { ...estate.config, groups: estate.config.groups.map((g) => ({ ...g, switchMode: mode })) };
  const config = parseConfig(raw);
  const { run } = associationsHarness(sim, config);
  const { routerA, routerB } = estate;
  const toB = new Map([
    [routerA.eni0, routerB.eni0],
    [routerA.eni1, routerB.eni1],
  ]);
  const toA = new Map([
    [routerB.eni0, routerA.eni0],
    [routerB.eni1, routerA.eni1],
  ]);
  const originals = [...estate.routeTableIds, estate.untaggedRouteTableId];
  const members = [
    { member: 'router-b', map: toB },
    { member: 'router-a', map: toA },
  ];
  const twins =
    mode === 'associations' && opts.stage !== false
      ? await stageTwins(sim, GROUP, originals, members)
      : new Map<string, string>();
  return { sim, estate, run, twins, originals };
};

/** A subnet's effective routes as comparable text: destination → target (state), sorted. */
const effective = (sim: SimulatedVpc, subnetId: string): string[] =>
  sim
    .effectiveRoutes(subnetId)
    .map((r: Route) => `${routeDestination(r)?.value} → ${routeTarget(r)} ${r.State} ${r.Origin}`)
    .sort();

const record = (r: RunResult): any => r.output ?? r.auditRecord;
const writes = (sim: SimulatedVpc, action: string) =>
  sim.mutatingCalls().filter((c) => c.action === action && c.input.DryRun !== true).length;
/** router-a stops (EC2 confirms it), and its event arrives. */
const stopping = (sim: SimulatedVpc, instanceId: string) => {
  sim.setInstanceState(instanceId, 'stopping');
  return ec2StateEvent(instanceId, 'stopping');
};
const switchover = (to: string, dryRun = false) => ({
  action: 'switchover',
  group: GROUP,
  to,
  dryRun,
  reason: 'maintenance',
  requestedBy: 'netops',
});

describe('associations mode: a failover moves associations, not routes', () => {
  it(`moves every subnet, gateway and main association to the \
twins with one call each, and verifies the effective routes`, async () => {
    const { sim, estate, run, twins } = await setup('associations');
    const before = sim.mutatingCalls().length;
    estate.subnets.forEach((s) => {
      expect(sim.effectiveRouteTableId(s.subnetId)).toBe(s.routeTableId);
    });

    const r = await run(stopping(sim, estate.routerA.instanceId));

    expect(r.status).toBe('SUCCEEDED');
    const rec = record(r);
    expect(rec).toMatchObject({ outcome: 'succeeded', verification: { ok: true, mismatches: 0 } });
    // 3 subnet tables + the gateway table (one association each) + the main association.
    expect(rec.associations).toMatchObject({ planned: 5, moved: 5, failed: 0, fallbacks: [] });
    expect(rec.associations.list.map((a: any) => a.subject)).toEqual(
      expect.arrayContaining([
        'main',
        estate.gateway!.gatewayId,
        ...estate.subnets.filter((s) => s.explicit).map((s) => s.subnetId),
      ]),
    );
    expect(rec.associations.list.every((a: any) => a.verified === true && a.effectiveRoutes > 0)).toBe(true);
    // Not a single route was written: one ReplaceRouteTableAssociation per association.
    const calls = sim.mutatingCalls().slice(before);
    expect(calls.filter((c) => c.action === 'ReplaceRoute')).toHaveLength(0);
    expect(calls.filter((c) => c.action === 'ReplaceRouteTableAssociation')).toHaveLength(5);
    for (const s of estate.subnets)
      expect(sim.effectiveRouteTableId(s.subnetId)).toBe(twins.get(`${s.routeTableId}|router-b`));
    // The notification lists each association moved, with the effective routes of its subject.
    const message = sim.published.at(-1)!.Message;
    expect(message).toContain('Associations: 5 moved');
    expect(message).toMatch(
      new RegExp(`moved\\s+${estate.gateway!.gatewayId}\\s+${estate.gateway!.routeTableId}\\s+rtb-`),
    );
    // The originals are untouched: they still point at router-a, for the failback.
    expect(sim.route(estate.routeTableIds[0], '192.168.0.0/16')?.NetworkInterfaceId).toBe(estate.routerA.eni0);
  });

  it(`gives every subnet exactly the effective routes the per-route \
mode gives it (IPv4, IPv6, prefix lists, main table, gateway)`, async () => {
    const byRoutes = await setup('routes');
    const byAssociations = await setup('associations');
    expect((await byRoutes.run(stopping(byRoutes.sim, byRoutes.estate.routerA.instanceId))).status).toBe('SUCCEEDED');
    expect(
      (await byAssociations.run(stopping(byAssociations.sim, byAssociations.estate.routerA.instanceId))).status,
    ).toBe('SUCCEEDED');
    // Same seed, same estate, same IDs: compare subnet by subnet.
    expect(byAssociations.estate.subnets.map((s) => s.subnetId)).toEqual(
      byRoutes.estate.subnets.map((s) => s.subnetId),
    );
    for (const s of byRoutes.estate.subnets) {
      const want = effective(byRoutes.sim, s.subnetId);
      expect(want.some((l) => l.includes('2001:db8::/32') && l.includes(byRoutes.estate.routerB.eni1))).toBe(
        s.routeTableId !== byRoutes.estate.untaggedRouteTableId,
      );
      expect(effective(byAssociations.sim, s.subnetId)).toEqual(want);
    }
    const gw = (sim: SimulatedVpc) =>
      sim.routeTables().find((t) => t.Associations?.some((a) => a.GatewayId === byRoutes.estate.gateway!.gatewayId));
    expect(
      gw(byAssociations.sim)
        ?.Routes?.map((x) => routeTarget(x))
        .sort(),
    ).toEqual(
      gw(byRoutes.sim)
        ?.Routes?.map((x) => routeTarget(x))
        .sort(),
    );
  });

  it('a dry run asks EC2 with DryRun for each association and changes nothing', async () => {
    const { sim, estate, run } = await setup('associations');
    const r = await run(switchover('router-b', true));
    expect(r.status).toBe('SUCCEEDED');
    expect(record(r)).toMatchObject({ outcome: 'dry-run', associations: { planned: 5, dryRun: 5, moved: 0 } });
    // Five calls reached EC2, each with DryRun (EC2 answered DryRunOperation); none took effect.
    expect(sim.callCounts().ReplaceRouteTableAssociation).toBe(5);
    expect(writes(sim, 'ReplaceRouteTableAssociation')).toBe(0);
    for (const s of estate.subnets) expect(sim.effectiveRouteTableId(s.subnetId)).toBe(s.routeTableId);
  });

  it('a planned switchover and the failback move the associations there and back to the originals', async () => {
    const { sim, estate, run, twins } = await setup('associations');
    expect(record(await run(switchover('router-b')))).toMatchObject({
      outcome: 'succeeded',
      associations: { moved: 5 },
    });
    for (const s of estate.subnets)
      expect(sim.effectiveRouteTableId(s.subnetId)).toBe(twins.get(`${s.routeTableId}|router-b`));

    const back = record(
      await run({ action: 'failback', group: GROUP, reason: 'router-a repaired', requestedBy: 'netops' }),
    );
    expect(back).toMatchObject({ outcome: 'succeeded', associations: { moved: 5, failed: 0, fallbacks: [] } });
    // The main table and the gateway table go back to their originals, which were never touched. The subnet
    // tables' originals send 10.200.0.0/16 to router-b, and a failback (like the per-route mode's) brings every
    // route to router-a: those subnets go to router-a's twins.
    for (const s of estate.subnets) {
      const twinA = twins.get(`${s.routeTableId}|router-a`);
      expect(sim.effectiveRouteTableId(s.subnetId)).toBe(twinA ?? s.routeTableId);
      expect(
        effective(sim, s.subnetId).some((l) => l.includes(estate.routerB.eni0) || l.includes(estate.routerB.eni1)),
      ).toBe(false);
    }
    expect(sim.effectiveRouteTableId(estate.subnets.find((s) => !s.explicit)!.subnetId)).toBe(
      estate.untaggedRouteTableId,
    );
    expect(sim.associations(estate.gateway!.routeTableId).map((a) => a.GatewayId)).toEqual([estate.gateway!.gatewayId]);
    expect(writes(sim, 'ReplaceRoute')).toBe(0);
  });

  it('never trusts a drifted twin: that table is switched route by route, and the record says why', async () => {
    const { sim, estate, run, twins } = await setup('associations');
    const drifted = twins.get(`${estate.routeTableIds[1]}|router-b`)!;
    // Someone removed a route from the twin (or the original changed and the reconcile has not run yet).
    await sim.invoke('ec2', 'DeleteRoute', { RouteTableId: drifted, DestinationCidrBlock: '172.16.0.0/12' });

    const r = await run(stopping(sim, estate.routerA.instanceId));

    const rec = record(r);
    expect(rec).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    expect(rec.associations.planned).toBe(4);
    expect(rec.associations.fallbacks).toEqual([
      {
        routeTableId: estate.routeTableIds[1],
        original: estate.routeTableIds[1],
        reason: expect.stringContaining(`twin ${drifted} drifted`),
      },
    ]);
    // The subnet stays on its original, whose routes were replaced one by one.
    const subnet = estate.subnets.find((s) => s.routeTableId === estate.routeTableIds[1])!;
    expect(sim.effectiveRouteTableId(subnet.subnetId)).toBe(estate.routeTableIds[1]);
    expect(sim.route(estate.routeTableIds[1], '172.16.0.0/12')?.NetworkInterfaceId).toBe(estate.routerB.eni0);
    expect(writes(sim, 'ReplaceRoute')).toBe(rec.counts.replaced);
    expect(rec.counts.replaced).toBeGreaterThan(0);
  });

  it('without twins every affected table falls back to route-by-route replacement and still verifies', async () => {
    const { sim, estate, run } = await setup('associations', { stage: false });
    const rec = record(await run(stopping(sim, estate.routerA.instanceId)));
    expect(rec).toMatchObject({ outcome: 'succeeded', associations: { planned: 0 } });
    expect(rec.associations.fallbacks).toHaveLength(5);
    expect(rec.associations.fallbackCount).toBe(5);
    expect(rec.associations.fallbacks.every((f: any) => f.reason === 'no twin for the target')).toBe(true);
    expect(writes(sim, 'ReplaceRouteTableAssociation')).toBe(0);
    for (const m of estate.expectedMoves)
      expect(sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.toEni);
  });

  it(`one move refused: the outcome is partial, the record \
and the summary count associations, the rest moved`, async () => {
    const { sim, estate, run } = await setup('associations');
    sim.injectFault({ action: 'ReplaceRouteTableAssociation', code: 'UnauthorizedOperation', times: 1 });
    const r = await run(stopping(sim, estate.routerA.instanceId));
    expect(r.status).toBe('FAILED');
    const rec = record(r);
    expect(rec).toMatchObject({
      outcome: 'partial',
      error: 'AssociationsNotSwitched',
      associations: { planned: 5, moved: 4, failed: 1 },
    });
    expect(rec.summary).toMatch(
      /PARTIAL router-a -> router-b: 4 of 5 association\(s\) and 0 of 0 route\(s\) on router-b/,
    );
    expect(rec.cause).toMatch(/1 of 5 association\(s\) not on router-b's tables/);
    expect(rec.counts.moved).toBe(0);
  });

  it(`a move whose answer was lost (EC2 made it, then a 5xx) is \
found on its twin by the retry, not reported as a conflict`, async () => {
    const { sim, estate, run, twins } = await setup('associations');
    const subnet = estate.subnets.find((s) => s.explicit)!;
    // The first move of this subnet takes effect, then its answer is lost: the retry sends the OLD association
    // ID, which EC2 no longer knows (ReplaceRouteTableAssociation gives the association a new ID).
    const oldId = sim
      .associations(subnet.routeTableId)
      .find((a) => a.SubnetId === subnet.subnetId)!.RouteTableAssociationId;
    sim.injectFault({
      action: 'ReplaceRouteTableAssociation',
      code: 'InternalError',
      phase: 'after',
      times: 1,
      when: (i) => i.AssociationId === oldId,
    });

    const rec = record(await run(stopping(sim, estate.routerA.instanceId)));

    expect(sim.effectiveRouteTableId(subnet.subnetId)).toBe(twins.get(`${subnet.routeTableId}|router-b`));
    expect(rec).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
    const entry = rec.associations.list.find((a: any) => a.subject === subnet.subnetId);
    expect(entry.status).toBe('moved');
    expect(rec.associations).toMatchObject({ moved: 5, failed: 0 });
  });

  it(`a group set back to the routes mode while its subnets use \
twins: the live twins are switched route by route, and verified`, async () => {
    const { sim, estate, run, twins } = await setup('associations');
    expect(record(await run(switchover('router-b'))).outcome).toBe('succeeded');
    // The operator sets switchMode back to "routes" without failing back first.
    const raw = {
      ...estate.config,
      groups: estate.config.groups.map((g) => ({ ...g, switchMode: 'routes' as const })),
    };
    const { run: runRoutes } = associationsHarness(sim, parseConfig(raw));
    const rec = record(await runRoutes(switchover('router-a')));
    expect(rec).toMatchObject({ outcome: 'succeeded', verification: { ok: true, mismatches: 0 } });
    expect(rec.warnings.filter((w: string) => /twin of .* that subnets still use/.test(w))).toHaveLength(5);
    for (const s of estate.subnets) {
      expect(sim.effectiveRouteTableId(s.subnetId)).toBe(twins.get(`${s.routeTableId}|router-b`));
      expect(
        effective(sim, s.subnetId).some((l) => l.includes(estate.routerB.eni0) || l.includes(estate.routerB.eni1)),
      ).toBe(false);
    }
  });

  it('a second run finds every association on the target already and moves nothing', async () => {
    const { sim, estate, run } = await setup('associations');
    await run(stopping(sim, estate.routerA.instanceId));
    const calls = writes(sim, 'ReplaceRouteTableAssociation');
    const again = record(await run(switchover('router-b')));
    expect(again.outcome).toBe('noop');
    expect(writes(sim, 'ReplaceRouteTableAssociation')).toBe(calls);
  });
});
