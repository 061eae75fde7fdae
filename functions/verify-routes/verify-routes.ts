import { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { describeRouteTablesById, findRoute, routeKey, routeTarget } from '../shared/routes';
import {
  Destination,
  FailoverStateSchema,
  ObservedRoute,
  PlanSchema,
  RouteResult,
  RouteResultSchema,
  Verification,
} from '../shared/schemas';

export const VerifyInputSchema = FailoverStateSchema.extend({
  plan: PlanSchema,
  /** Absent when the ReplaceRoutes Map itself failed: then every planned route is checked against the plan. */
  results: z.array(RouteResultSchema).optional(),
});
export type VerifyInput = z.infer<typeof VerifyInputSchema>;

export interface VerifyRoutesDeps {
  ec2: EC2Client;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
  /** Delays before each re-read while replaced routes do not read back yet (EC2 is eventually consistent). */
  recheckDelaysMs?: number[];
}

interface Expectation {
  routeTableId: string;
  destination: Destination;
  expected: ObservedRoute['expected'];
  eni: string;
  /** True when a mismatch may still settle (the write was acknowledged moments ago). */
  settling: boolean;
}

const DEFAULT_RECHECK_DELAYS_MS = [1000, 2000, 4000];

/**
 * Reads the route tables back and checks each planned route: a replaced (or already moved) route must
 * target its new interface and not be blackhole; a dry-run route must be unchanged; a vanished route must
 * still be absent. Mismatches on just-replaced routes are re-read a bounded number of times.
 */
export const verifyRoutes = async (input: VerifyInput, deps: VerifyRoutesDeps): Promise<Verification> => {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const delays = deps.recheckDelaysMs ?? DEFAULT_RECHECK_DELAYS_MS;
  const expectations = expectationsOf(input);
  const tableIds = [...new Set(expectations.map((e) => e.routeTableId))].sort();

  let rounds = 0;
  let observed: ObservedRoute[] = [];
  for (;;) {
    rounds++;
    const tables = new Map<string, RouteTable>();
    for (const t of await describeRouteTablesById(deps.ec2, input.group.vpcId, tableIds)) tables.set(t.RouteTableId!, t);
    observed = expectations.map((e) => observe(e, tables.get(e.routeTableId)));
    const settling = observed.some((o, i) => !o.ok && expectations[i].settling);
    if (!settling || rounds > delays.length) break;
    await sleep(delays[rounds - 1]);
  }
  const mismatches = observed.filter((o) => !o.ok).length;
  return { checked: observed.length, ok: mismatches === 0, mismatches, rounds, observed, verifiedAt: now().toISOString() };
};

const expectationsOf = (input: VerifyInput): Expectation[] => {
  const results = new Map<string, RouteResult>();
  for (const r of input.results ?? []) results.set(routeKey(r.change.routeTableId, r.change.destination), r);
  const out: Expectation[] = input.plan.changes.map((c) => {
    const status = results.get(routeKey(c.routeTableId, c.destination))?.status;
    const base = { routeTableId: c.routeTableId, destination: c.destination };
    if (status === 'dry-run') return { ...base, expected: 'source' as const, eni: c.fromEni, settling: false };
    if (status === 'vanished') return { ...base, expected: 'absent' as const, eni: c.toEni, settling: false };
    return { ...base, expected: 'target' as const, eni: c.toEni, settling: status === 'replaced' };
  });
  for (const a of input.plan.alreadyOnTarget) {
    out.push({ routeTableId: a.routeTableId, destination: a.destination, expected: 'target', eni: a.eni, settling: false });
  }
  return out;
};

const observe = (e: Expectation, table: RouteTable | undefined): ObservedRoute => {
  const route = findRoute(table, e.destination);
  const base = { routeTableId: e.routeTableId, destination: e.destination, expected: e.expected };
  if (!route) {
    const ok = e.expected === 'absent';
    return { ...base, ok, problem: ok ? undefined : table ? 'route is missing' : 'route table is missing' };
  }
  const target = routeTarget(route);
  const state = route.State;
  if (e.expected === 'absent') return { ...base, target, state, ok: true, problem: undefined };
  if (target !== e.eni) {
    const want = e.expected === 'target' ? `new interface ${e.eni}` : `unchanged interface ${e.eni}`;
    return { ...base, target, state, ok: false, problem: `points at ${target ?? 'nothing'}, expected ${want}` };
  }
  if (e.expected === 'target' && state === 'blackhole') {
    return { ...base, target, state, ok: false, problem: `blackhole: ${e.eni} cannot carry traffic` };
  }
  return { ...base, target, state, ok: true };
};
