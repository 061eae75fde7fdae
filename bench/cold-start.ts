import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as esbuild from 'esbuild';
import { FUNCTION_BUNDLING } from '../infra/constructs/failover-function';

/**
 * Cold start of the Task functions: each functions/<name>/index.ts bundled with esbuild exactly as
 * infra/constructs/failover-function.ts has NodejsFunction bundle it (FUNCTION_BUNDLING, translated the
 * way CDK turns it into esbuild arguments), then imported in fresh `node` processes, the time measured
 * inside the child around `await import(...)`. Beside each function, its floor: a bundle of only the SDK
 * client(s) it uses and one command each, built the same way (for EC2: EC2Client + ReplaceRouteCommand).
 *
 * Two experiment variants rebuild the same functions with functions/contract/zod.ts (where every schema gets
 * zod/mini from) swapped at bundle time (an esbuild plugin; the sources are untouched): "schemas at import"
 * builds every schema of the imported modules during init instead of on first parse (bench/cold-start/zod-eager.ts),
 * to size what the lazy declarations move out of init, and "no zod" uses an inert stand-in
 * (bench/cold-start/zod-inert.ts): the floor of not validating in Lambda at all.
 */

const PROJECT_ROOT = path.join(__dirname, '..');
const exec = promisify(execFile);

export type BundleVariant = 'as built' | 'schemas at import' | 'no zod' | 'floor';

export interface InitTime {
  /** Medians over the runs. */
  wallMs: number;
  cpuMs: number;
  runs: number;
}

export interface BundleResult {
  /** Function folder, or 'floor: ec2' etc. */
  name: string;
  variant: BundleVariant;
  bytes: number;
  /** Bytes of the output that come from node_modules/zod. */
  zodBytes: number;
  /** SDK clients in the bundle, e.g. ['ec2']. */
  clients: string[];
  /** The floor this bundle is compared with (same clients). */
  floor?: string;
  init?: InitTime;
  /** Why the bundle could not be measured. */
  error?: string;
}

export interface ColdStartOptions {
  /** Imports per bundle (the median is reported); at least 7. */
  runs?: number;
  /** Where bundles are written (inside the project so node_modules resolves). */
  outDir?: string;
  variants?: Array<Exclude<BundleVariant, 'floor'>>;
  /** Node options the child runs with; Lambda's as FailoverFunction sets NODE_OPTIONS by default. */
  nodeOptions?: string[];
  /** Only these function folders. */
  only?: string[];
  log?: (line: string) => void;
}

/** NODE_OPTIONS as FailoverFunction sets it for every function (source maps cost init time: measure them). */
export const LAMBDA_NODE_OPTIONS = ['--enable-source-maps'];

/** One command per SDK client for the floors; the EC2 one is the floor. */
const FLOOR_COMMANDS: Record<string, { client: string; command: string; input: string }> = {
  ec2: { client: 'EC2Client', command: 'ReplaceRouteCommand', input: 'event' },
  sns: { client: 'SNSClient', command: 'PublishCommand', input: 'event' },
  dynamodb: { client: 'DynamoDBClient', command: 'UpdateItemCommand', input: 'event' },
  sfn: { client: 'SFNClient', command: 'DescribeExecutionCommand', input: 'event' },
  cloudwatch: { client: 'CloudWatchClient', command: 'PutMetricDataCommand', input: 'event' },
};

// The NodejsFunction bundling options CDK turns into esbuild arguments (aws-lambda-nodejs Bundling.buildEsbuildArgs);
// anything else would make these bundles differ from the deployed ones, so it stops the benchmark instead.
const MIRRORED_KEYS = new Set([
  'forceDockerBundling',
  'format',
  'mainFields',
  'minify',
  'sourceMap',
  'sourceMapMode',
  'sourcesContent',
  'keepNames',
  'target',
  'banner',
  'footer',
  'externalModules',
  'define',
  'loader',
  'logLevel',
  'inject',
  'metafile',
]);

