import {
  BATCH_SIZE,
  batchChanges,
  destinationOf,
  expandBatch,
  expandPlan,
  resultsOf,
} from '../../functions/domain/plan';
import { routeKey } from '../../functions/domain/routes';
import { BatchSchema, PlanSchema, type Change, type InterfacePair } from '../../functions/contract/schemas';
import {
  batchFailure,
  batchResult,
  change,
  IDS,
  lambdaCause,
  planWith,
  resolvedState,
  twoBatches,
  twoChanges,
} from './fixtures';

const pairs = (): InterfacePair[] => resolvedState().pairs!;

/** `n` IPv4 changes of one table, alternating eth0/eth1, every third one blackhole. */
const manyChanges = (routeTableId: string, n: number): Change[] =>
  Array.from({ length: n }, (_, i) =>
    change({
      routeTableId,
      destination: { kind: 'ipv4', value: `10.${Math.floor(i / 256)}.${i % 256}.0/24` },
      fromEni: i % 2 ? IDS.eniA1 : IDS.eniA0,
      toEni: i % 2 ? IDS.eniB1 : IDS.eniB0,
      stateBefore: i % 3 === 0 ? 'blackhole' : 'active',
    }),
  );

describe('destinationOf', () => {
  it.each([
    ['10.1.0.0/16', 'ipv4'],
    ['0.0.0.0/0', 'ipv4'],
    ['2001:db8:1234::/48', 'ipv6'],
    ['::/0', 'ipv6'],
    [IDS.prefixList, 'prefix-list'],
  ])('%s is %s', (value, kind) => {
    expect(destinationOf(value)).toEqual({ kind, value });
  });
});

describe('batchChanges', () => {
  it('turns each change into a destination and the index of its interface pair, b: 1 only for blackhole', () => {
    const [c1, c2] = twoChanges();
    const blackhole = change({
      destination: { kind: 'ipv6', value: '2001:db8::/32' },
      fromEni: IDS.eniA1,
      toEni: IDS.eniB1,
      stateBefore: 'blackhole',
    });

    const batches = batchChanges([c1, blackhole, c2], pairs());

    expect(batches).toEqual([
      {
        id: 0,
        routeTableId: IDS.rtbPrivateA,
        routes: [
          { d: '10.1.0.0/16', p: 0 },
          { d: '2001:db8::/32', p: 1, b: 1 },
        ],
      },
      { id: 1, routeTableId: IDS.rtbPrivateB, routes: [{ d: IDS.prefixList, p: 1 }] },
    ]);
    expect(batches[0].routes[0]).not.toHaveProperty('b');
    for (const b of batches) expect(BatchSchema.safeParse(b).success).toBe(true);
  });

  it(`cuts a table into batches of at most ${BATCH_SIZE} \
routes, one table per batch, tables in ID order, ids 0..n`, () => {
    const changes = [...manyChanges(IDS.rtbPrivateB, 45), ...manyChanges(IDS.rtbPrivateA, 3)];

    const batches = batchChanges(changes, pairs());

    expect(BATCH_SIZE).toBe(20);
    expect(batches.map((b) => [b.id, b.routeTableId, b.routes.length])).toEqual([
      [0, IDS.rtbPrivateA, 3],
      [1, IDS.rtbPrivateB, 20],
      [2, IDS.rtbPrivateB, 20],
      [3, IDS.rtbPrivateB, 5],
    ]);
    // Within a table the order of the changes is kept (PlanSwitch sorts them first).
    expect(batches.slice(1).flatMap((b) => b.routes.map((r) => r.d))).toEqual(
      changes.slice(0, 45).map((c) => c.destination.value),
    );
  });

  it('honours a smaller batch size', () => {
    expect(batchChanges(manyChanges(IDS.rtbPrivateA, 5), pairs(), 2).map((b) => b.routes.length)).toEqual([2, 2, 1]);
  });

  it('is empty for no change', () => {
    expect(batchChanges([], pairs())).toEqual([]);
  });

  it('refuses a change whose interface has no pair', () => {
    expect(() => batchChanges([change({ fromEni: 'eni-0ffffffffffffffff' })], pairs())).toThrow(
      /no interface pair for eni-0ffffffffffffffff/,
    );
  });
});

