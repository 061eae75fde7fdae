/**
 * The floor benchmark: how close ReplaceRoute-based failover comes to EC2's physical floor on the documented
 * model ("Request throttling for the Amazon EC2 API", sim/throttling.ts): one ReplaceRoute bucket of 50
 * tokens refilled at 5/s per account and region, so M routes cannot all be switched before
 * floor = max(L, (M − 50) / 5 s), L being one EC2 round trip. Every variant runs on a virtual clock
 * (exact simulated time) against the simulated VPC with the documented buckets on:
 * - workflow: statemachine/failover.asl.json run locally, every Task on its real handler, the account-wide
 *   write pacer, priority routes (the route tables tagged tier=critical, 40 routes per group);
 * - classic: DescribeInstances, then DeleteRoute + CreateRoute per route in sequence, first ENI only, no retry;
 * - classic+retry: the same with the SDK's standard retry mode (3 attempts, exponential backoff with full
 *   jitter: 100 ms base, 500 ms for throttling, 20 s cap; its client-side retry quota is not modelled).
 * Step Functions and Lambda add time per Task state: `taskOverheadMs` (default 50 ms) is added to every
 * Task invocation. It is an assumption, adjustable (--task-overhead-ms): AWS publishes no latency figure for
 * a Standard workflow's state transition or a warm Lambda invoke; 50 ms is of the order third-party
 * measurements report for a warm synchronous Lambda invoke through Step Functions.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { runExecution } from '../cli/local/local-runner';
import { buildLargeEstate, type RouterEstate } from '../cli/local/scenario';
import { parseConfig } from '../functions/contract/config';
import { InMemoryWritePacer, REPLACE_ROUTE_PACE } from '../functions/domain/pacer';
import { createTaskHandlers } from '../cli/local/task-handlers';
import { EC2_API_RATE_LIMITS, SimulatedVpc } from '../sim';
import { classicFailover } from './classic';
import type { Table } from './report';
import { VirtualClock, seededRandom } from './virtual-clock';

export type FloorVariant = 'workflow' | 'classic' | 'classic+retry';

export interface FloorCase {
  routes: number;
  groups: number;
  variant: FloorVariant;
  latencyMs: number;
  taskOverheadMs: number;
  seed?: number;
}

export interface FloorResult extends FloorCase {
  routeTables: number;
  /** From the failure to the end of the run (verification and notification included for the workflow). */
  makespanMs: number;
  /** From the end of the reads that precede the first write to the last route switched: what the floor bounds. */
  writePhaseMs: number;
  floorMs: number;
  switched: number;
  tts: Percentiles | undefined;
  priorityTts: Percentiles | undefined;
  calls: number;
  throttled: number;
  replaceOk: number;
  replaceThrottled: number;
  callBudget: number;
  goals: { makespan: boolean; throttled: boolean; calls: boolean };
}

interface Percentiles {
  p50: number;
  p99: number;
  max: number;
}

const PRIORITY_TAG = { key: 'tier', value: 'critical' };
/** What the pacer's headroom costs, once: the tokens it leaves in EC2's bucket, at EC2's refill. */
const HEADROOM_MS = ((REPLACE_ROUTE_PACE.headroom ?? 0) / REPLACE_ROUTE_PACE.refillPerSecond) * 1000;
const PRIORITY_TABLES = 4;

const percentiles = (xs: number[]): Percentiles | undefined => {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const at = (p: number) => s[Math.max(0, Math.ceil((p / 100) * s.length) - 1)];
  return { p50: at(50), p99: at(99), max: s[s.length - 1] };
};

/** The SDK's standard retry mode in front of a client that makes one attempt per call. */
const withStandardRetry = (ec2: EC2Client, sleep: (ms: number) => Promise<void>, random: () => number): EC2Client =>
  ({
    send: async (command: never) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await ec2.send(command);
        } catch (err) {
          const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
          const throttle = e.name === 'RequestLimitExceeded' || e.name === 'Throttling';
          const transient = (e.$metadata?.httpStatusCode ?? 0) >= 500;
          if (attempt >= 3 || !(throttle || transient)) throw err;
          await sleep(random() * Math.min(20_000, (throttle ? 500 : 100) * 2 ** (attempt - 1)));
        }
      }
    },
  }) as unknown as EC2Client;

const perTable = (routes: number): number => (routes % 10 === 0 ? 10 : routes % 8 === 0 ? 8 : 1);

