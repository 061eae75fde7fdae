import { findGroup, findMemberByInstance, type FailoverConfig } from './config';
import { PROBE_SOURCE } from './triggers';

/**
 * What an input says about itself before (or without) being validated, for the audit record of an
 * execution that failed early: which kind of trigger it is and which configured group it names. Nothing
 * here decides an action; it only makes sure a rejected request for a real group is reported under that
 * group, so a subscription filtering on the group still gets the alert.
 */

export type PeekedKind = 'instance-state' | 'alarm' | 'manual' | 'probe';

const objectOf = (raw: unknown): Record<string, unknown> | undefined =>
  raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : undefined;

/** The trigger kind an input has the shape of, or undefined. */
export const peekTriggerKind = (raw: unknown): PeekedKind | undefined => {
  const o = objectOf(raw);
  if (!o) return undefined;
  if (o.source === 'aws.ec2') return 'instance-state';
  if (o.source === 'aws.cloudwatch') return 'alarm';
  if (o.source === PROBE_SOURCE) return 'probe';
  if ('action' in o && !('source' in o)) return 'manual';
  return undefined;
};

/** The configured group an input names (by group name, or by a member's instance ID in an AWS event), or undefined. */
export const peekGroup = (raw: unknown, config: FailoverConfig | undefined): string | undefined => {
  const o = objectOf(raw);
  if (!o || !config) return undefined;
  if (typeof o.group === 'string') return findGroup(config, o.group)?.name;
  const detail = objectOf(o.detail);
  const instanceId =
    typeof detail?.['instance-id'] === 'string' ? (detail['instance-id'] as string) : alarmInstance(detail);
  return instanceId ? findMemberByInstance(config, instanceId)?.group.name : undefined;
};

const alarmInstance = (detail: Record<string, unknown> | undefined): string | undefined => {
  const metrics = objectOf(detail?.configuration)?.metrics;
  if (!Array.isArray(metrics)) return undefined;
  for (const m of metrics) {
    const dims = objectOf(objectOf(objectOf(m)?.metricStat)?.metric)?.dimensions;
    const id = objectOf(dims)?.InstanceId;
    if (typeof id === 'string') return id;
  }
  return undefined;
};
