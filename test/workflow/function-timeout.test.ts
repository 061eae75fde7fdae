import { createTaskHandlers } from '../../cli/local/task-handlers';
import { parseConfig } from '../../functions/contract/config';
import { functionTimedOut, runExecution } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';

/**
 * A Lambda function that runs out of time reaches Step Functions as Sandbox.Timedout (Lambda.Unknown on older
 * runtimes), never as States.Timeout (each Task's TimeoutSeconds is above its function's timeout): the
 * definition must retry those on every idempotent Task.
 */
const setup = () => {
  const sim = new SimulatedVpc({ seed: 17 });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
  const config = parseConfig(scenario.config);
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn: sim.createTopic('t'),
    sleep: async () => undefined,
    recheckDelaysMs: [0],
  });
  return { sim, scenario, handlers };
};

const request = {
  action: 'switchover',
  group: 'onprem-edge',
  to: 'router-b',
  requestedBy: 'netops',
  reason: 'maintenance',
};

describe('a function timeout, run locally', () => {
  it('one batch times out once (a hung EC2 call): the retry moves its routes and the run succeeds', async () => {
    const { sim, scenario, handlers } = setup();
    // The first ReplaceRoute of the second table never answers; the in-process client has no request
    // timeout, so only the function timeout ends that invocation.
    const slowTable = scenario.routeTableIds[1];
    sim.injectFault({ action: 'ReplaceRoute', hang: true, times: 1, when: (i) => i.RouteTableId === slowTable });

    const result = await runExecution({
      handlers: handlers as never,
      input: request,
      retryIntervalMs: 0,
      functionTimeoutMs: { SwitchItems: 200 },
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      outcome: 'succeeded',
      counts: { planned: scenario.expectedMoves.length, failed: 0, mismatches: 0 },
    });
    for (const m of scenario.expectedMoves)
      expect(sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.toEni);
    // The event log shows the timeout and the retry that matched it, on that batch only.
    const failed = result.events.filter((e) => e.type === 'StateFailed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ Error: 'Sandbox.Timedout', state: { name: 'SwitchItems' } });
    expect(JSON.parse(failed[0].Cause)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Task timed out after 0\.20 seconds$/),
    });
    const retried = result.events.filter((e) => e.type === 'StateRetried');
    expect(retried).toHaveLength(1);
    expect(retried[0]).toMatchObject({ state: { name: 'SwitchItems' }, index: failed[0].index, retry: { attempt: 1 } });
    expect(retried[0].retry.retrier.ErrorEquals).toEqual(['Lambda.Unknown', 'Sandbox.Timedout']);
  });

  it('a timeout that repeats is retried twice, then caught: the batch is reported, not lost', async () => {
    const { sim, scenario, handlers } = setup();
    const slowTable = scenario.routeTableIds[0];
    sim.injectFault({ action: 'ReplaceRoute', hang: true, when: (i) => i.RouteTableId === slowTable });

    const result = await runExecution({
      handlers: handlers as never,
      input: request,
      retryIntervalMs: 0,
      functionTimeoutMs: { SwitchItems: 100 },
    });

    expect(result.events.filter((e) => e.type === 'StateRetried' && e.state?.name === 'SwitchItems')).toHaveLength(2);
    expect(result.status).toBe('FAILED');
    expect(result.auditRecord).toMatchObject({ outcome: 'partial', error: 'RoutesNotSwitched' });
    const slow = (result.auditRecord!.routes as any[]).filter((r) => r.routeTableId === slowTable);
    expect(slow.length).toBeGreaterThan(0);
    for (const r of slow)
      expect(r).toMatchObject({ status: 'failed', error: expect.stringContaining('Sandbox.Timedout') });
  });

  it(`every Task retries a function timeout and \
Lambda.ClientExecutionTimeoutException; none relies on States.Timeout`, () => {
    const definition = require('../../statemachine/failover.asl.json');
    const tasks: Array<[string, any]> = [];
    const walk = (states: Record<string, any>) => {
      for (const [name, s] of Object.entries(states)) {
        if (s.Type === 'Task') tasks.push([name, s]);
        if (s.ItemProcessor?.States) walk(s.ItemProcessor.States);
      }
    };
    walk(definition.States);
    expect(tasks.map(([n]) => n).sort()).toEqual([
      'AcquireLease',
      'FirstWrite',
      'Notify',
      'PlanSwitch',
      'RecordWithoutNotification',
      'ReleaseLease',
      'ReleaseLeaseUnrecorded',
      'ResolveTargets',
      'SwitchItems',
      'VerifySwitch',
    ]);
    // FirstWrite retries nothing: whatever stops it (a timeout included), the full path follows at once.
    const first = tasks.find(([n]) => n === 'FirstWrite')![1];
    expect(first.Retry).toBeUndefined();
    expect(first.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.firstWrite', Next: 'PlanSwitch' }]);
    for (const [name, s] of tasks.filter(([n]) => n !== 'FirstWrite')) {
      const errors = (s.Retry as any[]).flatMap((r) => r.ErrorEquals);
      expect({
        name,
        timeouts: ['Lambda.Unknown', 'Sandbox.Timedout', 'Lambda.ClientExecutionTimeoutException'].every((e) =>
          errors.includes(e),
        ),
      }).toEqual({ name, timeouts: true });
      expect({ name, statesTimeout: errors.includes('States.Timeout') }).toEqual({ name, statesTimeout: false });
    }
  });

  it('rejects a timeout for a state that is not a Task', async () => {
    const { handlers } = setup();
    await expect(
      runExecution({ handlers: handlers as never, input: request, functionTimeoutMs: { ReplaceRoute: 1 } }),
    ).rejects.toThrow('functionTimeoutMs names no Task state: ReplaceRoute');
  });

  it("reports Lambda's Error and Cause for a timed-out function", () => {
    const e = functionTimedOut(120_000);
    expect(e.name).toBe('Sandbox.Timedout');
    expect(JSON.parse(e.message).errorMessage).toMatch(/ Error: Task timed out after 120\.00 seconds$/);
  });
});
