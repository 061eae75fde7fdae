import { writeBatch } from '../aws/paced-writer';
import { originalInScope } from '../aws/authorize';
import { routeSwitch, type RouteSwitchDeps } from '../aws/route-switch';
import { describeRouteTablesById } from '../aws/route-tables';
import { errorText } from '../contract/aws-errors';
import { FIRST_WRITE_LISTED_MAX, type FirstWriteRoute } from '../contract/audit-record';
import { findGroup } from '../contract/config';
import { type Batch, type BatchResult, type FailoverState, FailoverStateSchema } from '../contract/schemas';
import type { GuardStore } from '../domain/guard-state';
import { resultsOf } from '../domain/plan';
import { checkPlannable, collectChanges, finishPlan } from '../domain/route-changes';

/**
 * FirstWrite: the group's priority routes switched right after ResolveTargets (the trigger confirmed, the
 * target through the health gate), before PlanSwitch reads the whole reach. The plan the guard armed for the
 * failing member (functions/guard, the group-state table) says only WHICH tables to look at first; what is
 * written comes from a fresh read of those tables, with this execution's resolved pairs, through the same
 * pieces the full path uses (collectChanges and checkPlannable of PlanSwitch, the one paced writer with the
 * routes kind: its authorization, its ReplaceRoute pacer, its audit of attempts). So a stale or missing armed plan
 * costs speed, never correctness: PlanSwitch, the SwitchBatches Map and VerifySwitch follow in every case, find these
 * routes already on the target and judge the whole reach on a fresh read. Never throws for a business reason: it
 * answers `skipped` with why; the state's Catch sends any error on to PlanSwitch.
 */

export const FirstWriteInputSchema = FailoverStateSchema;

export interface FirstWriteDeps extends RouteSwitchDeps {
  /** Where the guard keeps the armed plans (group-state table). */
  guard: Pick<GuardStore, 'read'>;
}

/** Small on purpose: the full path's results and the audit record are PlanSwitch's and the Map's. */
export interface FirstWriteResult {
  status: 'written' | 'skipped';
  reason?: string;
  /** When the guard armed the plan used. */
  armedAt?: string;
  tables?: number;
  /** Route statuses over the priority batches written (moved, already-on-target, failed, …). */
  counts?: Record<string, number>;
  /** Routes it switched (ReplaceRoute answered success), all of them counted; the audit record lists them as moved. */
  switchedCount?: number;
  /** The first FIRST_WRITE_LISTED_MAX of them, each with when it was switched. */
  switched?: FirstWriteRoute[];
  /** Batches the writer refused or failed as a whole (the full path retries them). */
  batchErrors?: string[];
  readAt?: string;
  finishedAt?: string;
}

/**
 * How long FirstWrite waits for its turns at the write pacer: the priority batches go out inside EC2's burst when
 * the account is quiet; when other failovers hold the queue, waiting longer would only delay PlanSwitch and the
 * full path, which take their turn anyway. What the budget leaves unwritten is reported and written later.
 */
export const FIRST_WRITE_BUDGET_MS = 5000;

const skipped = (reason: string, extra: Partial<FirstWriteResult> = {}): FirstWriteResult => ({
  status: 'skipped',
  reason,
  ...extra,
});

/** The priority routes of the armed tables, switched from a fresh read of those tables; see the module comment. */
export const firstWrite = async (input: FailoverState, deps: FirstWriteDeps): Promise<FirstWriteResult> => {
  const now = deps.now ?? (() => new Date());
  if (input.dryRun) return skipped('dry run');
  if (input.group.switchMode === 'associations') return skipped('associations mode: the twins switch whole tables');
  if (!input.group.priority) return skipped('the group has no priority routes');
  if (input.sources.length !== 1)
    return skipped(`${input.sources.length} failing members: the full path plans them together`);
  const group = findGroup(deps.config, input.group.name);
  if (!group) return skipped(`group ${input.group.name} is not in the config`);

  const source = input.sources[0].name;
  const view = await deps.guard.read(group.name);
  const armed = view.guard?.plans?.find((p) => p.member === source);
  const armedAt = view.guard?.lastPassAt;
  if (!armed) return skipped(`no plan armed for ${source}`, { armedAt });
  if (armed.to !== undefined && armed.to !== input.target.name) {
    return skipped(`the plan armed for ${source} goes to ${armed.to}, this failover to ${input.target.name}`, {
      armedAt,
    });
  }
  const ids = armed.tables.map((t) => t.routeTableId);
  if (ids.length === 0) return skipped(`the plan armed for ${source} lists no table`, { armedAt });

  const readAt = now();
  // Only originals of the group's scope: a table that left the scope since the guard's pass is
  // the full path's business.
  const tables = (await describeRouteTablesById(deps.ec2, group.vpcId, ids)).filter((t) => originalInScope(group, t));
  const found = collectChanges(input, tables);
  try {
    // Unpaired interfaces or flap damping: the full path refuses it, with the audit record; nothing here.
    checkPlannable(input, found, found.changes.length);
  } catch (err) {
    return skipped(`not plannable: ${errorText(err)}`, { armedAt });
  }
  const plan = finishPlan(input, found, tables, readAt, {});
  const batches = plan.batches.filter((b): b is Batch => 'routes' in b && b.pr === 1);
  if (batches.length === 0)
    return skipped('no priority route of the armed tables points at the failing member', {
      armedAt,
      tables: tables.length,
    });

  const counts: Record<string, number> = {};
  const batchErrors: string[] = [];
  const results = await Promise.all(
    batches.map((batch) =>
      writeBatch(
        routeSwitch,
        {
          batch,
          group: group.name,
          vpcId: group.vpcId,
          pairs: input.pairs,
          dryRun: false,
          observedAt: readAt.toISOString(),
        },
        { ...deps, budgetMs: deps.budgetMs ?? FIRST_WRITE_BUDGET_MS },
      ).then(
        (r: BatchResult) => r,
        (err: unknown) => {
          batchErrors.push(`${batch.routeTableId}: ${errorText(err)}`.slice(0, 300));
          return undefined;
        },
      ),
    ),
  );
  for (const r of results)
    for (const [status, n] of Object.entries(r?.counts ?? {})) counts[status] = (counts[status] ?? 0) + n;
  // What it switched, route by route (the same reading of batch results as the audit's): PlanSwitch will find these
  // routes already on the target, so the record learns from here that this execution moved them, and when.
  const ran = results.filter((r): r is BatchResult => r !== undefined);
  const switched: FirstWriteRoute[] = [];
  for (const { change, status, attempts, switchedAt } of resultsOf(
    { ...plan, batches },
    input.pairs,
    input.target.name,
    ran,
  ).values()) {
    if (status !== 'replaced' || switchedAt === undefined) continue;
    switched.push({ ...change, attempts, switchedAt: new Date(switchedAt).toISOString() });
  }
  switched.sort((a, b) => a.switchedAt.localeCompare(b.switchedAt));
  return {
    status: 'written',
    armedAt,
    tables: batches.length,
    counts,
    switchedCount: switched.length,
    ...(switched.length > 0 ? { switched: switched.slice(0, FIRST_WRITE_LISTED_MAX) } : {}),
    ...(batchErrors.length > 0 ? { batchErrors: batchErrors.slice(0, 10) } : {}),
    readAt: readAt.toISOString(),
    finishedAt: now().toISOString(),
  };
};
