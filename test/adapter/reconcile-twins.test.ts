import { EnableVgwRoutePropagationCommand } from '@aws-sdk/client-ec2';
import { reconcileTwins, type ReconcileTwinsDeps } from '../../functions/reconcile-twins/reconcile-twins';
import { twinDrift } from '../../functions/reconcile-twins/plan-twins';
import { NotAssociationsModeError } from '../../functions/contract/errors';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { InMemoryWritePacer } from '../../functions/domain/pacer';
import { TWIN_GROUP_TAG, TWIN_MEMBER_TAG, TWIN_OF_TAG } from '../../functions/domain/twins';
import { GROUP, IDS } from '../unit/fixtures';
import { routerA, routerB } from './ec2-fixtures';
import {
  associationsConfig,
  emptyStore,
  eni,
  fakeEc2,
  type FakeEc2,
  IGW,
  localRoute,
  twinTagsOf,
  VGW,
  VGW2,
} from './twins-ec2';

const ORIG = IDS.rtbPrivateA;
const NOW = () => new Date('2026-11-25T14:30:00Z');

/**
 * router-a carries the original: 192.168/16 on eth0, 172.16/12 on eth1, a default route to the
 * IGW, propagation from a VGW.
 */
const estate = () => {
  const f = fakeEc2();
  f.addTable({
    RouteTableId: ORIG,
    Tags: [{ Key: 'Name', Value: 'private-a' }],
    Routes: [
      localRoute(),
      eni('192.168.0.0/16', IDS.eniA0),
      eni('172.16.0.0/12', IDS.eniA1),
      { DestinationCidrBlock: '0.0.0.0/0', GatewayId: IGW, Origin: 'CreateRoute', State: 'active' },
    ],
    PropagatingVgws: [{ GatewayId: VGW }],
    Associations: [
      {
        RouteTableAssociationId: 'rtbassoc-0a1a1a1a1a1a1a1a1',
        SubnetId: 'subnet-0a1a1a1a1a1a1a1a1',
        RouteTableId: ORIG,
        Main: false,
      },
    ],
  });
  return f;
};

const depsOf = (f: FakeEc2, over: Partial<ReconcileTwinsDeps> = {}): ReconcileTwinsDeps => ({
  ec2: f.ec2,
  config: associationsConfig(),
  store: emptyStore(),
  now: NOW,
  sleep: async () => undefined,
  random: () => 0.5,
  ...over,
});

/** The one twin of ORIG for router-b in the fake, by its tags. */
const twinB = (f: FakeEc2) =>
  [...f.tables.values()].find((t) => t.Tags?.some((x) => x.Key === TWIN_MEMBER_TAG && x.Value === 'router-b'))!;

/** Every write sent, in short form. */
const sent = (f: FakeEc2, from = 0) =>
  f
    .writes()
    .slice(from)
    .map((w) => ({ command: w.command, ...w.input }));

const neverAnOriginal = (f: FakeEc2, originals: string[] = [ORIG]) => {
  for (const w of f.writes()) expect(originals).not.toContain(w.input.RouteTableId);
};

