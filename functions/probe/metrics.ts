import type { EmfLine } from '../contract/emf';
/**
 * The probe's CloudWatch metrics, written as Embedded Metric Format log lines (no SDK call, no network path
 * from the VPC needed: Lambda ships its logs itself). infra/constructs/probe.ts alarms on the same names.
 */

export const PROBE_NAMESPACE = 'VpcRouteFailover/Probe';

export const PROBE_METRICS = {
  /**
   * Per member and report period: the share of rounds (0 to 1) in which every configured port accepted a connection.
   */
  success: 'ProbeSuccess',
  /** Per member and report period: the slowest successful connect. */
  latency: 'ProbeLatency',
  /**
   * Per location (Group, Location) and report period: rounds probed. Its absence is what the
   * "probe silent" alarms watch.
   */
  rounds: 'ProbeRounds',
  /** Per group and report period: 1 while a location sees every member down for downAfterMs (nothing is started). */
  allMembersDown: 'AllMembersDown',
} as const;

/**
 * Rounds are aggregated over this period before they are written: at 4 rounds a second, one line per round
 * would cost more in log ingestion than the probe's compute (docs/detection.md, "Cost").
 */
export const METRIC_PERIOD_MS = 10_000;

export type { EmfLine };

/** EMF line for one member over a report period: success share and, when any round succeeded, the slowest connect. */
export const memberMetricLine = (
  at: number,
  group: string,
  member: string,
  successShare: number,
  maxLatencyMs: number | undefined,
): EmfLine => {
  const metrics: Array<{ Name: string; Unit: string }> = [{ Name: PROBE_METRICS.success, Unit: 'None' }];
  // The latency of a failed connect is the timeout or the time to a refusal: it would only pollute the statistic.
  if (maxLatencyMs !== undefined) metrics.push({ Name: PROBE_METRICS.latency, Unit: 'Milliseconds' });
  return {
    _aws: {
      Timestamp: at,
      CloudWatchMetrics: [{ Namespace: PROBE_NAMESPACE, Dimensions: [['Group', 'Member']], Metrics: metrics }],
    },
    Group: group,
    Member: member,
    [PROBE_METRICS.success]: successShare,
    ...(maxLatencyMs !== undefined ? { [PROBE_METRICS.latency]: maxLatencyMs } : {}),
  };
};

/** EMF line for one location over a report period: its heartbeat (rounds probed) and whether every member was down. */
export const locationMetricLine = (
  at: number,
  group: string,
  location: string,
  rounds: number,
  allMembersDown: boolean,
): EmfLine => ({
  _aws: {
    Timestamp: at,
    CloudWatchMetrics: [
      {
        Namespace: PROBE_NAMESPACE,
        Dimensions: [['Group', 'Location']],
        Metrics: [{ Name: PROBE_METRICS.rounds, Unit: 'Count' }],
      },
      {
        Namespace: PROBE_NAMESPACE,
        Dimensions: [['Group']],
        Metrics: [{ Name: PROBE_METRICS.allMembersDown, Unit: 'None' }],
      },
    ],
  },
  Group: group,
  Location: location,
  [PROBE_METRICS.rounds]: rounds,
  [PROBE_METRICS.allMembersDown]: allMembersDown ? 1 : 0,
});
