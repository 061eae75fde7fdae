import { DescribeRouteTablesCommand, EC2Client, ReplaceRouteCommand, type Route } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { batchChanges } from '../../functions/domain/plan';
import { parseInput } from '../../functions/contract/parse-input';
import { VerificationSchema, type Batch, type BatchResult } from '../../functions/contract/schemas';
import { verifySwitch, type VerifyInput, VerifyInputSchema } from '../../functions/verify-switch/verify-switch';
import { batchFailure, batchResult, change, IDS, planWith, twoBatches } from '../unit/fixtures';
import { eniRoute, failoverState, FIXED_NOW, igwRoute, localRoute, routeTable } from './ec2-fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'eu-west-1' });

beforeEach(() => ec2Mock.reset());

/** The VerifySwitch input as the state machine builds it (parsed like index.ts does). */
const input = (
  batches: Batch[],
  results: BatchResult[] | undefined,
  alreadyOnTarget: Array<{ routeTableId: string; destinations: string[] }> = [],
): VerifyInput =>
  parseInput(
    VerifyInputSchema,
    {
      ...failoverState(),
      plan: planWith(batches, {
        alreadyOnTarget,
        alreadyOnTargetCount: alreadyOnTarget.reduce((n, a) => n + a.destinations.length, 0),
      }),
      results,
    },
    'VerifySwitch input',
  );

/** Runs verifyRoutes with recorded (instant) re-read delays. */
const harness = (recheckDelaysMs = [1000, 2000, 4000]) => {
  const sleeps: number[] = [];
  return {
    sleeps,
    run: (i: VerifyInput) =>
      verifySwitch(i, {
        ec2,
        now: FIXED_NOW,
        recheckDelaysMs,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      }),
  };
};

/** twoBatches(): 10.1.0.0/16 in rtbPrivateA (eth0) and the prefix list in rtbPrivateB (eth1). */
const tables = (a: Route[], b: Route[]) => ({
  RouteTables: [routeTable(IDS.rtbPrivateA, [localRoute(), ...a]), routeTable(IDS.rtbPrivateB, b)],
});
const bothMoved = () => tables([eniRoute('10.1.0.0/16', IDS.eniB0)], [eniRoute(IDS.prefixList, IDS.eniB1)]);

describe('verifyRoutes: what is read', () => {
  it("reads the group's whole scope once (paginated, within the VPC), and writes nothing", async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves(bothMoved());
    const [b1, b2] = twoBatches();

    await harness().run(input([b1, b2], [batchResult(b1), batchResult(b2)]));

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }],
      MaxResults: 100,
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
  });

  it('also reads the tables of routes that were already on the target', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniB0)]),
        routeTable(IDS.rtbPublic, [eniRoute('10.5.0.0/16', IDS.eniB1)]),
      ],
    });
    const [b1] = twoBatches();

    const v = await harness().run(
      input([b1], [batchResult(b1)], [{ routeTableId: IDS.rtbPublic, destinations: ['10.5.0.0/16'] }]),
    );

    expect(v).toMatchObject({ checked: 2, ok: true, mismatches: 0 });
  });
});

