import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { findGroup, type Group } from '../../../functions/contract/config';
import {
  PlanTooLargeError,
  UnknownGroupError,
  UnknownMemberError,
  UnpairedInterfaceError,
} from '../../../functions/contract/errors';
import { type ManualRequest, ManualRequestSchema } from '../../../functions/contract/triggers';
import {
  type CliDeps,
  CliError,
  type CommonOptions,
  EXIT,
  readCallerArn,
  refuse,
  requireConfig,
  resolveStateMachineArn,
} from '../context';
import { followExecution } from '../follow';
import { ARROW, duration, plural } from '../format';
import { type GroupStatus, readGroupStatus } from '../group-status';
import { planSwitch, renderSwitchPlan, type SwitchPlan } from '../route-plan';

export interface SwitchoverOptions extends CommonOptions {
  action: 'switchover' | 'failback';
  group: string;
  /** Target member (switchover only; failback always goes to the group's preferred member). */
  to?: string;
  reason?: string;
  dryRun: boolean;
  wait: boolean;
  /** With `wait`: stop following after this long (exit 3); the execution keeps running. */
  timeoutMs?: number;
  /** Who asks; the caller's identity (STS GetCallerIdentity ARN) when absent. */
  requestedBy?: string;
  /** Print every route that would move, from the live tables, and start nothing. */
  plan?: boolean;
}

/** Step Functions execution names: at most 80 characters of letters, digits, '-' and '_'. */
const NAME_MAX = 80;

/** A readable, unique execution name: `switchover-<group>-<YYYYMMDDTHHMMSSZ>[-dryrun]`, within SFN's name rules. */
export const executionName = (action: string, group: string, now: Date, dryRun: boolean): string => {
  const stamp = now
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  const suffix = `-${stamp}${dryRun ? '-dryrun' : ''}`;
  const prefix = `${action.replace(/[^A-Za-z0-9_-]/g, '-')}-`;
  const room = NAME_MAX - prefix.length - suffix.length;
  return `${prefix}${group.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, Math.max(0, room))}${suffix}`;
};

/**
 * `switchover` and `failback`: validates the request locally (group, member, the group's route tables
 * read from EC2: target not already active, target running, routes not split), then starts the
 * execution with the manual-request contract as input. Nothing is started when validation fails (exit 2).
 * With `wait`, follows the execution state by state and exits with its outcome.
 */
