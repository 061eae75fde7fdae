import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { esbuildOptionsFor, functionFolders, median } from '../../bench/cold-start';
import { FUNCTION_BUNDLING } from '../../infra/constructs/failover-function';

describe('cold start bundles', () => {
  it("builds with the construct's bundling options, translated as CDK passes them to esbuild", () => {
    const o = esbuildOptionsFor(FUNCTION_BUNDLING, '/tmp/out');
    expect(o).toMatchObject({
      bundle: true,
      platform: 'node',
      format: 'esm',
      outExtension: { '.js': '.mjs' },
      target: FUNCTION_BUNDLING.target,
      minify: true,
      keepNames: true,
      sourcemap: true,
      mainFields: ['module', 'main'],
      external: [],
      banner: { js: FUNCTION_BUNDLING.banner },
      // Quiet synth and bundling tests: esbuild prints warnings and errors only, not its size table.
      logLevel: 'warning',
    });
    expect(FUNCTION_BUNDLING.logLevel).toBe('warning');
  });

  it('refuses bundling options it does not mirror, rather than measure a different bundle', () => {
    expect(() => esbuildOptionsFor({ ...FUNCTION_BUNDLING, nodeModules: ['zod'] }, '/tmp/out')).toThrow(/nodeModules/);
  });

  it('finds the function folders and takes medians', () => {
    const folders = functionFolders();
    expect(folders.length).toBeGreaterThanOrEqual(5);
    expect(folders).not.toContain('contract');
    for (const f of folders)
      expect(existsSync(path.join(__dirname, '..', '..', 'functions', f, 'index.ts'))).toBe(true);
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it(`keeps classic zod out of the Lambda bundles: functions/ \
imports zod only through contract/zod.ts (zod/mini)`, () => {
    const root = path.join(__dirname, '..', '..', 'functions');
    const sources = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    expect(sources).toContain(path.join('contract', 'zod.ts'));
    const importers = sources.filter((f) =>
      /from '(zod|zod\/v4)'|require\('zod'\)/.test(readFileSync(path.join(root, f), 'utf8')),
    );
    expect(importers).toEqual([]);
    const miniImporters = sources.filter((f) => /from 'zod\/mini'/.test(readFileSync(path.join(root, f), 'utf8')));
    expect(miniImporters).toEqual([path.join('contract', 'zod.ts')]);
  });
});
