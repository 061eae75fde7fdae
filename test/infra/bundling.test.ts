import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { exampleConfig, synth } from './synth';

const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

// The one test that bundles for real (local esbuild, no Docker): the others skip bundling to stay fast.
describe('FailoverStack bundling', () => {
  it('bundles each function into an ESM asset that keeps error class names and carries its SDK', () => {
    // CDK announces each asset on stderr ("Bundling asset Test/…"): ten lines of the test log that say nothing
    // the assertions below do not. Anything else on stderr (an esbuild warning) still shows.
    const write = process.stderr.write.bind(process.stderr);
    const announced: string[] = [];
    const quiet = jest.spyOn(process.stderr, 'write').mockImplementation(((
      chunk: string | Uint8Array,
      ...rest: never[]
    ) => {
      if (!String(chunk).startsWith('Bundling asset ')) return write(chunk, ...rest);
      announced.push(String(chunk));
      return true;
    }) as typeof process.stderr.write);
    let synthesized: ReturnType<typeof synth>;
    try {
      synthesized = synth(exampleConfig(), { bundle: true });
    } finally {
      quiet.mockRestore();
    }
    const { app, template } = synthesized;
    expect(announced).toHaveLength(10);
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Code: { S3Key: string } };
    }[];
    expect(functions).toHaveLength(10); // the eight Task functions, the inventory refresh and the route guard

    for (const fn of functions) {
      const key = fn.Properties.Code.S3Key;
      expect(key).toMatch(/^[0-9a-f]{64}\.zip$/);
      const bundle = path.join(app.outdir, `asset.${key.replace(/\.zip$/, '')}`, 'index.mjs');
      const code = existsSync(bundle) ? readFileSync(bundle, 'utf8') : '';
      // Facts rather than toMatch on the code itself, so a failure prints a line, not a 1 MB bundle.
      expect({
        key,
        bundled: code.length > 0,
        sourceMap: existsSync(`${bundle}.map`),
        banner: code.startsWith(BANNER),
        // keepNames makes esbuild pin each class name (static{__name(this,"FailoverError")}): minification
        // cannot rename the classes whose names ASL Retry/Catch match.
        keepsClassNames: /\(this,\s*"FailoverError"\)/.test(code),
        // externalModules: [] - the pinned SDK v3 is inside the bundle, not imported from the runtime.
        importsRuntimeSdk: /from\s*"@aws-sdk\//.test(code),
      }).toEqual({
        key,
        bundled: true,
        sourceMap: true,
        banner: true,
        keepsClassNames: true,
        importsRuntimeSdk: false,
      });
    }
    // Seven esbuild bundles take about 20 s; leave room on a loaded machine.
  }, 90_000);
});
