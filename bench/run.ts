import '../cli/local/polyfill';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { EC2_API_RATE_LIMITS } from '../sim';
import { measureColdStart, type BundleResult } from './cold-start';
import {
  coldStartSummary,
  coldStartTable,
  renderConsole,
  renderMarkdown,
  scaleChartSvg,
  scaleTable,
  weightTable,
} from './report';
import { associationsTable, runAssociationsCase, type AssociationsResult } from './associations';
import { runDetectionBench } from './detection';
import { defaultLatencyModel } from './detection-model';
import { detectionTable } from './detection-table';
import { floorTable, runFloorCase, type FloorResult } from './floor';
import {
  DEFAULT_AFFECTED_PER_TABLE,
  DEFAULT_ROUTES_PER_TABLE,
  runScaleCase,
  type ScaleCase,
  type ScaleResult,
  type Variant,
} from './scale';

/**
 * `npm run bench`: the scale benchmark (workflow vs classic on the simulated VPC with EC2 latency and
 * token buckets) and the cold start benchmark (bundle size and module init vs the SDK floor). Prints the
 * tables; with `--write` (or `--out DIR`) also writes them, with a chart, under docs/bench/ (tracked files:
 * a plain run must not rewrite them). See README "Performance".
 */

export interface BenchOptions {
  sizes: number[];
  latencyMs: number;
  /** Added to every Task invocation of the floor benchmark (Lambda invoke + Step Functions transition). */
  taskOverheadMs: number;
  variants: Variant[];
  seed: number;
  clock: 'virtual' | 'real';
  routesPerTable: number;
  runs: number;
  scale: boolean;
  coldStart: boolean;
  detection: boolean;
  /** Detection benchmark: failures per setting and temperature, and outage-length checks per setting and side. */
  detectionSamples: number;
  outageSamples: number;
  /** Directory for scale.md, scale.svg and cold-start.md; undefined (the default) writes nothing. */
  out?: string;
}

const PROJECT_ROOT = path.join(__dirname, '..');

/** Associations-mode rows: [routes, associated tables (one subnet each)]; 2,000 routes both within one burst (40) and beyond it (200). */
const ASSOCIATION_CASES: Array<[number, number]> = [
  [16, 2],
  [100, 10],
  [500, 50],
  [2000, 40],
  [2000, 200],
];

export const DEFAULT_OPTIONS: BenchOptions = {
  sizes: [10, 100, 500, 2000],
  latencyMs: 50,
  taskOverheadMs: 50,
  variants: ['workflow', 'classic'],
  seed: 1,
  clock: 'virtual',
  routesPerTable: DEFAULT_ROUTES_PER_TABLE,
  runs: 7,
  scale: true,
  coldStart: true,
  detection: true,
  detectionSamples: 100,
  outageSamples: 100,
  out: undefined,
};

/** Where `--write` puts the figures: the tracked pages the README links to. */
export const DOCS_BENCH_DIR = path.join(PROJECT_ROOT, 'docs', 'bench');

const USAGE = `npm run bench -- [options]
  --sizes 10,100,500,2000   affected routes per run (multiples of ${DEFAULT_AFFECTED_PER_TABLE}: ${DEFAULT_AFFECTED_PER_TABLE} per route table)
  --latency-ms 50           simulated latency of every EC2 call
  --task-overhead-ms 50     floor benchmark: time added to every Task invocation (Lambda invoke + Step Functions)
  --variants workflow,classic
  --seed 1                  simulator IDs and the state machine's retry jitter
  --clock virtual|real      virtual (default): exact simulated time, seconds of CPU;
                            real: wall time, to cross-check (2,000 routes take over 6 minutes)
  --routes-per-table ${DEFAULT_ROUTES_PER_TABLE}     routes per table (the unaffected ones point elsewhere)
  --runs 7                  cold start: imports per bundle (median; at least 7)
  --scale | --cold-start | --detection   run only that part
  --detection-samples 100   detection: failures per setting, Task functions cold and warm
  --outage-samples 100      detection: outages shorter than downAfterMs, and longer than 2 s, per setting
  --write                   also write the markdown and SVG to docs/bench/ (tracked: only when you mean to)
  --out DIR                 write them to DIR instead
  (a plain run only prints; --no-write is accepted and is the default)`;

/** `--help` was asked for: main prints the usage on stdout and exits 0. */
export class HelpRequested extends Error {
  constructor() {
    super(USAGE);
    this.name = 'HelpRequested';
  }
}

