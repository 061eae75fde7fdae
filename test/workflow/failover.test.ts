import type { RouteTable } from '@aws-sdk/client-ec2';
import { createTaskHandlers, type TaskDeps } from '../../cli/local/task-handlers';
import { parseConfig } from '../../functions/contract/config';
import { routeDestination, routeKey, routeTarget } from '../../functions/domain/routes';
import { runExecution, type RunResult } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';

/** The ASL file run end to end against the simulated VPC, each Task on its real handler. */

const stoppingEvent = (instanceId: string, state = 'stopping') => ({
  version: '0',
  id: `evt-${instanceId}-${state}`,
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: new Date().toISOString(),
  region: 'us-east-1',
  resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instanceId}`],
  detail: { 'instance-id': instanceId, state },
});

const setup = (opts: { seed?: number; routeTables?: number; config?: (c: any) => any } = {}) => {
  const sim = new SimulatedVpc({ seed: opts.seed ?? 7 });
  const scenario = buildRouterPair(sim, { routeTables: opts.routeTables ?? 3, groupName: 'onprem-edge' });
  const config = parseConfig(opts.config ? opts.config(structuredClone(scenario.config)) : scenario.config);
  const topicArn = sim.createTopic('route-failover');
  const deps: TaskDeps = {
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn,
    sleep: async () => undefined,
    recheckDelaysMs: [0, 0],
  };
  const handlers = createTaskHandlers(deps);
  const run = (
    input: unknown,
    overrides: Partial<Record<string, (i: any) => Promise<unknown>>> = {},
  ): Promise<RunResult> =>
    runExecution({ handlers: { ...handlers, ...overrides } as never, input, retryIntervalMs: 0 });
  return { sim, scenario, config, topicArn, handlers, run };
};

/** Every route of every table as "rtb|kind|dest" → target (state aside: it follows the instances). */
const targets = (tables: RouteTable[]): Map<string, string | undefined> =>
  new Map([...routeMap(tables)].map(([k, v]) => [k, v.target]));

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

const writes = (sim: SimulatedVpc) =>
  sim.calls.filter((c) => ['ReplaceRoute', 'CreateRoute', 'DeleteRoute'].includes(c.action));

describe('failover workflow, run locally against the simulated VPC', () => {
  it(`router-a stops: every route to its interfaces moves \
to router-b's paired interface, nothing else changes`, async () => {
    const { sim, scenario, run } = setup();
    const before = routeMap(sim.routeTables());
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const result = await run(stoppingEvent(scenario.routerA.instanceId));

    expect(result.status).toBe('SUCCEEDED');
    const after = routeMap(sim.routeTables());
    const moved = new Map(scenario.expectedMoves.map((m) => [routeKey(m.routeTableId, m.destination), m]));
    expect(moved.size).toBeGreaterThanOrEqual(12);
    expect(new Set(scenario.expectedMoves.map((m) => m.destination.kind))).toEqual(
      new Set(['ipv4', 'ipv6', 'prefix-list']),
    );
    for (const [key, b] of before) {
      const m = moved.get(key);
      if (m) {
        expect({ key, target: after.get(key)?.target, state: after.get(key)?.state }).toEqual({
          key,
          target: m.toEni,
          state: 'active',
        });
      } else {
        expect({ key, target: after.get(key)?.target }).toEqual({ key, target: b.target });
      }
    }
    expect(after.size).toBe(before.size);
    // ReplaceRoute only: one per moved route, never DeleteRoute or CreateRoute.
    expect(writes(sim).map((c) => c.action)).toEqual(Array(moved.size).fill('ReplaceRoute'));

    const record = result.output as any;
    expect(record).toMatchObject({
      outcome: 'succeeded',
      group: 'onprem-edge',
      to: { name: 'router-b' },
      counts: { planned: moved.size, replaced: moved.size, failed: 0 },
    });
    expect(record.routes.every((r: any) => r.verified === true && r.after.member === 'router-b')).toBe(true);
    expect(sim.published).toHaveLength(1);
    expect(sim.published[0].Subject).toMatch(/^\[FAILOVER OK\] onprem-edge: router-a -> router-b/);
    expect(sim.published[0].MessageAttributes).toMatchObject({
      group: { StringValue: 'onprem-edge' },
      outcome: { StringValue: 'succeeded' },
    });
  });

  it(`survives throttling on 30 % of ReplaceRoute calls: each route \
retried with backoff, attempts recorded, every route moved`, async () => {
    const { sim, scenario, run } = setup({ seed: 11 });
    sim.injectFault({ action: 'ReplaceRoute', code: 'RequestLimitExceeded', probability: 0.3 });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

    const result = await run(stoppingEvent(scenario.routerA.instanceId, 'stopped'));

    expect(result.status).toBe('SUCCEEDED');
    const calls = sim.calls.filter((c) => c.action === 'ReplaceRoute');
    const throttled = calls.filter((c) => c.error === 'RequestLimitExceeded').length;
    expect(throttled).toBeGreaterThan(0);
    // Every call is accounted for in the audit record, route by route.
    const record = result.output as any;
    const attempts = record.routes.map((r: any) => r.attempts);
    expect(attempts.reduce((a: number, b: number) => a + b, 0)).toBe(calls.length);
    expect(Math.max(...attempts)).toBeGreaterThan(1);
    const after = routeMap(sim.routeTables());
    for (const m of scenario.expectedMoves)
      expect(after.get(routeKey(m.routeTableId, m.destination))?.target).toBe(m.toEni);
  });

  it(`throttling that outlasts the per-route retries: the state machine \
retries the batch, which sends its routes again (idempotent)`, async () => {
    const { sim, scenario, run } = setup();
    const victim = scenario.expectedMoves[0];
    sim.injectFault({
      action: 'ReplaceRoute',
      code: 'RequestLimitExceeded',
      times: 8,
      when: (i: any) => i.RouteTableId === victim.routeTableId && i.DestinationCidrBlock === victim.destination.value,
    });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const result = await run(stoppingEvent(scenario.routerA.instanceId));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.events.filter((e) => e.type === 'StateRetried' && e.state?.name === 'SwitchItems')).toHaveLength(1);
    // The plan's observation is fresh, so the retried batch does not read its table: it sends its routes again
    // (ReplaceRoute onto the same interface changes nothing) rather than spend a read on every batch of every run.
    const sameTable = scenario.expectedMoves.filter((m) => m.routeTableId === victim.routeTableId).length;
    const calls = sim.calls.filter((c) => c.action === 'ReplaceRoute');
    expect(calls.filter((c) => (c.input as any).RouteTableId === victim.routeTableId)).toHaveLength(2 * sameTable + 7);
    expect(
      sim.calls.filter(
        (c) =>
          c.action === 'DescribeRouteTables' &&
          ((c.input as any).Filters ?? []).some((f: any) => f.Name === 'route-table-id'),
      ),
    ).toHaveLength(0);
    const after = routeMap(sim.routeTables());
    for (const m of scenario.expectedMoves)
      expect(after.get(routeKey(m.routeTableId, m.destination))?.target).toBe(m.toEni);
  });

  it(`a permanent error on one route: the others switch, \
the execution fails and the notification lists it`, async () => {
    const { sim, scenario, run } = setup();
    const victim = scenario.expectedMoves.find((m) => m.destination.kind === 'ipv6')!;
    sim.injectFault({
      action: 'ReplaceRoute',
      code: 'UnauthorizedOperation',
      when: (input: any) =>
        input.RouteTableId === victim.routeTableId && input.DestinationIpv6CidrBlock === victim.destination.value,
    });
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const result = await run(stoppingEvent(scenario.routerA.instanceId));

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RoutesNotSwitched');
    expect(result.cause).toContain(`${victim.routeTableId} ${victim.destination.value}`);
    expect(result.cause).toContain('UnauthorizedOperation');
    const after = routeMap(sim.routeTables());
    for (const m of scenario.expectedMoves) {
      const want = m === victim ? m.fromEni : m.toEni;
      expect(after.get(routeKey(m.routeTableId, m.destination))?.target).toBe(want);
    }
    expect(result.auditRecord).toMatchObject({
      outcome: 'partial',
      counts: { failed: 1, replaced: scenario.expectedMoves.length - 1 },
    });
    const msg = sim.published[0];
    expect(msg.Subject).toMatch(/^\[FAILOVER PARTIAL\]/);
    expect(msg.MessageAttributes!.outcome.StringValue).toBe('partial');
    expect(msg.Message).toContain(victim.destination.value);
    expect(msg.Message).toContain('UnauthorizedOperation');
    // The permanent error is caught, not retried.
    expect(result.events.filter((e) => e.type === 'StateRetried')).toHaveLength(0);
  });

  it('an event for an instance in no group is a clean no-op: no write, notified as such', async () => {
    const { sim, scenario, run } = setup();
    const before = targets(sim.routeTables());

    const result = await run(stoppingEvent(scenario.other.instanceId));

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ outcome: 'noop' });
    expect((result.output as any).summary).toMatch(/belongs to no failover group/);
    expect(writes(sim)).toHaveLength(0);
    expect(sim.calls.filter((c) => c.action.startsWith('Describe'))).toHaveLength(0);
    expect(targets(sim.routeTables())).toEqual(before);
    expect(sim.published[0].MessageAttributes!.outcome.StringValue).toBe('noop');
  });

  it('a duplicate delivery converges: the second run is a no-op "already on target"', async () => {
    const { sim, scenario, run } = setup();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
    const event = stoppingEvent(scenario.routerA.instanceId);

    await run(event);
    const afterFirst = routeMap(sim.routeTables());
    const writesAfterFirst = writes(sim).length;
    const second = await run(event);

    expect(second.status).toBe('SUCCEEDED');
    expect(second.output).toMatchObject({ outcome: 'noop', counts: { planned: 0 } });
    expect((second.output as any).summary).toMatch(/already on target/);
    expect(writes(sim)).toHaveLength(writesAfterFirst);
    expect(routeMap(sim.routeTables())).toEqual(afterFirst);
  });

  it('both routers down: nothing changes, the execution fails with NoHealthyTargetError naming both', async () => {
    const { sim, scenario, run } = setup();
    const before = targets(sim.routeTables());
    sim.setInstanceState(scenario.routerB.instanceId, 'stopped');
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const result = await run(stoppingEvent(scenario.routerA.instanceId));

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('NoHealthyTargetError');
    expect(result.cause).toMatch(/router-a.*stopping.*router-b.*stopped/);
    expect(writes(sim)).toHaveLength(0);
    expect(targets(sim.routeTables())).toEqual(before);
    expect(sim.published[0].Subject).toMatch(/^\[FAILOVER FAILED\]/);
    expect(sim.published[0].MessageAttributes!.severity.StringValue).toBe('critical');
  });

  it('a manual dry run calls ReplaceRoute with DryRun for every route and changes nothing', async () => {
    const { sim, scenario, run } = setup();
    const before = targets(sim.routeTables());

    const result = await run({
      action: 'switchover',
      group: 'onprem-edge',
      to: 'router-b',
      dryRun: true,
      requestedBy: 'netops',
      reason: 'rehearsal',
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({
      outcome: 'dry-run',
      dryRun: true,
      counts: { dryRun: scenario.expectedMoves.length },
    });
    const replaceCalls = sim.calls.filter((c) => c.action === 'ReplaceRoute');
    expect(replaceCalls).toHaveLength(scenario.expectedMoves.length);
    expect(replaceCalls.every((c) => (c.input as any).DryRun === true)).toBe(true);
    expect(targets(sim.routeTables())).toEqual(before);
    expect(sim.published[0].Subject).toMatch(/^\[DRY RUN\]/);
  });

  it('a manual switchover and a failback move the routes there and back, recording who and why', async () => {
    const { sim, scenario, run } = setup();
    const before = routeMap(sim.routeTables());

    const over = await run({
      action: 'switchover',
      group: 'onprem-edge',
      to: 'router-b',
      requestedBy: 'netops',
      reason: 'patch router-a (CHG-1042)',
    });
    expect(over.status).toBe('SUCCEEDED');
    expect(over.output).toMatchObject({
      outcome: 'succeeded',
      trigger: { kind: 'manual', requestedBy: 'netops', reason: 'patch router-a (CHG-1042)' },
    });
    for (const m of scenario.expectedMoves)
      expect(routeMap(sim.routeTables()).get(routeKey(m.routeTableId, m.destination))?.target).toBe(m.toEni);

    const back = await run({
      action: 'failback',
      group: 'onprem-edge',
      requestedBy: 'netops',
      reason: 'router-a patched',
    });
    expect(back.status).toBe('SUCCEEDED');
    expect(back.output).toMatchObject({ outcome: 'succeeded', to: { name: 'router-a' } });
    // Back where it started, except routes that were on router-b from the start now sit on router-a too.
    const after = routeMap(sim.routeTables());
    for (const m of scenario.expectedMoves)
      expect(after.get(routeKey(m.routeTableId, m.destination))?.target).toBe(m.fromEni);
    expect(after.size).toBe(before.size);
  });

  it('a route that vanishes mid-run is reported, not re-created', async () => {
    const { sim, scenario, handlers, run } = setup();
    const gone = scenario.untaggedRouteTableId;
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const result = await run(stoppingEvent(scenario.routerA.instanceId), {
      PlanSwitch: async (input) => {
        const plan = await handlers.PlanSwitch(input);
        sim.deleteRouteTable(gone);
        return plan;
      },
    });

    expect(result.status).toBe('SUCCEEDED');
    const record = result.output as any;
    const vanished = scenario.expectedMoves.filter((m) => m.routeTableId === gone).length;
    expect(vanished).toBeGreaterThan(0);
    expect(record.counts.vanished).toBe(vanished);
    expect(sim.calls.filter((c) => c.action === 'CreateRoute')).toHaveLength(0);
    expect(sim.routeTables().some((t) => t.RouteTableId === gone)).toBe(false);
    expect(sim.published[0].Message).toMatch(/vanished/);
  });

  it('verification catches a target that went blackhole during the switch', async () => {
    const { sim, scenario, handlers, run } = setup();
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const result = await run(stoppingEvent(scenario.routerA.instanceId), {
      VerifySwitch: async (input) => {
        sim.setInstanceState(scenario.routerB.instanceId, 'stopping');
        return handlers.VerifySwitch(input);
      },
    });

    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('RoutesNotVerified');
    expect(result.cause).toMatch(/blackhole/);
    expect(result.auditRecord).toMatchObject({ outcome: 'failed', verification: { ok: false } });
  });

  it('an unknown group in a manual request fails by name and changes nothing', async () => {
    const { sim, run } = setup();
    const result = await run({ action: 'switchover', group: 'no-such-group', to: 'router-b' });
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('UnknownGroupError');
    expect(writes(sim)).toHaveLength(0);
    expect(sim.published[0].Message).toMatch(/no-such-group/);
  });

  it('scope by tag leaves route tables without the tag alone', async () => {
    const { sim, scenario, run } = setup({
      config: (c) => {
        c.groups[0].routeTables = { tag: { key: 'route-failover:group', value: c.groups[0].name } };
        return c;
      },
    });
    const before = routeMap(sim.routeTables());
    sim.setInstanceState(scenario.routerA.instanceId, 'stopping');

    const result = await run(stoppingEvent(scenario.routerA.instanceId));

    expect(result.status).toBe('SUCCEEDED');
    const after = routeMap(sim.routeTables());
    for (const [key, b] of before)
      if (key.startsWith(scenario.untaggedRouteTableId)) expect(after.get(key)?.target).toBe(b.target);
    const inScope = scenario.expectedMoves.filter((m) => m.routeTableId !== scenario.untaggedRouteTableId);
    expect((result.output as any).counts.replaced).toBe(inScope.length);
  });
});
