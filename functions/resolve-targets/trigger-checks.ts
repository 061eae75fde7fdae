import type { EC2Client } from '@aws-sdk/client-ec2';
import type { Group, Member } from '../contract/config';
import { type AlarmReader, statusCheckAlarmName } from '../domain/alarms';
import { routesSayRunning } from './member-evidence';
import type { MemberView } from '../aws/members';
import type { LeaseState, Trigger } from '../contract/schemas';

/** What the confirmation of a trigger reads: EC2, CloudWatch, and the stack's name its alarm names start with. */
export interface TriggerCheckDeps {
  ec2: EC2Client;
  alarms: AlarmReader;
  stackName: string;
}

/**
 * Why an automatic trigger is not confirmed by the source of truth, or undefined when it is. An event is only a
 * claim: an instance-state event acts only if EC2 shows that member not running now (or cannot describe it); an
 * alarm event only if it names this stack's status-check alarm for that member and CloudWatch shows it in ALARM
 * now. The health probe's request is its own observation (TCP from inside the VPC) and is taken as made.
 */
export const unconfirmedReason = async (
  trigger: Trigger,
  failing: Member,
  group: Group,
  views: Map<string, MemberView>,
  deps: TriggerCheckDeps,
): Promise<string | undefined> => {
  if (trigger.kind === 'instance-state') {
    const view = views.get(failing.name)!;
    const state = view.state;
    if (state === 'running' || state === 'pending') {
      return (
        `event not confirmed: ${failing.name} (${failing.instanceId}) ` +
        `reported ${trigger.instanceState} but is ${state} now`
      );
    }
    if (view.describeFailure?.transient)
      return routesSayRunning(deps.ec2, group, failing, view.describeFailure.code, trigger.instanceState);
    return undefined;
  }
  if (trigger.kind !== 'alarm') return undefined;
  const expected = statusCheckAlarmName(deps.stackName, group.name, failing.name);
  if (trigger.alarmName !== expected) {
    return (
      `event not confirmed: alarm "${trigger.alarmName}" is not this stack's status-check alarm for ` +
      `${failing.name} (${expected})`
    );
  }
  const alarm = await deps.alarms.read(expected);
  if (!alarm) return `event not confirmed: CloudWatch has no alarm named ${expected}`;
  if (alarm.instanceId !== undefined && alarm.instanceId !== failing.instanceId) {
    return (
      `event not confirmed: alarm ${expected} watches ` +
      `${alarm.instanceId}, not ${failing.name} (${failing.instanceId})`
    );
  }
  if (alarm.state !== 'ALARM') return `event not confirmed: CloudWatch shows alarm ${expected} in ${alarm.state} now`;
  if (alarm.missingData) return silenceNotConfirmed(group, failing, expected, deps);
  return undefined;
};

/**
 * An alarm in ALARM because CloudWatch received no status-check data for the member (missing data is breaching,
 * so that an AZ outage cannot silence the alarm) is that member's silence only if CloudWatch still hears from a
 * peer: when every other member's alarm is in ALARM too, the silence is CloudWatch's own or the whole group's,
 * and moving routes cannot help. Why not confirmed, or undefined.
 */
export const silenceNotConfirmed = async (
  group: Group,
  failing: Member,
  alarmName: string,
  deps: Omit<TriggerCheckDeps, 'ec2'>,
): Promise<string | undefined> => {
  const peers = group.members.filter((m) => m.name !== failing.name);
  const states = await Promise.all(
    peers.map(async (m) => ({
      m,
      alarm: await deps.alarms.read(statusCheckAlarmName(deps.stackName, group.name, m.name)),
    })),
  );
  if (states.some(({ alarm }) => alarm?.state !== 'ALARM')) return undefined;
  return (
    `event not confirmed: alarm ${alarmName} is in ALARM because ` +
    `CloudWatch received no status-check data for ${failing.name}, ` +
    `and the alarms of ${peers.map((m) => m.name).join(', ')} are in ALARM too: CloudWatch hears from no member, ` +
    "which is its own silence or the whole group's, not a failure of one router"
  );
};

/** Why an automatic trigger is stale (a newer switch already left the member it names), or undefined. */
export const staleReason = (
  triggerTime: string | undefined,
  failing: Member,
  lease: LeaseState | undefined,
): string | undefined => {
  const last = lease?.history?.lastSwitch;
  // Only an event about a member that the last switch moved away from can be stale: an older event about
  // the member it moved to is a failure of the router carrying the traffic now.
  const movedAway = last && (last.from ? last.from.includes(failing.name) : last.to !== failing.name);
  if (triggerTime && last && movedAway && Date.parse(triggerTime) < switchTime(last)) {
    return (
      `stale event: it happened at ${triggerTime}, before the trigger of the group's last switch ` +
      `(${last.triggerTime}, ${failing.name} -> ${last.to ?? '?'} by ${last.executionId}); not undoing it`
    );
  }
  return undefined;
};

/** When the last switch's trigger happened, as far as it can be trusted: never later than the switch itself. */
export const switchTime = (last: { triggerTime: string; at: string }): number =>
  Math.min(Date.parse(last.triggerTime), Date.parse(last.at) || Infinity);

/**
 * After the hold-down, why automatic failback must not move routes (or undefined when it may): the preferred
 * member must still pass the health gate and must not have been stopped and started again meanwhile (its
 * LaunchTime would be newer than the running event), and no newer switch may have happened.
 */
export const failbackBlocker = (
  member: Member,
  triggerTime: string | undefined,
  views: Map<string, MemberView>,
  lease: LeaseState | undefined,
): string | undefined => {
  const last = lease?.history?.lastSwitch;
  if (triggerTime && last && Date.parse(triggerTime) < switchTime(last)) {
    return (
      `stale event: ${member.name} came back at ${triggerTime}, before the group's last switch ` +
      `(${last.triggerTime}); not failing back`
    );
  }
  const v = views.get(member.name)!;
  if (!v.health.healthy)
    return `${member.name} failed the health gate after the hold-down (${v.health.problems.join('; ')}): nothing moves`;
  if (triggerTime && v.launchTime && Date.parse(v.launchTime) > Date.parse(triggerTime) + 1000) {
    return (
      `${member.name} was restarted during the hold-down (launched ${v.launchTime}, after ${triggerTime}): nothing ` +
      `moves; its next running event starts a new hold-down`
    );
  }
  return undefined;
};

/** Flap damping: why this automatic failover must not move routes, or undefined when it may. */
export const dampingReason = (
  group: Group,
  lease: LeaseState | undefined,
  triggerId: string,
  now: Date,
): string | undefined => {
  const { maxFailovers, windowSeconds } = group.flapDamping;
  const since = now.getTime() - windowSeconds * 1000;
  const recent = (lease?.history?.automaticSwitches ?? []).filter(
    (s) => Date.parse(s.at) >= since && s.triggerId !== triggerId,
  );
  if (recent.length < maxFailovers) return undefined;
  return (
    `flap damping: group "${group.name}" already failed over automatically ${recent.length} time(s) in the last ` +
    `${windowSeconds} s (limit ${maxFailovers}; last at ${recent.at(-1)!.at}). Automatic failover suppressed; ` +
    'a manual switchover is never suppressed.'
  );
};
