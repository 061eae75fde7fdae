import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { cliHarness, serveExecutions } from './helpers';
import { buildEstate, type Estate, recordExecution, type RecordedExecution, STATE_MACHINE_ARN } from './recorded';

/**
 * The audit renderer (`history`, `history show`) against executions recorded from the real workflow run
 * locally, served as Step Functions' ListExecutions / DescribeExecution / GetExecutionHistory would.
 */

const NOW = Date.parse('2026-11-25T14:30:00.123Z');
const ago = (hours: number) => new Date(NOW - hours * 3_600_000);
const ALICE = 'arn:aws:sts::111122223333:assumed-role/NetOps/alice';
/** A batch reading its own table (by ID), as opposed to PlanSwitch reading the whole VPC. */
const byTableId = (i: any) => (i.Filters ?? []).some((f: any) => f.Name === 'route-table-id');

const harness = (
  estate: Estate,
  executions: RecordedExecution[],
  opts: { env?: Record<string, string>; pageSize?: number } = {},
) => {
  const h = cliHarness({
    ec2: estate.sim.ec2(),
    files: { 'failover.json': JSON.stringify(estate.scenario.config) },
    env: opts.env ?? { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN },
  });
  serveExecutions(h.mocks.sfn, executions, { pageSize: opts.pageSize });
  return h;
};

/** A copy of a recording under another name and start time (for listing only: never described). */
const shadow = (x: RecordedExecution, name: string, startAt: Date): RecordedExecution => {
  const arn = x.arn.replace(/[^:]+$/, name);
  return {
    ...x,
    name,
    arn,
    describe: { ...x.describe, name, executionArn: arn, startDate: startAt, stopDate: startAt },
  };
};

/** A failed execution for a group that is not configured: no record anywhere, only its input. */
const unknownGroupExecution = (startAt: Date): RecordedExecution => {
  const name = 'switchover-core-20261125T120000Z';
  const arn = `arn:aws:states:us-east-1:000000000000:execution:vpc-route-failover:${name}`;
  const input = {
    action: 'switchover',
    group: 'core',
    to: 'r2',
    dryRun: false,
    requestedBy: 'bob',
    reason: 'test core',
  };
  return {
    name,
    arn,
    input,
    run: undefined as never,
    describe: {
      executionArn: arn,
      stateMachineArn: STATE_MACHINE_ARN,
      name,
      status: 'FAILED',
      startDate: startAt,
      stopDate: new Date(startAt.getTime() + 1200),
      input: JSON.stringify(input),
      error: 'States.TaskFailed',
      cause: 'lost',
    },
    events: [],
  };
};

/**
 * A realistic week: the event failover, a failback with throttling, a partial switchover, a dry run; one older dry run.
 */
const week = async () => {
  const estate = buildEstate({ routeTables: 2 });
  const { sim, scenario } = estate;
  const old = await recordExecution(
    estate,
    {
      action: 'switchover',
      group: 'onprem-edge',
      to: 'router-b',
      dryRun: true,
      requestedBy: ALICE,
      reason: 'rehearsal',
    },
    { name: 'switchover-onprem-edge-20261115T143000Z-dryrun', startAt: ago(240) },
  );
  sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
  const stopping = {
    version: '0',
    id: 'ev-1',
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: { 'instance-id': scenario.routerA.instanceId, state: 'stopping' },
  };
  const event = await recordExecution(estate, stopping, {
    name: '0f8e5b1c-2d3a-4e6f-8a9b-1c2d3e4f5a6b',
    startAt: ago(72),
  });
  sim.setInstanceState(scenario.routerA.instanceId, 'running');
  const failback = await recordExecution(
    estate,
    { action: 'failback', group: 'onprem-edge', requestedBy: ALICE, reason: 'router-a repaired (INC-2211)' },
    {
      name: 'failback-onprem-edge-20261123T143000Z',
      startAt: ago(48),
      faults: [{ action: 'ReplaceRoute', code: 'RequestLimitExceeded', times: 2 }],
    },
  );
  const victim = scenario.expectedMoves.find((m) => m.destination.kind === 'ipv6')!;
  const partial = await recordExecution(
    estate,
    {
      action: 'switchover',
      group: 'onprem-edge',
      to: 'router-b',
      requestedBy: ALICE,
      reason: 'patch router-a (CHG-1042)',
    },
    {
      name: 'switchover-onprem-edge-20261124T143000Z',
      startAt: ago(24),
      faults: [
        {
          action: 'ReplaceRoute',
          code: 'UnauthorizedOperation',
          when: (i: any) =>
            i.RouteTableId === victim.routeTableId && i.DestinationIpv6CidrBlock === victim.destination.value,
        },
      ],
    },
  );
  const dry = await recordExecution(
    estate,
    { action: 'failback', group: 'onprem-edge', dryRun: true, requestedBy: ALICE, reason: 'rehearse failback' },
    { name: 'failback-onprem-edge-20261125T133000Z-dryrun', startAt: ago(1) },
  );
  return { estate, old, event, failback, partial, dry, victim };
};

