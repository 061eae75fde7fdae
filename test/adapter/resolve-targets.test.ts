import {
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeInstanceStatusCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  type Instance,
  type InstanceStatus,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { resolveTargets } from '../../functions/resolve-targets/resolve-targets';
import { type FailoverConfig, type FailoverConfigInput, parseConfig } from '../../functions/contract/config';
import {
  AlarmCheckError,
  Ec2ThrottledError,
  Ec2TransientError,
  InvalidRequestError,
  NoHealthyTargetError,
  TargetStatusPendingError,
  TargetUnhealthyError,
  UnknownGroupError,
  UnknownMemberError,
} from '../../functions/contract/errors';
import { StaticAlarms, statusCheckAlarmName } from '../../functions/domain/alarms';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import type { LeaseState } from '../../functions/contract/schemas';
import {
  alarmEvent,
  configInput,
  ec2StateEvent,
  execution,
  GROUP,
  healthyMember,
  heldLease,
  IDS,
  manualRequest,
  switchRecord,
} from '../unit/fixtures';
import {
  describeInstancesOutput,
  ec2Error,
  eniRoute,
  FIXED_NOW,
  instance,
  instanceStatus,
  localRoute,
  routerA,
  routerB,
  routerC,
  routeTable,
  withSourceDestCheck,
} from './ec2-fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'eu-west-1' });

// ResolveTargets asks the route tables which interfaces of the sources they lead to (route.instance-id): none
// here unless a test says so.
beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
});

type GroupInput = FailoverConfigInput['groups'][number];

/** router-a, router-b (and router-c when asked), with the preferred member given. */
const config = (
  opts: {
    preferred?: string | null;
    third?: boolean;
    routeTables?: GroupInput['routeTables'];
    flapDamping?: GroupInput['flapDamping'];
  } = {},
): FailoverConfig => {
  const input = configInput();
  const g = input.groups[0];
  if (opts.third) g.members.push({ name: 'router-c', instanceId: IDS.routerC });
  if (opts.preferred === null) delete g.preferred;
  else if (opts.preferred !== undefined) g.preferred = opts.preferred;
  if (opts.routeTables) g.routeTables = opts.routeTables;
  if (opts.flapDamping) g.flapDamping = opts.flapDamping;
  return parseConfig(input);
};

/**
 * Runs ResolveTargets the way the state machine calls it: `{ event, execution, lease }`, by default with this
 * execution holding its group's lease (AcquireLease succeeded). `lease: undefined` leaves it out.
 */
/** CloudWatch as it is when the members' status-check alarms fire. */
const alarmsInAlarm = () =>
  new StaticAlarms()
    .set(statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-a'), 'ALARM', IDS.routerA)
    .set(statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-b'), 'ALARM', IDS.routerB);

const run = (
  event: unknown,
  opts: { config?: FailoverConfig; lease?: LeaseState; store?: InMemoryGroupStateStore; alarms?: StaticAlarms } = {},
) =>
  resolveTargets(
    { event, execution: execution(), lease: 'lease' in opts ? opts.lease : heldLease() },
    {
      ec2,
      config: opts.config ?? config(),
      now: FIXED_NOW,
      store: opts.store ?? new InMemoryGroupStateStore(),
      alarms: opts.alarms ?? alarmsInAlarm(),
      stackName: 'VpcRouteFailover',
    },
  );

/**
 * Mocks what EC2 says about the members: DescribeInstances returns the instances; DescribeInstanceStatus
 * returns status checks matching each instance's state unless overridden for an instance ID.
 */
const ec2Says = (instances: Instance[], statusOverrides: Record<string, InstanceStatus | null> = {}) => {
  ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(...instances));
  ec2Mock.on(DescribeInstanceStatusCommand).resolves({
    InstanceStatuses: instances
      .map((i) =>
        i.InstanceId! in statusOverrides
          ? statusOverrides[i.InstanceId!]
          : instanceStatus(i.InstanceId!, i.State?.Name),
      )
      .filter((s): s is InstanceStatus => s !== null),
  });
};

/** Expects the promise to reject with the named error class and returns the error. */
const rejection = async <E extends Error>(p: Promise<unknown>, type: new (...args: never[]) => E): Promise<E> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  expect((err as Error).name).toBe(type.name);
  return err as E;
};

const expectNoEc2Call = () => expect(ec2Mock).not.toHaveReceivedAnyCommand();

describe('resolveTargets: the routes say whose they are (route.instance-id)', () => {
  const routeShowing = (eni: string, instanceId: string) => ({
    DestinationCidrBlock: '10.9.0.0/16',
    NetworkInterfaceId: eni,
    InstanceId: instanceId,
    State: 'blackhole' as const,
    Origin: 'CreateRoute' as const,
  });

  it(`an interface only a route shows on the failed member is \
paired by the slot DescribeNetworkInterfaces gives, and stored`, async () => {
    ec2Says([routerA('stopped', [[IDS.eniA0, 0]]), routerB('running')]);
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [{ RouteTableId: 'rtb-0123456789abcdef0', Routes: [routeShowing(IDS.eniA1, IDS.routerA)] }],
    });
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
      NetworkInterfaces: [{ NetworkInterfaceId: IDS.eniA1, Attachment: { InstanceId: IDS.routerA, DeviceIndex: 1 } }],
    });
    const store = new InMemoryGroupStateStore();

    const r = await run(ec2StateEvent(IDS.routerA, 'stopped'), { store });

    expect(r.pairs.map((p) => [p.fromEni, p.toEni])).toEqual([
      [IDS.eniA0, IDS.eniB0],
      [IDS.eniA1, IDS.eniB1],
    ]);
    expect(r.warnings?.join(' ')).toMatch(/router-a: 1 interface\(s\) learned from the route tables/);
    expect((await store.readInventory(GROUP))['router-a'].interfaces.map((i) => i.eni)).toEqual([IDS.eniA0, IDS.eniA1]);
  });

  it(`the filter refused by an endpoint: a warning, and the \
failover goes on with what EC2 and the inventory know`, async () => {
    ec2Says([routerA('stopped'), routerB('running')]);
    ec2Mock.on(DescribeRouteTablesCommand).rejects(
      Object.assign(new Error('The filter route.instance-id is invalid'), {
        name: 'InvalidParameterValue',
        $fault: 'client',
        $metadata: { httpStatusCode: 400 },
      }),
    );

    const r = await run(ec2StateEvent(IDS.routerA, 'stopped'));

    expect(r.action).toBe('failover');
    expect(r.warnings?.join(' ')).toMatch(/could not be asked which routes lead to router-a \(InvalidParameterValue\)/);
  });

  it('throttled: Ec2ThrottledError, for the state machine to retry', async () => {
    ec2Says([routerA('stopped'), routerB('running')]);
    ec2Mock.on(DescribeRouteTablesCommand).rejects(
      Object.assign(new Error('Request limit exceeded.'), {
        name: 'RequestLimitExceeded',
        $fault: 'client',
        $metadata: { httpStatusCode: 503 },
      }),
    );

    await rejection(run(ec2StateEvent(IDS.routerA, 'stopped')), Ec2ThrottledError);
  });
});

