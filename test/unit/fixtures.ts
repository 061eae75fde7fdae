import type { FailoverConfigInput } from '../../functions/contract/config';
import type { NotifyState } from '../../functions/contract/audit-record';
import type { SwitchRecord } from '../../functions/domain/group-state';
import type {
  Batch,
  BatchResult,
  BatchRouteResult,
  Change,
  ExecutionInfo,
  LeaseState,
  MemberHealth,
  ObservedRoute,
  Plan,
} from '../../functions/contract/schemas';

/**
 * Factories shared by the unit and adapter tests. Every call returns a fresh object, so a test can mutate
 * what it gets without leaking into another test. The event shapes mirror /work/shared/fixtures/events
 * (as AWS delivers them) with this suite's own IDs substituted; they are copied here rather than read from
 * that directory because it lives outside the repository.
 */

export const IDS = {
  account: '111122223333',
  region: 'eu-west-1',
  vpc: 'vpc-0f1e2d3c4b5a69788',
  otherVpc: 'vpc-0aaaabbbbccccdddd',
  routerA: 'i-0aa11111111111111',
  routerB: 'i-0bb22222222222222',
  routerC: 'i-0cc33333333333333',
  stranger: 'i-0dd44444444444444',
  rtbPrivateA: 'rtb-0a1a1a1a1a1a1a1a1',
  rtbPrivateB: 'rtb-0b2b2b2b2b2b2b2b2',
  rtbPublic: 'rtb-0c3c3c3c3c3c3c3c3',
  eniA0: 'eni-0a0000000000000a0',
  eniA1: 'eni-0a0000000000000a1',
  eniB0: 'eni-0b0000000000000b0',
  eniB1: 'eni-0b0000000000000b1',
  eniC0: 'eni-0c0000000000000c0',
  eniC1: 'eni-0c0000000000000c1',
  prefixList: 'pl-0123456789abcdef0',
  executionArn:
    'arn:aws:states:eu-west-1:111122223333:execution:vpc-route-failover:7f6c2b0e-0d61-4a1e-9d55-2a2f2a2f2a2f',
} as const;

export const GROUP = 'onprem-edge';

/** A valid config input: one group of two routers, router-a preferred. */
export const configInput = (): FailoverConfigInput => ({
  groups: [
    {
      name: GROUP,
      vpcId: IDS.vpc,
      members: [
        { name: 'router-a', instanceId: IDS.routerA },
        { name: 'router-b', instanceId: IDS.routerB },
      ],
      preferred: 'router-a',
    },
  ],
});

