import { InvalidRequestError } from '../../functions/contract/errors';
import { alarmInstanceId, type AlarmStateChangeEvent, parseTrigger } from '../../functions/contract/triggers';
import { alarmEvent, ec2StateEvent, GROUP, IDS, manualRequest } from './fixtures';

/** Runs parseTrigger, expects an InvalidRequestError and returns its message. */
const rejection = (raw: unknown): string => {
  try {
    parseTrigger(raw);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidRequestError);
    expect((e as Error).name).toBe('InvalidRequestError');
    return (e as Error).message;
  }
  throw new Error('expected an InvalidRequestError, nothing was thrown');
};

describe('parseTrigger: events as AWS delivers them', () => {
  it('classifies an EC2 stopping event', () => {
    const t = parseTrigger(ec2StateEvent(IDS.routerA, 'stopping'));
    expect(t.kind).toBe('instance-state');
    if (t.kind !== 'instance-state') throw new Error('unreachable');
    expect(t.event.detail).toEqual({ 'instance-id': IDS.routerA, state: 'stopping' });
    expect(t.event.id).toBe('0b7e3f5c-8a44-4d52-9b0c-3e7d9e2f6a11');
    expect(t.event.time).toBe('2026-11-25T14:30:00Z');
  });

  it("classifies an EC2 running event (the decision to ignore it is not the parser's)", () => {
    const t = parseTrigger(ec2StateEvent(IDS.routerB, 'running'));
    expect(t.kind).toBe('instance-state');
    if (t.kind !== 'instance-state') throw new Error('unreachable');
    expect(t.event.detail.state).toBe('running');
    expect(t.event.detail['instance-id']).toBe(IDS.routerB);
  });

  it('classifies a CloudWatch status-check alarm', () => {
    const t = parseTrigger(alarmEvent(IDS.routerA, 'ALARM', 'router-a-status'));
    expect(t.kind).toBe('alarm');
    if (t.kind !== 'alarm') throw new Error('unreachable');
    expect(t.event.detail.alarmName).toBe('router-a-status');
    expect(t.event.detail.state.value).toBe('ALARM');
    expect(alarmInstanceId(t.event)).toBe(IDS.routerA);
  });

  it('classifies a manual request and fills dryRun', () => {
    const { dryRun: _omitted, ...req } = manualRequest();
    const t = parseTrigger(req);
    expect(t).toEqual({
      kind: 'manual',
      request: {
        action: 'switchover',
        group: GROUP,
        to: 'router-b',
        reason: 'patch router-a (CHG-1042)',
        requestedBy: 'netops',
        dryRun: false,
      },
    });
  });

  it('accepts a failback request with only action and group', () => {
    expect(parseTrigger({ action: 'failback', group: GROUP })).toEqual({
      kind: 'manual',
      request: { action: 'failback', group: GROUP, dryRun: false },
    });
  });

  it('keeps dryRun: true', () => {
    const t = parseTrigger(manualRequest({ dryRun: true }));
    expect(t.kind === 'manual' && t.request.dryRun).toBe(true);
  });
});

describe('alarmInstanceId', () => {
  const parsedAlarm = (event: unknown): AlarmStateChangeEvent => {
    const t = parseTrigger(event);
    if (t.kind !== 'alarm') throw new Error(`expected an alarm, got ${t.kind}`);
    return t.event;
  };

  it('reads the InstanceId dimension', () => {
    expect(alarmInstanceId(parsedAlarm(alarmEvent(IDS.routerB)))).toBe(IDS.routerB);
  });

  it('takes the first metric that has an InstanceId (metric math alarms have several)', () => {
    const e = alarmEvent(IDS.routerB) as unknown as { detail: { configuration: { metrics: unknown[] } } };
    e.detail.configuration.metrics.unshift({
      id: 'e1',
      expression: 'MAX(METRICS())',
      label: 'worst',
      returnData: true,
    });
    expect(alarmInstanceId(parsedAlarm(e))).toBe(IDS.routerB);
  });

  it('is undefined when no metric names an instance', () => {
    const e = alarmEvent(IDS.routerA) as { detail: Record<string, unknown> };
    e.detail.configuration = {
      metrics: [
        {
          id: 'm1',
          metricStat: {
            metric: { namespace: 'AWS/EC2', name: 'CPUUtilization', dimensions: { AutoScalingGroupName: 'x' } },
          },
        },
      ],
    };
    expect(alarmInstanceId(parsedAlarm(e))).toBeUndefined();
    delete e.detail.configuration;
    expect(alarmInstanceId(parsedAlarm(e))).toBeUndefined();
  });
});

