import { describeCheck, problemText } from '../domain/invariant';
import { ERROR_TEXT_MAX } from '../contract/aws-errors';
import { PlanTooLargeError, THROWN_MESSAGE_MAX } from '../contract/errors';
import {
  EFFECTIVE_LISTED,
  PROBLEMS_LISTED,
  UNKNOWN_BLACKHOLES_LISTED,
  type FailoverState,
  type Plan,
} from '../contract/schemas';
import { associationBatchesOf, routeBatchesOf } from '../domain/plan';
import { payloadBytes, STATE_PAYLOAD_LIMIT } from '../contract/state-size';
import { addressStateBytes } from './addresses-plan';

/**
 * The workflow's state only grows after PlanSwitch: SwitchBatches and SwitchBatches add one
 * result per batch, VerifySwitch adds the verification, and Notify's Parameters wrap all of it with the
 * execution. So the largest state of a run is Notify's input (VerifySwitch' output plus a little), and it is
 * known from the plan before anything is written: the state and the plan exactly, and what the later states
 * add at most, per batch and per listed problem, from the bounds the functions keep (a thrown message, an
 * error text, the problems and associations VerifySwitch lists). Over Step Functions' 256 KiB the run would
 * end in States.DataLimitExceeded, which no Catch handles: no verification, no notification, the lease held.
 */

/**
 * Headroom left under the limit for what the functions list sparsely and the estimate does not count one by
 * one: routes a batch result lists as exceptions (retried, conflicting, vanished), ~32 bytes each. Every batch
 * is already counted at the size of one that failed as a whole, ~300 bytes more than a batch that ran needs
 * (room for ~9 exceptions each); this is for the rest: ~130 more.
 */
export const STATE_MARGIN_BYTES = 4 * 1024;

/** The largest estimate a plan may have: the limit minus the margin. */
export const STATE_BUDGET_BYTES = STATE_PAYLOAD_LIMIT - STATE_MARGIN_BYTES;

/** Warnings VerifySwitch lists about blackhole routes to unknown interfaces, and its "and N more" line. */
const VERIFY_WARNINGS_LISTED = UNKNOWN_BLACKHOLES_LISTED + 1;

/**
 * Placeholders as long as EC2's IDs (prefix and 17 hex digits), and the longest name of an error SwitchItems
 * throws (boundedHandler keeps its message within THROWN_MESSAGE_MAX and its trace to the name). The Lambda
 * service's own errors (Lambda.*, Sandbox.Timedout) have longer names but short fixed Causes, ~150 characters:
 * a record of ours is the larger.
 */
const RTB = 'rtb-0123456789abcdef0';
const ENI = 'eni-0123456789abcdef0';
const SUBJECT = 'subnet-0123456789abcdef0';
const ERROR_NAME = 'StateStoreTransientError';
const AT = '2026-01-01T00:00:00.000Z';
/** A switch time in a result's `sw` (base 36, 10 ms units, after a comma): "0," in the burst, "2s," after it. */
const SWITCH_TIME_BYTES = 4;

export interface StateEstimate {
  /** The largest state the run can reach: Notify's input. */
  bytes: number;
  /** The state PlanSwitch received, and its plan (both exact). */
  state: number;
  plan: number;
  /** At most what the Map results, the verification and Notify's Parameters add. */
  results: number;
  verification: number;
  notify: number;
  routes: number;
  associationMoves: number;
}

