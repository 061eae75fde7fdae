import type { FailoverConfig } from '../functions/contract/config';
import { ReservedConcurrencyError } from '../functions/contract/errors';
import { PROBE_RESERVED_PER_LOCATION } from '../functions/probe/hand-over';
import { OTHER_TASKS } from './constructs/task-functions';

/**
 * Lambda keeps this many of the account's concurrent executions unreserved: "You can reserve up to the
 * Unreserved account concurrency value that is shown, minus 100 for functions that don't have reserved
 * concurrency" (AWS Lambda Developer Guide, "Configuring reserved concurrency for a function").
 */
export const LAMBDA_UNRESERVED_MINIMUM = 100;

/** The Task functions other than SwitchItems, each reserved `otherTasks` executions: rows of the one table. */
export { OTHER_TASKS } from './constructs/task-functions';

/** Executions one router failure can start for its group: EC2 stopping, EC2 stopped, status-check alarm, probe. */
const EXECUTIONS_PER_FAILURE = 4;

export interface ConcurrencyPlan {
  /**
   * SwitchItems: Σ groups' maxConcurrency × simultaneousExecutions + headroom. One Map runs the batches of
   * every kind (associations and routes) under the group's maxConcurrency, so that sum covers them all.
   */
  readonly switchItems: number;
  /** The twin reconcile: 1 when some group uses the associations mode (it is what serializes reconciles), else 0. */
  readonly twinReconcile: number;
  /** The route guard: always 1 (it is what serializes its passes, constructs/guard.ts). */
  readonly guard: number;
  /** Each function of OTHER_TASKS. */
  readonly otherTasks: number;
  /**
   * The health probes: PROBE_RESERVED_PER_LOCATION per probe location (subnet) of each probed group
   * (infra/constructs/probe.ts).
   */
  readonly probes: number;
  /** Everything this stack reserves. */
  readonly total: number;
  /** What the account can reserve: accountConcurrency − 100. */
  readonly limit: number;
}

/**
 * Sizes the reserved concurrency of the failover path from the groups: undefined (no Task reservations) unless
 * the config's `reservedConcurrency` section asks for it, because what any account can deploy is none, and the
 * account's quota is known only when the operator states it. Throws ReservedConcurrencyError, with the numbers
 * and the fields to change, when the stack would reserve more than the stated quota allows: Lambda would refuse
 * the deployment half-way instead.
 */
export const planReservedConcurrency = (config: FailoverConfig): ConcurrencyPlan | undefined => {
  const settings = config.reservedConcurrency;
  const probes = config.groups.reduce(
    (n, g) => n + (g.probe?.enabled ? g.probe.subnetIds.length * PROBE_RESERVED_PER_LOCATION : 0),
    0,
  );
  const associationGroups = config.groups.filter((g) => g.switchMode === 'associations');
  const twinReconcile = associationGroups.length > 0 ? 1 : 0;
  const guard = 1;
  const fixedParts =
    `probes ${probes} (${PROBE_RESERVED_PER_LOCATION} per location)` +
    `${twinReconcile ? ', twin reconcile 1' : ''}, route guard 1`;
  if (settings === undefined) return undefined;
  // The schema requires accountConcurrency when enabled; turned off, it is checked only when stated.
  const account = settings.accountConcurrency;
  const limit = account === undefined ? Infinity : account - LAMBDA_UNRESERVED_MINIMUM;
  if (!settings.enabled || account === undefined) {
    // The probes, the twin reconcile and the guard keep their reservations (what bounds or serializes their
    // invocations), so they must still fit.
    if (account !== undefined && probes + twinReconcile + guard > limit)
      throw tooMuch(probes + twinReconcile + guard, limit, account, fixedParts);
    return undefined;
  }
  const slots = (groups: FailoverConfig['groups']) => groups.reduce((n, g) => n + g.maxConcurrency, 0);
  const mapSlots = slots(config.groups);
  const switchItems = mapSlots * settings.simultaneousExecutions + settings.headroom;
  const otherTasks = settings.otherTasks ?? EXECUTIONS_PER_FAILURE * config.groups.length + settings.headroom;
  const total = switchItems + OTHER_TASKS.length * otherTasks + probes + twinReconcile + guard;
  if (total > limit) {
    const parts =
      `SwitchItems ${switchItems} (Σ maxConcurrency ${mapSlots} ` +
      `× simultaneousExecutions ${settings.simultaneousExecutions} ` +
      `+ headroom ${settings.headroom}), ` +
      `${OTHER_TASKS.length} other Tasks × ${otherTasks}, ${fixedParts}`;
    throw tooMuch(total, limit, account, parts);
  }
  return { switchItems, twinReconcile, guard, otherTasks, probes, total, limit };
};

const tooMuch = (total: number, limit: number, account: number, parts: string): ReservedConcurrencyError => {
  const head =
    `reserved concurrency does not fit: the stack would reserve ${total} concurrent executions (${parts}), ` +
    `but an account with a concurrency quota of ${account} (reservedConcurrency.accountConcurrency) `;
  const raise =
    'raise the quota in Service Quotas ' +
    `(AWS Lambda → Concurrent executions; at least ${total + LAMBDA_UNRESERVED_MINIMUM} ` +
    `for this) and set reservedConcurrency.accountConcurrency to it.`;
  // A quota of 100 or less leaves nothing to reserve: say so, never "at most -90".
  if (limit <= 0) {
    return new ReservedConcurrencyError(
      `${head}can reserve none: Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved. ` +
        (parts.startsWith('SwitchItems')
          ? `Remove the reservedConcurrency section to reserve nothing for the Task functions, and `
          : '') +
        // The guard's 1 is what serializes its passes (constructs/guard.ts): it stays, so the quota must allow it.
        `${parts.startsWith('SwitchItems') ? 'r' : 'R'}${raise.slice(1)}`,
    );
  }
  return new ReservedConcurrencyError(
    `${head}can reserve at most ${limit}: Lambda keeps ${LAMBDA_UNRESERVED_MINIMUM} unreserved. Lower ` +
      `groups[].maxConcurrency or reservedConcurrency.simultaneousExecutions / headroom / otherTasks, or ${raise}`,
  );
};
