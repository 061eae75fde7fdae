import { checkStateBudget, estimateLargestState, STATE_BUDGET_BYTES } from '../../functions/plan-switch/state-budget';
import { PlanTooLargeError } from '../../functions/contract/errors';
import type { AssociationBatch, Batch, FailoverState, Plan } from '../../functions/contract/schemas';
import { STATE_PAYLOAD_LIMIT } from '../../functions/contract/state-size';
import { planWith, resolvedState } from './fixtures';

/**
 * PlanSwitch' state budget on plans made up here (the workflow tests measure it against real runs:
 * state-budget.test.ts, payload-bounds*.test.ts). What is checked: what it counts, and that its advice fits.
 */
const state = (): FailoverState => ({ ...resolvedState(), maxConcurrency: 20 }) as FailoverState;

/** `tables` batches of `perTable` IPv4 routes each, one table per batch. */
const routes = (tables: number, perTable: number): Batch[] =>
  Array.from({ length: tables }, (_, t) => ({
    id: t,
    routeTableId: `rtb-${(0x1000000000000 + t).toString(16).padStart(17, '0')}`,
    routes: Array.from({ length: perTable }, (_, k) => ({
      d: `10.${128 + (k >> 8)}.${k & 255}.0/24`,
      p: k % 2,
      b: 1 as const,
    })),
  }));

/** `n` subnet association moves, in batches of 50. */
const moves = (n: number): AssociationBatch[] => {
  const all = Array.from({ length: n }, (_, i) => ({
    a: `rtbassoc-${(0x2000000000000 + i).toString(16).padStart(17, '0')}`,
    f: 'rtb-0aaaaaaaaaaaaaaaa',
    t: 'rtb-0bbbbbbbbbbbbbbbb',
    o: 'rtb-0aaaaaaaaaaaaaaaa',
    s: `subnet-${(0x3000000000000 + i).toString(16).padStart(17, '0')}`,
  }));
  return Array.from({ length: Math.ceil(n / 50) }, (_, id) => ({ id, moves: all.slice(id * 50, id * 50 + 50) }));
};

const refusal = (plan: Plan): PlanTooLargeError => {
  try {
    checkStateBudget(state(), plan);
  } catch (err) {
    if (err instanceof PlanTooLargeError) return err;
    throw err;
  }
  throw new Error('the plan was accepted');
};

describe('state budget (PlanSwitch)', () => {
  it('counts the state and the plan exactly, and a batch at least at the size of one that failed as a whole', () => {
    const plan = planWith(routes(10, 10));
    const e = estimateLargestState(state(), plan);
    expect(e.state).toBe(Buffer.byteLength(JSON.stringify(state())));
    expect(e.plan).toBe(Buffer.byteLength(JSON.stringify({ plan })));
    // RecordBatchFailure's output with a 300-character message is ~450 bytes; one route adds its switch time.
    expect(e.results / 10).toBeGreaterThan(450);
    expect(estimateLargestState(state(), planWith(routes(10, 20))).results).toBeGreaterThan(e.results);
    expect(e.bytes).toBe(e.state + e.plan + e.results + e.verification + e.notify);
  });

  it('counts each association to move: its move, its result, its line in the verification (up to 500)', () => {
    const few = estimateLargestState(state(), planWith([], { associationBatches: moves(100) }));
    const more = estimateLargestState(state(), planWith([], { associationBatches: moves(200) }));
    expect(more.associationMoves).toBe(200);
    expect(more.verification - few.verification).toBeGreaterThan(100 * 200);
    const capped = estimateLargestState(state(), planWith([], { associationBatches: moves(600) }));
    const beyond = estimateLargestState(state(), planWith([], { associationBatches: moves(700) }));
    expect(beyond.verification).toBe(capped.verification);
  });

  it('refuses by name, with the size, the limit and the advice; a group of the advised size fits', () => {
    const err = refusal(planWith(routes(400, 10)));
    expect(err.name).toBe('PlanTooLargeError');
    expect(err.message).toMatch(
      new RegExp(
        String.raw`^4000 route\(s\) would make a workflow state of about \d+ bytes; Step Functions allows ` +
          String.raw`262144\. Split the group's route-table scope into several groups of at most about (\d+) ` +
          `routes each$`,
      ),
    );
    const advised = Number(/at most about (\d+) routes/.exec(err.message)![1]);
    expect(advised).toBeGreaterThan(1500);
    expect(estimateLargestState(state(), planWith(routes(Math.floor(advised / 10), 10))).bytes).toBeLessThanOrEqual(
      STATE_BUDGET_BYTES,
    );
    expect(STATE_BUDGET_BYTES).toBeLessThan(STATE_PAYLOAD_LIMIT);
  });

  it('names associations in the refusal when the plan moves some', () => {
    const err = refusal(planWith(routes(150, 10), { associationBatches: moves(200) }));
    expect(err.message).toMatch(
      /^1500 route\(s\) and 200 association\(s\) would make .* routes and associations each$/,
    );
  });

  it('accepts an empty plan', () => {
    expect(checkStateBudget(state(), planWith([])).bytes).toBeLessThan(STATE_BUDGET_BYTES);
  });
});