/** The largest state a run of this plan can reach (Notify's input), in bytes, and its parts. */
export const estimateLargestState = (input: FailoverState, plan: Plan): StateEstimate => {
  const longest = longestNames(input, plan);
  // A batch that failed as a whole is RecordBatchFailure's output: its id, the error name and Lambda's Cause
  // (errorType, a message of at most THROWN_MESSAGE_MAX characters, a one-line trace).
  const failedBatch = (id: number) =>
    payloadBytes({
      id,
      error: ERROR_NAME,
      cause: JSON.stringify({
        errorType: ERROR_NAME,
        errorMessage: 'x'.repeat(THROWN_MESSAGE_MAX),
        trace: [ERROR_NAME],
      }),
    });
  // A batch that ran: counts, one error text (routes refused alike share it) and each route's switch time.
  const ranRoutes = (id: number, routes: number) =>
    payloadBytes({
      id,
      routeTableId: RTB,
      usual: 'dry-run-ignored',
      usualError: 0,
      counts: { 'dry-run-ignored': routes, 'already-on-target': routes },
      exceptions: [],
      errors: ['x'.repeat(ERROR_TEXT_MAX)],
      at: AT,
      sw: '',
    }) +
    routes * SWITCH_TIME_BYTES;
  const move = payloadBytes({ st: 'already-on-target', a: 10, x: 10 }) + 1;
  const ranMoves = (id: number, moves: number) =>
    payloadBytes({ id, r: [], errors: ['x'.repeat(ERROR_TEXT_MAX)], at: AT, sw: '' }) +
    moves * (move + SWITCH_TIME_BYTES);

  const routeBatches = routeBatchesOf(plan);
  const associationBatches = associationBatchesOf(plan, []).map((a) => a.batch);
  const routes = routeBatches.reduce((n, b) => n + b.routes.length, 0);
  const associationMoves = associationBatches.reduce((n, b) => n + b.moves.length, 0);
  const results =
    routeBatches.reduce((n, b) => n + Math.max(failedBatch(b.id), ranRoutes(b.id, b.routes.length)) + 1, 0) +
    associationBatches.reduce((n, b) => n + Math.max(failedBatch(b.id), ranMoves(b.id, b.moves.length)) + 1, 0) +
    payloadBytes({ results: [] });

  const destination = { kind: 'prefix-list', value: longest.destination };
  const observed = payloadBytes({
    routeTableId: RTB,
    destination,
    // Listed problems expect 'target', 'source' or 'absent' ('untouched' routes are always ok).
    expected: 'target',
    target: ENI,
    state: 'blackhole',
    ok: false,
    // The longest text a listed problem can have (shared/invariant.ts problemText), the members' names the longest.
    problem: [
      problemText.unmoved(problemText.departed(longest.member, ENI, false, true)),
      problemText.unmoved(problemText.blackhole(longest.member, ENI)),
      problemText.unattributed(ENI, longest.members),
    ].reduce((a, b) => (a.length >= b.length ? a : b)),
  });
  const effective = payloadBytes({
    subject: SUBJECT,
    table: RTB,
    n: 10_000,
    ok: false,
    problem:
      `effective routes still lead to the failed side: ${RTB} ` + `${longest.destination} → ${longest.member}'s ${ENI}`,
  });
  const warning = payloadBytes(
    `${RTB} ${longest.destination} -> ${ENI} is blackhole and ${ENI} ` +
      `is in no member's inventory: check whether it belonged to a member`,
  );
  const verification =
    payloadBytes({
      verification: {
        checked: 1e6,
        ok: false,
        mismatches: 1e6,
        rounds: 10,
        observed: [],
        invariant: {
          tables: 1e6,
          routes: 1e6,
          findings: 1e6,
          split: 1e6,
          summary: describeCheck(
            { findings: { length: 1e6 } as never, routes: 1e6, tables: 1e6, split: 1e6 },
            longest.member,
            longest.members,
          ),
        },
        warnings: [],
        effective: [],
        verifiedAt: AT,
      },
    }) +
    PROBLEMS_LISTED * (observed + 1) +
    Math.min(EFFECTIVE_LISTED, associationMoves) * (effective + 1) +
    VERIFY_WARNINGS_LISTED * (warning + 1);

  // Notify's Parameters: {"state": <the state>, "execution": {id, name, startTime}} (this execution's, which the
  // state holds); RecordWithoutNotification also carries Notify's caught error, twice (in the state and beside it).
  const execution = { id: input.execution.id, name: 'x'.repeat(80), startTime: AT };
  const notify = payloadBytes({ state: {}, execution, publish: false, notifyFailure: {} }) + 2 * failedBatch(0);

  const state = payloadBytes(input);
  const planBytes = payloadBytes({ plan });
  // The addresses' results and read-back (their batches and plan are in planBytes already).
  const bytes = state + planBytes + results + verification + notify + addressStateBytes(plan);
  return { bytes, state, plan: planBytes, results, verification, notify, routes, associationMoves };
};

/**
 * Refuses a plan whose run could exceed Step Functions' 256 KiB per state (PlanTooLargeError), before anything
 * is written: the workflow's Catch on PlanSwitch then notifies and releases the lease, which a run that hit
 * States.DataLimitExceeded later could not.
 */
export const checkStateBudget = (input: FailoverState, plan: Plan): StateEstimate => {
  const estimate = estimateLargestState(input, plan);
  if (estimate.bytes <= STATE_BUDGET_BYTES) return estimate;
  // What a group of the same shape could hold: the per-item part scaled down to the budget.
  const fixed = estimate.state + estimate.verification + estimate.notify;
  const items = estimate.routes + estimate.associationMoves;
  const fit =
    items === 0 ? 0 : Math.floor((items * (STATE_BUDGET_BYTES - fixed)) / Math.max(1, estimate.bytes - fixed));
  throw new PlanTooLargeError(
    `${estimate.routes} ` +
      `route(s)${estimate.associationMoves > 0 ? ` and ${estimate.associationMoves} association(s)` : ''} ` +
      `would make a ` +
      `workflow state of about ${estimate.bytes} bytes; ` +
      `Step Functions allows ${STATE_PAYLOAD_LIMIT}. Split the group's route-table scope into several groups of at ` +
      `most about ${fit} ${estimate.associationMoves > 0 ? 'routes and associations' : 'routes'} each`,
  );
};

/**
 * The longest destination of the plan, the longest member name and the departed members: what the
 * listed problems are made of.
 */
const longestNames = (input: FailoverState, plan: Plan): { destination: string; member: string; members: string[] } => {
  let destination = '255.255.255.255/32';
  const see = (d: string) => {
    if (d.length > destination.length) destination = d;
  };
  for (const b of routeBatchesOf(plan)) for (const r of b.routes) see(r.d);
  for (const s of plan.skipped) see(s.destination.value);
  for (const a of plan.alreadyOnTarget) for (const d of a.destinations) see(d);
  const names = [input.target.name, ...input.sources.map((s) => s.name), ...input.pairs.map((p) => p.fromMember)];
  // Texts naming every departed member name them all: each source's name, however many.
  return {
    destination,
    member: names.reduce((a, b) => (b.length > a.length ? b : a), ''),
    members: [...new Set(input.sources.map((s) => s.name))],
  };
};
