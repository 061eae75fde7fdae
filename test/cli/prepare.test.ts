import { EnableVgwRoutePropagationCommand } from '@aws-sdk/client-ec2';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GROUP, IDS } from '../unit/fixtures';
import { eni, fakeEc2, IGW, localRoute, VGW } from '../adapter/twins-ec2';
import { cliHarness } from './helpers';

/** route-failover prepare (and the twins in status) against a stateful mocked EC2. */

const ORIG = IDS.rtbPrivateA;

const configJson = (switchMode = 'associations') =>
  JSON.stringify({
    groups: [
      {
        name: GROUP,
        vpcId: IDS.vpc,
        members: [
          { name: 'router-a', instanceId: IDS.routerA },
          { name: 'router-b', instanceId: IDS.routerB },
        ],
        preferred: 'router-a',
        switchMode,
      },
    ],
  });

const setup = (switchMode?: string) => {
  const f = fakeEc2();
  f.addTable({
    RouteTableId: ORIG,
    Tags: [{ Key: 'Name', Value: 'private-a' }],
    Routes: [
      localRoute(),
      eni('192.168.0.0/16', IDS.eniA0),
      eni('172.16.0.0/12', IDS.eniA1),
      { DestinationCidrBlock: '0.0.0.0/0', GatewayId: IGW, Origin: 'CreateRoute' },
    ],
    PropagatingVgws: [{ GatewayId: VGW }],
    Associations: [
      {
        RouteTableAssociationId: 'rtbassoc-0a1a1a1a1a1a1a1a1',
        SubnetId: 'subnet-0a1a1a1a1a1a1a1a1',
        RouteTableId: ORIG,
        Main: false,
        AssociationState: { State: 'associated' },
      },
    ],
  });
  const h = cliHarness({ ec2: f.ec2, files: { 'failover.json': configJson(switchMode) } });
  return { f, h };
};

const twinId = (f: ReturnType<typeof fakeEc2>) => [...f.tables.keys()].find((k) => k !== ORIG);

describe('route-failover prepare', () => {
  it('--dry-run prints the twin it would create and its routes, and sends no write', async () => {
    const { f, h } = setup();

    const r = await h.run(['prepare', '--group', GROUP, '--dry-run', '--config', 'failover.json']);

    expect(r.code).toBe(0);
    expect(f.writes()).toEqual([]);
    expect(r.stdout).toContain(`GROUP ${GROUP} (${IDS.vpc})  DRY RUN: nothing was changed`);
    expect(r.stdout).toMatch(/router-b\s+\(to create\)\s+WOULD CREATE\s+\+3 route\(s\), enable vgw-/);
    expect(r.stdout).toContain(`+ 192.168.0.0/16 → ${IDS.eniB0}`);
    expect(r.stdout).toContain('5 write(s) would be sent');
    // No group-state table can be found: live members only, said on stderr.
    expect(r.stderr).toContain('inventory not read');
  });

  it('creates the twin; status then shows it OK, and a second prepare changes nothing', async () => {
    const { f, h } = setup();

    const r = await h.run(['prepare', '--group', GROUP, '--config', 'failover.json']);

    expect(r.code).toBe(0);
    const twin = twinId(f)!;
    expect(r.stdout).toMatch(new RegExp(`router-b\\s+${twin}\\s+CREATED`));
    expect(r.stdout).toContain('5 write(s) sent.');
    for (const w of f.writes()) expect(w.input.RouteTableId).not.toBe(ORIG);

    const s = await h.run(['status', '--config', 'failover.json']);
    expect(s.stdout).toContain(`twins of ${ORIG} (private-a): router-b ${twin} OK`);
    // The twin's routes to router-b are standby: the original, which carries the subnet, says router-a is active.
    expect(s.stdout).toContain('active:  router-a (2 routes)');
    expect(s.stdout).not.toContain('INCONSISTENT');
    expect(s.code).toBe(0);

    const again = await h.run(['prepare', '--group', GROUP, '--config', 'failover.json', '--output', 'json']);
    const doc = JSON.parse(again.stdout);
    expect(doc).toMatchObject({ ok: true, dryRun: false, writes: 0 });
    expect(doc.groups[0].originals[0].twins[0]).toMatchObject({
      member: 'router-b',
      twin,
      created: false,
      driftBefore: [],
    });
    expect(f.writes()).toHaveLength(5);
  });

  it('status shows a missing twin, then a drifted one, and exits 1', async () => {
    const { f, h } = setup();

    const missing = await h.run(['status', '--config', 'failover.json']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain(`twins of ${ORIG} (private-a): router-b MISSING`);

    await h.run(['prepare', '--group', GROUP, '--config', 'failover.json']);
    f.tables.get(ORIG)!.Routes!.push(eni('10.50.0.0/16', IDS.eniA1));
    const drifted = await h.run(['status', '--config', 'failover.json', '--json']);
    expect(drifted.code).toBe(1);
    const g = JSON.parse(drifted.stdout).groups[0];
    expect(g.twins.originals[0].twins[0]).toMatchObject({
      member: 'router-b',
      state: 'drifted',
      differences: [`10.50.0.0/16 missing (wanted → ${IDS.eniB1})`],
    });
    expect(JSON.parse(drifted.stdout).ok).toBe(false);
  });

  it('reads the inventory from the group-state table when it is named', async () => {
    const { h } = setup();
    h.mocks.ddb.on(GetItemCommand).resolves({});

    const r = await h.run([
      'prepare',
      '--group',
      GROUP,
      '--dry-run',
      '--config',
      'failover.json',
      '--state-table',
      'route-failover-state',
    ]);

    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('inventory not read');
    expect(h.mocks.ddb.commandCalls(GetItemCommand).length).toBeGreaterThan(0);
  });

  it('a group not in the associations mode is refused (exit 2) before anything is read', async () => {
    const { f, h } = setup('routes');

    const r = await h.run(['prepare', '--group', GROUP, '--config', 'failover.json']);

    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not by associations');
    expect(f.mock.calls()).toHaveLength(0);
  });

  it('needs --group', async () => {
    const { h } = setup();
    expect((await h.run(['prepare', '--config', 'failover.json'])).code).toBe(2);
  });

  it('exits 1 and prints the error when a twin cannot be reconciled', async () => {
    const { f, h } = setup();
    f.mock
      .on(EnableVgwRoutePropagationCommand)
      .rejects(Object.assign(new Error('The gateway is not attached.'), { name: 'Gateway.NotAttached' }));

    const r = await h.run(['prepare', '--group', GROUP, '--config', 'failover.json']);

    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/router-b\s+rtb-\S+\s+FAILED/);
    expect(r.stdout).toContain('Gateway.NotAttached');
  });
});
