import type { RouteTable } from '@aws-sdk/client-ec2';
import { findGroup } from '../../functions/contract/config';
import { isPropagated, routeDestination, routeTarget } from '../../functions/domain/routes';
import { oracleReach } from '../network-truth';
import { GROUP } from './materialize';
import type { Execution, Observation } from './run-case';

/**
 * The soak's invariants, stated once (docs/soak.md says the same in words). Each takes what one generated case
 * left (run-case.ts) and returns its violations as lines; an empty list is a pass.
 */

export type InvariantId = 'I1' | 'I2' | 'I3' | 'I4' | 'I5' | 'I6';
export interface Violation {
  invariant: InvariantId;
  detail: string;
}

/** The product's own Fail states: an execution that fails anywhere else ended in an error nothing caught. */
const PRODUCT_FAIL_STATES = new Set(['FailoverFailed', 'NotificationFailed', 'NotificationAndRecordFailed']);

const recordOf = (e: Execution): any => e.result && (e.result.output ?? e.result.auditRecord);
const executions = (o: Observation): Array<[string, Execution]> => [
  ...o.first.map((e, i) => [`delivery ${i + 1}`, e] as [string, Execution]),
  ...o.others.map((e, i) => [`${o.m.others[i].name}'s failover`, e] as [string, Execution]),
  ['re-run', o.rerun],
];

interface RouteView {
  table: string;
  target?: string;
  instanceId?: string;
  propagated: boolean;
}
/** Every route by table|kind|destination|origin. */
const routesOf = (tables: RouteTable[]): Map<string, RouteView> => {
  const m = new Map<string, RouteView>();
  for (const t of tables) {
    for (const r of t.Routes ?? []) {
      const d = routeDestination(r);
      if (!d) continue;
      const propagated = isPropagated(r);
      m.set(`${t.RouteTableId}|${d.kind}|${d.value}|${propagated ? 'propagated' : 'static'}`, {
        table: t.RouteTableId!,
        target: routeTarget(r),
        instanceId: r.InstanceId,
        propagated,
      });
    }
  }
  return m;
};
/** Every live association: what (subnet, gateway, main) → which table. */
const associationsOf = (tables: RouteTable[]): Map<string, string> => {
  const m = new Map<string, string>();
  for (const t of tables) {
    for (const a of t.Associations ?? []) {
      if (a.AssociationState?.State && a.AssociationState.State !== 'associated') continue;
      m.set(a.Main ? 'main' : (a.SubnetId ?? a.GatewayId ?? a.RouteTableAssociationId!), t.RouteTableId!);
    }
  }
  return m;
};

/** The tables the group reaches on `tables`: the oracle's reach (test/network-truth.ts), not the product's. */
const reachIds = (o: Observation, tables: RouteTable[], name = GROUP): Set<string> => {
  const group = findGroup(o.m.config, name)!;
  return new Set(
    oracleReach(
      tables.filter((t) => t.VpcId === group.vpcId),
      group,
    ).map((t) => t.RouteTableId!),
  );
};

const memberTargets = (o: Observation, only?: number, name = GROUP): Set<string> => {
  const s = new Set<string>();
  const members = name === GROUP ? o.m.members : o.m.others.find((g) => g.name === name)!.members;
  members.forEach((m, i) => {
    if (only !== undefined && i !== only) return;
    for (const eni of o.m.sim.interfacesEverAttached(m.instanceId)) s.add(eni);
    s.add(m.instanceId);
  });
  return s;
};
const leadsTo = (r: RouteView, targets: Set<string>): boolean =>
  (r.target !== undefined && targets.has(r.target)) || (r.instanceId !== undefined && targets.has(r.instanceId));

/** I1 truth: a `succeeded` or `noop` with a target leaves the route-table invariant holding (network-truth's check). */
const truth = (o: Observation): Violation[] =>
  executions(o).flatMap(([label, e]) =>
    (e.findings ?? []).length === 0
      ? []
      : [
          {
            invariant: 'I1' as const,
            detail: `${label} said ${recordOf(e)?.outcome}: ${e.findings!.slice(0, 3).join('; ')}`,
          },
        ],
  );

