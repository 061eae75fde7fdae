import type { Alarm, Dashboard } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { Group } from '../../functions/contract/config';
import { groupsWithoutLogicalId } from '../logical-ids';
import { addFailoverDashboard } from './dashboard';
import { type FailoverAlarmsProps, addFailoverAlarms } from './failover-alarms';

export interface FailoverMonitoringProps extends FailoverAlarmsProps {
  readonly groups: Group[];
  readonly stateMachine: IStateMachine;
  /** Every function to watch by name: the Task functions by state name and the scheduled ones. */
  readonly functions: Record<string, IFunction>;
}

/**
 * The failover path's alarms (failover-alarms.ts: each notifies the topic on ALARM and on OK) and the operator's
 * dashboard (dashboard.ts), which shows those alarms beside each group's switches and probes.
 */
export class FailoverMonitoring extends Construct {
  readonly alarms: Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: FailoverMonitoringProps) {
    super(scope, id);
    groupsWithoutLogicalId(this);
    const { groups, ...alarmProps } = props;
    this.alarms = addFailoverAlarms(this, alarmProps);
    this.dashboard = addFailoverDashboard(this, { groups, stateMachine: props.stateMachine, alarms: this.alarms });
  }
}