/** esbuild options equivalent to the CLI arguments CDK derives from `bundling` (local bundling). */
export const esbuildOptionsFor = (bundling: BundlingOptions, outdir: string): esbuild.BuildOptions => {
  const unmirrored = Object.keys(bundling).filter(
    (k) => !MIRRORED_KEYS.has(k) && (bundling as Record<string, unknown>)[k] !== undefined,
  );
  if (unmirrored.length > 0)
    throw new Error(
      `bench/cold-start.ts does not mirror bundling option(s) ` +
        `${unmirrored.join(', ')} yet: add them to esbuildOptionsFor`,
    );
  if (!bundling.target) throw new Error('FUNCTION_BUNDLING.target must be set (CDK would derive it from the runtime)');
  const mode = bundling.sourceMapMode;
  const sourcemap: esbuild.BuildOptions['sourcemap'] =
    mode === undefined || String(mode) === 'default'
      ? bundling.sourceMap === true
      : (String(mode) as 'inline' | 'external' | 'both');
  const esm = String(bundling.format) === 'esm';
  return {
    bundle: true,
    absWorkingDir: PROJECT_ROOT,
    target: bundling.target,
    platform: 'node',
    format: esm ? 'esm' : 'cjs',
    outdir,
    entryNames: 'index',
    outExtension: { '.js': esm ? '.mjs' : '.js' },
    minify: bundling.minify ?? false,
    sourcemap,
    sourcesContent: bundling.sourcesContent ?? true,
    // CDK's default for Node 18+ runtimes is to leave the runtime's SDK out.
    external: bundling.externalModules ?? ['@aws-sdk/*'],
    define: bundling.define,
    loader: bundling.loader as esbuild.BuildOptions['loader'],
    logLevel: (bundling.logLevel as esbuild.LogLevel | undefined) ?? 'warning',
    keepNames: bundling.keepNames ?? false,
    banner: bundling.banner ? { js: bundling.banner } : undefined,
    footer: bundling.footer ? { js: bundling.footer } : undefined,
    mainFields: bundling.mainFields,
    inject: bundling.inject,
    metafile: true,
  };
};

/** Function folders that have an index.ts (one per Task state, plus any other function of the stack). */
export const functionFolders = (): string[] =>
  readdirSync(path.join(PROJECT_ROOT, 'functions'))
    .filter((d) => existsSync(path.join(PROJECT_ROOT, 'functions', d, 'index.ts')))
    .sort();

/** The module every schema under functions/ imports zod/mini through (without extension, as imports name it). */
const CONTRACT_ZOD = path.join(PROJECT_ROOT, 'functions', 'contract', 'zod');

/** Bundles `replacement` wherever functions/ imports functions/contract/zod.ts (but not in the replacement itself). */
const swapContractZod = (replacement: string): esbuild.Plugin => ({
  name: 'swap-contract-zod',
  setup(build) {
    build.onResolve({ filter: /(^|\/)zod$/ }, (args) =>
      args.importer !== replacement && path.resolve(args.resolveDir, args.path) === CONTRACT_ZOD
        ? { path: replacement }
        : undefined,
    );
  },
});

/** Input files that left code in the bundle (metafile.inputs also lists files tree-shaken to nothing). */
const bundledInputs = (meta: esbuild.Metafile): Array<[string, number]> => {
  const out = Object.values(meta.outputs).find((o) => o.entryPoint !== undefined);
  return Object.entries(out?.inputs ?? {})
    .filter(([, i]) => i.bytesInOutput > 0)
    .map(([file, i]) => [file, i.bytesInOutput]);
};

const clientsOf = (meta: esbuild.Metafile): string[] => {
  const clients = new Set<string>();
  for (const [file] of bundledInputs(meta)) {
    const m = /node_modules\/@aws-sdk\/client-([a-z0-9-]+)\//.exec(file);
    if (m) clients.add(m[1]);
  }
  return [...clients].sort();
};

