import { PublishCommand, type PublishCommandInput, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { notify, type NotifyInput, NotifyInputSchema } from '../../functions/notify/notify';
import { AuditRecordSchema, type NotifyState } from '../../functions/contract/audit-record';
import { InvalidRequestError, NotifyTransientError } from '../../functions/contract/errors';
import { batchChanges } from '../../functions/domain/plan';
import { parseInput } from '../../functions/contract/parse-input';
import {
  acquireFailedState,
  batchFailure,
  batchResult,
  change,
  ec2StateEvent,
  execution,
  GROUP,
  healthyMember,
  heldLease,
  IDS,
  lambdaCause,
  manualRequest,
  NOW,
  observed,
  OTHER_EXECUTION,
  planWith,
  resolvedState,
  resolveFailedState,
  succeededState,
  twoBatches,
  twoChanges,
} from '../unit/fixtures';
import { snsError } from './ec2-fixtures';

const snsMock = mockClient(SNSClient);
const sns = new SNSClient({ region: 'eu-west-1' });
const TOPIC = `arn:aws:sns:eu-west-1:${IDS.account}:vpc-route-failover`;

beforeEach(() => snsMock.reset());

/** The Notify input as the state machine builds it, parsed the way index.ts parses it. */
const input = (state: unknown = succeededState()): NotifyInput =>
  parseInput(NotifyInputSchema, { state, execution: execution() }, 'Notify input');
const run = (i: NotifyInput) => notify(i, { sns, topicArn: TOPIC, now: () => NOW });
const published = (): PublishCommandInput => snsMock.commandCalls(PublishCommand)[0].args[0].input;

describe('notify: what is published', () => {
  it('publishes one message to the topic with subject, body and filterable attributes', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-1' });

    await run(input());

    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: `[FAILOVER OK] ${GROUP}: router-a -> router-b, 2 route(s)`,
      MessageAttributes: expect.objectContaining({
        group: { DataType: 'String', StringValue: GROUP },
        outcome: { DataType: 'String', StringValue: 'succeeded' },
      }),
    });
    const msg = published().Message ?? '';
    expect(msg).toContain(`for group ${GROUP}`);
    expect(msg).toContain(IDS.executionArn);
    expect(msg).toContain('https://eu-west-1.console.aws.amazon.com/states/home');
  });

  it('keeps the subject ASCII and under 100 characters with the longest names', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-2' });
    const s = succeededState();
    s.group = { name: 'g'.repeat(63), vpcId: IDS.vpc };
    s.sources = [{ name: 'a'.repeat(63), instanceId: IDS.routerA, state: 'stopping' }];
    s.target = { name: 'b'.repeat(63), instanceId: IDS.routerB, state: 'running' };

    await run(input(s));

    const subject = published().Subject ?? '';
    expect(subject.length).toBeGreaterThan(0);
    expect(subject.length).toBeLessThanOrEqual(99);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('returns the audit record (the execution output)', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-3' });

    const record = await run(input());

    expect(AuditRecordSchema.parse(record)).toEqual(record);
    expect(record).toMatchObject({
      outcome: 'succeeded',
      group: GROUP,
      counts: { replaced: 2 },
      finishedAt: NOW.toISOString(),
    });
    expect(record.execution.id).toBe(IDS.executionArn);
  });

  it('tags a partial failover as critical with outcome "partial"', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-4' });
    const s = succeededState();
    const [, c2] = twoChanges();
    const [b1, b2] = twoBatches();
    s.results = [
      batchResult(b1),
      batchFailure(b2, 'RouteReplaceError', lambdaCause('RouteReplaceError', 'UnauthorizedOperation')),
    ];
    s.verification = {
      ...s.verification!,
      ok: false,
      mismatches: 1,
      observed: [observed(c2, { target: c2.fromEni, ok: false, problem: 'points at old interface' })],
    };

    const record = await run(input(s));

    expect(record.outcome).toBe('partial');
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      MessageAttributes: expect.objectContaining({
        outcome: { DataType: 'String', StringValue: 'partial' },
        severity: { DataType: 'String', StringValue: 'critical' },
      }),
    });
  });

  it('notifies a failure at ResolveTargets on an EC2 event ({ input: raw event, failure, lease })', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-5' });
    const state = resolveFailedState(
      ec2StateEvent(IDS.routerA, 'stopping'),
      'NoHealthyTargetError',
      'router-b is stopped',
      heldLease(),
    );

    const record = await run(input(state));

    expect(record).toMatchObject({
      outcome: 'failed',
      error: 'NoHealthyTargetError',
      failure: { stage: 'ResolveTargets' },
    });
    // The lease is in the record so that ReleaseLease can give it back.
    expect(record.lease).toMatchObject({ group: GROUP });
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: expect.stringMatching(/^\[FAILOVER FAILED\] .*, NoHealthyTargetError$/),
      MessageAttributes: expect.objectContaining({
        outcome: { DataType: 'String', StringValue: 'failed' },
        severity: { DataType: 'String', StringValue: 'critical' },
      }),
    });
    expect(published().Message).toContain(
      'Cause:      ResolveTargets failed: router-b is stopped. No route was changed.',
    );
  });

  it(`notifies a failure at AcquireLease ({ input: raw \
event, failure }, no lease): the group is not known yet`, async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-5b' });
    const state = acquireFailedState(
      ec2StateEvent(IDS.routerA, 'stopping'),
      'LeaseBusyError',
      `group "${GROUP}" is being switched by ${OTHER_EXECUTION}; waiting for it to finish`,
    );

    const record = await run(input(state));

    expect(record).toMatchObject({ outcome: 'failed', error: 'LeaseBusyError', failure: { stage: 'AcquireLease' } });
    expect(record.lease).toBeUndefined();
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: '[FAILOVER FAILED] unknown group, LeaseBusyError',
      MessageAttributes: expect.objectContaining({
        group: { DataType: 'String', StringValue: 'unknown' },
        outcome: { DataType: 'String', StringValue: 'failed' },
        severity: { DataType: 'String', StringValue: 'critical' },
      }),
    });
    expect(published().Message).toContain(
      `Cause:      AcquireLease failed: group "${GROUP}" is being switched by ${OTHER_EXECUTION}`,
    );
  });

  it('notifies a failure at ResolveTargets on a manual request ({ input: raw request, failure, lease })', async () => {
    // The most common manual failures (unknown group/member, target not running) reach Notify this way; the
    // request's "action" ("switchover") and "group" (a string) must not clash with the state's fields.
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-6' });
    const state = resolveFailedState(
      manualRequest({ to: 'router-b' }),
      'TargetUnhealthyError',
      `target router-b (${IDS.routerB}) is stopped, not running: nothing was changed`,
    );

    let parsed: NotifyInput | undefined;
    expect(() => (parsed = input(state))).not.toThrow(InvalidRequestError);
    const record = await run(parsed!);

    expect(record).toMatchObject({
      outcome: 'failed',
      error: 'TargetUnhealthyError',
      failure: { stage: 'ResolveTargets' },
    });
    expect(record.trigger).toEqual({
      kind: 'manual',
      summary: `manual switchover request for group ${GROUP}`,
      unresolved: true,
    });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(published().Message).toContain(`Trigger:    manual switchover request for group ${GROUP}`);
  });

  it('notifies a noop', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-7' });
    const s: NotifyState = {
      action: 'noop',
      noopReason: `instance ${IDS.stranger} belongs to no failover group`,
      trigger: { kind: 'instance-state', summary: `EC2 instance ${IDS.stranger} entered stopping` },
      dryRun: false,
      sources: [],
      pairs: [],
      targetEnis: [],
      execution: execution(),
    };
    const record = await run(input(s));
    expect(record.outcome).toBe('noop');
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: '[NO CHANGE] unknown group, nothing to move',
    });
  });
});

