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
 * - around it, what AWS adds, per the latency model below: the StartExecution call, the first state, each Task's
 *   transition and warm invoke, and a cold start for every invocation that finds no idle environment of its
 *   function (the Task functions run rarely: cold unless kept warm).
 * Also, per setting: how many outages shorter than downAfterMs started a failover (none may), and how many longer
 * than 2 s did not (none may). Beside it, the baseline: the status-check alarm path into the same workflow.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runExecution } from '../cli/local/local-runner';
import { runGuard } from '../functions/guard/guard';
import { InMemoryGroupStateStore } from '../functions/domain/group-state';
import { InMemoryGuardStore } from '../functions/domain/guard-state';
import { buildLargeEstate } from '../cli/local/scenario';
import { InMemoryProbeState, type ProbeStateStore } from '../functions/probe/probe-state';
import { probedGroup, type ProbeRunDeps, runProbeLocation } from '../functions/probe/probe';
import { parseConfig } from '../functions/contract/config';
import type { ProbeFailureRequest } from '../functions/contract/triggers';
import { createTaskHandlers } from '../cli/local/task-handlers';
import { SimulatedVpc } from '../sim';
import type { Table } from './report';
import { seededRandom, VirtualClock } from './virtual-clock';

/** A probe setting under test. */
export interface DetectionSetting {
  name: string;
  probe: { intervalMs: number; timeoutMs: number; downAfterMs: number; heartbeatMs: number };
}

export const DETECTION_SETTINGS: DetectionSetting[] = [
  { name: 'default', probe: { intervalMs: 250, timeoutMs: 500, downAfterMs: 1000, heartbeatMs: 2000 } },
  // The smallest values the config schema accepts for each.
  { name: 'most aggressive', probe: { intervalMs: 100, timeoutMs: 100, downAfterMs: 200, heartbeatMs: 500 } },
];

/**
 * What AWS adds, in milliseconds. Where AWS publishes a figure the docs page cites it (docs/detection.md,
 * "Latency model"); the others are assumptions, stated there, adjustable here.
 */
export interface LatencyModel {
  /** Every EC2 call (the simulator's latency). AWS publishes none: assumption, as the other benchmarks. */
  ec2Ms: number;
  /** Every DynamoDB call of the probe. AWS: "single-digit millisecond"; 10 ms taken. */
  dynamoMs: number;
  /** The StartExecution call itself. Assumption. */
  startExecutionMs: number;
  /** From StartExecution's answer to the first state running. Assumption. */
  firstStateMs: number;
  /** Each Task state: Step Functions' transition and a warm Lambda invoke (the floor benchmark's 50 ms). Assumption. */
  taskMs: number;
  /** A cold start's environment creation before module init, uniform within [min, max]. Assumption. */
  coldEnvMs: [number, number];
  /** Module init per function folder: docs/bench/cold-start.md (bench/cold-start.ts, "as built", init wall ms). */
  initMs: Record<string, number>;
  /** Init for a function the cold start benchmark has not measured. */
  defaultInitMs: number;
  /** A probe round goes out up to this late (event loop, a busy 128 MB function), uniform. Assumption. */
  roundLatenessMs: number;
}

/** Module init of each function as measured by the cold start benchmark (median wall ms, "as built"), if recorded. */
export const measuredInitMs = (
  file = path.join(__dirname, '..', 'docs', 'bench', 'cold-start.md'),
): Record<string, number> => {
  if (!existsSync(file)) return {};
  const out: Record<string, number> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    // | bundle | variant | SDK clients | size KiB | zod KiB | size × floor | init wall ms | …
    if (cells[2] === 'as built' && Number.isFinite(Number(cells[7]))) out[cells[1]] = Number(cells[7]);
  }
  return out;
};

export const defaultLatencyModel = (): LatencyModel => ({
  ec2Ms: 50,
  dynamoMs: 10,
  startExecutionMs: 50,
  firstStateMs: 50,
  taskMs: 50,
  coldEnvMs: [150, 400],
  initMs: measuredInitMs(),
  defaultInitMs: 300,
  roundLatenessMs: 20,
});

/** The function folder of each Task state (functions/<folder>): what a cold start is counted against. */
const FUNCTION_OF_STATE: Record<string, string> = {
  RecordWithoutNotification: 'notify',
  ReleaseLeaseUnrecorded: 'release-lease',
};
const folderOf = (state: string): string =>
  FUNCTION_OF_STATE[state] ?? state.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