describe('resolveTargets: events', () => {
  it(`reads every member (instances and status checks) and \
fails router-a over to router-b, pairing by device index`, async () => {
    // Interfaces listed out of order: pairing must follow the device index, not the array position.
    ec2Says([
      routerA('stopping', [
        [IDS.eniA1, 1],
        [IDS.eniA0, 0],
      ]),
      routerB('running'),
    ]);
    const lease = heldLease();

    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { lease });

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: [IDS.routerA, IDS.routerB] });
    // IncludeAllInstances: without it EC2 leaves out instances that are not running, and the gate could not tell why.
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstanceStatusCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstanceStatusCommand, {
      InstanceIds: [IDS.routerA, IDS.routerB],
      IncludeAllInstances: true,
    });
    expect(r).toMatchObject({
      action: 'failover',
      dryRun: false,
      automatic: true,
      group: { name: GROUP, vpcId: IDS.vpc },
      sources: [{ name: 'router-a', instanceId: IDS.routerA, state: 'stopping', availabilityZone: 'eu-west-1a' }],
      target: { name: 'router-b', instanceId: IDS.routerB, state: 'running', availabilityZone: 'eu-west-1b' },
      maxConcurrency: 10,
      execution: execution(),
      resolvedAt: '2026-11-25T14:30:07.000Z',
    });
    expect(r.suppressReason).toBeUndefined();
    // The lease travels with the state: Notify reports it and ReleaseLease gives it back.
    expect(r.lease).toEqual(lease);
    expect(r.pairs).toEqual([
      { slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniB0 },
      { slot: '0/1', fromMember: 'router-a', fromEni: IDS.eniA1, toEni: IDS.eniB1 },
    ]);
    expect(r.targetEnis.sort()).toEqual([IDS.eniB0, IDS.eniB1]);
    expect(r.trigger).toEqual({
      kind: 'instance-state',
      summary: `EC2 instance ${IDS.routerA} (router-a) entered stopping`,
      eventId: '0b7e3f5c-8a44-4d52-9b0c-3e7d9e2f6a11',
      eventTime: '2026-11-25T14:30:00Z',
      instanceId: IDS.routerA,
      instanceState: 'stopping',
    });
    expect(r.health).toEqual([
      {
        member: 'router-a',
        state: 'stopping',
        instanceStatus: 'not-applicable',
        systemStatus: 'not-applicable',
        sourceDestCheckOn: [],
        healthy: false,
        problems: ['instance is stopping'],
      },
      healthyMember('router-b'),
    ]);
    // One read of the route tables, by the instance behind each route (route.instance-id): never a scan of the scope.
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 1);
    expect(ec2Mock.commandCalls(DescribeRouteTablesCommand)[0].args[0].input.Filters?.map((f) => f.Name)).toEqual([
      'vpc-id',
      'route.instance-id',
    ]);
  });

  it.each(['stopping', 'stopped', 'shutting-down', 'terminated'])('fails over on "%s"', async (state) => {
    ec2Says([routerA(state), routerB()]);
    const r = await run(ec2StateEvent(IDS.routerA, state));
    expect(r.action).toBe('failover');
    expect(r.target?.name).toBe('router-b');
  });

  it('pairs by network card index as well as device index', async () => {
    // Two network cards, each with a device index 0: the card is part of the slot.
    ec2Says([
      routerA('stopping', [
        ['eni-0a00000000000c1d0', 0, 1],
        [IDS.eniA0, 0, 0],
      ]),
      routerB('running', [
        [IDS.eniB0, 0, 0],
        ['eni-0b00000000000c1d0', 0, 1],
      ]),
    ]);

    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'));

    expect(r.pairs).toEqual([
      { slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniB0 },
      { slot: '1/0', fromMember: 'router-a', fromEni: 'eni-0a00000000000c1d0', toEni: 'eni-0b00000000000c1d0' },
    ]);
  });

  it('leaves a source interface without a counterpart unpaired (PlanSwitch decides whether it matters)', async () => {
    ec2Says([
      routerA('stopping', [
        [IDS.eniA0, 0],
        [IDS.eniA1, 1],
        ['eni-0a0000000000000a2', 2],
      ]),
      routerB(),
    ]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'));
    expect(r.pairs).toContainEqual({
      slot: '0/2',
      fromMember: 'router-a',
      fromEni: 'eni-0a0000000000000a2',
      toEni: undefined,
    });
  });

  it(`fails over on a status-check alarm in ALARM (the \
instance still running is what the alarm is about)`, async () => {
    ec2Says([routerA('running'), routerB()], {
      [IDS.routerA]: instanceStatus(IDS.routerA, 'running', { instance: 'impaired' }),
    });

    const r = await run(alarmEvent(IDS.routerA, 'ALARM'));

    expect(r.action).toBe('failover');
    expect(r.noopReason).toBeUndefined();
    expect(r.sources.map((s) => s.name)).toEqual(['router-a']);
    expect(r.target?.name).toBe('router-b');
    expect(r.trigger).toMatchObject({
      kind: 'alarm',
      alarmName: 'VpcRouteFailover-onprem-edge-router-a-status-check',
      instanceId: IDS.routerA,
    });
    expect(r.trigger.summary).toBe(
      `alarm VpcRouteFailover-onprem-edge-router-a-status-check entered ALARM for router-a (${IDS.routerA})`,
    );
  });

  it('chooses the preferred member when it is healthy', async () => {
    ec2Says([routerA('stopping'), routerB(), routerC()]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), {
      config: config({ third: true, preferred: 'router-c' }),
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      InstanceIds: [IDS.routerA, IDS.routerB, IDS.routerC],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstanceStatusCommand, {
      InstanceIds: [IDS.routerA, IDS.routerB, IDS.routerC],
      IncludeAllInstances: true,
    });
    expect(r.target?.name).toBe('router-c');
    expect(r.pairs.map((p) => p.toEni)).toEqual([IDS.eniC0, IDS.eniC1]);
  });

  it('chooses another running member when the preferred one is not running', async () => {
    ec2Says([routerA('stopping'), routerB('running'), routerC('stopped')]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), {
      config: config({ third: true, preferred: 'router-c' }),
    });
    expect(r.target?.name).toBe('router-b');
  });

  it('chooses the other member when the preferred one is the one failing', async () => {
    ec2Says([routerA('stopping'), routerB()]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { config: config({ preferred: 'router-a' }) });
    expect(r.target?.name).toBe('router-b');
  });

  it('no running peer → NoHealthyTargetError naming every member state', async () => {
    ec2Says([routerA('stopping'), routerB('stopped')]);

    const err = await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), NoHealthyTargetError);

    expect(err.message).toContain(`router-b (${IDS.routerB}) is stopped`);
    expect(err.message).toContain(`router-a (${IDS.routerA}) is stopping`);
    expect(err.message).toContain('Nothing was changed');
  });

  it('a peer that is still pending is not a target', async () => {
    ec2Says([routerA('stopping'), routerB('pending')]);
    await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), NoHealthyTargetError);
  });

  it('a standby EC2 does not know → NoHealthyTargetError naming it not-found', async () => {
    ec2Says([routerA('stopping')]);
    const err = await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), NoHealthyTargetError);
    expect(err.message).toContain(`router-b (${IDS.routerB}) is not-found`);
  });

  it(`a failing member purged from EC2 (InvalidInstanceID.NotFound) \
still fails over: members are described one by one`, async () => {
    const store = new InMemoryGroupStateStore();
    await store.writeInventory(GROUP, {
      member: 'router-a',
      instanceId: IDS.routerA,
      observedAt: '2026-11-25T14:00:00.000Z',
      interfaces: [{ slot: '0/0', eni: IDS.eniA0 }],
    });
    ec2Mock.on(DescribeInstancesCommand).callsFake((input: { InstanceIds: string[] }) => {
      if (input.InstanceIds.includes(IDS.routerA))
        throw ec2Error('InvalidInstanceID.NotFound', { message: `The instance ID '${IDS.routerA}' does not exist` });
      return describeInstancesOutput(routerB());
    });
    ec2Mock.on(DescribeInstanceStatusCommand).resolves({ InstanceStatuses: [instanceStatus(IDS.routerB, 'running')] });

    const r = await run(ec2StateEvent(IDS.routerA, 'terminated'), { store });

    expect(r.action).toBe('failover');
    expect(r.sources[0]).toMatchObject({ name: 'router-a', state: 'not-found', interfacesFrom: 'inventory' });
    expect(r.pairs).toEqual([{ slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniB0 }]);
    expect(r.warnings?.join(' ')).toContain('could not be described');
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: [IDS.routerB] });
  });

  it('DescribeInstances throttled → Ec2ThrottledError', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(ec2Error('RequestLimitExceeded', { status: 503 }));
    await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), Ec2ThrottledError);
  });

  it(`DescribeInstanceStatus throttled → Ec2ThrottledError; a lasting \
5xx for the target → Ec2TransientError (retried, not refused)`, async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('stopping'), routerB()));
    ec2Mock.on(DescribeInstanceStatusCommand).rejects(ec2Error('RequestLimitExceeded', { status: 503 }));
    await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), Ec2ThrottledError);
    ec2Mock.on(DescribeInstanceStatusCommand).rejects(ec2Error('InternalError', { fault: 'server', status: 500 }));
    await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), Ec2TransientError);
  });
});

