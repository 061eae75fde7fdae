import type { FailoverConfig } from '../contract/config';
import { ConfigError } from '../contract/errors';
import { DEFAULT_WRITE_BUDGET_MS } from './paced-retry';
import { queueCapacity, REPLACE_ROUTE_PACE, type PacerSpec } from './pacer';
import { BATCH_SIZE } from './plan';

/**
 * How long one SwitchItems invocation may take, derived from the config rather than fixed.
 *
 * Why: the pacer is one first-come-first-served queue (pacer.ts), so a batch is never overtaken, but its turn
 * may lie as far ahead as the queue is long. A fixed 100 s budget refused a batch whose turn lay further
 * (maxConcurrency 40: 40 batches of 20 = 800 turns, 150 s at 5/s); the refused batch lost its place, the
 * state machine retried it seconds later behind the Map's newer iterations, which took the turns it had freed,
 * and after six retries its routes stayed on the dead router. The queue ahead of a batch is bounded, though:
 * only SwitchItems invocations reserve turns, each holds at most BATCH_SIZE unused ones (its first
 * reservation, or one retry per route whose first turn is spent), and at most Σ maxConcurrency of them run
 * at once, every routes-mode group of the account failing together (one execution per group replaces
 * routes at a time: the lease; the 100 s of the budget absorb a takeover's brief overlap). A
 * budget of that queue's wait plus the old 100 s for the batch's own retries is never refused its first turn,
 * so every batch that starts keeps its place and is served.
 */
export interface WriteBudget {
  /** The routes-mode groups and their Map concurrency: who shares EC2's ReplaceRoute bucket. */
  readonly groups: ReadonlyArray<{ name: string; maxConcurrency: number }>;
  /** SwitchItems invocations that can hold turns at once. */
  readonly writers: number;
  /** Turns that can be reserved ahead of (and including) a new batch's last one. */
  readonly turns: number;
  /** The longest wait for the last of those turns (ms). */
  readonly queueWaitMs: number;
  /** The invocation's budget: the queue's wait plus time for the batch's own retries (ms). */
  readonly budgetMs: number;
  /** The SwitchItems function timeout that leaves the budget room to end and report (s). */
  readonly functionTimeoutSeconds: number;
}

/** After the budget, the last retry's call and the batch's summary: well under this. */
const REPORT_MARGIN_SECONDS = 20;

/** The write budget of SwitchItems for this config (see WriteBudget). */
export const replaceRouteWriteBudget = (config: FailoverConfig, spec: PacerSpec = REPLACE_ROUTE_PACE): WriteBudget => {
  const groups = config.groups
    .filter((g) => g.switchMode === 'routes')
    .map((g) => ({ name: g.name, maxConcurrency: g.maxConcurrency }));
  const writers = groups.reduce((n, g) => n + g.maxConcurrency, 0);
  const turns = writers * BATCH_SIZE;
  // Turns come on whole seconds (pacer.ts): the k-th turn past the bucket less its headroom
  // comes within ⌈k / refill⌉ s.
  const queueWaitMs = Math.max(0, Math.ceil((turns - queueCapacity(spec)) / spec.refillPerSecond)) * 1000;
  const budgetMs = queueWaitMs + DEFAULT_WRITE_BUDGET_MS;
  return {
    groups,
    writers,
    turns,
    queueWaitMs,
    budgetMs,
    functionTimeoutSeconds: Math.ceil(budgetMs / 1000) + REPORT_MARGIN_SECONDS,
  };
};

/** Lambda's longest function timeout (s). */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;
/** SwitchItems' Task TimeoutSeconds in statemachine/failover.asl.json: above any function timeout allowed here. */
export const REPLACE_ROUTES_TASK_TIMEOUT_SECONDS = 900;
/** TimeoutSeconds of the state machine (statemachine/failover.asl.json). */
export const EXECUTION_TIMEOUT_SECONDS = 1800;
/**
 * The Task states an execution passes through besides SwitchItems, at their TimeoutSeconds in the ASL:
 * AcquireLease 30, ResolveTargets 60, PlanSwitch 120, VerifySwitch 120, Notify 30, ReleaseLease 30.
 */
export const OTHER_TASKS_SECONDS = 30 + 60 + 120 + 120 + 30 + 30;

/** A config whose writes cannot be served inside a SwitchItems invocation or the execution's timeout. */
export class WriteBudgetError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'WriteBudgetError';
  }
}

/**
 * Refuses (WriteBudgetError, with the arithmetic) a config under which a batch's worst-case turn lies past
 * what a function may run, or past what the execution leaves it: a batch that cannot be served where it
 * waits is starved again. Returns the budget otherwise (infra sizes the function timeout from it).
 */
export const checkWriteBudget = (config: FailoverConfig, spec: PacerSpec = REPLACE_ROUTE_PACE): WriteBudget => {
  const b = replaceRouteWriteBudget(config, spec);
  const holdDown = Math.max(0, ...config.groups.map((g) => g.autoFailback?.holdDownSeconds ?? 0));
  const executionSeconds = holdDown + OTHER_TASKS_SECONDS + b.functionTimeoutSeconds;
  const limitSeconds = Math.min(REPLACE_ROUTES_TASK_TIMEOUT_SECONDS - 10, LAMBDA_MAX_TIMEOUT_SECONDS - 10);
  if (b.functionTimeoutSeconds <= limitSeconds && executionSeconds <= EXECUTION_TIMEOUT_SECONDS) return b;
  const who = b.groups.map((g) => `"${g.name}" maxConcurrency ${g.maxConcurrency}`).join(', ');
  const arithmetic =
    `${b.writers} SwitchItems invocations at once (Σ maxConcurrency) hold up to ${b.writers} × ${BATCH_SIZE} = ` +
    `${b.turns} ReplaceRoute turns; past EC2's ${spec.burst} less the ` +
    `${spec.headroom ?? 0} a queue keeps in reserve, EC2 refills ${spec.refillPerSecond}/s, so the last batch waits ` +
    `up to ${b.queueWaitMs / 1000} s, plus ` +
    `${DEFAULT_WRITE_BUDGET_MS / 1000} s for its retries and ${REPORT_MARGIN_SECONDS} s to report = ` +
    `${b.functionTimeoutSeconds} s`;
  const over =
    b.functionTimeoutSeconds > limitSeconds
      ? `over the ${limitSeconds} s a SwitchItems invocation may run (Lambda allows ${LAMBDA_MAX_TIMEOUT_SECONDS} s; ` +
        `the Task ${REPLACE_ROUTES_TASK_TIMEOUT_SECONDS} s)`
      : `and with the longest hold-down (${holdDown} s) and the other Tasks (${OTHER_TASKS_SECONDS} s) the execution ` +
        `needs ${executionSeconds} s, ` +
        `over the state machine's ${EXECUTION_TIMEOUT_SECONDS} s`;
  throw new WriteBudgetError(
    `the groups' writes cannot be served in time: ${who} share EC2's ReplaceRoute bucket. ${arithmetic}, ${over}. ` +
      'Lower groups[].maxConcurrency (fewer batches at once queue fewer turns ahead of each) or split the groups ' +
      'across stacks in other accounts or regions.',
  );
};
