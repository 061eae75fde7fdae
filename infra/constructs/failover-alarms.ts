import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, type IMetric, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { GUARD_METRICS, GUARD_NAMESPACE } from '../../functions/guard/notice';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { allowAlarmsToPublish } from '../alarm-publishing';
import { stackAlarmName } from '../names';

export interface FailoverAlarmsProps {
  readonly stateMachine: IStateMachine;
  /**
   * The Task functions by ASL state name (AcquireLease, SwitchItems, …), and the scheduled ones
   * (InventoryRefresh, TwinReconcile).
   */
  readonly functions: Record<string, IFunction>;
  /** Where EventBridge puts a trigger it could not deliver to the state machine. */
  readonly deadLetterQueue: IQueue;
  readonly topic: ITopic;
  readonly topicKey: IKey;
  readonly topicName: string;
  /** The route guard's groups: one findings alarm each (constructs/guard.ts). */
  readonly guard?: { groups: string[]; intervalMinutes: number };
}

/** Age of the oldest dead letter that raises the reminder: the trigger's maxEventAge, so its failover is overdue. */
export const DEAD_LETTER_REMINDER_SECONDS = 3600;

/**
 * Alarms on the failover path, each notifying the stack's topic when it enters ALARM and when it is OK again:
 * the state machine's failed, timed-out and throttled executions, each Task function's errors and throttles,
 * and the trigger dead-letter queue. Names start with the stack name, so two stacks in a region never collide.
 * Created directly in `scope` (the stack), not in a construct of their own: the dead-letter alarm existed
 * before under the ID TriggerDeadLetterAlarm with the same fixed name, and a new logical ID would make
 * CloudFormation create the replacement first, under a name that is still taken.
 */
