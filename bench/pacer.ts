import '../cli/local/polyfill';
import { runPacerCase, type PacerResult } from './pacer-case';
import { renderConsole, type Table } from './report';

/**
 * `npx tsx bench/pacer.ts [--routes 100,513,2000] [--concurrency 10,26,40] [--groups 1,3] [--jitter 0,50,200]
 * [--latency-ms 50] [--seed 1] [--headroom 5]
 * [--phases 0,250,500,750]`: the write pacer against EC2's documented ReplaceRoute bucket (50 burst, 5
 * added once a second, at a phase drawn from the seed), every case the real ASL on a virtual clock
 * (bench/pacer-case.ts). Prints one table; writes no file. Goals: no route left behind, throttled writes
 * under 5 % of the successful ones, makespan within 1.10 × (floor + 5 s).
 */

const list = (v: string | undefined, fallback: number[]): number[] =>
  v === undefined ? fallback : v.split(',').map(Number);

const parse = (argv: string[]) => {
  const get = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    routes: list(get('routes'), [100, 513, 2000]),
    concurrency: list(get('concurrency'), [10, 26, 40]),
    groups: list(get('groups'), [1, 3]),
    jitter: list(get('jitter'), [0, 50, 200]),
    latencyMs: Number(get('latency-ms') ?? 50),
    seed: Number(get('seed') ?? 1),
    // EC2's refill instant within the second: one run per phase; the seed's when absent.
    phases: get('phases') === undefined ? [undefined] : list(get('phases'), []),
    headroom: get('headroom') === undefined ? undefined : Number(get('headroom')),
  };
};

const s = (ms: number): string => (ms / 1000).toFixed(1);

/** The goal of the makespan: floor plus 5 s (reads, verification, notification), with 10 % to spare. */
const goalMs = (r: PacerResult): number => 1.1 * (r.floorMs + 5000);

export const pacerTable = (results: PacerResult[]): Table => ({
  headers: [
    'routes/group',
    'groups',
    'maxConc',
    'latency ms',
    'refill at ms',
    'makespan s',
    'floor s',
    '÷ (floor + 5 s)',
    'throttled (% of ok)',
    'left behind',
    'outcome',
    'goals',
  ],
  rows: results.map((r) => {
    const ratio = r.makespanMs / (r.floorMs + 5000);
    const throttledPct = (100 * r.replaceThrottled) / Math.max(1, r.replaceOk);
    const ok = r.leftBehind === 0 && throttledPct < 5 && r.makespanMs <= goalMs(r);
    return [
      r.routes.toLocaleString('en-US'),
      String(r.groups),
      String(r.maxConcurrency),
      `${r.latencyMs} ± ${r.jitterMs}`,
      r.refillPhaseMs === undefined ? 'seed' : String(r.refillPhaseMs),
      s(r.makespanMs),
      s(r.floorMs),
      ratio.toFixed(3),
      `${r.replaceThrottled} (${throttledPct.toFixed(1)} %)`,
      String(r.leftBehind),
      [...new Set(r.statuses)].join(','),
      ok ? '✓' : '✗',
    ];
  }),
  notes: [
    'EC2 model (sim/throttling.ts): ReplaceRoute bucket of 50, 5 tokens added once a second at a seeded phase; every ' +
      'EC2 call takes latency ± jitter (uniform).',
    'floor = ⌈(N − 50) / 5⌉ s for the N routes of all groups failing at once; every Task invocation costs 50 ms more ' +
      '(Lambda + Step Functions, an assumption).',
    'makespan: from the start of the executions to the end of the last; throttled: ReplaceRoute answers ' +
      'RequestLimitExceeded, and their share of successful ReplaceRoute calls.',
    'goals: no route left behind, throttled < 5 % of successful writes, makespan ≤ 1.10 × (floor + 5 s).',
  ],
});

const main = async (): Promise<void> => {
  const o = parse(process.argv.slice(2));
  const results: PacerResult[] = [];
  for (const routes of o.routes)
    for (const groups of o.groups)
      for (const maxConcurrency of o.concurrency)
        for (const jitterMs of o.jitter)
          for (const refillPhaseMs of o.phases) {
            const r = await runPacerCase({
              routes,
              groups,
              maxConcurrency,
              latencyMs: o.latencyMs,
              jitterMs,
              seed: o.seed,
              headroom: o.headroom,
              refillPhaseMs,
            });
            results.push({ ...r, runs: [] });
            process.stderr.write('.');
          }
  process.stderr.write('\n');
  process.stdout.write(`${renderConsole(pacerTable(results))}\n`);
  if (results.some((r) => r.leftBehind > 0)) process.exitCode = 1;
};

if (require.main === module) void main();