export const parseArgs = (argv: string[]): BenchOptions => {
  const o: BenchOptions = { ...DEFAULT_OPTIONS };
  let only: 'scale' | 'cold-start' | 'detection' | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    const num = (v: string): number => {
      const n = Number(v);
      if (!Number.isFinite(n) || n < 0) throw new Error(`${arg}: not a number: ${v}`);
      return n;
    };
    switch (arg) {
      case '--sizes':
        o.sizes = value().split(',').map(num);
        break;
      case '--latency-ms':
        o.latencyMs = num(value());
        break;
      case '--task-overhead-ms':
        o.taskOverheadMs = num(value());
        break;
      case '--variants':
        o.variants = value().split(',') as Variant[];
        if (o.variants.some((v) => v !== 'workflow' && v !== 'classic'))
          throw new Error(`--variants: workflow and/or classic\n${USAGE}`);
        break;
      case '--seed':
        o.seed = num(value());
        break;
      case '--clock': {
        const c = value();
        if (c !== 'virtual' && c !== 'real') throw new Error(`--clock: virtual or real\n${USAGE}`);
        o.clock = c;
        break;
      }
      case '--routes-per-table':
        o.routesPerTable = num(value());
        break;
      case '--runs':
        o.runs = num(value());
        break;
      case '--scale':
      case '--cold-start':
      case '--detection':
        only = arg.slice(2) as 'scale' | 'cold-start' | 'detection';
        break;
      case '--detection-samples':
        o.detectionSamples = Math.max(1, Math.floor(num(value())));
        break;
      case '--outage-samples':
        o.outageSamples = Math.floor(num(value()));
        break;
      case '--out':
        o.out = path.resolve(value());
        break;
      case '--write':
        o.out = DOCS_BENCH_DIR;
        break;
      case '--no-write':
        o.out = undefined;
        break;
      case '--help':
      case '-h':
        throw new HelpRequested();
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  if (only) {
    o.scale = only === 'scale';
    o.coldStart = only === 'cold-start';
    o.detection = only === 'detection';
  }
  return o;
};

export interface ScaleBench {
  results: ScaleResult[];
  console: string;
  markdown: string;
  svg: string;
}

/** Runs every (size, variant) in one process and renders the comparison. */
export const runScaleBench = async (
  o: BenchOptions,
  log: (line: string) => void = () => undefined,
): Promise<ScaleBench> => {
  const results: ScaleResult[] = [];
  for (const routes of o.sizes) {
    for (const variant of o.variants) {
      const c: ScaleCase = {
        routes,
        variant,
        latencyMs: o.latencyMs,
        clock: o.clock,
        seed: o.seed,
        routesPerTable: o.routesPerTable,
      };
      log(`  ${routes} routes, ${variant}…`);
      const r = await runScaleCase(c);
      log(`    ${r.status}, ${(r.makespanMs / 1000).toFixed(2)} s simulated, ${(r.wallMs / 1000).toFixed(1)} s real`);
      results.push(r);
    }
  }
  const table = scaleTable(results);
  const largest = [...results].reverse().find((r) => r.weight);
  const weight = largest?.weight && weightTable(largest.weight);
  const params =
    `latency ${o.latencyMs} ms per EC2 call; EC2 token buckets on (${describeBuckets()}); ${DEFAULT_AFFECTED_PER_TABLE} affected routes per table, ` +
    `${o.routesPerTable} routes per table; seed ${o.seed}; ${o.clock === 'virtual' ? 'virtual clock (exact simulated time)' : 'wall clock'}; ` +
    "workflow: statemachine/failover.asl.json run locally, every Task on its real handler, the definition's own Retry (backoff, full jitter), group maxConcurrency default.";
  const consoleText = [
    renderConsole(table),
    `  ${params}`,
    ...(weight
      ? ['', `Step Functions weight of the workflow at ${largest!.routes} routes (per state):`, renderConsole(weight)]
      : []),
  ].join('\n');
  const markdown = [
    '# Scale benchmark: workflow vs classic script',
    '',
    `Generated by \`npm run bench -- --write\` (${new Date().toISOString().slice(0, 10)}, ${sourceLabel()}, Node ${process.version}). ${params}`,
    '',
    '![makespan and wrong routes](scale.svg)',
    '',
    renderMarkdown(table),
    ...(weight ? ['', `## Step Functions weight at ${largest!.routes} routes`, '', renderMarkdown(weight)] : []),
    '',
  ].join('\n');
  return { results, console: consoleText, markdown, svg: scaleChartSvg(results) };
};

/** The commit the figures belong to, and whether the working tree differed from it. */
export const sourceLabel = (): string => {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return `commit ${git('rev-parse', '--short', 'HEAD')}${git('status', '--porcelain') ? ' with uncommitted changes' : ''}`;
  } catch {
    return 'not a git checkout';
  }
};

const describeBuckets = (): string =>
  `mutating ${EC2_API_RATE_LIMITS.mutating.burst} burst, ${EC2_API_RATE_LIMITS.mutating.refillPerSecond}/s; ` +
  `Describe* ${EC2_API_RATE_LIMITS.nonMutating.burst} burst, ${EC2_API_RATE_LIMITS.nonMutating.refillPerSecond}/s`;

