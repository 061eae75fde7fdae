import { type FailoverConfig, findGroup, findMemberByInstance, type Group, type Member } from '../contract/config';
import { InvalidRequestError, UnknownGroupError, UnknownMemberError } from '../contract/errors';
import type { Trigger } from '../contract/schemas';
import {
  alarmInstanceId,
  FAILURE_STATES,
  type ManualRequest,
  parseTrigger,
  type ProbeFailureRequest,
} from '../contract/triggers';

/**
 * What the workflow input asks for, decided from the input and the config alone (no AWS call): which group,
 * and either a reason to do nothing or the member that failed / the manual request. Shared by AcquireLease
 * (which needs the group before anything else) and ResolveTargets.
 */
export type Classified =
  | { action: 'noop'; trigger: Trigger; reason: string; group?: Group }
  | {
      action: 'failover';
      trigger: Trigger;
      group: Group;
      /** Automatic triggers name the member that failed. */
      failing?: Member;
      request?: ManualRequest;
      automatic: boolean;
      /** Time the trigger happened (event time), to refuse stale events; undefined for manual requests. */
      triggerTime?: string;
      /** Identifies the trigger across deliveries and re-runs (EventBridge event ID, else execution name). */
      triggerId: string;
      /** Automatic failback: the preferred member is running again; routes return after the hold-down. */
      failback?: { member: Member; holdDownSeconds: number };
    };

/** Classifies the workflow input; throws InvalidRequestError / UnknownGroupError / UnknownMemberError on bad input. */
export const classifyTrigger = (raw: unknown, config: FailoverConfig, executionName: string): Classified => {
  const parsed = parseTrigger(raw);
  if (parsed.kind === 'manual') {
    const r = parsed.request;
    const group = findGroup(config, r.group);
    if (!group)
      throw new UnknownGroupError(
        r.group,
        config.groups.map((g) => g.name),
      );
    const names = group.members.map((m) => m.name);
    if (r.to !== undefined && !names.includes(r.to)) throw new UnknownMemberError(group.name, r.to, names);
    if (r.action === 'failback') {
      if (!group.preferred)
        throw new InvalidRequestError(`group "${group.name}" has no preferred member to fail back to`);
      if (r.to !== undefined && r.to !== group.preferred) {
        throw new InvalidRequestError(`failback goes to the preferred member "${group.preferred}", not "${r.to}"`);
      }
    }
    const target = r.action === 'failback' ? group.preferred : r.to;
    const trigger: Trigger = {
      kind: 'manual',
      summary:
        `${r.action}${target ? ` to ${target}` : ''} requested by ` +
        `${r.requestedBy ?? 'unknown requester'}${r.reason ? `: ${r.reason}` : ''}`,
      action: r.action,
      requestedBy: r.requestedBy,
      reason: r.reason,
    };
    return { action: 'failover', trigger, group, request: r, automatic: false, triggerId: executionName };
  }
  if (parsed.kind === 'probe') return classifyProbe(parsed.request, config, executionName);

  const event = parsed.event;
  const instanceId =
    parsed.kind === 'instance-state' ? parsed.event.detail['instance-id'] : alarmInstanceId(parsed.event);
  const owner = instanceId ? findMemberByInstance(config, instanceId) : undefined;
  const trigger: Trigger =
    parsed.kind === 'instance-state'
      ? {
          kind: 'instance-state',
          summary:
            `EC2 instance ${instanceId}${owner ? ` (${owner.member.name})` : ''} entered ` +
            `${parsed.event.detail.state}`,
          eventId: event.id,
          eventTime: event.time,
          instanceId,
          instanceState: parsed.event.detail.state,
        }
      : {
          kind: 'alarm',
          summary:
            `alarm ${parsed.event.detail.alarmName} entered ` +
            `${parsed.event.detail.state.value}${owner ? ` for ${owner.member.name} (${instanceId})` : ''}`,
          eventId: event.id,
          eventTime: event.time,
          instanceId,
          alarmName: parsed.event.detail.alarmName,
        };
  const noop = (reason: string) => ({ action: 'noop' as const, trigger, reason, group: owner?.group });

  if (parsed.kind === 'instance-state' && parsed.event.detail.state === 'running' && owner) {
    const { group, member } = owner;
    if (!group.autoFailback)
      return noop(
        `${member.name} is running; automatic failback is off for group "${group.name}" (fail back manually)`,
      );
    if (group.preferred !== member.name)
      return noop(`${member.name} is running; it is not the preferred member, nothing to fail back`);
    return {
      action: 'failover',
      trigger: {
        ...trigger,
        summary: `${trigger.summary}: automatic failback after a ${group.autoFailback.holdDownSeconds} s hold-down`,
      },
      group,
      automatic: true,
      triggerTime: event.time,
      triggerId: event.id ?? executionName,
      failback: { member, holdDownSeconds: group.autoFailback.holdDownSeconds },
    };
  }
  if (parsed.kind === 'instance-state' && !(FAILURE_STATES as readonly string[]).includes(parsed.event.detail.state)) {
    return noop(`EC2 state "${parsed.event.detail.state}" needs no failover`);
  }
  if (parsed.kind === 'alarm' && parsed.event.detail.state.value !== 'ALARM') {
    return noop(`alarm state "${parsed.event.detail.state.value}" needs no failover`);
  }
  if (!instanceId) return noop('the alarm names no InstanceId dimension');
  if (!owner) return noop(`instance ${instanceId} belongs to no failover group`);
  return {
    action: 'failover',
    trigger,
    group: owner.group,
    failing: owner.member,
    automatic: true,
    triggerTime: event.time,
    triggerId: event.id ?? executionName,
  };
};

/**
 * A member declared down by the health probe (functions/probe): handled like an instance failure of that
 * member. Only the group and member names decide anything, and both are looked up in the config; the rest of
 * the request only describes what the probe saw. No triggerTime and no eventTime: the declaration is as fresh
 * as the execution (the probe starts it at once), so its start time is the trigger time, as for a manual
 * request; the deterministic execution name (group, member, failure start) identifies the failure.
 */
const classifyProbe = (r: ProbeFailureRequest, config: FailoverConfig, executionName: string): Classified => {
  const group = findGroup(config, r.group);
  if (!group)
    throw new UnknownGroupError(
      r.group,
      config.groups.map((g) => g.name),
    );
  const failing = group.members.find((m) => m.name === r.member);
  if (!failing)
    throw new UnknownMemberError(
      group.name,
      r.member,
      group.members.map((m) => m.name),
    );
  const trigger: Trigger = {
    kind: 'probe',
    summary:
      `health probe: ${failing.name} (${failing.instanceId}) failed ${r.failedRounds} consecutive round(s) of TCP ` +
      `${r.probe.ports.join(', ')} (every ${r.probe.intervalMs} ms, down after ${r.probe.downAfterMs} ms) ` +
      `since ${r.firstFailureAt}, agreed by ${r.probe.locations.join(', ')}; last error: ${r.lastError}`,
    instanceId: failing.instanceId,
  };
  return { action: 'failover', trigger, group, failing, automatic: true, triggerId: executionName };
};
