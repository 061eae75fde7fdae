import { VirtualClock } from '../../bench/virtual-clock';
import { InMemoryWritePacer, REPLACE_ROUTE_PACE } from '../../functions/domain/pacer';
import { parseConfig } from '../../functions/contract/config';
import { createTaskHandlers, type TaskDeps } from '../../cli/local/task-handlers';
import { largestStatePayload, runExecution, type RunResult } from '../../cli/local/local-runner';
import { estimateLargestState, STATE_BUDGET_BYTES } from '../../functions/plan-switch/state-budget';
import { buildLargeEstate } from '../../cli/local/scenario';
import { ENCODED_AUTHORIZATION_MESSAGE_BYTES, SimulatedVpc, type FaultSpec } from '../../sim';

/**
 * Every path stays inside Step Functions' 256 KiB per state, with room to spare, when all 2,000 routes fail
 * with EC2's real-size UnauthorizedOperation (about 1.5 KB each, an encoded authorization failure message
 * different for every call). On AWS a state over the limit is States.DataLimitExceeded, which no Catch
 * (States.ALL included) catches: the run would end with no notification and the lease held.
 */
const BUDGET = 200 * 1024;
/** SNS: at most 256 KiB per message, attributes included. */
const SNS_LIMIT = 256 * 1024;
/** Step Functions: a Fail state's Cause is at most 32,768 characters. */
const CAUSE_LIMIT = 32_768;

const byTableId: FaultSpec['when'] = (i) =>
  ((i.Filters ?? []) as Array<{ Name?: string }>).some((f) => f.Name === 'route-table-id');

const run = async (fault: FaultSpec, dryRun: boolean, extra: Partial<TaskDeps> = {}) => {
  // EC2's documented limits at 2,000 routes take minutes of simulated time: a virtual clock runs them in CPU time.
  const clock = new VirtualClock();
  const sim = new SimulatedVpc({ seed: 21, clock });
  const estate = buildLargeEstate(sim, {
    routeTables: 200,
    routesPerTable: 14,
    affectedPerTable: 10,
    groupName: 'onprem-edge',
  });
  sim.injectFault(fault);
  const config = parseConfig({ ...estate.config, groups: [{ ...estate.config.groups[0], maxConcurrency: 20 }] });
  const now = () => new Date(clock.now());
  const sleep = (ms: number) => clock.sleep(ms);
  const pacer = new InMemoryWritePacer(REPLACE_ROUTE_PACE, { now: () => clock.now(), sleep });
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn: sim.createTopic('t'),
    now,
    sleep,
    pacers: { ReplaceRoute: pacer },
    recheckDelaysMs: [0],
    ...extra,
  });
  const input = { action: 'switchover', group: 'onprem-edge', to: 'router-b', dryRun, requestedBy: 'netops' };
  const result = await clock.run(() => runExecution({ handlers: handlers as never, input, now }), { seed: 21 });
  return { sim, estate, result };
};

const measure = (label: string, sim: SimulatedVpc, result: RunResult) => {
  const payload = largestStatePayload(result.events);
  const message = sim.published[0];
  const snsBytes =
    Buffer.byteLength(message.Message) +
    Buffer.byteLength(message.Subject ?? '') +
    JSON.stringify(message.MessageAttributes ?? {}).length;
  const record = Buffer.byteLength(JSON.stringify(result.auditRecord));
  // PlanSwitch' estimate of the run's largest state (state-budget.ts) accepted the plan and bounds what was measured.
  const listed = result.events.find((e) => e.type === 'StateExited' && e.state?.name === 'PlanSwitch')!.state;
  const estimate = estimateLargestState(listed.input, listed.output.plan);
  expect(payload.bytes).toBeLessThanOrEqual(estimate.bytes);
  expect(estimate.bytes).toBeLessThanOrEqual(STATE_BUDGET_BYTES);
  // eslint-disable-next-line no-console
  console.log(
    `${label}: largest state ${(payload.bytes / 1024).toFixed(1)} KiB (${payload.state}), audit record ` +
      `${(record / 1024).toFixed(1)} KiB, SNS message ${(snsBytes / 1024).toFixed(1)} KiB`,
  );
  return { payload, snsBytes, record };
};

