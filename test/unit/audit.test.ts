import {
  AUDIT_ROUTES_MAX,
  buildAuditRecord,
  causeText,
  consoleUrl,
  describeRawEvent,
} from '../../functions/domain/audit';
import { AuditRecordSchema, type NotifyState, NotifyStateSchema } from '../../functions/contract/audit-record';
import { renderMessage, renderSubject, severityOf } from '../../functions/notify/notify';
import { batchChanges } from '../../functions/domain/plan';
import type { BatchResult, BatchRouteResult, ObservedRoute } from '../../functions/contract/schemas';
import {
  acquireFailedState,
  BATCH_AT,
  batchFailure,
  batchResult,
  change,
  ec2StateEvent,
  healthyMember,
  heldLease,
  execution,
  GROUP,
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
} from './fixtures';

/** Builds the record the way Notify does (the raw input, if any, is under `input`) and checks it against its schema. */
const record = (state: NotifyState) => {
  const r = buildAuditRecord(state, execution(), state.input, NOW);
  expect(AuditRecordSchema.safeParse(r).success).toBe(true);
  return r;
};

const UNAUTHORIZED = 'UnauthorizedOperation: You are not authorized to perform this operation.';

/** router-a → router-b where EC2 refused the prefix-list route, which still points at router-a. */
const partialState = (): NotifyState => {
  const [, c2] = twoChanges();
  const [b1, b2] = twoBatches();
  const s = succeededState();
  s.results = [batchResult(b1), batchResult(b2, [{ i: 0, st: 'failed', a: 1, e: UNAUTHORIZED }])];
  s.verification = {
    checked: 2,
    ok: false,
    mismatches: 1,
    rounds: 1,
    observed: [
      observed(c2, {
        target: c2.fromEni,
        ok: false,
        problem: `points at ${c2.fromEni}, expected new interface ${c2.toEni}`,
      }),
    ],
    verifiedAt: '2026-11-25T14:30:09.000Z',
  };
  return s;
};

/** Every route of twoChanges() had this status in a dry run (EC2 accepted them) and reads back unchanged. */
const dryRunState = (): NotifyState => {
  const [b1, b2] = twoBatches();
  const s = succeededState();
  s.dryRun = true;
  s.results = [batchResult(b1, [], 'dry-run'), batchResult(b2, [], 'dry-run')];
  return s;
};

/** A conflict: someone pointed the prefix-list route at a third target meanwhile; SwitchItems left it alone. */
const CONFLICT = `points at igw-0123456789abcdef0 now, not at ${IDS.eniA1}: changed by someone else, left alone`;
const conflictState = (): NotifyState => {
  const [b1, b2] = twoBatches();
  const s = succeededState();
  s.results = [batchResult(b1), batchResult(b2, [{ i: 0, st: 'conflict', e: CONFLICT, t: 'igw-0123456789abcdef0' }])];
  // VerifySwitch expects a conflict untouched: it reads back fine and is not listed.
  return s;
};

/**
 * A large failover: `n` routes of rtbPrivateA in batches of 20, every one replaced except those given by
 * index (in the whole plan) with their batch exception.
 */
const largeState = (n: number, exceptions: Record<number, Omit<BatchRouteResult, 'i'>> = {}) => {
  const changes = Array.from({ length: n }, (_, i) =>
    change({ destination: { kind: 'ipv4', value: `10.${100 + Math.floor(i / 200)}.${i % 200}.0/24` } }),
  );
  const batches = batchChanges(changes, resolvedState().pairs!);
  let offset = 0;
  const results: BatchResult[] = batches.map((b) => {
    const own = b.routes.flatMap((_, i) => (exceptions[offset + i] ? [{ i, ...exceptions[offset + i] }] : []));
    offset += b.routes.length;
    return batchResult(b, own);
  });
  const s: NotifyState = {
    ...resolvedState(),
    plan: planWith(batches, { routeTablesScanned: 1, routesScanned: n + 1 }),
    results,
    verification: {
      checked: n,
      ok: true,
      mismatches: 0,
      rounds: 1,
      observed: [],
      verifiedAt: '2026-11-25T14:30:40.000Z',
    },
  };
  return { s, changes, batches };
};

