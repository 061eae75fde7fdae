import { classifyTrigger, type Classified } from '../../functions/domain/classify';
import { type FailoverConfig, parseConfig } from '../../functions/contract/config';
import { InvalidRequestError, UnknownGroupError, UnknownMemberError } from '../../functions/contract/errors';
import { PROBE_SOURCE } from '../../functions/contract/triggers';
import { alarmEvent, configInput, ec2StateEvent, GROUP, IDS, manualRequest } from './fixtures';

const EXECUTION_NAME = '7f6c2b0e-0d61-4a1e-9d55-2a2f2a2f2a2f';

/** The suite's group plus a second group (router-c and a stranger-free member), so group lookup is not trivial. */
const config = (opts: { preferred?: string | null } = {}): FailoverConfig => {
  const input = configInput();
  if (opts.preferred === null) delete input.groups[0].preferred;
  else if (opts.preferred !== undefined) input.groups[0].preferred = opts.preferred;
  input.groups.push({
    name: 'dc-edge',
    vpcId: IDS.otherVpc,
    members: [
      { name: 'edge-1', instanceId: IDS.routerC },
      { name: 'edge-2', instanceId: 'i-0ee55555555555555' },
    ],
  });
  return parseConfig(input);
};

const classify = (raw: unknown, cfg: FailoverConfig = config()) => classifyTrigger(raw, cfg, EXECUTION_NAME);

const asFailover = (c: Classified) => {
  if (c.action !== 'failover') throw new Error(`expected a failover, got noop: ${c.reason}`);
  return c;
};
const asNoop = (c: Classified) => {
  if (c.action !== 'noop') throw new Error('expected a noop, got a failover');
  return c;
};

