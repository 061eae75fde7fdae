import {
  DescribeRouteTablesCommand,
  type DescribeRouteTablesCommandInput,
  EC2Client,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { planSwitch } from '../../functions/plan-switch/plan-switch';
import { BATCH_SIZE, expandPlan, routeBatchesOf } from '../../functions/domain/plan';
import {
  Ec2RequestError,
  Ec2ThrottledError,
  Ec2TransientError,
  FailoverSuppressedError,
  UnpairedInterfaceError,
} from '../../functions/contract/errors';
import { PlanSchema, type FailoverState, type Plan } from '../../functions/contract/schemas';
import { GROUP, IDS } from '../unit/fixtures';
import { ec2Error, eniRoute, failoverState, FIXED_NOW, igwRoute, localRoute, routeTable } from './ec2-fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'eu-west-1' });

beforeEach(() => ec2Mock.reset());

const run = (state: FailoverState) => planSwitch(state, { ec2, now: FIXED_NOW });
/**
 * The plan's changes in full (from its batches and the state's pairs), for assertions about routes
 * rather than the wire form.
 */
const changesOf = (plan: Plan, state: FailoverState = failoverState()) =>
  expandPlan(plan, state.pairs, state.target.name);

/**
 * The paginator reuses one input object for every page, so the inputs the mock records all end up with the
 * last token; this snapshots each request as it was sent.
 */
const recordRequests = (pages: { RouteTables: ReturnType<typeof routeTable>[]; NextToken?: string }[]) => {
  const sent: DescribeRouteTablesCommandInput[] = [];
  let n = 0;
  ec2Mock.on(DescribeRouteTablesCommand).callsFake((input: DescribeRouteTablesCommandInput) => {
    sent.push(structuredClone(input));
    const page = pages[Math.min(n++, pages.length - 1)];
    return { $metadata: {}, ...page };
  });
  return sent;
};

describe('listRoutes: what is asked of EC2', () => {
  it('reads the whole VPC with a vpc-id filter when the group has no route table scope', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });

    await run(failoverState());

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }],
    });
    // EC2 has no filter on a route's ENI: nothing but the VPC (and scope) is filtered server side.
    const filters = ec2Mock.commandCalls(DescribeRouteTablesCommand)[0].args[0].input.Filters ?? [];
    expect(filters.map((f) => f.Name)).toEqual(['vpc-id']);
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
  });

  it('adds a tag:K filter for a tag-scoped group', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });

    await run(
      failoverState({
        group: { name: GROUP, vpcId: IDS.vpc, routeTables: { tag: { key: 'failover-group', value: GROUP } } },
      }),
    );

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'vpc-id', Values: [IDS.vpc] },
        { Name: 'tag:failover-group', Values: [GROUP] },
      ],
    });
  });

  it('adds a route-table-id filter for an ID-scoped group, and warns about configured tables not found', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])] });

    const plan = await run(
      failoverState({
        group: { name: GROUP, vpcId: IDS.vpc, routeTables: { ids: [IDS.rtbPrivateA, IDS.rtbPrivateB] } },
      }),
    );

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'vpc-id', Values: [IDS.vpc] },
        { Name: 'route-table-id', Values: [IDS.rtbPrivateA, IDS.rtbPrivateB] },
      ],
    });
    expect(plan.changeCount).toBe(1);
    expect(plan.warnings).toEqual([`configured route table(s) not found in ${IDS.vpc}: ${IDS.rtbPrivateB}`]);
  });

  it('splits a long route table list into batches of filter values', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    const ids = Array.from({ length: 150 }, (_, i) => `rtb-0${i.toString(16).padStart(16, '0')}`);

    await run(failoverState({ group: { name: GROUP, vpcId: IDS.vpc, routeTables: { ids } } }));

    // Two reads of the list, and one of the group's twins (read in every mode: subnets may still use them).
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 3);
    const values = ec2Mock
      .commandCalls(DescribeRouteTablesCommand)
      .map((c) => c.args[0].input.Filters?.find((f) => f.Name === 'route-table-id')?.Values)
      .filter((v) => v !== undefined);
    expect(values.map((v) => v.length)).toEqual([100, 50]);
    expect(values.flat()).toEqual(ids);
  });

  it('follows NextToken across pages and plans routes from every page', async () => {
    const sent = recordRequests([
      {
        RouteTables: [routeTable(IDS.rtbPrivateA, [localRoute(), eniRoute('10.1.0.0/16', IDS.eniA0)])],
        NextToken: 'page-2-token',
      },
      { RouteTables: [routeTable(IDS.rtbPrivateB, [localRoute(), eniRoute('10.2.0.0/16', IDS.eniA1)])] },
    ]);

    const plan = await run(failoverState());

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 2);
    expect(ec2Mock).toHaveReceivedNthSpecificCommandWith(2, DescribeRouteTablesCommand, {
      NextToken: 'page-2-token',
      Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }],
    });
    expect(sent[0].NextToken).toBeUndefined();
    expect(sent[1].NextToken).toBe('page-2-token');
    expect(sent.every((s) => typeof s.MaxResults === 'number' && s.MaxResults >= 5 && s.MaxResults <= 100)).toBe(true);
    expect(changesOf(plan).map((c) => [c.routeTableId, c.destination.value, c.toEni])).toEqual([
      [IDS.rtbPrivateA, '10.1.0.0/16', IDS.eniB0],
      [IDS.rtbPrivateB, '10.2.0.0/16', IDS.eniB1],
    ]);
    expect(plan.routeTablesScanned).toBe(2);
    expect(plan.routesScanned).toBe(4);
  });
});

