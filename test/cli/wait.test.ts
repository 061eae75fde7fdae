import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { FaultSpec } from '../../sim';
import { cliHarness, serveExecutions } from './helpers';
import { buildEstate, recordExecution, STATE_MACHINE_ARN } from './recorded';

/**
 * switchover --wait against a fake poll sequence: the execution recorded from the real workflow is revealed
 * a slice at a time, DescribeExecution says RUNNING until the last poll, and the waits between polls are
 * injected (no real time passes).
 */

const NAME = 'switchover-onprem-edge-20261125T143000Z';
/** A batch reading its own table (by ID), as opposed to PlanSwitch reading the whole VPC. */
const byTableId = (i: any) => (i.Filters ?? []).some((f: any) => f.Name === 'route-table-id');

const waitScenario = async (faults: FaultSpec[], routeTables = 2, opts: { virtualClock?: boolean } = {}) => {
  // The recording runs on one estate; the CLI reads another built from the same seed (same IDs, routes still
  // on router-a), as the real account looked when the operator started the switchover.
  const recordedOn = buildEstate({ routeTables });
  const victim = recordedOn.scenario.expectedMoves.find((m) => m.destination.kind === 'ipv6')!;
  const rec = await recordExecution(
    recordedOn,
    {
      action: 'switchover',
      group: 'onprem-edge',
      to: 'router-b',
      dryRun: false,
      requestedBy: 'arn:aws:sts::111122223333:assumed-role/NetOps/alice',
      reason: 'patch router-a (CHG-1042)',
    },
    // Batches read their tables (as when the plan's observation is stale), so a read can be retried.
    { name: NAME, startAt: new Date('2026-11-25T14:30:01Z'), faults, deps: { maxObservationAgeMs: 0 } },
  );
  const live = buildEstate({ routeTables });
  const h = cliHarness({
    ec2: live.sim.ec2(),
    files: { 'failover.json': JSON.stringify(live.scenario.config) },
    env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: STATE_MACHINE_ARN },
    virtualClock: opts.virtualClock,
  });
  h.mocks.sfn.on(StartExecutionCommand).resolves({ executionArn: rec.arn, startDate: rec.describe.startDate });

  // Four polls: just started, plan listed, the first batch done, finished.
  const at = (pred: (e: (typeof rec.events)[number]) => boolean) => rec.events.findIndex(pred) + 1;
  const listed = at((e) => e.stateExitedEventDetails?.name === 'PlanSwitch');
  const iterations = rec.events.filter((e) => e.type === 'MapIterationSucceeded');
  const half = rec.events.indexOf(iterations[0]) + 1;
  const cuts = [3, listed, half, rec.events.length];
  let poll = -1;
  const running: DescribeExecutionOutput = {
    ...rec.describe,
    status: 'RUNNING',
    stopDate: undefined,
    output: undefined,
    error: undefined,
    cause: undefined,
  };
  serveExecutions(h.mocks.sfn, [rec], {
    pageSize: 7,
    onDescribe: () => poll++,
    reveal: () => ({
      events: cuts[Math.min(poll, cuts.length - 1)],
      describe: poll < cuts.length - 1 ? running : undefined,
    }),
  });
  return { rec, h, victim, cuts, running };
};

/**
 * The recorded execution served as RUNNING for ever, its history up to the Map's entry: a long quiet
 * stretch (a big batch, a retry backoff) with a virtual clock.
 */
const slowExecution = async () => {
  const s = await waitScenario([], 2, { virtualClock: true });
  const enteredMap = s.rec.events.findIndex((e) => e.stateEnteredEventDetails?.name === 'SwitchBatches') + 1;
  serveExecutions(s.h.mocks.sfn, [s.rec], { reveal: () => ({ events: enteredMap, describe: s.running }) });
  return s;
};

const switchoverWait = [
  'switchover',
  '--config',
  'failover.json',
  '--group',
  'onprem-edge',
  '--to',
  'router-b',
  '--reason',
  'patch router-a (CHG-1042)',
  '--wait',
];

