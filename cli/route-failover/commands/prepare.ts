import { reconcileTwins } from '../../../functions/reconcile-twins/reconcile-twins';
import { findGroup } from '../../../functions/contract/config';
import { NotAssociationsModeError, UnknownGroupError } from '../../../functions/contract/errors';
import type { GroupStateStore } from '../../../functions/domain/group-state';
import { type CliDeps, CliError, type CommonOptions, EXIT, refuse, requireConfig } from '../context';
import { renderReconcile } from '../twin-render';
import { storeOf } from './hold';

export interface PrepareOptions extends CommonOptions {
  group: string;
  dryRun: boolean;
}

/**
 * The member inventory from the stack's group-state table when it can be found, so a member EC2 cannot show
 * still gets its twins; otherwise live members only, and why.
 */
const inventorySource = async (
  opts: PrepareOptions,
  deps: CliDeps,
): Promise<{ store: Pick<GroupStateStore, 'readInventory'>; note?: string }> => {
  try {
    return { store: await storeOf(opts, deps) };
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    return {
      store: { readInventory: async () => ({}) },
      note: `inventory not read (${e.message}): members as EC2 shows them now`,
    };
  }
};

/**
 * `prepare`: builds and corrects the twin tables of an associations-mode group, in-process with the
 * operator's credentials (the same reconcile as the stack's scheduled function). --dry-run prints the diff and
 * changes nothing. Exit 1 when a table could not be reconciled.
 */
export const prepare = async (opts: PrepareOptions, deps: CliDeps): Promise<number> => {
  const config = requireConfig(opts);
  const group = findGroup(config, opts.group);
  if (!group)
    throw refuse(
      new UnknownGroupError(
        opts.group,
        config.groups.map((g) => g.name),
      ).message,
    );
  if (group.switchMode !== 'associations')
    throw refuse(`${new NotAssociationsModeError(group.name, group.switchMode).message}. Nothing was changed.`);
  const { store, note } = await inventorySource(opts, deps);
  if (note) deps.err(`route-failover: ${note}`);
  const report = await reconcileTwins(
    { groups: [group.name], dryRun: opts.dryRun },
    { ec2: deps.ec2, config, store, now: deps.now },
  );
  if (opts.json) deps.out(JSON.stringify({ ...report, inventoryNote: note ?? null }, null, 2));
  else deps.out(renderReconcile(report));
  return report.ok ? EXIT.OK : EXIT.FAILED;
};
