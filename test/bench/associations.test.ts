import { associationsTable, runAssociationsCase } from '../../bench/associations';

describe('associations-mode benchmark', () => {
  it(`within one burst: every subnet switched within 3 round trips after \
planning, one ReplaceRouteTableAssociation each, no ReplaceRoute`, async () => {
    const r = await runAssociationsCase({ routes: 500, routeTables: 50, latencyMs: 50, taskOverheadMs: 50 });
    expect(r).toMatchObject({ associations: 50, switchedSubnets: 50, throttled: 0, goal: true });
    expect(r.calls.ReplaceRouteTableAssociation).toBe(50);
    expect(r.calls.ReplaceRoute).toBeUndefined();
    expect(r.afterPlanningMs).toBeLessThanOrEqual(3 * 100);
    expect(r.routeFloorMs / r.afterPlanningMs).toBeGreaterThanOrEqual(100);
  });

  it("beyond one burst: paced at EC2's refill, never throttled, within the association floor", async () => {
    const r = await runAssociationsCase({ routes: 600, routeTables: 60, latencyMs: 50, taskOverheadMs: 50 });
    expect(r).toMatchObject({ associations: 60, switchedSubnets: 60, throttled: 0, goal: true });
    expect(r.associationFloorMs).toBe(2000);
    expect(r.afterPlanningMs).toBeGreaterThanOrEqual(r.associationFloorMs);
    expect(associationsTable([r], 50, 50).rows[0].at(-1)).toBe('✓');
  });
});
