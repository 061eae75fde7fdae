import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** One Node version stated (package.json engines, the README, CI) and true for every dependency. */

const ROOT = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const pkg = JSON.parse(read('package.json')) as {
  engines: { node: string };
  dependencies: object;
  devDependencies: object;
};

/** True when Node `major`.0.0 satisfies `range` (the forms the engines fields use here). */
const allowsFrom = (range: string, major: number): boolean =>
  range.split('||').some((alt) => {
    const a = alt.trim();
    const atLeast = /^>=\s*(\d+)/.exec(a);
    if (atLeast) return Number(atLeast[1]) <= major;
    const caret = /^\^(\d+)/.exec(a);
    if (caret) return Number(caret[1]) === major;
    return false;
  });

describe('the Node version', () => {
  const stated = Number(/^>=(\d+)$/.exec(pkg.engines.node)?.[1]);

  it('is one lower bound in package.json, and the README and CI say the same', () => {
    expect(stated).toBe(22);
    expect(read('README.md')).toContain(`Node.js ${stated} or later`);
    expect(read('README.md')).not.toMatch(/Node\.js (?!22)\d+ or later/);
    expect(read('.ci/run')).toContain(`Node ${stated}+`);
  });

  it('satisfies the engines field of every direct dependency', () => {
    const names = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies });
    const refusing = names.flatMap((name) => {
      const engines = (
        JSON.parse(read(path.join('node_modules', name, 'package.json'))) as { engines?: { node?: string } }
      ).engines;
      return engines?.node && !allowsFrom(engines.node, stated) ? [`${name} wants ${engines.node}`] : [];
    });
    expect(refusing).toEqual([]);
  });

  it('reads the range forms it meets', () => {
    expect(allowsFrom('>=22.0.0', 22)).toBe(true);
    expect(allowsFrom('>= 18.0.0', 22)).toBe(true);
    expect(allowsFrom('>=24', 22)).toBe(false);
    expect(allowsFrom('^18.14.0 || ^20.0.0 || ^22.0.0 || >=24.0.0', 22)).toBe(true);
    expect(allowsFrom('^18.14.0 || ^20.0.0 || >=24.0.0', 22)).toBe(false);
  });
});
