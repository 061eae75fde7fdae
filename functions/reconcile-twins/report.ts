/** What a twin reconcile reports: per group, per original, per twin. */
import type { GroupPlan, NotBuildable, Orphan, PartialTwin } from './plan-twins';
import type { TwinChanges, TwinInUse } from './twin-changes';

export interface TwinReport {
  member: string;
  /** The twin's ID; absent for a twin a dry run would create, or whose creation failed. */
  twin?: string;
  /** Created by this pass (in a dry run: would be created). */
  created: boolean;
  /** False when the original already points at this member (an existing twin is kept true all the same). */
  needed: boolean;
  /** How the twin differed from what it must hold, before this pass (contentDifferences). */
  driftBefore: string[];
  /** What was written (in a dry run: what would be). */
  changes: TwinChanges;
  /**
   * Present when the twin carries traffic (subnet, gateway or main associations, read just before writing):
   * nothing of it is written, and how it differs from its original is reported here instead (at most
   * CHANGE_LIST_MAX; `omitted` counts the rest). The twin is written again once no association uses it.
   */
  inUse?: TwinInUse;
  error?: string;
}

export interface OriginalReport {
  original: string;
  name?: string;
  twins: TwinReport[];
  notBuildable: NotBuildable[];
  error?: string;
}

export interface GroupReconcileReport {
  group: string;
  vpcId: string;
  originals: OriginalReport[];
  orphans: Orphan[];
  /** Present when there are orphans: how to remove them (never done automatically). */
  orphanRemoval?: string;
  /** Tables with only some twin tags: never written; fix or remove their tags. */
  partialTwins: PartialTwin[];
  duplicates: GroupPlan['duplicates'];
  warnings: string[];
  /** The group could not be read at all. */
  error?: string;
}

export interface ReconcileTwinsReport {
  dryRun: boolean;
  at: string;
  /** Nothing failed (no group, table or twin error). */
  ok: boolean;
  /** Writes sent (0 in a dry run). */
  writes: number;
  /** Differences found on twins that carry traffic, reported and left as they are (see TwinReport.inUse). */
  liveDrift: number;
  groups: GroupReconcileReport[];
}

export const ORPHAN_REMOVAL =
  'orphan twins are never deleted automatically. A twin with no association can be removed with ' +
  '`aws ec2 delete-route-table --route-table-id <twin>`; one that ' +
  'still has associations carries traffic: move them back first ' +
  '(`aws ec2 replace-route-table-association`).';