describe('2,000 routes that all fail with 1.5 KB UnauthorizedOperation messages', () => {
  for (const dryRun of [false, true]) {
    it(`${dryRun ? 'dry run' : 'normal run'}: every state within 200 KiB, \
the notification within SNS's limit, the errors summarized once`, async () => {
      const { sim, result } = await run(
        { action: 'ReplaceRoute', code: 'UnauthorizedOperation', encodedAuthorizationMessage: true },
        dryRun,
      );

      expect(sim.calls.filter((c) => c.action === 'ReplaceRoute' && c.error === 'UnauthorizedOperation')).toHaveLength(
        2000,
      );
      const { payload, snsBytes, record } = measure(
        dryRun ? 'ReplaceRoute refused, dry run' : 'ReplaceRoute refused',
        sim,
        result,
      );
      expect(payload.bytes).toBeLessThanOrEqual(BUDGET);
      expect(record).toBeLessThanOrEqual(BUDGET);
      expect(snsBytes).toBeLessThanOrEqual(SNS_LIMIT);
      // The run ends as it should: notified, critical, failed by name, with a Cause Step Functions accepts.
      expect(result.status).toBe('FAILED');
      expect(result.error).toBe(dryRun ? 'DryRunFailed' : 'RoutesNotSwitched');
      expect(result.cause!.length).toBeLessThanOrEqual(CAUSE_LIMIT);
      expect(sim.published[0].MessageAttributes?.severity?.StringValue).toBe('critical');
      const r = result.auditRecord!;
      expect(r.counts).toMatchObject({ planned: 2000, failed: 2000 });
      // One error for 2,000 routes: summarized once, the encoded blob replaced by its length.
      expect(r.errorGroups).toEqual([
        {
          error: expect.stringMatching(
            new RegExp(
              String.raw`^UnauthorizedOperation: You are not authorized to perform this operation\. Encoded ` +
                String.raw`authorization failure message: \(\d+ chars, in the function log\)$`,
            ),
          ),
          routes: 2000,
          examples: expect.any(Array),
        },
      ]);
      // Counted once: the 1,800 routes VerifySwitch counted without naming them are the failed ones.
      expect(result.cause).toMatch(
        dryRun ? /^dry run: 2000 of 2000 routes would fail: / : /^2000 of 2000 routes are not on router-b: /,
      );
      expect(result.cause).toMatch(/\(2000 routes: rtb-\S+ 10\.128\.0\.0\/24, .*, and 1995 more\)$/);
      expect(sim.published[0].Message).toContain(
        'Failures:\n  2000 routes: UnauthorizedOperation: You are not authorized',
      );
    }, 60_000);
  }

  it('every batch failing as a whole (its table read refused): within 200 KiB, no stack trace in state', async () => {
    // Batches read their table only when the plan's observation is stale: here it always is.
    const { sim, result } = await run(
      {
        action: 'DescribeRouteTables',
        code: 'UnauthorizedOperation',
        encodedAuthorizationMessage: true,
        times: 200,
        when: byTableId,
      },
      false,
      {
        maxObservationAgeMs: 0,
      },
    );

    const { payload, snsBytes, record } = measure('every batch refused', sim, result);
    expect(payload.bytes).toBeLessThanOrEqual(BUDGET);
    expect(record).toBeLessThanOrEqual(BUDGET);
    expect(snsBytes).toBeLessThanOrEqual(SNS_LIMIT);
    const map = result.events.find((e) => e.type === 'StateExited' && e.state?.name === 'SwitchBatches')!.state.output;
    expect(map.results).toHaveLength(200);
    for (const b of map.results) {
      expect(b.error).toBe('Ec2RequestError');
      const cause = JSON.parse(b.cause);
      expect(cause.trace).toEqual(['Ec2RequestError']);
      expect(cause.errorMessage.length).toBeLessThanOrEqual(300);
    }
    expect(result.auditRecord!.errorGroups).toHaveLength(1);
    expect(result.auditRecord!.errorGroups[0].routes).toBe(2000);
  }, 60_000);
});

describe('simulated VPC: UnauthorizedOperation with an encoded authorization failure message', () => {
  it('is about 1.5 KB, and different from call to call', async () => {
    const sim = new SimulatedVpc({ seed: 2 });
    sim.injectFault({
      action: 'DescribeRouteTables',
      code: 'UnauthorizedOperation',
      encodedAuthorizationMessage: true,
    });
    const messages: string[] = [];
    for (let k = 0; k < 2; k++) {
      const err = (await sim.invoke('ec2', 'DescribeRouteTables', {}).catch((e: unknown) => e)) as Error & {
        $metadata: { httpStatusCode: number };
      };
      expect(err.name).toBe('UnauthorizedOperation');
      expect(err.$metadata.httpStatusCode).toBe(403);
      messages.push(err.message);
    }
    expect(messages[0]).toMatch(
      /^You are not authorized to perform this operation\. Encoded authorization failure message: [A-Za-z0-9_-]+$/,
    );
    expect(messages[0]).toHaveLength(ENCODED_AUTHORIZATION_MESSAGE_BYTES);
    expect(messages[1]).not.toBe(messages[0]);
  });
});
