import '../cli/local/polyfill';
import { parseConfig } from '../functions/contract/config';
import { InMemoryGroupStateStore } from '../functions/domain/group-state';
import { InMemoryGuardStore } from '../functions/domain/guard-state';
import type { ExecutionStarter } from '../functions/guard/converge';
import { runGuard, type GuardInput } from '../functions/guard/guard';
import { buildLargeEstate } from '../cli/local/scenario';
import { SimulatedVpc } from '../sim';
import { estate, type Estate } from './false-success';

/**
 * The route guard on the simulated VPC: `guardEstate()` is the router pair of bench/false-success.ts with a guard
 * wired to it (its store beside the workflow's, notifications collected, convergence run as a local execution);
 * `npx tsx bench/guard.ts` prints the guard's EC2 calls per pass for 16, 500 and 2,000 routes.
 */

/** The estate with a guard: `pass()` runs one pass; `notices` holds what it published. */
export const guardEstate = (opts: Parameters<typeof estate>[0] = {}, guard: { execute?: boolean } = {}) => {
  const e = estate(opts);
  const guardStore = new InMemoryGuardStore(e.store);
  const notices: Array<{ subject: string; message: string; group: string; change: string }> = [];
  const executions: Array<{ name: string; output: unknown }> = [];
  const started = new Set<string>();
  // As Step Functions does: a name already used is refused (ExecutionAlreadyExists), so a repeat starts nothing.
  const startExecution: ExecutionStarter = async ({ name, input }) => {
    if (started.has(name)) return { status: 'already-started' };
    started.add(name);
    // Not executed: as if the execution were still waiting for its turn (a repeat must still start nothing).
    if (guard.execute === false) return { status: 'started' };
    const r = await e.run(input);
    executions.push({ name, output: r.output });
    return { status: 'started', output: r.output, executionStatus: r.status };
  };
  let clock = Date.now();
  const pass = (input: Partial<GuardInput> = {}) =>
    runGuard(
      { trigger: 'schedule', ...input },
      {
        ec2: e.sim.ec2(),
        config: e.config,
        inventory: e.store,
        store: guardStore,
        publish: async (n) => void notices.push(n),
        startExecution,
        now: () => new Date(clock),
      },
    );
  /** Moves the guard's clock forward (the grace period of convergence). */
  const advance = (seconds: number) => {
    clock += seconds * 1000;
  };
  return { ...e, guardStore, notices, executions, pass, advance };
};

export type GuardEstate = ReturnType<typeof guardEstate> & Estate;

/** EC2 calls of one guard pass over a group with `routes` routes on a member. */
export const guardCallsPerPass = async (
  routes: number,
  scope: 'vpc' | 'tag',
): Promise<{ routes: number; tables: number; scope: string; calls: Record<string, number>; total: number }> => {
  const sim = new SimulatedVpc({ seed: 5 });
  // 10 routes a table (16 in one table for the smallest case), as bench/scale.ts lays them out.
  const perTable = routes % 10 === 0 ? 10 : routes;
  const tables = routes / perTable;
  const built = buildLargeEstate(sim, {
    routeTables: tables,
    routesPerTable: perTable,
    affectedPerTable: perTable,
    groupName: 'onprem-edge',
  });
  const group = { ...built.config.groups[0], ...(scope === 'tag' ? { routeTables: { tag: built.scopeTag } } : {}) };
  const config = parseConfig({ ...built.config, groups: [group] });
  const store = new InMemoryGroupStateStore();
  const before = sim.calls.length;
  await runGuard(
    { trigger: 'schedule' },
    { ec2: sim.ec2(), config, inventory: store, store: new InMemoryGuardStore(store) },
  );
  const calls: Record<string, number> = {};
  for (const c of sim.calls.slice(before)) calls[c.action] = (calls[c.action] ?? 0) + 1;
  return { routes, tables, scope, calls, total: sim.calls.length - before };
};

if (require.main === module) {
  void (async () => {
    const rows = [];
    for (const routes of [16, 500, 2000])
      for (const scope of ['vpc', 'tag'] as const) rows.push(await guardCallsPerPass(routes, scope));
    const lines = ['| routes | tables | scope | EC2 calls per pass | by action |', '|---:|---:|---|---:|---|'];
    for (const r of rows) {
      const by = Object.entries(r.calls)
        .map(([a, n]) => `${a} ${n}`)
        .join(', ');
      lines.push(`| ${r.routes} | ${r.tables} | ${r.scope === 'vpc' ? 'whole VPC' : 'tag'} | ${r.total} | ${by} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  })();
}
