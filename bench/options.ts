import * as path from 'node:path';
import { DEFAULT_AFFECTED_PER_TABLE, DEFAULT_ROUTES_PER_TABLE, type Variant } from './scale';

/** The options of `npm run bench` (bench/run.ts) and their parsing. */

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
export const DOCS_BENCH_DIR = path.join(__dirname, '..', 'docs', 'bench');

const PER_TABLE = DEFAULT_AFFECTED_PER_TABLE;

export const USAGE = `npm run bench -- [options]
  --sizes 10,100,500,2000   affected routes per run (multiples of ${PER_TABLE}: ${PER_TABLE} per route table)
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
