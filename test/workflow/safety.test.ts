import { ReplaceRouteCommand, type RouteTable } from '@aws-sdk/client-ec2';
import { parseConfig } from '../../functions/contract/config';
import { StaticAlarms, statusCheckAlarmName } from '../../functions/domain/alarms';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { destinationParams, routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { isLocalExecutionRunning, runExecution, type RunResult } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { ec2StateEvent } from './events';

/**
 * Never fail over into a worse state: one writer per group, duplicate and stale events, flap damping,
 * the health gate, partial failure and re-run, and a catalogue of bad inputs. The real ASL runs locally
 * against the simulated VPC; route tables are compared before and after.
 */

let eventSeq = 0;
/** Event times relative to now: the stale-event guard compares them with execution start times. */
const iso = (offsetSeconds = 0) => new Date(Date.now() + offsetSeconds * 1000).toISOString();
const ec2Event = (instanceId: string, state: string, time = iso(), id = `evt-${++eventSeq}`) =>
  ec2StateEvent(instanceId, state, time, id);

/** Member name by instance ID, for the stack's alarm names (filled by setup). */
const memberNames = new Map<string, string>();
const memberOf = (instanceId: string): string => memberNames.get(instanceId) ?? 'unknown';

const alarmEvent = (instanceId: string, value: string, time = iso(), id = `alarm-${++eventSeq}`) => ({
  version: '0',
  id,
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: '123456789012',
  time,
  region: 'us-east-1',
  resources: [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:route-failover-onprem-edge-x-status-check`],
  detail: {
    alarmName: `VpcRouteFailover-onprem-edge-${memberOf(instanceId)}-status-check`,
    state: { value, reason: 'Threshold Crossed', timestamp: time },
    previousState: { value: 'OK' },
    configuration: {
      metrics: [
        {
          id: 'm1',
          metricStat: {
            metric: { namespace: 'AWS/EC2', name: 'StatusCheckFailed', dimensions: { InstanceId: instanceId } },
            period: 60,
            stat: 'Maximum',
          },
          returnData: true,
        },
      ],
    },
  },
});

const setup = (opts: { latencyMs?: number; config?: (c: any) => any; sharedStore?: boolean } = {}) => {
  const sim = new SimulatedVpc({ seed: 3, latencyMs: opts.latencyMs ?? 0 });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
  const config = parseConfig(opts.config ? opts.config(structuredClone(scenario.config)) : scenario.config);
  const topicArn = sim.createTopic('route-failover');
  const store = new InMemoryGroupStateStore();
  memberNames.set(scenario.routerA.instanceId, 'router-a');
  memberNames.set(scenario.routerB.instanceId, 'router-b');
  // Both members' status checks are failing in CloudWatch: the alarm events these tests send are real ones.
  const alarms = new StaticAlarms()
    .set(statusCheckAlarmName('VpcRouteFailover', 'onprem-edge', 'router-a'), 'ALARM', scenario.routerA.instanceId)
    .set(statusCheckAlarmName('VpcRouteFailover', 'onprem-edge', 'router-b'), 'ALARM', scenario.routerB.instanceId);
  const handlers = () =>
    createTaskHandlers({
      ec2: sim.ec2(),
      sns: sim.sns(),
      config,
      topicArn,
      store: opts.sharedStore === false ? new InMemoryGroupStateStore() : store,
      isExecutionRunning: isLocalExecutionRunning,
      alarms,
      sleep: async () => undefined,
      recheckDelaysMs: [0],
    });
  // Waiting for a lease is real waiting: a short fixed interval, enough attempts to outlast one execution.
  const run = (input: unknown, name?: string): Promise<RunResult> =>
    runExecution({
      handlers: handlers() as never,
      input,
      executionName: name,
      retryIntervalMs: {
        AcquireLease: 0,
        SwitchItems: 0,
        ResolveTargets: 0,
        PlanSwitch: 0,
        VerifySwitch: 0,
        Notify: 0,
        ReleaseLease: 0,
      },
      waitTimeMs: { WaitForLease: 15 },
    });
  return { sim, scenario, config, store, run, alarms };
};

const targets = (tables: RouteTable[]): Map<string, string | undefined> => {
  const m = new Map<string, string | undefined>();
  for (const t of tables)
    for (const r of t.Routes ?? []) {
      const d = routeDestination(r);
      if (d) m.set(routeKey(t.RouteTableId!, d), routeTarget(r));
    }
  return m;
};

const replaceCalls = (sim: SimulatedVpc) => sim.calls.filter((c) => c.action === 'ReplaceRoute');
const outcomeOf = (r: RunResult): string | undefined => ((r.output as any) ?? r.auditRecord)?.outcome;

/** [first read of the route tables, last read-back] of one execution: the span in which it plans and writes. */
const writeWindow = (r: RunResult): [number, number] => {
  const start = r.events.find((e) => e.type === 'StateEntered' && e.state?.name === 'PlanSwitch')?.timestamp;
  const end = r.events.find((e) => e.type === 'StateExited' && e.state?.name === 'VerifySwitch')?.timestamp;
  if (start === undefined || end === undefined) throw new Error(`${r.executionArn} never planned or verified`);
  return [start, end];
};
const overlap = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];

describe('one writer per group', () => {
  it(`an alarm and an instance event for the same failure, run \
concurrently: one switches, the other waits, then finds it done`, async () => {
    const { sim, scenario, run, store } = setup({ latencyMs: 2 });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const [a, b] = await Promise.all([
      run(ec2Event(scenario.routerA.instanceId, 'stopping')),
      run(alarmEvent(scenario.routerA.instanceId, 'ALARM')),
    ]);

    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect([outcomeOf(a), outcomeOf(b)].sort()).toEqual(['noop', 'succeeded']);
    expect(overlap(writeWindow(a), writeWindow(b))).toBe(false);
    // The one that lost the race waited for the lease (each look visible in its history).
    const waited = [a, b].find((r) => outcomeOf(r) === 'noop')!;
    expect(waited.events.some((e) => e.type === 'StateEntered' && e.state?.name === 'WaitForLease')).toBe(true);
    expect(replaceCalls(sim)).toHaveLength(scenario.expectedMoves.length);
    expect(store.holder('onprem-edge')).toBeUndefined();
  });

  it(`control: without a shared lease the same two executions \
do write at the same time (the check above can fail)`, async () => {
    const { sim, scenario, run } = setup({ latencyMs: 2, sharedStore: false });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const [a, b] = await Promise.all([
      run(ec2Event(scenario.routerA.instanceId, 'stopping')),
      run(alarmEvent(scenario.routerA.instanceId, 'ALARM')),
    ]);

    expect(overlap(writeWindow(a), writeWindow(b))).toBe(true);
    expect(replaceCalls(sim).length).toBeGreaterThan(scenario.expectedMoves.length);
  });

  it('a manual switchover racing an automatic failover cannot move routes back onto the failed router', async () => {
    for (const manualFirst of [true, false]) {
      const { sim, scenario, run } = setup({ latencyMs: 1 });
      // Routes sit on router-b after a planned switchover; then router-b fails while an operator asks for router-a...
      // the other way round: operator asks to go back to router-b while router-b is failing.
      await run({ action: 'switchover', group: 'onprem-edge', to: 'router-b', requestedBy: 'netops' });
      sim.setInstanceState(scenario.routerB.instanceId, 'stopping');
      const manual = () =>
        run({ action: 'switchover', group: 'onprem-edge', to: 'router-b', requestedBy: 'netops', reason: 'stay on b' });
      const auto = () => run(ec2Event(scenario.routerB.instanceId, 'stopping'));
      const results = manualFirst
        ? await Promise.all([manual(), auto()])
        : (await Promise.all([auto(), manual()])).reverse();

      const after = targets(sim.routeTables());
      for (const m of scenario.expectedMoves)
        expect(after.get(routeKey(m.routeTableId, m.destination))).toBe(m.fromEni);
      expect(outcomeOf(results[1])).toBe('succeeded');
      // The manual request either ran first (routes were already on router-b: no-op) or after (router-b unhealthy).
      expect(['noop', 'failed']).toContain(outcomeOf(results[0]));
    }
  });

  it('a lease left by an execution that is no longer running is taken over at once', async () => {
    const { sim, scenario, run, store } = setup();
    await store.acquire(
      'onprem-edge',
      'arn:aws:states:us-east-1:000000000000:execution:vpc-route-failover:crashed',
      new Date(),
      900,
      async () => false,
    );
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'));

    expect(r.status).toBe('SUCCEEDED');
    expect(r.output).toMatchObject({
      outcome: 'succeeded',
      lease: { tookOverFrom: expect.stringContaining(':crashed') },
    });
    expect(r.events.some((e) => e.type === 'StateRetried' && e.state?.name === 'AcquireLease')).toBe(false);
  });
});

describe('duplicate and stale events', () => {
  it(`the same event delivered three times (two of them concurrently) \
gives one switch and two "already on target" no-ops`, async () => {
    const { sim, scenario, run } = setup({ latencyMs: 1 });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    const event = ec2Event(scenario.routerA.instanceId, 'stopping');

    const first = await run(event);
    const [second, third] = await Promise.all([run(event), run(event)]);

    expect([first, second, third].map(outcomeOf)).toEqual(['succeeded', 'noop', 'noop']);
    for (const r of [second, third]) expect((r.output as any).summary).toMatch(/already on target/);
    expect(replaceCalls(sim)).toHaveLength(scenario.expectedMoves.length);
    const subjects = sim.published.map((p) => p.Subject);
    expect(subjects.filter((s) => s?.startsWith('[FAILOVER OK]'))).toHaveLength(1);
    expect(subjects.filter((s) => s?.startsWith('[NO CHANGE]'))).toHaveLength(2);
  });

  it('an event older than the last switch, about the member it moved away from, does not undo it', async () => {
    const { sim, scenario, run } = setup();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    await run(ec2Event(scenario.routerA.instanceId, 'stopping', iso(-60)));
    // router-a is repaired; then an alarm about router-a from before the switch arrives late.
    sim.setInstanceState(scenario.routerA.instanceId, 'running');
    const beforeStale = targets(sim.routeTables());

    const stale = await run(alarmEvent(scenario.routerA.instanceId, 'ALARM', iso(-120)));

    expect(stale.status).toBe('SUCCEEDED');
    expect(stale.output).toMatchObject({ outcome: 'noop' });
    expect((stale.output as any).summary).toMatch(/stale event/);
    expect(targets(sim.routeTables())).toEqual(beforeStale);

    // An equally old alarm about router-b, the member the switch moved TO, is a failure of the router that
    // carries the traffic now: it is acted on (the guard is about whom the switch left, not only time).
    const active = await run(alarmEvent(scenario.routerB.instanceId, 'ALARM', iso(-120)));
    expect(outcomeOf(active)).toBe('succeeded');
    expect((active.output as any).to.name).toBe('router-a');
  });

  it('a "stopping" event for an instance that is running again is stale', async () => {
    const { sim, scenario, run } = setup();
    const before = targets(sim.routeTables());
    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'));
    expect(r.output).toMatchObject({ outcome: 'noop' });
    expect((r.output as any).summary).toMatch(/is running now/);
    expect(targets(sim.routeTables())).toEqual(before);
  });
});

describe('flap damping', () => {
  it(`suppresses the automatic failover past the limit, \
changes nothing, notifies; a manual switchover still works`, async () => {
    const { sim, scenario, run } = setup({
      config: (c) => ({ ...c, groups: [{ ...c.groups[0], flapDamping: { maxFailovers: 2, windowSeconds: 3600 } }] }),
    });
    const failA = async () => {
      sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
      const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'));
      sim.setInstanceState(scenario.routerA.instanceId, 'running');
      return r;
    };
    const failback = () => run({ action: 'failback', group: 'onprem-edge', requestedBy: 'netops' });

    expect(outcomeOf(await failA())).toBe('succeeded');
    expect(outcomeOf(await failback())).toBe('succeeded');
    expect(outcomeOf(await failA())).toBe('succeeded');
    expect(outcomeOf(await failback())).toBe('succeeded');
    const before = targets(sim.routeTables());
    const writes = replaceCalls(sim).length;

    const third = await failA();

    expect(third.status).toBe('FAILED');
    expect(third.error).toBe('FailoverSuppressedError');
    expect(third.auditRecord).toMatchObject({ outcome: 'suppressed' });
    expect(targets(sim.routeTables())).toEqual(before);
    expect(replaceCalls(sim)).toHaveLength(writes);
    const msg = sim.published.at(-1)!;
    expect(msg.Subject).toMatch(/^\[FAILOVER SUPPRESSED\]/);
    expect(msg.MessageAttributes!.severity.StringValue).toBe('critical');

    const manual = await run({
      action: 'switchover',
      group: 'onprem-edge',
      to: 'router-b',
      requestedBy: 'netops',
      reason: 'router-a flapping',
    });
    expect(outcomeOf(manual)).toBe('succeeded');
  });
});

describe('health gate', () => {
  it.each([
    [
      'source/destination check enabled on a target interface',
      (sim: SimulatedVpc, s: any) => sim.setSourceDestCheck(s.routerB.eni1, true),
      /source\/destination check enabled on eni-/,
    ],
    [
      'target instance status check impaired',
      (sim: SimulatedVpc, s: any) => sim.setInstanceStatusCheck(s.routerB.instanceId, 'impaired', 'instance'),
      /instance status check is impaired/,
    ],
    [
      'target system status check impaired',
      (sim: SimulatedVpc, s: any) => sim.setInstanceStatusCheck(s.routerB.instanceId, 'impaired', 'system'),
      /system status check is impaired/,
    ],
  ])('%s: nothing changes, TargetUnhealthyError, critical notification', async (_label, spoil, why) => {
    const { sim, scenario, run } = setup();
    spoil(sim, scenario);
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    const before = targets(sim.routeTables());

    const r = await run(ec2Event(scenario.routerA.instanceId, 'stopping'));

    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('TargetUnhealthyError');
    expect(r.cause).toMatch(why);
    expect(replaceCalls(sim)).toHaveLength(0);
    expect(targets(sim.routeTables())).toEqual(before);
    expect(sim.published[0].MessageAttributes!.severity.StringValue).toBe('critical');
  });
});

describe('partial failure and re-run', () => {
  it(`a permanent error on one route: the rest switch, the execution \
fails with the list, a re-run completes only what is left`, async () => {
    const { sim, scenario, run } = setup();
    const victim = scenario.expectedMoves[0];
    const fault = sim.injectFault({
      action: 'ReplaceRoute',
      code: 'UnauthorizedOperation',
      when: (i: any) => i.RouteTableId === victim.routeTableId && i.DestinationCidrBlock === victim.destination.value,
    });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    const event = ec2Event(scenario.routerA.instanceId, 'stopping');

    const first = await run(event);
    expect(first.status).toBe('FAILED');
    expect(first.error).toBe('RoutesNotSwitched');
    expect(first.cause).toContain(`${victim.routeTableId} ${victim.destination.value}`);

    sim.removeFault(fault); // the operator fixes the permission
    const writesBefore = replaceCalls(sim).length;
    const again = await run(event);

    expect(again.status).toBe('SUCCEEDED');
    const rerunWrites = replaceCalls(sim).slice(writesBefore);
    expect(rerunWrites.map((c) => (c.input as any).RouteTableId)).toEqual([victim.routeTableId]);
    const after = targets(sim.routeTables());
    for (const m of scenario.expectedMoves) expect(after.get(routeKey(m.routeTableId, m.destination))).toBe(m.toEni);
  });
});

/** Puts every group route that the scenario has on router-b onto router-a, so router-a is the active member. */
const allOnRouterA = async (sim: SimulatedVpc, s: any): Promise<void> => {
  for (const t of sim.routeTables()) {
    for (const r of t.Routes ?? []) {
      if (r.NetworkInterfaceId === s.routerB.eni0 || r.NetworkInterfaceId === s.routerB.eni1) {
        const d = routeDestination(r)!;
        await sim.ec2().send(
          new ReplaceRouteCommand({
            RouteTableId: t.RouteTableId!,
            ...destinationParams(d),
            NetworkInterfaceId: r.NetworkInterfaceId === s.routerB.eni0 ? s.routerA.eni0 : s.routerA.eni1,
          }),
        );
      }
    }
  }
};

describe('bad input catalogue: each gives its named error or a clean no-op, and changes no route', () => {
  type Case = [
    label: string,
    input: (s: any) => unknown,
    expected: { error?: string; outcome?: string; match?: RegExp },
    prepare?: (sim: SimulatedVpc, s: any) => Promise<void> | void,
  ];
  const cases: Case[] = [
    // (A JSON null is left out: the local interpreter cannot evaluate "$" on null, which Step Functions can.)
    ['a boolean', () => true, { error: 'InvalidRequestError' }],
    ['an array', () => [{ action: 'switchover' }], { error: 'InvalidRequestError' }],
    ['a bare string', () => 'switchover router-b', { error: 'InvalidRequestError' }],
    ['a number', () => 42, { error: 'InvalidRequestError' }],
    ['an empty object', () => ({}), { error: 'InvalidRequestError' }],
    [
      'an event from another service',
      () => ({ source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }),
      { error: 'InvalidRequestError', match: /aws\.s3/ },
    ],
    [
      'an EC2 event without detail',
      (s) => ({ ...ec2Event(s.routerA.instanceId, 'stopping'), detail: undefined }),
      { error: 'InvalidRequestError', match: /detail/ },
    ],
    [
      'an EC2 event whose instance-id is a number',
      () => ({ ...ec2Event('i-0', 'stopping'), detail: { 'instance-id': 7, state: 'stopping' } }),
      { error: 'InvalidRequestError' },
    ],
    [
      'an EC2 event with the wrong detail-type',
      (s) => ({ ...ec2Event(s.routerA.instanceId, 'stopping'), 'detail-type': 'AWS API Call via CloudTrail' }),
      { error: 'InvalidRequestError' },
    ],
    [
      'an unknown action',
      () => ({ action: 'delete', group: 'onprem-edge' }),
      { error: 'InvalidRequestError', match: /action/ },
    ],
    [
      'an unknown group',
      () => ({ action: 'switchover', group: 'nope', to: 'router-b' }),
      { error: 'UnknownGroupError', match: /onprem-edge/ },
    ],
    [
      'an unknown member',
      () => ({ action: 'switchover', group: 'onprem-edge', to: 'router-z' }),
      { error: 'UnknownMemberError', match: /router-a, router-b/ },
    ],
    [
      'an ENI ID smuggled into a manual request',
      (s) => ({ action: 'switchover', group: 'onprem-edge', to: 'router-b', networkInterfaceId: s.other.eni0 }),
      { error: 'InvalidRequestError', match: /networkInterfaceId/ },
    ],
    [
      'a route table smuggled into a manual request',
      (s) => ({ action: 'switchover', group: 'onprem-edge', to: 'router-b', routeTableIds: [s.routeTableIds[0]] }),
      { error: 'InvalidRequestError', match: /routeTableIds/ },
    ],
    [
      'dryRun as a string',
      () => ({ action: 'switchover', group: 'onprem-edge', to: 'router-b', dryRun: 'yes' }),
      { error: 'InvalidRequestError', match: /dryRun/ },
    ],
    [
      'a group name with shell characters',
      () => ({ action: 'switchover', group: 'onprem-edge; rm -rf /', to: 'router-b' }),
      { error: 'InvalidRequestError', match: /group/ },
    ],
    [
      'requestedBy over 256 characters',
      () => ({ action: 'switchover', group: 'onprem-edge', to: 'router-b', requestedBy: 'x'.repeat(300) }),
      { error: 'InvalidRequestError', match: /requestedBy/ },
    ],
    [
      'an oversized input (70 KiB)',
      () => ({
        action: 'switchover',
        group: 'onprem-edge',
        to: 'router-b',
        reason: 'r',
        padding: 'x'.repeat(70 * 1024),
      }),
      { error: 'InvalidRequestError', match: /bytes/ },
    ],
    [
      'failback naming a member other than the preferred one',
      () => ({ action: 'failback', group: 'onprem-edge', to: 'router-b' }),
      { error: 'InvalidRequestError', match: /preferred/ },
    ],
    [
      'a switchover to the member already active',
      () => ({ action: 'switchover', group: 'onprem-edge', to: 'router-a' }),
      { outcome: 'noop', match: /already on target/ },
      allOnRouterA,
    ],
    [
      'a switchover to a stopped member',
      () => ({ action: 'switchover', group: 'onprem-edge', to: 'router-b' }),
      { error: 'TargetUnhealthyError', match: /stopped/ },
      (sim, s) => sim.setInstanceState(s.routerB.instanceId, 'stopped'),
    ],
    [
      'an event for an instance in no group',
      (s) => ec2Event(s.other.instanceId, 'stopping'),
      { outcome: 'noop', match: /no failover group/ },
    ],
    [
      'a running event with automatic failback off',
      (s) => ec2Event(s.routerA.instanceId, 'running'),
      { outcome: 'noop', match: /automatic failback is off/ },
    ],
    [
      'an irrelevant state (pending)',
      (s) => ec2Event(s.routerA.instanceId, 'pending'),
      { outcome: 'noop', match: /needs no failover/ },
    ],
    [
      'an alarm back to OK',
      (s) => alarmEvent(s.routerA.instanceId, 'OK'),
      { outcome: 'noop', match: /needs no failover/ },
    ],
    [
      'an alarm without an InstanceId dimension',
      (s) => ({
        ...alarmEvent(s.routerA.instanceId, 'ALARM'),
        detail: { ...alarmEvent(s.routerA.instanceId, 'ALARM').detail, configuration: { metrics: [] } },
      }),
      { outcome: 'noop', match: /InstanceId/ },
    ],
    [
      'a target without any network interface',
      (_s) => ({ action: 'switchover', group: 'onprem-edge', to: 'router-b' }),
      { error: 'TargetUnhealthyError', match: /no network interface/ },
      (sim, s) => {
        sim.detachNetworkInterface(s.routerB.eni0);
        sim.detachNetworkInterface(s.routerB.eni1);
      },
    ],
    [
      'a peer missing a device index in use',
      (s) => ec2Event(s.routerA.instanceId, 'stopping'),
      { error: 'UnpairedInterfaceError', match: /slot/ },
      (sim, s) => {
        sim.detachNetworkInterface(s.routerB.eni1);
        sim.setInstanceState(s.routerA.instanceId, 'stopping');
      },
    ],
  ];

  // Rows are padded to four cells: jest passes a `done` callback to a test function that has
  // more parameters than cells.
  it.each(cases.map((c) => [c[0], c[1], c[2], c[3]] as const))('%s', async (_label, input, expected, prepare) => {
    const { sim, scenario, run } = setup();
    await prepare?.(sim, scenario);
    const before = targets(sim.routeTables());
    const writesBefore = replaceCalls(sim).length;

    const r = await run(input(scenario));

    if (expected.error) {
      expect(r.status).toBe('FAILED');
      expect(r.error).toBe(expected.error);
      if (expected.match) expect(r.cause).toMatch(expected.match);
    } else {
      expect(r.status).toBe('SUCCEEDED');
      expect(outcomeOf(r)).toBe(expected.outcome);
      if (expected.match) expect((r.output as any).summary).toMatch(expected.match);
    }
    expect(replaceCalls(sim)).toHaveLength(writesBefore);
    expect(targets(sim.routeTables())).toEqual(before);
    expect(sim.published).toHaveLength(1);
  });

  it('covers at least 20 bad inputs', () => expect(cases.length).toBeGreaterThanOrEqual(20));
});
