import { DescribeInstancesCommand, DescribeRouteTablesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { resolveTargets } from '../../functions/resolve-targets/resolve-targets';
import { FailoverConfig, FailoverConfigInput, parseConfig } from '../../functions/shared/config';
import {
  Ec2ThrottledError,
  InvalidRequestError,
  MemberNotFoundError,
  NoHealthyTargetError,
  TargetUnhealthyError,
  UnknownGroupError,
  UnknownMemberError,
} from '../../functions/shared/errors';
import { alarmEvent, configInput, ec2StateEvent, execution, GROUP, IDS, manualRequest } from '../unit/fixtures';
import { describeInstancesOutput, ec2Error, eniRoute, FIXED_NOW, instance, localRoute, routerA, routerB, routerC, routeTable } from './ec2-fixtures';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'eu-west-1' });

beforeEach(() => ec2Mock.reset());

/** router-a, router-b (and router-c when asked), with the preferred member given. */
const config = (opts: { preferred?: string | null; third?: boolean; routeTables?: FailoverConfigInput['groups'][number]['routeTables'] } = {}): FailoverConfig => {
  const input = configInput();
  const g = input.groups[0];
  if (opts.third) g.members.push({ name: 'router-c', instanceId: IDS.routerC });
  if (opts.preferred === null) delete g.preferred;
  else if (opts.preferred !== undefined) g.preferred = opts.preferred;
  if (opts.routeTables) g.routeTables = opts.routeTables;
  return parseConfig(input);
};

const run = (event: unknown, cfg: FailoverConfig = config()) => resolveTargets({ event, execution: execution() }, { ec2, config: cfg, now: FIXED_NOW });

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

describe('resolveTargets: events', () => {
  it('asks DescribeInstances for every member and fails router-a over to router-b, pairing by device index', async () => {
    // Interfaces listed out of order: pairing must follow the device index, not the array position.
    ec2Mock.on(DescribeInstancesCommand).resolves(
      describeInstancesOutput(
        routerA('stopping', [
          [IDS.eniA1, 1],
          [IDS.eniA0, 0],
        ]),
        routerB('running'),
      ),
    );

    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'));

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: [IDS.routerA, IDS.routerB] });
    expect(r).toMatchObject({
      action: 'failover',
      dryRun: false,
      group: { name: GROUP, vpcId: IDS.vpc },
      sources: [{ name: 'router-a', instanceId: IDS.routerA, state: 'stopping', availabilityZone: 'eu-west-1a' }],
      target: { name: 'router-b', instanceId: IDS.routerB, state: 'running', availabilityZone: 'eu-west-1b' },
      maxConcurrency: 10,
      execution: execution(),
      resolvedAt: '2026-11-25T14:30:07.000Z',
    });
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
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 0);
  });

  it.each(['stopping', 'stopped', 'shutting-down', 'terminated'])('fails over on "%s"', async (state) => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA(state), routerB()));
    const r = await run(ec2StateEvent(IDS.routerA, state));
    expect(r.action).toBe('failover');
    expect(r.target?.name).toBe('router-b');
  });

  it('pairs by network card index as well as device index', async () => {
    // Two network cards, each with a device index 0: the card is part of the slot.
    ec2Mock.on(DescribeInstancesCommand).resolves(
      describeInstancesOutput(
        routerA('stopping', [
          ['eni-0a00000000000c1d0', 0, 1],
          [IDS.eniA0, 0, 0],
        ]),
        routerB('running', [
          [IDS.eniB0, 0, 0],
          ['eni-0b00000000000c1d0', 0, 1],
        ]),
      ),
    );

    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'));

    expect(r.pairs).toEqual([
      { slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniB0 },
      { slot: '1/0', fromMember: 'router-a', fromEni: 'eni-0a00000000000c1d0', toEni: 'eni-0b00000000000c1d0' },
    ]);
  });

  it('leaves a source interface without a counterpart unpaired (ListRoutes decides whether it matters)', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(
      describeInstancesOutput(
        routerA('stopping', [
          [IDS.eniA0, 0],
          [IDS.eniA1, 1],
          ['eni-0a0000000000000a2', 2],
        ]),
        routerB(),
      ),
    );
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'));
    expect(r.pairs).toContainEqual({ slot: '0/2', fromMember: 'router-a', fromEni: 'eni-0a0000000000000a2', toEni: undefined });
  });

  it('fails over on a status-check alarm in ALARM', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('running'), routerB()));

    const r = await run(alarmEvent(IDS.routerA, 'ALARM', 'router-a-status'));

    expect(r.action).toBe('failover');
    expect(r.sources.map((s) => s.name)).toEqual(['router-a']);
    expect(r.target?.name).toBe('router-b');
    expect(r.trigger).toMatchObject({ kind: 'alarm', alarmName: 'router-a-status', instanceId: IDS.routerA });
    expect(r.trigger.summary).toBe(`alarm router-a-status entered ALARM for router-a (${IDS.routerA})`);
  });

  it('chooses the preferred member when it is running', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('stopping'), routerB(), routerC()));
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), config({ third: true, preferred: 'router-c' }));
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: [IDS.routerA, IDS.routerB, IDS.routerC] });
    expect(r.target?.name).toBe('router-c');
    expect(r.pairs.map((p) => p.toEni)).toEqual([IDS.eniC0, IDS.eniC1]);
  });

  it('chooses another running member when the preferred one is not running', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('stopping'), routerB('running'), routerC('stopped')));
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), config({ third: true, preferred: 'router-c' }));
    expect(r.target?.name).toBe('router-b');
  });

  it('chooses the other member when the preferred one is the one failing', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('stopping'), routerB()));
    const r = await run(ec2StateEvent(IDS.routerA, 'stopping'), config({ preferred: 'router-a' }));
    expect(r.target?.name).toBe('router-b');
  });

  it('no running peer → NoHealthyTargetError naming every member state', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('stopping'), routerB('stopped')));

    const err = await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), NoHealthyTargetError);

    expect(err.message).toContain(`router-b (${IDS.routerB}) is stopped`);
    expect(err.message).toContain('Nothing was changed');
  });

  it('a peer that is still pending is not a target', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('stopping'), routerB('pending')));
    await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), NoHealthyTargetError);
  });

  it('a member EC2 does not return → MemberNotFoundError', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('stopping')));
    await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), MemberNotFoundError);
  });

  it('InvalidInstanceID.NotFound → MemberNotFoundError', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(ec2Error('InvalidInstanceID.NotFound', { message: `The instance ID '${IDS.routerB}' does not exist` }));
    await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), MemberNotFoundError);
  });

  it('DescribeInstances throttled → Ec2ThrottledError', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(ec2Error('RequestLimitExceeded', { status: 503 }));
    await rejection(run(ec2StateEvent(IDS.routerA, 'stopping')), Ec2ThrottledError);
  });
});