/** I2 nothing lost: no route missing, no CreateRoute/DeleteRoute, no route that was never the group's changed. */
const nothingLost = (o: Observation): Violation[] => {
  const out: Violation[] = [];
  const before = routesOf(o.before);
  // A route may move only as some group's: in its reach, from one of its members to one of its members.
  const groups = [GROUP, ...o.m.others.map((g) => g.name)].map((name) => ({
    reach: reachIds(o, o.before, name),
    members: memberTargets(o, undefined, name),
  }));
  for (const [label, tables] of [
    ['after the delivery', o.after],
    ['after the re-run', o.afterRerun],
  ] as const) {
    const now = routesOf(tables);
    for (const [key, r] of before) {
      const n = now.get(key);
      if (!n) {
        out.push({ invariant: 'I2', detail: `${label}: route ${key} is gone` });
        continue;
      }
      if (n.target === r.target) continue;
      const owners = r.propagated ? [] : groups.filter((g) => g.reach.has(r.table) && leadsTo(r, g.members));
      if (owners.length === 0)
        out.push({
          invariant: 'I2',
          detail: `${label}: route ${key} was never a group's but moved ${r.target} → ${n.target}`,
        });
      else if (!owners.some((g) => leadsTo(n, g.members)))
        out.push({ invariant: 'I2', detail: `${label}: route ${key} moved off its group: ${r.target} → ${n.target}` });
    }
  }
  // Calls since the first delivery: set-up made routes with CreateRoute (twins), the workflow never may.
  for (const c of o.m.sim.calls.slice(o.mark)) {
    if (c.tookEffect && c.input.DryRun !== true && (c.action === 'CreateRoute' || c.action === 'DeleteRoute')) {
      out.push({ invariant: 'I2', detail: `${c.action} ${JSON.stringify(c.input)}` });
    }
  }
  return out;
};

/** Whether the history's trigger is a request or a failure of the active member that the product may act on. */
const mayMoveActive = (o: Observation): boolean => {
  const t = o.history.trigger;
  if (t.kind === 'switchover' || t.kind === 'failback' || t.kind === 'probe')
    return t.kind === 'probe' ? t.member === o.estate.active : true;
  if (t.member !== o.estate.active) return false;
  // An event is acted on when EC2 shows the member not running, or cannot describe it (its AZ impaired):
  // resolve-targets.ts unconfirmedReason.
  if (t.kind === 'instance-state')
    return o.history.impairAz === t.member || (t.real && t.state !== 'running' && t.state !== 'pending');
  return t.real;
};

/**
 * I3 no harm: routes leave a healthy active member only on a confirmed failure or a request; a dry run writes nothing.
 */
const noHarm = (o: Observation): Violation[] => {
  const out: Violation[] = [];
  const t = o.history.trigger;
  if ((t.kind === 'switchover' || t.kind === 'failback') && t.dryRun) {
    // The other groups' failovers run meanwhile and write their own tables.
    const theirs = new Set(o.m.others.flatMap((g) => g.tableIds));
    const writes = o.m.sim.calls
      .slice(o.mark)
      .filter(
        (c) =>
          c.tookEffect &&
          c.input.DryRun !== true &&
          /^(Replace|Create|Delete|Associate|Disassociate)/.test(c.action) &&
          !theirs.has(String(c.input.RouteTableId)),
      );
    for (const c of writes)
      out.push({ invariant: 'I3', detail: `dry run wrote: ${c.action} ${JSON.stringify(c.input)}` });
    return out;
  }
  if (mayMoveActive(o)) return out;
  const active = memberTargets(o, o.estate.active);
  const before = routesOf(o.before);
  const assocBefore = associationsOf(o.before);
  for (const [label, tables] of [
    ['after the delivery', o.after],
    ['after the re-run', o.afterRerun],
  ] as const) {
    const now = routesOf(tables);
    for (const [key, r] of before) {
      const n = now.get(key);
      if (n && leadsTo(r, active) && n.target !== r.target)
        out.push({
          invariant: 'I3',
          detail: `${label}: ${key} left the healthy active member: ${r.target} → ${n.target}`,
        });
    }
    // An association may move to a twin only if every route the subject used to the active member is the same there.
    const assocNow = associationsOf(tables);
    for (const [subject, table] of assocBefore) {
      const moved = assocNow.get(subject);
      if (moved === table) continue;
      for (const [key, r] of before) {
        if (r.table !== table || !leadsTo(r, active)) continue;
        const there = now.get(`${moved}|${key.split('|').slice(1).join('|')}`);
        if (there?.target !== r.target)
          out.push({
            invariant: 'I3',
            detail:
              `${label}: ${subject} moved ${table} → ${moved}, where ${key.split('|').slice(1, 3).join(' ')} leads ` +
              `to ${there?.target}, not the healthy active member's ${r.target}`,
          });
      }
    }
  }
  return out;
};

/**
 * I4 honest record: each route's `after` is what the tables hold; the lease is released; one
 * notification per execution.
 */
