import type { SFNClient } from '@aws-sdk/client-sfn';
import type { FailoverConfig, Group } from '../../../functions/contract/config';
import { UnknownGroupError } from '../../../functions/contract/errors';
import { readAwsContext, renderAwsContext } from '../aws-target';
import {
  type CliDeps,
  CliError,
  type CommonOptions,
  EXIT,
  refuse,
  requireConfig,
  resolveStateMachineArn,
} from '../context';
import { type ExecutionEntry, groupOfEntry, listExecutions, readExecution } from '../executions';
import { duration, isoTime } from '../format';
import { type GroupStatus, readGroupStatus, renderGroupStatus } from '../group-status';
import { directionOf, historyJson, outcomeOf } from '../render-history';
import { activeHold, type Hold } from '../../../functions/contract/hold';
import { type GroupInventory, inventoryAgeSeconds } from '../../../functions/domain/inventory';
import { stateCall, storeOf } from './hold';
import { readRouteListing, renderRouteListing, type RouteListing } from '../route-listing';
import { driftNeedsAttention, type TwinDrift, twinDrift } from '../../../functions/reconcile-twins/plan-twins';
import { renderTwinDrift } from '../twin-render';
import { guardLines, guardView, readGuardStates } from './guard';

export interface StatusOptions extends CommonOptions {
  group?: string;
  /** List every route per table (split routes, blackholes, routes outside the scope to a member). */
  routes?: boolean;
}

/**
 * How many of the newest executions `status` reads (DescribeExecution each) looking for each group's last
 * one. Executions started by EventBridge have generated names, so the group comes from each execution's
 * record or input, not from its name.
 */
export const LAST_EXECUTION_SCAN = 25;

/**
 * `status`: per group, from the route tables themselves: the active member, routes per member, blackholes,
 * routes split between members, members' instance states, and the group's last execution.
 * Exit 1 when a group needs attention (routes split, blackhole routes, active member not running).
 */
export const status = async (opts: StatusOptions, deps: CliDeps): Promise<number> => {
  const config = requireConfig(opts);
  const groups = opts.group === undefined ? config.groups : config.groups.filter((g) => g.name === opts.group);
  if (groups.length === 0)
    throw refuse(
      new UnknownGroupError(
        opts.group!,
        config.groups.map((g) => g.name),
      ).message,
    );

  const aws = await readAwsContext(deps);
  const statuses: GroupStatus[] = [];
  for (const g of groups) statuses.push(await readGroupStatus(g, deps.ec2));
  const listings = new Map<string, RouteListing>();
  if (opts.routes)
    for (const [i, g] of groups.entries()) listings.set(g.name, await readRouteListing(g, statuses[i], deps.ec2));

  const last = await lastExecutions(
    groups.map((g) => g.name),
    opts,
    deps,
    config,
  );
  const holds = await readHolds(
    groups.map((g) => g.name),
    opts,
    deps,
  );
  const twins = await readTwins(groups, holds.inventories, deps);
  const guards = await readGuardStates(
    groups.map((g) => g.name),
    opts,
    deps,
  );
  const needsAttention =
    statuses.some((s) => s.problems.length > 0) ||
    [...twins.values()].some((t) => 'originals' in t && driftNeedsAttention(t));

  if (opts.json) {
    deps.out(
      JSON.stringify(
        {
          ok: !needsAttention,
          account: aws.account ?? null,
          region: aws.region ?? null,
          stack: opts.stateMachineArn ? null : opts.stack,
          stateMachineArn: last.arn ?? opts.stateMachineArn ?? null,
          groups: statuses.map((s) => {
            const e = last.entries.get(s.group);
            // The record of a large switchover lists thousands of routes: `history show --json` has it.
            const lastExecution = e ? { ...historyJson(e, s.group), record: undefined } : null;
            const inventory = holds.note
              ? null
              : inventoryView(
                  groups.find((g) => g.name === s.group)!,
                  holds.inventories.get(s.group),
                  config.inventory.refreshMinutes,
                  deps.now(),
                ).members;
            const tw = twins.get(s.group);
            const guard = guardView(guards.byGroup.get(s.group));
            return {
              ...s,
              hold: holds.byGroup.get(s.group) ?? null,
              inventory,
              guard,
              ...(tw ? { twins: tw } : {}),
              ...(opts.routes ? { routeListing: listings.get(s.group) } : {}),
              lastExecution,
            };
          }),
          holdNote: holds.note ?? null,
          guardNote: guards.note ?? null,
          lastExecutionNote: last.note ?? null,
        },
        null,
        2,
      ),
    );
  } else {
    deps.out(renderAwsContext(aws, opts));
    deps.out('');
    deps.out(
      statuses
        .map((s) => {
          const e = last.entries.get(s.group);
          const h = holds.byGroup.get(s.group);
          const holdLine = h
            ? `HELD until ${h.until} by ${h.by}: ${h.reason} (automatic failover off; manual requests run)`
            : holds.note && `hold: ${holds.note}`;
          const inventoryLine = holds.note
            ? `inventory: ${holds.note}`
            : inventoryView(
                groups.find((g) => g.name === s.group)!,
                holds.inventories.get(s.group),
                config.inventory.refreshMinutes,
                deps.now(),
              ).line;
          const tw = twins.get(s.group);
          const twinLines = tw ? ('originals' in tw ? renderTwinDrift(tw) : [`twins: ${tw.error}`]) : [];
          const stateLines = [
            holdLine,
            inventoryLine,
            ...twinLines,
            ...guardLines(guards.byGroup.get(s.group), guards.note),
          ]
            .filter(Boolean)
            .join('\n  ');
          const block = renderGroupStatus(
            s,
            e ? lastLine(e) : (last.note ?? `none among the newest ${LAST_EXECUTION_SCAN} executions`),
            stateLines,
          );
          const listing = listings.get(s.group);
          return listing ? `${block}\n${renderRouteListing(listing)}` : block;
        })
        .join('\n\n'),
    );
  }
  return needsAttention ? EXIT.FAILED : EXIT.OK;
};

