import { CreateRouteCommand, ReplaceRouteTableAssociationCommand } from '@aws-sdk/client-ec2';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { reconcileTwins } from '../../functions/reconcile-twins/reconcile-twins';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { twinIdentity } from '../../functions/domain/twins';
import { buildAssociationPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { cliHarness, serveExecutions } from './helpers';
import { STATE_MACHINE_ARN } from './recorded';

/** switchover --plan in the associations mode: the association moves, the tables switched route by route, read only. */

const GROUP = 'edge';

const setup = async (mode: 'routes' | 'associations' = 'associations') => {
  // Building the twins is set-up, not under test: CreateRoute's bucket is widened for it.
  const sim = new SimulatedVpc({
    seed: 5,
    latencyMs: 0,
    throttling: { buckets: { CreateRoute: { burst: 1000, refillPerSecond: 1000 } } },
  });
  const estate = buildAssociationPair(sim, { routeTables: 2, groupName: GROUP });
  const config = parseConfig(estate.config);
  const report = await reconcileTwins(
    {},
    { ec2: sim.ec2(), config, store: new InMemoryGroupStateStore(), sleep: async () => undefined },
  );
  expect(report.ok).toBe(true);
  const file = { ...estate.config, groups: estate.config.groups.map((g) => ({ ...g, switchMode: mode })) };
  const h = cliHarness({
    ec2: sim.ec2(),
    files: { 'failover.json': JSON.stringify(file) },
    env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN, ROUTE_FAILOVER_STATE_TABLE: 'state' },
  });
  serveExecutions(h.mocks.sfn, []);
  const name = (id: string) =>
    sim
      .routeTables()
      .find((t) => t.RouteTableId === id)
      ?.Tags?.find((x) => x.Key === 'Name')?.Value;
  const twinOf = (original: string, member: string) =>
    sim.routeTables().find((t) => twinIdentity(t)?.original === original && twinIdentity(t)?.member === member)
      ?.RouteTableId;
  return { sim, estate, h, name, twinOf };
};

const plan = ['switchover', '--config', 'failover.json', '--group', GROUP, '--to', 'router-b', '--plan'];

