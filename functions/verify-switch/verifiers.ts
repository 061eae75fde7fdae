import type { RouteTable } from '@aws-sdk/client-ec2';
import type { AssociationMove, Destination, ObservedRoute, Verification } from '../contract/schemas';
import { liveAssociations, type MoveResult, moveResultsOf, sameSubject, subjectOf } from '../domain/associations';
import { destinationOf, resultsOf } from '../domain/plan';
import { findRoute, routeTarget } from '../domain/routes';
import type { SwitchVerifier } from '../domain/switch-strategy';
import type { VerifyInput } from './verify-input';

/**
 * Each switch kind's verification of one item on one read-back (SwitchVerifier). A fourth kind adds its
 * verifier here and its entry in VerifySwitch's list.
 */

/** One round's fresh read of the group's tables, as every kind's verifier gets it. */
export interface ReadBack {
  /** Every table of the group, originals and twins. */
  all: RouteTable[];
  byId: Map<string, RouteTable>;
  /** The target member's interfaces. */
  targetEnis: Set<string>;
  /** The first route of a table that still leads to a departed member, or is blackhole on a member's interface. */
  leadsToDeparted: (table: RouteTable) => string | undefined;
  dryRun: boolean;
}

export type EffectiveEntry = NonNullable<Verification['effective']>[number];

export interface Expectation {
  routeTableId: string;
  destination: Destination;
  expected: ObservedRoute['expected'];
  /** The interface it must point at (expected target), or the one it must still point at (source). */
  eni?: string;
  /** True when a mismatch may still settle (the write was acknowledged moments ago). */
  settling: boolean;
}

/**
 * Routes: each planned route where its result says (a replaced or already-moved route on its new interface
 * and not blackhole; a dry-run route unchanged; a vanished route still absent; a conflict left alone).
 */
export const routesVerifier: SwitchVerifier<VerifyInput, Expectation, ReadBack, ObservedRoute> = {
  kind: 'routes',
  expect: (input) => expectationsOf(input),
  verifyOne: (e, read) => ({ ...observe(e, read.byId.get(e.routeTableId), read.targetEnis), settling: e.settling }),
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
    for (const d of a.destinations)
      out.push({ routeTableId: a.routeTableId, destination: destinationOf(d), expected: 'target', settling: false });
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

/** The table a subject (subnet, gateway, main) uses now, among `tables`. */
export const tableOfSubject = (tables: RouteTable[], m: AssociationMove): RouteTable | undefined =>
  tables.find((t) => liveAssociations(t).some((a) => sameSubject(a, m)));

/**
 * Associations: how each planned association reads back: the table its subject uses, that table's route count
 * (the subject's effective routes: a subnet without an explicit association uses the main table), and whether
 * it is where the plan wants it. A move made moments ago that does not read back yet is `settling`.
 */
export const associationsVerifier: SwitchVerifier<VerifyInput, MoveResult, ReadBack, EffectiveEntry> = {
  kind: 'associations',
  expect: (input) => moveResultsOf(input.plan, input.results, input.associationResults),
  verifyOne: ({ move: m, status }, { all: tables, leadsToDeparted: leadsToSource, dryRun }) => {
    const table = tableOfSubject(tables, m);
    const subject = subjectOf(m);
    const base = { subject, table: table?.RouteTableId, n: table?.Routes?.length ?? 0 };
    if (!table)
      return {
        ...base,
        ok: false,
        settling: status === 'moved',
        problem: `${subject} is associated with no table of the group`,
      };
    const wantOn =
      status === 'dry-run'
        ? m.f
        : status === 'moved' || status === 'already-on-target' || status === 'dry-run-ignored'
          ? m.t
          : undefined;
    if (wantOn && table.RouteTableId !== wantOn) {
      return {
        ...base,
        ok: false,
        settling: status === 'moved',
        problem: `uses ${table.RouteTableId}, expected ${wantOn}${status === 'dry-run' ? ' (dry run: unchanged)' : ''}`,
      };
    }
    const bad = dryRun ? undefined : leadsToSource(table);
    if (bad)
      return { ...base, ok: false, settling: false, problem: `effective routes still lead to the failed side: ${bad}` };
    return { ...base, ok: true, settling: false };
  },
};
