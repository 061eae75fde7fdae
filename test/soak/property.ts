import fc from 'fast-check';
import { estateArb, foldEstate, type EstateSpec, type Size } from './generators/estate';
import { foldHistory, historyArb, type HistorySpec } from './generators/history';
import { checkCase, type InvariantId, type Violation } from './invariants';
import { runCase, type Observation } from './run-case';

/**
 * The soak as one fast-check property: a generated case (estate, history, the simulator's seed) is run and
 * every invariant checked; a violation fails the property, and fast-check shrinks the case to a minimal one.
 */

export interface SoakCase {
  estate: EstateSpec;
  history: HistorySpec;
  simSeed: number;
}

export const caseArb = (opts: { maxTables?: number; maxRoutes?: number; size?: Size } = {}): fc.Arbitrary<SoakCase> =>
  fc.record({ estate: estateArb(opts), history: historyArb(), simSeed: fc.nat(2 ** 31 - 1) }).map((c) => ({
    ...c,
    estate: foldEstate(c.estate),
    history: foldHistory(c.history, c.estate.members, c.estate.active),
  }));

export class SoakViolation extends Error {
  constructor(readonly violations: Violation[]) {
    super(violations.map((v) => `${v.invariant} ${v.detail}`).join('\n'));
    this.name = 'SoakViolation';
  }
}

/** Runs one case and returns its violations (none: it passed). */
export const soakCase = async (c: SoakCase): Promise<Violation[]> =>
  checkCase(await runCase(c.estate, c.history, c.simSeed));

/** The property; `onCase` sees every case run (shrinking included) with its violations and what it left. */
export const soakProperty = (
  opts: {
    maxTables?: number;
    maxRoutes?: number;
    size?: Size;
    onCase?: (c: SoakCase, v: Violation[], o: Observation) => void;
    /** Fail on this invariant only (shrinking a case keeps the violation it was found for). */
    only?: InvariantId;
  } = {},
) =>
  fc.asyncProperty(caseArb(opts), async (c) => {
    const o = await runCase(c.estate, c.history, c.simSeed);
    const violations = checkCase(o).filter((v) => opts.only === undefined || v.invariant === opts.only);
    opts.onCase?.(c, violations, o);
    if (violations.length > 0) throw new SoakViolation(violations);
  });
