import fc from 'fast-check';

/**
 * Histories as plain data: what starts the execution (an instance event, an alarm, a probe request, a manual
 * switchover or failback, a dry run), whether the claim is true in EC2 and CloudWatch, and what goes wrong
 * during the run (throttling, 5xx, hung calls, an impaired AZ, read lag, a failing Publish, a duplicate
 * trigger). `member` fields are member indexes; `materialize` and `runCase` give them meaning.
 */

export type TriggerSpec =
  | {
      kind: 'instance-state';
      member: number;
      state: 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
      /** EC2 shows the state the event claims (else the instance is running and healthy: a forged claim). */
      real: boolean;
    }
  | { kind: 'alarm'; member: number; real: boolean }
  | { kind: 'probe'; member: number }
  | { kind: 'switchover'; to?: number; dryRun: boolean }
  | { kind: 'failback'; dryRun: boolean };

export type FaultKind = 'throttle' | '5xx' | 'hang' | 'lost-response';

export interface FaultGenSpec {
  action:
    | 'DescribeRouteTables'
    | 'DescribeInstances'
    | 'DescribeInstanceStatus'
    | 'DescribeNetworkInterfaces'
    | 'ReplaceRoute'
    | 'ReplaceRouteTableAssociation';
  kind: FaultKind;
  /** How many matching calls fail. */
  times: number;
}

export interface HistorySpec {
  trigger: TriggerSpec;
  /** The scheduled inventory refresh ran before the failure. */
  refreshInventory: boolean;
  faults: FaultGenSpec[];
  /** A member's Availability Zone is impaired during the run. */
  impairAz?: number;
  /** The standby's status checks are still `initializing` (a standby that just started). */
  standbyInitializing: boolean;
  /** DescribeRouteTables lags writes by up to this many ms (0: off). */
  readLagMs: number;
  /** SNS Publish: fails once (retried) or on every attempt. */
  publish: 'ok' | 'fails-once' | 'fails';
  /** The trigger is delivered twice at once (two concurrent executions sharing the lease store). */
  concurrentDuplicate: boolean;
}

/** ACTIVE is folded into the estate's active member, other indexes into its members, by `foldHistory`. */
export const ACTIVE = -1;

/** Member indexes are drawn up to 2 and folded by `foldHistory` (see foldEstate); mostly the active member. */
const triggerArb = (): fc.Arbitrary<TriggerSpec> => {
  const member = fc.oneof({ weight: 2, arbitrary: fc.constant(ACTIVE) }, { weight: 1, arbitrary: fc.nat(2) });
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('instance-state' as const),
        member,
        state: fc.constantFrom(
          'stopping' as const,
          'stopped' as const,
          'shutting-down' as const,
          'terminated' as const,
          'running' as const,
          'pending' as const,
        ),
        real: fc.constantFrom(true, true, true, false),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('alarm' as const), member, real: fc.boolean() }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('probe' as const), member }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('switchover' as const),
        to: fc.option(member, { nil: undefined }),
        dryRun: fc.boolean(),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('failback' as const), dryRun: fc.boolean() }) },
  );
};

const faultArb: fc.Arbitrary<FaultGenSpec> = fc.record({
  action: fc.constantFrom(
    'DescribeRouteTables' as const,
    'DescribeInstances' as const,
    'DescribeInstanceStatus' as const,
    'DescribeNetworkInterfaces' as const,
    'ReplaceRoute' as const,
    'ReplaceRouteTableAssociation' as const,
  ),
  kind: fc.constantFrom('throttle' as const, '5xx' as const, 'hang' as const, 'lost-response' as const),
  times: fc.integer({ min: 1, max: 3 }),
});

export const historyArb = (): fc.Arbitrary<HistorySpec> =>
  fc
    .record({
      trigger: triggerArb(),
      refreshInventory: fc.boolean(),
      faults: fc.array(faultArb, { maxLength: 3 }),
      impairAz: fc.option(fc.nat(2), { freq: 5, nil: undefined }),
      standbyInitializing: fc.constantFrom(false, false, false, false, true),
      readLagMs: fc.constantFrom(0, 0, 0, 2000),
      publish: fc.constantFrom(
        'ok' as const,
        'ok' as const,
        'ok' as const,
        'ok' as const,
        'fails-once' as const,
        'fails' as const,
      ),
      concurrentDuplicate: fc.constantFrom(false, false, false, false, true),
    })
    // Two deliveries of a switchover without `to` are two switches by its definition (KD1, docs/soak.md).
    .map((h) =>
      h.trigger.kind === 'switchover' && h.trigger.to === undefined ? { ...h, concurrentDuplicate: false } : h,
    );

/** Folds the history's member indexes into an estate of `members` members whose active member is `active`. */
export const foldHistory = (h: HistorySpec, members: number, active: number): HistorySpec => {
  const t = h.trigger;
  const trigger: TriggerSpec =
    t.kind === 'instance-state' || t.kind === 'alarm' || t.kind === 'probe'
      ? { ...t, member: t.member === ACTIVE ? active : t.member % members }
      : t.kind === 'switchover' && t.to !== undefined
        ? { ...t, to: t.to % members }
        : t;
  return { ...h, trigger, ...(h.impairAz === undefined ? {} : { impairAz: h.impairAz % members }) };
};
