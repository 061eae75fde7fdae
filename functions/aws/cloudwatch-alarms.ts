import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandOutput,
} from '@aws-sdk/client-cloudwatch';
import { errorCode, isThrottling, isTransient } from '../contract/aws-errors';
import { AlarmCheckError } from '../contract/errors';
import { type AlarmReader, reasonSaysMissingData } from '../domain/alarms';

/** AlarmReader on CloudWatch DescribeAlarms (one metric alarm by name). Throttling and 5xx are transient. */
export const cloudWatchAlarms = (cw: CloudWatchClient): AlarmReader => ({
  read: async (alarmName) => {
    let out: DescribeAlarmsCommandOutput;
    try {
      out = await cw.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName], AlarmTypes: ['MetricAlarm'] }));
    } catch (err) {
      throw new AlarmCheckError(
        `DescribeAlarms ${alarmName}: ${errorCode(err)}: ${(err as Error)?.message}`,
        isThrottling(err) || isTransient(err),
        { cause: err },
      );
    }
    const alarm = out.MetricAlarms?.find((a) => a.AlarmName === alarmName);
    if (!alarm) return undefined;
    const instanceId = alarm.Dimensions?.find((d) => d.Name === 'InstanceId')?.Value;
    return {
      state: alarm.StateValue ?? 'UNKNOWN',
      instanceId,
      missingData: reasonSaysMissingData(alarm.StateReasonData),
    };
  },
});