describe('verifyRoutes: only problems are listed, every route is counted', () => {
  it('all where the plan wants them: checked counts them, observed is empty', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves(bothMoved());
    const [b1, b2] = twoBatches();

    const v = await harness().run(input([b1, b2], [batchResult(b1), batchResult(b2)]));

    expect(v).toEqual({
      checked: 2,
      ok: true,
      mismatches: 0,
      rounds: 1,
      observed: [],
      invariant: {
        tables: 2,
        routes: 2,
        findings: 0,
        split: 0,
        summary:
          'checked 2 route(s) to an interface in 2 table(s) in reach: none leads to a member other than router-b or ' +
          'is blackhole on a member',
      },
      verifiedAt: FIXED_NOW().toISOString(),
    });
    expect(VerificationSchema.parse(v)).toEqual(v);
  });

  it('a replaced route that is blackhole or elsewhere is listed with the problem', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves(
        tables([eniRoute('10.1.0.0/16', IDS.eniB0, { State: 'blackhole' })], [eniRoute(IDS.prefixList, IDS.eniA1)]),
      );
    const [b1, b2] = twoBatches();

    const { run } = harness([]);
    const v = await run(input([b1, b2], [batchResult(b1), batchResult(b2)]));

    expect(v).toMatchObject({ checked: 2, ok: false, mismatches: 2 });
    expect(v.observed).toEqual([
      {
        routeTableId: IDS.rtbPrivateA,
        destination: { kind: 'ipv4', value: '10.1.0.0/16' },
        target: IDS.eniB0,
        state: 'blackhole',
        expected: 'target',
        ok: false,
        problem: `blackhole: ${IDS.eniB0} cannot carry traffic`,
      },
      {
        routeTableId: IDS.rtbPrivateB,
        destination: { kind: 'prefix-list', value: IDS.prefixList },
        target: IDS.eniA1,
        state: 'active',
        expected: 'target',
        ok: false,
        problem: `points at ${IDS.eniA1}, expected new interface ${IDS.eniB1}`,
      },
    ]);
  });

  it('a replaced route that is missing, or whose table is missing, is a problem', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [localRoute()])] });
    const [b1, b2] = twoBatches();

    const v = await harness([]).run(input([b1, b2], [batchResult(b1), batchResult(b2)]));

    expect(v.observed.map((o) => [o.routeTableId, o.problem])).toEqual([
      [IDS.rtbPrivateA, 'route is missing'],
      [IDS.rtbPrivateB, 'route table is missing'],
    ]);
  });

  it(`lists at most 200 problems, while checked and mismatches count them all`, async () => {
    const changes = Array.from({ length: 250 }, (_, i) =>
      change({ destination: { kind: 'ipv4', value: `10.${100 + Math.floor(i / 200)}.${i % 200}.0/24` } }),
    );
    const batches = batchChanges(changes, failoverState().pairs);
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(
          IDS.rtbPrivateA,
          changes.map((c) => eniRoute(c.destination.value, IDS.eniB0, { State: 'blackhole' })),
        ),
      ],
    });

    const v = await harness([]).run(
      input(
        batches,
        batches.map((b) => batchResult(b)),
      ),
    );

    expect(v).toMatchObject({ checked: 250, ok: false, mismatches: 250 });
    expect(v.observed).toHaveLength(200);
    expect(v.observed.every((o) => !o.ok)).toBe(true);
  });
});

