import { parseConfig } from '../functions/contract/config';
import { createTaskHandlers } from '../cli/local/task-handlers';
import { runExecution } from '../cli/local/local-runner';
import { buildLargeEstate, type RouterEstate } from '../cli/local/scenario';
import { EC2_API_RATE_LIMITS, SimulatedVpc, type SimClock } from '../sim';
import { classicFailover } from './classic';
import {
  blackHoleTime,
  ec2CallCounts,
  tokenBucketLowerBoundMs,
  wrongRoutes,
  type BlackHole,
  type CallCount,
  type WrongRoutes,
} from './metrics';
import { weighExecution, type ExecutionWeight } from './step-functions';
import { VirtualClock, WALL_CLOCK } from './virtual-clock';

/**
 * One benchmark run: a fresh simulated VPC with `routes` routes on router-a (10 per route table, the
 * rest of each table on other targets), EC2 latency and token buckets on, router-a stops, and either the
 * project's workflow (the real ASL, run locally, each Task on its real handler, the definition's real
 * Retry timing) or the classic script moves the routes.
 */

export type Variant = 'workflow' | 'classic';

export interface ScaleCase {
  routes: number;
  variant: Variant;
  /** Per EC2 call. */
  latencyMs: number;
  /** 'virtual': exact simulated time (default); 'real': wall time, to cross-check the virtual figures. */
  clock?: 'virtual' | 'real';
  /** Affected routes per route table (routes must be a multiple). */
  affectedPerTable?: number;
  /** All routes per table besides local (the unaffected ones point at other targets). */
  routesPerTable?: number;
  /** Seeds the simulator and the retry jitter. */
  seed?: number;
  /** EC2 token buckets (default on, as the benchmark is about them). */
  throttling?: boolean;
}

export interface ScaleResult {
  routes: number;
  routeTables: number;
  variant: Variant;
  latencyMs: number;
  /** 'SUCCEEDED' / 'FAILED (Error)' for the workflow; 'done' or the error for the classic function. */
  status: string;
  /** From the failure until the run ended (workflow: execution end, after verify and notify). */
  makespanMs: number;
  blackHole: BlackHole;
  wrong: WrongRoutes;
  calls: Record<string, CallCount>;
  lowerBoundMs: number;
  /** Workflow only: payload sizes and history length as Step Functions would see them. */
  weight?: ExecutionWeight;
  /** Real time the run took, for the record. */
  wallMs: number;
}

export const DEFAULT_AFFECTED_PER_TABLE = 10;
export const DEFAULT_ROUTES_PER_TABLE = 50;

const stoppingEvent = (instanceId: string, region: string) => ({
  version: '0',
  id: `bench-${instanceId}-stopping`,
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region,
  resources: [`arn:aws:ec2:${region}:123456789012:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, state: 'stopping' },
});

/** Runs one case and measures it. */
export const runScaleCase = async (c: ScaleCase): Promise<ScaleResult> => {
  const affectedPerTable = c.affectedPerTable ?? DEFAULT_AFFECTED_PER_TABLE;
  const routesPerTable = Math.max(c.routesPerTable ?? DEFAULT_ROUTES_PER_TABLE, affectedPerTable);
  if (!Number.isInteger(c.routes) || c.routes < 1 || c.routes % affectedPerTable !== 0) {
    throw new Error(`routes must be a positive multiple of ${affectedPerTable} (routes per table), got ${c.routes}`);
  }
  const routeTables = c.routes / affectedPerTable;
  const virtual = (c.clock ?? 'virtual') === 'virtual' ? new VirtualClock() : undefined;
  const clock: SimClock = virtual ?? WALL_CLOCK;
  const sim = new SimulatedVpc({
    seed: c.seed ?? 1,
    latencyMs: c.latencyMs,
    clock,
    throttling: c.throttling === false ? false : {},
  });
  const estate = buildLargeEstate(sim, { routeTables, routesPerTable, affectedPerTable, groupName: 'onprem-edge' });
  sim.setInstanceState(estate.routerA.instanceId, 'stopping');
  const healthy = new Set([estate.routerB.eni0, estate.routerB.eni1, estate.other.eni0]);

  const wallStart = Date.now();
  const t0 = clock.now();
  const body = (): Promise<Outcome> =>
    c.variant === 'workflow' ? runWorkflow(sim, estate, clock) : runClassic(sim, estate);
  const outcome = virtual ? await virtual.run(body, { seed: c.seed ?? 1 }) : await body();
  const tEnd = clock.now();

  return {
    routes: c.routes,
    routeTables,
    variant: c.variant,
    latencyMs: c.latencyMs,
    status: outcome.status,
    makespanMs: tEnd - t0,
    blackHole: blackHoleTime(sim, estate.expectedMoves, healthy, t0, tEnd),
    wrong: wrongRoutes(sim, estate.expectedMoves),
    calls: ec2CallCounts(sim),
    lowerBoundMs: tokenBucketLowerBoundMs({
      routes: c.routes,
      routeTables,
      latencyMs: c.latencyMs,
      burst: EC2_API_RATE_LIMITS.mutating.burst,
      refillPerSecond: EC2_API_RATE_LIMITS.mutating.refillPerSecond,
    }),
    weight: outcome.weight,
    wallMs: Date.now() - wallStart,
  };
};

type Outcome = { status: string; weight?: ExecutionWeight };

const runWorkflow = async (sim: SimulatedVpc, estate: RouterEstate, clock: SimClock): Promise<Outcome> => {
  const now = () => new Date(clock.now());
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config: parseConfig(estate.config),
    topicArn: sim.createTopic('route-failover'),
    now,
    sleep: (ms) => clock.sleep(ms),
  });
  // No retryIntervalMs: the definition's own backoff and full jitter, in (virtual) time.
  const result = await runExecution({
    handlers,
    input: stoppingEvent(estate.routerA.instanceId, sim.region),
    executionName: 'bench',
    region: sim.region,
    now,
  });
  const status = result.status === 'SUCCEEDED' ? 'SUCCEEDED' : `FAILED (${result.error})`;
  return { status, weight: weighExecution(result.events) };
};

const runClassic = async (sim: SimulatedVpc, estate: RouterEstate): Promise<Outcome> => {
  const result = await classicFailover(
    {
      failedInstanceId: estate.routerA.instanceId,
      pair: [estate.routerA.instanceId, estate.routerB.instanceId],
      vpcId: estate.vpcId,
    },
    { ec2: sim.ec2() },
  );
  return { status: result.error ?? 'done' };
};