describe('resolveTargets: health gate (nothing is written to an unhealthy target)', () => {
  it.each([
    ['instance', 'impaired'],
    ['system', 'impaired'],
  ] as const)(
    'target running with %s status check %s → TargetUnhealthyError naming the check',
    async (check, value) => {
      ec2Says([routerA('stopping'), routerB()], {
        [IDS.routerB]: instanceStatus(IDS.routerB, 'running', { [check]: value }),
      });

      const err = await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), TargetUnhealthyError);

      expect(err.message).toContain(`router-b: ${check} status check is ${value}`);
      expect(err.message).toContain('Nothing was changed');
    },
  );

  // Checks EC2 has not settled yet may pass in minutes: a named error the state machine retries (then notifies).
  it.each([
    ['instance', 'initializing'],
    ['instance', 'insufficient-data'],
    ['system', 'initializing'],
  ] as const)(
    'target running with %s status check %s → TargetStatusPendingError naming the check',
    async (check, value) => {
      ec2Says([routerA('stopping'), routerB()], {
        [IDS.routerB]: instanceStatus(IDS.routerB, 'running', { [check]: value }),
      });

      const err = await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), TargetStatusPendingError);

      expect(err.message).toContain(`router-b (${IDS.routerB}) is running but its ${check} status check is ${value}`);
      expect(err.message).toContain('Nothing was changed');
      expect(err.transient).toBe(true);
    },
  );

  it('a running target EC2 reports no status for yet → TargetStatusPendingError ("not reported yet")', async () => {
    ec2Says([routerA('stopping'), routerB()], { [IDS.routerB]: null });
    const err = await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), TargetStatusPendingError);
    expect(err.message).toContain('instance status check is not reported yet');
    expect(err.message).toContain('system status check is not reported yet');
  });

  it('source/destination check enabled on a target interface → TargetUnhealthyError naming the interface', async () => {
    ec2Says([routerA('stopping'), withSourceDestCheck(routerB(), IDS.eniB1, true)]);

    const err = await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), TargetUnhealthyError);

    expect(err.message).toContain(`source/destination check enabled on ${IDS.eniB1}`);
    expect(err.message).not.toContain(IDS.eniB0);
  });

  it('an interface EC2 reports no SourceDestCheck for is not trusted to forward', async () => {
    ec2Says([routerA('stopping'), withSourceDestCheck(routerB(), IDS.eniB0, undefined)]);
    const err = await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), TargetUnhealthyError);
    expect(err.message).toContain(IDS.eniB0);
  });

  it('source/destination check on the failing member does not matter: routes leave it', async () => {
    ec2Says([withSourceDestCheck(routerA('stopping'), IDS.eniA0, true), routerB()]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'));
    expect(r.target?.name).toBe('router-b');
    expect(r.health?.find((h) => h.member === 'router-a')?.sourceDestCheckOn).toEqual([IDS.eniA0]);
  });

  it('both possible targets down → NoHealthyTargetError naming both', async () => {
    ec2Says([routerA('stopping'), routerB('stopped'), routerC('terminated')]);

    const err = await rejection(
      run(ec2StateEvent(IDS.routerA, 'stopping'), { config: config({ third: true }) }),
      NoHealthyTargetError,
    );

    expect(err.message).toContain(`router-b (${IDS.routerB}) is stopped`);
    expect(err.message).toContain(`router-c (${IDS.routerC}) is terminated`);
  });

  it(`one target down and the other running but impaired → \
TargetUnhealthyError (someone must look), naming both`, async () => {
    ec2Says([routerA('stopping'), routerB('stopped'), routerC()], {
      [IDS.routerC]: instanceStatus(IDS.routerC, 'running', { system: 'impaired' }),
    });

    const err = await rejection(
      run(ec2StateEvent(IDS.routerA, 'stopping'), { config: config({ third: true }) }),
      TargetUnhealthyError,
    );

    expect(err.message).toContain('router-b: instance is stopped');
    expect(err.message).toContain('router-c: system status check is impaired');
  });

  it('an automatic failover skips an unhealthy preferred member for a healthy other one', async () => {
    ec2Says([routerA('stopping'), routerB(), routerC()], {
      [IDS.routerC]: instanceStatus(IDS.routerC, 'running', { instance: 'impaired' }),
    });

    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), {
      config: config({ third: true, preferred: 'router-c' }),
    });

    expect(r.target?.name).toBe('router-b');
    expect(r.pairs.map((p) => p.toEni)).toEqual([IDS.eniB0, IDS.eniB1]);
    expect(r.health?.find((h) => h.member === 'router-c')).toMatchObject({
      healthy: false,
      problems: ['instance status check is impaired'],
    });
  });

  it('an automatic failover skips a preferred member with source/destination check on', async () => {
    ec2Says([routerA('stopping'), routerB(), withSourceDestCheck(routerC(), IDS.eniC0, true)]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), {
      config: config({ third: true, preferred: 'router-c' }),
    });
    expect(r.target?.name).toBe('router-b');
  });

  it('a manual switchover to an impaired member → TargetUnhealthyError naming member and check', async () => {
    ec2Says([routerA(), routerB()], { [IDS.routerB]: instanceStatus(IDS.routerB, 'running', { system: 'impaired' }) });

    const err = await rejection(run(manualRequest({ to: 'router-b' })), TargetUnhealthyError);

    expect(err.message).toContain(`router-b (${IDS.routerB})`);
    expect(err.message).toContain('system status check is impaired');
  });

  it('a manual failback to a preferred member with source/destination check on → TargetUnhealthyError', async () => {
    ec2Says([withSourceDestCheck(routerA(), IDS.eniA1, true), routerB()]);
    const err = await rejection(run({ action: 'failback', group: GROUP }), TargetUnhealthyError);
    expect(err.message).toContain(IDS.eniA1);
  });
});

