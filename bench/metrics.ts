import type { ExpectedMove } from '../cli/local/scenario';
import type { SimCall, SimulatedVpc } from '../sim';

/** What the benchmark measures of one run from the simulator's call log and final state. */

export interface CallCount {
  total: number;
  /** Answered RequestLimitExceeded (token bucket empty). */
  throttled: number;
}

/** Calls per EC2 action (SNS left out), failed and throttled ones included. */
export const ec2CallCounts = (sim: SimulatedVpc): Record<string, CallCount> => {
  const out: Record<string, CallCount> = {};
  for (const c of sim.calls) {
    if (c.service !== 'ec2') continue;
    const n = (out[c.action] ??= { total: 0, throttled: 0 });
    n.total++;
    if (c.error === 'RequestLimitExceeded') n.throttled++;
  }
  return out;
};

export interface WrongRoutes {
  /** The route no longer exists (classic: CreateRoute failed after DeleteRoute). */
  missing: number;
  /** Still on the failed router's interface: black-holed. */
  onFailed: number;
  /** On some other interface than its pair (classic: eth1 routes land on the standby's eth0). */
  otherTarget: number;
  total: number;
}

export interface BlackHole {
  /** Sum over routes of the time each had no usable route, from the failure until the end of the run. */
  sumMs: number;
  maxMs: number;
  /** Routes still without a usable route at the end: their black-hole time is open-ended. */
  open: number;
  /** Of that time, the part where the route did not exist at all (between DeleteRoute and CreateRoute). */
  noRouteSumMs: number;
  noRouteMaxMs: number;
  /** When the last route became usable (ms after the failure); undefined when some never did. */
  lastRestoredMs?: number;
}

const destinationOfInput = (input: Record<string, unknown>): string | undefined =>
  (input.DestinationCidrBlock ?? input.DestinationIpv6CidrBlock ?? input.DestinationPrefixListId) as string | undefined;

const keyOf = (routeTableId: string, destination: string): string => `${routeTableId}|${destination}`;

/**
 * Per expected move, the route's timeline rebuilt from the writes that took effect (each at the instant the
 * simulator applied it): usable while it exists and targets an interface in `healthyEnis`.
 */
export const blackHoleTime = (
  sim: SimulatedVpc,
  moves: ExpectedMove[],
  healthyEnis: ReadonlySet<string>,
  t0: number,
  tEnd: number,
): BlackHole => {
  const writes = new Map<string, SimCall[]>();
  for (const c of sim.mutatingCalls()) {
    const dest = destinationOfInput(c.input);
    const table = c.input.RouteTableId as string | undefined;
    if (!dest || !table) continue;
    const list = writes.get(keyOf(table, dest)) ?? [];
    list.push(c);
    writes.set(keyOf(table, dest), list);
  }
  const out: BlackHole = { sumMs: 0, maxMs: 0, open: 0, noRouteSumMs: 0, noRouteMaxMs: 0, lastRestoredMs: 0 };
  for (const m of moves) {
    let target: string | undefined = m.fromEni;
    let exists = true;
    let since = t0;
    let dark = 0;
    let gone = 0;
    let restoredAt: number | undefined = healthyEnis.has(m.fromEni) ? t0 : undefined;
    const events = (writes.get(keyOf(m.routeTableId, m.destination.value)) ?? [])
      .slice()
      .sort((a, b) => (a.endAt ?? a.at) - (b.endAt ?? b.at));
    const advance = (until: number) => {
      const span = Math.max(0, until - since);
      if (!exists) gone += span;
      if (!exists || !healthyEnis.has(target ?? '')) dark += span;
      since = Math.max(since, until);
    };
    for (const w of events) {
      const at = w.endAt ?? w.at;
      advance(at);
      if (w.action === 'DeleteRoute') exists = false;
      else {
        exists = true;
        target = w.input.NetworkInterfaceId as string | undefined;
      }
      const usable = exists && healthyEnis.has(target ?? '');
      restoredAt = usable ? (restoredAt ?? at) : undefined;
    }
    advance(tEnd);
    out.sumMs += dark;
    out.maxMs = Math.max(out.maxMs, dark);
    out.noRouteSumMs += gone;
    out.noRouteMaxMs = Math.max(out.noRouteMaxMs, gone);
    if (restoredAt === undefined) out.open++;
    else if (out.lastRestoredMs !== undefined) out.lastRestoredMs = Math.max(out.lastRestoredMs, restoredAt - t0);
  }
  if (out.open > 0) out.lastRestoredMs = undefined;
  return out;
};

/** Routes not on their paired interface at the end, read from the simulator's final state. */
export const wrongRoutes = (sim: SimulatedVpc, moves: ExpectedMove[]): WrongRoutes => {
  const out: WrongRoutes = { missing: 0, onFailed: 0, otherTarget: 0, total: 0 };
  for (const m of moves) {
    const route = sim.route(m.routeTableId, m.destination.value);
    const target = route?.NetworkInterfaceId ?? route?.GatewayId ?? route?.TransitGatewayId;
    if (target === m.toEni) continue;
    out.total++;
    if (!route) out.missing++;
    else if (target === m.fromEni) out.onFailed++;
    else out.otherTarget++;
  }
  return out;
};

export interface LowerBoundInput {
  routes: number;
  routeTables: number;
  latencyMs: number;
  /** Mutating bucket (burst, refill/s). */
  burst: number;
  refillPerSecond: number;
  /** Route tables per DescribeRouteTables page (EC2's maximum is 100). */
  pageSize?: number;
}

/**
 * The earliest the last route can be on its new target under the token bucket, whatever the algorithm:
 * the route tables must be read first (⌈tables/100⌉ pages in sequence, the instance lookup alongside),
 * then `routes` ReplaceRoute calls from a full mutating bucket: the first `burst` at once, the rest at
 * `refillPerSecond`, each taking effect one latency after it is sent.
 */
export const tokenBucketLowerBoundMs = (b: LowerBoundInput): number => {
  const reads = Math.max(1, Math.ceil(b.routeTables / (b.pageSize ?? 100))) * b.latencyMs;
  const writes = Math.max(b.latencyMs, (Math.max(0, b.routes - b.burst) / b.refillPerSecond) * 1000);
  return reads + writes;
};