/** EC2 Instance State-change Notification (shape of ec2-state-change-*.json). */
export const ec2StateEvent = (instanceId: string = IDS.routerA, state = 'stopping') => ({
  version: '0',
  id: '0b7e3f5c-8a44-4d52-9b0c-3e7d9e2f6a11',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: IDS.account,
  time: '2026-11-25T14:30:00Z',
  region: IDS.region,
  resources: [`arn:aws:ec2:${IDS.region}:${IDS.account}:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, state },
});

/** CloudWatch Alarm State Change of a status-check alarm (shape of cloudwatch-alarm-status-check.json). */
export const alarmEvent = (
  instanceId: string = IDS.routerA,
  value = 'ALARM',
  alarmName = 'VpcRouteFailover-onprem-edge-router-a-status-check',
) => ({
  version: '0',
  id: '5d0c8e3a-2b1f-4c7d-8e9a-0f1e2d3c4b5a',
  'detail-type': 'CloudWatch Alarm State Change',
  source: 'aws.cloudwatch',
  account: IDS.account,
  time: '2026-11-25T14:31:00Z',
  region: IDS.region,
  resources: [`arn:aws:cloudwatch:${IDS.region}:${IDS.account}:alarm:${alarmName}`],
  detail: {
    alarmName,
    state: {
      value,
      reason:
        'Threshold Crossed: 2 out of the last 2 datapoints [1.0 (25/11/26 14:30:00), 1.0 (25/11/26 14:29:00)] were ' +
        'greater than the threshold (0.0) (minimum 2 datapoints for OK -> ALARM transition).',
      reasonData:
        '{"version":"1.0","queryDate":"2026-11-25T14:31:00.000+0000","statistic":"Maximum","period":60,' +
        '"recentDatapoints":[1.0,1.0],"threshold":0.0}',
      timestamp: '2026-11-25T14:31:00.000+0000',
    },
    previousState: {
      value: value === 'ALARM' ? 'OK' : 'ALARM',
      reason:
        'Threshold Crossed: 1 out of the last 2 datapoints [0.0 ' +
        '(25/11/26 14:28:00)] was not greater than the threshold (0.0).',
      timestamp: '2026-11-25T14:02:00.000+0000',
    },
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

/** A manual request (shape of manual-switchover.json). */
export const manualRequest = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  action: 'switchover',
  group: GROUP,
  to: 'router-b',
  reason: 'patch router-a (CHG-1042)',
  requestedBy: 'netops',
  dryRun: false,
  ...overrides,
});

export const execution = (): ExecutionInfo => ({
  id: IDS.executionArn,
  name: '7f6c2b0e-0d61-4a1e-9d55-2a2f2a2f2a2f',
  startTime: '2026-11-25T14:30:05.000Z',
});

/** One planned change from router-a's eth0 to router-b's eth0. */
export const change = (overrides: Partial<Change> = {}): Change => ({
  routeTableId: IDS.rtbPrivateA,
  destination: { kind: 'ipv4', value: '10.1.0.0/16' },
  fromEni: IDS.eniA0,
  fromMember: 'router-a',
  toEni: IDS.eniB0,
  toMember: 'router-b',
  stateBefore: 'active',
  ...overrides,
});

/** When the batches of the fixtures finished (SwitchItems' `at`). */
export const BATCH_AT = '2026-11-25T14:30:07.000Z';

/**
 * A SwitchItems output for `batch`: every route had the `usual` outcome after one call, except the given
 * exceptions (the sparse shape of BatchResultSchema, counts included).
 */
export const batchResult = (
  batch: Batch,
  exceptions: BatchRouteResult[] = [],
  usual: 'replaced' | 'dry-run' = 'replaced',
): BatchResult => {
  const counts: Record<string, number> = {};
  batch.routes.forEach((_, i) => {
    const st = exceptions.find((x) => x.i === i)?.st ?? usual;
    counts[st] = (counts[st] ?? 0) + 1;
  });
  return { id: batch.id, routeTableId: batch.routeTableId, usual, counts, exceptions, at: BATCH_AT };
};

/** What RecordBatchFailure puts in the Map output when a batch failed as a whole. */
export const batchFailure = (batch: Batch, error: string, cause?: string): BatchResult => ({
  id: batch.id,
  routeTableId: batch.routeTableId,
  exceptions: [],
  error,
  cause,
});

/** A plan with these batches and nothing else (no route already on target, none skipped). */
export const planWith = (batches: Batch[], overrides: Partial<Plan> = {}): Plan => ({
  batches,
  changeCount: batches.reduce((n, b) => n + b.routes.length, 0),
  alreadyOnTarget: [],
  alreadyOnTargetCount: 0,
  skipped: [],
  warnings: [],
  routeTablesScanned: 3,
  routesScanned: 9,
  listedAt: '2026-11-25T14:30:06.500Z',
  ...overrides,
});

/** A route read back by VerifySwitch. */
export const observed = (c: Change, overrides: Partial<ObservedRoute> = {}): ObservedRoute => ({
  routeTableId: c.routeTableId,
  destination: c.destination,
  target: c.toEni,
  state: 'active',
  expected: 'target',
  ok: true,
  ...overrides,
});

/** The state ResolveTargets produces for "router-a is stopping" (no plan yet). */
export const resolvedState = (): NotifyState => ({
  action: 'failover',
  trigger: {
    kind: 'instance-state',
    summary: `EC2 instance ${IDS.routerA} (router-a) entered stopping`,
    eventId: '0b7e3f5c-8a44-4d52-9b0c-3e7d9e2f6a11',
    eventTime: '2026-11-25T14:30:00Z',
    instanceId: IDS.routerA,
    instanceState: 'stopping',
  },
  dryRun: false,
  group: { name: GROUP, vpcId: IDS.vpc },
  sources: [{ name: 'router-a', instanceId: IDS.routerA, state: 'stopping', availabilityZone: 'eu-west-1a' }],
  target: { name: 'router-b', instanceId: IDS.routerB, state: 'running', availabilityZone: 'eu-west-1b' },
  pairs: [
    { slot: '0/0', fromMember: 'router-a', fromEni: IDS.eniA0, toEni: IDS.eniB0 },
    { slot: '0/1', fromMember: 'router-a', fromEni: IDS.eniA1, toEni: IDS.eniB1 },
  ],
  targetEnis: [IDS.eniB0, IDS.eniB1],
  execution: execution(),
  resolvedAt: '2026-11-25T14:30:06.000Z',
});

/** Two changes: an IPv4 route in one table and a prefix-list route in another. */
export const twoChanges = (): [Change, Change] => [
  change(),
  change({
    routeTableId: IDS.rtbPrivateB,
    destination: { kind: 'prefix-list', value: IDS.prefixList },
    fromEni: IDS.eniA1,
    toEni: IDS.eniB1,
  }),
];

/**
 * The batches of twoChanges() as PlanSwitch builds them against resolvedState().pairs: one per route table,
 * each route a destination and its pair index (0: eth0 A→B, 1: eth1 A→B).
 */
export const twoBatches = (): [Batch, Batch] => [
  { id: 0, routeTableId: IDS.rtbPrivateA, routes: [{ d: '10.1.0.0/16', p: 0 }] },
  { id: 1, routeTableId: IDS.rtbPrivateB, routes: [{ d: IDS.prefixList, p: 1 }] },
];

/** A complete, successful run: both routes replaced and read back on router-b (VerifySwitch lists no problem). */
export const succeededState = (): NotifyState => {
  const [b1, b2] = twoBatches();
  return {
    ...resolvedState(),
    plan: planWith([b1, b2]),
    results: [batchResult(b1), batchResult(b2)],
    verification: {
      checked: 2,
      ok: true,
      mismatches: 0,
      rounds: 1,
      observed: [],
      verifiedAt: '2026-11-25T14:30:09.000Z',
    },
  };
};

/** A Lambda Task's Cause as Step Functions records it. */
export const lambdaCause = (errorType: string, errorMessage: string): string =>
  JSON.stringify({
    errorType,
    errorMessage,
    trace: [`${errorType}: ${errorMessage}`, '    at replaceRoutes (/var/task/index.js:1:2)'],
  });

export const NOW = new Date('2026-11-25T14:30:10.000Z');

/** Another execution of the state machine (a lease holder, a previous switch). */
export const OTHER_EXECUTION =
  'arn:aws:states:eu-west-1:111122223333:execution:vpc-route-failover:0a1b2c3d-0000-4000-8000-000000000001';

/** A recorded switch of the group (automatic unless said otherwise). */
export const switchRecord = (overrides: Partial<SwitchRecord> = {}): SwitchRecord => ({
  at: '2026-11-25T14:20:00.000Z',
  triggerTime: '2026-11-25T14:19:30Z',
  executionId: OTHER_EXECUTION,
  automatic: true,
  triggerId: '11111111-2222-4333-8444-555555555555',
  to: 'router-b',
  ...overrides,
});

/** AcquireLease's output when this execution holds the group's lease (no history unless given). */
export const heldLease = (overrides: Partial<LeaseState> = {}): LeaseState => ({
  held: true,
  group: GROUP,
  owner: IDS.executionArn,
  acquiredAt: '2026-11-25T14:30:05.500Z',
  expiresAt: '2026-11-25T15:00:05.500Z', // acquiredAt + LEASE_TTL_SECONDS (1800 s)
  history: { automaticSwitches: [] },
  ...overrides,
});

/** What the health gate reports for a member that passes it. */
export const healthyMember = (member: string): MemberHealth => ({
  member,
  state: 'running',
  instanceStatus: 'ok',
  systemStatus: 'ok',
  sourceDestCheckOn: [],
  healthy: true,
  problems: [],
});

/**
 * What Notify receives when ResolveTargets failed: the ResolveFailed Pass state keeps the raw execution input
 * apart under `input` (a manual request's `action`/`group` would otherwise clash with the state's fields) and
 * passes AcquireLease's output on as `lease`.
 */
export const resolveFailedState = (
  rawInput: unknown,
  error: string,
  message: string,
  lease: LeaseState = heldLease(),
): NotifyState => ({
  input: rawInput,
  failure: { Error: error, Cause: lambdaCause(error, message) },
  lease,
});

/**
 * What Notify receives when AcquireLease failed (AcquireFailed Pass state): the raw input and the failure, no lease.
 */
export const acquireFailedState = (rawInput: unknown, error: string, message: string): NotifyState => ({
  input: rawInput,
  failure: { Error: error, Cause: lambdaCause(error, message) },
});
