import { CreateRouteCommand } from '@aws-sdk/client-ec2';
import { reconcileTwins } from '../../functions/reconcile-twins/reconcile-twins';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { InMemoryWritePacer } from '../../functions/domain/pacer';
import { twinIdentity } from '../../functions/domain/twins';
import { buildAssociationPair } from '../../cli/local/scenario';
import { HistoryTracker } from '../../cli/route-failover/progress';
import { type FaultSpec, SimulatedVpc } from '../../sim';
import { cliHarness, serveExecutions } from './helpers';
import { buildEstate, type Estate, GROUP, recordExecution, STATE_MACHINE_ARN } from './recorded';

/**
 * `history`, `history show` and --wait's progress lines for an associations-mode execution recorded from the
 * real workflow on the simulated VPC: the associations moved (status, subject, from → to, effective routes),
 * the tables switched route by route and why, and the association Map's progress named as such.
 */

const setup = async (
  opts: {
    drift?: boolean;
    dryRun?: boolean;
    faults?: (
      twinOf: (original: string, member: string) => string | undefined,
      scenario: ReturnType<typeof buildAssociationPair>,
    ) => FaultSpec[];
  } = {},
) => {
  // Building the twins is set-up, not under test: CreateRoute's bucket is widened for it.
  const sim = new SimulatedVpc({
    seed: 11,
    latencyMs: 0,
    throttling: { buckets: { CreateRoute: { burst: 1000, refillPerSecond: 1000 } } },
  });
  const scenario = buildAssociationPair(sim, { routeTables: 2, groupName: GROUP });
  const config = parseConfig(scenario.config);
  const store = new InMemoryGroupStateStore();
  expect((await reconcileTwins({}, { ec2: sim.ec2(), config, store, sleep: async () => undefined })).ok).toBe(true);
  const [t1] = scenario.routeTableIds;
  // A route added to an original after the last reconcile: its twin is no longer true, that table goes route by route.
  if (opts.drift)
    await sim.ec2().send(
      new CreateRouteCommand({
        RouteTableId: t1,
        DestinationCidrBlock: '10.150.0.0/16',
        NetworkInterfaceId: scenario.routerA.eni1,
      }),
    );
  const estate: Estate = {
    sim,
    scenario,
    config,
    topicArn: sim.createTopic('route-failover'),
    pacer: new InMemoryWritePacer(),
  };
  const twinOf = (original: string, member: string) =>
    sim.routeTables().find((t) => twinIdentity(t)?.original === original && twinIdentity(t)?.member === member)
      ?.RouteTableId;
  const rec = await recordExecution(
    estate,
    {
      action: 'switchover',
      group: GROUP,
      to: 'router-b',
      dryRun: opts.dryRun ?? false,
      requestedBy: 'alice',
      reason: 'patch router-a',
    },
    {
      name: 'switchover-onprem-edge-20261125T140000Z',
      startAt: new Date('2026-11-25T14:00:00Z'),
      store,
      faults: opts.faults?.(twinOf, scenario),
    },
  );
  const h = cliHarness({
    ec2: sim.ec2(),
    files: { 'failover.json': JSON.stringify(scenario.config) },
    env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN },
  });
  serveExecutions(h.mocks.sfn, [rec]);
  const progress = () => {
    const lines: string[] = [];
    new HistoryTracker((x) => lines.push(x)).consume(rec.events);
    return lines;
  };
  return { sim, scenario, rec, h, t1, twinOf, progress };
};

const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