describe('parseTrigger: rejections', () => {
  it.each([
    ['a string', 'switchover'],
    ['a number', 42],
    ['a boolean', true],
    ['undefined', undefined],
    ['null', null],
    ['an array', [manualRequest()]],
  ])('rejects %s as not a JSON object', (_name, raw) => {
    expect(rejection(raw)).toMatch(/must be a JSON object/);
  });

  it('rejects an unknown event source, naming it', () => {
    const e = { ...ec2StateEvent(), source: 'aws.s3', 'detail-type': 'Object Created' };
    expect(rejection(e)).toMatch(/unsupported event source "aws\.s3"/);
  });

  it('rejects an aws.ec2 event of another detail-type', () => {
    const e = { ...ec2StateEvent(), 'detail-type': 'EC2 Spot Instance Interruption Warning' };
    expect(rejection(e)).toMatch(/invalid EC2 state-change event: detail-type/);
  });

  it('rejects an EC2 event without an instance ID', () => {
    const e = ec2StateEvent() as { detail: Record<string, unknown> };
    delete e.detail['instance-id'];
    expect(rejection(e)).toMatch(/detail\.instance-id/);
  });

  it('rejects an object that is neither an event nor a request', () => {
    expect(rejection({ group: GROUP, to: 'router-b' })).toMatch(/neither an EventBridge event .* nor a manual request/);
  });

  it('rejects a manual request that smuggles in an interface ID', () => {
    const msg = rejection(manualRequest({ networkInterfaceId: IDS.eniB0 }));
    expect(msg).toMatch(/invalid manual request/);
    expect(msg).toMatch(/field\(s\) not allowed: networkInterfaceId/);
  });

  it('rejects a bad action, naming the field', () => {
    expect(rejection(manualRequest({ action: 'failover' }))).toMatch(/invalid manual request: action: /);
  });

  it('rejects a group name with spaces', () => {
    expect(rejection(manualRequest({ group: 'onprem edge' }))).toMatch(/group: a configured group name/);
  });

  it('rejects a bad "to"', () => {
    expect(rejection(manualRequest({ to: 'router b; rm -rf' }))).toMatch(/to: a member name of the group/);
  });

  it('rejects a non-boolean dryRun', () => {
    expect(rejection(manualRequest({ dryRun: 'yes' }))).toMatch(/dryRun: /);
  });

  it('rejects a reason over 512 characters and accepts one of exactly 512', () => {
    expect(rejection(manualRequest({ reason: 'x'.repeat(513) }))).toMatch(/reason: /);
    const t = parseTrigger(manualRequest({ reason: 'x'.repeat(512) }));
    expect(t.kind === 'manual' && t.request.reason).toHaveLength(512);
  });

  it('rejects requestedBy over 256 characters', () => {
    expect(rejection(manualRequest({ requestedBy: 'y'.repeat(257) }))).toMatch(/requestedBy: /);
  });

  it('rejects an input over 64 KiB before looking at its shape', () => {
    const e = { ...ec2StateEvent(), padding: 'p'.repeat(64 * 1024) };
    expect(rejection(e)).toMatch(/^input is \d+ bytes; a request is at most 65536$/);
  });

  it('counts bytes, not characters, against the 64 KiB limit', () => {
    // 22,000 three-byte characters: 22,000 characters but 66,000 bytes.
    const e = { ...ec2StateEvent(), padding: '\u20ac'.repeat(22000) };
    expect(rejection(e)).toMatch(/bytes; a request is at most 65536/);
  });
});