describe('buildAuditRecord', () => {
  it('succeeded: every route replaced and read back on the target', () => {
    const r = record(succeededState());

    expect(r).toMatchObject({
      record: 'vpc-route-failover/audit',
      version: 1,
      outcome: 'succeeded',
      group: GROUP,
      vpcId: IDS.vpc,
      dryRun: false,
      to: { name: 'router-b', instanceId: IDS.routerB },
      counts: {
        planned: 2,
        replaced: 2,
        failed: 0,
        vanished: 0,
        dryRun: 0,
        conflicts: 0,
        alreadyOnTarget: 0,
        skipped: 0,
        mismatches: 0,
      },
      verification: { checked: 2, ok: true, mismatches: 0, rounds: 1 },
      startedAt: '2026-11-25T14:30:05.000Z',
      finishedAt: '2026-11-25T14:30:10.000Z',
      durationMs: 5000,
    });
    expect(r.error).toBeUndefined();
    expect(r.cause).toBeUndefined();
    expect(r.failure).toBeUndefined();
    expect(r.routesOmitted).toBeUndefined();
    expect(r.from.map((m) => m.name)).toEqual(['router-a']);
    expect(r.trigger).toMatchObject({ kind: 'instance-state', instanceId: IDS.routerA, instanceState: 'stopping' });
    expect(r.summary).toBe(`${GROUP}: router-a -> router-b, 2 route(s) moved and verified`);
    expect(r.routes).toEqual([
      expect.objectContaining({
        routeTableId: IDS.rtbPrivateA,
        destination: { kind: 'ipv4', value: '10.1.0.0/16' },
        status: 'replaced',
        before: { target: IDS.eniA0, member: 'router-a', state: 'active' },
        after: { target: IDS.eniB0, member: 'router-b', state: 'active' },
        verified: true,
        attempts: 1,
        error: undefined,
        problem: undefined,
      }),
      expect.objectContaining({
        routeTableId: IDS.rtbPrivateB,
        destination: { kind: 'prefix-list', value: IDS.prefixList },
        status: 'replaced',
        before: { target: IDS.eniA1, member: 'router-a', state: 'active' },
        after: { target: IDS.eniB1, member: 'router-b', state: 'active' },
        verified: true,
      }),
    ]);
  });

  it('keeps when each route was replaced (the time its batch finished)', () => {
    // The record used to carry `at` per route; BatchResult still has it and AuditRouteSchema still has the field.
    const r = record(succeededState());
    expect(r.routes.map((x) => x.at)).toEqual([BATCH_AT, BATCH_AT]);
  });

  it('records the attempts a route needed (from its batch exception), one otherwise', () => {
    const s = succeededState();
    const [b1, b2] = twoBatches();
    s.results = [batchResult(b1, [{ i: 0, st: 'replaced', a: 3 }]), batchResult(b2)];
    const r = record(s);
    expect(r.routes.map((x) => [x.status, x.attempts])).toEqual([
      ['replaced', 3],
      ['replaced', 1],
    ]);
    expect(r.outcome).toBe('succeeded');
  });

  it('succeeded: a route that vanished meanwhile is reported, not counted as a failure', () => {
    const s = succeededState();
    const [b1, b2] = twoBatches();
    s.results = [
      batchResult(b1),
      batchResult(b2, [
        { i: 0, st: 'vanished', a: 1, e: "InvalidParameterValue: There is no route defined for 'pl-…'" },
      ]),
    ];
    const r = record(s);
    expect(r.outcome).toBe('succeeded');
    expect(r.counts).toMatchObject({ replaced: 1, vanished: 1, failed: 0 });
    expect(r.routes[1]).toMatchObject({ status: 'vanished', after: null, error: undefined });
    expect(r.summary).toContain('1 vanished meanwhile (not re-created)');
  });

  it('a route its batch found already on the target (a batch retried after throttling) counts as moved', () => {
    const s = succeededState();
    const [b1, b2] = twoBatches();
    s.results = [batchResult(b1, [{ i: 0, st: 'already-on-target' }]), batchResult(b2)];
    const r = record(s);
    expect(r.outcome).toBe('succeeded');
    expect(r.counts).toMatchObject({ planned: 2, replaced: 2, failed: 0 });
    expect(r.routes[0]).toMatchObject({
      status: 'already-on-target',
      verified: true,
      after: { target: IDS.eniB0, member: 'router-b', state: 'active' },
    });
    expect(r.summary).toBe(`${GROUP}: router-a -> router-b, 2 route(s) moved and verified`);
  });

  it('noop: keeps the reason ResolveTargets gave', () => {
    const s: NotifyState = {
      action: 'noop',
      noopReason: 'EC2 state "running" needs no failover',
      trigger: {
        kind: 'instance-state',
        summary: `EC2 instance ${IDS.routerA} (router-a) entered running`,
        instanceId: IDS.routerA,
        instanceState: 'running',
      },
      dryRun: false,
      group: { name: GROUP, vpcId: IDS.vpc },
      sources: [],
      pairs: [],
      targetEnis: [],
      execution: execution(),
      resolvedAt: '2026-11-25T14:30:06.000Z',
    };
    const r = record(s);
    expect(r.outcome).toBe('noop');
    expect(r.error).toBeUndefined();
    expect(r.routes).toEqual([]);
    expect(r.summary).toBe(`${GROUP}: no change: EC2 state "running" needs no failover`);
  });

  it('noop: every route already on the target (grouped per table, counted)', () => {
    const s = resolvedState();
    s.plan = planWith([], {
      alreadyOnTarget: [
        { routeTableId: IDS.rtbPrivateA, destinations: ['10.1.0.0/16', '10.2.0.0/16'] },
        { routeTableId: IDS.rtbPrivateB, destinations: [IDS.prefixList] },
      ],
      alreadyOnTargetCount: 3,
    });
    s.results = [];
    const r = record(s);
    expect(r.outcome).toBe('noop');
    expect(r.counts.alreadyOnTarget).toBe(3);
    expect(r.alreadyOnTarget).toEqual([
      { routeTableId: IDS.rtbPrivateA, destinations: ['10.1.0.0/16', '10.2.0.0/16'] },
      { routeTableId: IDS.rtbPrivateB, destinations: [IDS.prefixList] },
    ]);
    expect(r.summary).toContain('already on target (3 route(s) on router-b)');
  });

  it('dry-run: EC2 accepted every request, nothing changed', () => {
    const r = record(dryRunState());
    expect(r.outcome).toBe('dry-run');
    expect(r.dryRun).toBe(true);
    expect(r.counts).toMatchObject({ planned: 2, dryRun: 2, replaced: 0, failed: 0 });
    expect(r.routes.map((x) => x.after?.target)).toEqual([IDS.eniA0, IDS.eniA1]);
    expect(r.routes.map((x) => x.after?.member)).toEqual(['router-a', 'router-a']);
    expect(r.summary).toBe(`${GROUP}: dry run router-a -> router-b: would move 2 route(s); nothing changed`);
  });

  it('dry-run that EC2 refuses is a failure, not a dry-run', () => {
    const s = dryRunState();
    const [, c2] = twoChanges();
    const [b1, b2] = twoBatches();
    s.results = [
      batchResult(b1, [], 'dry-run'),
      batchResult(b2, [{ i: 0, st: 'failed', a: 1, e: UNAUTHORIZED }], 'dry-run'),
    ];
    s.verification = {
      ...s.verification!,
      ok: false,
      mismatches: 1,
      observed: [observed(c2, { target: c2.fromEni, expected: 'target', ok: false, problem: 'points at old' })],
    };
    const r = record(s);
    expect(r.outcome).toBe('failed');
    expect(r.error).toBe('DryRunFailed');
    expect(r.cause).toMatch(/^dry run: 1 of 2 routes would fail/);
    expect(r.cause).toContain(UNAUTHORIZED);
  });

  it('partial: one route failed, the other switched', () => {
    const r = record(partialState());

    expect(r.outcome).toBe('partial');
    expect(r.error).toBe('RoutesNotSwitched');
    expect(r.counts).toMatchObject({ planned: 2, replaced: 1, failed: 1, mismatches: 1 });
    expect(r.routes[0]).toMatchObject({ status: 'replaced', verified: true });
    expect(r.routes[1]).toMatchObject({
      status: 'failed',
      verified: false,
      attempts: 1,
      before: { target: IDS.eniA1, member: 'router-a' },
      after: { target: IDS.eniA1, member: 'router-a', state: 'active' },
      error: UNAUTHORIZED,
      problem: `points at ${IDS.eniA1}, expected new interface ${IDS.eniB1}`,
    });
    expect(r.cause).toMatch(/^1 of 2 routes are not on router-b \(1 switched\): /);
    expect(r.cause).toContain(`${IDS.rtbPrivateB} ${IDS.prefixList}: ${UNAUTHORIZED}`);
    expect(r.summary).toBe(`${GROUP}: PARTIAL router-a -> router-b: 1 of 2 route(s) moved; see failures`);
  });

  it(`a batch that failed as a whole (RecordBatchFailure): its \
routes failed with the error and the unwrapped Lambda cause`, () => {
    const s = partialState();
    const [b1, b2] = twoBatches();
    const message =
      `ReplaceRoute ${IDS.rtbPrivateB} ${IDS.prefixList} → ${IDS.eniB1}: ` +
      `RequestLimitExceeded after 8 attempt(s): Request limit exceeded.`;
    s.results = [batchResult(b1), batchFailure(b2, 'Ec2ThrottledError', lambdaCause('Ec2ThrottledError', message))];
    const r = record(s);

    expect(r.outcome).toBe('partial');
    expect(r.routes[1]).toMatchObject({ status: 'failed', error: `Ec2ThrottledError: ${message}`, verified: false });
    expect(r.cause).toContain(`${IDS.rtbPrivateB} ${IDS.prefixList}: Ec2ThrottledError: ReplaceRoute`);
    // The Lambda-style JSON Cause is unwrapped to its errorMessage.
    expect(r.cause).not.toContain('"errorType"');
  });

  it('verification is the last word: a failed route that reads back on target is good', () => {
    const s = partialState();
    s.verification = { ...s.verification!, ok: true, mismatches: 0, observed: [] };
    const r = record(s);
    expect(r.outcome).toBe('succeeded');
    expect(r.routes[1]).toMatchObject({ status: 'failed', verified: true });
  });

  it('conflict: the route is listed with what happened, counted, and the outcome is partial', () => {
    const r = record(conflictState());

    expect(r.outcome).toBe('partial');
    expect(r.counts).toMatchObject({ planned: 2, replaced: 1, failed: 0, conflicts: 1, mismatches: 0 });
    expect(r.routes[1]).toMatchObject({
      routeTableId: IDS.rtbPrivateB,
      destination: { kind: 'prefix-list', value: IDS.prefixList },
      status: 'conflict',
      before: { target: IDS.eniA1, member: 'router-a' },
      error: CONFLICT,
    });
    expect(r.error).toBeDefined();
    expect(r.cause).toMatch(/^1 of 2 routes are not on router-b \(1 switched\): /);
    expect(r.cause).toContain(`${IDS.rtbPrivateB} ${IDS.prefixList}: ${CONFLICT}`);
    expect(r.summary).toMatch(/PARTIAL/);
    expect(severityOf(r)).toBe('critical');
  });

  it("conflict: the route still exists (on someone else's target), so the record must not say it is absent", () => {
    // `after: null` is what a vanished route gets, and Notify renders it as "absent".
    const r = record(conflictState());
    expect(r.routes[1].after).not.toBeNull();
    const row = renderMessage(r)
      .split('\n')
      .find((l) => /^\s+conflict/.test(l));
    expect(row).toBeDefined();
    expect(row).not.toMatch(/absent\s*$/);
  });

  it('conflict on every route: nothing switched → failed', () => {
    const s = succeededState();
    const [b1, b2] = twoBatches();
    s.results = [
      batchResult(b1, [{ i: 0, st: 'conflict', e: 'points at eni-0fffffffffffffff0 now' }]),
      batchResult(b2, [{ i: 0, st: 'conflict', e: CONFLICT }]),
    ];
    const r = record(s);
    expect(r.outcome).toBe('failed');
    expect(r.counts.conflicts).toBe(2);
  });

  it('failed at ResolveTargets: the state is the raw event (under `input`) plus `failure`', () => {
    const state = resolveFailedState(
      ec2StateEvent(IDS.routerA, 'stopping'),
      'NoHealthyTargetError',
      `group "${GROUP}" has no running member to move routes to: ` +
        `router-b (${IDS.routerB}) is stopped. Nothing was changed.`,
    );
    const parsed = NotifyStateSchema.parse(state);
    const r = record(parsed);

    expect(r.outcome).toBe('failed');
    expect(r.error).toBe('NoHealthyTargetError');
    expect(r.failure).toEqual({
      stage: 'ResolveTargets',
      error: 'NoHealthyTargetError',
      cause:
        `group "${GROUP}" has no running member to move routes to: ` +
        `router-b (${IDS.routerB}) is stopped. Nothing was changed.`,
    });
    expect(r.cause).toMatch(
      new RegExp(
        `^ResolveTargets failed: group "onprem-edge" has no running member to move routes to: ` +
          String.raw`router-b \(i-0bb22222222222222\) is stopped\.`,
      ),
    );
    expect(r.cause).toMatch(/No route was changed\.$/);
    expect(r.trigger).toEqual({
      kind: 'instance-state',
      summary: 'EC2 Instance State-change Notification from aws.ec2',
      unresolved: true,
    });
    expect(r.routes).toEqual([]);
    expect(r.summary).toContain('FAILED');
    expect(r.summary).toContain('(no route changed)');
    // The lease AcquireLease granted is in the record: ReleaseLease needs its group to give it back.
    expect(r.lease).toEqual({ group: GROUP, acquiredAt: heldLease().acquiredAt, tookOverFrom: undefined });
  });

  it('failed at ResolveTargets on a manual request: the raw request plus `failure` is a valid Notify state', () => {
    // A manual request carries action "switchover" and group "<name>" (a string): kept under `input`, they
    // must not clash with the state's own `action` and `group`.
    const state = resolveFailedState(
      manualRequest({ to: 'router-z' }),
      'UnknownMemberError',
      `group "${GROUP}" has no member "router-z" (members: router-a, router-b)`,
    );
    const parsed = NotifyStateSchema.safeParse(state);
    expect(parsed.error?.issues ?? []).toEqual([]);
    const r = record(parsed.data as NotifyState);
    expect(r.outcome).toBe('failed');
    expect(r.failure?.stage).toBe('ResolveTargets');
    expect(r.error).toBe('UnknownMemberError');
    expect(r.trigger.summary).toBe(`manual switchover request for group ${GROUP}`);
  });

  it('failed at PlanSwitch: unpaired interface, nothing changed', () => {
    const s = resolvedState();
    s.failure = {
      Error: 'UnpairedInterfaceError',
      Cause: lambdaCause('UnpairedInterfaceError', 'router-b has no interface in the slot of: …'),
    };
    const r = record(s);
    expect(r.outcome).toBe('failed');
    expect(r.failure).toMatchObject({
      stage: 'PlanSwitch',
      error: 'UnpairedInterfaceError',
      cause: 'router-b has no interface in the slot of: …',
    });
    expect(r.cause).toMatch(/^PlanSwitch failed: router-b has no interface/);
    expect(r.to?.name).toBe('router-b');
  });

  it('failed verification: every route replaced but none reads back on the target', () => {
    const s = succeededState();
    s.verification = {
      checked: 2,
      ok: false,
      mismatches: 2,
      rounds: 4,
      observed: twoChanges().map((c) =>
        observed(c, { state: 'blackhole', ok: false, problem: `blackhole: ${c.toEni} cannot carry traffic` }),
      ),
      verifiedAt: '2026-11-25T14:30:20.000Z',
    };
    const r = record(s);
    expect(r.outcome).toBe('failed');
    expect(r.error).toBe('RoutesNotVerified');
    expect(r.counts).toMatchObject({ replaced: 2, failed: 0, mismatches: 2 });
    expect(r.routes.map((x) => x.verified)).toEqual([false, false]);
    expect(r.routes[0].problem).toBe(`blackhole: ${IDS.eniB0} cannot carry traffic`);
    expect(r.routes[0].after).toEqual({ target: IDS.eniB0, member: 'router-b', state: 'blackhole' });
    expect(r.cause).toContain(`${IDS.rtbPrivateA} 10.1.0.0/16: blackhole: ${IDS.eniB0} cannot carry traffic`);
    expect(r.verification).toEqual({ checked: 2, ok: false, mismatches: 2, rounds: 4 });
  });

  it('failed verification: one route points elsewhere after the write (mismatch) → partial', () => {
    const s = succeededState();
    const [c1] = twoChanges();
    s.verification = {
      ...s.verification!,
      ok: false,
      mismatches: 1,
      observed: [
        observed(c1, {
          target: 'eni-0ffffffffffffffff',
          ok: false,
          problem: `points at eni-0ffffffffffffffff, expected new interface ${c1.toEni}`,
        }),
      ],
    };
    const r = record(s);
    expect(r.outcome).toBe('partial');
    expect(r.error).toBe('RoutesNotVerified');
    expect(r.routes[0]).toMatchObject({
      status: 'replaced',
      verified: false,
      after: { target: 'eni-0ffffffffffffffff', member: undefined },
    });
    expect(r.routes[1]).toMatchObject({ status: 'replaced', verified: true });
  });

  it('failed verification of a route that was already on the target is not reported as success', () => {
    // VerifySwitch also reads back the routes PlanSwitch found already on the target; a blackhole there means
    // traffic for that destination is dropped, whatever the Map did.
    const s = succeededState();
    const [b1] = twoBatches();
    const destination = { kind: 'ipv4' as const, value: '10.5.0.0/16' };
    s.plan = planWith([b1], {
      alreadyOnTarget: [{ routeTableId: IDS.rtbPublic, destinations: [destination.value] }],
      alreadyOnTargetCount: 1,
    });
    s.results = [batchResult(b1)];
    s.verification = {
      checked: 2,
      ok: false,
      mismatches: 1,
      rounds: 1,
      observed: [
        {
          routeTableId: IDS.rtbPublic,
          destination,
          target: IDS.eniB0,
          state: 'blackhole',
          expected: 'target',
          ok: false,
          problem: `blackhole: ${IDS.eniB0} cannot carry traffic`,
        },
      ],
      verifiedAt: '2026-11-25T14:30:09.000Z',
    };
    const r = record(s);
    expect(r.verification).toMatchObject({ ok: false, mismatches: 1 });
    expect(r.outcome).not.toBe('succeeded');
    expect(['partial', 'failed']).toContain(r.outcome);
    expect(r.cause).toContain(`${IDS.rtbPublic} 10.5.0.0/16 (was already on target): blackhole`);
  });

  it('VerifySwitch itself failed: the stage and its cause are reported', () => {
    const s = succeededState();
    delete s.verification;
    s.verificationFailure = {
      Error: 'Ec2RequestError',
      Cause: lambdaCause('Ec2RequestError', 'DescribeRouteTables: UnauthorizedOperation'),
    };
    const r = record(s);
    expect(r.failure).toEqual({
      stage: 'VerifySwitch',
      error: 'Ec2RequestError',
      cause: 'DescribeRouteTables: UnauthorizedOperation',
    });
    expect(['partial', 'failed']).toContain(r.outcome);
    expect(r.cause).toContain(
      'verification could not run: Ec2RequestError: DescribeRouteTables: UnauthorizedOperation',
    );
    // Without a read-back, nothing is claimed verified.
    expect(r.routes.map((x) => x.verified)).toEqual([undefined, undefined]);
  });

  it('Map failed as a whole: planned routes with no result are not-attempted and count as failed', () => {
    const s = succeededState();
    delete s.results;
    delete s.verification;
    s.failure = { Error: 'States.ExceedToleratedFailureThreshold', Cause: 'Map failed' };
    const r = record(s);
    expect(r.failure?.stage).toBe('SwitchItems');
    expect(r.outcome).toBe('failed');
    expect(r.error).toBe('States.ExceedToleratedFailureThreshold');
    expect(r.routes.map((x) => x.status)).toEqual(['not-attempted', 'not-attempted']);
    expect(r.counts.failed).toBe(2);
  });

  it('a batch missing from the Map output is not-attempted', () => {
    const s = succeededState();
    s.results = [s.results![0]];
    delete s.verification;
    const r = record(s);
    expect(r.routes.map((x) => x.status)).toEqual(['replaced', 'not-attempted']);
    expect(r.outcome).toBe('partial');
  });

  it('clips a very long cause', () => {
    const { s, batches } = largeState(200);
    // Every route a different error: nothing to summarize, so the cause must be cut.
    s.results = batches.map((b, k) =>
      batchResult(
        b,
        b.routes.map((_, i) => ({ i, st: 'failed' as const, a: 1, e: `${'x'.repeat(50)} ${k}.${i}` })),
      ),
    );
    delete s.verification;
    const r = record(s);
    expect(r.cause!.length).toBeLessThanOrEqual(4000);
    expect(r.cause).toMatch(/; and 180 more route\(s\) with 180 other error\(s\)$/);
    expect(r.errorGroups).toHaveLength(20);
    const long = largeState(200);
    long.s.results = long.batches.map((b, k) =>
      batchResult(
        b,
        b.routes.map((_, i) => ({ i, st: 'failed' as const, a: 1, e: `${'x'.repeat(300)} ${k}.${i}` })),
      ),
    );
    delete long.s.verification;
    expect(record(long.s).cause).toMatch(/\(truncated\)$/);
  });

  it('routes that failed alike are summarized once, in the cause and in errorGroups', () => {
    const { s, batches } = largeState(200);
    s.results = batches.map((b) =>
      batchResult(
        b,
        b.routes.map((_, i) => ({ i, st: 'failed' as const, a: 1, e: UNAUTHORIZED })),
      ),
    );
    delete s.verification;
    const r = record(s);
    expect(r.cause).toMatch(
      new RegExp(
        `^200 of 200 routes are not on router-b: ${UNAUTHORIZED.replace(/[.()]/g, '\\$&')} \\(200 routes: rtb-\\S+ ` +
          `10\\.\\S+, .*, and 195 more\\)$`,
      ),
    );
    expect(r.errorGroups).toEqual([{ error: UNAUTHORIZED, routes: 200, examples: expect.any(Array) }]);
    expect(r.errorGroups![0].examples).toHaveLength(5);
    const msg = renderMessage(r);
    expect(msg).toContain(`Failures:\n  200 routes: ${UNAUTHORIZED}\n    rtb-`);
    expect(msg).toContain('    … and 195 more');
  });
});