describe('switchover --wait', () => {
  it('follows the execution state by state (routes done / total, retries) and exits 0 when it succeeds', async () => {
    const { h } = await waitScenario([
      // Retried by the batch itself (ReplaceRoute attempts) ...
      { action: 'ReplaceRoute', code: 'RequestLimitExceeded', times: 2 },
      // ... and a batch that cannot read its table, retried by the state machine.
      { action: 'DescribeRouteTables', code: 'RequestLimitExceeded', times: 1, when: byTableId },
    ]);

    const r = await h.run(switchoverWait);

    expect(r.code).toBe(0);
    expect(h.mocks.sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(4);
    expect(h.sleeps).toEqual([1500, 1500, 1500]);
    const out = r.stdout;
    expect(out).toContain(`Started ${NAME}`);
    expect(out).toContain('Following (every 1.5 s');
    expect(out).toMatch(/^ {2}→ ResolveTargets$/m);
    expect(out).toMatch(/^ {2}✓ ResolveTargets \(\d+ ms\): onprem-edge: router-a → router-b$/m);
    expect(out).toMatch(/^ {2}✓ PlanSwitch \(\d+ ms\): 11 to move, 2 already on target, 0 skipped$/m);
    // One line per batch (route table), counted against the plan; together they make the whole plan, once.
    const batches = [...out.matchAll(/^ {4}\[ ?(\d+)\/11\] rtb-\S+: (\d+) replaced$/gm)];
    expect(batches.length).toBe(3);
    expect(batches.reduce((n, m) => n + Number(m[2]), 0)).toBe(11);
    expect(batches.at(-1)![1]).toBe('11');
    expect(out).toMatch(/^ {6}↻ rtb-\S+ \S+: replaced, \d attempts$/m);
    expect(
      out.match(
        new RegExp(
          String.raw`^ {4}↻ SwitchItems\[\d+\] retry 1 after Ec2ThrottledError: DescribeRouteTables in ` +
            String.raw`vpc-\S+: RequestLimitExceeded: Request limit exceeded\.$`,
          'gm',
        ),
      ),
    ).toHaveLength(1);
    expect(out.match(/✓ Notify/g)).toHaveLength(1);
    // Over a second when a throttled retry waits for the pacer's turn on EC2's next whole-second refill.
    expect(out).toMatch(
      new RegExp(
        String.raw`^SUCCEEDED in (\d+ ms|\d+\.\d s): succeeded: onprem-edge: router-a -> router-b, 11 ` +
          String.raw`route\(s\) moved and verified$`,
        'm',
      ),
    );
    expect(out).toContain('routes 11/11 done, 0 failed, 3 retries (2 inside batches, 1 by the state machine)');
    // Lines come in execution order: the plan before the first batch, the last batch before Notify.
    expect(out.indexOf('✓ PlanSwitch')).toBeLessThan(out.indexOf(batches[0][0]));
    expect(out.indexOf('[11/11]')).toBeLessThan(out.indexOf('→ Notify'));
  });

  it('exits 1 with the error and cause when the execution fails (partial): each failed route is shown', async () => {
    const { h, victim } = await waitScenario([
      {
        action: 'ReplaceRoute',
        code: 'UnauthorizedOperation',
        when: (i: any) => i.DestinationIpv6CidrBlock === '2001:db8::/32',
      },
    ]);

    const r = await h.run(switchoverWait);

    expect(r.code).toBe(1);
    const out = r.stdout;
    expect(
      out.match(
        new RegExp(
          String.raw`^ {6}✗ rtb-\S+ 2001:db8::\/32: failed, UnauthorizedOperation: You are not authorized to ` +
            String.raw`perform this operation\.$`,
          'gm',
        ),
      ),
    ).toHaveLength(2);
    expect(out).toMatch(/^ {4}\[ ?\d+\/11\] rtb-\S+: 4 replaced, 1 failed$/m);
    expect(out).toMatch(
      new RegExp(
        String.raw`^FAILED in (\d+ ms|\d+\.\d s): partial: onprem-edge: PARTIAL router-a -> router-b: 9 of ` +
          String.raw`11 route\(s\) moved; see failures$`,
        'm',
      ),
    );
    expect(out).toContain('routes 11/11 done, 2 failed, 0 retries');
    expect(out).toContain('  error: RoutesNotSwitched');
    expect(out).toMatch(
      new RegExp(`cause: 2 of 11 routes are not on router-b \\(9 switched\\): .*${victim.destination.value}`),
    );
    expect(out).toContain(`  details: route-failover history show ${NAME}`);
  });

  it(`--json --wait: stdout is one JSON document with \
the outcome and the record; progress goes to stderr`, async () => {
    const { h } = await waitScenario([], 1);

    const r = await h.run([...switchoverWait, '--json']);

    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      executionName: NAME,
      status: 'SUCCEEDED',
      outcome: 'succeeded',
      record: { counts: { replaced: 6, planned: 6 } },
    });
    expect(r.stderr).toContain('✓ PlanSwitch');
    expect(r.stderr).toMatch(/^ {4}\[6\/6\] rtb-\S+: \d replaced$/m);
  });

  it('a quiet stretch still shows the elapsed time and the state at least every 5 s', async () => {
    // The plan is listed, then the Map runs for a long time without a new history event.
    const { h } = await slowExecution();

    const r = await h.run([...switchoverWait, '--timeout', '60s']);

    expect(r.code).toBe(3);
    const beats = h.stamped.filter((l) => l.line.includes('elapsed: RUNNING'));
    expect(beats.length).toBeGreaterThan(5);
    expect(beats[0].line).toMatch(/^ {2}… \d+\.\d s elapsed: RUNNING, in SwitchBatches, routes 0\/11 done$/);
    // No gap between two lines while following is longer than 5 s.
    const following = h.stamped.slice(h.stamped.findIndex((l) => l.line.startsWith('Following')));
    const gaps = following.slice(1).map((l, i) => l.at - following[i].at);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(5000);
  });

  it(`--timeout: exits 3 with a clear message when the \
execution is still running; the execution is not stopped`, async () => {
    const { h } = await slowExecution();

    const r = await h.run([...switchoverWait, '--timeout', '10s']);

    expect(r.code).toBe(3);
    expect(h.elapsed()).toBe(10_000);
    expect(r.stdout).toContain(
      'Following (every 1.5 s, for at most 10.0 s; Ctrl-C stops following, not the execution):',
    );
    expect(r.stderr).toBe(
      `route-failover: stopped waiting after 10.0 s (--timeout): ` +
        `${NAME} is still RUNNING (in SwitchBatches, routes 0/11 done). ` +
        `The execution keeps running; follow it with: route-failover history show ${NAME}`,
    );
    expect(h.mocks.sfn.commandCalls(StopExecutionCommand)).toHaveLength(0);
    expect(r.stdout).not.toMatch(/undefined/);
  });

  it(`--timeout --json: the document says timedOut and the \
state; --timeout without --wait, or unreadable, is refused`, async () => {
    const { h } = await slowExecution();

    const r = await h.run([...switchoverWait, '--timeout', '3', '--json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({
      executionName: NAME,
      status: 'RUNNING',
      timedOut: true,
      waitedMs: 3000,
      currentState: 'SwitchBatches',
    });

    const noWait = await h.run(switchoverWait.filter((a) => a !== '--wait').concat('--timeout', '5m'));
    expect(noWait.code).toBe(2);
    expect(noWait.stderr).toMatch(/--timeout applies to --wait/);
    const bad = await h.run([...switchoverWait, '--timeout', 'soon']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--timeout "soon": a duration such as 90s, 10m or 1h/);
  });
});
