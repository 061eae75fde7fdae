import type { EmfLine } from '../contract/emf';
/**
 * The probe's CloudWatch metrics, written as Embedded Metric Format log lines (no SDK call, no network path
 * from the VPC needed: Lambda ships its logs itself). infra/constructs/probe.ts alarms on the same names.
 */

export const PROBE_NAMESPACE = 'VpcRouteFailover/Probe';

export const PROBE_METRICS = {
  /** Per member and round: 1 when every configured port accepted a connection, else 0. */
  success: 'ProbeSuccess',
  /** Per member and successful round: the slowest port's connect time. */
  latency: 'ProbeLatency',
  /** Per group: 1 per round probed. Its absence is what the "probe silent" alarm watches. */
  rounds: 'ProbeRounds',
  /** Per group and round: 1 while every member has failed the threshold of rounds (nothing is started). */
  allMembersDown: 'AllMembersDown',
} as const;

export type { EmfLine };

/** EMF line for one member's round: success (0/1) and, when it succeeded, the latency in milliseconds. */
export const memberMetricLine = (
  at: number,
  group: string,
  member: string,
  ok: boolean,
  latencyMs: number,
): EmfLine => {
  const metrics: Array<{ Name: string; Unit: string }> = [{ Name: PROBE_METRICS.success, Unit: 'None' }];
  // The latency of a failed connect is the timeout or the time to a refusal: it would only pollute the statistic.
  if (ok) metrics.push({ Name: PROBE_METRICS.latency, Unit: 'Milliseconds' });
  return {
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [{ Namespace: PROBE_NAMESPACE, Dimensions: [['Group', 'Member']], Metrics: metrics }],
    },
    Group: group,
    Member: member,
    [PROBE_METRICS.success]: ok ? 1 : 0,
    ...(ok ? { [PROBE_METRICS.latency]: latencyMs } : {}),
  };
};

/** EMF line for one round of a group: the heartbeat (ProbeRounds = 1) and whether every member is down. */
export const groupMetricLine = (at: number, group: string, allMembersDown: boolean): EmfLine => ({
  _aws: {
    Timestamp: at,
    CloudWatchMetrics: [
      {
        Namespace: PROBE_NAMESPACE,
        Dimensions: [['Group']],
        Metrics: [
          { Name: PROBE_METRICS.rounds, Unit: 'Count' },
          { Name: PROBE_METRICS.allMembersDown, Unit: 'None' },
        ],
      },
    ],
  },
  Group: group,
  [PROBE_METRICS.rounds]: 1,
  [PROBE_METRICS.allMembersDown]: allMembersDown ? 1 : 0,
});