describe('verifyRoutes: what each outcome must look like', () => {
  it(`conflict: expected untouched; a route pointing at a third \
target is fine (left alone on purpose), and so is a gone one`, async () => {
    const b: Batch = {
      id: 0,
      routeTableId: IDS.rtbPrivateA,
      routes: [
        { d: '0.0.0.0/0', p: 0 },
        { d: '10.2.0.0/16', p: 1 },
      ],
    };
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [igwRoute()])] });

    const v = await harness().run(
      input(
        [b],
        [
          batchResult(b, [
            { i: 0, st: 'conflict', e: 'points at igw-… now' },
            { i: 1, st: 'conflict', e: 'points at eni-… now' },
          ]),
        ],
      ),
    );

    expect(v).toMatchObject({ checked: 2, ok: true, mismatches: 0, rounds: 1, observed: [] });
  });

  it('vanished: expected absent, and absent is fine', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves(tables([], [eniRoute(IDS.prefixList, IDS.eniB1)]));
    const [b1, b2] = twoBatches();

    const v = await harness().run(
      input(
        [b1, b2],
        [batchResult(b1, [{ i: 0, st: 'vanished', a: 1, e: 'There is no route defined' }]), batchResult(b2)],
      ),
    );

    expect(v).toMatchObject({ checked: 2, ok: true, observed: [], rounds: 1 });
  });

  it('dry run: expected unchanged on the source interface; a route that moved anyway is a problem', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves(tables([eniRoute('10.1.0.0/16', IDS.eniA0)], [eniRoute(IDS.prefixList, IDS.eniB1)]));
    const [b1, b2] = twoBatches();

    const v = await harness().run(input([b1, b2], [batchResult(b1, [], 'dry-run'), batchResult(b2, [], 'dry-run')]));

    expect(v).toMatchObject({ checked: 2, ok: false, mismatches: 1, rounds: 1 });
    expect(v.observed).toEqual([
      expect.objectContaining({
        routeTableId: IDS.rtbPrivateB,
        expected: 'source',
        target: IDS.eniB1,
        problem: `points at ${IDS.eniB1}, expected unchanged interface ${IDS.eniA1}`,
      }),
    ]);
  });

  it('already on target (found by PlanSwitch): must be on a target interface and not blackhole', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPublic, [
          eniRoute('10.5.0.0/16', IDS.eniB1),
          eniRoute('10.6.0.0/16', IDS.eniB0, { State: 'blackhole' }),
          eniRoute('10.7.0.0/16', IDS.eniA0),
        ]),
      ],
    });

    const v = await harness().run(
      input([], [], [{ routeTableId: IDS.rtbPublic, destinations: ['10.5.0.0/16', '10.6.0.0/16', '10.7.0.0/16'] }]),
    );

    expect(v).toMatchObject({ checked: 3, mismatches: 2 });
    expect(v.observed.map((o) => [o.destination.value, o.problem])).toEqual([
      ['10.6.0.0/16', `blackhole: ${IDS.eniB0} cannot carry traffic`],
      ['10.7.0.0/16', `points at ${IDS.eniA0}, expected new interface of the target`],
    ]);
  });

  it('the Map failed as a whole (no results): every planned route must be on the target', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves(tables([eniRoute('10.1.0.0/16', IDS.eniB0)], [eniRoute(IDS.prefixList, IDS.eniA1)]));
    const [b1, b2] = twoBatches();

    const v = await harness().run(input([b1, b2], undefined));

    expect(v).toMatchObject({ checked: 2, mismatches: 1, rounds: 1 });
    expect(v.observed[0]).toMatchObject({ routeTableId: IDS.rtbPrivateB, expected: 'target' });
  });

  it(`a batch that failed as a whole (RecordBatchFailure): \
its routes are checked, a route that did move is fine`, async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves(bothMoved());
    const [b1, b2] = twoBatches();

    const v = await harness().run(
      input([b1, b2], [batchResult(b1), batchFailure(b2, 'Ec2ThrottledError', 'RequestLimitExceeded')]),
    );

    expect(v).toMatchObject({ checked: 2, ok: true, observed: [] });
  });
});

describe('verifyRoutes: eventual consistency', () => {
  it('re-reads while a just-replaced route does not read back yet, with the configured delays', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolvesOnce(tables([eniRoute('10.1.0.0/16', IDS.eniA0)], [eniRoute(IDS.prefixList, IDS.eniB1)]))
      .resolves(bothMoved());
    const [b1, b2] = twoBatches();

    const { run, sleeps } = harness([500, 1500]);
    const v = await run(input([b1, b2], [batchResult(b1), batchResult(b2)]));

    expect(sleeps).toEqual([500]);
    expect(v).toMatchObject({ ok: true, rounds: 2, observed: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 2);
  });

  it('gives up after the last delay and reports the route', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves(tables([eniRoute('10.1.0.0/16', IDS.eniA0)], [eniRoute(IDS.prefixList, IDS.eniB1)]));
    const [b1, b2] = twoBatches();

    const { run, sleeps } = harness([500, 1500]);
    const v = await run(input([b1, b2], [batchResult(b1), batchResult(b2)]));

    expect(sleeps).toEqual([500, 1500]);
    expect(v).toMatchObject({ ok: false, mismatches: 1, rounds: 3 });
  });

  it('does not wait for routes whose write failed or that were never written (they cannot settle)', async () => {
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves(tables([eniRoute('10.1.0.0/16', IDS.eniA0)], [eniRoute(IDS.prefixList, IDS.eniA1)]));
    const [b1, b2] = twoBatches();

    const { run, sleeps } = harness([500, 1500]);
    const v = await run(
      input(
        [b1, b2],
        [
          batchResult(b1, [{ i: 0, st: 'failed', a: 1, e: 'UnauthorizedOperation' }]),
          batchFailure(b2, 'States.Timeout', 'timed out'),
        ],
      ),
    );

    expect(sleeps).toEqual([]);
    expect(v).toMatchObject({ ok: false, mismatches: 2, rounds: 1 });
  });
});