describe('reconcileTwins: the first pass', () => {
  it(`creates the twin of the standby member with its tags and Name, \
copies every route with its interfaces replaced, and propagation`, async () => {
    const f = estate();

    const r = await reconcileTwins({}, depsOf(f));

    const twin = twinB(f).RouteTableId!;
    expect(sent(f)).toEqual([
      {
        command: 'CreateRouteTable',
        VpcId: IDS.vpc,
        ClientToken: expect.any(String),
        TagSpecifications: [
          {
            ResourceType: 'route-table',
            Tags: [
              { Key: 'Name', Value: 'private-a (standby router-b)' },
              { Key: TWIN_OF_TAG, Value: ORIG },
              { Key: TWIN_MEMBER_TAG, Value: 'router-b' },
              { Key: TWIN_GROUP_TAG, Value: GROUP },
            ],
          },
        ],
      },
      {
        command: 'CreateRoute',
        RouteTableId: twin,
        DestinationCidrBlock: '192.168.0.0/16',
        NetworkInterfaceId: IDS.eniB0,
      },
      {
        command: 'CreateRoute',
        RouteTableId: twin,
        DestinationCidrBlock: '172.16.0.0/12',
        NetworkInterfaceId: IDS.eniB1,
      },
      { command: 'CreateRoute', RouteTableId: twin, DestinationCidrBlock: '0.0.0.0/0', GatewayId: IGW },
      { command: 'EnableVgwRoutePropagation', RouteTableId: twin, GatewayId: VGW },
    ]);
    neverAnOriginal(f);
    // router-a is where the original points: no twin for it.
    expect(r.groups[0].originals).toEqual([
      expect.objectContaining({
        original: ORIG,
        name: 'private-a',
        notBuildable: [],
        twins: [
          expect.objectContaining({
            member: 'router-b',
            twin,
            created: true,
            needed: true,
            driftBefore: [],
            changes: expect.objectContaining({
              counts: { added: 3, replaced: 0, removed: 0, propagation: 1 },
              propagation: [`enable ${VGW}`],
            }),
          }),
        ],
      }),
    ]);
    expect(r).toMatchObject({ ok: true, dryRun: false, writes: 5 });
  });

  it('converges: a second pass reads and writes nothing', async () => {
    const f = estate();
    await reconcileTwins({}, depsOf(f));
    const before = f.writes().length;

    const r = await reconcileTwins({}, depsOf(f));

    expect(f.writes().length).toBe(before);
    expect(r.writes).toBe(0);
    expect(r.groups[0].originals[0].twins[0]).toMatchObject({
      created: false,
      driftBefore: [],
      changes: { counts: { added: 0, replaced: 0, removed: 0, propagation: 0 } },
    });
  });

  it('a dry run sends no write and reports the twin it would create', async () => {
    const f = estate();

    const r = await reconcileTwins({ dryRun: true }, depsOf(f));

    expect(f.writes()).toEqual([]);
    expect(r).toMatchObject({ dryRun: true, writes: 0, ok: true });
    expect(r.groups[0].originals[0].twins).toEqual([
      expect.objectContaining({
        member: 'router-b',
        twin: undefined,
        created: true,
        changes: expect.objectContaining({
          added: [`192.168.0.0/16 → ${IDS.eniB0}`, `172.16.0.0/12 → ${IDS.eniB1}`, `0.0.0.0/0 → ${IGW}`],
        }),
      }),
    ]);
  });

  it('mirrors IPv6 and prefix-list routes with their own destination fields', async () => {
    const f = estate();
    f.tables.get(ORIG)!.Routes!.push(
      {
        DestinationIpv6CidrBlock: '2001:db8::/32',
        NetworkInterfaceId: IDS.eniA0,
        Origin: 'CreateRoute',
        State: 'active',
      },
      {
        DestinationPrefixListId: IDS.prefixList,
        NetworkInterfaceId: IDS.eniA1,
        Origin: 'CreateRoute',
        State: 'active',
      },
      {
        DestinationIpv6CidrBlock: '::/0',
        EgressOnlyInternetGatewayId: 'eigw-0123456789abcdef0',
        Origin: 'CreateRoute',
        State: 'active',
      },
    );

    await reconcileTwins({}, depsOf(f));

    const twin = twinB(f).RouteTableId!;
    expect(sent(f)).toEqual(
      expect.arrayContaining([
        {
          command: 'CreateRoute',
          RouteTableId: twin,
          DestinationIpv6CidrBlock: '2001:db8::/32',
          NetworkInterfaceId: IDS.eniB0,
        },
        {
          command: 'CreateRoute',
          RouteTableId: twin,
          DestinationPrefixListId: IDS.prefixList,
          NetworkInterfaceId: IDS.eniB1,
        },
        {
          command: 'CreateRoute',
          RouteTableId: twin,
          DestinationIpv6CidrBlock: '::/0',
          EgressOnlyInternetGatewayId: 'eigw-0123456789abcdef0',
        },
      ]),
    );
    expect(f.writes().filter((w) => w.command === 'CreateRoute')).toHaveLength(6);
    neverAnOriginal(f);
  });
});

