import { loadDefinition, runExecution, taskStateNames } from '../../cli/local/local-runner';
import { STATE_PAYLOAD_LIMIT } from '../../functions/contract/state-size';

/**
 * The local runner holds statemachine/failover.asl.json to Step Functions' 262,144 bytes per payload, and an
 * oversized payload ends the execution with States.DataLimitExceeded that no Catch handles, States.ALL
 * included (cli/local/payload-limit.ts, sim/FIDELITY.md). Plain stub handlers: what is tested is the runner.
 */
const pad = (bytes: number) => 'x'.repeat(bytes);

const stubs = (over: Record<string, (input: any) => unknown> = {}) => {
  const calls: Record<string, number> = {};
  const base: Record<string, (input: any) => unknown> = {
    AcquireLease: () => ({ held: true, group: 'g' }),
    ResolveTargets: () => ({
      action: 'failover',
      group: { name: 'g', vpcId: 'vpc-1' },
      pairs: [],
      targetEnis: [],
      dryRun: false,
      maxConcurrency: 2,
    }),
    PlanSwitch: () => ({
      batches: [{ id: 0, routeTableId: 'rtb-1', routes: [{ d: '10.0.0.0/24', p: 0 }] }],
      listedAt: '2026-01-01T00:00:00.000Z',
    }),
    SwitchItems: () => ({ id: 0, usual: 'replaced', exceptions: [] }),
    VerifySwitch: () => ({ ok: true }),
    Notify: () => ({ outcome: 'succeeded' }),
    ReleaseLease: () => ({}),
  };
  const handlers = Object.fromEntries(
    taskStateNames(loadDefinition()).map((t) => [
      t,
      async (input: unknown) => {
        calls[t] = (calls[t] ?? 0) + 1;
        return (over[t] ?? base[t] ?? (() => ({})))(input);
      },
    ]),
  );
  return { handlers, calls };
};

const run = (handlers: Record<string, (input: unknown) => Promise<unknown>>) =>
  runExecution({ handlers, input: { action: 'switchover', group: 'g', to: 'b' }, retryIntervalMs: 0 });

const entered = (events: Array<Record<string, any>>, state: string) =>
  events.some((e) => e.type === 'StateEntered' && e.state?.name === state);

describe('local runner: Step Functions payload limit (262,144 bytes, States.DataLimitExceeded)', () => {
  it('a Task result over the limit ends the run uncaught, though the state catches States.ALL', async () => {
    // PlanSwitch' Catch has States.ALL → Notify: on AWS it does not apply to States.DataLimitExceeded.
    const { handlers, calls } = stubs({ PlanSwitch: () => ({ batches: [], blob: pad(STATE_PAYLOAD_LIMIT) }) });

    const r = await run(handlers);

    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('States.DataLimitExceeded');
    expect(r.cause).toMatch(/^the result of Task PlanSwitch is 26\d{4} bytes: Step Functions allows 262144 bytes/);
    expect(r.events.filter((e) => e.type === 'StateCaught' || e.type === 'StateRetried')).toEqual([]);
    expect(entered(r.events, 'Notify')).toBe(false);
    expect(calls.SwitchItems).toBeUndefined();
    expect(calls.ReleaseLease).toBeUndefined();
  });

  it('an execution input over the limit fails as the first state receives it, before any Task runs', async () => {
    // The quota covers "input data when ... starting an execution": on AWS nothing of it runs either.
    const { handlers, calls } = stubs();

    const r = await runExecution({
      handlers,
      input: { action: 'switchover', group: 'g', to: 'b', reason: pad(STATE_PAYLOAD_LIMIT) },
    });

    expect(r.error).toBe('States.DataLimitExceeded');
    expect(r.cause).toMatch(/^the input of state ReceiveInput is /);
    expect(calls).toEqual({});
  });

  it(`a ResultPath merge over the limit fails at the \
state that grew it, before the Map that writes starts`, async () => {
    // Each part fits (150 KB of state, 150 KB of plan); PlanSwitch' output (state + plan) does not.
    const { handlers, calls } = stubs({
      ResolveTargets: () => ({
        action: 'failover',
        group: { name: 'g', vpcId: 'vpc-1' },
        pairs: [],
        targetEnis: [],
        dryRun: false,
        maxConcurrency: 2,
        warnings: [pad(150_000)],
      }),
      PlanSwitch: () => ({
        batches: [{ id: 0, routeTableId: 'rtb-1', routes: [{ d: '10.0.0.0/24', p: 0 }] }],
        blob: pad(150_000),
      }),
    });

    const r = await run(handlers);

    expect(r.error).toBe('States.DataLimitExceeded');
    expect(r.cause).toMatch(/^the output of state PlanSwitch is 30\d{4} bytes/);
    expect(entered(r.events, 'SwitchBatches')).toBe(false);
    expect(calls.SwitchItems).toBeUndefined();
    expect(calls.Notify).toBeUndefined();
  });

  it(`a Map iteration over the limit fails the execution through \
the iteration Catch and the Map Catch (both States.ALL)`, async () => {
    const { handlers, calls } = stubs({ SwitchItems: () => ({ id: 0, blob: pad(STATE_PAYLOAD_LIMIT) }) });

    const r = await run(handlers);

    expect(r.error).toBe('States.DataLimitExceeded');
    expect(r.cause).toMatch(/^the result of Task SwitchItems is /);
    expect(entered(r.events, 'RecordBatchFailure')).toBe(false);
    expect(calls.VerifySwitch).toBeUndefined();
    expect(calls.Notify).toBeUndefined();
  });

  it(`a state output of exactly the limit passes; a Task input \
over it after Parameters is refused before the function runs`, async () => {
    // Measure VerifySwitch' output once, then grow its result so that the output is exactly the limit: Notify's
    // Parameters wrap that whole state with the execution's id, name and start time, which is too much.
    const probe = stubs({ VerifySwitch: () => ({ ok: true, blob: '' }) });
    const first = await run(probe.handlers);
    const exit = first.events.find((e) => e.type === 'StateExited' && e.state?.name === 'VerifySwitch')!;
    const grow = STATE_PAYLOAD_LIMIT - Buffer.byteLength(JSON.stringify(exit.state.output));
    const { handlers, calls } = stubs({ VerifySwitch: () => ({ ok: true, blob: pad(grow) }) });

    const r = await run(handlers);

    const out = r.events.find((e) => e.type === 'StateExited' && e.state?.name === 'VerifySwitch')!;
    expect(Buffer.byteLength(JSON.stringify(out.state.output))).toBe(STATE_PAYLOAD_LIMIT);
    expect(r.error).toBe('States.DataLimitExceeded');
    expect(r.cause).toMatch(/^the input of Task Notify is 262\d{3} bytes/);
    expect(calls.Notify).toBeUndefined();
    expect(entered(r.events, 'RecordWithoutNotification')).toBe(false);
  });
});