describe('resolveTargets: the lease is required for a failover', () => {
  it.each([
    ['no lease', undefined],
    ['a lease that was not granted', { held: false }],
    ["another group's lease", heldLease({ group: 'other-group' })],
  ] as const)('an event with %s → InvalidRequestError, no EC2 call', async (_name, lease) => {
    const err = await rejection(run(ec2StateEvent(IDS.routerA, 'stopping'), { lease }), InvalidRequestError);
    expect(err.message).toContain(`lease of group "${GROUP}"`);
    expectNoEc2Call();
  });

  it.each([
    ['no lease', undefined],
    ["another group's lease", heldLease({ group: 'other-group' })],
  ] as const)('a manual request with %s → InvalidRequestError, no EC2 call', async (_name, lease) => {
    await rejection(run(manualRequest({ to: 'router-b' }), { lease }), InvalidRequestError);
    expectNoEc2Call();
  });

  it('an event that needs nothing needs no lease (AcquireLease took none)', async () => {
    const r = await run(ec2StateEvent(IDS.stranger, 'stopping'), { lease: { held: false } });
    expect(r.action).toBe('noop');
    expect(r.lease).toEqual({ held: false });
    expectNoEc2Call();
  });
});

describe('resolveTargets: stale events', () => {
  const leaseAfterSwitch = (triggerTime: string) =>
    heldLease({
      history: {
        lastSwitch: switchRecord({ triggerTime, to: 'router-b', from: ['router-a'], at: '2026-11-25T14:32:00.000Z' }),
        automaticSwitches: [],
      },
    });

  it('an event older than the trigger of the last switch → noop "stale", routes untouched', async () => {
    ec2Says([routerA('stopping'), routerB()]);
    const lease = leaseAfterSwitch('2026-11-25T14:30:02Z');

    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { lease });

    expect(r.action).toBe('noop');
    expect(r.noopReason).toMatch(/^stale event/);
    expect(r.noopReason).toContain('2026-11-25T14:30:00Z');
    expect(r.noopReason).toContain('2026-11-25T14:30:02Z');
    expect(r).toMatchObject({
      automatic: true,
      group: { name: GROUP, vpcId: IDS.vpc },
      sources: [],
      pairs: [],
      targetEnis: [],
      lease,
    });
    expect(r.target).toBeUndefined();
    expect(r.health?.map((h) => h.member)).toEqual(['router-a', 'router-b']);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 0);
  });

  it('an alarm older than the last switch is stale too', async () => {
    ec2Says([routerA(), routerB()]);
    const r = await run(alarmEvent(IDS.routerA), { lease: leaseAfterSwitch('2026-11-25T14:31:00.001Z') });
    expect(r.action).toBe('noop');
    expect(r.noopReason).toMatch(/^stale event/);
  });

  it(`an old event about the member the last switch moved \
TO is a failure of the active router: it proceeds`, async () => {
    ec2Says([routerA(), routerB('stopping')]);
    const r = await run(ec2StateEvent(IDS.routerB, 'stopping'), { lease: leaseAfterSwitch('2026-11-25T14:30:02Z') });
    expect(r.action).toBe('failover');
    expect(r.target?.name).toBe('router-a');
  });

  it("an event at the same time as the last switch's trigger (a duplicate delivery) proceeds", async () => {
    ec2Says([routerA('stopping'), routerB()]);
    // Same instant, written differently: compared as times, not strings.
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), {
      lease: leaseAfterSwitch('2026-11-25T14:30:00.000Z'),
    });
    expect(r.action).toBe('failover');
    expect(r.target?.name).toBe('router-b');
  });

  it('an event newer than the last switch proceeds', async () => {
    ec2Says([routerA('stopping'), routerB()]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { lease: leaseAfterSwitch('2026-11-25T14:29:59Z') });
    expect(r.action).toBe('failover');
  });

  it.each(['running', 'pending'])(
    'a "stopping" event while EC2 says the instance is %s → noop "event not confirmed"',
    async (state) => {
      ec2Says([routerA(state), routerB()]);

      const r = await run(ec2StateEvent(IDS.routerA, 'stopping'));

      expect(r.action).toBe('noop');
      expect(r.noopReason).toBe(`event not confirmed: router-a (${IDS.routerA}) reported stopping but is ${state} now`);
      expect(r.warnings).toEqual([r.noopReason]);
      expect(r.automatic).toBe(true);
    },
  );

  it('a status-check alarm while the instance is running is not stale', async () => {
    ec2Says([routerA('running'), routerB()]);
    const r = await run(alarmEvent(IDS.routerA, 'ALARM'));
    expect(r.action).toBe('failover');
    expect(r.target?.name).toBe('router-b');
  });

  it('a manual request is never stale, whatever the last switch', async () => {
    ec2Says([routerA(), routerB()]);
    const r = await run(manualRequest({ to: 'router-b' }), { lease: leaseAfterSwitch('2026-11-25T15:00:00Z') });
    expect(r.action).toBe('failover');
  });
});

