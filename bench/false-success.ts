import '../cli/local/polyfill';
import { ReplaceRouteCommand, type RouteTable } from '@aws-sdk/client-ec2';
import { refreshInventory } from '../functions/refresh-inventory/refresh-inventory';
import { parseConfig, type FailoverConfig, type FailoverConfigInput } from '../functions/contract/config';
import { InMemoryGroupStateStore } from '../functions/domain/group-state';
import { routeDestination, routeKey, routeTarget } from '../functions/domain/routes';
import { twinTags } from '../functions/domain/twins';
import { createTaskHandlers, type TaskDeps } from '../cli/local/task-handlers';
import { instanceStateEvent } from '../cli/local/events';
import { isLocalExecutionRunning, runExecution, type RunResult } from '../cli/local/local-runner';
import type { LooseJson } from '../functions/contract/loose-json';
import { buildRouterPair, VPC_CIDR, type ExpectedMove } from '../cli/local/scenario';
import { SimulatedVpc } from '../sim';

/**
 * The estates where the product once reported success (or a no-op, or a false failure) while routes still led
 * to the dead router, each arranged on the simulated VPC: the workflow tests (test/workflow/network-truth.test.ts)
 * assert on them, and `npx tsx bench/false-success.ts` prints, per case, the outcome and how many of the routes
 * that must move are left on the failed router before and after the run.
 */

export const GROUP = 'onprem-edge';
export type Scenario = ReturnType<typeof buildRouterPair>;

let events = 0;

/** Every Task on its real handler against `sim`, with one group-state store, no waiting between re-reads. */
export const simHandlers = (
  sim: SimulatedVpc,
  config: FailoverConfig,
  store: InMemoryGroupStateStore,
  deps: Partial<TaskDeps> = {},
) =>
  createTaskHandlers({
    ec2: sim.ec2(),
    sns: sim.sns(),
    config,
    topicArn: sim.createTopic('route-failover'),
    store,
    isExecutionRunning: isLocalExecutionRunning,
    sleep: async () => undefined,
    recheckDelaysMs: [0],
    ...deps,
  });

/** A router pair (three tables) with the handlers, a store and the scheduled refresh. */
export const estate = (
  opts: {
    config?: (c: FailoverConfigInput, scenario: Scenario) => FailoverConfigInput;
    seed?: number;
    deps?: Partial<TaskDeps>;
    sim?: SimulatedVpc;
  } = {},
) => {
  const sim = opts.sim ?? new SimulatedVpc({ seed: opts.seed ?? 17 });
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: GROUP });
  const config = parseConfig(opts.config ? opts.config(structuredClone(scenario.config), scenario) : scenario.config);
  const store = new InMemoryGroupStateStore();
  const handlers = simHandlers(sim, config, store, opts.deps);
  const run = (input: unknown): Promise<RunResult> =>
    runExecution({ handlers: handlers as never, input, retryIntervalMs: 0 });
  const refresh = () => refreshInventory({ ec2: sim.ec2(), config, store });
  /** router-a stops (or `state`): its event. */
  const fail = (state = 'stopped') => {
    sim.setInstanceState(scenario.routerA.instanceId, state as never);
    return instanceStateEvent(scenario.routerA.instanceId, state, `evt-false-success-${++events}`);
  };
  return { sim, scenario, config, store, handlers, run, refresh, fail };
};

export type Estate = ReturnType<typeof estate>;

/** An arranged case: the estate, the routes that must move, the trigger. */
export interface Arranged {
  e: Estate;
  moves: ExpectedMove[];
  trigger: unknown;
}

const move = (routeTableId: string, value: string, fromEni: string, toEni: string): ExpectedMove => ({
  routeTableId,
  destination: { kind: 'ipv4', value },
  fromEni,
  toEni,
});

/** Each case as the issue that found it describes it. */
export const CASES: Array<{ id: string; title: string; arrange: () => Promise<Arranged> }> = [
  {
    id: '1',
    title: "first failover, failed router's AZ impaired, no inventory",
    arrange: async () => {
      const e = estate();
      e.sim.impairAvailabilityZone(`${e.sim.region}a`);
      return { e, moves: e.scenario.expectedMoves, trigger: e.fail() };
    },
  },
  {
    id: '2',
    title: 'local route pointed at the router (east-west inspection)',
    arrange: async () => {
      const e = estate();
      const { routerA, routerB, routeTableIds } = e.scenario;
      await e.sim.ec2().send(
        new ReplaceRouteCommand({
          RouteTableId: routeTableIds[0],
          DestinationCidrBlock: VPC_CIDR,
          NetworkInterfaceId: routerA.eni1,
        }),
      );
      await e.refresh();
      return {
        e,
        moves: [move(routeTableIds[0], VPC_CIDR, routerA.eni1, routerB.eni1), ...e.scenario.expectedMoves],
        trigger: e.fail(),
      };
    },
  },
  { id: '3-ids', title: 'routes mode, ids scope, a twin that a subnet still uses', arrange: () => twinInUse('ids') },
  { id: '3-tag', title: 'routes mode, tag scope, a twin that a subnet still uses', arrange: () => twinInUse('tag') },
  {
    id: '4',
    title: 'static route beside a propagated route with the same prefix',
    arrange: () => staticBesidePropagated(),
  },
  {
    id: '4-reread',
    title: 'the same, SwitchItems reading its table first',
    arrange: () => staticBesidePropagated({ maxObservationAgeMs: 0 }),
  },
  {
    id: '9',
    title: 'interface detached and deleted, then the router stopped',
    arrange: async () => {
      const e = estate();
      await e.refresh();
      e.sim.detachNetworkInterface(e.scenario.routerA.eni1);
      e.sim.deleteNetworkInterface(e.scenario.routerA.eni1);
      await e.refresh();
      return { e, moves: e.scenario.expectedMoves, trigger: e.fail() };
    },
  },
];

