import * as net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RouteTable } from '@aws-sdk/client-ec2';
import { isLocalExecutionRunning, runExecution, type RunResult } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { probedGroup, type ProbeRunDeps, runProbeMinute } from '../../functions/probe/probe';
import { tcpProbe } from '../../functions/probe/tcp-probe';
import { parseConfig } from '../../functions/contract/config';
import { routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';
import type { ProbeFailureRequest } from '../../functions/contract/triggers';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { ADDRESS, recordingDeps, scriptedProbe, virtualClock } from './fakes';

/**
 * The latency budget, end to end on the simulated VPC: the probe's rounds run on a virtual clock (N × interval
 * simulated), its StartExecution starts the real workflow (statemachine/failover.asl.json run locally, every
 * Task on its real handler, against SimulatedVpc), whose wall-clock time is measured. Default configuration:
 * failureThreshold 3, intervalSeconds 5, timeoutMs 1000.
 */

const BUDGET_MS = 20_000;
/** Every simulated EC2 and SNS call takes this long: a typical AWS API round trip, not the simulator's zero. */
const API_LATENCY_MS = 50;
const MINUTE = Date.parse('2026-11-25T14:30:00Z');
const INVOKED_AT = MINUTE + 300;

const setup = () => {
  const sim = new SimulatedVpc({ seed: 7, latencyMs: API_LATENCY_MS });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
  const raw = structuredClone(scenario.config) as any;
  raw.groups[0].members[0].probeAddress = ADDRESS['router-a'];
  raw.groups[0].members[1].probeAddress = ADDRESS['router-b'];
  raw.groups[0].probe = { subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'] };
  const config = parseConfig(raw);
  const group = probedGroup(config, 'onprem-edge');
  const topicArn = sim.createTopic('route-failover');
  const handlers = createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn,
    isExecutionRunning: isLocalExecutionRunning,
  });

  // StartExecution wired to the local runner: the workflow starts at once and runs while the probe goes on.
  const executions = new Map<string, { input: ProbeFailureRequest; run: Promise<RunResult & { wallMs: number }> }>();
  const startExecution: ProbeRunDeps['startExecution'] = async ({ name, input }) => {
    if (executions.has(name)) return { status: 'already-started' };
    const t0 = performance.now();
    const run = runExecution({ handlers, input, executionName: name }).then((r) => ({
      ...r,
      wallMs: performance.now() - t0,
    }));
    executions.set(name, { input, run });
    return {
      status: 'started',
      executionArn: `arn:aws:states:us-east-1:000000000000:execution:vpc-route-failover:${name}`,
    };
  };
  return { sim, scenario, group, executions, startExecution };
};

/** Every route of every table as "rtb|kind|dest" → target and state. */
const routeMap = (tables: RouteTable[]): Map<string, { target?: string; state?: string }> => {
  const m = new Map<string, { target?: string; state?: string }>();
  for (const t of tables) {
    for (const r of t.Routes ?? []) {
      const d = routeDestination(r);
      if (d) m.set(routeKey(t.RouteTableId!, d), { target: routeTarget(r), state: r.State });
    }
  }
  return m;
};

const expectRoutesMovedToRouterB = (sim: SimulatedVpc, scenario: ReturnType<typeof buildRouterPair>) => {
  const after = routeMap(sim.routeTables());
  expect(scenario.expectedMoves.length).toBeGreaterThanOrEqual(12);
  for (const m of scenario.expectedMoves) {
    const key = routeKey(m.routeTableId, m.destination);
    expect({ key, ...after.get(key) }).toEqual({ key, target: m.toEni, state: 'active' });
  }
};

const report = (line: string) => {
  if (process.env.PROBE_LATENCY_REPORT) process.stdout.write(`${line}\n`);
};