const SUBNETS = ['subnet-0a0000000000000a1', 'subnet-0b0000000000000b1'];
const PRIORITY_TAG = { key: 'tier', value: 'critical' };
/** The estate: 8 route tables of 10 routes, 4 of each through router-a (32 to move); 2 tables are priority. */
const ESTATE = { routeTables: 8, routesPerTable: 10, affectedPerTable: 4 };
const PRIORITY_TABLES = 2;
const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);
/** The failure happens this long after the locations started (their views are live by then). */
const SETTLE_MS = 5000;

export interface DetectionSample {
  /** All relative to the failure, in ms; undefined when it did not happen. */
  detectedMs?: number;
  firstPriorityMs?: number;
  verifiedMs?: number;
  /** Executions started (Step Functions refused any other of the same name). */
  executions: number;
  /** Every route through router-a ended on router-b. */
  routesMoved: boolean;
  coldStarts: number;
}

/**
 * How warm the Task functions are when the failure comes: `cold`, every one (they run only during failovers);
 * `path-warm`, those the warm-up schedule keeps warm (infra/constructs/warm-up.ts: AcquireLease, ResolveTargets,
 * FirstWrite, one environment each), the rest cold: what a stack with a probe runs; `warm`, all of them
 * (provisioned concurrency on every Task function).
 */
export type Temperature = 'cold' | 'path-warm' | 'warm';
const WARMED_BY_SCHEDULE = ['acquire-lease', 'resolve-targets', 'first-write'];

export interface SampleOptions {
  setting: DetectionSetting;
  model: LatencyModel;
  seed: number;
  /** How long router-a stays blackholed (Infinity: it stays down). */
  outageMs?: number;
  temperature?: Temperature;
  /** The guard has armed the plan (a pass before the failure, as its one-minute schedule does): FirstWrite uses it. */
  armed?: boolean;
  /** Run the workflow when the probe starts it (false: detection only, as for the outage-length checks). */
  workflow?: boolean;
}

