import type { RouteTable } from '@aws-sdk/client-ec2';
import { statusCheckAlarmName } from '../../functions/domain/alarms';
import { routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';

/** Events as AWS delivers them (shapes of /shared/fixtures/events), with IDs and times the test chooses. */

let sequence = 0;

/** An EC2 Instance State-change Notification; the time defaults to now (older events age out). */
export const ec2StateEvent = (
  instanceId: string,
  state: string,
  time = new Date().toISOString(),
  id = `evt-${++sequence}`,
) => ({
  version: '0',
  id,
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time,
  region: 'us-east-1',
  resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, state },
});

/** A CloudWatch Alarm State Change of a member's status-check alarm, named as the default stack names it. */
export const statusCheckAlarmEvent = (opts: {
  group: string;
  member: string;
  instanceId: string;
  value?: string;
  time?: string;
  alarmName?: string;
}) => {
  const time = opts.time ?? new Date().toISOString();
  const alarmName = opts.alarmName ?? statusCheckAlarmName('VpcRouteFailover', opts.group, opts.member);
  return {
    version: '0',
    id: `alarm-${++sequence}`,
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time,
    region: 'us-east-1',
    resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: { value: opts.value ?? 'ALARM', reason: 'Threshold Crossed', timestamp: time },
      previousState: { value: 'OK' },
      configuration: {
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: { namespace: 'AWS/EC2', name: 'StatusCheckFailed', dimensions: { InstanceId: opts.instanceId } },
              period: 60,
              stat: 'Maximum',
            },
            returnData: true,
          },
        ],
      },
    },
  };
};

/** Every route of every table as "rtb|kind|destination" → its target. */
export const routeTargets = (tables: RouteTable[]): Map<string, string | undefined> => {
  const m = new Map<string, string | undefined>();
  for (const t of tables) {
    for (const r of t.Routes ?? []) {
      const d = routeDestination(r);
      if (d) m.set(routeKey(t.RouteTableId!, d), routeTarget(r));
    }
  }
  return m;
};