describe('reconcileTwins: after the original changes', () => {
  const reconciled = async () => {
    const f = estate();
    await reconcileTwins({}, depsOf(f));
    return { f, mark: f.writes().length, twin: twinB(f).RouteTableId! };
  };

  it('a route ADDED to the original is created in the twin, on the member interface of the same slot', async () => {
    const { f, mark, twin } = await reconciled();
    f.tables.get(ORIG)!.Routes!.push(eni('10.50.0.0/16', IDS.eniA1));

    const r = await reconcileTwins({}, depsOf(f));

    expect(sent(f, mark)).toEqual([
      {
        command: 'CreateRoute',
        RouteTableId: twin,
        DestinationCidrBlock: '10.50.0.0/16',
        NetworkInterfaceId: IDS.eniB1,
      },
    ]);
    expect(r.groups[0].originals[0].twins[0].driftBefore).toEqual([`10.50.0.0/16 missing (wanted → ${IDS.eniB1})`]);
    neverAnOriginal(f);
  });

  it('a route REPLACED in the original is replaced in the twin, drawing from the ReplaceRoute pacer', async () => {
    const { f, mark, twin } = await reconciled();
    const route = f.tables.get(ORIG)!.Routes!.find((x) => x.DestinationCidrBlock === '192.168.0.0/16')!;
    route.NetworkInterfaceId = IDS.eniA1;
    const pacer = new InMemoryWritePacer();

    await reconcileTwins({}, depsOf(f, { pacer }));

    expect(sent(f, mark)).toEqual([
      {
        command: 'ReplaceRoute',
        RouteTableId: twin,
        DestinationCidrBlock: '192.168.0.0/16',
        NetworkInterfaceId: IDS.eniB1,
      },
    ]);
    expect(pacer.stats.reserved).toBe(1);
    neverAnOriginal(f);
  });

  it('a route REMOVED from the original is deleted from the twin, never from the original', async () => {
    const { f, mark, twin } = await reconciled();
    const t = f.tables.get(ORIG)!;
    t.Routes = t.Routes!.filter((x) => x.DestinationCidrBlock !== '172.16.0.0/12');

    await reconcileTwins({}, depsOf(f));

    expect(sent(f, mark)).toEqual([
      { command: 'DeleteRoute', RouteTableId: twin, DestinationCidrBlock: '172.16.0.0/12' },
    ]);
    neverAnOriginal(f);
  });

  it('propagation changed on the original is changed on the twin', async () => {
    const { f, mark, twin } = await reconciled();
    f.tables.get(ORIG)!.PropagatingVgws = [{ GatewayId: VGW2 }];

    await reconcileTwins({}, depsOf(f));

    expect(sent(f, mark)).toEqual([
      { command: 'EnableVgwRoutePropagation', RouteTableId: twin, GatewayId: VGW2 },
      { command: 'DisableVgwRoutePropagation', RouteTableId: twin, GatewayId: VGW },
    ]);
  });

  it('a twin changed by hand is put back, and twinDrift shows it drifted before and true after', async () => {
    const { f, mark, twin } = await reconciled();
    const t = f.tables.get(twin)!;
    t.Routes!.push(eni('10.99.0.0/16', IDS.eniB0));
    t.Routes!.find((x) => x.DestinationCidrBlock === '192.168.0.0/16')!.NetworkInterfaceId = IDS.eniA0;
    const drift = await twinDrift({ ec2: f.ec2, store: emptyStore() }, associationsConfig().groups[0], NOW());
    expect(drift.originals[0].twins).toEqual([
      {
        member: 'router-b',
        twin,
        state: 'drifted',
        differences: [`192.168.0.0/16 → ${IDS.eniA0}, wanted → ${IDS.eniB0}`, `10.99.0.0/16 → ${IDS.eniB0} is extra`],
      },
    ]);

    await reconcileTwins({}, depsOf(f));

    expect(sent(f, mark)).toEqual([
      {
        command: 'ReplaceRoute',
        RouteTableId: twin,
        DestinationCidrBlock: '192.168.0.0/16',
        NetworkInterfaceId: IDS.eniB0,
      },
      { command: 'DeleteRoute', RouteTableId: twin, DestinationCidrBlock: '10.99.0.0/16' },
    ]);
    const after = await twinDrift({ ec2: f.ec2, store: emptyStore() }, associationsConfig().groups[0], NOW());
    expect(after.originals[0].twins).toEqual([{ member: 'router-b', twin, state: 'ok', differences: [] }]);
  });

  it(`a twin that subnets use is never written: each difference \
is reported as drift with table, destination and target`, async () => {
    const { f, mark, twin } = await reconciled();
    const t = f.tables.get(twin)!;
    t.Associations = [
      {
        RouteTableAssociationId: 'rtbassoc-0b1b1b1b1b1b1b1b1',
        SubnetId: 'subnet-0a1a1a1a1a1a1a1a1',
        RouteTableId: twin,
        Main: false,
      },
    ];
    t.Routes!.find((x) => x.DestinationCidrBlock === '192.168.0.0/16')!.NetworkInterfaceId = IDS.eniA0;
    t.Routes = t.Routes!.filter((x) => x.DestinationCidrBlock !== '172.16.0.0/12');
    t.Routes.push(eni('10.99.0.0/16', IDS.eniB0));
    f.tables.get(ORIG)!.PropagatingVgws = [{ GatewayId: VGW2 }];

    const r = await reconcileTwins({}, depsOf(f));

    expect(sent(f, mark)).toEqual([]);
    expect(r).toMatchObject({ ok: true, writes: 0, liveDrift: 5 });
    expect(r.groups[0].originals[0].twins[0]).toMatchObject({
      changes: { counts: { added: 0, replaced: 0, removed: 0, propagation: 0 } },
    });
    expect(r.groups[0].originals[0].twins[0].inUse).toEqual({
      associations: 1,
      omitted: 0,
      drift: [
        { table: twin, destination: '172.16.0.0/12', target: 'none', wanted: IDS.eniB1, kind: 'missing' },
        { table: twin, destination: '192.168.0.0/16', target: IDS.eniA0, wanted: IDS.eniB0, kind: 'switched' },
        { table: twin, destination: '10.99.0.0/16', target: IDS.eniB0, wanted: 'none', kind: 'extra' },
        { table: twin, destination: `propagation ${VGW2}`, target: 'off', wanted: 'on', kind: 'missing' },
        { table: twin, destination: `propagation ${VGW}`, target: 'on', wanted: 'off', kind: 'extra' },
      ],
    });

    // Once no association uses it, the next pass makes it true again (the one place DeleteRoute is sent).
    t.Associations = [];
    await reconcileTwins({}, depsOf(f));
    expect(sent(f, mark).map((w) => w.command)).toEqual([
      'CreateRoute',
      'ReplaceRoute',
      'DeleteRoute',
      'EnableVgwRoutePropagation',
      'DisableVgwRoutePropagation',
    ]);
    neverAnOriginal(f);
  });

  it('when the routes are split between members, each member gets a twin (the original equals neither)', async () => {
    const f = estate();
    f.tables.get(ORIG)!.Routes!.find((x) => x.DestinationCidrBlock === '172.16.0.0/12')!.NetworkInterfaceId = IDS.eniB1;

    await reconcileTwins({}, depsOf(f));

    const creates = f.writes().filter((w) => w.command === 'CreateRouteTable');
    expect(creates.map((w) => (w.input.TagSpecifications as any)[0].Tags[2].Value).sort()).toEqual([
      'router-a',
      'router-b',
    ]);
    neverAnOriginal(f);
  });
});

