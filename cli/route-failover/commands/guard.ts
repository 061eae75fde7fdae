import type { FailoverConfig } from '../../../functions/contract/config';
import { UnknownGroupError } from '../../../functions/contract/errors';
import { DynamoDbGroupStateStore } from '../../../functions/aws/dynamodb-group-state';
import type { GuardState, GuardStore } from '../../../functions/domain/guard-state';
import { DynamoDbGuardStore } from '../../../functions/aws/dynamodb-guard-state';
import { runGuard, type GroupGuardReport, type GuardReport } from '../../../functions/guard/guard';
import { stepFunctionsStarter } from '../../../functions/guard/start-execution';
import {
  type CliDeps,
  CliError,
  type CommonOptions,
  EXIT,
  refuse,
  requireConfig,
  resolveGroupStateTable,
  resolveStateMachineArn,
} from '../context';
import { stateCall } from './hold';

export interface GuardCliOptions extends CommonOptions {
  group?: string;
  converge: boolean;
}

/**
 * `guard`: one route guard pass against the deployed stack, from the operator's seat: EC2 read now, the
 * group-state table of the stack read for the last switch, the lease, the hold, the inventory and the deployed
 * guard's baseline. It writes no state and publishes nothing (the deployed guard does, on its own schedule);
 * --converge starts the switchover to the active member now (StartExecution, named after the finding set, so
 * the deployed guard's own convergence of the same set is the same execution). Exit 1 while a finding stands.
 */
export const guard = async (opts: GuardCliOptions, deps: CliDeps): Promise<number> => {
  const config: FailoverConfig = requireConfig(opts);
  if (opts.group !== undefined && !config.groups.some((g) => g.name === opts.group)) {
    throw refuse(
      new UnknownGroupError(
        opts.group,
        config.groups.map((g) => g.name),
      ).message,
    );
  }
  const table = await resolveGroupStateTable(opts, deps);
  if (!deps.ddb) throw refuse('no DynamoDB client');
  const reader = new DynamoDbGuardStore(deps.ddb, table);
  // Read-only: the finding set, its notification and the baseline stay the deployed guard's to keep.
  const store: GuardStore = { read: (g) => reader.read(g), write: async () => undefined };
  const startExecution = opts.converge
    ? stepFunctionsStarter(deps.sfn, await resolveStateMachineArn(opts, deps))
    : undefined;
  const report = await runGuard(
    {
      trigger: 'route-failover guard',
      ...(opts.group ? { groups: [opts.group] } : {}),
      converge: opts.converge,
      // The operator's command is the decision: no grace period.
      ...(opts.converge ? { graceSeconds: 0 } : {}),
    },
    {
      ec2: deps.ec2,
      config,
      inventory: new DynamoDbGroupStateStore(deps.ddb, table),
      store,
      ...(startExecution ? { startExecution } : {}),
      now: deps.now,
    },
  );
  deps.out(opts.json ? JSON.stringify(report, null, 2) : renderGuardReport(report));
  return report.findings > 0 || !report.ok ? EXIT.FAILED : EXIT.OK;
};

/** One block per group: the active member, the findings (as listed), and what convergence did. */
export const renderGuardReport = (r: GuardReport): string => r.groups.map(renderGroup).join('\n\n');

const renderGroup = (g: GroupGuardReport): string => {
  if (g.error) return `${g.group}: NOT CHECKED: ${g.error}`;
  if (g.skipped) return `${g.group}: not checked: ${g.skipped}`;
  const active = g.active
    ? `active ${g.active.member} (${g.active.from === 'last-switch' ? 'the last switch' : 'most routes'})`
    : 'no route leads to a member';
  const lines = [
    `${g.group}: ${active}: ${g.total === 0 ? 'no finding' : `${g.total} FINDING(S)`} in ${g.tables} table(s), ` +
      `${g.routes} route(s) to an interface`,
  ];
  for (const f of g.findings ?? []) {
    lines.push(
      `  ${f.kind.padEnd(9)} ${f.routeTableId} ${f.destination} -> ${f.target} (${f.member}): ` +
        `${f.problem}${f.cause ? ` [${f.cause.call} by ${f.cause.who} at ${f.cause.when}]` : ''}`,
    );
  }
  if ((g.total ?? 0) > (g.findings?.length ?? 0)) lines.push(`  … and ${g.total! - g.findings!.length} more`);
  if (g.ignored && g.ignored.count > 0) {
    const moving =
      g.ignored.wouldMove > 0
        ? ` (${g.ignored.wouldMove} of their route(s) lead to another member: a switchover would move them)`
        : '';
    lines.push(
      `  ignored (route-failover:guard = ignore): ` +
        `${g.ignored.tables.join(', ')}${g.ignored.count > g.ignored.tables.length ? ' …' : ''}${moving}`,
    );
  }
  if (g.convergence && g.convergence.status !== 'off') lines.push(`  convergence: ${JSON.stringify(g.convergence)}`);
  return lines.join('\n');
};

/** Findings `status` lists per group (the stored state holds at most GUARD_FINDINGS_LISTED). */
const STATUS_FINDINGS_LISTED = 5;

/**
 * Each group's last guard pass as the deployed guard stored it (for `status`). Best effort like the hold: without
 * the table, status still answers from EC2 and says why.
 */
export const readGuardStates = async (
  groups: string[],
  opts: CommonOptions,
  deps: CliDeps,
): Promise<{ byGroup: Map<string, GuardState>; note?: string }> => {
  const byGroup = new Map<string, GuardState>();
  try {
    const table = await resolveGroupStateTable(opts, deps);
    if (!deps.ddb) throw refuse('no DynamoDB client');
    const store = new DynamoDbGuardStore(deps.ddb, table);
    for (const g of groups) {
      const { guard: state } = await stateCall(() => store.read(g), 'read the guard state');
      if (state) byGroup.set(g, state);
    }
    return { byGroup };
  } catch (e) {
    if (e instanceof CliError) return { byGroup, note: `unknown (${e.message})` };
    throw e;
  }
};

/** The guard's last pass in JSON for `status --json`: when, against whom, the open findings. */
export const guardView = (state: GuardState | undefined) =>
  state
    ? {
        lastPassAt: state.lastPassAt,
        active: state.active ?? null,
        openFindings: state.total,
        counts: state.counts,
        since: state.total > 0 ? state.since : null,
        findings: state.findings,
        converging: state.converging ?? null,
        plans: state.plans ?? null,
      }
    : null;

/** The guard's last pass in lines for `status`: "guard: last pass …, N open finding(s) since …" and a few findings. */
export const guardLines = (state: GuardState | undefined, note: string | undefined): string[] => {
  if (note) return [`guard: ${note}`];
  if (!state) return ['guard: no pass recorded yet (the route guard runs every guard.intervalMinutes)'];
  const head =
    `guard: last pass ${state.lastPassAt}${state.active ? ` against ${state.active.member}` : ''}: ` +
    `${state.total === 0 ? 'no open finding' : `${state.total} OPEN FINDING(S) since ${state.since}`}`;
  const listed = state.findings
    .slice(0, STATUS_FINDINGS_LISTED)
    .map(
      (f) =>
        `  ${f.kind} ${f.routeTableId} ${f.destination} -> ${f.target} ` +
        `(${f.member})${f.cause ? ` [${f.cause.call} by ${f.cause.who}]` : ''}`,
    );
  const more =
    state.total > listed.length ? [`  … ${state.total - listed.length} more: route-failover guard --group G`] : [];
  return [head, ...listed, ...more];
};