describe('listRoutes: the plan', () => {
  it('keeps only routes whose target is a source interface, paired by slot', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [
          localRoute(),
          igwRoute(),
          eniRoute('10.1.0.0/16', IDS.eniA0),
          eniRoute('10.9.0.0/16', 'eni-0fffffffffffffff0'), // someone else's appliance
          eniRoute('172.16.0.0/12', IDS.eniA1, { State: 'blackhole' }),
        ]),
      ],
    });

    const plan = await run(failoverState());

    // On the wire: one batch for the table, each route a destination, its pair index, and b: 1 when blackhole.
    expect(plan.batches).toEqual([
      {
        id: 0,
        routeTableId: IDS.rtbPrivateA,
        routes: [
          { d: '10.1.0.0/16', p: 0 },
          { d: '172.16.0.0/12', p: 1, b: 1 },
        ],
      },
    ]);
    expect(plan.changeCount).toBe(2);
    expect(changesOf(plan)).toEqual([
      {
        routeTableId: IDS.rtbPrivateA,
        destination: { kind: 'ipv4', value: '10.1.0.0/16' },
        fromEni: IDS.eniA0,
        fromMember: 'router-a',
        toEni: IDS.eniB0,
        toMember: 'router-b',
        stateBefore: 'active',
      },
      {
        routeTableId: IDS.rtbPrivateA,
        destination: { kind: 'ipv4', value: '172.16.0.0/12' },
        fromEni: IDS.eniA1,
        fromMember: 'router-a',
        toEni: IDS.eniB1,
        toMember: 'router-b',
        stateBefore: 'blackhole',
      },
    ]);
    expect(plan.skipped).toEqual([]);
    expect(plan.alreadyOnTarget).toEqual([]);
    expect(plan.alreadyOnTargetCount).toBe(0);
    expect(plan.warnings).toEqual([]);
    expect(plan.routesScanned).toBe(5);
    expect(PlanSchema.parse(plan)).toEqual(plan);
    expect(plan.listedAt).toBe('2026-11-25T14:30:07.000Z');
  });

  it('plans IPv4, IPv6 and prefix-list routes alike', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [
          eniRoute('10.1.0.0/16', IDS.eniA0),
          eniRoute('2001:db8:1234::/48', IDS.eniA0),
          eniRoute(IDS.prefixList, IDS.eniA1),
        ]),
      ],
    });

    const plan = await run(failoverState());

    expect(changesOf(plan).map((c) => [c.destination, c.fromEni, c.toEni])).toEqual(
      expect.arrayContaining([
        [{ kind: 'ipv4', value: '10.1.0.0/16' }, IDS.eniA0, IDS.eniB0],
        [{ kind: 'ipv6', value: '2001:db8:1234::/48' }, IDS.eniA0, IDS.eniB0],
        [{ kind: 'prefix-list', value: IDS.prefixList }, IDS.eniA1, IDS.eniB1],
      ]),
    );
    expect(plan.changeCount).toBe(3);
    expect(routeBatchesOf(plan).flatMap((b) => b.routes.map((r) => [r.d, r.p]))).toEqual(
      expect.arrayContaining([
        ['10.1.0.0/16', 0],
        ['2001:db8:1234::/48', 0],
        [IDS.prefixList, 1],
      ]),
    );
  });

  it(`moves a local route pointed at a member's interface \
(east-west inspection), skips propagated routes with the reason`, async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [
          eniRoute('192.168.0.0/16', IDS.eniA0, { Origin: 'EnableVgwRoutePropagation' }),
          // A local route whose target was replaced by the router (middlebox routing).
          eniRoute('10.0.0.0/16', IDS.eniA1, { Origin: 'CreateRouteTable' }),
          eniRoute('10.1.0.0/16', IDS.eniA0),
        ]),
      ],
    });

    const plan = await run(failoverState());

    // VPC User Guide, "Replace or restore the target for a local route": ReplaceRoute moves it like any other.
    expect(changesOf(plan).map((c) => [c.destination.value, c.toEni])).toEqual([
      ['10.0.0.0/16', IDS.eniB1],
      ['10.1.0.0/16', IDS.eniB0],
    ]);
    expect(plan.skipped).toEqual([
      {
        routeTableId: IDS.rtbPrivateA,
        destination: { kind: 'ipv4', value: '192.168.0.0/16' },
        eni: IDS.eniA0,
        member: 'router-a',
        reason: 'propagated route (owned by the virtual private gateway)',
      },
    ]);
  });

  it('counts routes already on the target instead of replacing them, grouped per table', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateB, [eniRoute(IDS.prefixList, IDS.eniB1), eniRoute('2001:db8::/32', IDS.eniB0)]),
        routeTable(IDS.rtbPrivateA, [
          eniRoute('10.3.0.0/16', IDS.eniB1),
          eniRoute('10.1.0.0/16', IDS.eniB0),
          eniRoute('10.2.0.0/16', IDS.eniA1),
        ]),
      ],
    });

    const plan = await run(failoverState());

    expect(changesOf(plan).map((c) => c.destination.value)).toEqual(['10.2.0.0/16']);
    expect(plan.changeCount).toBe(1);
    // Tables in ID order, destinations sorted: a stable record whatever order EC2 answers in.
    expect(plan.alreadyOnTarget).toEqual([
      { routeTableId: IDS.rtbPrivateA, destinations: ['10.1.0.0/16', '10.3.0.0/16'] },
      { routeTableId: IDS.rtbPrivateB, destinations: ['2001:db8::/32', IDS.prefixList] },
    ]);
    expect(plan.alreadyOnTargetCount).toBe(4);
  });

  it('is empty (with a warning) when no route table is in scope', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    const plan = await run(failoverState());
    expect(plan.batches).toEqual([]);
    expect(plan.changeCount).toBe(0);
    expect(plan.warnings).toEqual([`no route table in scope for group ${GROUP} in ${IDS.vpc}`]);
  });

  it('moves routes of several source members (manual switchover in a three-member group)', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0), eniRoute('10.2.0.0/16', IDS.eniB0)]),
      ],
    });
    const state = failoverState({
      sources: [
        { name: 'router-a', instanceId: IDS.routerA, state: 'running' },
        { name: 'router-b', instanceId: IDS.routerB, state: 'running' },
      ],
      target: { name: 'router-c', instanceId: IDS.routerC, state: 'running' },
      pairs: [
        { slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniC0 },
        { slot: '0/0', fromMember: 'router-b', fromEni: IDS.eniB0, toEni: IDS.eniC0 },
      ],
      targetEnis: [IDS.eniC0],
    });

    const plan = await run(state);

    expect(plan.batches).toEqual([
      {
        id: 0,
        routeTableId: IDS.rtbPrivateA,
        routes: [
          { d: '10.1.0.0/16', p: 0 },
          { d: '10.2.0.0/16', p: 1 },
        ],
      },
    ]);
    expect(changesOf(plan, state).map((c) => [c.fromMember, c.fromEni, c.toMember, c.toEni])).toEqual([
      ['router-a', IDS.eniA0, 'router-c', IDS.eniC0],
      ['router-b', IDS.eniB0, 'router-c', IDS.eniC0],
    ]);
  });
});

