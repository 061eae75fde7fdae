import { parseArgs } from '../../bench/options';
import { runDetectionBench } from '../../bench/detection';
import { DETECTION_SETTINGS, defaultLatencyModel, measuredInitMs } from '../../bench/detection-model';
import { runDetectionSample } from '../../bench/detection-sample';
import { detectionTable } from '../../bench/detection-table';

/**
 * The detection benchmark on a few samples: the real probe loop and the real workflow on one virtual clock. The
 * figures are the benchmark's (npm run bench -- --detection); these check that what it measures is real: routes
 * moved and verified, one execution, the order of the milestones, and the outage-length rule.
 */

const model = defaultLatencyModel();
const [defaults] = DETECTION_SETTINGS;

describe('detection benchmark', () => {
  it(
    "one failure, end to end: detected within the detector's bound, then the routes moved and verified, " +
      'by one execution',
    async () => {
      const s = await runDetectionSample({ setting: defaults, model, seed: 3, temperature: 'cold' });
      expect(s).toMatchObject({ executions: 1, routesMoved: true });
      const { intervalMs, downAfterMs, timeoutMs } = defaults.probe;
      expect(s.detectedMs!).toBeGreaterThanOrEqual(downAfterMs);
      // Rounds going out up to L late: the span reaches downAfterMs within 2 intervals + L of the failure
      // (functions/probe/detector.ts), the last round's verdict comes after its timeout, then the view and the claim.
      expect(s.detectedMs!).toBeLessThanOrEqual(
        downAfterMs + 2 * intervalMs + model.roundLatenessMs + timeoutMs + 2 * model.dynamoMs,
      );
      expect(s.firstPriorityMs!).toBeGreaterThan(s.detectedMs!);
      expect(s.verifiedMs!).toBeGreaterThan(s.firstPriorityMs!);
      // Cold: every Task function on the path started cold at least once.
      expect(s.coldStarts).toBeGreaterThanOrEqual(5);
    },
  );

  it(
    'for the same failure: the armed plan and the warm first states bring the first priority route sooner; ' +
      'all warm, the verification too',
    async () => {
      const cold = await runDetectionSample({ setting: defaults, model, seed: 5, temperature: 'cold' });
      const deployed = await runDetectionSample({
        setting: defaults,
        model,
        seed: 5,
        temperature: 'path-warm',
        armed: true,
      });
      const warm = await runDetectionSample({ setting: defaults, model, seed: 5, temperature: 'warm', armed: true });
      expect(new Set([cold.detectedMs, deployed.detectedMs, warm.detectedMs]).size).toBe(1);
      expect(warm.coldStarts).toBe(0);
      const toFirst = (x: typeof cold) => x.firstPriorityMs! - x.detectedMs!;
      expect(toFirst(deployed)).toBeLessThan(toFirst(cold));
      // The first write's path is warm in both; the rest of the run is not.
      expect(toFirst(warm)).toBeLessThanOrEqual(toFirst(deployed));
      expect(warm.verifiedMs!).toBeLessThan(deployed.verifiedMs!);
      for (const x of [cold, deployed, warm]) expect(x).toMatchObject({ executions: 1, routesMoved: true });
    },
  );

  it('an outage shorter than downAfterMs starts nothing; one of 2.5 s starts one execution', async () => {
    expect(
      (await runDetectionSample({ setting: defaults, model, seed: 8, outageMs: 990, workflow: false })).executions,
    ).toBe(0);
    expect(
      (await runDetectionSample({ setting: defaults, model, seed: 8, outageMs: 2500, workflow: false })).executions,
    ).toBe(1);
  });

  it('runs every row and renders the table with the model it used', async () => {
    const rows = await runDetectionBench({ samples: 2, outageSamples: 2, seed: 1, model, settings: [defaults] });
    expect(rows.map((r) => r.label)).toEqual([
      'default, as deployed (first states kept warm)',
      'default, every function cold, no plan armed',
      'default, every function warm',
      'baseline: status-check alarm (2 × 60 s), every function cold',
    ]);
    expect(rows[0]).toMatchObject({
      moved: 2,
      single: 2,
      shortFailovers: { started: 0, of: 2 },
      longMissed: { missed: 0, of: 2 },
    });
    expect(rows[3].detection!.p50).toBeGreaterThan(60_000);
    const table = detectionTable(rows, model, { samples: 2, outageSamples: 2, seed: 1 });
    expect(table.rows).toHaveLength(4);
    expect(table.notes.join(' ')).toContain('latency model');
  });

  it("takes module init from the cold start benchmark's page when there is one", () => {
    const init = measuredInitMs();
    expect(Object.keys(init)).toEqual(expect.arrayContaining(['acquire-lease', 'resolve-targets', 'switch-items']));
    expect(Object.values(init).every((ms) => ms > 0)).toBe(true);
  });

  it('is selected by --detection, with its sample counts', () => {
    expect(parseArgs(['--detection', '--detection-samples', '20', '--outage-samples', '5'])).toMatchObject({
      detection: true,
      scale: false,
      coldStart: false,
      detectionSamples: 20,
      outageSamples: 5,
    });
  });
});