describe('buildAuditRecord: thousands of routes', () => {
  it(`lists at most ${AUDIT_ROUTES_MAX} routes, problems first, \
and says how many were left out; counts cover them all`, () => {
    const { s, changes } = largeState(250, {
      230: { st: 'failed', a: 1, e: UNAUTHORIZED },
      240: { st: 'conflict', e: CONFLICT },
      249: { st: 'vanished', a: 1, e: 'InvalidParameterValue: There is no route defined' },
      7: { st: 'replaced', a: 4 },
    });
    const stillOnA: ObservedRoute = observed(changes[230], {
      target: IDS.eniA0,
      ok: false,
      problem: 'points at old interface',
    });
    s.verification = { ...s.verification!, ok: false, mismatches: 1, observed: [stillOnA] };

    const r = record(s);

    expect(AUDIT_ROUTES_MAX).toBe(200);
    expect(r.routes).toHaveLength(AUDIT_ROUTES_MAX);
    expect(r.routesOmitted).toBe(50);
    expect(r.routes.slice(0, 3).map((x) => [x.destination.value, x.status])).toEqual([
      [changes[230].destination.value, 'failed'],
      [changes[240].destination.value, 'conflict'],
      [changes[249].destination.value, 'vanished'],
    ]);
    expect(r.routes.slice(3).every((x) => x.status === 'replaced' && x.verified === true)).toBe(true);
    expect(r.counts).toMatchObject({
      planned: 250,
      replaced: 247,
      failed: 1,
      conflicts: 1,
      vanished: 1,
      mismatches: 1,
    });
    expect(r.outcome).toBe('partial');
    expect(Buffer.byteLength(JSON.stringify(r))).toBeLessThan(256 * 1024);
  });

  it(`lists every route up to ${AUDIT_ROUTES_MAX}, in plan order, with no routesOmitted`, () => {
    const { s, changes } = largeState(AUDIT_ROUTES_MAX, { 150: { st: 'vanished', a: 1, e: 'gone' } });
    const r = record(s);
    expect(r.routes.map((x) => x.destination.value)).toEqual(changes.map((c) => c.destination.value));
    expect(r.routesOmitted).toBeUndefined();
  });

  it('the PARTIAL summary counts every moved route, not only the listed ones', () => {
    const { s } = largeState(500, { 499: { st: 'conflict', e: CONFLICT } });
    const r = record(s);
    expect(r.outcome).toBe('partial');
    expect(r.counts.replaced).toBe(499);
    expect(r.summary).toBe(`${GROUP}: PARTIAL router-a -> router-b: 499 of 500 route(s) moved; see failures`);
  });

  it('the PARTIAL summary counts routes found already on the target as moved (as counts.replaced does)', () => {
    const s = partialState();
    const [b1, b2] = twoBatches();
    // The batch of the first route was retried after throttling: its route was done by the first invocation.
    s.results = [
      batchResult(b1, [{ i: 0, st: 'already-on-target' }]),
      batchResult(b2, [{ i: 0, st: 'failed', a: 1, e: UNAUTHORIZED }]),
    ];
    const r = record(s);
    expect(r.counts.replaced).toBe(1);
    expect(r.summary).toBe(`${GROUP}: PARTIAL router-a -> router-b: 1 of 2 route(s) moved; see failures`);
  });

  it('more mismatches than VerifySwitch lists: routes it could not list are not claimed verified', () => {
    // Every one of 250 routes reads back blackhole (the target died during the switch). VerifySwitch lists 200
    // problems and counts 250; the 50 it could not list must not turn into "switched".
    const { s, changes } = largeState(250);
    s.verification = {
      checked: 250,
      ok: false,
      mismatches: 250,
      rounds: 4,
      observed: changes
        .slice(0, 200)
        .map((c) =>
          observed(c, { state: 'blackhole', ok: false, problem: `blackhole: ${c.toEni} cannot carry traffic` }),
        ),
      verifiedAt: '2026-11-25T14:30:40.000Z',
    };
    const r = record(s);
    expect(r.counts.mismatches).toBe(250);
    expect(r.outcome).toBe('failed');
    expect(r.cause!.slice(0, 60)).not.toMatch(/\(\d+ switched\)/);
  });
});

