/**
 * What CloudWatch says about an alarm now. An alarm event is only a claim (anyone allowed to start the state
 * machine can hand it one); before any write, the alarm it names must be one of this stack's alarms for that
 * member, and CloudWatch must show it in ALARM now.
 */
export interface AlarmReader {
  /** The alarm's state now and the instance it watches, or undefined when CloudWatch has no such alarm. */
  read(alarmName: string): Promise<{ state: string; instanceId?: string } | undefined>;
}

export { statusCheckAlarmName } from '../contract/alarm-names';

/** In-memory alarms: the local runner's simulated account and tests. */
export class StaticAlarms implements AlarmReader {
  private readonly alarms = new Map<string, { state: string; instanceId?: string }>();

  /** Sets (or creates) an alarm's state. */
  set(alarmName: string, state: string, instanceId?: string): this {
    this.alarms.set(alarmName, { state, instanceId });
    return this;
  }

  async read(alarmName: string) {
    const a = this.alarms.get(alarmName);
    return a && { ...a };
  }
}
