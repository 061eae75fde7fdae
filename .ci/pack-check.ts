/**
 * The package as a user gets it (npm run pack:check):
 * 1. `npm pack`: builds dist/ (prepack) and writes the tarball; its size and file count;
 * 2. a fresh CDK app (`npm init -y`, aws-cdk-lib + constructs + the tarball) synthesizes FailoverStack from the
 *    package's example config and a plain Stack holding one RouteFailover; FailoverStack's template must equal
 *    the repository's own (asset hashes and aws:cdk:path metadata aside: the package's functions are the same
 *    bundles, its assets are hashed from their directory);
 * 3. the tarball installed with production dependencies only (`npm install --omit=dev`) runs
 *    `npx route-failover --help`.
 * Installs try the npm cache first (--offline) and say when they needed the network. Prints a table of timings.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { FailoverStack } from '../infra/failover-stack';
import { templateDifferences } from './template-diff';

const ROOT = path.join(__dirname, '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const work = mkdtempSync(path.join(tmpdir(), 'route-failover-pack-'));
const rows: [string, string][] = [];
const env = {
  ...process.env,
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
};

const timed = <T>(what: string, run: () => T): T => {
  const start = Date.now();
  const result = run();
  rows.push([what, `${((Date.now() - start) / 1000).toFixed(1)} s`]);
  return result;
};
const sh = (cwd: string, cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { cwd, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
/** npm install from the cache only, or, if something is missing there, from the registry (and says so). */
const install = (cwd: string, what: string, args: string[]): void => {
  try {
    timed(`${what} (offline, npm cache)`, () => sh(cwd, 'npm', ['install', '--offline', ...args]));
  } catch {
    timed(`${what} (network: not all in the npm cache)`, () => sh(cwd, 'npm', ['install', ...args]));
  }
};

try {
  const [packed] = timed(
    'npm pack (with the prepack build)',
    () =>
      JSON.parse(sh(ROOT, 'npm', ['pack', '--json', '--pack-destination', work])) as {
        filename: string;
        size: number;
        unpackedSize: number;
        files: unknown[];
      }[],
  );
  const tarball = path.join(work, packed.filename);
  rows.push([
    'tarball',
    `${packed.filename}: ${(packed.size / 1024 / 1024).toFixed(2)} MB, ${packed.files.length} files, ` +
      `${(packed.unpackedSize / 1024 / 1024).toFixed(1)} MB unpacked`,
  ]);

  // A fresh CDK app.
  const app = path.join(work, 'app');
  mkdirSync(app);
  sh(app, 'npm', ['init', '-y']);
  install(app, 'fresh app: npm install aws-cdk-lib constructs <tarball>', [
    `aws-cdk-lib@${pkg.devDependencies['aws-cdk-lib']}`,
    `constructs@${pkg.devDependencies.constructs}`,
    tarball,
  ]);
  const { context } = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8'));
  const { exampleFailoverFile: _example, ...flags } = context;
  writeFileSync(
    path.join(app, 'app.js'),
    [
      `const { App, Stack } = require('aws-cdk-lib');`,
      `const { FailoverStack, RouteFailover } = require('${pkg.name}');`,
      `const path = require('path');`,
      `const config = require(path.join(path.dirname(require.resolve('${pkg.name}/package.json')), ` +
        `'examples', 'failover.json'));`,
      `const app = new App({ outdir: 'cdk.out', context: ${JSON.stringify(flags)} });`,
      `new FailoverStack(app, 'VpcRouteFailover', { config });`,
      `const mine = new Stack(app, 'MyNetwork');`,
      `const failover = new RouteFailover(mine, 'Failover', config);`,
      `console.log('state machine', mine.resolve(failover.stateMachine.stateMachineArn));`,
      `app.synth();`,
    ].join('\n'),
  );
  timed('fresh app: node app.js (synth, two stacks)', () => sh(app, 'node', ['app.js']));
  const fresh = JSON.parse(readFileSync(path.join(app, 'cdk.out', 'VpcRouteFailover.template.json'), 'utf8'));

  // The repository's own stack, from the sources, for the same config.
  const ours = timed('repository: the same stack from the sources', () => {
    const repoApp = new App({
      outdir: path.join(work, 'repo.out'),
      context: { ...flags, 'aws:cdk:bundling-stacks': [] },
    });
    const stack = new FailoverStack(repoApp, 'VpcRouteFailover', {
      config: JSON.parse(readFileSync(path.join(ROOT, 'examples', 'failover.json'), 'utf8')),
    });
    return repoApp.synth().getStackByName(stack.stackName).template;
  });
  const differences = templateDifferences(ours, fresh);
  rows.push([
    'fresh app vs repository template',
    differences.length === 0 ? 'the same' : `${differences.length} differences`,
  ]);

  // The CLI with production dependencies only.
  const cli = path.join(work, 'cli');
  mkdirSync(cli);
  sh(cli, 'npm', ['init', '-y']);
  install(cli, 'CLI: npm install --omit=dev <tarball>', ['--omit=dev', tarball]);
  const help = timed('CLI: npx route-failover --help', () =>
    sh(cli, 'npx', ['--no-install', 'route-failover', '--help']),
  );
  const modules = sh(cli, 'du', ['-sh', 'node_modules']).split('\t')[0];
  rows.push(['CLI install size (node_modules)', modules]);

  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  if (differences.length > 0)
    throw new Error(`the fresh app's FailoverStack differs from the repository's:\n${differences.join('\n')}`);
  if (!/route-failover/.test(help)) throw new Error(`route-failover --help printed no usage:\n${help}`);
  process.stdout.write('pack:check passed\n');
} finally {
  rmSync(work, { recursive: true, force: true });
}