/** PlanSwitch refused the plan: flap damping suppressed this automatic failover (nothing moved). */
const suppressedState = (): NotifyState => {
  const reason =
    `flap damping: group "${GROUP}" already failed over automatically 3 time(s) in the last 3600 s (limit 3; last ` +
    `at 2026-11-25T14:20:00.000Z). Automatic failover suppressed; a manual switchover is never suppressed.`;
  return {
    ...resolvedState(),
    automatic: true,
    lease: heldLease(),
    health: [
      { ...healthyMember('router-a'), state: 'stopping', healthy: false, problems: ['instance is stopping'] },
      healthyMember('router-b'),
    ],
    suppressReason: reason,
    failure: {
      Error: 'FailoverSuppressedError',
      Cause: lambdaCause('FailoverSuppressedError', `${reason} 2 route(s) still point at router-a.`),
    },
  };
};

describe('buildAuditRecord: lease, health, flap damping', () => {
  it('failed at AcquireLease: no lease in the state (the AcquireFailed state gives { input, failure })', () => {
    const s = acquireFailedState(
      ec2StateEvent(),
      'LeaseBusyError',
      `group "${GROUP}" is being switched by ${OTHER_EXECUTION}; waiting for it to finish`,
    );
    const r = record(NotifyStateSchema.parse(s));

    expect(r.outcome).toBe('failed');
    expect(r.error).toBe('LeaseBusyError');
    expect(r.failure).toEqual({
      stage: 'AcquireLease',
      error: 'LeaseBusyError',
      cause: `group "${GROUP}" is being switched by ${OTHER_EXECUTION}; waiting for it to finish`,
    });
    expect(r.cause).toBe(
      `AcquireLease failed: group "${GROUP}" is being switched by ` +
        `${OTHER_EXECUTION}; waiting for it to finish. No route was changed.`,
    );
    expect(r.lease).toBeUndefined();
    expect(r.trigger).toEqual({
      kind: 'instance-state',
      summary: 'EC2 Instance State-change Notification from aws.ec2',
      unresolved: true,
    });
    expect(r.summary).toContain('(no route changed)');
  });

  it('failed at AcquireLease on a bad manual request', () => {
    const s = acquireFailedState(
      manualRequest({ group: 'nope' }),
      'UnknownGroupError',
      `unknown group "nope" (configured: ${GROUP})`,
    );
    const r = record(NotifyStateSchema.parse(s));
    expect(r.failure?.stage).toBe('AcquireLease');
    expect(r.error).toBe('UnknownGroupError');
    expect(r.trigger.summary).toBe('manual switchover request for group nope');
  });

  it('failed at ResolveTargets when a lease is in the state, even one that was not granted', () => {
    const s = resolveFailedState(ec2StateEvent(), 'InvalidRequestError', 'ResolveTargets needs the lease', {
      held: false,
    });
    const r = record(NotifyStateSchema.parse(s));
    expect(r.failure?.stage).toBe('ResolveTargets');
    // Only a lease this execution held is reported (and released).
    expect(r.lease).toBeUndefined();
  });

  it('reports the lease held, and whose dead lease it took over', () => {
    const s = succeededState();
    s.lease = heldLease({ tookOverFrom: OTHER_EXECUTION });
    const r = record(s);
    expect(r.lease).toEqual({ group: GROUP, acquiredAt: '2026-11-25T14:30:05.500Z', tookOverFrom: OTHER_EXECUTION });
    expect(r.outcome).toBe('succeeded');
  });

  it('has no lease when the execution held none (a no-op input)', () => {
    const s: NotifyState = {
      ...resolvedState(),
      action: 'noop',
      noopReason: 'EC2 state "running" needs no failover',
      lease: { held: false },
    };
    expect(record(s).lease).toBeUndefined();
  });

  it('keeps what the health gate saw of each member', () => {
    const s = succeededState();
    s.health = [
      { ...healthyMember('router-a'), state: 'stopping', healthy: false, problems: ['instance is stopping'] },
      healthyMember('router-b'),
    ];
    expect(record(s).health).toEqual(s.health);
  });

  it('suppressed: flap damping stopped an automatic failover at PlanSwitch; nothing changed', () => {
    const r = record(suppressedState());

    expect(r.outcome).toBe('suppressed');
    expect(r.error).toBe('FailoverSuppressedError');
    expect(r.failure).toMatchObject({ stage: 'PlanSwitch', error: 'FailoverSuppressedError' });
    expect(r.cause).toMatch(/^flap damping: group "onprem-edge" already failed over automatically 3 time\(s\)/);
    expect(r.cause).toMatch(/2 route\(s\) still point at router-a\. No route was changed\.$/);
    expect(r.summary).toBe(
      `${GROUP}: SUPPRESSED automatic failover router-a -> router-b (flap damping); routes unchanged`,
    );
    expect(r.counts).toMatchObject({ planned: 0, replaced: 0, failed: 0 });
    expect(r.routes).toEqual([]);
    expect(r.lease?.group).toBe(GROUP);
  });
});

