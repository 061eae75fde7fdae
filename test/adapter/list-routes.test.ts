import { DescribeRouteTablesCommand, DescribeRouteTablesCommandInput, EC2Client, ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { listRoutes } from '../../functions/list-routes/list-routes';
import { Ec2RequestError, Ec2ThrottledError, Ec2TransientError, FailoverSuppressedError, UnpairedInterfaceError } from '../../functions/shared/errors';
import type { FailoverState } from '../../functions/shared/schemas';
import { GROUP, IDS } from '../unit/fixtures';
import { ec2Error, eniRoute, failoverState, FIXED_NOW, igwRoute, localRoute, routeTable } from './ec2-fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'eu-west-1' });

beforeEach(() => ec2Mock.reset());

const run = (state: FailoverState) => listRoutes(state, { ec2, now: FIXED_NOW });

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
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, { Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }] });
    // EC2 has no filter on a route's ENI: nothing but the VPC (and scope) is filtered server side.
    const filters = ec2Mock.commandCalls(DescribeRouteTablesCommand)[0].args[0].input.Filters ?? [];
    expect(filters.map((f) => f.Name)).toEqual(['vpc-id']);
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
  });

  it('adds a tag:K filter for a tag-scoped group', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });

    await run(failoverState({ group: { name: GROUP, vpcId: IDS.vpc, routeTables: { tag: { key: 'failover-group', value: GROUP } } } }));

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'vpc-id', Values: [IDS.vpc] },
        { Name: 'tag:failover-group', Values: [GROUP] },
      ],
    });
  });

  it('adds a route-table-id filter for an ID-scoped group, and warns about configured tables not found', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])] });

    const plan = await run(failoverState({ group: { name: GROUP, vpcId: IDS.vpc, routeTables: { ids: [IDS.rtbPrivateA, IDS.rtbPrivateB] } } }));

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'vpc-id', Values: [IDS.vpc] },
        { Name: 'route-table-id', Values: [IDS.rtbPrivateA, IDS.rtbPrivateB] },
      ],
    });
    expect(plan.changes).toHaveLength(1);
    expect(plan.warnings).toEqual([`configured route table(s) not found in ${IDS.vpc}: ${IDS.rtbPrivateB}`]);
  });

  it('splits a long route table list into batches of filter values', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    const ids = Array.from({ length: 150 }, (_, i) => `rtb-0${i.toString(16).padStart(16, '0')}`);

    await run(failoverState({ group: { name: GROUP, vpcId: IDS.vpc, routeTables: { ids } } }));

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 2);
    const values = ec2Mock.commandCalls(DescribeRouteTablesCommand).map((c) => c.args[0].input.Filters?.find((f) => f.Name === 'route-table-id')?.Values ?? []);
    expect(values.map((v) => v.length)).toEqual([100, 50]);
    expect(values.flat()).toEqual(ids);
  });

  it('follows NextToken across pages and plans routes from every page', async () => {
    const sent = recordRequests([
      { RouteTables: [routeTable(IDS.rtbPrivateA, [localRoute(), eniRoute('10.1.0.0/16', IDS.eniA0)])], NextToken: 'page-2-token' },
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
    expect(plan.changes.map((c) => [c.routeTableId, c.destination.value, c.toEni])).toEqual([
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

    expect(plan.changes).toEqual([
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
    expect(plan.warnings).toEqual([]);
    expect(plan.routesScanned).toBe(5);
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

    expect(plan.changes.map((c) => [c.destination, c.fromEni, c.toEni])).toEqual(
      expect.arrayContaining([
        [{ kind: 'ipv4', value: '10.1.0.0/16' }, IDS.eniA0, IDS.eniB0],
        [{ kind: 'ipv6', value: '2001:db8:1234::/48' }, IDS.eniA0, IDS.eniB0],
        [{ kind: 'prefix-list', value: IDS.prefixList }, IDS.eniA1, IDS.eniB1],
      ]),
    );
    expect(plan.changes).toHaveLength(3);
  });

  it('skips propagated and local routes with the reason', async () => {
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

    expect(plan.changes.map((c) => c.destination.value)).toEqual(['10.1.0.0/16']);
    expect(plan.skipped).toEqual([
      { routeTableId: IDS.rtbPrivateA, destination: { kind: 'ipv4', value: '10.0.0.0/16' }, eni: IDS.eniA1, member: 'router-a', reason: 'local route of the VPC (not moved)' },
      {
        routeTableId: IDS.rtbPrivateA,
        destination: { kind: 'ipv4', value: '192.168.0.0/16' },
        eni: IDS.eniA0,
        member: 'router-a',
        reason: 'propagated route (owned by the virtual private gateway)',
      },
    ]);
  });

  it('counts routes already on the target instead of replacing them', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniB0), eniRoute('10.2.0.0/16', IDS.eniA1)]),
        routeTable(IDS.rtbPrivateB, [eniRoute(IDS.prefixList, IDS.eniB1)]),
      ],
    });

    const plan = await run(failoverState());

    expect(plan.changes.map((c) => c.destination.value)).toEqual(['10.2.0.0/16']);
    expect(plan.alreadyOnTarget).toEqual([
      { routeTableId: IDS.rtbPrivateA, destination: { kind: 'ipv4', value: '10.1.0.0/16' }, eni: IDS.eniB0, member: 'router-b' },
      { routeTableId: IDS.rtbPrivateB, destination: { kind: 'prefix-list', value: IDS.prefixList }, eni: IDS.eniB1, member: 'router-b' },
    ]);
  });

  it('is empty (with a warning) when no route table is in scope', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    const plan = await run(failoverState());
    expect(plan.changes).toEqual([]);
    expect(plan.warnings).toEqual([`no route table in scope for group ${GROUP} in ${IDS.vpc}`]);
  });

  it('moves routes of several source members (manual switchover in a three-member group)', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0), eniRoute('10.2.0.0/16', IDS.eniB0)])],
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

    expect(plan.changes.map((c) => [c.fromMember, c.fromEni, c.toMember, c.toEni])).toEqual([
      ['router-a', IDS.eniA0, 'router-c', IDS.eniC0],
      ['router-b', IDS.eniB0, 'router-c', IDS.eniC0],
    ]);
  });
});