describe('listRoutes: batches (the compact plan the SwitchBatches Map iterates)', () => {
  /** `n` routes of one table on router-a, alternating eth0/eth1, every fourth one blackhole. */
  const routesOnA = (n: number, from = 0) =>
    Array.from({ length: n }, (_, k) => {
      const i = from + k;
      return eniRoute(
        `10.${100 + Math.floor(i / 200)}.${i % 200}.0/24`,
        i % 2 ? IDS.eniA1 : IDS.eniA0,
        i % 4 === 0 ? { State: 'blackhole' } : {},
      );
    });

  it(`at most ${BATCH_SIZE} routes per batch, one table per batch, tables in ID order, ids 0..n`, async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateB, [localRoute(), ...routesOnA(45)]),
        routeTable(IDS.rtbPrivateA, routesOnA(3, 500)),
      ],
    });

    const plan = await run(failoverState());

    expect(routeBatchesOf(plan).map((b) => [b.id, b.routeTableId, b.routes.length])).toEqual([
      [0, IDS.rtbPrivateA, 3],
      [1, IDS.rtbPrivateB, 20],
      [2, IDS.rtbPrivateB, 20],
      [3, IDS.rtbPrivateB, 5],
    ]);
    expect(plan.changeCount).toBe(48);
    expect(plan.routesScanned).toBe(49);
    expect(PlanSchema.parse(plan)).toEqual(plan);
  });

  it('every route carries the pair index of its source interface, and b: 1 exactly when it was blackhole', async () => {
    const routes = routesOnA(8);
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, routes)] });

    const plan = await run(failoverState());

    const byDestination = new Map(routeBatchesOf(plan).flatMap((b) => b.routes.map((r) => [r.d, r])));
    expect(byDestination.size).toBe(8);
    for (const route of routes) {
      const r = byDestination.get(route.DestinationCidrBlock!)!;
      expect(r.p).toBe(route.NetworkInterfaceId === IDS.eniA0 ? 0 : 1);
      if (route.State === 'blackhole') expect(r.b).toBe(1);
      else expect(r).not.toHaveProperty('b');
    }
    // The full changes come back from the batches with the right interfaces and states.
    expect(
      changesOf(plan)
        .filter((c) => c.stateBefore === 'blackhole')
        .map((c) => c.destination.value)
        .sort(),
    ).toEqual(
      routes
        .filter((r) => r.State === 'blackhole')
        .map((r) => r.DestinationCidrBlock)
        .sort(),
    );
  });

  it('the same routes give the same plan whatever order EC2 answers in', async () => {
    const a = routesOnA(25);
    const b = [
      eniRoute('10.9.0.0/16', IDS.eniA1),
      eniRoute(IDS.prefixList, IDS.eniA0),
      eniRoute('2001:db8::/32', IDS.eniA0),
    ];
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, a), routeTable(IDS.rtbPrivateB, b)] });
    const first = await run(failoverState());

    ec2Mock.reset();
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [routeTable(IDS.rtbPrivateB, [...b].reverse()), routeTable(IDS.rtbPrivateA, [...a].reverse())],
    });
    const second = await run(failoverState());

    expect(second.batches).toEqual(first.batches);
    // Within a table, routes are in destination order.
    for (const batch of routeBatchesOf(first)) {
      const ds = batch.routes.map((r) => r.d);
      expect(ds).toEqual([...ds].sort((x, y) => x.localeCompare(y)));
    }
  });

  it('is compact: a 2,000-route plan stays far below the 256 KB state limit', async () => {
    const tables = Array.from({ length: 10 }, (_, t) =>
      routeTable(`rtb-0${t.toString(16).padStart(16, '0')}`, routesOnA(200, t * 200)),
    );
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: tables });

    const plan = await run(failoverState());

    expect(plan.changeCount).toBe(2000);
    expect(plan.batches).toHaveLength(100);
    expect(routeBatchesOf(plan).every((b) => b.routes.length === BATCH_SIZE)).toBe(true);
    expect(Buffer.byteLength(JSON.stringify(plan))).toBeLessThan(100 * 1024);
  });
});