export const switchover = async (opts: SwitchoverOptions, deps: CliDeps): Promise<number> => {
  const config = requireConfig(opts);
  const group = findGroup(config, opts.group);
  if (!group)
    throw refuse(
      new UnknownGroupError(
        opts.group,
        config.groups.map((g) => g.name),
      ).message,
    );
  const names = group.members.map((m) => m.name);
  if (opts.to !== undefined && !names.includes(opts.to))
    throw refuse(new UnknownMemberError(group.name, opts.to, names).message);
  if (opts.action === 'failback' && !group.preferred) {
    throw refuse(
      `group "${group.name}" has no preferred member to fail back to: use switchover --group ${group.name} --to MEMBER`,
    );
  }
  // Failback never takes a target: it is the preferred member by definition.
  const draft = {
    action: opts.action,
    group: group.name,
    to: opts.action === 'switchover' ? opts.to : undefined,
    dryRun: opts.dryRun,
    reason: opts.reason,
    requestedBy: opts.requestedBy,
  };
  validateRequest(draft);

  const status = await readGroupStatus(group, deps.ec2);
  const target = checkTarget(opts, group, status);
  if (opts.plan) return printPlan(opts, group, target, deps);
  const stateMachineArn = await resolveStateMachineArn(opts, deps);
  const requestedBy =
    opts.requestedBy ??
    (await readCallerArn(
      deps,
      'cannot tell who is asking: pass --requested-by',
      'Pass --requested-by, or fix the credentials. Nothing was started.',
    ));
  const request = validateRequest({ ...draft, requestedBy });

  const name = executionName(opts.action, group.name, deps.now(), opts.dryRun);
  let started: { executionArn?: string; startDate?: Date };
  try {
    started = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(request) }));
  } catch (e) {
    const err = e as Error;
    const hint =
      err.name === 'ExecutionAlreadyExists'
        ? ' (another execution got this name in the same second: run the command again)'
        : '';
    throw new CliError(`StartExecution failed: ${err.name}: ${err.message}${hint}. Nothing was started.`, EXIT.FAILED);
  }
  const executionArn = started.executionArn ?? '?';
  const carrying = status.members.filter((m) => m.routes > 0 && m.name !== target);
  const from = status.consistent ? (status.active ?? '?') : carrying.map((m) => `${m.name} (${m.routes})`).join(' + ');
  const onTarget = status.members.find((m) => m.name === target)?.routes ?? 0;
  const startedJson = {
    started: true,
    executionName: name,
    executionArn,
    stateMachineArn,
    startDate: started.startDate?.toISOString(),
    input: request,
    from: status.active,
    to: target,
    routes: status.routes - onTarget,
  };

  const say = opts.json ? deps.err : deps.out;
  say(`Started ${name}`);
  say(
    `  ${group.name}: ${from} ${ARROW} ${target}, ${plural(status.routes - onTarget, 'route')} to move` +
      `${onTarget ? ` (${onTarget} already on ${target})` : ''} in ${plural(status.routeTables, 'route table')}`,
  );
  say(`  requested by ${request.requestedBy}${request.reason ? `; reason: ${request.reason}` : ''}`);
  if (request.dryRun) say('  dry run: nothing will change; EC2 checks each ReplaceRoute with DryRun');
  say(`  execution ${executionArn}`);

  if (!opts.wait) {
    say(`Follow it: route-failover history show ${name}`);
    if (opts.json) deps.out(JSON.stringify(startedJson, null, 2));
    return EXIT.OK;
  }

  const { entry, tracker, timedOut, elapsedMs } = await followExecution(executionArn, deps, say, {
    timeoutMs: opts.timeoutMs,
  });
  if (timedOut) {
    const where = [
      tracker.currentState && `in ${tracker.currentState}`,
      tracker.total !== undefined && `routes ${tracker.done}/${tracker.total} done`,
    ]
      .filter(Boolean)
      .join(', ');
    deps.err(
      `route-failover: stopped waiting after ${duration(elapsedMs)} (--timeout): ${name} is still ` +
        `${entry.status}${where ? ` (${where})` : ''}. ` +
        `The execution keeps running; follow it with: route-failover history show ${name}`,
    );
    if (opts.json)
      deps.out(
        JSON.stringify(
          {
            ...startedJson,
            status: entry.status,
            timedOut: true,
            waitedMs: elapsedMs,
            currentState: tracker.currentState ?? null,
          },
          null,
          2,
        ),
      );
    return EXIT.TIMEOUT;
  }
  const ok = entry.status === 'SUCCEEDED';
  const r = entry.parsed?.record;
  const took =
    entry.startDate && entry.stopDate ? ` in ${duration(entry.stopDate.getTime() - entry.startDate.getTime())}` : '';
  say('');
  say(`${entry.status}${took}: ${r ? `${r.outcome}: ${r.summary}` : (entry.error ?? '')}`);
  const retries = tracker.retries.length + tracker.routeRetries;
  const split = retries
    ? ` (${tracker.routeRetries} inside batches, ${tracker.retries.length} by the state machine)`
    : '';
  say(
    `  routes ${tracker.done}/${tracker.total ?? '?'} done, ${tracker.failedRoutes} failed, ` +
      `${plural(retries, 'retry', 'retries')}${split}`,
  );
  if (!ok) {
    say(`  error: ${r?.error ?? entry.error ?? 'unknown'}`);
    say(`  cause: ${r?.cause ?? entry.cause ?? 'unknown'}`);
    say(`  details: route-failover history show ${name}`);
  }
  if (opts.json) {
    deps.out(
      JSON.stringify(
        {
          ...startedJson,
          status: entry.status,
          outcome: r?.outcome ?? null,
          error: r?.error ?? entry.error ?? null,
          cause: r?.cause ?? entry.cause ?? null,
          record: r ?? null,
        },
        null,
        2,
      ),
    );
  }
  return ok ? EXIT.OK : EXIT.FAILED;
};