describe('resolveTargets: flap damping', () => {
  /** `n` automatic switches, `minutesAgo` before FIXED_NOW each, with distinct trigger IDs. */
  const recent = (...minutesAgo: number[]) =>
    minutesAgo.map((m, i) =>
      switchRecord({
        at: new Date(FIXED_NOW().getTime() - m * 60_000).toISOString(),
        triggerId: `trigger-${i}`,
        executionId: `${IDS.executionArn}-${i}`,
      }),
    );
  const withHistory = (automaticSwitches: ReturnType<typeof recent>) => heldLease({ history: { automaticSwitches } });

  it('maxFailovers automatic switches inside the window → suppressReason set (PlanSwitch enforces it)', async () => {
    ec2Says([routerA('stopping'), routerB()]);

    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { lease: withHistory(recent(50, 30, 10)) });

    // Still a failover: suppression only applies when routes would actually move, which PlanSwitch knows.
    expect(r.action).toBe('failover');
    expect(r.target?.name).toBe('router-b');
    expect(r.suppressReason).toMatch(
      /^flap damping: group "onprem-edge" already failed over automatically 3 time\(s\) in the last 3600 s \(limit 3;/,
    );
    expect(r.suppressReason).toContain('a manual switchover is never suppressed');
  });

  it('more than maxFailovers → suppressed as well', async () => {
    ec2Says([routerA('stopping'), routerB()]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { lease: withHistory(recent(59, 50, 30, 10)) });
    expect(r.suppressReason).toContain('4 time(s)');
  });

  it('one fewer than maxFailovers → not suppressed', async () => {
    ec2Says([routerA('stopping'), routerB()]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { lease: withHistory(recent(30, 10)) });
    expect(r.suppressReason).toBeUndefined();
  });

  it('switches older than the window do not count', async () => {
    ec2Says([routerA('stopping'), routerB()]);
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { lease: withHistory(recent(61, 30, 10)) });
    expect(r.suppressReason).toBeUndefined();
  });

  it('a switch by the same trigger (a re-run of this event) does not count', async () => {
    ec2Says([routerA('stopping'), routerB()]);
    const history = recent(50, 30, 10);
    history[2].triggerId = ec2StateEvent().id;
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { lease: withHistory(history) });
    expect(r.suppressReason).toBeUndefined();
  });

  it("follows the group's configured limit and window", async () => {
    ec2Says([routerA('stopping'), routerB()]);
    const cfg = config({ flapDamping: { maxFailovers: 1, windowSeconds: 600 } });
    const inside = await run(ec2StateEvent(IDS.routerA, 'stopping'), { config: cfg, lease: withHistory(recent(9)) });
    const outside = await run(ec2StateEvent(IDS.routerA, 'stopping'), { config: cfg, lease: withHistory(recent(11)) });
    expect(inside.suppressReason).toContain('1 time(s) in the last 600 s (limit 1;');
    expect(outside.suppressReason).toBeUndefined();
  });

  it('applies to status-check alarms', async () => {
    ec2Says([routerA('running'), routerB()]);
    const r = await run(alarmEvent(IDS.routerA), { lease: withHistory(recent(50, 30, 10)) });
    expect(r.suppressReason).toContain('flap damping');
  });

  it.each([
    ['switchover', manualRequest({ to: 'router-b' })],
    ['failback', { action: 'failback', group: GROUP }],
  ])('never applies to a manual %s', async (_name, request) => {
    ec2Says([routerA(), routerB()]);
    const r = await run(request, { lease: withHistory(recent(50, 30, 10, 5, 1)) });
    expect(r.action).toBe('failover');
    expect(r.automatic).toBe(false);
    expect(r.suppressReason).toBeUndefined();
  });
});