export const renderColdStart = (results: BundleResult[]): { console: string; markdown: string } => {
  const table = coldStartTable(results);
  const summary = coldStartSummary(results);
  return {
    console: `${renderConsole(table)}\n\n${renderConsole(summary)}`,
    markdown: [
      '# Cold start benchmark: bundle size and module init vs the SDK floor',
      '',
      `Generated by \`npm run bench -- --write\` (${new Date().toISOString().slice(0, 10)}, ${sourceLabel()}, Node ${process.version}); bundles built with ` +
        "infra/constructs/failover-function.ts FUNCTION_BUNDLING, run with Lambda's NODE_OPTIONS (--enable-source-maps).",
      '',
      renderMarkdown(table),
      '',
      '## Worst case per variant',
      '',
      renderMarkdown(summary),
      '',
    ].join('\n'),
  };
};

const main = async (): Promise<void> => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const o = parseArgs(process.argv.slice(2));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const write = (file: string, text: string) => {
    if (!o.out) return;
    mkdirSync(o.out, { recursive: true });
    writeFileSync(path.join(o.out, file), text);
    log(`wrote ${path.relative(process.cwd(), path.join(o.out, file))}`);
  };
  if (!o.out) log('printing only: npm run bench -- --write updates docs/bench/');
  if (o.scale) {
    log('Floor benchmark');
    const results: FloorResult[] = [];
    const cases: Array<[number, number]> = [
      [16, 1],
      [100, 1],
      [500, 1],
      [2000, 1],
      [250, 4],
    ];
    for (const [routes, groups] of cases) {
      for (const variant of ['workflow', 'classic', 'classic+retry'] as const) {
        log(`  ${routes} routes × ${groups} group(s), ${variant}…`);
        results.push(
          await runFloorCase({
            routes,
            groups,
            variant,
            latencyMs: o.latencyMs,
            taskOverheadMs: o.taskOverheadMs,
            seed: o.seed,
          }),
        );
      }
    }
    const table = floorTable(results, o.taskOverheadMs, o.latencyMs);
    console.log(`\nFloor: ReplaceRoute failover against EC2's documented limits (floor = max(L, (M − 50)/5 s))\n`);
    console.log(renderConsole(table));
    write(
      'floor.md',
      [
        "# Floor benchmark: failover against EC2's documented limits",
        '',
        `Generated by \`npm run bench -- --write\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}).`,
        '',
        renderMarkdown(table),
        '',
      ].join('\n'),
    );
    log('Associations-mode benchmark');
    const assoc: AssociationsResult[] = [];
    for (const [routes, routeTables] of ASSOCIATION_CASES) {
      log(`  ${routes} routes over ${routeTables} associated table(s)…`);
      assoc.push(
        await runAssociationsCase({
          routes,
          routeTables,
          latencyMs: o.latencyMs,
          taskOverheadMs: o.taskOverheadMs,
          seed: o.seed,
        }),
      );
    }
    const at = associationsTable(assoc, o.taskOverheadMs, o.latencyMs);
    console.log(`\nAssociations mode: one ReplaceRouteTableAssociation per subnet, beside the per-route floor\n`);
    console.log(renderConsole(at));
    write(
      'associations.md',
      [
        '# Associations-mode benchmark: switching by association against the per-route floor',
        '',
        `Generated by \`npm run bench -- --write\` (${new Date().toISOString().slice(0, 10)}, Node ${process.version}).`,
        '',
        renderMarkdown(at),
        '',
      ].join('\n'),
    );
    log('Scale benchmark');
    const s = await runScaleBench(o, log);
    console.log(`\nScale: workflow vs classic (${o.latencyMs} ms per EC2 call, EC2 token buckets on)\n`);
    console.log(s.console);
    write('scale.md', s.markdown);
    write('scale.svg', s.svg);
  }
  if (o.detection) {
    log('Detection benchmark');
    const model = defaultLatencyModel();
    const opts = { samples: o.detectionSamples, outageSamples: o.outageSamples, seed: o.seed };
    const rows = await runDetectionBench({ ...opts, model, log });
    const table = detectionTable(rows, model, opts);
    console.log('\nDetection: failure → detection → first priority route switched → all routes verified\n');
    console.log(renderConsole(table));
    write(
      'detection.md',
      [
        '# Detection benchmark: from a router failure to its routes switched',
        '',
        `Generated by \`npm run bench -- --detection --write\` (${new Date().toISOString().slice(0, 10)}, ${sourceLabel()}, Node ${process.version}). ` +
          'The latency model and its sources: [docs/detection.md](../detection.md#latency-model).',
        '',
        renderMarkdown(table),
        '',
      ].join('\n'),
    );
  }
  if (o.coldStart) {
    log('Cold start benchmark');
    const results = await measureColdStart({ runs: o.runs, log });
    const c = renderColdStart(results);
    console.log('\nCold start: bundle size and module init vs the SDK floor\n');
    console.log(c.console);
    write('cold-start.md', c.markdown);
  }
};

if (require.main === module) {
  main().catch((err: Error) => {
    // exitCode, not exit(): stdout may still be draining into a pipe.
    if (err instanceof HelpRequested) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    console.error(err.message);
    process.exitCode = 1;
  });
}