/** Expects classifyTrigger to throw the named error class; returns its message. */
const rejection = (raw: unknown, type: new (...args: never[]) => Error, cfg: FailoverConfig = config()): string => {
  let thrown: unknown;
  try {
    classify(raw, cfg);
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(type);
  expect((thrown as Error).name).toBe(type.name);
  return (thrown as Error).message;
};

/** A probe failure request (what functions/probe starts the workflow with). */
const probeRequest = (overrides: Record<string, unknown> = {}) => ({
  source: PROBE_SOURCE,
  group: GROUP,
  member: 'router-a',
  failedRounds: 3,
  firstFailureAt: '2026-11-25T14:29:50.000Z',
  lastError: 'connect ETIMEDOUT 10.0.1.10:179',
  probe: {
    ports: [179],
    intervalMs: 250,
    downAfterMs: 1000,
    locations: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  },
  ...overrides,
});

describe('classifyTrigger: automatic triggers that need a failover', () => {
  it.each(['stopping', 'stopped', 'shutting-down', 'terminated'])('an EC2 "%s" event of a member', (state) => {
    const c = asFailover(classify(ec2StateEvent(IDS.routerA, state)));

    expect(c.group.name).toBe(GROUP);
    expect(c.failing).toEqual({ name: 'router-a', instanceId: IDS.routerA });
    expect(c.automatic).toBe(true);
    expect(c.request).toBeUndefined();
    expect(c.trigger).toEqual({
      kind: 'instance-state',
      summary: `EC2 instance ${IDS.routerA} (router-a) entered ${state}`,
      eventId: '0b7e3f5c-8a44-4d52-9b0c-3e7d9e2f6a11',
      eventTime: '2026-11-25T14:30:00Z',
      instanceId: IDS.routerA,
      instanceState: state,
    });
  });

  it('carries the event time (stale-event guard) and the event ID (flap damping, re-runs)', () => {
    const c = asFailover(classify(ec2StateEvent(IDS.routerA, 'stopping')));
    expect(c.triggerTime).toBe('2026-11-25T14:30:00Z');
    expect(c.triggerId).toBe('0b7e3f5c-8a44-4d52-9b0c-3e7d9e2f6a11');
  });

  it('an event without an ID is identified by the execution name', () => {
    const e: Record<string, unknown> = ec2StateEvent(IDS.routerA, 'stopping');
    delete e.id;
    expect(asFailover(classify(e)).triggerId).toBe(EXECUTION_NAME);
  });

  it('a status-check alarm in ALARM names the member of its InstanceId dimension', () => {
    const c = asFailover(classify(alarmEvent(IDS.routerB, 'ALARM', 'router-b-status')));
    expect(c.failing?.name).toBe('router-b');
    expect(c.automatic).toBe(true);
    expect(c.triggerTime).toBe('2026-11-25T14:31:00Z');
    expect(c.triggerId).toBe('5d0c8e3a-2b1f-4c7d-8e9a-0f1e2d3c4b5a');
    expect(c.trigger).toMatchObject({ kind: 'alarm', alarmName: 'router-b-status', instanceId: IDS.routerB });
    expect(c.trigger.summary).toBe(`alarm router-b-status entered ALARM for router-b (${IDS.routerB})`);
  });

  it('finds the group that owns the instance among several', () => {
    const c = asFailover(classify(ec2StateEvent(IDS.routerC, 'stopped')));
    expect(c.group.name).toBe('dc-edge');
    expect(c.failing?.name).toBe('edge-1');
  });

  it('a member declared down by the probe: automatic, identified by the execution name, no event time', () => {
    const c = asFailover(classify(probeRequest()));
    expect(c).toMatchObject({
      group: { name: GROUP },
      failing: { name: 'router-a' },
      automatic: true,
      triggerId: EXECUTION_NAME,
    });
    expect(c.triggerTime).toBeUndefined();
    expect(c.trigger).toMatchObject({ kind: 'probe', instanceId: IDS.routerA });
    expect(c.trigger.summary).toContain('failed 3 consecutive round(s) of TCP 179');
  });

  it('a probe request for an unknown member → UnknownMemberError', () => {
    rejection(probeRequest({ member: 'router-z' }), UnknownMemberError);
  });
});

describe('classifyTrigger: no-ops (with the reason)', () => {
  it('a member entering "pending": noop naming the state, with its group', () => {
    const c = asNoop(classify(ec2StateEvent(IDS.routerA, 'pending')));
    expect(c.reason).toBe('EC2 state "pending" needs no failover');
    expect(c.group?.name).toBe(GROUP);
    expect(c.trigger.summary).toBe(`EC2 instance ${IDS.routerA} (router-a) entered pending`);
  });

  it('a member entering "running" in a group without automatic failback: noop, with its group', () => {
    // Automatic failback (group.autoFailback) is the only thing a running event can start; it is off here.
    const c = asNoop(classify(ec2StateEvent(IDS.routerA, 'running')));
    expect(c.reason).toContain('running');
    expect(c.group?.name).toBe(GROUP);
  });

  it.each(['OK', 'INSUFFICIENT_DATA'])('an alarm in %s', (value) => {
    const c = asNoop(classify(alarmEvent(IDS.routerA, value)));
    expect(c.reason).toBe(`alarm state "${value}" needs no failover`);
    expect(c.group?.name).toBe(GROUP);
  });

  it('an alarm without an InstanceId dimension', () => {
    const e = alarmEvent(IDS.routerA) as unknown as { detail: Record<string, unknown> };
    delete e.detail.configuration;
    const c = asNoop(classify(e));
    expect(c.reason).toBe('the alarm names no InstanceId dimension');
    expect(c.group).toBeUndefined();
  });

  it('an instance in no group (EC2 event and alarm)', () => {
    const e = asNoop(classify(ec2StateEvent(IDS.stranger, 'stopping')));
    expect(e.reason).toBe(`instance ${IDS.stranger} belongs to no failover group`);
    expect(e.group).toBeUndefined();
    expect(e.trigger.summary).toBe(`EC2 instance ${IDS.stranger} entered stopping`);

    const a = asNoop(classify(alarmEvent(IDS.stranger)));
    expect(a.reason).toBe(`instance ${IDS.stranger} belongs to no failover group`);
  });
});

describe('classifyTrigger: manual requests', () => {
  it('a switchover: not automatic, no trigger time, identified by the execution name', () => {
    const c = asFailover(classify(manualRequest({ to: 'router-b' })));
    expect(c).toMatchObject({ group: { name: GROUP }, automatic: false, triggerId: EXECUTION_NAME });
    expect(c.triggerTime).toBeUndefined();
    expect(c.failing).toBeUndefined();
    expect(c.request).toEqual({
      action: 'switchover',
      group: GROUP,
      to: 'router-b',
      reason: 'patch router-a (CHG-1042)',
      requestedBy: 'netops',
      dryRun: false,
    });
    expect(c.trigger).toEqual({
      kind: 'manual',
      summary: 'switchover to router-b requested by netops: patch router-a (CHG-1042)',
      action: 'switchover',
      requestedBy: 'netops',
      reason: 'patch router-a (CHG-1042)',
    });
  });

  it('dryRun defaults to false', () => {
    expect(asFailover(classify({ action: 'switchover', group: GROUP, to: 'router-b' })).request?.dryRun).toBe(false);
  });

  it('a switchover without "to" or requester', () => {
    const c = asFailover(classify({ action: 'switchover', group: GROUP }));
    expect(c.trigger.summary).toBe('switchover requested by unknown requester');
  });

  it('a failback names the preferred member', () => {
    const c = asFailover(classify({ action: 'failback', group: GROUP, requestedBy: 'oncall' }));
    expect(c.trigger.summary).toBe('failback to router-a requested by oncall');
  });

  it('unknown group → UnknownGroupError listing the configured groups', () => {
    expect(rejection(manualRequest({ group: 'nope' }), UnknownGroupError)).toBe(
      `unknown group "nope" (configured: ${GROUP}, dc-edge)`,
    );
  });

  it("a member of another group → UnknownMemberError listing this group's members", () => {
    const message = rejection(manualRequest({ to: 'edge-1' }), UnknownMemberError);
    expect(message).toBe(`group "${GROUP}" has no member "edge-1" (members: router-a, router-b)`);
  });

  it.each([
    ['an extra field (an ENI smuggled in)', manualRequest({ toEni: IDS.eniB0 })],
    ['an unknown action', manualRequest({ action: 'reboot' })],
    ['a group name that is not a name', manualRequest({ group: '../etc' })],
    ['not an object', 'switchover'],
    ['an unsupported event source', { source: 'aws.s3', 'detail-type': 'Object Created', detail: {} }],
  ])('%s → InvalidRequestError', (_name, raw) => {
    rejection(raw, InvalidRequestError);
  });
});