describe('notify: lease, health and flap damping', () => {
  it('publishes a suppressed automatic failover as critical, with the manual switchover as next step', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-8' });
    const reason =
      `flap damping: group "${GROUP}" already failed over automatically 3 time(s) in the last 3600 s (limit 3; ` +
      `last at 2026-11-25T14:20:00.000Z). Automatic failover suppressed; a manual switchover is never suppressed.`;
    const state: NotifyState = {
      ...resolvedState(),
      automatic: true,
      lease: heldLease(),
      suppressReason: reason,
      failure: {
        Error: 'FailoverSuppressedError',
        Cause: lambdaCause('FailoverSuppressedError', `${reason} 2 route(s) still point at router-a.`),
      },
    };

    const record = await run(input(state));

    expect(record).toMatchObject({ outcome: 'suppressed', error: 'FailoverSuppressedError', group: GROUP });
    expect(AuditRecordSchema.parse(record)).toEqual(record);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: expect.stringMatching(/^\[FAILOVER SUPPRESSED\] onprem-edge: router-a -> router-b/),
      MessageAttributes: expect.objectContaining({
        group: { DataType: 'String', StringValue: GROUP },
        outcome: { DataType: 'String', StringValue: 'suppressed' },
        severity: { DataType: 'String', StringValue: 'critical' },
      }),
    });
    const msg = published().Message ?? '';
    expect(msg).toContain('2 route(s) still point at router-a');
    expect(msg).toMatch(/\nNext: .*manual switchover/);
  });

  it('puts the health gate and a lease takeover in the message', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-9' });
    const s = succeededState();
    s.lease = heldLease({ tookOverFrom: OTHER_EXECUTION });
    s.health = [
      { ...healthyMember('router-a'), state: 'stopping', healthy: false, problems: ['instance is stopping'] },
      healthyMember('router-b'),
    ];

    const record = await run(input(s));

    expect(record.lease).toEqual({ group: GROUP, acquiredAt: heldLease().acquiredAt, tookOverFrom: OTHER_EXECUTION });
    expect(record.health).toEqual(s.health);
    const msg = published().Message ?? '';
    expect(msg).toContain('Health:     router-a: instance is stopping');
    expect(msg).toContain('Health:     router-b: ok');
    expect(msg).toContain(`Lease:      taken over from ${OTHER_EXECUTION} (no longer running)`);
  });
});

