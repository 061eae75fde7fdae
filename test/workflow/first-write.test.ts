import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { isLocalExecutionRunning, runExecution } from '../../cli/local/local-runner';
import { buildLargeEstate } from '../../cli/local/scenario';
import { runGuard } from '../../functions/guard/guard';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { InMemoryGuardStore } from '../../functions/domain/guard-state';
import { refreshInventory } from '../../functions/refresh-inventory/refresh-inventory';
import { ec2StateEvent } from './events';
import type { WritePacer } from '../../functions/domain/pacer';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { SimulatedVpc } from '../../sim';
import type { AuditRecord } from '../../functions/contract/audit-record';

/**
 * FirstWrite in the workflow (statemachine/failover.asl.json run locally, every Task on its real handler): after
 * ResolveTargets, the priority routes of the tables the guard armed are written before PlanSwitch reads the
 * reach; whatever the armed plan says, the run ends with every route on the target, judged by VerifySwitch on a
 * fresh read. Router-a hangs (still running); the probe's request starts the failover.
 */

const GROUP = 'onprem-edge';
const PRIORITY = { key: 'tier', value: 'critical' };

const setup = () => {
  const sim = new SimulatedVpc({ seed: 21 });
  const estate = buildLargeEstate(sim, { routeTables: 6, routesPerTable: 6, affectedPerTable: 4, groupName: GROUP });
  const priorityTables = [...estate.routeTableIds].sort().slice(0, 2);
  for (const id of priorityTables) sim.tagRouteTable(id, { [PRIORITY.key]: PRIORITY.value });
  const config = parseConfig({
    ...estate.config,
    groups: [{ ...estate.config.groups[0], priority: { routeTableTag: PRIORITY } }],
  });
  const store = new InMemoryGroupStateStore();
  const guardStore = new InMemoryGuardStore(store);
  const arm = () => runGuard({ trigger: 'schedule' }, { ec2: sim.ec2(), config, inventory: store, store: guardStore });
  const calls: Array<{ state: string; at: number }> = [];
  const handlers = (guard: { read: InMemoryGuardStore['read'] } = guardStore, pacer?: WritePacer) =>
    Object.fromEntries(
      Object.entries(
        createTaskHandlers({
          ec2: sim.ec2(),
          sns: sim.sns(),
          config,
          topicArn: sim.createTopic('t'),
          store,
          guard,
          pacers: pacer ? { ReplaceRoute: pacer } : undefined,
          isExecutionRunning: isLocalExecutionRunning,
          recheckDelaysMs: [0],
        }),
      ).map(([state, h]) => [
        state,
        async (input: unknown) => {
          calls.push({ state, at: sim.calls.length });
          return h(input);
        },
      ]),
    );
  const input = (over: Record<string, unknown> = {}) => ({
    source: 'vpc-route-failover.probe',
    group: GROUP,
    member: 'router-a',
    failedRounds: 5,
    firstFailureAt: new Date().toISOString(),
    lastError: '10.0.1.10:179 timeout: no answer within 500 ms',
    probe: {
      ports: [179],
      intervalMs: 250,
      downAfterMs: 1000,
      locations: ['subnet-0a0000000000000a1', 'subnet-0b0000000000000b1'],
    },
    ...over,
  });
  const writesBefore = (state: string) => {
    const until = calls.find((c) => c.state === state)?.at ?? sim.calls.length;
    return sim.calls.slice(0, until).filter((c) => c.action === 'ReplaceRoute' && !c.error);
  };
  const allMoved = () =>
    estate.expectedMoves.every((m) => sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId === m.toEni);
  const priorityMoves = estate.expectedMoves.filter((m) => priorityTables.includes(m.routeTableId));
  return {
    sim,
    estate,
    config,
    store,
    guardStore,
    arm,
    handlers,
    input,
    calls,
    writesBefore,
    allMoved,
    priorityTables,
    priorityMoves,
  };
};

const firstWriteOf = (result: Awaited<ReturnType<typeof runExecution>>) =>
  result.events.find((e) => e.type === 'StateExited' && e.state?.name === 'FirstWrite')?.state.output.firstWrite;

