import { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import { liveAssociations, moveResultsOf } from '../shared/associations';
import { readGroupTables } from '../shared/group-tables';
import { destinationOf, resultsOf } from '../shared/plan';
import { findRoute, routeDestination, routeKey, routeTarget } from '../shared/routes';
import {
  AssociationBatchResultSchema,
  BatchResultSchema,
  Destination,
  EFFECTIVE_LISTED,
  FailoverStateSchema,
  ObservedRoute,
  PlanSchema,
  PROBLEMS_LISTED,
  UNKNOWN_BLACKHOLES_LISTED,
  Verification,
} from '../shared/schemas';
import { observeMoves } from './effective';
import { twinIdentity } from '../shared/twins';
import * as z from '../shared/zod';

export const VerifyInputSchema = z.lazy(() =>
  z.extendLazy(FailoverStateSchema, {
    plan: PlanSchema,
    /** Absent when the ReplaceRouteBatches Map itself failed: then every planned route is checked against the plan. */
    results: z.optional(z.array(BatchResultSchema)),
    /** Associations mode: the ReplaceAssociationBatches Map output. */
    associationResults: z.optional(z.array(AssociationBatchResultSchema)),
  }),
);
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
  /** The interface it must point at (expected target), or the one it must still point at (source). */
  eni?: string;
  /** True when a mismatch may still settle (the write was acknowledged moments ago). */
  settling: boolean;
}

const DEFAULT_RECHECK_DELAYS_MS = [1000, 2000, 4000];

/**
 * Reads the group's route tables back and checks each planned route: a replaced (or already moved) route
 * must target its new interface and not be blackhole; a dry-run route must be unchanged; a vanished route
 * must still be absent. Then it sweeps the whole scope: any other route that still points at an interface
 * of a member the routes left (live or from the inventory), or that is blackhole on a target interface, is
 * a mismatch too, so a failover can never read as done while a route still leads to the failed router.
 * Mismatches on just-replaced routes are re-read a bounded number of times. Only the problems are listed
 * (the state stays small at thousands of routes); every route not listed is verified.
 */
export const verifyRoutes = async (input: VerifyInput, deps: VerifyRoutesDeps): Promise<Verification> => {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const delays = deps.recheckDelaysMs ?? DEFAULT_RECHECK_DELAYS_MS;
  const expectations = expectationsOf(input);
  const targetEnis = new Set(input.targetEnis);

  const associations = input.group.switchMode === 'associations';
  const moves = moveResultsOf(input.plan, input.associationResults);
  const sourceOwner = new Map(input.pairs.map((p) => [p.fromEni, p.fromMember]));

  let rounds = 0;
  let observed: ObservedRoute[] = [];
  let effective: ReturnType<typeof observeMoves> = [];
  let swept: Sweep = { problems: [], warnings: [], routes: 0 };
  for (;;) {
    rounds++;
    const read = await readGroupTables(deps.ec2, input.group);
    const all = [...read.originals, ...read.twins.map((t) => t.table)];
    const tables = new Map(all.map((t) => [t.RouteTableId!, t]));
    observed = expectations.map((e) => observe(e, tables.get(e.routeTableId), targetEnis));
    // In the associations mode only the tables something is associated with carry traffic: the original a
    // subnet left still points at the failed router, and must.
    // A twin of this group whose original is gone (or out of scope) is in no plan, but one that still has
    // associations carries traffic: its routes are swept too, so a failover never passes over it in silence.
    const orphans = read.ignored.filter((t) => twinIdentity(t)?.group === input.group.name);
    swept = sweep(input, expectations, associations ? [...all, ...orphans].filter((t) => liveAssociations(t).length > 0) : [...read.originals, ...read.twins.map((t) => t.table).filter((t) => liveAssociations(t).length > 0)], targetEnis);
    effective = observeMoves(moves, all, (t) => leadsToSource(t, sourceOwner, targetEnis), input.dryRun);
    const settling = observed.some((o, i) => !o.ok && expectations[i].settling) || effective.some((e) => !e.ok && e.settling);
    if (!settling || rounds > delays.length) break;
    await sleep(delays[rounds - 1]);
  }
  const problems = [...observed.filter((o) => !o.ok), ...swept.problems];
  const badMoves = effective.filter((e) => !e.ok).length;
  return {
    checked: observed.length + swept.routes + effective.length,
    ok: problems.length === 0 && badMoves === 0,
    mismatches: problems.length + badMoves,
    rounds,
    observed: problems.slice(0, PROBLEMS_LISTED),
    ...(swept.warnings.length > 0 ? { warnings: swept.warnings } : {}),
    ...(associations ? { effective: effective.slice(0, EFFECTIVE_LISTED).map(({ settling: _, ...e }) => e) } : {}),
    verifiedAt: now().toISOString(),
  };
};

