import { Duration, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  Dashboard,
  GraphWidget,
  GraphWidgetView,
  type IAlarm,
  type IWidget,
  Metric,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { Group } from '../../functions/contract/config';
import { FAILOVER_METRICS, FAILOVER_NAMESPACE } from '../../functions/domain/failover-metrics';
import { PROBE_METRICS, PROBE_NAMESPACE } from '../../functions/probe/metrics';
import { GUARD_METRICS, GUARD_NAMESPACE } from '../../functions/guard/notice';
import type { Outcome } from '../../functions/contract/audit-record';
import { probeAllDownAlarmName, probeSilentAlarmName } from './probe';

export interface FailoverDashboardProps {
  readonly groups: Group[];
  readonly stateMachine: IStateMachine;
  /** The failover path's own alarms (constructs/failover-alarms.ts). */
  readonly alarms: IAlarm[];
}

/** Every audit outcome (a Record, so the compiler names one added later), and `held`: a no-op because of a hold. */
const OUTCOME_KEYS: Record<Outcome, true> = {
  succeeded: true,
  partial: true,
  failed: true,
  noop: true,
  'dry-run': true,
  suppressed: true,
};
export const DASHBOARD_OUTCOMES: string[] = [...Object.keys(OUTCOME_KEYS), 'held'];

/** CloudWatch dashboards: "Maximum length of 255" of letters, digits, '-' and '_'. */
const DASHBOARD_NAME_MAX = 255;

/**
 * One dashboard for the operator: per group, where its switches went (the active member after each), switches
 * by outcome, time to switch (p50 and maximum), EC2 calls retried, and the health probe's success and latency
 * when it runs; then the failover path's own alarms and executions. Metrics come from Notify's EMF lines
 * (functions/domain/failover-metrics.ts), the probe's (functions/probe/metrics.ts) and Step Functions.
 */
export const addFailoverDashboard = (scope: Construct, props: FailoverDashboardProps): Dashboard => {
  const stackName = Stack.of(scope).stackName;
  const dashboard = new Dashboard(scope, 'Dashboard', {
    dashboardName: `${stackName}-failover`.slice(0, DASHBOARD_NAME_MAX),
    defaultInterval: Duration.days(7),
  });
  const hour = Duration.hours(1);
  const failover = (
    metricName: string,
    dimensionsMap: Record<string, string>,
    statistic: string,
    label: string,
    period = hour,
  ) => new Metric({ namespace: FAILOVER_NAMESPACE, metricName, dimensionsMap, statistic, label, period });
  const probe = (metricName: string, dimensionsMap: Record<string, string>, statistic: string, label: string) =>
    new Metric({
      namespace: PROBE_NAMESPACE,
      metricName,
      dimensionsMap,
      statistic,
      label,
      period: Duration.minutes(1),
    });

  dashboard.addWidgets(
    new TextWidget({
      markdown:
        '# vpc-route-failover\n' +
        'The **active member** is what the route tables say ' +
        '(`route-failover status`); "switched to" shows where each ' +
        'switch left the routes. Time to switch is start to notification of executions that moved routes. ' +
        'A held automatic trigger counts as outcome `held` (`route-failover hold`).',
      width: 24,
      height: 2,
    }),
  );

  for (const g of props.groups) {
    const row: IWidget[] = [
      new GraphWidget({
        title: `${g.name}: switched to (active member after each switch)`,
        left: g.members.map((m) =>
          failover(FAILOVER_METRICS.switchedTo, { Group: g.name, Member: m.name }, 'Sum', m.name),
        ),
        view: GraphWidgetView.BAR,
        width: 6,
      }),
      new GraphWidget({
        title: `${g.name}: executions by outcome`,
        left: DASHBOARD_OUTCOMES.map((o) =>
          failover(FAILOVER_METRICS.executions, { Group: g.name, Outcome: o }, 'Sum', o),
        ),
        stacked: true,
        width: 6,
      }),
      new GraphWidget({
        title: `${g.name}: time to switch (ms)`,
        left: [
          failover(FAILOVER_METRICS.switchDuration, { Group: g.name }, 'p50', 'p50'),
          failover(FAILOVER_METRICS.switchDuration, { Group: g.name }, 'Maximum', 'max'),
        ],
        width: 6,
      }),
      new GraphWidget({
        title: `${g.name}: EC2 calls retried (throttling, 5xx)`,
        left: [failover(FAILOVER_METRICS.ec2CallsRetried, { Group: g.name }, 'Sum', 'ReplaceRoute retries')],
        width: 6,
      }),
    ];
    dashboard.addWidgets(...row);
    // The route guard between failovers (functions/guard/notice.ts): its open findings, pass after pass.
    dashboard.addWidgets(
      new GraphWidget({
        title: `${g.name}: route guard findings (0 = every route in reach leads to the active member)`,
        left: [
          new Metric({
            namespace: GUARD_NAMESPACE,
            metricName: GUARD_METRICS.findings,
            dimensionsMap: { Group: g.name },
            statistic: 'Maximum',
            label: 'findings',
            period: Duration.minutes(5),
          }),
        ],
        width: 24,
        height: 4,
      }),
    );
    if (g.probe?.enabled) {
      dashboard.addWidgets(
        new GraphWidget({
          title: `${g.name}: probe success (share of rounds in which every port answered)`,
          left: g.members.map((m) =>
            probe(PROBE_METRICS.success, { Group: g.name, Member: m.name }, 'Minimum', m.name),
          ),
          width: 12,
        }),
        new GraphWidget({
          title: `${g.name}: probe latency (ms)`,
          left: g.members.flatMap((m) => [
            probe(PROBE_METRICS.latency, { Group: g.name, Member: m.name }, 'p50', `${m.name} p50`),
            probe(PROBE_METRICS.latency, { Group: g.name, Member: m.name }, 'Maximum', `${m.name} max`),
          ]),
          width: 12,
        }),
      );
    }
  }

  // The probe's alarms live in their own constructs (constructs/probe.ts); their names are fixed,
  // so refer to them by name.
  const probeAlarms = props.groups
    .filter((g) => g.probe?.enabled)
    .flatMap((g) => [
      ...g.probe!.subnetIds.map((s) => probeSilentAlarmName(stackName, g.name, s)),
      probeAllDownAlarmName(stackName, g.name),
    ])
    .map((name, i) => Alarm.fromAlarmName(scope, `DashboardProbeAlarm${i}`, name));
  const minute = { period: Duration.minutes(1), statistic: 'Sum' };
  dashboard.addWidgets(
    new AlarmStatusWidget({
      title: 'Failover path: alarms',
      alarms: [...props.alarms, ...probeAlarms],
      width: 12,
      height: 6,
    }),
    new GraphWidget({
      title: 'Failover path: executions failed, timed out, throttled',
      left: [
        props.stateMachine.metricFailed({ ...minute, label: 'failed' }),
        props.stateMachine.metricTimedOut({ ...minute, label: 'timed out' }),
        props.stateMachine.metricThrottled({ ...minute, label: 'throttled' }),
      ],
      width: 12,
      height: 6,
    }),
  );
  return dashboard;
};
