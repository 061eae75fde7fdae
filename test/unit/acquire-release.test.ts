import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  acquireLease,
  AcquireLeaseInputSchema,
  EXECUTION_TIMEOUT_SECONDS,
  LEASE_TTL_SECONDS,
} from '../../functions/acquire-lease/acquire-lease';
import {
  releaseLease,
  type ReleaseLeaseInput,
  ReleaseLeaseInputSchema,
} from '../../functions/release-lease/release-lease';
import { buildAuditRecord } from '../../functions/domain/audit';
import type { AuditRecord, NotifyState } from '../../functions/contract/audit-record';
import { parseConfig } from '../../functions/contract/config';
import {
  InvalidRequestError,
  LeaseBusyError,
  StateStoreError,
  UnknownGroupError,
  UnknownMemberError,
} from '../../functions/contract/errors';
import { type GroupStateStore, InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { parseInput } from '../../functions/contract/parse-input';
import { LeaseStateSchema } from '../../functions/contract/schemas';
import {
  alarmEvent,
  batchResult,
  configInput,
  ec2StateEvent,
  execution,
  GROUP,
  heldLease,
  IDS,
  lambdaCause,
  manualRequest,
  NOW,
  observed,
  OTHER_EXECUTION,
  resolveFailedState,
  succeededState,
  twoBatches,
  twoChanges,
} from './fixtures';

const ACQUIRE_NOW = new Date('2026-11-25T14:30:05.500Z');
const STATE_MACHINE_TIMEOUT_SECONDS: number = (
  JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'statemachine', 'failover.asl.json'), 'utf8')) as {
    TimeoutSeconds: number;
  }
).TimeoutSeconds;
const RELEASE_NOW = new Date('2026-11-25T14:30:11.000Z');
const DAY_MS = 86400 * 1000;

/** An in-memory store whose calls are recorded, so a test can say what was (or was not) asked of it. */
const spiedStore = () => {
  const store = new InMemoryGroupStateStore();
  return { store, acquire: jest.spyOn(store, 'acquire'), release: jest.spyOn(store, 'release') };
};

const acquire = (event: unknown, store: GroupStateStore, isExecutionRunning = jest.fn(async (_arn: string) => true)) =>
  acquireLease(parseInput(AcquireLeaseInputSchema, { event, execution: execution() }, 'AcquireLease input'), {
    config: parseConfig(configInput()),
    store,
    isExecutionRunning,
    now: () => ACQUIRE_NOW,
  });

/** Expects the promise to reject with the named error class. */
const rejection = async (p: Promise<unknown>, type: new (...args: never[]) => Error): Promise<Error> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(type);
  expect((err as Error).name).toBe(type.name);
  return err as Error;
};