describe('resolveTargets: events that need nothing (noop, no EC2 call)', () => {
  // AcquireLease takes no lease for these.
  const noLease = { lease: { held: false } };

  it('an instance in no group', async () => {
    const r = await run(ec2StateEvent(IDS.stranger, 'stopping'), noLease);
    expect(r).toMatchObject({
      action: 'noop',
      noopReason: `instance ${IDS.stranger} belongs to no failover group`,
      sources: [],
      pairs: [],
      targetEnis: [],
    });
    expect(r.group).toBeUndefined();
    expect(r.trigger.summary).toBe(`EC2 instance ${IDS.stranger} entered stopping`);
    expectNoEc2Call();
  });

  it('a member entering "pending"', async () => {
    const r = await run(ec2StateEvent(IDS.routerA, 'pending'), noLease);
    expect(r.action).toBe('noop');
    expect(r.noopReason).toBe('EC2 state "pending" needs no failover');
    expect(r.group).toEqual({ name: GROUP, vpcId: IDS.vpc });
    expectNoEc2Call();
  });

  it('a member entering "running" in a group without automatic failback', async () => {
    const r = await run(ec2StateEvent(IDS.routerA, 'running'), noLease);
    expect(r.action).toBe('noop');
    expect(r.noopReason).toContain('running');
    expect(r.group).toEqual({ name: GROUP, vpcId: IDS.vpc });
    expectNoEc2Call();
  });

  it('an alarm back in OK', async () => {
    const r = await run(alarmEvent(IDS.routerA, 'OK'), noLease);
    expect(r.action).toBe('noop');
    expect(r.noopReason).toBe('alarm state "OK" needs no failover');
    expectNoEc2Call();
  });

  it('an alarm in INSUFFICIENT_DATA', async () => {
    const r = await run(alarmEvent(IDS.routerA, 'INSUFFICIENT_DATA'), noLease);
    expect(r.action).toBe('noop');
    expectNoEc2Call();
  });

  it('an alarm with no InstanceId dimension', async () => {
    const e = alarmEvent(IDS.routerA) as unknown as { detail: Record<string, unknown> };
    delete e.detail.configuration;
    const r = await run(e, noLease);
    expect(r.action).toBe('noop');
    expect(r.noopReason).toBe('the alarm names no InstanceId dimension');
    expectNoEc2Call();
  });

  it('an alarm for an instance in no group', async () => {
    const r = await run(alarmEvent(IDS.stranger), noLease);
    expect(r.action).toBe('noop');
    expect(r.noopReason).toContain('belongs to no failover group');
    expectNoEc2Call();
  });

  it('an invalid input is an InvalidRequestError, not a noop', async () => {
    await rejection(run({ hello: 'world' }), InvalidRequestError);
    expectNoEc2Call();
  });
});

