import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { guardEstate } from '../../bench/guard';
import { GROUP, recordOf as record } from '../../bench/false-success';
import { GUARD_TAG_IGNORE, GUARD_TAG_KEY } from '../../functions/guard/guard-pass';
import { newHold } from '../../functions/contract/hold';

/**
 * The route guard between failovers, on the simulated VPC: the router pair of bench/false-success.ts fails over
 * to router-b through the real workflow (run locally), then the network changes under it.
 */

const failedOver = async () => {
  const g = guardEstate();
  await g.refresh();
  const r = await g.run(g.fail());
  expect(record(r).outcome).toBe('succeeded');
  return g;
};

const revert = async (g: Awaited<ReturnType<typeof failedOver>>, n: number) => {
  const { routerA } = g.scenario;
  const reverted = g.scenario.expectedMoves
    .filter((m) => m.destination.kind === 'ipv4' && m.fromEni === routerA.eni0)
    .slice(0, n);
  for (const m of reverted) {
    await g.sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: m.routeTableId,
        DestinationCidrBlock: m.destination.value,
        NetworkInterfaceId: m.fromEni,
      }),
    );
  }
  return reverted;
};

describe('route guard on the simulated VPC', () => {
  it('a clean estate after a failover reports nothing, run after run, and never notifies', async () => {
    const g = await failedOver();
    for (let i = 0; i < 3; i++) {
      const report = await g.pass();
      expect(report).toMatchObject({ ok: true, findings: 0 });
      expect(report.groups[0]).toMatchObject({
        active: { member: 'router-b', from: 'last-switch' },
        total: 0,
        change: 'none',
        notified: false,
      });
    }
    expect(g.notices).toEqual([]);
  });

  it(`routes reverted to the dead router are reported within \
one pass, with table, destination and target; notified once`, async () => {
    const g = await failedOver();
    await g.pass();
    const reverted = await revert(g, 3);

    const first = (await g.pass()).groups[0];
    expect(first).toMatchObject({ total: 3, counts: { departed: 3 }, change: 'opened', notified: true });
    expect(first.findings!.map((f) => [f.routeTableId, f.destination, f.target, f.member, f.kind]).sort()).toEqual(
      reverted.map((m) => [m.routeTableId, m.destination.value, m.fromEni, 'router-a', 'departed']).sort(),
    );
    const again = (await g.pass()).groups[0];
    expect(again).toMatchObject({ total: 3, change: 'none', notified: false });
    expect(g.notices.map((n) => n.change)).toEqual(['opened']);
    expect(g.notices[0].subject).toMatch(/^ROUTE GUARD OPENED: onprem-edge: 3 finding/);
  });

  it(`converge: after the grace period a switchover to the active \
member fixes them (audit record), once, and the set clears`, async () => {
    const g = await failedOver();
    await g.pass({ converge: true });
    const reverted = await revert(g, 2);
    const opened = (await g.pass({ converge: true })).groups[0];
    expect(opened.convergence).toMatchObject({ status: 'waiting' });
    expect(g.executions).toEqual([]);

    g.advance(301);
    const converged = (await g.pass({ converge: true })).groups[0];
    expect(converged.convergence).toMatchObject({
      status: 'started',
      name: expect.stringMatching(/^guard-onprem-edge-[0-9a-f]{12}-\d+$/),
    });
    expect(g.executions).toHaveLength(1);
    const audit = record({ output: g.executions[0].output } as never);
    expect(audit).toMatchObject({ outcome: 'succeeded', to: { name: 'router-b' }, counts: { replaced: 2 } });
    for (const m of reverted)
      expect(g.sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.toEni);

    const after = (await g.pass({ converge: true })).groups[0];
    expect(after).toMatchObject({ total: 0, change: 'cleared', convergence: { status: 'nothing-to-converge' } });
    expect(g.notices.map((n) => n.change)).toEqual(['opened', 'cleared']);
  });

  it(`converge never starts while a hold stands, while a lease \
is held, or toward a member that fails the health gate`, async () => {
    const g = await failedOver();
    await g.pass();
    await revert(g, 1);
    await g.pass({ converge: true });
    g.advance(301);

    await g.store.setHold(
      GROUP,
      newHold({ seconds: 3600, by: 'netops', reason: 'change window', now: new Date(Date.now() + 301_000) }),
    );
    expect((await g.pass({ converge: true })).groups[0].convergence).toMatchObject({ status: 'held', by: 'netops' });
    await g.store.clearHold(GROUP);

    await g.store.acquire(
      GROUP,
      'arn:aws:states:us-east-1:000000000000:execution:m:other',
      new Date(Date.now() + 301_000),
      600,
      async () => true,
    );
    // A switch running: the group is not judged (its routes are moving), so nothing converges either.
    expect((await g.pass({ converge: true })).groups[0]).toEqual({
      group: GROUP,
      vpcId: g.scenario.vpcId,
      skipped: expect.stringMatching(/^a switch is running \(lease held by .*other\)/),
    });
    await g.store.release(GROUP, 'arn:aws:states:us-east-1:000000000000:execution:m:other', undefined, new Date(0));

    g.sim.setSourceDestCheck(g.scenario.routerB.eni0, true);
    expect((await g.pass({ converge: true })).groups[0].convergence).toMatchObject({ status: 'target-unhealthy' });
    g.sim.setSourceDestCheck(g.scenario.routerB.eni0, false);
    expect(g.executions).toEqual([]);
  });

  it('converge: a repeat for the same standing set is a no-op (one execution name per finding set)', async () => {
    const g = guardEstate({}, { execute: false });
    await g.refresh();
    await g.run(g.fail());
    await g.pass();
    await revert(g as never, 1);
    await g.pass({ converge: true });
    g.advance(301);
    const first = (await g.pass({ converge: true })).groups[0].convergence;
    const second = (await g.pass({ converge: true })).groups[0].convergence;
    expect(first).toMatchObject({ status: 'started' });
    expect(second).toEqual({ status: 'already-started', name: (first as { name: string }).name });
  });

  it(`both routers stopped, one back: routes left on the dead active \
member are blackholes, reported and not converged toward it`, async () => {
    const g = await failedOver();
    await g.pass();
    g.sim.setInstanceState(g.scenario.routerB.instanceId, 'stopped');
    g.sim.setInstanceState(g.scenario.routerA.instanceId, 'running');
    g.advance(3600);

    const r = (await g.pass({ converge: true })).groups[0];
    // Every route the failover moved, and the one route per table that was on router-b from the start.
    expect(r.counts!.blackhole).toBe(g.scenario.expectedMoves.length + g.scenario.routeTableIds.length);
    expect(r.findings!.every((f) => f.kind === 'blackhole' && f.member === 'router-b')).toBe(true);
    expect(r.convergence).toEqual({ status: 'nothing-to-converge' });
    expect(g.executions).toEqual([]);
  });

  it(`keeps each member's plan armed: the routes its \
failure would move, by table, and the interface pairs`, async () => {
    const g = await failedOver();
    g.sim.setInstanceState(g.scenario.routerA.instanceId, 'running');
    const { plans } = (await g.pass()).groups[0];
    const b = plans!.find((p) => p.member === 'router-b')!;
    // router-b carries every route now: its failure would move them all back to router-a, eth0 to eth0, eth1 to eth1.
    expect(b).toMatchObject({
      to: 'router-a',
      routes: g.scenario.expectedMoves.length + g.scenario.routeTableIds.length,
    });
    expect(b.pairs).toEqual(
      expect.arrayContaining([
        { slot: '0/0', fromEni: g.scenario.routerB.eni0, toEni: g.scenario.routerA.eni0 },
        { slot: '0/1', fromEni: g.scenario.routerB.eni1, toEni: g.scenario.routerA.eni1 },
      ]),
    );
    expect(plans!.find((p) => p.member === 'router-a')).toMatchObject({ to: 'router-b', routes: 0 });
    // While router-a is stopped, router-b's failure has nowhere to go, and the plan says so.
    g.sim.setInstanceState(g.scenario.routerA.instanceId, 'stopped');
    expect((await g.pass()).groups[0].plans!.find((p) => p.member === 'router-b')).toMatchObject({
      problem: expect.stringMatching(/no other member passes the health gate/),
    });
  });

  it(`a new table with a route to the standby (now active) \
is reported: it did not exist at the last switch`, async () => {
    const g = await failedOver();
    await g.pass();
    const t = g.sim.addRouteTable({ vpcId: g.scenario.vpcId, tags: { Name: 'added-later' } });
    g.sim.addRoute(t, { DestinationCidrBlock: '10.77.0.0/16', NetworkInterfaceId: g.scenario.routerB.eni1 });

    const r = (await g.pass()).groups[0];
    expect(r).toMatchObject({ total: 1, counts: { 'new-table': 1 }, change: 'opened' });
    expect(r.findings![0]).toMatchObject({
      kind: 'new-table',
      routeTableId: t,
      destination: '10.77.0.0/16',
      target: g.scenario.routerB.eni1,
      member: 'router-b',
    });
  });

  it('a table tagged route-failover:guard = ignore is never reported, nor converged', async () => {
    const g = await failedOver();
    await g.pass();
    const [m] = await revert(g, 1);
    g.sim.tagRouteTable(m.routeTableId, { [GUARD_TAG_KEY]: GUARD_TAG_IGNORE });
    g.advance(3600);

    const r = (await g.pass({ converge: true })).groups[0];
    expect(r).toMatchObject({
      total: 0,
      change: 'none',
      ignored: { count: 1, tables: [m.routeTableId], wouldMove: 1 },
      convergence: { status: 'nothing-to-converge' },
    });
    expect(g.sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.fromEni);
    expect(g.notices).toEqual([]);

    // A finding elsewhere: the switchover that would fix it would rewrite the tagged table too, so it is not started.
    const other = g.scenario.expectedMoves.find(
      (x) => x.routeTableId !== m.routeTableId && x.destination.kind === 'ipv4',
    )!;
    await g.sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: other.routeTableId,
        DestinationCidrBlock: other.destination.value,
        NetworkInterfaceId: other.fromEni,
      }),
    );
    await g.pass({ converge: true });
    g.advance(301);
    expect((await g.pass({ converge: true })).groups[0].convergence).toMatchObject({
      status: 'ignored-table-would-move',
    });
    expect(g.executions).toEqual([]);
    expect(g.sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.fromEni);
  });

  it('a subnet on a table outside the scope that routes to a member is a gap in the scope', async () => {
    const g = guardEstate({
      config: (c, sc) => ({ ...c, groups: [{ ...c.groups[0], routeTables: { ids: sc.routeTableIds.slice(0, 2) } }] }),
    });
    await g.refresh();
    const outside = g.scenario.routeTableIds[2];
    const subnet = g.sim.addSubnet({
      vpcId: g.scenario.vpcId,
      availabilityZone: `${g.sim.region}a`,
      cidr: '10.0.210.0/24',
    });
    g.sim.associateRouteTable(outside, { subnetId: subnet });

    const r = (await g.pass()).groups[0];
    const gaps = r.findings!.filter((f) => f.kind === 'scope-gap');
    expect(gaps.length).toBeGreaterThan(0);
    // The VPC's main table is outside this scope too, and routes to router-a for every subnet without a table.
    expect(new Set(gaps.map((f) => f.routeTableId))).toEqual(new Set([outside, g.scenario.untaggedRouteTableId]));
    expect(gaps.find((f) => f.routeTableId === outside)!.problem).toMatch(
      new RegExp(`for subnet ${subnet}: no switch will move it`),
    );
    expect(gaps.find((f) => f.routeTableId !== outside)!.problem).toMatch(
      /for the main association: no switch will move it/,
    );
  });

  it('a CloudTrail ReplaceRoute names who reverted the route; later scheduled passes keep it', async () => {
    const g = await failedOver();
    await g.pass();
    const [m] = await revert(g, 1);
    const cause = {
      who: 'arn:aws:sts::111122223333:assumed-role/Terraform/ci',
      when: '2026-12-06T10:00:00Z',
      call: 'ReplaceRoute',
      eventId: 'ev-1',
    };

    const r = (
      await g.pass({
        trigger: 'CloudTrail ReplaceRoute',
        claim: { routeTableId: m.routeTableId, destination: m.destination.value, cause },
      })
    ).groups[0];
    expect(r.findings).toEqual([expect.objectContaining({ routeTableId: m.routeTableId, cause })]);
    expect((await g.pass()).groups[0].findings).toEqual([expect.objectContaining({ cause })]);
  });
});