describe('switchover --plan, associations mode', () => {
  it(`lists each association move (subject, from table \
→ twin, Name tags), writes nothing, starts nothing`, async () => {
    const { sim, estate, h, name, twinOf } = await setup();
    const tables = JSON.stringify(sim.routeTables());
    const writesBefore = sim.mutatingCalls().length;

    const r = await h.run(plan);

    expect(r.code).toBe(0);
    // Two tagged tables and the gateway table with one subnet each, the gateway, and the main table's association.
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^PLAN switchover edge: router-a → router-b \(associations mode\), \d+ associations of \d+ ` +
          String.raw`route tables and 0 routes in 0 route tables would move \(nothing started\)$`,
        'm',
      ),
    );
    for (const s of estate.subnets.filter((x) => x.explicit)) {
      const twin = twinOf(s.routeTableId, 'router-b')!;
      expect(twin).toBeDefined();
      const line = new RegExp(
        `^ {4}subnet ${s.subnetId} +rtbassoc-[0-9a-f]+ +${s.routeTableId} \\(${name(s.routeTableId)}\\) +→ +${twin} ` +
          `\\(${name(twin)!.replace(/[()]/g, '\\$&')}\\)$`,
        'm',
      );
      expect(r.stdout).toMatch(line);
    }
    expect(r.stdout).toMatch(
      new RegExp(
        `^ {4}gateway ${estate.gateway!.gatewayId} +rtbassoc-\\S+ +${estate.gateway!.routeTableId} ` +
          `\\(edge-ingress\\) +→ +${twinOf(estate.gateway!.routeTableId, 'router-b')} `,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(`^ {4}main \\(every subnet without its own\\) +rtbassoc-\\S+ +${estate.untaggedRouteTableId} `, 'm'),
    );
    expect(r.stdout).not.toContain('route by route');
    expect(r.stdout).not.toContain('undefined');
    expect(JSON.stringify(sim.routeTables())).toBe(tables);
    expect(sim.mutatingCalls().length).toBe(writesBefore);
    expect(h.mocks.sfn).not.toHaveReceivedCommand(StartExecutionCommand);

    const json = JSON.parse((await h.run([...plan, '--json'])).stdout);
    expect(json).toMatchObject({
      plan: true,
      started: false,
      switchMode: 'associations',
      routes: [],
      fallbacks: [],
      fallbackCount: 0,
    });
    // One move per live association of a table that routes through router-a: explicit subnets, the gateway, main.
    expect(json.associations).toHaveLength(estate.subnets.filter((x) => x.explicit).length + 2);
    expect(json.associations[0]).toMatchObject({
      subject: 'main',
      kind: 'main',
      from: { routeTableId: estate.untaggedRouteTableId },
    });
    const first = estate.subnets[0];
    expect(json.associations).toContainEqual(
      expect.objectContaining({
        subject: first.subnetId,
        kind: 'subnet',
        from: { routeTableId: first.routeTableId, name: name(first.routeTableId) },
        to: {
          routeTableId: twinOf(first.routeTableId, 'router-b'),
          name: name(twinOf(first.routeTableId, 'router-b')!),
        },
      }),
    );
  });

  it(`a table whose twin drifted falls back to route by \
route: its reason, then its routes as in the routes mode`, async () => {
    const { sim, estate, h, twinOf } = await setup();
    const [t1] = estate.routeTableIds;
    // The network team adds a route to the original after the last reconcile: its twin is no longer true.
    await sim.ec2().send(
      new CreateRouteCommand({
        RouteTableId: t1,
        DestinationCidrBlock: '10.150.0.0/16',
        NetworkInterfaceId: estate.routerA.eni1,
      }),
    );
    const twin = twinOf(t1, 'router-b')!;

    const r = await h.run(plan);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}switched route by route instead \(no true twin for router-b\): 1 route table$/m);
    expect(r.stdout).toMatch(
      new RegExp(`^ {4}${t1} \\(edge-private-1\\): twin ${twin} drifted from ${t1}: .*10\\.150\\.0\\.0/16`, 'm'),
    );
    expect(r.stdout).toMatch(/^ {2}routes of the tables switched route by route:$/m);
    expect(r.stdout).toMatch(
      new RegExp(
        `^  ${t1} +edge-private-1 +10\\.150\\.0\\.0/16 +${estate.routerA.eni1} \\(router-a\\) +→ ` +
          `+${estate.routerB.eni1} \\(router-b\\)$`,
        'm',
      ),
    );
    // The drifted table's own subnet is not among the moves; the other tables' are.
    const subnetOfT1 = estate.subnets.find((s) => s.routeTableId === t1)!.subnetId;
    expect(r.stdout).not.toMatch(new RegExp(`^ {4}subnet ${subnetOfT1} `, 'm'));
    // Said once, in the fallback part, not again among the warnings.
    expect(r.stdout).not.toMatch(/warning: 1 table\(s\) switched route by route/);

    const json = JSON.parse((await h.run([...plan, '--json'])).stdout);
    expect(json.fallbackCount).toBe(1);
    expect(json.fallbacks).toEqual([
      expect.objectContaining({
        routeTableId: t1,
        name: 'edge-private-1',
        original: t1,
        reason: expect.stringContaining('drifted'),
      }),
    ]);
    expect(json.routes.length).toBeGreaterThan(0);
    expect(json.routes.every((x: any) => x.routeTableId === t1)).toBe(true);
    expect(json.associations.some((m: any) => m.subject === subnetOfT1)).toBe(false);
  });

  it("failback --plan after the associations moved: each subject back to a table in router-a's state", async () => {
    const { sim, h, twinOf } = await setup();
    // Make the failover's moves by hand, as the workflow would (one ReplaceRouteTableAssociation each).
    const forward = JSON.parse((await h.run([...plan, '--json'])).stdout).associations;
    for (const m of forward)
      await sim
        .ec2()
        .send(
          new ReplaceRouteTableAssociationCommand({ AssociationId: m.associationId, RouteTableId: m.to.routeTableId }),
        );

    const r = await h.run(['failback', '--config', 'failover.json', '--group', GROUP, '--plan']);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`^PLAN failback edge: router-b → router-a \(associations mode\), 4 associations of 4 route ` +
          `tables and 0 routes in 0 route tables would move`,
        'm',
      ),
    );
    const back = JSON.parse(
      (await h.run(['failback', '--config', 'failover.json', '--group', GROUP, '--plan', '--json'])).stdout,
    ).associations;
    expect(back).toHaveLength(forward.length);
    for (const m of forward) {
      const b = back.find((x: any) => x.subject === m.subject);
      expect(b.from.routeTableId).toBe(m.to.routeTableId);
      // To the original when it is in router-a's state, else to router-a's twin: never back to router-b's.
      expect([m.from.routeTableId, twinOf(m.original, 'router-a')]).toContain(b.to.routeTableId);
    }
  });

  it('the same estate in the routes mode: routes only, the twins left out, no associations part', async () => {
    const { h, estate } = await setup('routes');

    const r = await h.run(plan);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^PLAN switchover edge: router-a → router-b, \d+ routes in \d+ route tables would move \(nothing started\)$/m,
    );
    expect(r.stdout).not.toContain('associations');
    expect(r.stdout).not.toContain('standby router-b');
    const json = JSON.parse((await h.run([...plan, '--json'])).stdout);
    expect(json.switchMode).toBe('routes');
    expect(json.associations).toBeUndefined();
    expect(new Set(json.routes.map((x: any) => x.routeTableId))).toEqual(
      new Set(estate.expectedMoves.map((m) => m.routeTableId)),
    );
  });
});