describe('causeText', () => {
  it('unwraps a Lambda-style JSON cause to its errorMessage', () => {
    expect(causeText(lambdaCause('TargetUnhealthyError', 'target router-b is stopped'))).toBe(
      'target router-b is stopped',
    );
  });

  it.each([
    ['plain text', 'Map failed', 'Map failed'],
    ['JSON without errorMessage', '{"foo":1}', '{"foo":1}'],
    ['broken JSON', '{"errorMessage": ', '{"errorMessage": '],
    ['undefined', undefined, undefined],
    ['empty', '', ''],
  ])('leaves %s alone', (_name, input, expected) => {
    expect(causeText(input)).toBe(expected);
  });
});

describe('consoleUrl', () => {
  it('links to the execution in the region of its ARN', () => {
    expect(consoleUrl(IDS.executionArn)).toBe(
      'https://eu-west-1.console.aws.amazon.com/states/home?region=eu-west-1' +
        `#/v2/executions/details/${IDS.executionArn}`,
    );
  });

  it('is undefined for something that is not an execution ARN (local runs)', () => {
    expect(consoleUrl('local-execution-1')).toBeUndefined();
    expect(consoleUrl('arn:aws:states:eu-west-1:111122223333:stateMachine:vpc-route-failover')).toBeUndefined();
  });

  it("links to the console of the ARN's partition (China, GovCloud)", () => {
    // The ARN pattern accepts every partition, so the link must use that partition's console domain.
    const cn = 'arn:aws-cn:states:cn-north-1:111122223333:execution:vpc-route-failover:run-1';
    const gov = 'arn:aws-us-gov:states:us-gov-west-1:111122223333:execution:vpc-route-failover:run-1';
    expect(new URL(consoleUrl(cn)!).hostname).toMatch(/\.amazonaws\.cn$/);
    expect(new URL(consoleUrl(gov)!).hostname).toMatch(/amazonaws-us-gov\.com$/);
  });

  it('is part of the record', () => {
    expect(record(succeededState()).execution.consoleUrl).toBe(consoleUrl(IDS.executionArn));
  });
});