/** One failure, end to end on the virtual clock. */
export const runDetectionSample = async (o: SampleOptions): Promise<DetectionSample> => {
  const random = seededRandom(o.seed);
  const uniform = (a: number, b: number) => a + random() * (b - a);
  // The clock starts before T0: the guard's pass (when armed) runs there, and leaves the probe's phases as drawn.
  const clock = new VirtualClock(T0 - 10_000);
  const sleep = (ms: number) => clock.sleep(ms);
  const sim = new SimulatedVpc({ seed: o.seed, latencyMs: o.model.ec2Ms, clock });
  const estate = buildLargeEstate(sim, { ...ESTATE, groupName: 'edge' });
  const priority = new Set([...estate.routeTableIds].sort().slice(0, PRIORITY_TABLES));
  for (const id of priority) sim.tagRouteTable(id, { [PRIORITY_TAG.key]: PRIORITY_TAG.value });
  const raw = structuredClone(estate.config) as {
    groups: Array<{ members: Array<Record<string, unknown>>; priority?: unknown; probe?: unknown }>;
  };
  const g = raw.groups[0];
  const addresses = ['10.0.1.10', '10.0.2.10'];
  g.members = g.members
    .slice(0, 2)
    .map((m: Record<string, unknown>, i: number) => ({ ...m, probeAddress: addresses[i] }));
  g.priority = { routeTableTag: PRIORITY_TAG };
  g.probe = { subnetIds: SUBNETS, ...o.setting.probe };
  const config = parseConfig(raw);
  const group = probedGroup(config, 'edge');
  const { probe } = group;

  const failureAt = T0 + SETTLE_MS + uniform(0, 1000);
  const outageMs = o.outageMs ?? Infinity;
  const down = (address: string, t: number) => address === addresses[0] && t >= failureAt && t < failureAt + outageMs;

  // DynamoDB: the in-memory item, each call costing the model's latency.
  const items = new InMemoryProbeState();
  const probeItem: ProbeStateStore = {
    publish: async (grp, view) => {
      await sleep(o.model.dynamoMs);
      return items.publish(grp, view);
    },
    read: async (grp) => {
      await sleep(o.model.dynamoMs);
      return items.read(grp);
    },
    claim: async (grp, c, r) => {
      await sleep(o.model.dynamoMs);
      return items.claim(grp, c, r);
    },
    retire: async (grp, slot) => {
      await sleep(o.model.dynamoMs);
      return items.retire(grp, slot);
    },
  };

  // The Task functions: a pool of idle environments per function; an invocation that finds none starts cold.
  const temperature = o.temperature ?? 'cold';
  const idle = new Map<string, number>(temperature === 'path-warm' ? WARMED_BY_SCHEDULE.map((f) => [f, 1]) : []);
  let coldStarts = 0;
  let verifiedAt: number | undefined;
  const store = new InMemoryGroupStateStore();
  const guardStore = new InMemoryGuardStore(store);
  const rawHandlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn: sim.createTopic('route-failover'),
    now: () => new Date(clock.now()),
    sleep,
    store,
    guard: guardStore,
  });
  const handlers = Object.fromEntries(
    Object.entries(rawHandlers).map(([state, h]) => [
      state,
      async (input: unknown) => {
        const fn = folderOf(state);
        const available = temperature === 'warm' ? Infinity : (idle.get(fn) ?? 0);
        let overhead = o.model.taskMs;
        if (available > 0) idle.set(fn, available - 1);
        else {
          coldStarts++;
          overhead += uniform(...o.model.coldEnvMs) + (o.model.initMs[fn] ?? o.model.defaultInitMs);
        }
        await sleep(overhead);
        try {
          return await (h as (i: unknown) => Promise<unknown>)(input);
        } finally {
          if (temperature !== 'warm') idle.set(fn, (idle.get(fn) ?? 0) + 1);
          if (state === 'VerifySwitch') verifiedAt = clock.now();
        }
      },
    ]),
  );

  let detectedAt: number | undefined;
  const names = new Set<string>();
  let execution: Promise<unknown> | undefined;
  const startExecution: ProbeRunDeps['startExecution'] = async ({
    name,
    input,
  }: {
    name: string;
    input: ProbeFailureRequest;
  }) => {
    const calledAt = clock.now();
    await sleep(o.model.startExecutionMs);
    if (names.has(name)) return { status: 'already-started' };
    names.add(name);
    detectedAt ??= calledAt;
    if (o.workflow !== false && !execution) {
      execution = sleep(o.model.firstStateMs).then(() =>
        runExecution({ handlers, input, executionName: name, region: sim.region, now: () => new Date(clock.now()) }),
      );
    }
    return { status: 'started' };
  };

  const location = (subnet: string, startAt: number) => async () => {
    await sleep(startAt - clock.now());
    return runProbeLocation(
      {
        now: () => clock.now(),
        // A round goes out late by up to roundLatenessMs, never early.
        sleep: (ms) => sleep(ms + uniform(0, o.model.roundLatenessMs)),
        probe: async (address, _port, timeoutMs) => {
          if (down(address, clock.now())) {
            await sleep(timeoutMs);
            return {
              ok: false,
              latencyMs: timeoutMs,
              failure: 'timeout',
              error: `timeout: no answer within ${timeoutMs} ms`,
            };
          }
          await sleep(1);
          return { ok: true, latencyMs: 1 };
        },
        startExecution,
        state: probeItem,
        emitMetric: () => undefined,
        log: () => undefined,
      },
      { group, location: subnet, hardEndAt: failureAt + Math.min(outageMs, 60_000) + 4 * probe.downAfterMs + 4000 },
    );
  };
  const starts = SUBNETS.map(() => T0 + uniform(0, probe.intervalMs));
  await clock.run(
    async () => {
      // The guard's last pass before the failure armed the plan (it runs every minute).
      if (o.armed)
        await runGuard(
          { trigger: 'schedule' },
          { ec2: sim.ec2(), config, inventory: store, store: guardStore, now: () => new Date(clock.now()) },
        );
      await Promise.all(SUBNETS.map((s, i) => location(s, starts[i])()));
      await execution;
    },
    { seed: o.seed },
  );

  const firstPriority = sim.calls
    .filter(
      (c) =>
        c.action === 'ReplaceRoute' &&
        !c.error &&
        c.endAt !== undefined &&
        priority.has((c.input as Record<string, string>).RouteTableId),
    )
    .map((c) => c.endAt!);
  const routesMoved = estate.expectedMoves.every(
    (m) => sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId === m.toEni,
  );
  return {
    detectedMs: detectedAt === undefined ? undefined : detectedAt - failureAt,
    firstPriorityMs: firstPriority.length > 0 ? Math.min(...firstPriority) - failureAt : undefined,
    verifiedMs: verifiedAt === undefined ? undefined : verifiedAt - failureAt,
    executions: names.size,
    routesMoved,
    coldStarts,
  };
};

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