describe('resolveTargets: manual requests', () => {
  it('switchover to a named healthy member moves every other member', async () => {
    ec2Says([routerA('running'), routerB('running')]);

    const r = await run(manualRequest({ to: 'router-b', dryRun: true }));

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: [IDS.routerA, IDS.routerB] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstanceStatusCommand, {
      InstanceIds: [IDS.routerA, IDS.routerB],
      IncludeAllInstances: true,
    });
    expect(r).toMatchObject({
      action: 'failover',
      dryRun: true,
      automatic: false,
      target: { name: 'router-b' },
      sources: [{ name: 'router-a', state: 'running' }],
    });
    expect(r.trigger).toEqual({
      kind: 'manual',
      summary: 'switchover to router-b requested by netops: patch router-a (CHG-1042)',
      action: 'switchover',
      requestedBy: 'netops',
      reason: 'patch router-a (CHG-1042)',
    });
    expect(r.pairs.map((p) => [p.fromEni, p.toEni])).toEqual([
      [IDS.eniA0, IDS.eniB0],
      [IDS.eniA1, IDS.eniB1],
    ]);
    expect(r.health).toEqual([healthyMember('router-a'), healthyMember('router-b')]);
    // With `to` given there is no need to find the active member (no scan of the scope).
    // One read of the route tables, by the instance behind each route (route.instance-id): never a scan of the scope.
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 1);
    expect(ec2Mock.commandCalls(DescribeRouteTablesCommand)[0].args[0].input.Filters?.map((f) => f.Name)).toEqual([
      'vpc-id',
      'route.instance-id',
    ]);
  });

  it('unknown group → UnknownGroupError, before any EC2 call', async () => {
    const err = await rejection(run(manualRequest({ group: 'nope' })), UnknownGroupError);
    expect(err.message).toBe(`unknown group "nope" (configured: ${GROUP})`);
    expectNoEc2Call();
  });

  it('unknown member → UnknownMemberError, before any EC2 call', async () => {
    const err = await rejection(run(manualRequest({ to: 'router-z' })), UnknownMemberError);
    expect(err.message).toContain('router-z');
    expect(err.message).toContain('router-a, router-b');
    expectNoEc2Call();
  });

  it.each(['stopped', 'pending', 'stopping'])('target %s → TargetUnhealthyError', async (state) => {
    ec2Says([routerA('running'), routerB(state)]);
    const err = await rejection(run(manualRequest({ to: 'router-b' })), TargetUnhealthyError);
    expect(err.message).toContain(`router-b (${IDS.routerB})`);
    expect(err.message).toContain(`instance is ${state}`);
    expect(err.message).toContain('Nothing was changed');
  });

  it('failback goes to the preferred member', async () => {
    ec2Says([routerA('running'), routerB('running')]);
    const r = await run({ action: 'failback', group: GROUP, requestedBy: 'oncall' });
    expect(r.target?.name).toBe('router-a');
    expect(r.sources.map((s) => s.name)).toEqual(['router-b']);
    expect(r.trigger).toMatchObject({
      kind: 'manual',
      action: 'failback',
      summary: 'failback to router-a requested by oncall',
    });
  });

  it('failback without a preferred member → InvalidRequestError, before any EC2 call', async () => {
    // EC2 answers normally, so the only thing under test is where the request is refused: a request that is
    // wrong on its face must not depend on (or wait for) EC2 being reachable.
    ec2Says([routerA('running'), routerB('running')]);
    const err = await rejection(
      run({ action: 'failback', group: GROUP }, { config: config({ preferred: null }) }),
      InvalidRequestError,
    );
    expect(err.message).toContain('no preferred member');
    expectNoEc2Call();
  });

  it('failback to a member other than the preferred one → InvalidRequestError', async () => {
    ec2Says([routerA('running'), routerB('running')]);
    const err = await rejection(run({ action: 'failback', group: GROUP, to: 'router-b' }), InvalidRequestError);
    expect(err.message).toContain('preferred member "router-a"');
  });

  it('failback when the preferred member is not running → TargetUnhealthyError', async () => {
    ec2Says([routerA('stopped'), routerB('running')]);
    const err = await rejection(run({ action: 'failback', group: GROUP }), TargetUnhealthyError);
    expect(err.message).toContain('instance is stopped');
  });

  it('switchover without "to" reads the route tables to find the active member and moves away from it', async () => {
    ec2Says([routerA('running'), routerB('running')]);
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [
          localRoute(),
          eniRoute('10.1.0.0/16', IDS.eniB0),
          eniRoute('10.2.0.0/16', IDS.eniB1),
        ]),
        routeTable(IDS.rtbPrivateB, [eniRoute(IDS.prefixList, IDS.eniB0), eniRoute('10.9.0.0/16', IDS.eniA0)]),
      ],
    });

    const r = await run({ action: 'switchover', group: GROUP, requestedBy: 'netops' });

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }],
    });
    expect(r.target?.name).toBe('router-a');
    expect(r.sources.map((s) => s.name)).toEqual(['router-b']);
  });

  it('switchover without "to" reads only the group\'s scoped route tables', async () => {
    ec2Says([routerA('running'), routerB('running')]);
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])] });

    const r = await run(
      { action: 'switchover', group: GROUP },
      { config: config({ routeTables: { tag: { key: 'failover-group', value: GROUP } } }) },
    );

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'vpc-id', Values: [IDS.vpc] },
        { Name: 'tag:failover-group', Values: [GROUP] },
      ],
    });
    expect(r.target?.name).toBe('router-b');
  });

  it('switchover without "to" when no route points at a member → InvalidRequestError', async () => {
    ec2Says([routerA('running'), routerB('running')]);
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [localRoute()])] });
    const err = await rejection(run({ action: 'switchover', group: GROUP }), InvalidRequestError);
    expect(err.message).toContain('name the target with "to"');
  });

  it('switchover without "to" and no running peer → NoHealthyTargetError', async () => {
    ec2Says([routerA('running'), routerB('stopped')]);
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])] });
    await rejection(run({ action: 'switchover', group: GROUP }), NoHealthyTargetError);
  });

  it('switchover without "to" and an impaired peer → TargetUnhealthyError', async () => {
    ec2Says([routerA('running'), routerB('running')], {
      [IDS.routerB]: instanceStatus(IDS.routerB, 'running', { instance: 'impaired' }),
    });
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])] });
    const err = await rejection(run({ action: 'switchover', group: GROUP }), TargetUnhealthyError);
    expect(err.message).toContain('router-b: instance status check is impaired');
  });

  it('a target without interfaces in some slots still resolves (pairs carry no toEni)', async () => {
    ec2Says([routerA('running'), instance(IDS.routerB, 'running', [[IDS.eniB0, 0]], 'eu-west-1b')]);
    const r = await run(manualRequest({ to: 'router-b' }));
    expect(r.pairs).toEqual([
      { slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniB0 },
      { slot: '0/1', fromMember: 'router-a', fromEni: IDS.eniA1, toEni: undefined },
    ]);
  });
});

