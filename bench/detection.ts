/**
 * The detection benchmark: from a router's failure to its first priority route switched and to every route
 * verified, over many failures at random phases of the probe cycle, end to end on one discrete-event clock
 * (bench/virtual-clock.ts):
 * - the probe: functions/probe/probe.ts runProbeLocation itself, two locations (two AZs) meeting in the probe item
 *   (in memory, each call costing the DynamoDB latency of the model), each location's rounds at its own random
 *   phase and going out up to `roundLatenessMs` late; router-a blackholed (hung: no SYN-ACK, no RST) from a
 *   random instant;
 * - the workflow: statemachine/failover.asl.json run locally, every Task on its real handler, against the
 *   simulated VPC (EC2 latency per call, EC2's token buckets), started by the probe's StartExecution;
 * - around it, what AWS adds, per the latency model (bench/detection-model.ts): the StartExecution call, the
 *   first state, each Task's transition and warm invoke, and a cold start for every invocation that finds no
 *   idle environment of its function (the Task functions run rarely: cold unless kept warm).
 * Also, per setting: how many outages shorter than downAfterMs started a failover (none may), and how many longer
 * than 2 s did not (none may). Beside it, the baseline: the status-check alarm path into the same workflow.
 * One failure is bench/detection-sample.ts; the table, bench/detection-table.ts.
 */
import { DETECTION_SETTINGS, type DetectionSetting, defaultLatencyModel, type LatencyModel } from './detection-model';
import { type DetectionSample, runDetectionSample, type Temperature } from './detection-sample';
import { seededRandom } from './virtual-clock';

export interface Percentiles {
  p50: number;
  p99: number;
  max: number;
  n: number;
}

export const percentiles = (xs: number[]): Percentiles | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
  return { p50: at(50), p99: at(99), max: s[s.length - 1], n: s.length };
};

export interface DetectionRow {
  label: string;
  setting?: DetectionSetting;
  temperature: Temperature;
  armed: boolean;
  samples: number;
  detection?: Percentiles;
  firstPriority?: Percentiles;
  verified?: Percentiles;
  /** Failures every route of which ended on the standby, and failures that started exactly one execution. */
  moved: number;
  single: number;
  coldStarts?: Percentiles;
  /** Outages shorter than downAfterMs that started a failover, of those run. */
  shortFailovers?: { started: number; of: number; maxMs: number };
  /** Outages longer than 2 s that did not start one, of those run. */
  longMissed?: { missed: number; of: number; minMs: number };
}

export interface DetectionBenchOptions {
  samples: number;
  /** Outage-length checks per setting (each side). */
  outageSamples: number;
  seed: number;
  model?: LatencyModel;
  settings?: DetectionSetting[];
  log?: (line: string) => void;
}

/**
 * The paths measured per setting: as deployed with a probe first (the guard armed the plan, the warm-up ran),
 * then the worst and the best case.
 */
const PATHS: Array<[Temperature, boolean]> = [
  ['path-warm', true],
  ['cold', false],
  ['warm', true],
];
const PATH_LABEL: Record<Temperature, string> = {
  'path-warm': 'as deployed (first states kept warm)',
  cold: 'every function cold',
  warm: 'every function warm',
};