/** --plan: the routes that would move, computed by the workflow's own ResolveTargets/PlanSwitch logic; exit 0. */
const printPlan = async (opts: SwitchoverOptions, group: Group, target: string, deps: CliDeps): Promise<number> => {
  let p: SwitchPlan;
  try {
    p = await planSwitch(group, target, deps.ec2, deps.now());
  } catch (e) {
    // The workflow would stop at PlanSwitch on the same finding: refuse now, as for any other bad request.
    if (e instanceof UnpairedInterfaceError || e instanceof PlanTooLargeError) throw refuse(e.message);
    throw e;
  }
  if (opts.json) {
    deps.out(
      JSON.stringify(
        {
          plan: true,
          started: false,
          action: opts.action,
          group: group.name,
          to: target,
          routes: p.routes.map((r) => ({
            routeTableId: r.routeTableId,
            routeTableName: r.routeTableName ?? null,
            destination: r.destination,
            from: { eni: r.fromEni, member: r.fromMember, state: r.stateBefore ?? null },
            to: { eni: r.toEni, member: r.toMember },
          })),
          alreadyOnTarget: p.plan.alreadyOnTargetCount,
          skipped: p.plan.skipped,
          warnings: p.plan.warnings,
          switchMode: p.switchMode,
          ...(p.switchMode === 'associations'
            ? {
                associations: p.associations.map((m) => ({
                  subject: m.subject,
                  kind: m.kind,
                  associationId: m.associationId,
                  from: { routeTableId: m.from.routeTableId, name: m.from.name ?? null },
                  to: { routeTableId: m.to.routeTableId, name: m.to.name ?? null },
                  original: m.original,
                })),
                fallbacks: p.fallbacks.map((f) => ({
                  routeTableId: f.routeTableId,
                  name: f.name ?? null,
                  original: f.original,
                  reason: f.reason,
                })),
                fallbackCount: p.plan.associations?.fallbackCount ?? p.fallbacks.length,
                associationsAlreadyOnTarget: p.plan.associations?.alreadyOnTarget ?? 0,
                unassociated: p.plan.associations?.unassociated ?? [],
              }
            : {}),
        },
        null,
        2,
      ),
    );
  } else deps.out(renderSwitchPlan(p, opts.action));
  return EXIT.OK;
};

/** Validates against the manual-request contract the workflow enforces; a mismatch is refused here, not there. */
const validateRequest = (draft: Record<string, unknown>): ManualRequest => {
  const clean = Object.fromEntries(Object.entries(draft).filter(([, v]) => v !== undefined));
  const r = ManualRequestSchema.safeParse(clean);
  if (!r.success)
    throw refuse(
      `invalid request: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    );
  return r.data;
};

/** The member routes will move to, or a refusal when the request cannot do anything useful. */
const checkTarget = (opts: SwitchoverOptions, group: Group, status: GroupStatus): string => {
  const carrying = status.members.filter((m) => m.routes > 0);
  if (status.routes === 0) {
    throw refuse(
      `no route in the route tables of group "${group.name}" (${status.scope}) ` +
        `points at a member: nothing to move. Nothing was started.`,
    );
  }
  let target = opts.action === 'failback' ? group.preferred! : opts.to;
  if (target === undefined) {
    // The workflow would move routes away from the member most of them point at; with a split, that guess is unsafe.
    if (!status.consistent) {
      throw refuse(
        `routes of group "${group.name}" are split between ` +
          `${carrying.map((m) => `${m.name} (${m.routes})`).join(' and ')}: ` +
          `name the target with --to. Nothing was started.`,
      );
    }
    const peers = status.members.filter((m) => m.name !== status.active && m.state === 'running');
    const pick = peers.find((m) => m.preferred) ?? peers[0];
    if (!pick)
      throw refuse(
        `no running member of group "${group.name}" other than ` +
          `${status.active} to move routes to. Nothing was started.`,
      );
    target = pick.name;
  }
  const t = status.members.find((m) => m.name === target)!;
  if (status.consistent && status.active === target) {
    throw refuse(
      `${target} is already active for group "${group.name}": all ` +
        `${plural(status.routes, 'route')} point at it. Nothing was started.`,
    );
  }
  if (t.state !== 'running') {
    throw refuse(
      `target ${target} (${t.instanceId}) is ${t.state}, not ` +
        `running: routes to it would blackhole. Nothing was started.`,
    );
  }
  return target;
};