describe('reconcileTwins: tables it must not write', () => {
  it('a table with only some twin tags is reported, never written, and never taken for an original', async () => {
    const f = estate();
    const partial = 'rtb-0e5e5e5e5e5e5e5e5';
    f.addTable({
      RouteTableId: partial,
      Tags: [
        { Key: TWIN_OF_TAG, Value: ORIG },
        { Key: TWIN_GROUP_TAG, Value: GROUP },
      ],
      Routes: [localRoute(), eni('192.168.0.0/16', IDS.eniA0)],
    });

    const r = await reconcileTwins({}, depsOf(f));

    neverAnOriginal(f, [ORIG, partial]);
    expect(r.groups[0].partialTwins).toEqual([
      { table: partial, tags: { [TWIN_OF_TAG]: ORIG, [TWIN_GROUP_TAG]: GROUP } },
    ]);
    expect(r.groups[0].originals.map((o) => o.original)).toEqual([ORIG]);
  });

  it(`with a tag scope, twins are read with their group tag \
(two reads) and the partial one is still never written`, async () => {
    const f = estate();
    f.tables.get(ORIG)!.Tags!.push({ Key: 'failover', Value: 'edge' });
    const partial = 'rtb-0e5e5e5e5e5e5e5e5';
    f.addTable({
      RouteTableId: partial,
      Tags: [
        { Key: TWIN_MEMBER_TAG, Value: 'router-b' },
        { Key: TWIN_GROUP_TAG, Value: GROUP },
      ],
      Routes: [localRoute(), eni('192.168.0.0/16', IDS.eniA0)],
    });
    const config = associationsConfig({ routeTables: { tag: { key: 'failover', value: 'edge' } } });

    await reconcileTwins({}, depsOf(f, { config }));
    const mark = f.writes().length;
    const second = await reconcileTwins({}, depsOf(f, { config }));

    neverAnOriginal(f, [ORIG, partial]);
    expect(f.writes().filter((w) => w.command === 'CreateRouteTable')).toHaveLength(1);
    expect(f.writes().length).toBe(mark);
    expect(second.groups[0].originals[0].twins).toEqual([
      expect.objectContaining({ member: 'router-b', created: false, driftBefore: [] }),
    ]);
    expect(second.groups[0].partialTwins.map((p) => p.table)).toEqual([partial]);
  });

  it(`with the README's scope tag (route-failover:group=<group>), \
originals get twins and twins are never originals`, async () => {
    const f = estate();
    f.tables.get(ORIG)!.Tags!.push({ Key: 'route-failover:group', Value: GROUP });
    const config = associationsConfig({ routeTables: { tag: { key: 'route-failover:group', value: GROUP } } });

    const first = await reconcileTwins({}, depsOf(f, { config }));
    const mark = f.writes().length;
    const second = await reconcileTwins({}, depsOf(f, { config }));

    expect(first.groups[0].originals.map((o) => o.original)).toEqual([ORIG]);
    expect(f.writes().filter((w) => w.command === 'CreateRouteTable')).toHaveLength(1);
    expect(f.writes().length).toBe(mark);
    expect(second.groups[0].originals.map((o) => o.original)).toEqual([ORIG]);
    expect(second.groups[0].partialTwins).toEqual([]);
    neverAnOriginal(f);
  });

  it("another group's twin in the VPC is neither an original nor written", async () => {
    const f = estate();
    const foreign = 'rtb-0e6e6e6e6e6e6e6e6';
    f.addTable({
      RouteTableId: foreign,
      Tags: twinTagsOf(ORIG, 'router-b', 'other-group'),
      Routes: [localRoute(), eni('10.1.0.0/16', IDS.eniA0)],
    });

    const r = await reconcileTwins({}, depsOf(f));

    neverAnOriginal(f, [ORIG, foreign]);
    expect(r.groups[0].originals.map((o) => o.original)).toEqual([ORIG]);
  });

  it('a twin whose original is gone is reported as an orphan with how to remove it, and not deleted', async () => {
    const f = estate();
    const orphan = 'rtb-0e7e7e7e7e7e7e7e7';
    f.addTable({
      RouteTableId: orphan,
      Tags: twinTagsOf('rtb-0deadbeefdeadbeef', 'router-b'),
      Routes: [localRoute(), eni('10.1.0.0/16', IDS.eniB0)],
    });

    const r = await reconcileTwins({ dryRun: true }, depsOf(f));

    expect(f.writes()).toEqual([]);
    expect(r.groups[0].orphans).toEqual([
      {
        twin: orphan,
        original: 'rtb-0deadbeefdeadbeef',
        member: 'router-b',
        reason: "original rtb-0deadbeefdeadbeef is gone or outside the group's scope",
        associations: 0,
      },
    ]);
    expect(r.groups[0].orphanRemoval).toContain('aws ec2 delete-route-table');
  });

  it(`an interface of the active member whose slot the \
standby lacks: that twin is not buildable and not created`, async () => {
    const f = estate();
    const eniA2 = 'eni-0a0000000000000a2';
    f.instances[0] = routerA('running', [
      [IDS.eniA0, 0],
      [IDS.eniA1, 1],
      [eniA2, 2],
    ]);
    f.tables.get(ORIG)!.Routes!.push(eni('10.70.0.0/16', eniA2));

    const r = await reconcileTwins({}, depsOf(f));

    expect(f.writes()).toEqual([]);
    expect(r.groups[0].originals[0]).toMatchObject({
      twins: [],
      notBuildable: [{ member: 'router-b', unpaired: [{ member: 'router-a', slot: '0/2', eni: eniA2 }] }],
    });
  });

  it('a group named but not in the associations mode is a named error, and nothing is read', async () => {
    const f = estate();
    const config = associationsConfig({ switchMode: 'routes' });

    await expect(reconcileTwins({ groups: [GROUP] }, depsOf(f, { config }))).rejects.toThrow(NotAssociationsModeError);
    expect(f.mock.calls()).toHaveLength(0);
    // Unnamed, a routes-mode group is simply not reconciled.
    expect((await reconcileTwins({}, depsOf(f, { config }))).groups).toEqual([]);
  });
});

