import { weighExecution } from '../../bench/step-functions';

const ev = (type: string, name?: string, stateType?: string, extra: Record<string, unknown> = {}) => ({
  type,
  ...(name ? { state: { name, type: stateType, input: extra.input, output: extra.output } } : {}),
  ...(extra.index !== undefined ? { index: extra.index } : {}),
});

describe('Step Functions weight of a local event log', () => {
  it("measures each state's largest input and output in UTF-8 bytes and flags the 256 KiB quota", () => {
    const big = { text: 'é'.repeat(140 * 1024) }; // 2 bytes per character
    const w = weighExecution([
      ev('StateEntered', 'PlanSwitch', 'Task', { input: { a: 1 } }),
      ev('StateExited', 'PlanSwitch', 'Task', { input: { a: 1 }, output: big }),
    ]);
    expect(w.states).toEqual([
      { state: 'PlanSwitch', inMap: false, entered: 1, maxInputBytes: 7, maxOutputBytes: 140 * 1024 * 2 + 11 },
    ]);
    expect(w.largest).toEqual({ state: 'PlanSwitch', bytes: 140 * 1024 * 2 + 11, what: 'output' });
    expect(w.overPayloadLimit.map((s) => s.state)).toEqual(['PlanSwitch']);
  });
});
