import fc from 'fast-check';
import { INVARIANTS, type InvariantId, type Violation } from './invariants';
import { soakCase, soakProperty, type SoakCase } from './property';

/**
 * `npm run soak -- --runs N [--seed S] [--path P] [--max-tables T]`: runs N generated cases; on the first
 * violation fast-check shrinks it, and the minimal case, its seed and path are printed (stdout), with the
 * command that replays it. Progress goes to stderr (a bar on a TTY, else a line per 10 %).
 */

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const runs = Number(arg('runs') ?? 1000);
const seed = Number(arg('seed') ?? (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0);
const path = arg('path');
const maxTables = arg('max-tables') === undefined ? undefined : Number(arg('max-tables'));

const progress = (() => {
  const tty = process.stderr.isTTY;
  let lastDecile = 0;
  return (done: number, started: number) => {
    const rate = Math.round((done * 1000) / Math.max(1, Date.now() - started));
    if (tty) {
      const width = 30;
      const filled = Math.round((width * done) / runs);
      process.stderr.write(`\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor((100 * done) / runs)}% ${done}/${runs} ${rate}/s`);
      if (done === runs) process.stderr.write('\n');
      return;
    }
    const decile = Math.floor((10 * done) / runs);
    if (decile > lastDecile) {
      lastDecile = decile;
      process.stderr.write(`soak: ${decile * 10}% (${done}/${runs}, ${rate} cases/s)\n`);
    }
  };
})();

const table = (rows: string[][]): string => {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const line = (r: string[]) => `| ${r.map((x, i) => x.padEnd(widths[i])).join(' | ')} |`;
  return [line(rows[0]), line(widths.map((w) => '-'.repeat(w))), ...rows.slice(1).map(line)].join('\n');
};

const main = async (): Promise<void> => {
  const byInvariant = Object.fromEntries(Object.keys(INVARIANTS).map((k) => [k, 0])) as Record<InvariantId, number>;
  let cases = 0;
  let shrinkRuns = 0;
  let failing = false;
  const started = Date.now();
  const onCase = (_c: SoakCase, v: Violation[]) => {
    if (failing) {
      shrinkRuns++;
      return;
    }
    cases++;
    for (const id of new Set(v.map((x) => x.invariant))) byInvariant[id]++;
    if (v.length > 0) failing = true;
    progress(cases, started);
  };
  process.stderr.write(`soak: ${runs} case(s), seed ${seed}${path ? `, path ${path}` : ''}\n`);
  const result = await fc.check(soakProperty({ onCase, maxTables }), { seed, numRuns: runs, ...(path ? { path } : {}) });
  const seconds = (Date.now() - started) / 1000;
  const rows = [
    ['cases', 'shrink runs', 'seconds', 'cases/s', ...Object.keys(byInvariant)],
    [String(cases), String(shrinkRuns), seconds.toFixed(1), (cases / Math.max(seconds, 1e-3)).toFixed(0), ...Object.values(byInvariant).map(String)],
  ];
  const out: string[] = [];
  if (result.failed && result.counterexample) {
    const [minimal] = result.counterexample as [SoakCase];
    const violations = await soakCase(minimal);
    out.push(
      `VIOLATION after ${result.numRuns} case(s); shrunk ${result.numShrinks} time(s)`,
      `seed ${result.seed}  path ${result.counterexamplePath}`,
      `replay: npm run soak -- --runs ${runs} --seed ${result.seed} --path ${result.counterexamplePath}`,
      'minimal case:',
      JSON.stringify(minimal, null, 1),
      'its violations:',
      ...violations.map((v) => `  ${v.invariant} ${v.detail}`),
      '',
    );
    process.exitCode = 1;
  } else if (result.failed) {
    out.push(`the soak itself failed: ${String(result.errorInstance)}`, '');
    process.exitCode = 2;
  }
  out.push(table(rows), '');
  // Written whole and left to drain: process.exitCode, never process.exit(), so a pipe gets the tail.
  process.stdout.write(out.join('\n'));
};

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 2;
});
