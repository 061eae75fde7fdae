import { classifyTrigger } from '../../functions/domain/classify';
import { parseConfig } from '../../functions/contract/config';
import { InvalidRequestError, UnknownGroupError, UnknownMemberError } from '../../functions/contract/errors';
import { TriggerSchema } from '../../functions/contract/schemas';
import { parseTrigger } from '../../functions/contract/triggers';

/** The probe's request as the workflow reads it: parseTrigger (strict schema) and classifyTrigger (config lookup). */

const config = () =>
  parseConfig({
    groups: [
      {
        name: 'onprem-edge',
        vpcId: 'vpc-0123456789abcdef0',
        members: [
          { name: 'router-a', instanceId: 'i-0a1b2c3d4e5f60001' },
          { name: 'router-b', instanceId: 'i-0a1b2c3d4e5f60002' },
        ],
      },
    ],
  });

const request = (over: Record<string, unknown> = {}) => ({
  source: 'vpc-route-failover.probe',
  group: 'onprem-edge',
  member: 'router-a',
  failedRounds: 3,
  firstFailureAt: '2026-11-25T14:30:10.300Z',
  lastError: '10.0.1.10:179 timeout: no answer within 1000 ms',
  probe: {
    ports: [179, 22],
    intervalMs: 250,
    downAfterMs: 1000,
    locations: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  },
  ...over,
});

const NAME = 'probe-onprem-edge-router-a-1795617010300';

describe('probe request: parseTrigger', () => {
  it("is kind 'probe'", () => {
    expect(parseTrigger(request())).toEqual({ kind: 'probe', request: request() });
  });

  it.each([
    ['an extra field (a target)', { to: 'router-b' }, /field\(s\) not allowed: to/],
    [
      'an interface smuggled into the probe block',
      {
        probe: {
          ports: [179],
          intervalMs: 250,
          downAfterMs: 1000,
          locations: ['subnet-0123456789abcdef0'],
          eni: 'eni-1',
        },
      },
      /not allowed: eni/,
    ],
    ['a bad group name', { group: 'bad name!' }, /group/],
    ['a zero round count', { failedRounds: 0 }, /failedRounds/],
    ['a non-ISO start', { firstFailureAt: 'yesterday' }, /firstFailureAt/],
  ])('rejects %s', (_what, over, message) => {
    expect(() => parseTrigger(request(over))).toThrow(InvalidRequestError);
    expect(() => parseTrigger(request(over))).toThrow(message);
  });

  it('still rejects an unknown source, naming the probe among the expected ones', () => {
    expect(() => parseTrigger({ source: 'vpc-route-failover.probes', group: 'g' })).toThrow(
      /unsupported event source .*vpc-route-failover\.probe\)/,
    );
  });
});

describe('probe request: classifyTrigger', () => {
  it(`an automatic failure of that member, looked up in the config; \
the summary says which probe, how many rounds, the last error`, () => {
    const c = classifyTrigger(request(), config(), NAME);
    expect(c).toMatchObject({
      action: 'failover',
      automatic: true,
      group: { name: 'onprem-edge' },
      failing: { name: 'router-a', instanceId: 'i-0a1b2c3d4e5f60001' },
      triggerId: NAME,
    });
    if (c.action !== 'failover') throw new Error('unreachable');
    // Fresh when the execution starts: no event time for the stale-event check to compare.
    expect(c.triggerTime).toBeUndefined();
    expect(c.trigger).toEqual({
      kind: 'probe',
      instanceId: 'i-0a1b2c3d4e5f60001',
      summary:
        'health probe: router-a (i-0a1b2c3d4e5f60001) failed 3 consecutive ' +
        'round(s) of TCP 179, 22 (every 250 ms, down after 1000 ms) ' +
        'since 2026-11-25T14:30:10.300Z, agreed by subnet-0123456789abcdef0, subnet-0123456789abcdef1; ' +
        'last error: 10.0.1.10:179 timeout: no answer within 1000 ms',
    });
    expect(TriggerSchema.parse(c.trigger)).toEqual(c.trigger);
  });

  it('an unknown group or member is a named error', () => {
    expect(() => classifyTrigger(request({ group: 'elsewhere' }), config(), NAME)).toThrow(UnknownGroupError);
    expect(() => classifyTrigger(request({ member: 'router-z' }), config(), NAME)).toThrow(UnknownMemberError);
  });
});
