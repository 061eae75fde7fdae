import type { EmfLine } from '../contract/emf';
import type { AuditRecord } from '../contract/audit-record';

/**
 * The failover path's own CloudWatch metrics, written by Notify as Embedded Metric Format log lines (no SDK
 * call: Lambda ships its logs itself), one set per execution. The dashboard (infra/constructs/dashboard.ts)
 * graphs the same names.
 */

export const FAILOVER_NAMESPACE = 'VpcRouteFailover/Failover';

export const FAILOVER_METRICS = {
  /** Per group and outcome (succeeded, partial, failed, noop, held, dry-run, suppressed): 1 per execution. */
  executions: 'Executions',
  /** Per group: start to notification of an execution that moved routes, in milliseconds (the record's durationMs). */
  switchDuration: 'SwitchDuration',
  /** Per group and member: 1 when an execution moved routes to that member (the active member after a switch). */
  switchedTo: 'SwitchedTo',
  /**
   * Per group: ReplaceRoute calls retried after throttling or a 5xx (attempts beyond the first,
   * as the record lists them).
   */
  ec2CallsRetried: 'Ec2CallsRetried',
} as const;

export type { EmfLine };

const line = (
  at: number,
  dimensions: Record<string, string>,
  metrics: Array<{ name: string; unit: string; value: number }>,
): EmfLine => ({
  _aws: {
    Timestamp: at,
    CloudWatchMetrics: [
      {
        Namespace: FAILOVER_NAMESPACE,
        Dimensions: [Object.keys(dimensions)],
        Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
      },
    ],
  },
  ...dimensions,
  ...Object.fromEntries(metrics.map((m) => [m.name, m.value])),
});

/** The outcome as the dashboard counts it: a held automatic trigger apart from other no-ops. */
export const metricOutcome = (r: AuditRecord): string => (r.held && r.outcome === 'noop' ? 'held' : r.outcome);

/** The EMF lines of one execution's record (none without a group: nothing to graph it under). */
export const recordMetricLines = (r: AuditRecord, at: number): EmfLine[] => {
  if (!r.group) return [];
  const lines = [
    line(at, { Group: r.group, Outcome: metricOutcome(r) }, [
      { name: FAILOVER_METRICS.executions, unit: 'Count', value: 1 },
    ]),
  ];
  const retried = r.routes.reduce((n, x) => n + Math.max(0, (x.attempts ?? 1) - 1), 0);
  const switched = r.to && !r.dryRun && r.counts.moved > 0;
  const perGroup = [
    { name: FAILOVER_METRICS.ec2CallsRetried, unit: 'Count', value: retried },
    ...(switched && r.durationMs !== undefined
      ? [{ name: FAILOVER_METRICS.switchDuration, unit: 'Milliseconds', value: r.durationMs }]
      : []),
  ];
  lines.push(line(at, { Group: r.group }, perGroup));
  if (switched)
    lines.push(
      line(at, { Group: r.group, Member: r.to!.name }, [
        { name: FAILOVER_METRICS.switchedTo, unit: 'Count', value: 1 },
      ]),
    );
  return lines;
};
