import { estimateHistoryEvents, weighExecution } from '../../bench/step-functions';

const ev = (type: string, name?: string, stateType?: string, extra: Record<string, unknown> = {}) => ({
  type,
  ...(name ? { state: { name, type: stateType, input: extra.input, output: extra.output } } : {}),
  ...(extra.index !== undefined ? { index: extra.index } : {}),
});

describe('Step Functions weight of a local event log', () => {
  it('estimates history events per Lambda attempt, retry and catch', () => {
    const events = [
      ev('ExecutionStarted'),
      ev('StateEntered', 'Task', 'Task'), // TaskStateEntered + Scheduled + Started
      ev('StateFailed', 'Task', 'Task'), // LambdaFunctionFailed
      ev('StateRetried', 'Task', 'Task'), // Scheduled + Started
      ev('StateExited', 'Task', 'Task'), // LambdaFunctionSucceeded + TaskStateExited
      ev('StateEntered', 'Map', 'Map'), // MapStateEntered + MapStateStarted
      ev('MapIterationStarted'),
      ev('StateEntered', 'Item', 'Task', { index: 0 }),
      ev('StateFailed', 'Item', 'Task', { index: 0 }),
      ev('StateCaught', 'Item', 'Task', { index: 0 }),
      ev('StateExited', 'Item', 'Task', { index: 0 }),
      ev('StateEntered', 'Record', 'Pass', { index: 0 }),
      ev('StateExited', 'Record', 'Pass', { index: 0 }),
      ev('MapIterationSucceeded'),
      ev('StateExited', 'Map', 'Map'), // MapStateSucceeded + MapStateExited
      ev('ExecutionSucceeded'),
    ];
    // 1 + (3+1+2+2) + 2 + 1 + (3+1-1+2) + (1+1) + 1 + 2 + 1
    expect(estimateHistoryEvents(events)).toBe(1 + 8 + 2 + 1 + 5 + 2 + 1 + 2 + 1);
  });

  it('measures each state\'s largest input and output in UTF-8 bytes and flags the 256 KiB quota', () => {
    const big = { text: 'é'.repeat(140 * 1024) }; // 2 bytes per character
    const w = weighExecution([
      ev('StateEntered', 'ListRoutes', 'Task', { input: { a: 1 } }),
      ev('StateExited', 'ListRoutes', 'Task', { input: { a: 1 }, output: big }),
    ]);
    expect(w.states).toEqual([{ state: 'ListRoutes', inMap: false, entered: 1, maxInputBytes: 7, maxOutputBytes: 140 * 1024 * 2 + 11 }]);
    expect(w.largest).toEqual({ state: 'ListRoutes', bytes: 140 * 1024 * 2 + 11, what: 'output' });
    expect(w.overPayloadLimit.map((s) => s.state)).toEqual(['ListRoutes']);
  });
});
