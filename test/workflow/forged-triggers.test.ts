import { StaticAlarms, statusCheckAlarmName } from '../../functions/domain/alarms';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { isLocalExecutionRunning, runExecution } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { instanceStateEvent } from '../../cli/local/events';
import { estate, recordOf, tally } from '../../bench/false-success';
import { ec2StateEvent, routeTargets, statusCheckAlarmEvent } from './events';

/**
 * Inputs shaped like AWS events, handed to the workflow by someone allowed to start it (the README gives that
 * right to keepalived routers): the workflow confirms each claim with EC2 or CloudWatch before any write.
 */

const GROUP = 'onprem-edge';

const setup = () => {
  const sim = new SimulatedVpc({ seed: 31 });
  const s = buildRouterPair(sim, { routeTables: 3, groupName: GROUP });
  const alarms = new StaticAlarms()
    .set(statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-a'), 'OK', s.routerA.instanceId)
    .set(statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-b'), 'OK', s.routerB.instanceId);
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config: parseConfig(s.config),
    topicArn: sim.createTopic('route-failover'),
    store: new InMemoryGroupStateStore(),
    alarms,
    isExecutionRunning: isLocalExecutionRunning,
    sleep: async () => undefined,
    recheckDelaysMs: [0],
  });
  const run = (input: unknown) =>
    runExecution({ handlers: handlers as never, input, retryIntervalMs: 0, waitTimeMs: { WaitForLease: 5 } });
  return { sim, s, alarms, run };
};

const ec2Event = (instanceId: string, state: string) => ec2StateEvent(instanceId, state);
const alarmEvent = (instanceId: string, member: string, time?: string) =>
  statusCheckAlarmEvent({ group: GROUP, member, instanceId, time });
const targets = routeTargets;

describe('forged triggers change nothing', () => {
  it(`a forged ALARM for the healthy active router, dated 2099: \
nothing moves, warned; a real stop afterwards still fails over`, async () => {
    const { sim, s, run } = setup();
    const before = targets(sim.routeTables());

    const forged = await run(alarmEvent(s.routerA.instanceId, 'router-a', '2099-01-01T00:00:00Z'));

    expect(forged.status).toBe('SUCCEEDED');
    expect(forged.output).toMatchObject({ outcome: 'noop' });
    expect((forged.output as any).summary).toMatch(/event not confirmed: CloudWatch shows alarm .* in OK now/);
    expect(sim.published.at(-1)?.MessageAttributes?.severity?.StringValue).toBe('warning');
    expect(targets(sim.routeTables())).toEqual(before);
    expect(sim.mutatingCalls()).toHaveLength(0);

    sim.setInstanceState(s.routerA.instanceId, 'stopping');
    const real = await run(ec2Event(s.routerA.instanceId, 'stopping'));
    expect(real.output).toMatchObject({ outcome: 'succeeded' });
    expect((real.output as any).counts.moved).toBe(s.expectedMoves.length);
  });

  it(`a forged "stopping" for a running router: nothing moves; \
a forged ALARM naming another stack's alarm: nothing moves`, async () => {
    const { sim, s, run } = setup();
    const before = targets(sim.routeTables());

    const stop = await run(ec2Event(s.routerA.instanceId, 'stopping'));
    const foreign = await run({
      ...alarmEvent(s.routerA.instanceId, 'router-a'),
      detail: {
        ...alarmEvent(s.routerA.instanceId, 'router-a').detail,
        alarmName: 'OtherStack-onprem-edge-router-a-status-check',
      },
    });

    for (const r of [stop, foreign]) expect(r.output).toMatchObject({ outcome: 'noop' });
    expect((stop.output as any).summary).toMatch(
      /event not confirmed: router-a .* reported stopping but is running now/,
    );
    expect((foreign.output as any).summary).toMatch(/is not this stack's status-check alarm/);
    expect(targets(sim.routeTables())).toEqual(before);
    expect(sim.mutatingCalls()).toHaveLength(0);
  });

  it('a real ALARM (CloudWatch agrees) fails over', async () => {
    const { sim, s, alarms, run } = setup();
    alarms.set(statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-a'), 'ALARM', s.routerA.instanceId);
    const r = await run(alarmEvent(s.routerA.instanceId, 'router-a'));
    expect(r.output).toMatchObject({ outcome: 'succeeded' });
    expect(sim.mutatingCalls().length).toBe(s.expectedMoves.length);
  });
});

describe('a throttled describe never confirms a forged event (found by the soak: D1)', () => {
  it(`the group-wide DescribeInstances fails once and the active member's own describe is throttled once: retried, \
never taken for "cannot be described"`, async () => {
    const e = estate();
    const { sim, scenario } = e;
    await e.refresh();
    sim.injectFault({
      action: 'DescribeInstances',
      code: 'InternalError',
      times: 1,
      when: (input) => (input.InstanceIds as string[] | undefined)?.length === 2,
    });
    sim.injectFault({
      action: 'DescribeInstances',
      code: 'RequestLimitExceeded',
      times: 1,
      when: (input) => JSON.stringify(input.InstanceIds) === JSON.stringify([scenario.routerA.instanceId]),
    });
    const before = tally(sim, scenario.expectedMoves);

    // router-a is running and healthy: a "stopping" event about it is forged.
    const r = await e.run(instanceStateEvent(scenario.routerA.instanceId, 'stopping', 'evt-forged-throttled'));

    expect(recordOf(r).outcome).toBe('noop');
    expect(recordOf(r).summary).toMatch(/event not confirmed: router-a .* is running now/);
    expect(tally(sim, scenario.expectedMoves)).toEqual(before);
    expect(sim.calls.filter((c) => c.action === 'ReplaceRoute')).toEqual([]);
  });

  it(`the member itself cannot be described (two 5xx answers): its \
routes read active, so it runs and the forged event is refused`, async () => {
    const e = estate();
    const { sim, scenario } = e;
    await e.refresh();
    sim.injectFault({ action: 'DescribeInstances', code: 'InternalError', times: 2 });
    const before = tally(sim, scenario.expectedMoves);

    const r = await e.run(instanceStateEvent(scenario.routerA.instanceId, 'stopping', 'evt-forged-5xx'));

    // Before: `succeeded`, every route moved off the healthy active router ("cannot be described" confirmed the event).
    expect(recordOf(r).outcome).toBe('noop');
    expect(recordOf(r).summary).toMatch(
      /EC2 cannot describe it now \(InternalError\), but \d+ route\(s\) to its interfaces read active/,
    );
    expect(tally(sim, scenario.expectedMoves)).toEqual(before);
  });

  it(`control: the router really stopped in an impaired Availability Zone: \
its routes read blackhole, the event stands and every route moves`, async () => {
    const e = estate();
    const { sim, scenario } = e;
    sim.impairAvailabilityZone(`${sim.region}a`);

    const r = await e.run(e.fail('stopped'));

    expect(recordOf(r).outcome).toBe('succeeded');
    expect(tally(sim, scenario.expectedMoves).onFailed).toBe(0);
  });
});