/** The first route of a table that still leads to a source member, or is blackhole on a target interface. */
const leadsToSource = (table: RouteTable, sourceOwner: Map<string, string>, targetEnis: Set<string>): string | undefined => {
  for (const route of table.Routes ?? []) {
    const eni = route.NetworkInterfaceId;
    if (!eni) continue;
    const d = routeDestination(route)?.value;
    if (sourceOwner.has(eni)) return `${table.RouteTableId} ${d} → ${sourceOwner.get(eni)}'s ${eni}`;
    if (targetEnis.has(eni) && route.State === 'blackhole') return `${table.RouteTableId} ${d} → ${eni} is blackhole`;
  }
  return undefined;
};

interface Sweep {
  problems: ObservedRoute[];
  warnings: string[];
  /** In-scope routes looked at beyond the planned ones. */
  routes: number;
}

/**
 * Every in-scope route the plan did not name: one that still points at an interface of a member the routes
 * left is a mismatch (in a dry run that is expected, so it is not); one that is blackhole on a target
 * interface is a mismatch; one that is blackhole on an interface no member is known to have had is a
 * warning (it may have been a member's before the inventory knew it).
 */
const sweep = (input: VerifyInput, expectations: Expectation[], tables: RouteTable[], targetEnis: Set<string>): Sweep => {
  const named = new Set(expectations.map((e) => routeKey(e.routeTableId, e.destination)));
  for (const s of input.plan.skipped) named.add(routeKey(s.routeTableId, s.destination));
  const owner = new Map(input.pairs.map((p) => [p.fromEni, p.fromMember]));
  const out: Sweep = { problems: [], warnings: [], routes: 0 };
  let unknownBlackholes = 0;
  for (const table of tables) {
    for (const route of table.Routes ?? []) {
      const destination = routeDestination(route);
      const eni = route.NetworkInterfaceId;
      if (!destination || !eni || named.has(routeKey(table.RouteTableId!, destination))) continue;
      out.routes++;
      const base = { routeTableId: table.RouteTableId!, destination, target: eni, state: route.State, expected: 'target' as const, ok: false };
      const from = owner.get(eni);
      if (from !== undefined) {
        if (!input.dryRun) out.problems.push({ ...base, problem: `still points at ${from}'s interface ${eni}${route.State === 'blackhole' ? ' (blackhole)' : ''}: not moved by this run` });
      } else if (targetEnis.has(eni)) {
        if (route.State === 'blackhole') out.problems.push({ ...base, problem: `blackhole: ${eni} cannot carry traffic` });
      } else if (route.State === 'blackhole' && unknownBlackholes++ < UNKNOWN_BLACKHOLES_LISTED) {
        out.warnings.push(`${table.RouteTableId} ${destination.value} -> ${eni} is blackhole and ${eni} is in no member's inventory: check whether it belonged to a member`);
      }
    }
  }
  if (unknownBlackholes > UNKNOWN_BLACKHOLES_LISTED) out.warnings.push(`and ${unknownBlackholes - UNKNOWN_BLACKHOLES_LISTED} more blackhole route(s) to unknown interfaces`);
  return out;
};

const expectationsOf = (input: VerifyInput): Expectation[] => {
  const results = resultsOf(input.plan, input.pairs, input.target.name, input.results);
  const out: Expectation[] = [...results.values()].map(({ change: c, status }) => {
    const base = { routeTableId: c.routeTableId, destination: c.destination };
    if (status === 'dry-run') return { ...base, expected: 'source' as const, eni: c.fromEni, settling: false };
    if (status === 'vanished') return { ...base, expected: 'absent' as const, settling: false };
    if (status === 'conflict') return { ...base, expected: 'untouched' as const, settling: false };
    return { ...base, expected: 'target' as const, eni: c.toEni, settling: status === 'replaced' };
  });
  for (const a of input.plan.alreadyOnTarget) {
    for (const d of a.destinations) out.push({ routeTableId: a.routeTableId, destination: destinationOf(d), expected: 'target', settling: false });
  }
  return out;
};

const observe = (e: Expectation, table: RouteTable | undefined, targetEnis: Set<string>): ObservedRoute => {
  const route = findRoute(table, e.destination);
  const base = { routeTableId: e.routeTableId, destination: e.destination, expected: e.expected };
  if (!route) {
    const ok = e.expected === 'absent' || e.expected === 'untouched';
    return { ...base, ok, problem: ok ? undefined : table ? 'route is missing' : 'route table is missing' };
  }
  const target = routeTarget(route);
  const state = route.State;
  // A conflict was left alone on purpose: reported by the audit, not a verification failure.
  if (e.expected === 'absent' || e.expected === 'untouched') return { ...base, target, state, ok: true };
  const onTarget = e.eni ? target === e.eni : target !== undefined && targetEnis.has(target);
  if (!onTarget) {
    const want = e.expected === 'target' ? `new interface ${e.eni ?? 'of the target'}` : `unchanged interface ${e.eni}`;
    return { ...base, target, state, ok: false, problem: `points at ${target ?? 'nothing'}, expected ${want}` };
  }
  if (e.expected === 'target' && state === 'blackhole') {
    return { ...base, target, state, ok: false, problem: `blackhole: ${target} cannot carry traffic` };
  }
  return { ...base, target, state, ok: true };
};