describe('resolveTargets: events that need nothing (noop, no EC2 call)', () => {
  it('an instance in no group', async () => {
    const r = await run(ec2StateEvent(IDS.stranger, 'stopping'));
    expect(r).toMatchObject({ action: 'noop', noopReason: `instance ${IDS.stranger} belongs to no failover group`, sources: [], pairs: [], targetEnis: [] });
    expect(r.group).toBeUndefined();
    expect(r.trigger.summary).toBe(`EC2 instance ${IDS.stranger} entered stopping`);
    expectNoEc2Call();
  });

  it.each(['running', 'pending'])('a member entering "%s"', async (state) => {
    const r = await run(ec2StateEvent(IDS.routerA, state));
    expect(r.action).toBe('noop');
    expect(r.noopReason).toBe(`EC2 state "${state}" needs no failover`);
    expect(r.group).toEqual({ name: GROUP, vpcId: IDS.vpc });
    expectNoEc2Call();
  });

  it('an alarm back in OK', async () => {
    const r = await run(alarmEvent(IDS.routerA, 'OK'));
    expect(r.action).toBe('noop');
    expect(r.noopReason).toBe('alarm state "OK" needs no failover');
    expectNoEc2Call();
  });

  it('an alarm in INSUFFICIENT_DATA', async () => {
    const r = await run(alarmEvent(IDS.routerA, 'INSUFFICIENT_DATA'));
    expect(r.action).toBe('noop');
    expectNoEc2Call();
  });

  it('an alarm with no InstanceId dimension', async () => {
    const e = alarmEvent(IDS.routerA) as unknown as { detail: Record<string, unknown> };
    delete e.detail.configuration;
    const r = await run(e);
    expect(r.action).toBe('noop');
    expect(r.noopReason).toBe('the alarm names no InstanceId dimension');
    expectNoEc2Call();
  });

  it('an alarm for an instance in no group', async () => {
    const r = await run(alarmEvent(IDS.stranger));
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
  it('switchover to a named running member moves every other member', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('running'), routerB('running')));

    const r = await run(manualRequest({ to: 'router-b', dryRun: true }));

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, { InstanceIds: [IDS.routerA, IDS.routerB] });
    expect(r).toMatchObject({ action: 'failover', dryRun: true, target: { name: 'router-b' }, sources: [{ name: 'router-a', state: 'running' }] });
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
    // With `to` given there is no need to find the active member.
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 0);
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
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('running'), routerB(state)));
    const err = await rejection(run(manualRequest({ to: 'router-b' })), TargetUnhealthyError);
    expect(err.message).toContain(`router-b (${IDS.routerB}) is ${state}`);
  });

  it('failback goes to the preferred member', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('running'), routerB('running')));
    const r = await run({ action: 'failback', group: GROUP, requestedBy: 'oncall' });
    expect(r.target?.name).toBe('router-a');
    expect(r.sources.map((s) => s.name)).toEqual(['router-b']);
    expect(r.trigger).toMatchObject({ kind: 'manual', action: 'failback', summary: 'failback to router-a requested by oncall' });
  });

  it('failback without a preferred member → InvalidRequestError, before any EC2 call', async () => {
    const err = await rejection(run({ action: 'failback', group: GROUP }, config({ preferred: null })), InvalidRequestError);
    expect(err.message).toContain('no preferred member');
    expectNoEc2Call();
  });

  it('failback to a member other than the preferred one → InvalidRequestError', async () => {
    await rejection(run({ action: 'failback', group: GROUP, to: 'router-b' }), InvalidRequestError);
  });

  it('failback when the preferred member is not running → TargetUnhealthyError', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('stopped'), routerB('running')));
    await rejection(run({ action: 'failback', group: GROUP }), TargetUnhealthyError);
  });

  it('switchover without "to" reads the route tables to find the active member and moves away from it', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('running'), routerB('running')));
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        routeTable(IDS.rtbPrivateA, [localRoute(), eniRoute('10.1.0.0/16', IDS.eniB0), eniRoute('10.2.0.0/16', IDS.eniB1)]),
        routeTable(IDS.rtbPrivateB, [eniRoute(IDS.prefixList, IDS.eniB0), eniRoute('10.9.0.0/16', IDS.eniA0)]),
      ],
    });

    const r = await run({ action: 'switchover', group: GROUP, requestedBy: 'netops' });

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, { Filters: [{ Name: 'vpc-id', Values: [IDS.vpc] }] });
    expect(r.target?.name).toBe('router-a');
    expect(r.sources.map((s) => s.name)).toEqual(['router-b']);
  });

  it('switchover without "to" reads only the group\'s scoped route tables', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('running'), routerB('running')));
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])] });

    const r = await run({ action: 'switchover', group: GROUP }, config({ routeTables: { tag: { key: 'failover-group', value: GROUP } } }));

    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'vpc-id', Values: [IDS.vpc] },
        { Name: 'tag:failover-group', Values: [GROUP] },
      ],
    });
    expect(r.target?.name).toBe('router-b');
  });

  it('switchover without "to" when no route points at a member → InvalidRequestError', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('running'), routerB('running')));
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [localRoute()])] });
    const err = await rejection(run({ action: 'switchover', group: GROUP }), InvalidRequestError);
    expect(err.message).toContain('name the target with "to"');
  });

  it('switchover without "to" and no running peer → NoHealthyTargetError', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('running'), routerB('stopped')));
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [eniRoute('10.1.0.0/16', IDS.eniA0)])] });
    await rejection(run({ action: 'switchover', group: GROUP }), NoHealthyTargetError);
  });

  it('a target without interfaces in some slots still resolves (pairs carry no toEni)', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves(describeInstancesOutput(routerA('running'), instance(IDS.routerB, 'running', [[IDS.eniB0, 0]], 'eu-west-1b')));
    const r = await run(manualRequest({ to: 'router-b' }));
    expect(r.pairs).toEqual([
      { slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniB0 },
      { slot: '0/1', fromMember: 'router-a', fromEni: IDS.eniA1, toEni: undefined },
    ]);
  });
});