const honestRecord = (o: Observation): Violation[] => {
  const out: Violation[] = [];
  const check = (label: string, e: Execution, tables: RouteTable[]) => {
    const rec = recordOf(e);
    if (!rec || rec.dryRun || !Array.isArray(rec.routes)) return;
    const now = routesOf(tables);
    for (const r of rec.routes) {
      if (!r.after?.target) continue;
      const n = now.get(`${r.routeTableId}|${r.destination.kind}|${r.destination.value}|static`);
      if (n?.target !== r.after.target)
        out.push({
          invariant: 'I4',
          detail:
            `${label}: record says ${r.routeTableId} ${r.destination.value} ` +
            `→ ${r.after.target}, tables say ${n?.target}`,
        });
    }
  };
  for (const [label, e] of executions(o)) check(label, e, e.tablesAtEnd);
  if (o.holderAfterFirst)
    out.push({ invariant: 'I4', detail: `lease still held by ${o.holderAfterFirst} after the delivery` });
  if (o.holderAfterRerun)
    out.push({ invariant: 'I4', detail: `lease still held by ${o.holderAfterRerun} after the re-run` });
  const notificationFailed = (e: Execution) => e.result?.status === 'FAILED' && e.result.error === 'NotificationFailed';
  const expected = [...o.first, ...o.others].filter((e) => e.result && !notificationFailed(e)).length;
  if (o.publishedByFirst !== expected)
    out.push({
      invariant: 'I4',
      detail: `${o.publishedByFirst} notification(s) for ${expected} execution(s) that did not fail NotificationFailed`,
    });
  for (const [label, e] of executions(o)) {
    if (!notificationFailed(e)) continue;
    // One failed Publish is what Notify's Retry is for: only an SNS that keeps failing may end the run so.
    if (label === 're-run' || o.history.publish !== 'fails')
      out.push({ invariant: 'I4', detail: `${label} failed NotificationFailed while SNS answered` });
    else if (!e.result!.auditRecord)
      out.push({
        invariant: 'I4',
        detail: `${label} failed NotificationFailed without RecordWithoutNotification's record`,
      });
  }
  if (o.history.publish === 'fails') {
    for (const [label, e] of executions(o).slice(0, -1))
      if (e.result && !notificationFailed(e))
        out.push({
          invariant: 'I4',
          detail: `${label}: Publish always failed but the execution ended ${e.result.status} ${e.result.error ?? ''}`,
        });
  }
  if (o.publishedByRerun !== (o.rerun.result ? 1 : 0))
    out.push({ invariant: 'I4', detail: `${o.publishedByRerun} notification(s) for the re-run` });
  return out;
};

/** I5 limits: no execution ends outside the product's Fail states (States.DataLimitExceeded, an uncaught error). */
const limits = (o: Observation): Violation[] =>
  executions(o).flatMap(([label, e]) => {
    if (e.thrown)
      return [{ invariant: 'I5' as const, detail: `${label}: the runner threw: ${e.thrown.split('\n')[0]}` }];
    const r = e.result!;
    if (r.status !== 'FAILED') return [];
    // A caught error (a Task's Sandbox.Timedout after its retries, say) ends in FailoverFailed with the record.
    const failState = r.events.some((ev) => ev.type === 'StateEntered' && PRODUCT_FAIL_STATES.has(ev.state?.name));
    return failState
      ? []
      : [
          {
            invariant: 'I5' as const,
            detail: `${label}: FAILED with ${r.error}: ${String(r.cause ?? '').slice(0, 300)}`,
          },
        ];
  });

/** I6 convergence: once every delivery claimed succeeded or noop, the same input again changes nothing. */
const convergence = (o: Observation): Violation[] => {
  // A switchover without `to` means "to the peer of the member the routes point at now" (README): a re-run is
  // a new switch by that definition (known defect KD1 in docs/soak.md), so convergence is not asked of it.
  if (o.history.trigger.kind === 'switchover' && o.history.trigger.to === undefined) return [];
  const claims = o.first.map(recordOf);
  if (claims.length === 0 || !claims.every((r) => r && (r.outcome === 'succeeded' || r.outcome === 'noop'))) return [];
  const out: Violation[] = [];
  const a = routesOf(o.after);
  const b = routesOf(o.afterRerun);
  for (const [key, r] of a)
    if (b.get(key)?.target !== r.target)
      out.push({ invariant: 'I6', detail: `re-run moved ${key}: ${r.target} → ${b.get(key)?.target}` });
  const aa = associationsOf(o.after);
  const ab = associationsOf(o.afterRerun);
  for (const [subject, table] of aa)
    if (ab.get(subject) !== table)
      out.push({
        invariant: 'I6',
        detail: `re-run moved the association of ${subject}: ${table} → ${ab.get(subject)}`,
      });
  return out;
};

export const INVARIANTS: Record<InvariantId, (o: Observation) => Violation[]> = {
  I1: truth,
  I2: nothingLost,
  I3: noHarm,
  I4: honestRecord,
  I5: limits,
  I6: convergence,
};

/** Every violation of every invariant in one case. */
export const checkCase = (o: Observation): Violation[] => Object.values(INVARIANTS).flatMap((check) => check(o));