export const addFailoverAlarms = (scope: Construct, props: FailoverAlarmsProps): Alarm[] => {
  const stackName = Stack.of(scope).stackName;
  const names: string[] = [];
  const alarms: Alarm[] = [];
  const add = (id: string, what: string, description: string, metric: IMetric, options: Partial<AlarmOptions> = {}) => {
    const alarmName = stackAlarmName(stackName, what);
    const alarm = new Alarm(scope, id, {
      alarmName,
      alarmDescription: `vpc-route-failover: ${description}`,
      metric,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      // No data means nothing happened: no executions, no invocations.
      treatMissingData: TreatMissingData.NOT_BREACHING,
      ...options,
    });
    alarm.addAlarmAction(new SnsAction(props.topic));
    alarm.addOkAction(new SnsAction(props.topic));
    names.push(alarmName);
    alarms.push(alarm);
  };

  // ---- State machine: one failed, timed-out or throttled execution is worth a message --------------------
  // A failed run also sends its own critical audit notification (Catch → Notify); this alarm is the backstop
  // for a run that could not notify at all (Notify failing, the execution timing out in a state).
  const minute = { period: Duration.minutes(1), statistic: 'Sum' };
  const sm = props.stateMachine;
  add(
    'ExecutionsFailedAlarm',
    'executions-failed',
    'a failover execution failed (see its audit notification, or its history if there is none)',
    sm.metricFailed(minute),
  );
  add(
    'ExecutionsTimedOutAlarm',
    'executions-timed-out',
    'a failover execution timed out (1800 s): routes may be half-moved (its audit record is in the history); the ' +
      'next execution takes its lease over',
    sm.metricTimedOut(minute),
  );
  add(
    'ExecutionsThrottledAlarm',
    'executions-throttled',
    'Step Functions throttled a failover execution (StartExecution or state transitions)',
    sm.metricThrottled(minute),
  );

  // ---- Task functions --------------------------------------------------------------------------------------
  for (const [task, fn] of Object.entries(props.functions)) {
    add(
      `${task}ErrorsAlarm`,
      `${task}-errors`,
      errorsDescription(task),
      fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
    );
    if (task === 'TwinReconcile' || task === 'Guard') {
      // Reserved concurrency 1 serializes reconciles: a burst of CloudTrail events (a failover moves many
      // associations) is throttled by design and Lambda retries each asynchronous event later. Only throttling
      // that lasts (three 5-minute periods in a row) means a reconcile that never gets through.
      add(
        `${task}ThrottlesAlarm`,
        `${task}-throttles`,
        task === 'Guard'
          ? 'the route guard has been throttled for 15 minutes: a pass runs too long or is stuck, and route changes ' +
              'go unchecked (check its logs)'
          : 'the twin reconcile has been throttled for 15 minutes: a reconcile runs too long or is stuck, and twins ' +
              'may lag behind their originals (check its logs)',
        fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        { evaluationPeriods: 3, datapointsToAlarm: 3 },
      );
      continue;
    }
    add(
      `${task}ThrottlesAlarm`,
      `${task}-throttles`,
      `Lambda throttled ${task}: its reserved concurrency ` +
        `(reservedConcurrency in the config) or the account's is used up`,
      fn.metricThrottles(minute),
    );
  }

  // ---- Route guard: findings standing for two passes in a row (one pass can fall in the middle of a hand edit) ---
  for (const group of props.guard?.groups ?? []) {
    add(
      `GuardFindingsAlarm-${group}`,
      `guard-${group}`,
      `the route guard finds routes of group ${group} that break ` +
        `the route-table invariant (route-failover status shows them)`,
      new Metric({
        namespace: GUARD_NAMESPACE,
        metricName: GUARD_METRICS.findings,
        dimensionsMap: { Group: group },
        statistic: 'Minimum',
        period: Duration.minutes(props.guard!.intervalMinutes),
      }),
      { evaluationPeriods: 2, datapointsToAlarm: 2 },
    );
  }

  // ---- Trigger dead letters ----------------------------------------------------------------------------------
  // A message here is a failover that did not start. CloudWatch notifies on state changes only, so an alarm
  // that stays in ALARM while messages remain says so once. Two alarms, then: one as soon as a message arrives,
  // and a reminder when the oldest message is an hour old (the trigger's maxEventAge: the failover it asked for
  // is overdue, someone must start it by hand). A metric-math alarm that flips back and forth to re-notify every
  // period would teach people to ignore it. Missing data keeps the state (IGNORE): SQS stops publishing the
  // metrics of a queue that has been idle for a while, and that silence must not turn a queue that still holds
  // messages to OK; a drained queue publishes 0 and turns the alarms OK (and notifies).
  const dlq = props.deadLetterQueue;
  add(
    'TriggerDeadLetterAlarm',
    'trigger-dead-letters',
    'an EventBridge trigger could not start the state machine ' +
      '(see the DLQ): that failover did not run; start it by hand',
    dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    {
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.IGNORE,
    },
  );
  add(
    'TriggerDeadLetterReminder',
    'trigger-dead-letters-unhandled',
    'a trigger has been in the DLQ for an hour: the failover it ' +
      'asked for never ran; start it by hand, then delete the message',
    dlq.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(5), statistic: 'Maximum' }),
    { threshold: DEAD_LETTER_REMINDER_SECONDS, treatMissingData: TreatMissingData.IGNORE },
  );

  allowAlarmsToPublish(scope, {
    topic: props.topic,
    topicKey: props.topicKey,
    topicName: props.topicName,
    alarmNames: names,
  });
  return alarms;
};

type AlarmOptions = ConstructorParameters<typeof Alarm>[2];

// AcquireLease no longer fails while it waits for a busy lease (it answers waitSeconds and the WaitForLease
// state waits), so one error of any function is worth a message.
const errorsDescription = (task: string): string =>
  task === 'InventoryRefresh'
    ? 'the scheduled member inventory refresh failed: a failover ' +
      'of a router that is gone may miss its routes (check its logs)'
    : task === 'Guard'
      ? 'the route guard failed a pass: a group could not be read, stored ' +
        'or notified, and its routes went unchecked (check its logs)'
      : task === 'TwinReconcile'
        ? 'the twin reconcile failed: a twin that no longer mirrors its original is not used, so its tables fail ' +
          'over route by route (check its logs)'
        : `${task} returned errors (the state machine retries the ` +
          `transient ones; the execution's audit record says what happened)`;