describe('resolveTargets: a trigger is a claim, confirmed before any write', () => {
  const forgedAlarm = (overrides: { name?: string; time?: string } = {}) => {
    const e = alarmEvent(IDS.routerA, 'ALARM', overrides.name);
    return overrides.time ? { ...e, time: overrides.time } : e;
  };

  it(`an alarm event whose alarm CloudWatch shows OK now → noop \
"event not confirmed", warned, nothing read from the route tables`, async () => {
    ec2Says([routerA(), routerB()]);
    const alarms = new StaticAlarms().set(
      statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-a'),
      'OK',
      IDS.routerA,
    );
    const r = await run(forgedAlarm(), { alarms });
    expect(r.action).toBe('noop');
    expect(r.noopReason).toBe(
      'event not confirmed: CloudWatch shows alarm VpcRouteFailover-onprem-edge-router-a-status-check in OK now',
    );
    expect(r.warnings).toEqual([r.noopReason]);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 0);
  });

  it.each([
    [
      "an alarm that is not one of this stack's",
      { name: 'someone-elses-alarm' },
      /is not this stack's status-check alarm for router-a/,
    ],
    [
      "the other member's alarm named for router-a",
      { name: 'VpcRouteFailover-onprem-edge-router-b-status-check' },
      /is not this stack's status-check alarm/,
    ],
  ])('%s → noop "event not confirmed"', async (_what, overrides, reason) => {
    ec2Says([routerA(), routerB()]);
    const r = await run(forgedAlarm(overrides));
    expect(r.action).toBe('noop');
    expect(r.noopReason).toMatch(reason);
  });

  it('an alarm CloudWatch does not know, or one that watches another instance → noop', async () => {
    ec2Says([routerA(), routerB()]);
    await expect(run(forgedAlarm(), { alarms: new StaticAlarms() })).resolves.toMatchObject({
      action: 'noop',
      noopReason: expect.stringMatching(/has no alarm named/),
    });
    const elsewhere = new StaticAlarms().set(
      statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-a'),
      'ALARM',
      IDS.routerC,
    );
    await expect(run(forgedAlarm(), { alarms: elsewhere })).resolves.toMatchObject({
      action: 'noop',
      noopReason: expect.stringMatching(/watches i-/),
    });
  });

  describe('an alarm in ALARM because no status-check data arrived (missing data is breaching)', () => {
    const silentA = () =>
      new StaticAlarms().set(statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-a'), 'ALARM', IDS.routerA, {
        missingData: true,
      });

    it(`while CloudWatch still hears from the peer (its alarm OK): \
confirmed, failover (an AZ outage: EC2 may still say running)`, async () => {
      ec2Says([routerA('running'), routerB()]);
      const alarms = silentA().set(statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-b'), 'OK', IDS.routerB);
      const r = await run(forgedAlarm(), { alarms });
      expect(r.action).toBe('failover');
      expect(r.noopReason).toBeUndefined();
      expect(r.target?.name).toBe('router-b');
    });

    it(`while every peer is silent too (CloudWatch hears from no \
member): not confirmed, nothing read from the route tables`, async () => {
      ec2Says([routerA('running'), routerB()]);
      const alarms = silentA().set(statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-b'), 'ALARM', IDS.routerB, {
        missingData: true,
      });
      const r = await run(forgedAlarm(), { alarms });
      expect(r.action).toBe('noop');
      expect(r.noopReason).toMatch(
        /because CloudWatch received no status-check data for router-a, and the alarms of router-b are in ALARM too/,
      );
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 0);
    });

    it(`a peer whose alarm CloudWatch does not have (or in \
INSUFFICIENT_DATA) does not block it: only peers all in ALARM do`, async () => {
      ec2Says([routerA('running'), routerB()]);
      await expect(run(forgedAlarm(), { alarms: silentA() })).resolves.toMatchObject({ action: 'failover' });
      const insufficient = silentA().set(
        statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-b'),
        'INSUFFICIENT_DATA',
        IDS.routerB,
      );
      await expect(run(forgedAlarm(), { alarms: insufficient })).resolves.toMatchObject({ action: 'failover' });
    });

    it(`a stopped member (no data, EC2 says stopped): confirmed \
as before; its routes are moved or already were`, async () => {
      ec2Says([routerA('stopped'), routerB()]);
      const alarms = silentA().set(statusCheckAlarmName('VpcRouteFailover', GROUP, 'router-b'), 'OK', IDS.routerB);
      await expect(run(forgedAlarm(), { alarms })).resolves.toMatchObject({
        action: 'failover',
        sources: [expect.objectContaining({ name: 'router-a' })],
      });
    });
  });

  it('CloudWatch throttled → AlarmCheckTransientError (retried), never a guess', async () => {
    ec2Says([routerA(), routerB()]);
    const throttled = {
      read: async () => {
        throw new AlarmCheckError('DescribeAlarms: Throttling', true);
      },
    };
    await expect(run(forgedAlarm(), { alarms: throttled as never })).rejects.toMatchObject({
      name: 'AlarmCheckTransientError',
    });
  });

  it('an event older than the maximum event age (1 h) is stale', async () => {
    ec2Says([routerA('stopped'), routerB()]);
    const r = await run({ ...ec2StateEvent(IDS.routerA, 'stopped'), time: '2026-11-25T12:00:00Z' });
    expect(r.action).toBe('noop');
    expect(r.noopReason).toMatch(/more than the 3600 s an event is delivered for/);
  });

  it(`a forged future time cannot make a later real event \
stale: the time is capped at the execution start`, async () => {
    ec2Says([routerA('stopping'), routerB()]);
    // The last switch was triggered by an event claiming 2099; it finished on 2026-11-25 at 14:20.
    const lease = heldLease({
      history: {
        lastSwitch: switchRecord({
          triggerTime: '2099-01-01T00:00:00Z',
          at: '2026-11-25T14:20:00.000Z',
          to: 'router-b',
          from: ['router-a'],
        }),
        automaticSwitches: [],
      },
    });
    // router-a fails again at 14:30 (after that switch): not stale, whatever the forged trigger time said.
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), { lease });
    expect(r.action).toBe('failover');
  });
});
