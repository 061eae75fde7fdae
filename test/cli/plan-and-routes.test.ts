import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { routeKey } from '../../functions/domain/routes';
import { cliHarness, serveExecutions } from './helpers';
import { STATE_MACHINE_ARN } from './recorded';

/** switchover/failback --plan and status --routes against the simulated VPC: read only, from the live tables. */

const setup = () => {
  const sim = new SimulatedVpc({ seed: 8 });
  const scenario = buildRouterPair(sim, { routeTables: 2, groupName: 'edge' });
  const group = { ...scenario.config.groups[0], routeTables: { tag: scenario.scopeTag } };
  // A table the scope leaves out (no tag) with a route to router-a: a failover never moves it.
  const outside = sim.addRouteTable({ vpcId: scenario.vpcId, tags: { Name: 'edge-legacy' } });
  sim.addRoute(outside, { DestinationCidrBlock: '10.99.0.0/16', NetworkInterfaceId: scenario.routerA.eni0 });
  const config = { ...scenario.config, groups: [group] };
  const h = cliHarness({
    ec2: sim.ec2(),
    files: { 'failover.json': JSON.stringify(config) },
    env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN, ROUTE_FAILOVER_STATE_TABLE: 'state' },
  });
  serveExecutions(h.mocks.sfn, []);
  const tablesNow = () => JSON.stringify(sim.routeTables());
  // The scenario's moves for a whole-VPC scope; the main table (untagged) is outside this group's scope.
  const tagged = new Set(
    sim
      .routeTables()
      .filter((t) => t.Tags?.some((x) => x.Key === scenario.scopeTag.key))
      .map((t) => t.RouteTableId),
  );
  const moves = scenario.expectedMoves.filter((m) => tagged.has(m.routeTableId));
  return { sim, scenario, h, outside, tablesNow, moves };
};

describe('switchover --plan', () => {
  it(`prints every route that would move (table, Name tag, \
destination, current → new target), starts nothing, exits 0`, async () => {
    const { sim, h, tablesNow, moves } = setup();
    const tables = tablesNow();
    expect(moves).toHaveLength(10);

    const r = await h.run(['switchover', '--config', 'failover.json', '--group', 'edge', '--to', 'router-b', '--plan']);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^PLAN switchover edge: router-a → router-b, 10 routes in 2 route tables would move \(nothing started\)$/m,
    );
    for (const m of moves) {
      const line = new RegExp(
        `^  ${m.routeTableId} +edge-private-\\d +${m.destination.value.replace(/[./]/g, '\\$&')} +${m.fromEni} ` +
          `\\(router-a\\) +→ +${m.toEni} \\(router-b\\)$`,
        'm',
      );
      expect(r.stdout).toMatch(line);
    }
    expect(r.stdout).toContain('already on router-b: 2 routes');
    expect(r.stdout).not.toContain('10.99.0.0/16');
    expect(h.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);
    expect(sim.calls.filter((c) => c.action === 'ReplaceRoute')).toHaveLength(0);
    expect(tablesNow()).toBe(tables);

    const json = JSON.parse(
      (
        await h.run([
          'switchover',
          '--config',
          'failover.json',
          '--group',
          'edge',
          '--to',
          'router-b',
          '--plan',
          '--json',
        ])
      ).stdout,
    );
    expect(json).toMatchObject({ plan: true, started: false, to: 'router-b', alreadyOnTarget: 2 });
    expect(new Set(json.routes.map((x: any) => routeKey(x.routeTableId, x.destination)))).toEqual(
      new Set(moves.map((m) => routeKey(m.routeTableId, m.destination))),
    );
  });

  it('failback --plan plans the return to the preferred member', async () => {
    const { h, sim, moves } = setup();
    // Move the routes to router-b by hand, as a finished failover would leave them.
    for (const m of moves)
      await sim.ec2().send(
        new ReplaceRouteCommand({
          RouteTableId: m.routeTableId,
          ...(m.destination.kind === 'ipv4'
            ? { DestinationCidrBlock: m.destination.value }
            : m.destination.kind === 'ipv6'
              ? { DestinationIpv6CidrBlock: m.destination.value }
              : { DestinationPrefixListId: m.destination.value }),
          NetworkInterfaceId: m.toEni,
        }),
      );

    const r = await h.run(['failback', '--config', 'failover.json', '--group', 'edge', '--plan']);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PLAN failback edge: router-b → router-a, 12 routes in 2 route tables would move/m);
  });

  it('--plan with --wait is refused (exit 2)', async () => {
    const { h } = setup();
    const r = await h.run([
      'switchover',
      '--config',
      'failover.json',
      '--group',
      'edge',
      '--to',
      'router-b',
      '--plan',
      '--wait',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--plan starts nothing/);
  });
});