describe('history show: an associations-mode execution', () => {
  it(`lists each association moved (status, subject, from → to, effective \
routes, verified), then the table switched route by route and why`, async () => {
    const { rec, h, scenario, t1, twinOf, sim } = await setup({ drift: true });
    expect(rec.run.status).toBe('SUCCEEDED');
    const [, t2] = scenario.routeTableIds;
    const subnet = scenario.subnets.find((s) => s.routeTableId === t2)!.subnetId;

    const r = await h.run(['history', 'show', rec.name, '--config', 'failover.json']);

    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^Associations: 3 planned, 3 moved, 0 failed, 0 dry-run; 0 already on target; 1 table switched route by route$/m,
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `^  moved +main +${scenario.untaggedRouteTableId} +→ +${twinOf(scenario.untaggedRouteTableId, 'router-b')} ` +
          `+${twinOf(scenario.untaggedRouteTableId, 'router-b')} +\\d+ +yes +1 `,
        'm',
      ),
    );
    expect(r.stdout).toMatch(
      new RegExp(
        `^  moved +${scenario.gateway!.gatewayId} +${scenario.gateway!.routeTableId} +→ ` +
          `+${twinOf(scenario.gateway!.routeTableId, 'router-b')} `,
        'm',
      ),
    );
    // The subnet's effective routes are its new table's: the original's route count, as read back.
    const t2Routes = sim.routeTables().find((t) => t.RouteTableId === t2)!.Routes!.length;
    expect(r.stdout).toMatch(
      new RegExp(
        `^  moved +${subnet} +${t2} +→ +${twinOf(t2, 'router-b')} +${twinOf(t2, 'router-b')} +${t2Routes} +yes `,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/^Switched route by route instead \(1 table; their routes are under Routes\):$/m);
    expect(r.stdout).toMatch(
      new RegExp(`^  ${t1}: twin ${twinOf(t1, 'router-b')} drifted from ${t1}: 10\\.150\\.0\\.0/16 missing`, 'm'),
    );
    expect(r.stdout).toMatch(new RegExp(`^  replaced +${t1} +10\\.150\\.0\\.0/16 `, 'm'));
    expect(r.stdout).toMatch(/^Verification: 3 associations read back: all where the plan wants them$/m);
    // Said once: the record's summary warning about the same table is not repeated under Warnings.
    expect(r.stdout).not.toContain('table(s) switched route by route');
    // Routes already on the target are listed by destination (the record's shape), never as "? → ?".
    expect(r.stdout).toMatch(new RegExp(`^  ${t1}  10\\.200\\.0\\.0/16$`, 'm'));
    expect(r.stdout).not.toMatch(/\? → \?|undefined/);
    // Associations are listed before the routes, the order the workflow moves them in.
    expect(r.stdout.indexOf('Associations:')).toBeLessThan(r.stdout.indexOf('Routes:'));
    expect(r.stdout).toMatch(/^ {2}SwitchBatches +Map +\S+ +\d+ ms$/m);
    expect(r.stdout).toMatch(/^ {2}PlanSwitch +Task /m);
  });

  it('history: the ROUTES cell adds the associations; --json has them', async () => {
    const { rec, h } = await setup({ drift: true });

    const r = await h.run(['history', '--config', 'failover.json']);

    expect(r.stdout).toMatch(new RegExp(`router-a → router-b +6 \\+ 3 assoc +succeeded +.*${esc(rec.name)}$`, 'm'));
    const json = JSON.parse((await h.run(['history', '--config', 'failover.json', '--json'])).stdout);
    const entry = (json.executions ?? json)[0];
    expect(entry).toMatchObject({ routesChanged: 6, associationsMoved: 3 });
    expect(entry.record.associations.list).toHaveLength(3);
  });

  it('a dry run: every association "dry-run", nothing moved; the history line says dry', async () => {
    const { rec, h, sim, scenario } = await setup({ dryRun: true });
    expect(scenario.subnets.every((x) => sim.effectiveRouteTableId(x.subnetId) === x.routeTableId)).toBe(true);

    const show = await h.run(['history', 'show', rec.name, '--config', 'failover.json']);
    expect(show.stdout).toMatch(/^Associations: 4 planned, 0 moved, 0 failed, 4 dry-run;/m);
    expect(show.stdout.match(/^ {2}dry-run +(main|igw-|subnet-)/gm)).toHaveLength(4);
    const list = await h.run(['history', '--config', 'failover.json']);
    expect(list.stdout).toMatch(/router-a → router-b +dry 0 \+ 4 assoc +dry-run /);
  });

  it(`a move EC2 refuses and one retried after throttling: each \
with its status, attempts and error, in history show and --wait`, async () => {
    let gatewayTwin = '';
    const { rec, h, scenario, progress } = await setup({
      faults: (twinOf, scenario) => {
        gatewayTwin = twinOf(scenario.gateway!.routeTableId, 'router-b')!;
        const main = twinOf(scenario.untaggedRouteTableId, 'router-b');
        return [
          {
            action: 'ReplaceRouteTableAssociation',
            code: 'RequestLimitExceeded',
            times: 1,
            when: (i: any) => i.RouteTableId === main,
          },
          {
            action: 'ReplaceRouteTableAssociation',
            code: 'InvalidParameterValue',
            message: 'simulated refusal',
            times: 1,
            when: (i: any) => i.RouteTableId === gatewayTwin,
          },
        ];
      },
    });
    const record: any = rec.run.output ?? rec.run.auditRecord;
    expect(record.associations.failed).toBe(1);
    expect(record.outcome).not.toBe('succeeded');

    const r = await h.run(['history', 'show', rec.name, '--config', 'failover.json']);

    expect(r.stdout).toMatch(
      new RegExp(
        `^  failed +${scenario.gateway!.gatewayId} +${scenario.gateway!.routeTableId} +→ +${gatewayTwin} ` +
          `+${scenario.gateway!.routeTableId} +\\d+ +NO +1 +.*simulated ` +
          `refusal.*; effective routes still lead to the failed side`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/^ {2}moved +main +\S+ +→ +\S+ +\S+ +\d+ +yes +2 /m);
    expect(r.stdout).toMatch(/^Verification: 4 associations read back: 1 NOT where the plan wants them$/m);
    expect(r.stdout).not.toContain('undefined');

    const lines = progress();
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}\[4\/4\] associations: (3 moved, 1 failed|1 failed, 3 moved)$/),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^ {6}✗ ${scenario.gateway!.gatewayId} \\(${scenario.gateway!.routeTableId} ` +
            `→ ${gatewayTwin}\\): failed, .*simulated refusal`,
        ),
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {6}↻ main \(\S+ → \S+\): moved, 2 attempts$/));
    // The throttled move's retry waits for the pacer's next turn, on EC2's next whole-second refill: up to a second.
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^ {2}✓ SwitchBatches \((\d+ ms|\d+\.\d s)\): associations: (3 moved, 1 failed|1 failed, 3 moved); routes: .+$/,
      ),
    );
  });
});

describe('--wait progress: an associations-mode execution', () => {
  it(`names the association batches and the route batches of the one \
Map; PlanSwitch says what it planned; nothing is "undefined" or "?"`, async () => {
    const { progress } = await setup({ drift: true });

    const lines = progress();

    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          String.raw`^ {2}✓ PlanSwitch \(\d+ ms\): 3 association\(s\) to move, 0 already on target; 1 ` +
            String.raw`table\(s\) route by route: 6 route\(s\) to move, 1 already on target, 0 skipped$`,
        ),
      ),
    );
    const from = lines.indexOf('  → SwitchBatches');
    expect(from).toBeGreaterThan(0);
    // One Map runs both kinds: the association batch (listed first, started first) and the route
    // batch, each on its line.
    expect(lines.slice(from + 1, from + 3).sort()).toEqual(
      ['    [3/3] associations: 3 moved', expect.stringMatching(/^ {4}\[6\/6\] rtb-[0-9a-f]+: 6 replaced$/)].sort(),
    );
    expect(lines[from + 3]).toMatch(/^ {2}✓ SwitchBatches \(\d+ ms\): associations: 3 moved; routes: 6 replaced$/);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          String.raw`^ {2}✓ VerifySwitch \(\d+ ms\): \d+ read back, 0 mismatch\(es\); 3 association\(s\) ` +
            `read back, 0 not where the plan wants them$`,
        ),
      ),
    );
    for (const l of lines) expect(l).not.toMatch(/undefined|\?: no route|\[0\//);
  });

  it('the routes mode: the Map says what the routes did, with no association line', async () => {
    const estate = buildEstate({ routeTables: 1 });
    const rec = await recordExecution(
      estate,
      { action: 'switchover', group: GROUP, to: 'router-b', dryRun: false, requestedBy: 'alice' },
      { name: 'switchover-routes', startAt: new Date('2026-11-25T14:00:00Z') },
    );
    const lines: string[] = [];
    new HistoryTracker((x) => lines.push(x)).consume(rec.events);
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}✓ SwitchBatches \(\d+ ms\): \d+ replaced$/));
    expect(lines.filter((l) => l.includes('associations:'))).toEqual([]);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}✓ PlanSwitch \(\d+ ms\): \d+ to move, \d+ already on target, \d+ skipped$/),
    );
  });
});