describe('listRoutes: failures', () => {
  it(`a route on an interface without a counterpart on the target fails the whole plan \
(UnpairedInterfaceError)`, async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [
          eniRoute('10.1.0.0/16', IDS.eniA0),
          eniRoute('10.3.0.0/16', 'eni-0a0000000000000a2'),
        ]),
      ],
    });
    const state = failoverState();
    state.pairs.push({ slot: '0/2', fromMember: 'router-a', fromEni: 'eni-0a0000000000000a2' });

    const err = await run(state).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(UnpairedInterfaceError);
    expect(err).toMatchObject({ name: 'UnpairedInterfaceError' });
    expect((err as Error).message).toContain('router-b has no interface in the slot');
    expect((err as Error).message).toContain('10.3.0.0/16');
    expect((err as Error).message).toContain('slot 0/2');
    expect((err as Error).message).toContain('Nothing was changed');
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
  });

  it('an unpaired interface that no route uses does not matter', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])] });
    const state = failoverState();
    state.pairs.push({ slot: '0/2', fromMember: 'router-a', fromEni: 'eni-0a0000000000000a2' });
    await expect(run(state)).resolves.toMatchObject({
      changeCount: 1,
      batches: [{ routeTableId: IDS.rtbPrivateA, routes: [{ d: '10.1.0.0/16', p: 0 }] }],
    });
  });

  it('throttling → Ec2ThrottledError', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .rejects(ec2Error('RequestLimitExceeded', { status: 503, message: 'Request limit exceeded.' }));

    const err = await run(failoverState()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Ec2ThrottledError);
    expect((err as Error).message).toContain(`DescribeRouteTables in ${IDS.vpc}: RequestLimitExceeded`);
  });

  it('throttling on the second page → Ec2ThrottledError', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolvesOnce({
        RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])],
        NextToken: 't2',
      })
      .rejectsOnce(ec2Error('RequestLimitExceeded', { status: 503 }));
    await expect(run(failoverState())).rejects.toBeInstanceOf(Ec2ThrottledError);
  });

  it('a 5xx → Ec2TransientError; a permission error → Ec2RequestError', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).rejects(ec2Error('InternalError', { fault: 'server', status: 500 }));
    await expect(run(failoverState())).rejects.toBeInstanceOf(Ec2TransientError);

    ec2Mock.reset();
    ec2Mock.on(DescribeRouteTablesCommand).rejects(ec2Error('UnauthorizedOperation', { status: 403 }));
    await expect(run(failoverState())).rejects.toBeInstanceOf(Ec2RequestError);
  });
});

describe('listRoutes: flap damping (suppressReason from ResolveTargets)', () => {
  const SUPPRESS =
    'flap damping: group "onprem-edge" already failed over automatically 3 time(s) in the last 3600 s (limit 3).';

  it(`refuses a plan that would move routes (FailoverSuppressedError \
naming the members routes still point at)`, async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0), eniRoute('10.2.0.0/16', IDS.eniA1)]),
      ],
    });

    const err = await run(failoverState({ automatic: true, suppressReason: SUPPRESS })).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(FailoverSuppressedError);
    expect(err).toMatchObject({ name: 'FailoverSuppressedError' });
    expect((err as Error).message).toContain(SUPPRESS);
    expect((err as Error).message).toContain('2 route(s) still point at router-a');
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
  });

  it('lets through a plan that moves nothing (every route already on the target)', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniB0)])] });

    const plan = await run(failoverState({ automatic: true, suppressReason: SUPPRESS }));

    expect(plan.batches).toEqual([]);
    expect(plan.alreadyOnTargetCount).toBe(1);
  });
});