describe('history: one line per execution', () => {
  it(`lists the last week newest first: time, trigger, requester, \
reason, from → to, routes, outcome, duration, name`, async () => {
    const w = await week();
    expect([w.event.run.status, w.failback.run.status, w.partial.run.status, w.dry.run.status]).toEqual([
      'SUCCEEDED',
      'SUCCEEDED',
      'FAILED',
      'SUCCEEDED',
    ]);
    const older = shadow(w.old, 'switchover-onprem-edge-20261114T143000Z', ago(264));
    const h = harness(w.estate, [w.old, older, w.event, w.failback, w.partial, w.dry], { pageSize: 1 });

    const r = await h.run(['history', '--config', 'failover.json']);

    expect(r.code).toBe(0);
    const [header, blank, ...lines] = r.stdout.split('\n');
    // The account (STS), the region the clients use and where the state machine came from.
    expect(header).toBe('account 111122223333  region us-east-1  state machine vpc-route-failover');
    expect(blank).toBe('');
    expect(lines[0]).toMatch(
      /^START \(UTC\) +TRIGGER +REQUESTER +REASON +FROM → TO +ROUTES +OUTCOME +DURATION +EXECUTION$/,
    );
    expect(lines[1]).toMatch(
      new RegExp(
        String.raw`^2026-11-25T13:30:00Z +manual +NetOps\/alice +rehearse failback +router-b → router-a +dry ` +
          String.raw`12 +dry-run +\S+( ms| s) +failback-onprem-edge-20261125T133000Z-dryrun$`,
      ),
    );
    expect(lines[2]).toMatch(
      new RegExp(
        String.raw`^2026-11-24T14:30:00Z +manual +NetOps\/alice +patch router-a \(CHG-1042\) +router-a → ` +
          String.raw`router-b +12\/13 +partial +.* +switchover-onprem-edge-20261124T143000Z$`,
      ),
    );
    expect(lines[3]).toMatch(
      new RegExp(
        String.raw`^2026-11-23T14:30:00Z +manual +NetOps\/alice +router-a repaired \(INC-2211\) +router-b → ` +
          `router-a +13 +succeeded +.* +failback-onprem-edge-20261123T143000Z$`,
      ),
    );
    expect(lines[4]).toMatch(
      new RegExp(
        String.raw`^2026-11-22T14:30:00Z +event +aws\.ec2 +router-a entered stopping +router-a → router-b +` +
          `11 +succeeded +.* +0f8e5b1c-2d3a-4e6f-8a9b-1c2d3e4f5a6b$`,
      ),
    );
    expect(r.stdout).toContain('4 executions since 2026-11-18T14:30:00Z');
    expect(r.stdout).not.toContain('20261115');

    // Paging stopped at the first execution older than --since: the one after it was never listed or described.
    expect(h.mocks.sfn.commandCalls(ListExecutionsCommand)).toHaveLength(5);
    const described = h.mocks.sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input.executionArn);
    expect(described.sort()).toEqual([w.dry.arn, w.partial.arn, w.failback.arn, w.event.arn].sort());
    // Only the FAILED execution needs its history: its record is the Notify state's output.
    const histories = h.mocks.sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(new Set(histories.map((i) => i.executionArn))).toEqual(new Set([w.partial.arn]));
    expect(histories[0]).toMatchObject({ reverseOrder: true, includeExecutionData: true });
  });

  it(`--json: the record of each execution, the failed one \
read from the Notify state; --since and --group filter`, async () => {
    const w = await week();
    const other = unknownGroupExecution(ago(2));
    const h = harness(w.estate, [w.old, w.event, w.failback, w.partial, other, w.dry]);

    const all = JSON.parse((await h.run(['history', '--config', 'failover.json', '--json', '--since', '30d'])).stdout);
    expect(all.executions.map((e: any) => e.name)).toEqual([
      w.dry.name,
      other.name,
      w.partial.name,
      w.failback.name,
      w.event.name,
      w.old.name,
    ]);
    const [dry, core, partial, failback, event] = all.executions;
    expect(event).toMatchObject({
      group: 'onprem-edge',
      trigger: { kind: 'event', requestedBy: 'aws.ec2' },
      from: ['router-a'],
      to: 'router-b',
      outcome: 'succeeded',
      routesChanged: 11,
      recordKnown: true,
    });
    expect(failback).toMatchObject({
      trigger: { kind: 'manual', requestedBy: ALICE, reason: 'router-a repaired (INC-2211)', action: 'failback' },
      outcome: 'succeeded',
      routesChanged: 13,
    });
    expect(partial).toMatchObject({
      status: 'FAILED',
      outcome: 'partial',
      error: 'RoutesNotSwitched',
      counts: { planned: 13, replaced: 12, failed: 1 },
    });
    expect(partial.cause).toContain(w.victim.destination.value);
    expect(partial.record.routes).toHaveLength(13);
    expect(dry).toMatchObject({ outcome: 'dry-run', counts: { dryRun: 12 } });
    // No record at all: what the input and the status say.
    expect(core).toMatchObject({
      group: 'core',
      status: 'FAILED',
      outcome: 'failed',
      trigger: { kind: 'manual', requestedBy: 'bob', reason: 'test core' },
      record: null,
      error: 'States.TaskFailed',
    });

    const edge = JSON.parse(
      (
        await h.run([
          'history',
          '--config',
          'failover.json',
          '--json',
          '--since',
          '2026-11-23T00:00:00Z',
          '--group',
          'onprem-edge',
        ])
      ).stdout,
    );
    expect(edge.executions.map((e: any) => e.name)).toEqual([w.dry.name, w.partial.name, w.failback.name]);

    const text = await h.run(['history', '--config', 'failover.json', '--since', '3h']);
    expect(text.stdout).toMatch(/manual +bob +test core +\? → r2 +- +failed +1\.2 s +switchover-core-20261125T120000Z/);
  });

  it('bad --since, --limit and --group are refused before any call', async () => {
    const estate = buildEstate({ routeTables: 1 });
    const h = harness(estate, []);
    expect((await h.run(['history', '--config', 'failover.json', '--since', 'last week'])).code).toBe(2);
    expect((await h.run(['history', '--config', 'failover.json', '--limit', '0'])).code).toBe(2);
    const r = await h.run(['history', '--config', 'failover.json', '--group', 'core']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown group "core" (configured: onprem-edge)');
    expect(h.mocks.sfn.calls()).toHaveLength(0);
  });

  it('an empty week says so; --limit caps how many executions are read', async () => {
    const estate = buildEstate({ routeTables: 1 });
    const x = unknownGroupExecution(ago(1));
    const h = harness(estate, [x, shadow(x, 'b', ago(2)), shadow(x, 'c', ago(3))]);

    expect((await h.run(['history', '--config', 'failover.json', '--group', 'onprem-edge'])).stdout).toContain(
      'No execution since 2026-11-18T14:30:00Z for group onprem-edge.',
    );
    const capped = await h.run(['history', '--config', 'failover.json', '--limit', '1']);
    expect(capped.stdout).toContain('Only the newest 1 executions were read');
  });

  it(`a record from a newer workflow version (unknown outcome, \
status and trigger kind) is shown, flagged, not dropped`, async () => {
    const estate = buildEstate({ routeTables: 1 });
    const x = unknownGroupExecution(ago(1));
    const record = {
      record: 'vpc-route-failover/audit',
      version: 2,
      outcome: 'rolled-back',
      summary: 'onprem-edge: rolled back to router-a',
      group: 'onprem-edge',
      trigger: { kind: 'schedule', summary: 'nightly drill' },
      dryRun: false,
      from: [{ name: 'router-b', instanceId: 'i-0bb22222222222222', state: 'running' }],
      to: { name: 'router-a', instanceId: 'i-0aa11111111111111', state: 'running' },
      counts: {
        planned: 1,
        replaced: 1,
        failed: 0,
        vanished: 0,
        dryRun: 0,
        alreadyOnTarget: 0,
        skipped: 0,
        mismatches: 0,
      },
      routes: [
        {
          routeTableId: 'rtb-0a1a1a1a1a1a1a1a1',
          destination: { kind: 'ipv4', value: '10.9.0.0/16' },
          status: 'rolled-back',
          before: { target: 'eni-b' },
          after: { target: 'eni-a' },
        },
      ],
      alreadyOnTarget: [],
      skipped: [],
      warnings: [],
      execution: { id: x.arn },
      finishedAt: ago(1).toISOString(),
      somethingNew: { a: 1 },
    };
    const newer: RecordedExecution = {
      ...x,
      describe: {
        ...x.describe,
        status: 'SUCCEEDED',
        output: JSON.stringify(record),
        error: undefined,
        cause: undefined,
      },
    };
    const h = harness(estate, [newer]);

    const list = await h.run(['history', '--config', 'failover.json']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/schedule +- +nightly drill +router-b → router-a +1 +rolled-back\*/);
    expect(list.stdout).toContain('* record from a newer version of the workflow');

    const show = await h.run(['history', 'show', x.name, '--config', 'failover.json']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/Note +record from a newer version of the workflow/);
    expect(show.stdout).toMatch(/rolled-back +rtb-0a1a1a1a1a1a1a1a1 +10\.9\.0\.0\/16 +eni-b +eni-a/);
  });
});

