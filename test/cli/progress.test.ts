import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { HistoryTracker } from '../../cli/route-failover/progress';

/** --wait's reading of a caught error: the failed state is shown once, as failed, never as done. */

const t0 = new Date('2026-11-25T14:30:00Z').getTime();
const at = (ms: number) => new Date(t0 + ms);
const lambdaCause = JSON.stringify({
  errorType: 'UnknownGroupError',
  errorMessage: 'unknown group "nope" (configured: onprem-edge)',
});

/**
 * A Task that fails and is caught; with or without the Task's exit event between the failure
 * and the Catch's next state.
 */
const caughtHistory = (withExit: boolean): HistoryEvent[] => {
  const events: HistoryEvent[] = [
    {
      id: 1,
      previousEventId: 0,
      timestamp: at(0),
      type: 'ExecutionStarted',
      executionStartedEventDetails: { input: '{}' },
    },
    {
      id: 2,
      previousEventId: 1,
      timestamp: at(1),
      type: 'TaskStateEntered',
      stateEnteredEventDetails: { name: 'AcquireLease', input: '{}' },
    },
    {
      id: 3,
      previousEventId: 2,
      timestamp: at(1),
      type: 'LambdaFunctionScheduled',
      lambdaFunctionScheduledEventDetails: {
        resource: 'arn:aws:lambda:us-east-1:000000000000:function:f',
        input: '{}',
      },
    },
    { id: 4, previousEventId: 3, timestamp: at(2), type: 'LambdaFunctionStarted' },
    {
      id: 5,
      previousEventId: 4,
      timestamp: at(40),
      type: 'LambdaFunctionFailed',
      lambdaFunctionFailedEventDetails: { error: 'UnknownGroupError', cause: lambdaCause },
    },
  ];
  if (withExit)
    events.push({
      id: 6,
      previousEventId: 5,
      timestamp: at(41),
      type: 'TaskStateExited',
      stateExitedEventDetails: { name: 'AcquireLease', output: '{"error":{}}' },
    });
  const last = events[events.length - 1].id!;
  events.push({
    id: last + 1,
    previousEventId: last,
    timestamp: at(42),
    type: 'PassStateEntered',
    stateEnteredEventDetails: { name: 'AcquireFailed', input: '{}' },
  });
  return events;
};

describe.each([true, false])('a caught Task (exit event in the history: %s)', (withExit) => {
  it('is one ✗ line with the error, where the Catch went and the cause; no ✓, no "undefined"', () => {
    const lines: string[] = [];
    const tracker = new HistoryTracker((l) => lines.push(l));

    tracker.consume(caughtHistory(withExit));

    expect(lines).toEqual([
      '  → AcquireLease',
      `  ✗ AcquireLease (39 ms): UnknownGroupError (caught → ` +
        `AcquireFailed): unknown group "nope" (configured: onprem-edge)`,
      '  → AcquireFailed',
    ]);
    expect(tracker.caught).toHaveLength(1);
    expect(tracker.currentState).toBe('AcquireFailed');
  });
});
