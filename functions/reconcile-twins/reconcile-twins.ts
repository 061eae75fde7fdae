/**
 * The twin reconcile's pass: which groups it covers, and each original's twins reconciled or, in a dry run, reported
 * (plan-twins reads and plans, twin-writer writes, twin-changes and report say what a report holds).
 */
import { errorText } from '../contract/aws-errors';
import type { FailoverConfig, Group } from '../contract/config';
import { NotAssociationsModeError, UnknownGroupError } from '../contract/errors';
import type { GroupStateStore } from '../domain/group-state';
import { type GroupPlan, type OriginalPlan, planGroup, type TwinPlan } from './plan-twins';
import {
  type GroupReconcileReport,
  ORPHAN_REMOVAL,
  type OriginalReport,
  type ReconcileTwinsReport,
  type TwinReport,
} from './report';
import { describeChanges, twinChanges } from './twin-changes';
import { TwinWriter, type TwinWriterDeps } from './twin-writer';

export interface ReconcileTwinsInput {
  /** Groups to reconcile (each must be in the associations mode); every associations-mode group when absent. */
  groups?: string[];
  /** Only these originals (of whichever group holds them); orphans are still reported for the whole scope. */
  routeTableIds?: string[];
  /** Compute and return the changes; write nothing. */
  dryRun?: boolean;
}

/** The EC2 client, pacer and waits of the writer, and what planning reads. */
export interface ReconcileTwinsDeps extends TwinWriterDeps {
  config: FailoverConfig;
  store: Pick<GroupStateStore, 'readInventory'>;
  now?: () => Date;
}

/** The groups a reconcile covers; a named group that is unknown or not in the associations mode is a named error. */
export const groupsToReconcile = (config: FailoverConfig, names: string[] | undefined): Group[] => {
  if (!names) return config.groups.filter((g) => g.switchMode === 'associations');
  return names.map((n) => {
    const g = config.groups.find((x) => x.name === n);
    if (!g)
      throw new UnknownGroupError(
        n,
        config.groups.map((x) => x.name),
      );
    if (g.switchMode !== 'associations') throw new NotAssociationsModeError(n, g.switchMode);
    return g;
  });
};

/**
 * Keeps every twin of the associations-mode groups true: creates the twins a switch needs, makes each one's
 * routes and propagation equal its original's with the member's interfaces in place. Writes only tables whose
 * twin tags name the group, re-read just before writing; never an original, and never a twin that subnets (or a
 * gateway, or main) use: that one's differences are reported as drift (TwinReport.inUse) and left in place. One
 * table's failure does not stop the others. A dry run reads and reports only.
 */
export const reconcileTwins = async (
  input: ReconcileTwinsInput,
  deps: ReconcileTwinsDeps,
): Promise<ReconcileTwinsReport> => {
  const now = deps.now ?? (() => new Date());
  const groups = groupsToReconcile(deps.config, input.groups);
  const only = input.routeTableIds ? new Set(input.routeTableIds) : undefined;
  const writer = new TwinWriter(deps);
  const reports: GroupReconcileReport[] = [];
  for (const group of groups) {
    let plan: GroupPlan;
    try {
      plan = await planGroup(deps, group, now(), only);
    } catch (err) {
      reports.push({
        group: group.name,
        vpcId: group.vpcId,
        originals: [],
        orphans: [],
        partialTwins: [],
        duplicates: [],
        warnings: [],
        error: errorText(err),
      });
      continue;
    }
    const originals: OriginalReport[] = [];
    for (const o of plan.originals) originals.push(await reconcileOriginal(plan, o, writer, input.dryRun === true));
    reports.push({
      group: group.name,
      vpcId: group.vpcId,
      originals,
      orphans: plan.orphans,
      ...(plan.orphans.length > 0 ? { orphanRemoval: ORPHAN_REMOVAL } : {}),
      partialTwins: plan.partial,
      duplicates: plan.duplicates,
      warnings: plan.warnings,
    });
  }
  const ok = reports.every((g) => !g.error && g.originals.every((o) => !o.error && o.twins.every((t) => !t.error)));
  const liveDrift = reports
    .flatMap((g) => g.originals.flatMap((o) => o.twins))
    .reduce((n, t) => n + (t.inUse ? t.inUse.drift.length + t.inUse.omitted : 0), 0);
  return {
    dryRun: input.dryRun === true,
    at: now().toISOString(),
    ok,
    writes: writer.writes,
    liveDrift,
    groups: reports,
  };
};

const reconcileOriginal = async (
  plan: GroupPlan,
  o: OriginalPlan,
  writer: TwinWriter,
  dryRun: boolean,
): Promise<OriginalReport> => {
  const id = o.original.RouteTableId!;
  const report: OriginalReport = {
    original: id,
    name: o.original.Tags?.find((t) => t.Key === 'Name')?.Value,
    twins: [],
    notBuildable: o.notBuildable,
  };
  try {
    for (const t of o.twins)
      report.twins.push(dryRun ? dryRunTwin(plan, t) : await writer.reconcileTwin(plan, o.original, t));
  } catch (err) {
    report.error = errorText(err);
  }
  return report;
};

const dryRunTwin = (plan: GroupPlan, t: TwinPlan): TwinReport => {
  const { changes, inUse } = twinChanges(plan, t.member, t.wanted, t.twin);
  return {
    member: t.member,
    twin: t.twin?.RouteTableId,
    created: !t.twin,
    needed: t.needed,
    driftBefore: t.drift,
    changes: describeChanges(changes),
    ...(inUse ? { inUse } : {}),
  };
};
