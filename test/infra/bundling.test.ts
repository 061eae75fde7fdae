import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import { exampleConfig, synth } from './synth';

const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

// The one test that bundles for real (local esbuild, no Docker): the others skip bundling to stay fast.
describe('FailoverStack bundling', () => {
  it('bundles each function into an ESM asset that keeps error class names and carries its SDK', () => {
    const { app, template } = synth(exampleConfig(), { bundle: true });
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { Code: { S3Key: string } } }[];
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
      }).toEqual({ key, bundled: true, sourceMap: true, banner: true, keepsClassNames: true, importsRuntimeSdk: false });
    }
    // Seven esbuild bundles take about 20 s; leave room on a loaded machine.
  }, 90_000);
});