describe('expandBatch / expandPlan', () => {
  it('round trip: expand(batch(changes)) gives the changes back, in batch order', () => {
    const changes = [...manyChanges(IDS.rtbPrivateA, 23), ...manyChanges(IDS.rtbPrivateB, 2)];
    const batches = batchChanges(changes, pairs());

    expect(batches.flatMap((b) => expandBatch(b, pairs(), 'router-b'))).toEqual(changes);
    expect(expandPlan(planWith(batches), pairs(), 'router-b')).toEqual(changes);
  });

  it('round trip of IPv6 and prefix-list destinations', () => {
    const changes = [
      change({ destination: { kind: 'ipv6', value: '2001:db8:1234::/48' } }),
      change({ destination: { kind: 'prefix-list', value: IDS.prefixList } }),
    ];
    expect(expandPlan(planWith(batchChanges(changes, pairs())), pairs(), 'router-b')).toEqual(changes);
  });

  it('the fixtures agree: twoBatches() is twoChanges() planned', () => {
    expect(batchChanges(twoChanges(), pairs())).toEqual(twoBatches());
    expect(expandPlan(planWith(twoBatches()), pairs(), 'router-b')).toEqual(twoChanges());
  });

  it('takes interfaces and members from the pair, the target name from the caller, and active unless b: 1', () => {
    const threeWay: InterfacePair[] = [
      { slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniC0 },
      { slot: '0/0', fromMember: 'router-b', fromEni: IDS.eniB0, toEni: IDS.eniC0 },
    ];
    const out = expandBatch(
      {
        id: 7,
        routeTableId: IDS.rtbPublic,
        routes: [
          { d: '10.1.0.0/16', p: 1, b: 1 },
          { d: '10.2.0.0/16', p: 0 },
        ],
      },
      threeWay,
      'router-c',
    );

    expect(out).toEqual([
      {
        routeTableId: IDS.rtbPublic,
        destination: { kind: 'ipv4', value: '10.1.0.0/16' },
        fromEni: IDS.eniB0,
        fromMember: 'router-b',
        toEni: IDS.eniC0,
        toMember: 'router-c',
        stateBefore: 'blackhole',
      },
      {
        routeTableId: IDS.rtbPublic,
        destination: { kind: 'ipv4', value: '10.2.0.0/16' },
        fromEni: IDS.eniA0,
        fromMember: 'router-a',
        toEni: IDS.eniC0,
        toMember: 'router-c',
        stateBefore: 'active',
      },
    ]);
  });

  it('refuses a batch that names a missing or unpaired interface pair', () => {
    const unpaired: InterfacePair[] = [
      ...pairs(),
      { slot: '0/2', fromMember: 'router-a', fromEni: 'eni-0a0000000000000a2' },
    ];
    expect(() =>
      expandBatch({ id: 4, routeTableId: IDS.rtbPrivateA, routes: [{ d: '10.1.0.0/16', p: 5 }] }, pairs(), 'router-b'),
    ).toThrow(/batch 4: pair 5 is missing or unpaired/);
    expect(() =>
      expandBatch({ id: 4, routeTableId: IDS.rtbPrivateA, routes: [{ d: '10.1.0.0/16', p: 2 }] }, unpaired, 'router-b'),
    ).toThrow(/pair 2 is missing or unpaired/);
  });

  it('the plan schema accepts the compact form and rejects an empty batch', () => {
    expect(PlanSchema.safeParse(planWith(twoBatches())).success).toBe(true);
    expect(BatchSchema.safeParse({ id: 0, routeTableId: IDS.rtbPrivateA, routes: [] }).success).toBe(false);
    expect(
      BatchSchema.safeParse({ id: 0, routeTableId: IDS.rtbPrivateA, routes: [{ d: '10.1.0.0/16', p: 0, b: 2 }] })
        .success,
    ).toBe(false);
  });
});