describe('listRoutes: failures', () => {
  it('a route on an interface without a counterpart on the target fails the whole plan (UnpairedInterfaceError)', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0), eniRoute('10.3.0.0/16', 'eni-0a0000000000000a2')])],
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
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])] });
    const state = failoverState();
    state.pairs.push({ slot: '0/2', fromMember: 'router-a', fromEni: 'eni-0a0000000000000a2' });
    await expect(run(state)).resolves.toMatchObject({ changes: [expect.objectContaining({ fromEni: IDS.eniA0 })] });
  });

  it('throttling → Ec2ThrottledError', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).rejects(ec2Error('RequestLimitExceeded', { status: 503, message: 'Request limit exceeded.' }));

    const err = await run(failoverState()).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Ec2ThrottledError);
    expect((err as Error).message).toContain(`DescribeRouteTables in ${IDS.vpc}: RequestLimitExceeded`);
  });

  it('throttling on the second page → Ec2ThrottledError', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolvesOnce({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])], NextToken: 't2' })
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
  const SUPPRESS = 'flap damping: group "onprem-edge" already failed over automatically 3 time(s) in the last 3600 s (limit 3).';

  it('refuses a plan that would move routes (FailoverSuppressedError naming the members routes still point at)', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0), eniRoute('10.2.0.0/16', IDS.eniA1)])],
    });

    const err = await run(failoverState({ automatic: true, suppressReason: SUPPRESS })).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(FailoverSuppressedError);
    expect(err).toMatchObject({ name: 'FailoverSuppressedError' });
    expect((err as Error).message).toContain(SUPPRESS);
    expect((err as Error).message).toContain('2 route(s) still point at router-a');
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
  });

  it('lets through a plan that moves nothing (every route already on the target)', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniB0)])] });

    const plan = await run(failoverState({ automatic: true, suppressReason: SUPPRESS }));

    expect(plan.changes).toEqual([]);
    expect(plan.alreadyOnTarget).toHaveLength(1);
  });
});
