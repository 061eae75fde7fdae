import { runExecution } from '../cli/local/local-runner';
import { buildLargeEstate } from '../cli/local/scenario';
import { createTaskHandlers } from '../cli/local/task-handlers';
import { parseConfig } from '../functions/contract/config';
import type { ProbeFailureRequest } from '../functions/contract/triggers';
import { InMemoryGroupStateStore } from '../functions/domain/group-state';
import { InMemoryGuardStore } from '../functions/domain/guard-state';
import { runGuard } from '../functions/guard/guard';
import { type ProbeRunDeps, runProbeLocation } from '../functions/probe/probe';
import { InMemoryProbeState, type ProbeStateStore } from '../functions/probe/probe-state';
import { probedGroup } from '../functions/probe/probed-group';
import { SimulatedVpc } from '../sim';
import type { DetectionSetting, LatencyModel } from './detection-model';
import { seededRandom, VirtualClock } from './virtual-clock';

/**
 * One failure of the detection benchmark (bench/detection.ts), end to end on the virtual clock: the real probe
 * loop at two locations, the workflow on its real handlers against the simulated VPC, the latency model around.
 */

/** The function folder of each Task state (functions/<folder>): what a cold start is counted against. */
const FUNCTION_OF_STATE: Record<string, string> = {
  RecordWithoutNotification: 'notify',
  ReleaseLeaseUnrecorded: 'release-lease',
};
const folderOf = (state: string): string =>
  FUNCTION_OF_STATE[state] ?? state.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();

export const SUBNETS = ['subnet-0a0000000000000a1', 'subnet-0b0000000000000b1'];
export const PRIORITY_TAG = { key: 'tier', value: 'critical' };
/** The estate: 8 route tables of 10 routes, 4 of each through router-a (32 to move); 2 tables are priority. */
export const ESTATE = { routeTables: 8, routesPerTable: 10, affectedPerTable: 4 };
export const PRIORITY_TABLES = 2;
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
