/**
 * Builds the package (npm run build, run by `npm pack` through prepack):
 * - dist/infra, dist/cli, dist/functions: JavaScript and type declarations (tsc -p tsconfig.build.json);
 * - dist/lambda/<folder>/index.mjs: every function bundled once, with the settings synth uses
 *   (FUNCTION_BUNDLING), so a CDK app using the package deploys them without esbuild or the TypeScript sources;
 * - dist/statemachine/failover.asl.json: the one definition, where the compiled constructs look for it.
 * The repository itself never reads dist/: its synth and tests bundle from the sources.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { FUNCTION_BUNDLING } from '../constructs/failover-function';

const ROOT = path.join(__dirname, '..', '..');
const DIST = path.join(ROOT, 'dist');

rmSync(DIST, { recursive: true, force: true });
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.build.json')], {
  stdio: ['ignore', process.stderr, process.stderr],
});

mkdirSync(path.join(DIST, 'statemachine'), { recursive: true });
copyFileSync(
  path.join(ROOT, 'statemachine', 'failover.asl.json'),
  path.join(DIST, 'statemachine', 'failover.asl.json'),
);

const b = FUNCTION_BUNDLING;
const folders = readdirSync(path.join(ROOT, 'functions')).filter((f) =>
  existsSync(path.join(ROOT, 'functions', f, 'index.ts')),
);
for (const folder of folders) {
  // The flags NodejsFunction passes to esbuild for these bundling options (aws-lambda-nodejs Bundling).
  buildSync({
    entryPoints: [path.join(ROOT, 'functions', folder, 'index.ts')],
    outfile: path.join(DIST, 'lambda', folder, 'index.mjs'),
    bundle: true,
    platform: 'node',
    target: b.target,
    format: 'esm',
    mainFields: b.mainFields,
    minify: b.minify,
    sourcemap: b.sourceMap,
    keepNames: b.keepNames,
    banner: { js: b.banner ?? '' },
    external: b.externalModules,
    logLevel: 'warning',
  });
}
process.stderr.write(
  `built dist/: the library, the CLI, ${folders.length} bundled functions (${folders.join(', ')})\n`,
);