describe('status --routes', () => {
  it(`lists interface routes per table, marks split tables \
and routes outside the scope that will not fail over`, async () => {
    const { h, outside } = setup();

    const r = await h.run(['status', '--config', 'failover.json', '--routes']);

    expect(r.stdout).toMatch(
      /^ {2}ROUTE TABLE rtb-\S+ \(edge-private-1\): 7 interface routes {2}SPLIT: router-a \+ router-b$/m,
    );
    expect(r.stdout).toMatch(/^ {4}10\.70\.0\.0\/16 +→ eni-\S+ +no member +active$/m);
    expect(r.stdout).toMatch(
      new RegExp(`^  OUTSIDE THE SCOPE ${outside} \\(edge-legacy\\): 1 route to a member, will not fail over$`, 'm'),
    );
    expect(r.stdout).toMatch(/^ {4}10\.99\.0\.0\/16 +→ eni-\S+ +router-a +active$/m);
    const json = JSON.parse((await h.run(['status', '--config', 'failover.json', '--routes', '--json'])).stdout);
    expect(json.groups[0].routeListing.tables).toHaveLength(2);
    expect(json.groups[0].routeListing.tables[0]).toMatchObject({ split: true, members: ['router-a', 'router-b'] });
    expect(json.groups[0].routeListing.outside).toContainEqual(
      expect.objectContaining({ routeTableId: outside, name: 'edge-legacy', members: ['router-a'] }),
    );
    // The tables of the scope are never listed as outside it.
    const inScope = json.groups[0].routeListing.tables.map((t: any) => t.routeTableId);
    for (const t of json.groups[0].routeListing.outside) expect(inScope).not.toContain(t.routeTableId);
  });

  it('marks blackholes: the routes of a stopped router', async () => {
    const { h, sim, scenario } = setup();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

    const r = await h.run(['status', '--config', 'failover.json', '--routes']);

    expect(r.stdout).toMatch(/^ {4}192\.168\.0\.0\/16 +→ eni-\S+ +router-a +BLACKHOLE$/m);
    expect(r.code).toBe(1);
  });

  it('a group whose standby is down: NO HEALTHY STANDBY, exit 1; with the standby back, no such line', async () => {
    const { h, sim, scenario } = setup();
    // The scenario's one router-b route goes to router-a, so the group is consistent and the
    // standby problem stands alone.
    for (const t of sim
      .routeTables()
      .filter((x) => x.Routes?.some((r) => r.NetworkInterfaceId === scenario.routerB.eni0))) {
      await sim.ec2().send(
        new ReplaceRouteCommand({
          RouteTableId: t.RouteTableId,
          DestinationCidrBlock: '10.200.0.0/16',
          NetworkInterfaceId: scenario.routerA.eni0,
        }),
      );
    }
    expect((await h.run(['status', '--config', 'failover.json'])).stdout).not.toContain('NO HEALTHY STANDBY');
    sim.setInstanceState(scenario.routerB.instanceId, 'stopped');

    const r = await h.run(['status', '--config', 'failover.json']);

    expect(r.stdout).toContain('NO HEALTHY STANDBY: no member other than router-a is running');
    expect(r.stdout).not.toContain('INCONSISTENT');
    expect(r.code).toBe(1);
  });
});