describe('acquireLease', () => {
  it(`takes the group's lease for this execution, for the \
state machine's lifetime, with the group's history`, async () => {
    const { store, acquire: spy } = spiedStore();

    const out = await acquire(ec2StateEvent(IDS.routerA, 'stopping'), store);

    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy).toHaveBeenCalledWith(GROUP, IDS.executionArn, ACQUIRE_NOW, LEASE_TTL_SECONDS, expect.any(Function));
    // The lease must outlive the execution that holds it: at least the state machine's TimeoutSeconds.
    expect(LEASE_TTL_SECONDS).toBeGreaterThanOrEqual(STATE_MACHINE_TIMEOUT_SECONDS);
    const expiresAt = new Date(ACQUIRE_NOW.getTime() + LEASE_TTL_SECONDS * 1000).toISOString();
    expect(LeaseStateSchema.parse(out)).toEqual(LeaseStateSchema.parse(heldLease({ expiresAt })));
    expect(store.holder(GROUP)).toBe(IDS.executionArn);
  });

  it("takes the lease of a manual request's group", async () => {
    const { store } = spiedStore();
    const out = await acquire(manualRequest({ to: 'router-b' }), store);
    expect(out).toMatchObject({ held: true, group: GROUP, owner: IDS.executionArn });
  });

  it("passes the running check on: a dead holder's lease is taken over", async () => {
    const { store } = spiedStore();
    await store.acquire(
      GROUP,
      OTHER_EXECUTION,
      new Date('2026-11-25T14:29:00.000Z'),
      LEASE_TTL_SECONDS,
      async () => true,
    );
    const isRunning = jest.fn(async (_arn: string) => false);

    const out = await acquire(alarmEvent(IDS.routerA), store, isRunning);

    expect(isRunning).toHaveBeenCalledWith(OTHER_EXECUTION);
    expect(out).toMatchObject({ held: true, owner: IDS.executionArn, tookOverFrom: OTHER_EXECUTION });
  });

  it('a running holder → wait and ask again (WaitForLease), 5 to 15 s a look, naming the holder', async () => {
    const { store } = spiedStore();
    await store.acquire(
      GROUP,
      OTHER_EXECUTION,
      new Date('2026-11-25T14:29:00.000Z'),
      LEASE_TTL_SECONDS,
      async () => true,
    );
    const out = await acquire(ec2StateEvent(IDS.routerA, 'stopping'), store);
    expect(out).toMatchObject({ held: false, group: GROUP, busyHolder: OTHER_EXECUTION });
    expect(out.waitSeconds).toBeGreaterThanOrEqual(5);
    expect(out.waitSeconds).toBeLessThanOrEqual(15);
  });

  it(`waits as long as a failover can hold the lease (far past the \
old 250 s), then LeaseBusyError leaving time for its own work`, async () => {
    const { store } = spiedStore();
    const started = Date.parse(execution().startTime!);
    await store.acquire(GROUP, OTHER_EXECUTION, new Date(started), LEASE_TTL_SECONDS, async () => true);
    const at = (seconds: number) =>
      acquireLease(
        parseInput(
          AcquireLeaseInputSchema,
          { event: ec2StateEvent(IDS.routerA, 'stopping'), execution: execution() },
          'AcquireLease input',
        ),
        {
          config: parseConfig(configInput()),
          store,
          isExecutionRunning: async () => true,
          now: () => new Date(started + seconds * 1000),
          random: () => 0.5,
        },
      );
    // A 2,000-route failover under EC2 throttling holds the lease for about 400 s, after up to 335 s waiting
    // for its target's status checks: the waiter keeps 480 + 335 s of its 1,800 s for the same.
    await expect(at(400)).resolves.toMatchObject({ held: false, waitSeconds: 10 });
    await expect(at(970)).resolves.toMatchObject({ held: false, waitSeconds: 10 });
    const err = await rejection(at(980), LeaseBusyError);
    expect(err.message).toContain('waited 980 s');
    expect(EXECUTION_TIMEOUT_SECONDS).toBe(STATE_MACHINE_TIMEOUT_SECONDS);
  });

  it(`a lease check that DescribeExecution cannot answer: throttling → StateStoreTransientError (retried), access \
denied → StateStoreError`, async () => {
    const { store } = spiedStore();
    await store.acquire(
      GROUP,
      OTHER_EXECUTION,
      new Date('2026-11-25T14:29:00.000Z'),
      LEASE_TTL_SECONDS,
      async () => true,
    );
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
    const denied = Object.assign(new Error('not authorized'), {
      name: 'AccessDeniedException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const e1 = await acquire(
      ec2StateEvent(IDS.routerA, 'stopping'),
      store,
      jest.fn(async (_arn: string): Promise<boolean> => {
        throw throttled;
      }),
    ).catch((e: unknown) => e);
    expect(e1).toBeInstanceOf(StateStoreError);
    expect(e1).toMatchObject({ name: 'StateStoreTransientError', transient: true });
    const e2 = await acquire(
      ec2StateEvent(IDS.routerA, 'stopping'),
      store,
      jest.fn(async (_arn: string): Promise<boolean> => {
        throw denied;
      }),
    ).catch((e: unknown) => e);
    expect(e2).toMatchObject({ name: 'StateStoreError', transient: false });
  });

  it.each([
    ['a member entering "running"', ec2StateEvent(IDS.routerA, 'running')],
    ['an instance in no group', ec2StateEvent(IDS.stranger, 'stopping')],
    ['an alarm back in OK', alarmEvent(IDS.routerA, 'OK')],
  ])('%s needs nothing: no lease, no store call', async (_name, event) => {
    const { store, acquire: spy } = spiedStore();

    const out = await acquire(event, store);

    expect(out).toEqual({ held: false });
    expect(spy).not.toHaveBeenCalled();
  });

  it.each([
    ['not an event or request', { hello: 'world' }, InvalidRequestError],
    ['a manual request with an extra field', manualRequest({ toEni: IDS.eniB0 }), InvalidRequestError],
    ['an unknown group', manualRequest({ group: 'nope' }), UnknownGroupError],
    ['an unknown member', manualRequest({ to: 'router-z' }), UnknownMemberError],
  ] as const)('bad input (%s) fails by name before any store call', async (_name, event, type) => {
    const { store, acquire: spy } = spiedStore();
    await rejection(acquire(event, store), type);
    expect(spy).not.toHaveBeenCalled();
  });
});