/** Runs one case and measures it. */
export const runFloorCase = async (c: FloorCase): Promise<FloorResult> => {
  const seed = c.seed ?? 1;
  const clock = new VirtualClock();
  const sim = new SimulatedVpc({ seed, latencyMs: c.latencyMs, clock });
  const affected = perTable(c.routes);
  const estates: RouterEstate[] = Array.from({ length: c.groups }, (_, g) =>
    buildLargeEstate(sim, {
      routeTables: c.routes / affected,
      routesPerTable: affected,
      affectedPerTable: affected,
      groupName: `edge-${g + 1}`,
    }),
  );
  const priorityTables = new Set(estates.flatMap((e) => [...e.routeTableIds].sort().slice(0, PRIORITY_TABLES)));
  for (const id of priorityTables) sim.tagRouteTable(id, { [PRIORITY_TAG.key]: PRIORITY_TAG.value });
  for (const e of estates) sim.setInstanceState(e.routerA.instanceId, 'stopping');
  const t0 = clock.now();
  const sleep = (ms: number) => clock.sleep(ms);

  const body = async (): Promise<void> => {
    if (c.variant === 'workflow') {
      const config = parseConfig({
        ...estates[0].config,
        groups: estates.map((e) => ({ ...e.config.groups[0], priority: { routeTableTag: PRIORITY_TAG } })),
      });
      const pacer = new InMemoryWritePacer(REPLACE_ROUTE_PACE, { now: () => clock.now(), sleep });
      const now = () => new Date(clock.now());
      const raw = createTaskHandlers({
        ec2: sim.ec2(),
        sns: sim.sns(),
        config,
        topicArn: sim.createTopic('route-failover'),
        now,
        sleep,
        pacers: { ReplaceRoute: pacer },
      });
      const handlers = Object.fromEntries(
        Object.entries(raw).map(([name, h]) => [
          name,
          async (input: unknown) => {
            await sleep(c.taskOverheadMs);
            return h(input);
          },
        ]),
      );
      await Promise.all(
        estates.map((e) =>
          runExecution({
            handlers,
            input: { action: 'switchover', group: e.config.groups[0].name, to: 'router-b', requestedBy: 'bench' },
            executionName: `floor-${e.config.groups[0].name}`,
            region: sim.region,
            now,
          }),
        ),
      );
    } else {
      const random = seededRandom(seed);
      const ec2 = c.variant === 'classic+retry' ? withStandardRetry(sim.ec2(), sleep, random) : sim.ec2();
      await Promise.all(
        estates.map((e) =>
          classicFailover(
            {
              failedInstanceId: e.routerA.instanceId,
              pair: [e.routerA.instanceId, e.routerB.instanceId],
              vpcId: e.vpcId,
            },
            { ec2 },
          ),
        ),
      );
    }
  };
  await clock.run(body, { seed });
  const makespanMs = clock.now() - t0;

  // A route is switched when it ends on its paired interface; its time is the end of the last write that put it there.
  const lastWrite = new Map<string, number>();
  for (const call of sim.calls) {
    if ((call.action !== 'ReplaceRoute' && call.action !== 'CreateRoute') || call.error || call.endAt === undefined)
      continue;
    const i = call.input as Record<string, string>;
    lastWrite.set(`${i.RouteTableId} ${i.DestinationCidrBlock} ${i.NetworkInterfaceId}`, call.endAt - t0);
  }
  const moves = estates.flatMap((e) => e.expectedMoves);
  const times: number[] = [];
  const priorityTimes: number[] = [];
  for (const m of moves) {
    if (sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId !== m.toEni) continue;
    const t = lastWrite.get(`${m.routeTableId} ${m.destination.value} ${m.toEni}`);
    if (t === undefined) continue;
    times.push(t);
    if (priorityTables.has(m.routeTableId)) priorityTimes.push(t);
  }
  const ec2Calls = sim.calls.filter((x) => x.service === 'ec2');
  // The floor is a bound on the time after the reads: from the end of the last read that began before the
  // first write to the end of the last write that switched a route.
  const isWrite = (a: string) => a === 'ReplaceRoute' || a === 'CreateRoute' || a === 'DeleteRoute';
  const firstWrite = Math.min(...ec2Calls.filter((x) => isWrite(x.action)).map((x) => x.at));
  const readsEnd = Math.max(
    t0,
    ...ec2Calls.filter((x) => !isWrite(x.action) && x.at < firstWrite && x.endAt !== undefined).map((x) => x.endAt!),
  );
  const writePhaseMs = times.length > 0 ? Math.max(0, t0 + Math.max(...times) - readsEnd) : makespanMs;
  // Writes: ReplaceRoute for the workflow, DeleteRoute + CreateRoute for the classic script.
  const replace = ec2Calls.filter(
    (x) => x.action === 'ReplaceRoute' || x.action === 'CreateRoute' || x.action === 'DeleteRoute',
  );
  const replaceThrottled = replace.filter((x) => x.error === 'RequestLimitExceeded').length;
  const replaceOk = replace.length - replaceThrottled;
  const M = moves.length;
  const T = estates.reduce((n, e) => n + e.routeTableIds.length, 0);
  const { burst, refillPerSecond } = EC2_API_RATE_LIMITS.mutating;
  const floorMs = Math.max(c.latencyMs, ((M - burst) / refillPerSecond) * 1000);
  // Per failover: M + ⌈T/100⌉ + 6, summed over the groups that fail at once.
  const callBudget = estates.reduce(
    (n, e) => n + e.expectedMoves.length + Math.ceil(e.routeTableIds.length / 100) + 6,
    0,
  );
  return {
    ...c,
    routeTables: T,
    makespanMs,
    writePhaseMs,
    floorMs,
    switched: times.length,
    tts: percentiles(times),
    priorityTts: percentiles(priorityTimes),
    calls: ec2Calls.length,
    throttled: ec2Calls.filter((x) => x.error === 'RequestLimitExceeded').length,
    replaceOk,
    replaceThrottled,
    callBudget,
    goals: {
      // Fast is no use when routes are left broken: the time goal needs every route switched.
      // Plus the second of refill the pacer keeps in EC2's bucket against jitter (pacer.ts): 1 s, once.
      makespan: times.length === M && writePhaseMs <= 1.05 * floorMs + HEADROOM_MS + 4 * c.latencyMs,
      throttled: replaceThrottled <= 0.05 * Math.max(1, replaceOk),
      calls: ec2Calls.length <= callBudget,
    },
  };
};