describe('reconcileTwins: members and EC2 failures', () => {
  it('a standby EC2 shows without interfaces is built from the inventory', async () => {
    const f = estate();
    f.instances[1] = routerB('terminated', []);
    const store = new InMemoryGroupStateStore();
    await store.writeInventory(GROUP, {
      member: 'router-b',
      instanceId: IDS.routerB,
      observedAt: '2026-11-25T14:00:00.000Z',
      interfaces: [
        { slot: '0/0', eni: IDS.eniB0 },
        { slot: '0/1', eni: IDS.eniB1 },
      ],
    });

    const r = await reconcileTwins({}, depsOf(f, { store }));

    expect(
      f
        .writes()
        .filter((w) => w.command === 'CreateRoute')
        .map((w) => w.input.NetworkInterfaceId),
    ).toEqual([IDS.eniB0, IDS.eniB1, undefined]);
    expect(r.groups[0].warnings.join('\n')).toContain(
      'router-b: EC2 shows it terminated with no interface; its interfaces come from the inventory',
    );
  });

  it(`a throttled write is retried with backoff and jitter; \
one failing twin does not stop the other tables`, async () => {
    const f = estate();
    const other = IDS.rtbPrivateB;
    f.addTable({ RouteTableId: other, Routes: [localRoute(), eni('192.168.0.0/16', IDS.eniA0)] });
    f.throttle('CreateRoute', 2);
    const sleeps: number[] = [];

    const r = await reconcileTwins({}, depsOf(f, { sleep: async (ms) => void sleeps.push(ms) }));

    expect(sleeps).toEqual([125, 250]);
    expect(r.ok).toBe(true);
    expect(r.groups[0].originals).toHaveLength(2);

    // Now a refusal that retrying cannot fix, on the first table only.
    const g = estate();
    g.addTable({ RouteTableId: other, Routes: [localRoute(), eni('192.168.0.0/16', IDS.eniA0)] });
    g.mock
      .on(EnableVgwRoutePropagationCommand)
      .rejects(Object.assign(new Error('not attached'), { name: 'Gateway.NotAttached' }));
    const failed = await reconcileTwins({}, depsOf(g));
    expect(failed.ok).toBe(false);
    const [first, second] = failed.groups[0].originals;
    expect(first.twins[0].error).toMatch(/EnableVgwRoutePropagation.*Gateway\.NotAttached/);
    expect(second.twins[0].created).toBe(true);
    expect(second.twins[0].error).toBeUndefined();
  });
});
