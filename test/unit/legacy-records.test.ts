import { summarizeExit } from '../../cli/route-failover/progress';
import { moveResultsOf } from '../../functions/domain/associations';
import { resultsOf } from '../../functions/domain/plan';
import type { Plan } from '../../functions/contract/schemas';

/**
 * Executions of the previous version ran association batches and route batches in two Maps, with ids counted
 * apart (`plan.associationBatches` / `associationResults` beside `plan.batches` / `results`) and named their
 * states ListRoutes, ReplaceAssociationBatches, ReplaceRouteBatches, VerifyRoutes. `history` still reads them.
 */
const move = { a: 'rtbassoc-1', f: 'rtb-orig', t: 'rtb-twin', o: 'rtb-orig', s: 'subnet-1' };
const routeBatch = { id: 0, routeTableId: 'rtb-fallback', routes: [{ d: '10.0.0.0/16', p: 0 }] };
const pairs = [{ slot: '0:0', fromMember: 'router-a', fromEni: 'eni-a', toEni: 'eni-b' }] as never;
const base = {
  changeCount: 1,
  alreadyOnTarget: [],
  alreadyOnTargetCount: 0,
  skipped: [],
  warnings: [],
  routeTablesScanned: 2,
  routesScanned: 2,
  listedAt: '2026-01-01T00:00:00.000Z',
};

describe('records of the previous version (two Maps)', () => {
  const legacy = { ...base, associationBatches: [{ id: 0, moves: [move] }], batches: [routeBatch] } as Plan;

  it('pairs each kind with its own results, though both batches are numbered 0', () => {
    const routeResult = { id: 0, routeTableId: 'rtb-fallback', usual: 'replaced' as const, exceptions: [] };
    expect(
      moveResultsOf(legacy, [routeResult], [{ id: 0, r: [{ st: 'moved', a: 1 }] }]).map((m) => [m.move.s, m.status]),
    ).toEqual([['subnet-1', 'moved']]);
    expect([...resultsOf(legacy, pairs, 'router-b', [routeResult]).values()].map((r) => r.status)).toEqual([
      'replaced',
    ]);
  });

  it('the one Map of this version: ids counted on across the kinds, every result in `results`', () => {
    const plan = {
      ...base,
      batches: [
        { id: 0, moves: [move] },
        { ...routeBatch, id: 1 },
      ],
    } as Plan;
    const results = [
      { id: 0, r: [{ st: 'failed' as const, a: 1, x: 0 }], errors: ['refused'], exceptions: [] },
      { id: 1, routeTableId: 'rtb-fallback', usual: 'replaced' as const, exceptions: [] },
    ];
    expect(moveResultsOf(plan, results).map((m) => [m.status, m.error])).toEqual([['failed', 'refused']]);
    expect([...resultsOf(plan, pairs, 'router-b', results).values()].map((r) => r.status)).toEqual(['replaced']);
  });

  it('history names the old states as before', () => {
    expect(
      summarizeExit('ReplaceAssociationBatches', {
        associationResults: [{ id: 0, r: [{ st: 'moved' }, { st: 'moved' }] }],
      }),
    ).toBe('2 moved');
    expect(summarizeExit('ReplaceRouteBatches', { results: [{ id: 0, counts: { replaced: 3 } }] })).toBe('3 replaced');
    expect(summarizeExit('ListRoutes', { plan: { ...base, changeCount: 3, batches: [] } })).toBe(
      '3 to move, 0 already on target, 0 skipped',
    );
    expect(summarizeExit('VerifyRoutes', { verification: { checked: 3, mismatches: 0 } })).toBe(
      '3 read back, 0 mismatch(es)',
    );
  });
});
