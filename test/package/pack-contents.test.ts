import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What `npm pack` puts in the tarball (dry run, no build: cheap). The full check (build, pack, a fresh CDK app
 * synthesizing with it, the CLI with production dependencies only) is `npm run pack:check`.
 */
const ROOT = path.join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
const listed = (): string[] => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return (JSON.parse(out)[0].files as { path: string }[]).map((f) => f.path);
};
const functionFolders = readdirSync(path.join(ROOT, 'functions')).filter((f) =>
  existsSync(path.join(ROOT, 'functions', f, 'index.ts')),
);
const covered = (file: string) =>
  (pkg.files as string[]).some((entry) => file === entry || file.startsWith(`${entry}/`));

describe('the packed package', () => {
  const files = listed();

  it('holds only the built library and CLI, the bundled functions, the CLI launcher, the examples and the docs', () => {
    const allowed = [
      /^dist\/(infra|cli|functions)\/.+\.(js|d\.ts)$/,
      /^dist\/lambda\/[a-z-]+\/index\.mjs(\.map)?$/,
      /^dist\/statemachine\/failover\.asl\.json$/,
      /^cli\/bin\/route-failover\.js$/,
      /^examples\/.+\.json$/,
      /^(package\.json|README\.md|CHANGELOG\.md)$/,
    ];
    expect(files.filter((f) => !allowed.some((re) => re.test(f)))).toEqual([]);
    for (const always of [
      'package.json',
      'README.md',
      'CHANGELOG.md',
      'cli/bin/route-failover.js',
      'examples/failover.json',
    ])
      expect(files).toContain(always);
    // No TypeScript source, test, simulator, bench or build script: the package runs without them.
    expect(files.filter((f) => /\.ts$/.test(f) && !/\.d\.ts$/.test(f))).toEqual([]);
  });

  it('points main, types, exports and bin at files it ships', () => {
    const targets = [
      pkg.main,
      pkg.types,
      pkg.exports['.'].types,
      pkg.exports['.'].default,
      ...Object.values(pkg.bin as Record<string, string>),
    ];
    expect(targets.filter((t: string) => !covered(t.replace(/^\.\//, '')))).toEqual([]);
    // The construct library's peers are the CDK app's own; the CLI needs neither.
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    expect(Object.keys(pkg.dependencies)).not.toContain('aws-cdk-lib');
  });

  // dist/ exists once `npm run build` (or `npm pack`, through prepack) has run: then the tarball holds all of it.
  // In a clone never built, it holds none of it, and `npm pack` builds before it packs.
  it(`ships every function bundled, the definition and the \
entry points: all of dist once built, built by npm pack`, () => {
    expect(pkg.scripts.prepack).toBe('npm run build');
    if (!existsSync(path.join(ROOT, 'dist', 'infra', 'index.js'))) {
      expect(files.filter((f) => f.startsWith('dist/'))).toEqual([]);
      return;
    }
    for (const folder of functionFolders) expect(files).toContain(`dist/lambda/${folder}/index.mjs`);
    for (const file of [pkg.main, pkg.types, 'dist/statemachine/failover.asl.json', 'dist/cli/route-failover/main.js'])
      expect(files).toContain(file);
  });
});