describe('notify: conflicts and large failovers', () => {
  const CONFLICT = `points at igw-0123456789abcdef0 now, not at ${IDS.eniA1}: changed by someone else, left alone`;
  const conflictState = () => {
    const s = succeededState();
    const [b1, b2] = twoBatches();
    s.results = [batchResult(b1), batchResult(b2, [{ i: 0, st: 'conflict', e: CONFLICT }])];
    return s;
  };
  /** `n` replaced routes of rtbPrivateA (batches of 20), the last one refused by EC2 and still on router-a. */
  const largeState = (n: number) => {
    const changes = Array.from({ length: n }, (_, i) =>
      change({ destination: { kind: 'ipv4', value: `10.${100 + Math.floor(i / 200)}.${i % 200}.0/24` } }),
    );
    const batches = batchChanges(changes, resolvedState().pairs!);
    const last = batches[batches.length - 1];
    const s = succeededState();
    s.plan = planWith(batches);
    s.results = batches.map((b) =>
      b === last
        ? batchResult(b, [{ i: b.routes.length - 1, st: 'failed', a: 1, e: 'UnauthorizedOperation: no' }])
        : batchResult(b),
    );
    const failed = changes[n - 1];
    s.verification = {
      checked: n,
      ok: false,
      mismatches: 1,
      rounds: 1,
      observed: [observed(failed, { target: failed.fromEni, ok: false, problem: 'points at old interface' })],
      verifiedAt: NOW.toISOString(),
    };
    return { s, failed };
  };

  it('a conflict is published as a critical partial failover with the route and what happened to it', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-10' });

    const record = await run(input(conflictState()));

    expect(record).toMatchObject({ outcome: 'partial', counts: { conflicts: 1, replaced: 1 } });
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      Subject: `[FAILOVER PARTIAL] ${GROUP}: router-a -> router-b, 2 route(s)`,
      MessageAttributes: expect.objectContaining({
        outcome: { DataType: 'String', StringValue: 'partial' },
        severity: { DataType: 'String', StringValue: 'critical' },
      }),
    });
    const msg = published().Message ?? '';
    expect(msg).toMatch(
      new RegExp(`\\n\\s+conflict\\s+${IDS.rtbPrivateB}\\s+${IDS.prefixList}\\s+${IDS.eniA1} \\(router-a, active\\)`),
    );
    expect(msg).toContain(`Failures:\n  ${IDS.rtbPrivateB} ${IDS.prefixList}: ${CONFLICT}`);
  });

  it('the Routes line accounts for conflicts (the counts add up to the planned routes)', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-11' });

    await run(input(conflictState()));

    const line = (published().Message ?? '').split('\n').find((l) => l.startsWith('Routes:'));
    expect(line).toMatch(/\b1 conflicts?\b/);
  });

  it('a large failover: the record lists 200 routes, the failed one first, and stays small', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-12' });
    const { s, failed } = largeState(450);

    const record = await run(input(s));

    expect(record).toMatchObject({
      outcome: 'partial',
      routesOmitted: 250,
      counts: { planned: 450, replaced: 449, failed: 1 },
    });
    expect(record.routes).toHaveLength(200);
    expect(record.routes[0]).toMatchObject({ destination: failed.destination, status: 'failed', verified: false });
    expect(Buffer.byteLength(JSON.stringify(record))).toBeLessThan(256 * 1024);
    const msg = published().Message ?? '';
    // The route table of the message starts with the problem.
    const rows = msg.split('\n').filter((l) => /^\s+(replaced|failed)/.test(l));
    expect(rows[0]).toMatch(
      new RegExp(`^\\s+failed!\\s+${IDS.rtbPrivateA}\\s+${failed.destination.value.replace(/\./g, '\\.')}`),
    );
    expect(Buffer.byteLength(msg)).toBeLessThan(256 * 1024);
  });

  it('a large failover: the message says how many routes it does not list', async () => {
    snsMock.on(PublishCommand).resolves({ MessageId: 'm-13' });

    await run(input(largeState(450).s));

    const msg = published().Message ?? '';
    expect(msg.split('\n').filter((l) => /^\s+replaced\s/.test(l))).toHaveLength(199);
    // 250 routes are neither in the message nor in the record: a reader must be told.
    expect(msg).toMatch(/\b250\b[^\n]*(more|omitted|not listed)/);
  });
});