/** The paths measured per setting: as deployed with a probe first (the guard armed the plan, the warm-up ran), then the worst and the best case. */
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
      `  ${setting.name}: ${o.outageSamples} outages shorter than ${setting.probe.downAfterMs} ms, ${o.outageSamples} longer than 2 s…`,
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

const sec = (ms: number | undefined): string => (ms === undefined ? '—' : (ms / 1000).toFixed(ms < 10_000 ? 2 : 1));
const pair = (p: Percentiles | undefined): string => (p ? `${sec(p.p50)} / ${sec(p.p99)}` : '—');

/** The table the README's link and docs/detection.md point at. */
export const detectionTable = (
  rows: DetectionRow[],
  model: LatencyModel,
  o: Pick<DetectionBenchOptions, 'samples' | 'outageSamples' | 'seed'>,
): Table => ({
  headers: [
    'setting',
    'failures',
    'failure → detection p50 / p99 s',
    'failure → first priority route switched p50 / p99 s',
    'failure → all routes verified p50 / p99 s',
    'cold starts',
    'routes moved, one execution',
    'outages < downAfterMs failed over',
    'outages > 2 s not failed over',
  ],
  rows: rows.map((r) => [
    r.setting
      ? `${r.label} (every ${r.setting.probe.intervalMs} ms, timeout ${r.setting.probe.timeoutMs} ms, down after ${r.setting.probe.downAfterMs} ms)`
      : r.label,
    String(r.samples),
    pair(r.detection),
    pair(r.firstPriority),
    pair(r.verified),
    r.coldStarts ? `${r.coldStarts.p50} (max ${r.coldStarts.max})` : '—',
    r.setting ? `${r.moved}/${r.samples}, ${r.single}/${r.samples}` : '—',
    r.shortFailovers
      ? `${r.shortFailovers.started} of ${r.shortFailovers.of} (up to ${r.shortFailovers.maxMs} ms)`
      : '—',
    r.longMissed ? `${r.longMissed.missed} of ${r.longMissed.of} (from ${r.longMissed.minMs} ms)` : '—',
  ]),
  notes: [
    `Each failure: router-a blackholed (hung) at a random instant; two probe locations at random phases (runProbeLocation, the real loop), rounds up to ${model.roundLatenessMs} ms late; ` +
      `the workflow run locally on its real handlers against the simulated VPC: ${ESTATE.routeTables} route tables, ${ESTATE.routeTables * ESTATE.affectedPerTable} routes to move, ` +
      `${PRIORITY_TABLES} tables tagged ${PRIORITY_TAG.key}=${PRIORITY_TAG.value}; seed ${o.seed}; virtual clock (exact simulated time).`,
    'detection: the StartExecution call (every live location agreed, the claim written); first priority route switched: the end of the first successful ReplaceRoute in a priority table; all routes verified: the end of VerifySwitch.',
    `latency model (docs/detection.md, "Latency model"): EC2 ${model.ec2Ms} ms per call; DynamoDB ${model.dynamoMs} ms; StartExecution ${model.startExecutionMs} ms, then ${model.firstStateMs} ms to the first state; ` +
      `each Task ${model.taskMs} ms (transition + warm invoke); a cold start ${model.coldEnvMs[0]}–${model.coldEnvMs[1]} ms of environment plus the function's module init ` +
      `(${Object.keys(model.initMs).length > 0 ? `docs/bench/cold-start.md, ${Math.min(...Object.values(model.initMs))}–${Math.max(...Object.values(model.initMs))} ms` : `${model.defaultInitMs} ms`}); ` +
      'cold: every invocation that finds no idle environment of its function starts one (Map iterations in parallel each need their own); ' +
      'as deployed: AcquireLease, ResolveTargets and FirstWrite have one warm environment each (the warm-up schedule), the guard armed the plan before the failure, so FirstWrite writes the priority routes; ' +
      'no plan armed: FirstWrite skips and the priority routes wait for PlanSwitch and the SwitchBatches Map.',
    `outage checks: ${o.outageSamples} outages of random length below downAfterMs and ${o.outageSamples} between 2 and 3 s per setting, each at a random phase; counted when an execution was (or was not) started.`,
    'baseline: the status-check alarm path for a kernel lockup (a hung routing daemon passes EC2 status checks: that path never sees it); ' +
      'checks every minute, alarm of 2 × 60 s periods, CloudWatch evaluating 0–60 s after the minute (assumption), then the same workflow, cold.',
  ],
});
