import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { isLocalExecutionRunning, runExecution, type RunResult } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import type { StatusCheck } from '../../sim';
import { ec2StateEvent } from './events';

/**
 * A standby whose EC2 status checks have not settled (just started: `initializing`, then `insufficient-data`
 * or nothing reported, for minutes) when its peer fails. The ASL run locally: ResolveTargets is retried while
 * the checks settle (the definition's Retry, with no wait between attempts here), then the routes move; or the
 * checks never settle and the run fails by name, notified, with nothing written.
 */

const GROUP = 'onprem-edge';

const setup = () => {
  const sim = new SimulatedVpc({ seed: 17, latencyMs: 0 });
  const scenario = buildRouterPair(sim, { routeTables: 2, groupName: GROUP });
  const config = parseConfig(scenario.config);
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn: sim.createTopic('route-failover'),
    store: new InMemoryGroupStateStore(),
    isExecutionRunning: isLocalExecutionRunning,
    sleep: async () => undefined,
    recheckDelaysMs: [0],
  });
  let resolveCalls = 0;
  /** Runs the workflow; `beforeResolve(n)` runs before the n-th ResolveTargets attempt (1-based). */
  const run = (input: unknown, beforeResolve: (n: number) => void = () => undefined): Promise<RunResult> =>
    runExecution({
      handlers: {
        ...handlers,
        ResolveTargets: async (i: unknown) => {
          beforeResolve(++resolveCalls);
          return handlers.ResolveTargets(i);
        },
      } as never,
      input,
      retryIntervalMs: 0,
    });
  /** How many of the scenario's expected moves are on router-b now. */
  const onB = () => {
    const now = new Map<string, string | undefined>();
    for (const t of sim.routeTables())
      for (const r of t.Routes ?? []) {
        const d = routeDestination(r);
        if (d) now.set(routeKey(t.RouteTableId!, d), routeTarget(r));
      }
    return scenario.expectedMoves.filter((m) => now.get(routeKey(m.routeTableId, m.destination)) === m.toEni).length;
  };
  return { sim, scenario, run, onB, attempts: () => resolveCalls };
};

const record = (r: RunResult): any => r.output ?? r.auditRecord;
const retries = (r: RunResult) =>
  r.events.filter((e) => e.type === 'StateRetried' && e.state?.name === 'ResolveTargets').length;

describe('a standby whose status checks are still settling', () => {
  it.each<[StatusCheck, 'instance' | 'system' | 'both']>([
    ['initializing', 'both'],
    ['insufficient-data', 'instance'],
  ])(
    'checks %s (%s) that become ok during the retries: the routes move and the run succeeds',
    async (status, check) => {
      const { sim, scenario, run, onB, attempts } = setup();
      sim.setInstanceStatusCheck(scenario.routerB.instanceId, status, check);
      sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
      const from = sim.mutatingCalls().length;

      // EC2 settles the checks before the third attempt.
      const r = await run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'), (n) => {
        if (n === 3) sim.setInstanceStatusCheck(scenario.routerB.instanceId, 'ok', 'both');
        // Nothing may be written while the target has not passed the gate.
        if (n <= 3) expect(sim.mutatingCalls().length).toBe(from);
      });

      expect(record(r)).toMatchObject({ outcome: 'succeeded', verification: { ok: true } });
      expect(attempts()).toBe(3);
      expect(retries(r)).toBe(2);
      expect(onB()).toBe(scenario.expectedMoves.length);
      expect(
        sim
          .mutatingCalls()
          .slice(from)
          .every((c) => c.action === 'ReplaceRoute'),
      ).toBe(true);
    },
  );

  it(`checks that stay insufficient-data: after every retry the run fails by name, notified, naming the target and its \
checks; nothing is written`, async () => {
    const { sim, scenario, run, onB, attempts } = setup();
    sim.setInstanceStatusCheck(scenario.routerB.instanceId, 'insufficient-data', 'both');
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
    const from = sim.mutatingCalls().length;

    const r = await run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'));

    expect(r.status).toBe('FAILED');
    expect(record(r)).toMatchObject({ outcome: 'failed', error: 'TargetStatusPendingError', group: GROUP });
    expect(record(r).outcome).not.toMatch(/^(noop|succeeded)$/);
    expect(record(r).cause).toContain(
      `router-b (${scenario.routerB.instanceId}) is running but its instance status check is insufficient-data, ` +
        `system status check is insufficient-data`,
    );
    // The definition's MaxAttempts: 7 retries after the first attempt.
    expect(attempts()).toBe(8);
    expect(retries(r)).toBe(7);
    expect(sim.mutatingCalls().slice(from)).toEqual([]);
    expect(onB()).toBe(0);
    const published = sim.published.at(-1)!;
    expect(published.Subject).toMatch(/FAILED.*TargetStatusPendingError/);
    expect(published.Message).toContain(scenario.routerB.instanceId);
    expect(published.MessageAttributes?.severity?.StringValue).toBe('critical');
  });

  it('a manual switchover to a target whose checks stay initializing fails the same way', async () => {
    const { sim, scenario, run, attempts } = setup();
    sim.setInstanceStatusCheck(scenario.routerB.instanceId, 'initializing', 'system');
    const from = sim.mutatingCalls().length;

    const r = await run({
      action: 'switchover',
      group: GROUP,
      to: 'router-b',
      reason: 'patching router-a',
      requestedBy: 'netops',
    });

    expect(record(r)).toMatchObject({ outcome: 'failed', error: 'TargetStatusPendingError' });
    expect(record(r).cause).toContain('target router-b');
    expect(record(r).cause).toContain('system status check is initializing');
    expect(attempts()).toBe(8);
    expect(sim.mutatingCalls().slice(from)).toEqual([]);
  });

  it('control: a check that failed (impaired) is not waited for: TargetUnhealthyError at once', async () => {
    const { sim, scenario, run, attempts } = setup();
    sim.setInstanceStatusCheck(scenario.routerB.instanceId, 'impaired', 'instance');
    sim.setInstanceStatusCheck(scenario.routerB.instanceId, 'initializing', 'system');
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

    const r = await run(ec2StateEvent(scenario.routerA.instanceId, 'stopped'));

    expect(record(r)).toMatchObject({ outcome: 'failed', error: 'TargetUnhealthyError' });
    expect(attempts()).toBe(1);
  });
});