describe('notify: errors', () => {
  it.each([
    ['ThrottledException (SNS throttling)', snsError('ThrottledException', { status: 429, message: 'Rate exceeded' })],
    ['Throttling', snsError('Throttling', { status: 400, message: 'Rate exceeded' })],
    ['InternalErrorException (500)', snsError('InternalErrorException', { fault: 'server', status: 500 })],
    // The topic is encrypted with a KMS key (infra), so Publish can be throttled by KMS as well.
    [
      'KMSThrottlingException (KMS throttling on an encrypted topic)',
      snsError('KMSThrottlingException', { status: 400, message: 'Rate exceeded for KMS' }),
    ],
  ])('%s → NotifyTransientError (retried by the state machine)', async (_name, err) => {
    snsMock.on(PublishCommand).rejects(err);

    const thrown = await run(input()).catch((e: unknown) => e);

    expect(thrown).toBeInstanceOf(NotifyTransientError);
    expect(thrown).toMatchObject({ name: 'NotifyTransientError', transient: true });
    expect((thrown as Error).message).toContain(err.name);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a permanent error (AuthorizationErrorException) is not turned into a transient one', async () => {
    snsMock.on(PublishCommand).rejects(snsError('AuthorizationErrorException', { status: 403 }));

    const thrown = await run(input()).catch((e: unknown) => e);

    expect(thrown).not.toBeInstanceOf(NotifyTransientError);
    expect((thrown as Error).name).toBe('AuthorizationErrorException');
  });

  it('an input without execution is an InvalidRequestError', () => {
    expect(() => parseInput(NotifyInputSchema, { state: succeededState() }, 'Notify input')).toThrow(
      InvalidRequestError,
    );
  });
});