/**
 * Each group's maintenance hold in force, from the group-state table. Best effort like the last execution:
 * without the table (no stack output, no access) status still answers from EC2 and says why.
 */
const readHolds = async (
  groups: string[],
  opts: StatusOptions,
  deps: CliDeps,
): Promise<{ byGroup: Map<string, Hold>; inventories: Map<string, GroupInventory>; note?: string }> => {
  const byGroup = new Map<string, Hold>();
  const inventories = new Map<string, GroupInventory>();
  try {
    const store = await storeOf(opts, deps);
    for (const g of groups) {
      const h = activeHold(await stateCall(() => store.readHold(g), 'read the hold'), deps.now());
      if (h) byGroup.set(g, h);
      inventories.set(g, await stateCall(() => store.readInventory(g), 'read the inventory'));
    }
    return { byGroup, inventories };
  } catch (e) {
    if (e instanceof CliError) return { byGroup, inventories, note: `unknown (${e.message})` };
    throw e;
  }
};

/**
 * The twins of each associations-mode group: whether each exists and is true (read-only). A group whose
 * twins cannot be read says why; the rest of status still answers.
 */
const readTwins = async (
  groups: Group[],
  inventories: Map<string, GroupInventory>,
  deps: CliDeps,
): Promise<Map<string, TwinDrift | { error: string }>> => {
  const out = new Map<string, TwinDrift | { error: string }>();
  for (const g of groups) {
    if (g.switchMode !== 'associations') continue;
    try {
      out.set(
        g.name,
        await twinDrift(
          { ec2: deps.ec2, store: { readInventory: async () => inventories.get(g.name) ?? {} } },
          g,
          deps.now(),
        ),
      );
    } catch (e) {
      out.set(g.name, { error: `unknown (${(e as Error).name}: ${(e as Error).message})` });
    }
  }
  return out;
};

/** An inventory older than this many refresh intervals (default 5 min) is called stale. */
const STALE_REFRESHES = 3;

/**
 * The member inventory per member: interfaces and age, or that none is stored (a failover away from a
 * member that is gone then cannot find its routes). JSON and a line for the text view.
 */
const inventoryView = (group: Group, inv: GroupInventory | undefined, refreshMinutes: number, now: Date) => {
  const members = group.members.map((m) => {
    const e = inv?.[m.name];
    const age = e ? inventoryAgeSeconds(e, now) : undefined;
    return {
      member: m.name,
      observedAt: e?.observedAt ?? null,
      ageSeconds: age ?? null,
      interfaces: e?.interfaces.length ?? 0,
      stale: age === undefined || age > STALE_REFRESHES * refreshMinutes * 60,
    };
  });
  const line = `inventory: ${members
    .map((m) =>
      m.observedAt
        ? `${m.member} ${m.interfaces} interface(s), ${duration(m.ageSeconds! * 1000)} old${m.stale ? ' (STALE)' : ''}`
        : `${m.member} NOT STORED`,
    )
    .join('; ')}`;
  return { members, line };
};

const lastLine = (e: ExecutionEntry): string =>
  `${e.name}  ${isoTime(e.startDate)}  ${e.status}, ${outcomeOf(e)}  ` +
  `${directionOf(e)}${e.parsed?.record.summary ? `  "${e.parsed.record.summary}"` : ''}`;

/**
 * The newest execution of each group among the newest LAST_EXECUTION_SCAN. Best effort: without a state
 * machine or SFN access, status still answers from EC2 and says why the last execution is unknown.
 */
const lastExecutions = async (
  groups: string[],
  opts: StatusOptions,
  deps: CliDeps,
  config: FailoverConfig,
): Promise<{ entries: Map<string, ExecutionEntry>; note?: string; arn?: string }> => {
  const entries = new Map<string, ExecutionEntry>();
  let arn: string;
  try {
    arn = await resolveStateMachineArn(opts, deps);
  } catch (e) {
    if (e instanceof CliError) return { entries, note: `unknown (${e.message})` };
    throw e;
  }
  try {
    await scan(deps.sfn, arn, groups, config, entries);
    return { entries, arn };
  } catch (e) {
    const err = e as Error;
    return { entries, arn, note: `unknown (${err.name}: ${err.message})` };
  }
};

const scan = async (
  sfn: SFNClient,
  arn: string,
  groups: string[],
  config: FailoverConfig,
  entries: Map<string, ExecutionEntry>,
): Promise<void> => {
  const { executions } = await listExecutions(sfn, arn, { limit: LAST_EXECUTION_SCAN });
  for (const x of executions) {
    if (entries.size === groups.length) return;
    const entry = await readExecution(sfn, x.executionArn, 100);
    const g = groupOfEntry(entry, config);
    if (g && groups.includes(g) && !entries.has(g)) entries.set(g, entry);
  }
};