/** Every setting on each path, plus the outage-length checks and the status-check baseline. */
export const runDetectionBench = async (o: DetectionBenchOptions): Promise<DetectionRow[]> => {
  const model = o.model ?? defaultLatencyModel();
  const log = o.log ?? (() => undefined);
  const rows: DetectionRow[] = [];
  let coldWorkflow: number[] = [];
  let coldVerify: number[] = [];
  for (const setting of o.settings ?? DETECTION_SETTINGS) {
    const random = seededRandom(o.seed);
    const short = { started: 0, of: 0, maxMs: 0 };
    const long = { missed: 0, of: 0, minMs: Infinity };
    log(
      `  ${setting.name}: ${o.outageSamples} outages shorter than ${setting.probe.downAfterMs} ms, ` +
        `${o.outageSamples} longer than 2 s…`,
    );
    for (let i = 0; i < o.outageSamples; i++) {
      const s = Math.floor(random() * setting.probe.downAfterMs);
      short.of++;
      short.maxMs = Math.max(short.maxMs, s);
      if (
        (await runDetectionSample({ setting, model, seed: o.seed * 7919 + i, outageMs: s, workflow: false }))
          .executions > 0
      )
        short.started++;
      const l = 2001 + Math.floor(random() * 1000);
      long.of++;
      long.minMs = Math.min(long.minMs, l);
      if (
        (await runDetectionSample({ setting, model, seed: o.seed * 104729 + i, outageMs: l, workflow: false }))
          .executions === 0
      )
        long.missed++;
    }
    for (const [temperature, armed] of PATHS) {
      const label = `${setting.name}, ${PATH_LABEL[temperature]}${armed ? '' : ', no plan armed'}`;
      log(`  ${label}: ${o.samples} failures…`);
      const samples: DetectionSample[] = [];
      for (let i = 0; i < o.samples; i++)
        samples.push(await runDetectionSample({ setting, model, seed: o.seed * 1000 + i, temperature, armed }));
      const row: DetectionRow = {
        label,
        setting,
        temperature,
        armed,
        samples: samples.length,
        detection: percentiles(samples.flatMap((s) => (s.detectedMs === undefined ? [] : [s.detectedMs]))),
        firstPriority: percentiles(
          samples.flatMap((s) => (s.firstPriorityMs === undefined ? [] : [s.firstPriorityMs])),
        ),
        verified: percentiles(samples.flatMap((s) => (s.verifiedMs === undefined ? [] : [s.verifiedMs]))),
        moved: samples.filter((s) => s.routesMoved).length,
        single: samples.filter((s) => s.executions === 1).length,
        coldStarts: percentiles(samples.map((s) => s.coldStarts)),
        ...(temperature === 'path-warm' ? { shortFailovers: short, longMissed: long } : {}),
      };
      rows.push(row);
      if (temperature === 'cold' && setting === (o.settings ?? DETECTION_SETTINGS)[0]) {
        coldWorkflow = samples.flatMap((s) =>
          s.firstPriorityMs === undefined || s.detectedMs === undefined ? [] : [s.firstPriorityMs - s.detectedMs],
        );
        coldVerify = samples.flatMap((s) =>
          s.verifiedMs === undefined || s.detectedMs === undefined ? [] : [s.verifiedMs - s.detectedMs],
        );
      }
    }
  }
  rows.push(statusCheckBaseline(o.samples, o.seed, coldWorkflow, coldVerify));
  return rows;
};

/**
 * The status-check path, for a kernel lockup or a lost instance (a hung routing daemon never fails EC2's status
 * checks): EC2 runs the checks every minute and publishes StatusCheckFailed at 1-minute resolution; the alarm
 * (period 60 s, 2 evaluation periods by default) goes to ALARM on its second breaching datapoint; EventBridge
 * starts the workflow. Sampled: the failure at a random instant of the check minute; CloudWatch's evaluation of
 * the closed minute 0 to 60 s later (AWS publishes no figure: assumption); then the workflow as measured above
 * (cold), from the StartExecution of the default setting's samples.
 */
const statusCheckBaseline = (samples: number, seed: number, workflowMs: number[], verifyMs: number[]): DetectionRow => {
  const random = seededRandom(seed + 17);
  const evaluationPeriods = 2;
  const detection: number[] = [];
  const first: number[] = [];
  const verified: number[] = [];
  for (let i = 0; i < samples; i++) {
    const d = (1 - random()) * 60_000 + (evaluationPeriods - 1) * 60_000 + random() * 60_000;
    detection.push(d);
    if (workflowMs.length > 0) first.push(d + workflowMs[i % workflowMs.length]);
    if (verifyMs.length > 0) verified.push(d + verifyMs[i % verifyMs.length]);
  }
  return {
    label: 'baseline: status-check alarm (2 × 60 s), every function cold',
    temperature: 'cold',
    armed: false,
    samples,
    detection: percentiles(detection),
    firstPriority: percentiles(first),
    verified: percentiles(verified),
    moved: samples,
    single: samples,
  };
};
