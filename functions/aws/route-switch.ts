import { type EC2Client, ReplaceRouteCommand, type RouteTable } from '@aws-sdk/client-ec2';
import { checkObservedRoute, summarizeRoutes, type RouteOutcome } from '../domain/route-outcomes';
import type { SwitchStrategy } from '../domain/switch-strategy';
import { errorCode, errorText, isAbridged, toEc2Error } from '../contract/aws-errors';
import type { FailoverConfig } from '../contract/config';
import type { GroupStateStore } from '../domain/group-state';
import { expandBatch } from '../domain/plan';
import { destinationParams } from '../domain/routes';
import { describeRouteTablesById } from './route-tables';
import type { BatchResult, Change, ReplaceBatchInput } from '../contract/schemas';
import { replaceRouteWriteBudget } from '../domain/write-budget';
import { authorizeBatch } from './authorize';
import type { SwitchWriterDeps } from './paced-writer';

export interface RouteSwitchDeps extends SwitchWriterDeps {
  ec2: EC2Client;
  /** The groups, and their inventory: what the batch may write is re-derived from them (authorize.ts). */
  config: FailoverConfig;
  store: GroupStateStore;
  /** A plan observed this long ago or longer is read again before writing (ms; 0: always read). */
  maxObservationAgeMs?: number;
}

const DRY_RUN_IGNORED =
  'ReplaceRoute with DryRun answered success, not DryRunOperation: the endpoint ignored DryRun and CHANGED the route';
/** Longer than a 2,000-route failover at EC2's refill (~400 s): within one run the plan's observation stands. */
const DEFAULT_MAX_OBSERVATION_AGE_MS = 900_000;

/**
 * The routes kind: the routes of one batch (one route table) with ReplaceRoute only (never removed and
 * re-added), so a route exists at every instant. A route already on its new interface is not written again, a
 * route that vanished is reported and never re-created (ReplaceRoute refuses a missing route; that answer is
 * the check), and a route someone pointed elsewhere (neither the failing nor the target interface) is a
 * conflict, left alone. With dryRun, each route is `dry-run` only when EC2 answers DryRunOperation; a success
 * answer (an endpoint that ignores DryRun) is `dry-run-ignored`, reported loudly.
 *
 * Which observation the checks use: the plan carries each route's observed target (PlanSwitch planned it
 * because it pointed at the failing interface, `observedAt`), so one read of the group's tables serves every
 * batch of the run and the batch writes at once; without `observedAt`, or when the observation is older than
 * `maxObservationAgeMs` (a re-run much later), the batch reads its table first. The budget covers the longest
 * queue of ReplaceRoute turns the groups can form (functions/domain/write-budget.ts), so the batch's first
 * reservation is never refused and the batch never loses its place in the pacer's queue.
 */
export const routeSwitch: SwitchStrategy<ReplaceBatchInput, Change, RouteOutcome, BatchResult, RouteSwitchDeps> = {
  kind: 'routes',
  action: () => 'ReplaceRoute',
  prepare: async (input, deps, started) => {
    const budgetMs = deps.budgetMs ?? replaceRouteWriteBudget(deps.config).budgetMs;
    const { batch, pairs, dryRun } = input;
    const items = expandBatch(batch, pairs, '');
    await authorizeBatch(input, deps);
    const observedAt = input.observedAt === undefined ? undefined : Date.parse(input.observedAt);
    const fresh =
      observedAt !== undefined && started - observedAt < (deps.maxObservationAgeMs ?? DEFAULT_MAX_OBSERVATION_AGE_MS);
    if (fresh) return { items, settled: [], budgetMs };
    let table: RouteTable | undefined;
    try {
      [table] = await describeRouteTablesById(deps.ec2, input.vpcId, [batch.routeTableId]);
    } catch (err) {
      throw toEc2Error(err, `DescribeRouteTables ${batch.routeTableId}`);
    }
    return { items, settled: items.map((c) => checkObservedRoute(table, batch.routeTableId, c, dryRun)), budgetMs };
  },
  write: (c, { input, deps }) =>
    deps.ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: c.routeTableId,
        ...destinationParams(c.destination),
        NetworkInterfaceId: c.toEni,
        DryRun: input.dryRun,
      }),
    ),
  // A dry run is judged by EC2's answer: only DryRunOperation means rehearsed. Success means the endpoint
  // ignored DryRun and changed the route; say so, never "nothing changed".
  written: (a, { input }) => (input.dryRun ? { st: 'dry-run-ignored', a, e: DRY_RUN_IGNORED } : { st: 'replaced', a }),
  settledBy: (err, a, c, { log }) => {
    const code = errorCode(err);
    const message = (err as Error)?.message ?? String(err);
    if (code === 'DryRunOperation') return { st: 'dry-run', a };
    // The route's error as state keeps it: bounded (EC2's UnauthorizedOperation carries ~1.5 KB); whole in the log.
    const e = errorText(err);
    if (isAbridged(err)) {
      log?.({
        level: 'WARN',
        message: 'ReplaceRoute error, abridged in the batch result',
        errorText: e,
        routeTableId: c.routeTableId,
        destination: c.destination.value,
        code,
        errorMessage: message,
      });
    }
    // ReplaceRoute on a missing route answers InvalidParameterValue "There is no route defined for …".
    if (
      code === 'InvalidRouteTableID.NotFound' ||
      code === 'InvalidRoute.NotFound' ||
      (code === 'InvalidParameterValue' && /no route defined/i.test(message))
    ) {
      return { st: 'vanished', a, e };
    }
    return undefined;
  },
  switched: (o) => o.st === 'replaced' || o.st === 'dry-run-ignored',
  describe: (c) => `ReplaceRoute ${c.routeTableId} ${c.destination.value} → ${c.toEni}`,
  refusedTurns: (input, n) =>
    `ReplaceRoute pacer: the ${n} route(s) of ${input.batch.routeTableId} would not all get their turn within the ` +
    `batch's budget (longer than the longest queue the groups can form: are other writers using this pacer?); ` +
    `nothing was sent (the state machine retries the batch)`,
  summarize: (input, outcomes, at, switchedAt) =>
    summarizeRoutes(
      input.batch.id,
      input.batch.routeTableId,
      input.dryRun ? 'dry-run' : 'replaced',
      outcomes,
      at,
      switchedAt,
    ),
};
