import type { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import { addressSelectionOf, movesAddresses } from '../domain/addresses/model';
import { readAddressClause } from '../aws/addresses';
import { errorText } from '../contract/aws-errors';
import type { FailoverConfig, Group } from '../contract/config';
import type { EmfLine } from '../contract/emf';
import type { GroupStateStore } from '../domain/group-state';
import { readGroupTables } from '../aws/group-tables';
import {
  BASELINE_TABLES_MAX,
  type ArmedPlan,
  type GuardState,
  type GuardStore,
  type GuardView,
} from '../domain/guard-state';
import { reachOf, type KnownMember } from '../domain/invariant';
import { describeMembers, type MemberView } from '../aws/members';
import { describeScopedRouteTables } from '../aws/route-tables';
import { converge, type Convergence, type ExecutionStarter } from './converge';
import {
  activeFromRoutes,
  attributeCauses,
  CLEAN_HASH,
  guardPass,
  type ActiveMember,
  type ChangeClaim,
  type GuardPassResult,
} from './guard-pass';
import { guardMetricLine, noticeMessage, noticeSubject, type FindingChange } from './notice';
import { armedPlans } from './plans';

/**
 * One guard pass over some groups: for each, a fresh read (members, inventory, the tables in reach, and the VPC's
 * other tables when the scope is not the whole VPC), the pure pass (guard-pass.ts), then what it leads to: the
 * group state updated (last pass, finding set, open findings, the plans kept armed), one notification when the
 * finding set changed since the last one notified, a metric, and, when configured, convergence (converge.ts).
 * A group that cannot be read is reported and the others still run; the caller fails the invocation for it.
 */

export interface GuardDeps {
  ec2: EC2Client;
  config: FailoverConfig;
  inventory: Pick<GroupStateStore, 'readInventory'>;
  store: GuardStore;
  /** Publishes one notification (SNS in Lambda); without it nothing is published and the report says so. */
  publish?: (notice: { subject: string; message: string; group: string; change: string }) => Promise<void>;
  emitMetric?: (line: EmfLine) => void;
  /** Starts the workflow (convergence); absent: convergence reports `no-starter`. */
  startExecution?: ExecutionStarter;
  now?: () => Date;
}

export interface GuardInput {
  trigger: string;
  /** Groups to pass over; every group when absent. */
  groups?: string[];
  claim?: ChangeClaim;
  /** Overrides `guard.converge` of the config (the local runner's --converge). */
  converge?: boolean;
  /** Overrides `guard.graceSeconds` (the local runner's --converge: the operator's command is the decision). */
  graceSeconds?: number;
}

export interface GroupGuardReport extends Partial<GuardPassResult> {
  group: string;
  vpcId: string;
  change?: FindingChange;
  /**
   * true: published; false: nothing to publish or no publisher; a string: why publishing failed (retried next pass).
   */
  notified?: boolean | string;
  since?: string;
  convergence?: Convergence;
  plans?: ArmedPlan[];
  /** Why the group was not judged this pass (nothing stored, notified or measured). */
  skipped?: string;
  error?: string;
}

export interface GuardReport {
  at: string;
  trigger: string;
  /** No group failed to be read, stored or notified. */
  ok: boolean;
  /** Findings standing over every group passed. */
  findings: number;
  groups: GroupGuardReport[];
}

/** Runs one pass over the groups of `input` (see the module comment). Never throws for one group's failure. */
export const runGuard = async (input: GuardInput, deps: GuardDeps): Promise<GuardReport> => {
  const now = deps.now ?? (() => new Date());
  const wanted = input.groups ? deps.config.groups.filter((g) => input.groups!.includes(g.name)) : deps.config.groups;
  const groups: GroupGuardReport[] = [];
  // One group after another: the pass is a handful of reads per group, and EC2's read bucket is shared.
  for (const group of wanted) {
    try {
      groups.push(await guardGroup(group, input, deps, now));
    } catch (err) {
      groups.push({ group: group.name, vpcId: group.vpcId, error: errorText(err) });
    }
  }
  return {
    at: now().toISOString(),
    trigger: input.trigger,
    ok: groups.every((g) => !g.error),
    findings: groups.reduce((n, g) => n + (g.total ?? 0), 0),
    groups,
  };
};

/** What is known of each member: its live interfaces and instance, and every interface the inventory remembers. */
const knownMembers = (
  views: Map<string, MemberView>,
  inventory: Awaited<ReturnType<GroupStateStore['readInventory']>>,
): KnownMember[] =>
  [...views.values()].map((v) => ({
    name: v.name,
    instanceId: v.instanceId,
    enis: new Set([...v.enis.values(), ...(inventory[v.name]?.interfaces.map((i) => i.eni) ?? [])]),
  }));

/**
 * The member the routes must lead to: the last switch's target when it is a member, else the one most routes lead to.
 */
const activeOf = (
  group: Group,
  view: GuardView,
  members: KnownMember[],
  reach: RouteTable[],
): { active?: ActiveMember; departed: string[] } => {
  const last = view.history.lastSwitch;
  if (last?.to && group.members.some((m) => m.name === last.to)) {
    return {
      active: { member: last.to, from: 'last-switch' },
      departed: (last.from ?? []).filter((m) => m !== last.to),
    };
  }
  const member = activeFromRoutes(members, reach);
  return { ...(member ? { active: { member, from: 'routes' as const } } : {}), departed: [] };
};

const guardGroup = async (
  group: Group,
  input: GuardInput,
  deps: GuardDeps,
  now: () => Date,
): Promise<GroupGuardReport> => {
  const [view, views, inventory, read] = await Promise.all([
    deps.store.read(group.name),
    describeMembers(deps.ec2, group, now()),
    deps.inventory.readInventory(group.name),
    readGroupTables(deps.ec2, group),
  ]);
  // A switch running for the group (its lease held) moves routes under this read: judged now, its half-moved routes
  // would open a finding set and clear it a minute later, two notifications per failover. The workflow verifies
  // its own switch; the next pass judges what it left.
  if (view.lease && view.lease.expiresAt > now().toISOString()) {
    return {
      group: group.name,
      vpcId: group.vpcId,
      skipped: `a switch is running (lease held by ${view.lease.owner}): not judged`,
    };
  }
  const mode = group.switchMode === 'associations' ? 'associations' : 'routes';
  const twins = read.twins.map((t) => t.table);
  const reach = reachOf({ originals: read.originals, twins, orphanTwins: read.orphanTwins }, mode);
  // The one extra read of the VPC's tables, for a gap in the scope; a whole-VPC scope has none.
  const own = new Set([...read.originals, ...twins, ...read.orphanTwins, ...read.ignored].map((t) => t.RouteTableId!));
  const outside =
    group.routeTables === undefined
      ? undefined
      : (await describeScopedRouteTables(deps.ec2, group.vpcId, undefined)).filter((t) => !own.has(t.RouteTableId!));
  const members = knownMembers(views, inventory);
  const { active, departed } = activeOf(group, view, members, reach);
  // The invariant's address clause: the group's addresses on the active member (one more read when it moves any).
  const selection = addressSelectionOf(group);
  const addresses = movesAddresses(selection) ? await readAddressClause(deps.ec2, selection) : undefined;

  const switchId = view.history.lastSwitch?.executionId ?? 'none';
  const stored = view.guard;
  const baselineHolds = stored?.baseline.switchId === switchId;
  const pass = guardPass({
    ...(active ? { active } : {}),
    departed,
    members,
    reach,
    scoped: read.originals,
    ...(baselineHolds ? { baseline: stored!.baseline.tables } : {}),
    ...(outside ? { outside } : {}),
    ...(addresses ? { addresses } : {}),
  });
  pass.findings = attributeCauses(pass.findings, input.claim, stored?.findings);

  const at = now().toISOString();
  const since = stored && stored.hash === pass.hash ? stored.since : at;
  const notifiedHash = stored?.notifiedHash ?? CLEAN_HASH;
  const change: FindingChange =
    pass.hash === notifiedHash
      ? 'none'
      : notifiedHash === CLEAN_HASH
        ? 'opened'
        : pass.hash === CLEAN_HASH
          ? 'cleared'
          : 'changed';

  let notified: boolean | string = false;
  let newNotified = notifiedHash;
  if (change !== 'none' && deps.publish) {
    const notice = {
      group: group.name,
      change,
      active: active?.member,
      total: pass.total,
      counts: pass.counts,
      findings: pass.findings,
      since,
      at,
    };
    try {
      await deps.publish({ subject: noticeSubject(notice), message: noticeMessage(notice), group: group.name, change });
      notified = true;
      newNotified = pass.hash;
    } catch (err) {
      notified = `not published (${errorText(err)}): the next pass tries again`;
    }
  }

  const settings = {
    ...deps.config.guard,
    ...(input.converge !== undefined ? { converge: input.converge } : {}),
    ...(input.graceSeconds !== undefined ? { graceSeconds: input.graceSeconds } : {}),
  };
  const convergence = await converge(
    {
      group: group.name,
      settings,
      pass,
      since,
      view,
      target: active ? views.get(active.member) : undefined,
      now: now(),
    },
    deps.startExecution,
  );
  // The tables a switch plans from: the scope, and the twins something uses (plan-switch.ts).
  const planned = [...read.originals, ...twins.filter((t) => reach.includes(t))];
  const plans = armedPlans(group, views, inventory, planned);

  const state: GuardState = {
    lastPassAt: at,
    ...(active ? { active } : {}),
    hash: pass.hash,
    notifiedHash: newNotified,
    since,
    total: pass.total,
    counts: pass.counts,
    findings: pass.findings,
    baseline: baselineHolds
      ? stored!.baseline
      : { switchId, tables: read.originals.map((t) => t.RouteTableId!).slice(0, BASELINE_TABLES_MAX) },
    ...('name' in convergence
      ? { converging: { name: convergence.name, status: convergence.status, at } }
      : stored?.converging && stored.hash === pass.hash
        ? { converging: stored.converging }
        : {}),
    plans,
  };
  await deps.store.write(group.name, state);
  deps.emitMetric?.(guardMetricLine(Date.parse(at), group.name, pass.total));
  const report: GroupGuardReport = {
    group: group.name,
    vpcId: group.vpcId,
    ...pass,
    change,
    notified,
    since,
    convergence,
    plans,
  };
  if (typeof notified === 'string') report.error = `notification ${notified}`;
  return report;
};