/** A twin of the first table for router-a, left in use by a subnet when the group went back to the routes mode. */
export const twinInUse = async (scope: 'ids' | 'tag'): Promise<Arranged & { twin: string; original: string }> => {
  const e = estate({
    config: (c, sc) => ({
      ...c,
      groups: [{ ...c.groups[0], routeTables: scope === 'ids' ? { ids: sc.routeTableIds } : { tag: sc.scopeTag } }],
    }),
  });
  const { sim, scenario } = e;
  const original = sim.routeTables().find((t) => t.RouteTableId === scenario.routeTableIds[0])!;
  const twin = sim.addRouteTable({
    vpcId: scenario.vpcId,
    tags: Object.fromEntries(twinTags(GROUP, original, 'router-a').map((t) => [t.Key!, t.Value!])),
  });
  sim.addRoute(twin, { DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: scenario.routerA.eni0 });
  sim.addRoute(twin, { DestinationCidrBlock: '10.100.0.0/16', NetworkInterfaceId: scenario.routerA.eni1 });
  sim.associateRouteTable(twin, {
    subnetId: sim.addSubnet({ vpcId: scenario.vpcId, availabilityZone: `${sim.region}a`, cidr: '10.0.200.0/24' }),
  });
  await e.refresh();
  const moves = [
    move(twin, '192.168.0.0/16', scenario.routerA.eni0, scenario.routerB.eni0),
    move(twin, '10.100.0.0/16', scenario.routerA.eni1, scenario.routerB.eni1),
  ];
  return { e, moves, trigger: e.fail(), twin, original: original.RouteTableId! };
};

/** The propagated route first: a first-match lookup finds it instead of the static one. */
const staticBesidePropagated = async (deps: Partial<TaskDeps> = {}): Promise<Arranged> => {
  const e = estate({ deps });
  const table = e.scenario.routeTableIds[1];
  e.sim.addRoute(table, {
    DestinationCidrBlock: '10.9.0.0/16',
    GatewayId: 'vgw-00000000000000001',
    Origin: 'EnableVgwRoutePropagation',
  });
  e.sim.addRoute(table, { DestinationCidrBlock: '10.9.0.0/16', NetworkInterfaceId: e.scenario.routerA.eni0 });
  await e.refresh();
  return {
    e,
    moves: [move(table, '10.9.0.0/16', e.scenario.routerA.eni0, e.scenario.routerB.eni0), ...e.scenario.expectedMoves],
    trigger: e.fail(),
  };
};

/**
 * Where each route is now: the static route of a destination (the one that carries traffic and ReplaceRoute acts on).
 */
const targets = (tables: RouteTable[]): Map<string, string | undefined> => {
  const m = new Map<string, string | undefined>();
  for (const t of tables) {
    for (const r of t.Routes ?? []) {
      const d = routeDestination(r);
      if (d && (r.Origin !== 'EnableVgwRoutePropagation' || !m.has(routeKey(t.RouteTableId!, d))))
        m.set(routeKey(t.RouteTableId!, d), routeTarget(r));
    }
  }
  return m;
};

/** How many of `moves` still point at their source interface, and how many are on their target. */
export const tally = (sim: SimulatedVpc, moves: ExpectedMove[]) => {
  const now = targets(sim.routeTables());
  const at = (m: ExpectedMove) => now.get(routeKey(m.routeTableId, m.destination));
  return {
    onFailed: moves.filter((m) => at(m) === m.fromEni).length,
    onTarget: moves.filter((m) => at(m) === m.toEni).length,
  };
};

// Tests read the record of a run they expect one from: a missing one fails them on the first field they read.
export const recordOf = (r: RunResult): LooseJson => (r.output ?? r.auditRecord) as LooseJson;

const main = async (): Promise<void> => {
  const rows: string[][] = [['case', 'what', 'outcome', 'must move', 'on failed before', 'on failed after']];
  for (const c of CASES) {
    const a = await c.arrange();
    const before = tally(a.e.sim, a.moves).onFailed;
    const r = await a.e.run(a.trigger);
    rows.push([
      c.id,
      c.title,
      String(recordOf(r)?.outcome ?? r.status),
      String(a.moves.length),
      String(before),
      String(tally(a.e.sim, a.moves).onFailed),
    ]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  process.stdout.write(
    `${[line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n')}\n`,
  );
};

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exitCode = 1;
  });
}