describe('history show: one execution in full', () => {
  it(`by name: every route before/after, attempts, \
verification, retries from the paginated history, timings`, async () => {
    const estate = buildEstate({ routeTables: 2 });
    const rec = await recordExecution(
      estate,
      {
        action: 'switchover',
        group: 'onprem-edge',
        to: 'router-b',
        requestedBy: ALICE,
        reason: 'patch router-a (CHG-1042)',
      },
      {
        name: 'switchover-onprem-edge-20261125T143000Z',
        startAt: ago(0.5),
        faults: [
          // Retried inside the batch (attempts in the record) ...
          { action: 'ReplaceRoute', code: 'RequestLimitExceeded', times: 2 },
          // ... and a batch's read of its table, retried by the state machine (seen only in the history).
          { action: 'DescribeRouteTables', code: 'RequestLimitExceeded', times: 1, when: byTableId },
        ],
        // Batches read their tables (as when the plan's observation is stale).
        deps: { maxObservationAgeMs: 0 },
      },
    );
    const h = harness(estate, [rec], { pageSize: 20 });

    const r = await h.run(['history', 'show', rec.name, '--config', 'failover.json']);

    expect(r.code).toBe(0);
    expect(h.mocks.sfn).toHaveReceivedCommandWith(DescribeExecutionCommand, {
      executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${rec.name}`,
    });
    // Every page of the history was read, in order, following nextToken.
    const pages = h.mocks.sfn.commandCalls(GetExecutionHistoryCommand).map((c) => c.args[0].input);
    expect(pages).toHaveLength(Math.ceil(rec.events.length / 20));
    expect(pages.slice(1).every((p) => p.nextToken !== undefined && !p.reverseOrder)).toBe(true);

    const out = r.stdout;
    expect(out).toMatch(/^Execution +switchover-onprem-edge-20261125T143000Z$/m);
    expect(out).toMatch(/^Status +SUCCEEDED, outcome succeeded$/m);
    expect(out).toMatch(
      /^Requested +arn:aws:sts::111122223333:assumed-role\/NetOps\/alice, reason: patch router-a \(CHG-1042\)$/m,
    );
    expect(out).toMatch(/^To +router-b i-\S+ \(running, us-east-1b\)$/m);
    const record = rec.run.output as any;
    expect(record.routes).toHaveLength(11);
    for (const route of record.routes) {
      expect(out).toMatch(
        new RegExp(
          `^  replaced +${route.routeTableId} +${route.destination.value.replace(/[./]/g, '\\$&')} ` +
            `+${route.before.target} \\(router-a, active\\) +${route.after.target} \\(router-b, active\\) +yes ` +
            `+${route.attempts}(?: +\\S+)?$`,
          'm',
        ),
      );
    }
    expect(out).toContain(
      'Routes: 11 planned, 11 replaced, 0 failed, 0 vanished, 0 dry-run; 2 already on target, 0 skipped',
    );
    expect(out).toContain('Verification: 15 routes read back in 1 round: all where the plan wants them');
    expect(out).toContain('ReplaceRoute calls retried inside the run: 2 (column ATTEMPTS)');
    expect(out).toContain('State retries (1, from the execution history):');
    expect(out).toMatch(
      new RegExp(
        String.raw`^ {2}2026-11-25T\S+ {2}SwitchItems\[\d+\] {2}retry 1 after Ec2ThrottledError: ` +
          String.raw`DescribeRouteTables in vpc-\S+: RequestLimitExceeded: Request limit exceeded\.$`,
        'm',
      ),
    );
    // SwitchBatches may pass a second: a throttled retry waits for the pacer's turn on EC2's next whole-second refill.
    for (const state of ['ResolveTargets', 'PlanSwitch', 'SwitchBatches', 'VerifySwitch', 'Notify'])
      expect(out).toMatch(
        new RegExp(`^  ${state} +(Task|Map) +2026-11-25T14:0\\d:\\d\\dZ +(\\d+ ms|\\d+\\.\\d s)$`, 'm'),
      );
    expect(out).toContain('Console    https://us-east-1.console.aws.amazon.com/states/home');
  });

  it(`by ARN, of a failed execution whose record is only \
in the Notify state output: failures and caught errors`, async () => {
    const estate = buildEstate({ routeTables: 1 });
    // The first batch cannot read its table (a permanent error): caught, its routes failed, the other batch switches.
    const rec = await recordExecution(
      estate,
      { action: 'switchover', group: 'onprem-edge', to: 'router-b', requestedBy: ALICE },
      {
        name: 'switchover-onprem-edge-20261125T140000Z',
        startAt: ago(0.5),
        faults: [{ action: 'DescribeRouteTables', code: 'UnauthorizedOperation', times: 1, when: byTableId }],
        // Batches read their tables (as when the plan's observation is stale).
        deps: { maxObservationAgeMs: 0 },
      },
    );
    const record = rec.run.auditRecord as any;
    const failed = record.routes.filter((x: any) => x.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.length).toBeLessThan(record.routes.length);
    expect(rec.describe.output).toBeUndefined();
    // No state machine configured: an ARN needs none.
    const h = harness(estate, [rec], { env: {} });

    const r = await h.run(['history', 'show', rec.arn, '--config', 'failover.json']);

    expect(r.code).toBe(0);
    expect(h.mocks.cfn).not.toHaveReceivedCommand(DescribeStacksCommand);
    expect(r.stdout).toMatch(/^Status +FAILED, outcome partial$/m);
    expect(r.stdout).toMatch(/^Error +RoutesNotSwitched$/m);
    for (const x of failed) {
      expect(r.stdout).toMatch(
        new RegExp(
          `^  failed +${x.routeTableId} +${x.destination.value.replace(/[./]/g, '\\$&')} +${x.before.target} ` +
            `\\(router-a, active\\) +${x.before.target} \\(router-a, active\\) +NO +- +(?:\\S+ +)?Ec2RequestError: ` +
            `DescribeRouteTables .*UnauthorizedOperation`,
          'm',
        ),
      );
    }
    expect(r.stdout).toContain('State retries: none');
    expect(r.stdout).toMatch(
      new RegExp(
        String.raw`Caught errors \(1\):\n {2}\S+ {2}SwitchItems\[\d+\] {2}Ec2RequestError → ` +
          String.raw`RecordBatchFailure: DescribeRouteTables in vpc-\S+: UnauthorizedOperation: You are not ` +
          String.raw`authorized to perform this operation\.$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/^ {2}FailoverFailed +Fail +\S+$/m);

    const json = JSON.parse((await h.run(['history', 'show', rec.arn, '--json'])).stdout);
    expect(json).toMatchObject({
      status: 'FAILED',
      outcome: 'partial',
      recordKnown: true,
      input: { action: 'switchover', to: 'router-b' },
    });
    expect(json.caught).toEqual([
      expect.objectContaining({ state: 'SwitchItems', error: 'Ec2RequestError', next: 'RecordBatchFailure' }),
    ]);
    expect(json.timings.map((t: any) => t.name)).toEqual(
      expect.arrayContaining(['ResolveTargets', 'SwitchBatches', 'Notify', 'FailoverFailed']),
    );
  });

  it('an execution that does not exist, or a malformed name, is refused', async () => {
    const estate = buildEstate({ routeTables: 1 });
    const h = harness(estate, []);

    const missing = await h.run([
      'history',
      'show',
      'switchover-onprem-edge-19990101T000000Z',
      '--config',
      'failover.json',
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(
      'no such execution: ' +
        'arn:aws:states:us-east-1:000000000000:execution:vpc-route-failover:switchover-onprem-edge-19990101T000000Z',
    );
    expect((await h.run(['history', 'show', 'not a name'])).code).toBe(2);
    expect((await h.run(['history', 'show'])).stderr).toContain('history show needs an EXECUTION');
  });
});
