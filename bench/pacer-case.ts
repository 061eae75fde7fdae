/**
 * One run of the pacer benchmark (bench/pacer.ts) and of the workflow tests that hold the pacer to its
 * promises (test/workflow/pacer-fairness.test.ts): `groups` groups fail at once, each with `routes` affected
 * routes in tables of up to 20 (one batch per table, the largest batches the plan makes), and run
 * statemachine/failover.asl.json locally, every Task on its real handler, all sharing one account-wide pacer
 * and the simulated VPC's EC2 buckets (50 burst, 5 per second, refilled once a second). EC2 calls take
 * `latencyMs` ± `jitterMs`; SwitchItems gets the function timeout infra would give it. Virtual clock:
 * exact simulated time in seconds of CPU.
 */
import type { RunResult } from '../cli/local/local-runner';
import { runExecution } from '../cli/local/local-runner';
import { buildLargeEstate, type RouterEstate } from '../cli/local/scenario';
import { parseConfig } from '../functions/contract/config';
import { InMemoryWritePacer, REPLACE_ROUTE_PACE } from '../functions/domain/pacer';
import { BATCH_SIZE } from '../functions/domain/plan';
import { replaceRouteWriteBudget } from '../functions/domain/write-budget';
import { createTaskHandlers } from '../cli/local/task-handlers';
import { EC2_API_RATE_LIMITS, SimulatedVpc } from '../sim';
import { VirtualClock } from './virtual-clock';

export interface PacerCase {
  /** Affected routes per group. */
  routes: number;
  groups: number;
  maxConcurrency: number;
  latencyMs: number;
  jitterMs: number;
  /** Added to every Task invocation (Lambda invoke and Step Functions transition; an assumption). */
  taskOverheadMs?: number;
  seed?: number;
  /** Tokens of EC2's bucket the pacer leaves unused (REPLACE_ROUTE_PACE's when absent; 0 shows why it has some). */
  headroom?: number;
  /** The instant of EC2's refill within each second (ms); drawn from the seed when absent. */
  refillPhaseMs?: number;
}

export interface PacerResult extends PacerCase {
  makespanMs: number;
  /** The time EC2's documented bucket needs for every group's writes: ⌈(N − 50) / 5⌉ s. */
  floorMs: number;
  replaceOk: number;
  replaceThrottled: number;
  /** Routes not on their target at the end. */
  leftBehind: number;
  statuses: string[];
  runs: RunResult[];
}

/** The largest table size up to BATCH_SIZE that divides `routes`: every table one full batch. */
const perTable = (routes: number): number => {
  for (let k = BATCH_SIZE; k > 1; k--) if (routes % k === 0) return k;
  return 1;
};

/** Floor of N writes against EC2's bucket: the burst at once, then the refill once a second. */
export const ec2FloorMs = (writes: number): number => {
  const { burst, refillPerSecond } = EC2_API_RATE_LIMITS.mutating;
  return Math.max(0, Math.ceil((writes - burst) / refillPerSecond)) * 1000;
};

export const runPacerCase = async (c: PacerCase): Promise<PacerResult> => {
  const seed = c.seed ?? 1;
  const clock = new VirtualClock();
  const throttling = c.refillPhaseMs === undefined ? {} : { refillPhaseMs: c.refillPhaseMs };
  const sim = new SimulatedVpc({ seed, clock, latencyMs: c.latencyMs, latencyJitterMs: c.jitterMs, throttling });
  const k = perTable(c.routes);
  const estates: RouterEstate[] = Array.from({ length: c.groups }, (_, g) =>
    buildLargeEstate(sim, {
      routeTables: c.routes / k,
      routesPerTable: k,
      affectedPerTable: k,
      groupName: `edge-${g + 1}`,
    }),
  );
  const config = parseConfig({
    ...estates[0].config,
    groups: estates.map((e) => ({ ...e.config.groups[0], maxConcurrency: c.maxConcurrency })),
  });
  for (const e of estates) sim.setInstanceState(e.routerA.instanceId, 'stopping');
  const sleep = (ms: number) => clock.sleep(ms);
  const now = () => new Date(clock.now());
  const spec = c.headroom === undefined ? REPLACE_ROUTE_PACE : { ...REPLACE_ROUTE_PACE, headroom: c.headroom };
  const pacer = new InMemoryWritePacer(spec, { now: () => clock.now(), sleep });
  const raw = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn: sim.createTopic('route-failover'),
    now,
    sleep,
    pacers: { ReplaceRoute: pacer },
    recheckDelaysMs: [0],
  });
  const overhead = c.taskOverheadMs ?? 50;
  const handlers = Object.fromEntries(
    Object.entries(raw).map(([name, h]) => [
      name,
      async (input: unknown) => {
        await sleep(overhead);
        return h(input);
      },
    ]),
  );
  const functionTimeoutMs = { SwitchItems: replaceRouteWriteBudget(config).functionTimeoutSeconds * 1000 };
  const t0 = clock.now();
  const runs = await clock.run(
    () =>
      Promise.all(
        estates.map((e) =>
          runExecution({
            handlers,
            input: { action: 'switchover', group: e.config.groups[0].name, to: 'router-b', requestedBy: 'bench' },
            executionName: `pacer-${e.config.groups[0].name}`,
            region: sim.region,
            functionTimeoutMs,
            now,
          }),
        ),
      ),
    { seed },
  );
  const makespanMs = clock.now() - t0;
  const replace = sim.calls.filter((x) => x.action === 'ReplaceRoute');
  const replaceThrottled = replace.filter((x) => x.error === 'RequestLimitExceeded').length;
  const moves = estates.flatMap((e) => e.expectedMoves);
  const leftBehind = moves.filter(
    (m) => sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId !== m.toEni,
  ).length;
  return {
    ...c,
    makespanMs,
    floorMs: ec2FloorMs(moves.length),
    replaceOk: replace.filter((x) => !x.error).length,
    replaceThrottled,
    leftBehind,
    statuses: runs.map((r) => String(r.auditRecord?.outcome ?? r.status)),
    runs,
  };
};
