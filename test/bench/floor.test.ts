import { runFloorCase } from '../../bench/floor';

describe('floor benchmark (documented EC2 limits, virtual clock)', () => {
  it('the workflow meets the floor goals at 100 routes; the classic script does not switch them all', async () => {
    const base = { routes: 100, groups: 1, latencyMs: 50, taskOverheadMs: 50 };
    const workflow = await runFloorCase({ ...base, variant: 'workflow' });
    expect(workflow.floorMs).toBe(10_000);
    expect(workflow.switched).toBe(100);
    expect(workflow.goals).toEqual({ makespan: true, throttled: true, calls: true });
    // The priority tables' routes go out in the burst.
    expect(workflow.priorityTts!.max).toBeLessThan(1000);
    const classic = await runFloorCase({ ...base, variant: 'classic+retry' });
    expect(classic.switched).toBeLessThan(100);
    expect(classic.goals.makespan).toBe(false);
  }, 60_000);

  it(`at 16 routes (inside the burst) the writes after the reads \
take one round trip plus the batch Task, within the goal`, async () => {
    const workflow = await runFloorCase({
      routes: 16,
      groups: 1,
      latencyMs: 50,
      taskOverheadMs: 50,
      variant: 'workflow',
    });
    expect(workflow.floorMs).toBe(50);
    expect(workflow.switched).toBe(16);
    // The whole run (Task states before and after the writes) is longer than the span the floor bounds.
    expect(workflow.makespanMs).toBeGreaterThan(workflow.writePhaseMs);
    expect(workflow.writePhaseMs).toBeLessThanOrEqual(1.05 * 50 + 4 * 50);
    expect(workflow.goals).toEqual({ makespan: true, throttled: true, calls: true });
  }, 60_000);
});
