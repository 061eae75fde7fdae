/**
 * What CloudWatch says about an alarm now. An alarm event is only a claim (anyone allowed to start the state
 * machine can hand it one); before any write, the alarm it names must be one of this stack's alarms for that
 * member, and CloudWatch must show it in ALARM now.
 */
export interface AlarmReader {
  /**
   * The alarm's state now and the instance it watches, or undefined when CloudWatch has no such alarm.
   * `missingData`: the state was reached with no datapoint received in the evaluation range (the status-check
   * alarms treat missing data as breaching, so that an AZ outage cannot silence them).
   */
  read(alarmName: string): Promise<AlarmView | undefined>;
}

export interface AlarmView {
  state: string;
  instanceId?: string;
  missingData?: boolean;
}

/**
 * Whether an alarm's StateReasonData (DescribeAlarms, JSON) says no datapoint was received: CloudWatch lists the
 * datapoints it received in `recentDatapoints`, and the evaluated ones (received or filled in for missing data)
 * in `evaluatedDatapoints`, a filled-in one without a `value`. Anything else (no JSON, another shape) is not read
 * as missing data: the confirmation then stays what it was before, the alarm in ALARM.
 */
export const reasonSaysMissingData = (stateReasonData: string | undefined): boolean => {
  if (!stateReasonData) return false;
  let data: { recentDatapoints?: unknown; evaluatedDatapoints?: unknown };
  try {
    data = JSON.parse(stateReasonData);
  } catch {
    return false;
  }
  const evaluated = Array.isArray(data.evaluatedDatapoints)
    ? (data.evaluatedDatapoints as Array<Record<string, unknown>>)
    : undefined;
  if (evaluated && evaluated.length > 0) return evaluated.every((d) => d.value === undefined);
  return Array.isArray(data.recentDatapoints) && data.recentDatapoints.length === 0;
};

export { statusCheckAlarmName } from '../contract/alarm-names';

/** In-memory alarms: the local runner's simulated account and tests. */
export class StaticAlarms implements AlarmReader {
  private readonly alarms = new Map<string, AlarmView>();

  /** Sets (or creates) an alarm's state; `missingData` when it got there with no datapoint received. */
  set(alarmName: string, state: string, instanceId?: string, opts: { missingData?: boolean } = {}): this {
    this.alarms.set(alarmName, { state, instanceId, ...(opts.missingData ? { missingData: true } : {}) });
    return this;
  }

  async read(alarmName: string) {
    const a = this.alarms.get(alarmName);
    return a && { ...a };
  }
}
