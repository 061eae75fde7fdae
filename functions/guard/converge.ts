import { createHash } from 'node:crypto';
import type { GuardConfig } from '../contract/config';
import type { GuardView } from '../domain/guard-state';
import { activeHold } from '../contract/hold';
import type { MemberView } from '../aws/members';
import type { GuardPassResult } from './guard-pass';

/**
 * Optional convergence (config `guard.converge`, off by default): the guard never writes a route; it starts the
 * workflow with a manual switchover to the active member, which takes the lease, passes the health gate and
 * leaves an audit record like any switchover. Only findings a switchover fixes start it (routes in reach on a
 * member other than the active one): a blackhole on the active member's own interface, a new table's routes to
 * the active member and a gap in the scope are reported, never converged. Nor is anything while a table tagged to
 * be left alone has routes the switchover would move: the workflow does not know the guard's tag.
 */

/** A switchover request as the workflow parses it (functions/contract/triggers.ts ManualRequestSchema). */
export interface ConvergeRequest {
  action: 'switchover';
  group: string;
  to: string;
  reason: string;
  requestedBy: string;
}

export interface StartOutcome {
  status: 'started' | 'already-started';
  executionArn?: string;
  /** The execution's output when the starter ran it to the end (the local runner): the audit record. */
  output?: unknown;
  executionStatus?: string;
}

export type ExecutionStarter = (request: { name: string; input: ConvergeRequest }) => Promise<StartOutcome>;

export type Convergence =
  | { status: 'off' | 'nothing-to-converge' }
  | { status: 'waiting'; until: string }
  | { status: 'held'; until: string; by: string }
  | { status: 'lease-held'; owner: string }
  | { status: 'no-active-member' | 'target-unhealthy' | 'no-starter' | 'ignored-table-would-move'; problem: string }
  | ({ status: 'started' | 'already-started'; name: string } & Omit<StartOutcome, 'status'>)
  | { status: 'start-failed'; name: string; error: string };

const NAME_LIMIT = 80;

/**
 * The execution name of a convergence: group, finding-set hash and when the set began to stand. A repeat for the
 * same standing set is refused by Step Functions (ExecutionAlreadyExists: a no-op); the same set standing again
 * later is a new name.
 */
export const convergeName = (group: string, hash: string, since: string): string => {
  const epoch = String(Math.floor(Date.parse(since) / 1000));
  const clean = group.replace(/[^A-Za-z0-9_-]/g, '-');
  const full = `guard-${clean}-${hash.slice(0, 12)}-${epoch}`;
  if (full.length <= NAME_LIMIT) return full;
  const g = createHash('sha256').update(group).digest('hex').slice(0, 8);
  return `guard-${clean.slice(0, NAME_LIMIT - 36)}-${g}-${hash.slice(0, 12)}-${epoch}`.slice(0, NAME_LIMIT);
};

/** Why convergence does not start now, or undefined when it may (see the module comment for what it covers). */
export const convergeBlocker = (
  settings: Pick<GuardConfig, 'converge' | 'graceSeconds'>,
  pass: GuardPassResult,
  since: string,
  view: GuardView,
  target: MemberView | undefined,
  now: Date,
): Convergence | undefined => {
  if (!settings.converge) return { status: 'off' };
  if (pass.counts.departed + pass.counts.split === 0) return { status: 'nothing-to-converge' };
  if (!pass.active) return { status: 'no-active-member', problem: 'no active member could be told' };
  const until = new Date(Date.parse(since) + settings.graceSeconds * 1000);
  if (until > now) return { status: 'waiting', until: until.toISOString() };
  // The workflow switches every table of the scope: it would rewrite a table the guard was told to leave alone.
  if (pass.ignored.wouldMove > 0) {
    return {
      status: 'ignored-table-would-move',
      problem:
        `${pass.ignored.wouldMove} route(s) in tables tagged route-failover:guard = ignore lead to a member other ` +
        `than ${pass.active.member}: a switchover would move them too; not started`,
    };
  }
  const hold = activeHold(view.hold, now);
  if (hold) return { status: 'held', until: hold.until, by: hold.by };
  if (view.lease && view.lease.expiresAt > now.toISOString()) return { status: 'lease-held', owner: view.lease.owner };
  if (!target?.health.healthy) {
    return {
      status: 'target-unhealthy',
      problem: `${pass.active.member} fails the health gate: ${target?.health.problems.join(', ') ?? 'not described'}`,
    };
  }
  return undefined;
};

/**
 * Starts the convergence when nothing blocks it; never throws (a failed start is retried by the next
 * pass under the same name).
 */
export const converge = async (
  args: {
    group: string;
    settings: Pick<GuardConfig, 'converge' | 'graceSeconds'>;
    pass: GuardPassResult;
    since: string;
    view: GuardView;
    target?: MemberView;
    now: Date;
  },
  start: ExecutionStarter | undefined,
): Promise<Convergence> => {
  const { group, pass, since, now } = args;
  const blocked = convergeBlocker(args.settings, pass, since, args.view, args.target, now);
  if (blocked) return blocked;
  if (!start) return { status: 'no-starter', problem: 'no state machine to start (STATE_MACHINE_ARN)' };
  const name = convergeName(group, pass.hash, since);
  const wrong = pass.counts.departed + pass.counts.split;
  const input: ConvergeRequest = {
    action: 'switchover',
    group,
    to: pass.active!.member,
    reason:
      `route guard: ${wrong} route(s) in reach on a member other than ${pass.active!.member} since ${since}`.slice(
        0,
        512,
      ),
    requestedBy: 'route-failover guard',
  };
  try {
    const out = await start({ name, input });
    return { ...out, name };
  } catch (err) {
    return { status: 'start-failed', name, error: `${(err as Error)?.name}: ${(err as Error)?.message}`.slice(0, 300) };
  }
};
