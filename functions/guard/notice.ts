import type { EmfLine } from '../contract/emf';
import type { GuardFinding, GuardFindingKind } from './guard-pass';

/**
 * What the guard publishes and writes besides its report: one SNS notification per change of a group's finding
 * set (never one per pass), and one EMF line per group and pass. infra/constructs/guard.ts alarms on the same
 * metric names.
 */

export const GUARD_NAMESPACE = 'VpcRouteFailover/Guard';

export const GUARD_METRICS = {
  /** Per group and pass: the findings standing (0 when the group's routes are right). */
  findings: 'GuardFindings',
  /** Per group: 1 per pass. */
  passes: 'GuardPasses',
} as const;

export type FindingChange = 'none' | 'opened' | 'changed' | 'cleared';

/** EMF line for one group's pass. */
export const guardMetricLine = (at: number, group: string, findings: number): EmfLine => ({
  _aws: {
    Timestamp: at,
    CloudWatchMetrics: [
      {
        Namespace: GUARD_NAMESPACE,
        Dimensions: [['Group']],
        Metrics: [
          { Name: GUARD_METRICS.findings, Unit: 'Count' },
          { Name: GUARD_METRICS.passes, Unit: 'Count' },
        ],
      },
    ],
  },
  Group: group,
  [GUARD_METRICS.findings]: findings,
  [GUARD_METRICS.passes]: 1,
});

export interface GuardNotice {
  group: string;
  change: Exclude<FindingChange, 'none'>;
  active?: string;
  total: number;
  counts: Record<GuardFindingKind, number>;
  findings: GuardFinding[];
  since: string;
  at: string;
}

/** SNS subjects: ASCII, no line breaks, under 100 characters. */
const SUBJECT_MAX = 99;

export const noticeSubject = (n: GuardNotice): string => {
  const what = n.change === 'cleared' ? 'routes right again' : `${n.total} finding(s) ${n.change}`;
  return `ROUTE GUARD ${n.change.toUpperCase()}: ${n.group}: ${what}`
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, SUBJECT_MAX);
};

/**
 * The message: a few lines to read, then the findings (at most GUARD_FINDINGS_LISTED, so always
 * far under SNS's 256 KiB).
 */
export const noticeMessage = (n: GuardNotice): string => {
  const lines = [
    n.change === 'cleared'
      ? `Group ${n.group}: every route in reach leads to ` +
        `${n.active ?? 'its active member'} again; no finding stands (${n.at}).`
      : `Group ${n.group}: ${n.total} finding(s) against active member ${n.active ?? '(none)'} since ${n.since}.`,
    ...Object.entries(n.counts)
      .filter(([, c]) => c > 0)
      .map(([k, c]) => `  ${k}: ${c}`),
    ...n.findings.map(
      (f) =>
        `- ${f.routeTableId} ${f.destination} -> ${f.target} (${f.member}): ${f.kind}: ` +
        `${f.problem}${f.cause ? ` [${f.cause.call} by ${f.cause.who} at ${f.cause.when}]` : ''}`,
    ),
  ];
  if (n.total > n.findings.length)
    lines.push(`… and ${n.total - n.findings.length} more (route-failover status shows the group's open findings)`);
  return `${lines.join('\n')}\n\n${JSON.stringify(n)}`;
};