describe('describeRawEvent', () => {
  it('summarises events, manual requests and anything else', () => {
    expect(describeRawEvent(ec2StateEvent())).toBe('EC2 Instance State-change Notification from aws.ec2');
    expect(describeRawEvent(manualRequest())).toBe(`manual switchover request for group ${GROUP}`);
    expect(describeRawEvent('x'.repeat(300))).toMatch(/^unrecognised input "x+\.\.\.$/);
    expect(describeRawEvent(undefined)).toBe('unrecognised input undefined');
  });
});

describe('renderSubject', () => {
  const ASCII_PRINTABLE = /^[\x20-\x7e]+$/;

  it('says outcome, group, direction and count', () => {
    expect(renderSubject(record(succeededState()))).toBe(`[FAILOVER OK] ${GROUP}: router-a -> router-b, 2 route(s)`);
    expect(renderSubject(record(partialState()))).toBe(`[FAILOVER PARTIAL] ${GROUP}: router-a -> router-b, 2 route(s)`);
  });

  it('names the error when failed, and the group known from the lease', () => {
    const s = resolveFailedState(ec2StateEvent(), 'NoHealthyTargetError', 'none running');
    expect(renderSubject(record(NotifyStateSchema.parse(s)))).toBe(
      '[FAILOVER FAILED] onprem-edge, NoHealthyTargetError',
    );
  });

  it('stays ASCII and at most 99 characters with the longest names', () => {
    const long = (c: string) => c.repeat(63);
    const s = succeededState();
    s.group = { name: long('g'), vpcId: IDS.vpc };
    s.sources = [{ name: long('a'), instanceId: IDS.routerA, state: 'stopping' }];
    s.target = { name: long('b'), instanceId: IDS.routerB, state: 'running' };
    for (const state of [
      s,
      { ...s, verification: undefined, results: [], failure: { Error: 'E'.repeat(300), Cause: 'c' } },
    ]) {
      const subject = renderSubject(record(state));
      expect(subject.length).toBeLessThanOrEqual(99);
      expect(subject).toMatch(ASCII_PRINTABLE);
    }
  });

  it('replaces non-ASCII characters and line breaks', () => {
    const s = succeededState();
    s.group = { name: 'ルーター→edge', vpcId: IDS.vpc };
    const subject = renderSubject(record(s));
    expect(subject).toMatch(ASCII_PRINTABLE);
    expect(subject).toContain('->edge');

    const f = resolveFailedState(ec2StateEvent(), 'Bad\nError\u00e9', 'c');
    const failed = renderSubject(record(NotifyStateSchema.parse(f)));
    expect(failed).toMatch(ASCII_PRINTABLE);
    expect(failed).not.toContain('\n');
  });

  it('labels dry runs and no-ops', () => {
    const d = dryRunState();
    expect(renderSubject(record(d))).toBe(`[DRY RUN] ${GROUP}: router-a -> router-b, 2 route(s)`);

    const n: NotifyState = {
      ...resolvedState(),
      action: 'noop',
      noopReason: 'not a member',
      target: undefined,
      sources: [],
    };
    expect(renderSubject(record(n))).toBe(`[NO CHANGE] ${GROUP}, nothing to move`);
  });
});

describe('renderMessage', () => {
  it('says everything a network engineer needs after a success', () => {
    const msg = renderMessage(record(succeededState()));

    expect(msg).toContain(`FAILOVER OK for group ${GROUP} (${IDS.vpc})`);
    expect(msg).toContain(
      `Trigger:    EC2 instance ${IDS.routerA} (router-a) entered stopping (event ` +
        `0b7e3f5c-8a44-4d52-9b0c-3e7d9e2f6a11 at 2026-11-25T14:30:00Z)`,
    );
    expect(msg).toContain(`From:       router-a ${IDS.routerA} (stopping, eu-west-1a)`);
    expect(msg).toContain(`To:         router-b ${IDS.routerB} (running, eu-west-1b)`);
    expect(msg).toMatch(
      new RegExp(
        `replaced\\s+${IDS.rtbPrivateA}\\s+10\\.1\\.0\\.0/16\\s+${IDS.eniA0} ` +
          `\\(router-a, active\\)\\s+${IDS.eniB0} \\(router-b, active\\)`,
      ),
    );
    expect(msg).toMatch(
      new RegExp(
        `replaced\\s+${IDS.rtbPrivateB}\\s+${IDS.prefixList}\\s+${IDS.eniA1} ` +
          `\\(router-a, active\\)\\s+${IDS.eniB1} \\(router-b, active\\)`,
      ),
    );
    expect(msg).toContain('Verified:   2 route(s) read back in 1 round(s): all where the plan wants them');
    expect(msg).toContain(`Execution:  ${IDS.executionArn}`);
    expect(msg).toContain(`Console:    ${consoleUrl(IDS.executionArn)}`);
    expect(msg).toContain('(5.0 s)');
    expect(msg).not.toContain('Next:');
    expect(msg).not.toContain('Failures:');
  });

  it('lists failures and the redrive next step after a partial failover', () => {
    const msg = renderMessage(record(partialState()));

    expect(msg).toContain('FAILOVER PARTIAL');
    expect(msg).toContain('Error:      RoutesNotSwitched');
    expect(msg).toMatch(
      new RegExp(
        `failed!\\s+${IDS.rtbPrivateB}\\s+${IDS.prefixList}\\s+${IDS.eniA1} ` +
          `\\(router-a, active\\)\\s+${IDS.eniA1} \\(router-a, active\\)`,
      ),
    );
    expect(msg).toContain('Failures:');
    expect(msg).toContain(`  ${IDS.rtbPrivateB} ${IDS.prefixList}: ${UNAUTHORIZED}`);
    expect(msg).toContain('1 NOT where the plan wants them');
    // Some routes did switch: the next step is to retry the rest (redrive or a new run), which converges.
    expect(msg).toMatch(/\nNext: +fix the cause above, then (redrive|start a new execution)/);
  });

  it('says nothing changed and to start anew when ResolveTargets failed', () => {
    const s = resolveFailedState(ec2StateEvent(), 'NoHealthyTargetError', 'router-b is stopped');
    const msg = renderMessage(record(NotifyStateSchema.parse(s)));
    expect(msg).toContain('FAILOVER FAILED');
    expect(msg).toContain('Error:      NoHealthyTargetError');
    expect(msg).toContain('Cause:      ResolveTargets failed: router-b is stopped. No route was changed.');
    expect(msg).toContain('Trigger:    EC2 Instance State-change Notification from aws.ec2');
    expect(msg).toContain('Next:       nothing was changed. Fix the cause above, then start a new execution.');
    expect(msg).not.toContain('redrive');
  });

  it('shows who asked and why for a manual request, and the dry run', () => {
    const s = dryRunState();
    s.trigger = {
      kind: 'manual',
      summary: 'switchover to router-b requested by netops: patch router-a',
      action: 'switchover',
      requestedBy: 'netops',
      reason: 'patch router-a',
    };
    const msg = renderMessage(record(s));
    expect(msg).toContain('Requested:  netops, reason: patch router-a');
    expect(msg).toContain('Dry run:    yes, nothing was changed');
    expect(msg).toContain(
      'Routes:     2 planned, 0 moved, 0 failed, 0 conflict(s), 0 vanished, 2 dry-run; 0 already on target, 0 skipped',
    );
  });

  it('lists skipped routes with their reason and warnings', () => {
    const s = succeededState();
    s.plan!.skipped = [
      {
        routeTableId: IDS.rtbPublic,
        destination: { kind: 'ipv4', value: '192.168.0.0/16' },
        eni: IDS.eniA0,
        member: 'router-a',
        reason: 'propagated route (owned by the virtual private gateway)',
      },
    ];
    s.plan!.warnings = [`configured route table(s) not found in ${IDS.vpc}: rtb-0deadbeef0000000`];
    const r = record(s);
    const msg = renderMessage(r);
    expect(msg).toContain(
      `  ${IDS.rtbPublic} 192.168.0.0/16 -> ${IDS.eniA0}: propagated route (owned by the virtual private gateway)`,
    );
    expect(msg).toContain(`Warnings:\n  configured route table(s) not found in ${IDS.vpc}: rtb-0deadbeef0000000`);
    expect(severityOf(r)).toBe('warning');
  });
});

describe('severityOf', () => {
  it('is critical for partial and failed, info for a clean success', () => {
    expect(severityOf(record(partialState()))).toBe('critical');
    expect(severityOf(record(succeededState()))).toBe('info');
  });

  it('is critical for a suppressed failover: traffic still points at a failed member', () => {
    expect(severityOf(record(suppressedState()))).toBe('critical');
  });

  it('is critical for a failure at AcquireLease', () => {
    expect(
      severityOf(
        record(NotifyStateSchema.parse(acquireFailedState(ec2StateEvent(), 'StateStoreError', 'AccessDenied'))),
      ),
    ).toBe('critical');
  });
});

describe('rendering lease, health and flap damping', () => {
  it('subject of a suppressed failover', () => {
    expect(renderSubject(record(suppressedState()))).toMatch(
      /^\[FAILOVER SUPPRESSED\] onprem-edge: router-a -> router-b, /,
    );
  });

  it('a suppressed failover says routes still point at the failed member and to switch over manually', () => {
    const msg = renderMessage(record(suppressedState()));
    expect(msg).toContain('vpc-route-failover: FAILOVER SUPPRESSED for group onprem-edge');
    expect(msg).toContain('Error:      FailoverSuppressedError');
    expect(msg).toMatch(
      /\nNext: +routes still point at the failed member\..*run a manual switchover \(never suppressed\)\./,
    );
  });

  it('one health line per member: ok, or its problems', () => {
    const s = succeededState();
    s.health = [
      {
        ...healthyMember('router-a'),
        state: 'stopping',
        healthy: false,
        problems: ['instance is stopping', `source/destination check enabled on ${IDS.eniA0}`],
      },
      healthyMember('router-b'),
    ];
    const msg = renderMessage(record(s));
    expect(msg).toContain(
      `Health:     router-a: instance is stopping; source/destination check enabled on ${IDS.eniA0}`,
    );
    expect(msg).toContain('Health:     router-b: ok');
  });

  it('no health lines when the health gate did not run', () => {
    expect(renderMessage(record(succeededState()))).not.toContain('Health:');
  });

  it('shows a lease taken over from an execution that is no longer running', () => {
    const s = succeededState();
    s.lease = heldLease({ tookOverFrom: OTHER_EXECUTION });
    expect(renderMessage(record(s))).toContain(`Lease:      taken over from ${OTHER_EXECUTION} (no longer running)`);

    const plain = succeededState();
    plain.lease = heldLease();
    expect(renderMessage(record(plain))).not.toContain('Lease:');
  });

  it('a failure at AcquireLease says nothing changed and to start anew (no redrive advice)', () => {
    const s = acquireFailedState(
      ec2StateEvent(),
      'LeaseBusyError',
      `group "${GROUP}" is being switched by ${OTHER_EXECUTION}; waiting for it to finish`,
    );
    const msg = renderMessage(record(NotifyStateSchema.parse(s)));
    expect(msg).toContain('Cause:      AcquireLease failed: ');
    expect(msg).toContain('Next:       nothing was changed. Fix the cause above, then start a new execution.');
    expect(msg).not.toContain('only the rest are replaced');
  });
});