describe('latency budget: first failed probe → routes verified, on the simulated VPC', () => {
  it('router-a hangs (blackholed, instance still running): failed over and verified well within 20 s', async () => {
    const { sim, scenario, group, executions, startExecution } = setup();
    const before = routeMap(sim.routeTables());
    // Worst case for detection: the router dies just after a successful round.
    const onset = INVOKED_AT + 5000 + 100;
    const clock = virtualClock(INVOKED_AT);
    const { probe, calls } = scriptedProbe(clock, (m, t) => (m === 'router-a' && t >= onset ? 'blackhole' : 'up'));
    const { deps, starts } = recordingDeps(clock, probe, startExecution);

    const minute = await runProbeMinute(deps, { group });

    expect(minute.rounds).toBe(12);
    expect(starts).toHaveLength(1);
    const firstFailedProbe = Math.min(
      ...calls.filter((c) => c.address === ADDRESS['router-a'] && c.at >= onset).map((c) => c.at),
    );
    const detectionMs = starts[0].at - firstFailedProbe;
    const { run } = executions.get(starts[0].name)!;
    const result = await run;

    expect({ status: result.status, error: result.error, cause: result.cause }).toEqual({
      status: 'SUCCEEDED',
      error: undefined,
      cause: undefined,
    });
    expect(result.auditRecord).toMatchObject({
      outcome: 'succeeded',
      trigger: { kind: 'probe' },
      from: [{ name: 'router-a' }],
      to: { name: 'router-b' },
      verification: { ok: true, mismatches: 0 },
    });
    expect(result.auditRecord!.trigger.summary).toMatch(
      new RegExp(
        String.raw`^health probe: router-a \(i-[0-9a-f]+\) failed 3 consecutive round\(s\) of TCP 179 .*last ` +
          String.raw`error: 10\.0\.1\.10:179 timeout: no answer within 1000 ms$`,
      ),
    );
    expectRoutesMovedToRouterB(sim, scenario);
    // Nothing else moved.
    const after = routeMap(sim.routeTables());
    const moved = new Set(scenario.expectedMoves.map((m) => routeKey(m.routeTableId, m.destination)));
    for (const [key, b] of before)
      if (!moved.has(key)) expect({ key, target: after.get(key)?.target }).toEqual({ key, target: b.target });

    // The budget. Detection: (N - 1) intervals between the first and the Nth failed round, plus
    // the Nth round's timeout.
    expect(detectionMs).toBe(
      (group.probe.failureThreshold - 1) * group.probe.intervalSeconds * 1000 + group.probe.timeoutMs,
    );
    const total = detectionMs + result.wallMs;
    const fromOnset = starts[0].at - onset + result.wallMs;
    report(
      `probe latency (default config, ${API_LATENCY_MS} ms per API call, ${scenario.expectedMoves.length} routes): ` +
        `detection ${detectionMs} ms (simulated) + workflow ${Math.round(result.wallMs)} ms (measured) = ` +
        `${Math.round(total)} ms ` +
        `from the first failed probe; ${Math.round(fromOnset)} ms from the failure itself`,
    );
    const { failureThreshold: n, intervalSeconds, timeoutMs } = group.probe;
    // The documented bounds: N × interval + workflow from the first failed probe (the timeout fits in an interval);
    // from the failure itself, at worst one more interval minus a hair, so N × interval + timeout + workflow.
    expect(total).toBeLessThanOrEqual(n * intervalSeconds * 1000 + result.wallMs);
    expect(fromOnset).toBeLessThanOrEqual(n * intervalSeconds * 1000 + timeoutMs + result.wallMs);
    expect(total).toBeLessThan(BUDGET_MS);
    expect(fromOnset).toBeLessThan(BUDGET_MS);
  });

  it("router-a's probe port stops answering (real TCP listeners on 127.0.0.1, refused): failed over once", async () => {
    const { sim, scenario, group, executions, startExecution } = setup();
    const servers = new Map<string, net.Server>();
    const ports = new Map<string, number>();
    for (const address of Object.values(ADDRESS)) {
      const server = net.createServer((s) => s.end());
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      servers.set(address, server);
      ports.set(address, (server.address() as net.AddressInfo).port);
    }
    const clock = virtualClock(INVOKED_AT);
    const onset = INVOKED_AT + 20_000;
    // Each member's probe address is mapped to its own loopback listener; router-a's closes at `onset`.
    const probe: ProbeRunDeps['probe'] = async (address, _port, timeoutMs) => {
      if (address === ADDRESS['router-a'] && clock.now() >= onset && servers.get(address)!.listening) {
        await new Promise<void>((r) => servers.get(address)!.close(() => r()));
      }
      return tcpProbe('127.0.0.1', ports.get(address)!, timeoutMs);
    };
    const { deps, starts } = recordingDeps(clock, probe, startExecution);

    try {
      const minute = await runProbeMinute(deps, { group });
      expect(minute.rounds).toBe(12);
    } finally {
      await Promise.all(
        [...servers.values()].filter((s) => s.listening).map((s) => new Promise<void>((r) => s.close(() => r()))),
      );
    }

    expect(starts).toHaveLength(1);
    expect(starts[0].input).toMatchObject({
      member: 'router-a',
      failedRounds: 3,
      lastError: expect.stringMatching(/refused: .*ECONNREFUSED/),
    });
    expect(starts[0].at - (INVOKED_AT + 20_000)).toBeLessThan(3 * 5000);
    const result = await executions.get(starts[0].name)!.run;
    expect({ status: result.status, error: result.error, cause: result.cause }).toEqual({
      status: 'SUCCEEDED',
      error: undefined,
      cause: undefined,
    });
    expectRoutesMovedToRouterB(sim, scenario);
  });

  it('a flapping probe port on router-a for two whole minutes moves nothing', async () => {
    const { sim, group, executions, startExecution } = setup();
    const before = routeMap(sim.routeTables());
    const clock = virtualClock(INVOKED_AT);
    let n = 0;
    const { probe } = scriptedProbe(clock, (m) => (m === 'router-a' && n++ % 2 === 0 ? 'blackhole' : 'up'));
    const { deps, starts } = recordingDeps(clock, probe, startExecution);

    const first = await runProbeMinute(deps, { group });
    clock.set(MINUTE + 60_000 + 300);
    await runProbeMinute(deps, { group, carry: first.state });

    expect(starts).toEqual([]);
    expect(executions.size).toBe(0);
    expect(routeMap(sim.routeTables())).toEqual(before);
    expect(sim.calls).toEqual([]);
  });

  it('a member still down after a cold start is declared again: that execution changes nothing (no-op)', async () => {
    const { sim, scenario, group, executions, startExecution } = setup();
    const clock = virtualClock(INVOKED_AT);
    const { probe } = scriptedProbe(clock, (m) => (m === 'router-a' ? 'blackhole' : 'up'));
    const { deps, starts } = recordingDeps(clock, probe, startExecution);

    await runProbeMinute(deps, { group });
    const first = await executions.get(starts[0].name)!.run;
    expect({ status: first.status, error: first.error, cause: first.cause }).toEqual({
      status: 'SUCCEEDED',
      error: undefined,
      cause: undefined,
    });
    expect(first.auditRecord).toMatchObject({ outcome: 'succeeded' });
    const writesAfterFirst = sim.calls.filter((c) => c.action === 'ReplaceRoute').length;

    // The next minute in a fresh execution environment: nothing carried.
    clock.set(MINUTE + 60_000 + 300);
    await runProbeMinute(deps, { group });

    expect(starts).toHaveLength(2);
    expect(starts[1].name).not.toBe(starts[0].name);
    const second = await executions.get(starts[1].name)!.run;
    expect(second.status).toBe('SUCCEEDED');
    expect(second.auditRecord).toMatchObject({ outcome: 'noop', counts: { replaced: 0 } });
    expect(sim.calls.filter((c) => c.action === 'ReplaceRoute').length).toBe(writesAfterFirst);
    expectRoutesMovedToRouterB(sim, scenario);
  });

  it('both routers unreachable from the probe: an alert, no execution, no route touched', async () => {
    const { sim, group, executions, startExecution } = setup();
    const before = routeMap(sim.routeTables());
    const clock = virtualClock(INVOKED_AT);
    const { probe } = scriptedProbe(clock, (_m, t) => (t >= INVOKED_AT + 10_000 ? 'blackhole' : 'up'));
    const { deps, starts } = recordingDeps(clock, probe, startExecution);

    const minute = await runProbeMinute(deps, { group });

    expect(minute.alerts).toHaveLength(1);
    expect(starts).toEqual([]);
    expect(executions.size).toBe(0);
    expect(routeMap(sim.routeTables())).toEqual(before);
  });
});