const zodBytesOf = (meta: esbuild.Metafile): number =>
  bundledInputs(meta).reduce((n, [file, bytes]) => n + (/node_modules\/zod\//.test(file) ? bytes : 0), 0);

const floorSource = (clients: string[]): string => {
  const lines: string[] = [];
  const calls: string[] = [];
  for (const c of clients) {
    const f = FLOOR_COMMANDS[c];
    if (!f)
      throw new Error(`no floor command for @aws-sdk/client-${c}: add one to FLOOR_COMMANDS in bench/cold-start.ts`);
    lines.push(
      `import { ${f.client}, ${f.command} } from '@aws-sdk/client-${c}';`,
      `const ${c} = new ${f.client}({});`,
    );
    calls.push(`${c}.send(new ${f.command}(event))`);
  }
  return `${lines.join('\n')}\nexport const handler = async (event: any) => Promise.all([${calls.join(', ')}]);\n`;
};

interface Built {
  result: BundleResult;
  file: string;
}

const build = async (
  opts: esbuild.BuildOptions,
  entry: { file: string } | { source: string; name: string },
  outdir: string,
): Promise<{ file: string; meta: esbuild.Metafile }> => {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const r = await esbuild.build({
    ...opts,
    outdir,
    ...('file' in entry
      ? { entryPoints: [entry.file] }
      : { stdin: { contents: entry.source, resolveDir: PROJECT_ROOT, sourcefile: `${entry.name}.ts`, loader: 'ts' } }),
  });
  const file = Object.keys(r.metafile!.outputs).find((o) => /\.m?js$/.test(o))!;
  return { file: path.resolve(PROJECT_ROOT, file), meta: r.metafile! };
};

/** Builds every bundle, then measures module init round-robin (so load on the machine hits all alike). */
export const measureColdStart = async (o: ColdStartOptions = {}): Promise<BundleResult[]> => {
  const runs = Math.max(7, o.runs ?? 7);
  const outDir = o.outDir ?? path.join(PROJECT_ROOT, '.bench-out', 'cold-start');
  const variants = o.variants ?? ['as built', 'schemas at import', 'no zod'];
  const log = o.log ?? (() => undefined);
  const folders = functionFolders().filter((f) => !o.only || o.only.includes(f));
  const opts = esbuildOptionsFor(FUNCTION_BUNDLING, outDir);
  const variantOptions: Record<string, Partial<esbuild.BuildOptions>> = {
    'as built': {},
    'schemas at import': { plugins: [swapContractZod(path.join(__dirname, 'cold-start', 'zod-eager.ts'))] },
    'no zod': { plugins: [swapContractZod(path.join(__dirname, 'cold-start', 'zod-inert.ts'))] },
  };

  const built: Built[] = [];
  const floors = new Map<string, string[]>();
  for (const fn of folders) {
    for (const variant of variants) {
      log(`  bundling ${fn} (${variant})`);
      const slug = variant.replace(/[^a-z]+/g, '-');
      try {
        const { file, meta } = await build(
          { ...opts, ...variantOptions[variant] },
          { file: path.join(PROJECT_ROOT, 'functions', fn, 'index.ts') },
          path.join(outDir, slug, fn),
        );
        const clients = clientsOf(meta);
        const floor = clients.length > 0 ? `floor: ${clients.join('+')}` : undefined;
        if (floor) floors.set(floor, clients);
        built.push({
          file,
          result: { name: fn, variant, bytes: statSync(file).size, zodBytes: zodBytesOf(meta), clients, floor },
        });
      } catch (err) {
        built.push({
          file: '',
          result: {
            name: fn,
            variant,
            bytes: 0,
            zodBytes: 0,
            clients: [],
            error: `build failed: ${(err as Error).message.split('\n')[0]}`,
          },
        });
      }
    }
  }
  // The floor is always measured, even if no function used EC2.
  floors.set('floor: ec2', floors.get('floor: ec2') ?? ['ec2']);
  for (const [name, clients] of floors) {
    log(`  bundling ${name}`);
    const { file, meta } = await build(
      opts,
      { source: floorSource(clients), name: name.replace(/\W+/g, '-') },
      path.join(outDir, 'floor', clients.join('-')),
    );
    built.push({
      file,
      result: { name, variant: 'floor', bytes: statSync(file).size, zodBytes: zodBytesOf(meta), clients },
    });
  }

  const samples = new Map<Built, Array<{ wallMs: number; cpuMs: number }>>();
  const measurable = built.filter((b) => !b.result.error);
  for (let i = 0; i < runs; i++) {
    log(`  init run ${i + 1}/${runs} (${measurable.length} bundles)`);
    for (const b of measurable) {
      if (b.result.error) continue;
      try {
        const s = await importOnce(b.file, o.nodeOptions ?? LAMBDA_NODE_OPTIONS);
        samples.set(b, [...(samples.get(b) ?? []), s]);
      } catch (err) {
        b.result.error =
          `init failed: ` +
          `${(err as Error).message.split('\n').find((l) => /Error/.test(l)) ?? (err as Error).message}`;
      }
    }
  }
  for (const b of measurable) {
    const s = samples.get(b);
    if (!b.result.error && s)
      b.result.init = { wallMs: median(s.map((x) => x.wallMs)), cpuMs: median(s.map((x) => x.cpuMs)), runs: s.length };
  }
  const floorsFirst = (r: BundleResult) => (r.variant === 'floor' ? 0 : 1);
  return built.map((b) => b.result).sort((a, b) => floorsFirst(a) - floorsFirst(b));
};

const importOnce = async (file: string, nodeOptions: string[]): Promise<{ wallMs: number; cpuMs: number }> => {
  const { stdout } = await exec(
    process.execPath,
    [...nodeOptions, path.join(__dirname, 'cold-start', 'init-child.mjs'), file],
    {
      // What Lambda's environment gives module init: a region; nothing from the developer's shell.
      env: {
        PATH: process.env.PATH ?? '',
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      timeout: 60_000,
    },
  );
  return JSON.parse(stdout) as { wallMs: number; cpuMs: number };
};

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