describe('resultsOf', () => {
  const keyOf = (c: Change) => routeKey(c.routeTableId, c.destination);
  /** Three routes in rtbPrivateA (batch 0) and the prefix-list route in rtbPrivateB (batch 1). */
  const threeAndOne = () => {
    const b0 = {
      id: 0,
      routeTableId: IDS.rtbPrivateA,
      routes: [
        { d: '10.1.0.0/16', p: 0 },
        { d: '10.2.0.0/16', p: 1 },
        { d: '10.3.0.0/16', p: 0, b: 1 as const },
      ],
    };
    const b1 = twoBatches()[1];
    return { b0, b1, plan: planWith([b0, b1]) };
  };

  it('every route not listed in exceptions has the usual status after one call', () => {
    const { b0, b1, plan } = threeAndOne();

    const results = resultsOf(plan, pairs(), 'router-b', [batchResult(b0), batchResult(b1)]);

    expect([...results.values()].map((r) => [r.change.destination.value, r.status, r.attempts, r.error])).toEqual([
      ['10.1.0.0/16', 'replaced', 1, undefined],
      ['10.2.0.0/16', 'replaced', 1, undefined],
      ['10.3.0.0/16', 'replaced', 1, undefined],
      [IDS.prefixList, 'replaced', 1, undefined],
    ]);
    expect(results.get(routeKey(IDS.rtbPrivateA, { kind: 'ipv4', value: '10.3.0.0/16' }))?.change).toMatchObject({
      stateBefore: 'blackhole',
      toEni: IDS.eniB0,
      toMember: 'router-b',
    });
  });

  it('exceptions override the usual status by route index, with their attempts and error', () => {
    const { b0, b1, plan } = threeAndOne();
    const results = resultsOf(plan, pairs(), 'router-b', [
      batchResult(b0, [
        { i: 0, st: 'replaced', a: 3 },
        { i: 2, st: 'failed', a: 1, e: 'UnauthorizedOperation: You are not authorized to perform this operation.' },
      ]),
      batchResult(b1, [{ i: 0, st: 'conflict', e: 'points at igw-0123456789abcdef0 now' }]),
    ]);

    const list = [...results.values()];
    expect(list.map((r) => [r.status, r.attempts, r.error])).toEqual([
      ['replaced', 3, undefined],
      ['replaced', 1, undefined],
      ['failed', 1, 'UnauthorizedOperation: You are not authorized to perform this operation.'],
      ['conflict', undefined, 'points at igw-0123456789abcdef0 now'],
    ]);
  });

  it('a dry-run batch: dry-run is the usual status', () => {
    const { b0, b1, plan } = threeAndOne();
    const results = resultsOf(plan, pairs(), 'router-b', [
      batchResult(b0, [], 'dry-run'),
      batchResult(b1, [{ i: 0, st: 'failed', a: 1, e: 'UnauthorizedOperation' }], 'dry-run'),
    ]);
    expect([...results.values()].map((r) => r.status)).toEqual(['dry-run', 'dry-run', 'dry-run', 'failed']);
  });

  it(`a batch that failed as a whole (RecordBatchFailure): \
every route failed with the error and the unwrapped cause`, () => {
    const { b0, b1, plan } = threeAndOne();
    const results = resultsOf(plan, pairs(), 'router-b', [
      batchFailure(
        b0,
        'Ec2ThrottledError',
        lambdaCause(
          'Ec2ThrottledError',
          `ReplaceRoute ${IDS.rtbPrivateA} 10.2.0.0/16: RequestLimitExceeded after 8 attempt(s)`,
        ),
      ),
      batchResult(b1),
    ]);

    const list = [...results.values()];
    expect(list.slice(0, 3).map((r) => r.status)).toEqual(['failed', 'failed', 'failed']);
    for (const r of list.slice(0, 3)) {
      expect(r.error).toBe(
        `Ec2ThrottledError: ReplaceRoute ${IDS.rtbPrivateA} 10.2.0.0/16: RequestLimitExceeded after 8 attempt(s)`,
      );
      expect(r.attempts).toBeUndefined();
    }
    expect(list[3]).toMatchObject({ status: 'replaced', attempts: 1 });
  });

  it('a batch with no result (the Map stopped first) is not-attempted', () => {
    const { b1, plan } = threeAndOne();
    const results = resultsOf(plan, pairs(), 'router-b', [batchResult(b1)]);
    expect([...results.values()].map((r) => r.status)).toEqual([
      'not-attempted',
      'not-attempted',
      'not-attempted',
      'replaced',
    ]);
    expect([...results.values()][0].error).toBeUndefined();

    expect([...resultsOf(plan, pairs(), 'router-b', undefined).values()].map((r) => r.status)).toEqual(
      Array(4).fill('not-attempted'),
    );
  });

  it('matches results to batches by id, not by position in the Map output', () => {
    const { b0, b1, plan } = threeAndOne();
    const results = resultsOf(plan, pairs(), 'router-b', [
      batchResult(b1, [{ i: 0, st: 'vanished', a: 1, e: 'gone' }]),
      batchResult(b0),
    ]);
    expect([...results.values()].map((r) => r.status)).toEqual(['replaced', 'replaced', 'replaced', 'vanished']);
  });

  it('is keyed by route (table and destination)', () => {
    const [c1, c2] = twoChanges();
    const [b1, b2] = twoBatches();
    const results = resultsOf(planWith([b1, b2]), pairs(), 'router-b', [batchResult(b1), batchResult(b2)]);
    expect([...results.keys()]).toEqual([keyOf(c1), keyOf(c2)]);
    expect(results.get(keyOf(c2))?.change).toEqual(c2);
  });
});