const s = (ms: number | undefined): string => (ms === undefined ? '—' : (ms / 1000).toFixed(ms < 10_000 ? 2 : 1));
const tts = (p: Percentiles | undefined): string => (p ? `${s(p.p50)} / ${s(p.p99)} / ${s(p.max)}` : '—');
const mark = (ok: boolean): string => (ok ? '✓' : '✗');

/** The floor table. */
export const floorTable = (results: FloorResult[], taskOverheadMs: number, latencyMs: number): Table => ({
  headers: [
    'routes',
    'groups',
    'variant',
    'makespan s',
    'after reads s',
    'floor s',
    '× floor',
    'switched',
    'time to switch p50/p99/max s',
    'priority p50/p99/max s',
    'EC2 calls (budget)',
    'throttled (writes)',
    'goals',
  ],
  rows: results.map((r) => [
    r.routes.toLocaleString('en-US'),
    String(r.groups),
    r.variant,
    s(r.makespanMs),
    s(r.writePhaseMs),
    s(r.floorMs),
    (r.writePhaseMs / r.floorMs).toFixed(2),
    `${r.switched}/${r.routes * r.groups}`,
    tts(r.tts),
    tts(r.priorityTts),
    `${r.calls.toLocaleString('en-US')} (${r.callBudget.toLocaleString('en-US')})`,
    `${r.throttled} (${r.replaceThrottled}: ${((100 * r.replaceThrottled) / Math.max(1, r.replaceOk)).toFixed(1)} %)`,
    `${mark(r.goals.makespan)} time ${mark(r.goals.throttled)} throttled ${mark(r.goals.calls)} calls`,
  ]),
  notes: [
    `EC2 model: "Request throttling for the Amazon EC2 API" (sim/throttling.ts): ReplaceRoute 50 burst, 5/s; ` +
      `${latencyMs} ms per EC2 call; virtual clock (exact simulated time).`,
    `floor = max(L, (M − 50) / 5 s), M the routes of all groups ` +
      `failing at once, L one EC2 round trip (${latencyMs} ms).`,
    `workflow: every Task state costs ${taskOverheadMs} ms more (Lambda invoke and Step Functions transition; an ` +
      `assumption, --task-overhead-ms).`,
    'switched: routes on their paired interface at the end (classic moves eth1 routes to eth0: they never count); ' +
      'time to switch: from the failure to the end of the write that put the route there.',
    'priority: the routes of the 4 route tables tagged tier=critical ' +
      'in each group (40 routes); classic has no priorities.',
    'EC2 calls: all EC2 calls, throttled included; budget M + ⌈T/100⌉ + 6 per failover. throttled: ' +
      'RequestLimitExceeded answers, then those of writes (ReplaceRoute; DeleteRoute + CreateRoute for classic) and ' +
      'their share of successful writes.',
    'makespan: from the failure to the end of the run; after reads: from the end of the reads that precede the first ' +
      'write to the last route switched, the span the floor bounds (× floor is of that span).',
    'goals: every route switched and the span after the reads ≤ 1.05 × floor + 1 s (the refill the pacer keeps in ' +
      'reserve) + 4 round trips; throttled writes ≤ 5 % of successful ones; EC2 calls within the budget (the classic ' +
      'script needs 2 writes per route and is never within it).',
  ],
});