describe('releaseLease', () => {
  /** The record Notify returns for `state`, as the state machine hands it to ReleaseLease. */
  const recordOf = (state: NotifyState): AuditRecord =>
    JSON.parse(JSON.stringify(buildAuditRecord(state, execution(), state.input, NOW))) as AuditRecord;
  const release = (record: unknown, store: GroupStateStore, executionId: string = IDS.executionArn) =>
    releaseLease(
      parseInput(ReleaseLeaseInputSchema, { record, executionId }, 'ReleaseLease input') as ReleaseLeaseInput,
      { store, now: () => RELEASE_NOW },
    );
  /** A store where this execution holds the group's lease. */
  const holding = async () => {
    const s = spiedStore();
    await s.store.acquire(GROUP, IDS.executionArn, ACQUIRE_NOW, LEASE_TTL_SECONDS, async () => true);
    return s;
  };
  const withLease = (state: NotifyState): NotifyState => ({ ...state, lease: heldLease() });

  it('records an automatic switch (event time and ID) when routes moved, and gives the lease back', async () => {
    const { store, release: spy } = await holding();

    const out = await release(recordOf(withLease(succeededState())), store);

    expect(out).toEqual({ released: true, recorded: true });
    expect(spy).toHaveBeenCalledWith(
      GROUP,
      IDS.executionArn,
      {
        at: NOW.toISOString(),
        triggerTime: '2026-11-25T14:30:00Z',
        executionId: IDS.executionArn,
        from: ['router-a'],
        automatic: true,
        triggerId: '0b7e3f5c-8a44-4d52-9b0c-3e7d9e2f6a11',
        to: 'router-b',
      },
      new Date(RELEASE_NOW.getTime() - DAY_MS),
    );
    expect(store.holder(GROUP)).toBeUndefined();
    // The next execution sees it.
    const next = await store.acquire(GROUP, OTHER_EXECUTION, RELEASE_NOW, LEASE_TTL_SECONDS, async () => true);
    expect(next.history.lastSwitch?.triggerId).toBe('0b7e3f5c-8a44-4d52-9b0c-3e7d9e2f6a11');
    expect(next.history.automaticSwitches).toHaveLength(1);
  });

  it('records a partial switch too: some routes moved', async () => {
    const { store, release: spy } = await holding();
    const s = withLease(succeededState());
    const [, c2] = twoChanges();
    const [b1, b2] = twoBatches();
    s.results = [
      batchResult(b1),
      batchResult(b2, [{ i: 0, st: 'failed', a: 1, e: 'UnauthorizedOperation: not authorized' }]),
    ];
    s.verification = {
      ...s.verification!,
      ok: false,
      mismatches: 1,
      observed: [observed(c2, { target: c2.fromEni, ok: false, problem: 'still on router-a' })],
    };
    const record = recordOf(s);
    expect(record.outcome).toBe('partial');

    await expect(release(record, store)).resolves.toEqual({ released: true, recorded: true });
    expect(spy.mock.calls[0][2]).toMatchObject({ automatic: true, to: 'router-b' });
  });

  it('a manual switchover is recorded as not automatic, timed and identified by its execution', async () => {
    const { store, release: spy } = await holding();
    const s = withLease(succeededState());
    s.trigger = {
      kind: 'manual',
      summary: 'switchover to router-b requested by netops',
      action: 'switchover',
      requestedBy: 'netops',
    };

    await release(recordOf(s), store);

    expect(spy.mock.calls[0][2]).toEqual({
      at: NOW.toISOString(),
      triggerTime: execution().startTime,
      executionId: IDS.executionArn,
      from: ['router-a'],
      automatic: false,
      triggerId: execution().name,
      to: 'router-b',
    });
    const next = await store.acquire(GROUP, OTHER_EXECUTION, RELEASE_NOW, LEASE_TTL_SECONDS, async () => true);
    expect(next.history.lastSwitch?.automatic).toBe(false);
    expect(next.history.automaticSwitches).toEqual([]);
  });

  it.each([
    [
      'noop',
      (): NotifyState => ({
        ...succeededState(),
        action: 'noop',
        noopReason: 'stale event',
        plan: undefined,
        results: undefined,
        verification: undefined,
      }),
    ],
    [
      'dry-run',
      (): NotifyState => {
        const s = succeededState();
        s.dryRun = true;
        s.results = twoBatches().map((b) => batchResult(b, [], 'dry-run'));
        s.verification = undefined;
        return s;
      },
    ],
    [
      'suppressed',
      (): NotifyState => ({
        ...succeededState(),
        plan: undefined,
        results: undefined,
        verification: undefined,
        failure: { Error: 'FailoverSuppressedError', Cause: lambdaCause('FailoverSuppressedError', 'flap damping') },
      }),
    ],
    [
      'failed (replaced but none verified)',
      (): NotifyState => {
        const s = succeededState();
        s.verification = {
          ...s.verification!,
          ok: false,
          mismatches: 2,
          observed: twoChanges().map((c) => observed(c, { ok: false, state: 'blackhole', problem: 'blackhole' })),
        };
        return s;
      },
    ],
  ])('%s: gives the lease back, records no switch', async (outcome, make) => {
    const { store, release: spy } = await holding();
    const record = recordOf(withLease(make()));
    expect(record.outcome).toBe(outcome.split(' ')[0]);

    await expect(release(record, store)).resolves.toEqual({ released: true, recorded: false });
    expect(spy.mock.calls[0][2]).toBeUndefined();
    expect(store.holder(GROUP)).toBeUndefined();
  });

  it("uses the lease's group when the record has none (ResolveTargets failed)", async () => {
    const { store, release: spy } = await holding();
    const record = recordOf(resolveFailedState(ec2StateEvent(), 'NoHealthyTargetError', 'router-b is stopped'));
    expect(record.group).toBe(GROUP); // known from the lease even though ResolveTargets failed

    await expect(release(record, store)).resolves.toEqual({ released: true, recorded: false });
    expect(spy).toHaveBeenCalledWith(GROUP, IDS.executionArn, undefined, expect.any(Date));
  });

  it('without a group or a lease (AcquireLease failed) does nothing', async () => {
    const { store, release: spy } = spiedStore();
    const record = { outcome: 'failed', trigger: { kind: 'unknown', summary: 'x' } };
    await expect(release(record, store)).resolves.toEqual({ released: false, recorded: false });
    expect(spy).not.toHaveBeenCalled();
  });

  it('records nothing when this execution no longer holds the lease (it was taken over)', async () => {
    const { store } = spiedStore();
    await store.acquire(GROUP, OTHER_EXECUTION, ACQUIRE_NOW, LEASE_TTL_SECONDS, async () => true);

    await expect(release(recordOf(withLease(succeededState())), store)).resolves.toEqual({
      released: false,
      recorded: false,
    });
    expect(store.holder(GROUP)).toBe(OTHER_EXECUTION);
  });

  it('is idempotent (a retried ReleaseLease)', async () => {
    const { store } = await holding();
    const record = recordOf(withLease(succeededState()));
    await release(record, store);
    await expect(release(record, store)).resolves.toEqual({ released: false, recorded: false });
  });

  it('uses the release time when the record has no finishedAt', async () => {
    const { store, release: spy } = await holding();
    const record: Record<string, unknown> = { ...recordOf(withLease(succeededState())) };
    delete record.finishedAt;
    await release(record, store);
    expect(spy.mock.calls[0][2]).toMatchObject({ at: RELEASE_NOW.toISOString() });
  });
});