describe('FirstWrite: the priority routes right after the trigger and the target are confirmed', () => {
  it(`writes every priority route of the armed tables before PlanSwitch \
reads the reach, then the full path moves and verifies the rest`, async () => {
    const s = setup();
    await s.arm();
    const result = await runExecution({ handlers: s.handlers(), input: s.input() });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.auditRecord?.outcome).toBe('succeeded');
    expect(s.calls.map((c) => c.state).slice(0, 4)).toEqual([
      'AcquireLease',
      'ResolveTargets',
      'FirstWrite',
      'PlanSwitch',
    ]);
    const early = s.writesBefore('PlanSwitch');
    expect(
      early.map((c) => `${(c.input as any).RouteTableId} ${(c.input as any).DestinationCidrBlock}`).sort(),
    ).toEqual(s.priorityMoves.map((m) => `${m.routeTableId} ${m.destination.value}`).sort());
    expect(firstWriteOf(result)).toMatchObject({
      status: 'written',
      tables: 2,
      counts: { replaced: s.priorityMoves.length },
    });
    // Between FirstWrite's start and its first write: the armed tables read (one DescribeRouteTables) and the
    // interfaces checked, never the whole reach.
    const fw = s.calls.find((c) => c.state === 'FirstWrite')!.at;
    const reads = s.sim.calls
      .slice(fw, s.sim.calls.indexOf(early[0]))
      .filter((c) => c.action === 'DescribeRouteTables');
    expect(reads).toHaveLength(1);
    expect(s.allMoved()).toBe(true);

    // The record says which routes FirstWrite moved and when: PlanSwitch found them on the target, yet they are
    // this execution's switches, listed as replaced and verified, with their time to switch; none is "already on
    // target", and every route through router-a counts as moved.
    const record = result.auditRecord as AuditRecord;
    const key = (t: string, d: string) => `${t} ${d}`;
    const moved = new Set(s.priorityMoves.map((m) => key(m.routeTableId, m.destination.value)));
    const listed = record.routes.filter((r) => moved.has(key(r.routeTableId, r.destination.value)));
    expect(listed).toHaveLength(s.priorityMoves.length);
    for (const r of listed) {
      expect(r).toMatchObject({ status: 'replaced', verified: true, priority: true, before: { member: 'router-a' } });
      expect(r.after).toMatchObject({ member: 'router-b' });
      expect(r.timeToSwitchMs).toBeGreaterThanOrEqual(0);
    }
    const onTarget = record.alreadyOnTarget.flatMap((a) => a.destinations.map((d) => key(a.routeTableId, d)));
    expect(onTarget.filter((k) => moved.has(k))).toEqual([]);
    expect(record.counts).toMatchObject({ moved: s.estate.expectedMoves.length, alreadyOnTarget: onTarget.length });
    expect(record.firstWrite).toMatchObject({ routes: s.priorityMoves.length });
    const lastEarly = Math.max(...listed.map((r) => r.timeToSwitchMs!));
    const later = record.routes.filter((r) => !moved.has(key(r.routeTableId, r.destination.value)));
    expect(later.length).toBeGreaterThan(0);
    expect(record.firstWrite!.lastMs).toBe(lastEarly);
    expect(Math.min(...later.map((r) => r.timeToSwitchMs!))).toBeGreaterThanOrEqual(record.firstWrite!.firstMs!);
    expect(record.timeToSwitch?.priority?.routes).toBe(s.priorityMoves.length);
    const message = s.sim.published.at(-1)?.Message ?? '';
    expect(message).toContain(`First write: ${s.priorityMoves.length} priority route(s) switched by FirstWrite`);
  });

  it(`a stale armed plan cannot make it wrong: a priority route repointed by hand since the guard pass is left alone \
(conflict), and a new table is the full path's`, async () => {
    const s = setup();
    await s.arm();
    const [handEdited, ...rest] = s.priorityMoves;
    // Since the pass, an operator pointed one priority route at another appliance of the VPC.
    await s.sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: handEdited.routeTableId,
        DestinationCidrBlock: handEdited.destination.value,
        NetworkInterfaceId: s.estate.other.eni0,
      }),
    );
    const handCalls = s.sim.calls.length;
    // And a new priority table of the scope got a route to router-a: the armed plan does not know it.
    const fresh = s.sim.addRouteTable({
      vpcId: s.estate.vpcId,
      tags: { [s.estate.scopeTag.key]: s.estate.scopeTag.value, [PRIORITY.key]: PRIORITY.value },
    });
    s.sim.addRoute(fresh, { DestinationCidrBlock: '10.200.0.0/24', NetworkInterfaceId: s.estate.routerA.eni0 });
    const result = await runExecution({ handlers: s.handlers(), input: s.input() });

    expect(result.status).toBe('SUCCEEDED');
    const early = s
      .writesBefore('PlanSwitch')
      .slice(handCalls > 0 ? 1 : 0)
      .map((c) => `${(c.input as any).RouteTableId} ${(c.input as any).DestinationCidrBlock}`);
    expect(early).not.toContain(`${handEdited.routeTableId} ${handEdited.destination.value}`);
    expect(early.sort()).toEqual(rest.map((m) => `${m.routeTableId} ${m.destination.value}`).sort());
    expect(s.sim.route(handEdited.routeTableId, handEdited.destination.value)?.NetworkInterfaceId).toBe(
      s.estate.other.eni0,
    );
    expect(early).not.toContain(`${fresh} 10.200.0.0/24`);
    expect(s.sim.route(fresh, '10.200.0.0/24')?.NetworkInterfaceId).toBe(s.estate.routerB.eni0);
    expect(handCalls).toBeGreaterThan(0);
  });

  it('no armed plan (the guard has not run): skipped with the reason, and the full path does everything', async () => {
    const s = setup();
    const result = await runExecution({ handlers: s.handlers(), input: s.input() });
    expect(result.status).toBe('SUCCEEDED');
    expect(firstWriteOf(result)).toEqual({ status: 'skipped', reason: 'no plan armed for router-a' });
    expect(s.writesBefore('PlanSwitch')).toEqual([]);
    expect(s.allMoved()).toBe(true);
  });

  it(`when other failovers hold the write pacer's queue, it waits \
at most its short budget and leaves the routes to the full path`, async () => {
    const s = setup();
    await s.arm();
    // A queue 30 s long: turns are granted only to a writer whose budget reaches past it (the Map's
    // does, FirstWrite's 5 s not).
    const queueEndsAt = Date.now() + 30_000;
    const busy: WritePacer = {
      reserve: async (count, notAfter) =>
        notAfter !== undefined && notAfter < queueEndsAt ? undefined : Array(count).fill(Date.now()),
      throttled: async () => undefined,
      waitUntil: async () => undefined,
    };
    const result = await runExecution({ handlers: s.handlers(s.guardStore, busy), input: s.input() });
    expect(result.status).toBe('SUCCEEDED');
    expect(firstWriteOf(result)).toMatchObject({
      status: 'written',
      counts: {},
      batchErrors: [expect.stringMatching(/pacer/), expect.stringMatching(/pacer/)],
    });
    expect(s.writesBefore('PlanSwitch')).toEqual([]);
    expect(s.allMoved()).toBe(true);
  });

  it('a dry run writes nothing early (nor later)', async () => {
    const s = setup();
    await s.arm();
    const result = await runExecution({
      handlers: s.handlers(),
      input: { action: 'switchover', group: GROUP, to: 'router-b', dryRun: true, requestedBy: 'netops' },
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(firstWriteOf(result)).toEqual({ status: 'skipped', reason: 'dry run' });
    expect(s.sim.calls.filter((c) => c.action === 'ReplaceRoute' && !c.error && !(c.input as any).DryRun)).toEqual([]);
  });

  it(`FirstWrite failing (its store unreadable) never fails the \
execution: the error is kept in $.firstWrite and PlanSwitch goes on`, async () => {
    const s = setup();
    await s.arm();
    const broken = {
      read: async () => {
        throw Object.assign(new Error('table unreachable'), { name: 'StateStoreTransientError' });
      },
    };
    const result = await runExecution({ handlers: s.handlers(broken as never), input: s.input() });
    expect(result.status).toBe('SUCCEEDED');
    expect(firstWriteOf(result)).toMatchObject({ Error: 'StateStoreTransientError' });
    expect(s.allMoved()).toBe(true);
  });

  it(`a PlanSwitch failure after the first write is reported with the \
routes FirstWrite did switch, never as "no route was changed"`, async () => {
    const s = setup();
    await s.arm();
    const planTooLarge = async () => {
      const err = new Error('the plan would exceed the state limit');
      err.name = 'PlanTooLargeError';
      throw err;
    };
    const result = await runExecution({ handlers: { ...s.handlers(), PlanSwitch: planTooLarge }, input: s.input() });

    expect(result.status).toBe('FAILED');
    const record = result.auditRecord as AuditRecord;
    expect(record.outcome).toBe('failed');
    expect(record.cause).toContain(
      `${s.priorityMoves.length} priority route(s) had been switched by FirstWrite before it (listed in routes); no ` +
        `other route was changed.`,
    );
    expect(record.cause).not.toContain('No route was changed');
    expect(record.counts.moved).toBe(s.priorityMoves.length);
    expect(record.routes.map((r) => `${r.routeTableId} ${r.destination.value} ${r.status}`).sort()).toEqual(
      s.priorityMoves.map((m) => `${m.routeTableId} ${m.destination.value} replaced`).sort(),
    );
    expect(record.firstWrite).toMatchObject({ routes: s.priorityMoves.length });
  });
  it(`the failed router terminated, its interfaces deleted: the armed priority routes (blackholes now) are \
authorized by the inventory and written early, and the full path verifies the rest`, async () => {
    const s = setup();
    await refreshInventory({ ec2: s.sim.ec2(), config: s.config, store: s.store });
    await s.arm();
    const routerA = s.config.groups[0].members.find((m) => m.name === 'router-a')!;
    s.sim.setInstanceState(routerA.instanceId, 'terminated');

    const result = await runExecution({
      handlers: s.handlers(),
      input: ec2StateEvent(routerA.instanceId, 'terminated'),
    });

    expect(result.status).toBe('SUCCEEDED');
    expect(result.auditRecord?.outcome).toBe('succeeded');
    expect(firstWriteOf(result)).toMatchObject({ status: 'written', counts: { replaced: s.priorityMoves.length } });
    expect(s.writesBefore('PlanSwitch')).toHaveLength(s.priorityMoves.length);
    expect(s.allMoved()).toBe(true);
  });
});
