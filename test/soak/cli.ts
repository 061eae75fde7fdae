import fc from 'fast-check';
import { checkCase, INVARIANTS, type InvariantId, type Violation } from './invariants';
import type { Size } from './generators/estate';
import { caseArb, soakCase, soakProperty, type SoakCase } from './property';
import { runCase, type Observation } from './run-case';

/**
 * `npm run soak -- --runs N [--seed S] [--max-tables T] [--max-routes R] [--size S]`: runs N generated cases, counting
 * the cases that violate each invariant; then the first case of each violated invariant is shrunk by fast-check and
 * printed (stdout) with its seed, path and the command that replays it, then the summary table.
 * `--seed S --path P [--only I]` replays (and shrinks further) one case, failing on invariant I only if given. Progress
 * goes to stderr (a bar on a TTY, else a line per 10 %).
 */

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};

const runs = Number(arg('runs') ?? 1000);
const seed = Number(arg('seed') ?? (Date.now() ^ (Math.random() * 2 ** 31)) >>> 0);
const path = arg('path');
const maxTables = arg('max-tables') === undefined ? undefined : Number(arg('max-tables'));
const maxRoutes = arg('max-routes') === undefined ? undefined : Number(arg('max-routes'));
const size = arg('size') as Size | undefined;
/** The estate options of this run, as the replay command must repeat them. */
const shape = [
  ['max-tables', maxTables],
  ['max-routes', maxRoutes],
  ['size', size],
]
  .filter(([, v]) => v !== undefined)
  .map(([k, v]) => ` --${k} ${v}`)
  .join('');

const progress = (() => {
  const tty = process.stderr.isTTY;
  let lastDecile = 0;
  return (done: number, started: number) => {
    const rate = Math.round((done * 1000) / Math.max(1, Date.now() - started));
    if (tty) {
      const width = 30;
      const filled = Math.round((width * done) / runs);
      process.stderr.write(
        `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ` +
          `${Math.floor((100 * done) / runs)}% ${done}/${runs} ${rate}/s`,
      );
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

/** Replays the case at `path` (a run index, or a path fast-check printed) with the failing property, shrinking it. */
const shrink = async (at: string, only?: InvariantId): Promise<string[]> => {
  const result = await fc.check(soakProperty({ maxTables, maxRoutes, size, only }), { seed, numRuns: runs, path: at });
  if (!result.failed || !result.counterexample) return [`path ${at}: no violation on replay`];
  const [minimal] = result.counterexample as [SoakCase];
  const violations = await soakCase(minimal);
  return [
    `seed ${result.seed}  path ${result.counterexamplePath}  (shrunk ${result.numShrinks} time(s))`,
    `replay: npm run soak -- --seed ${result.seed}${shape} --path ` +
      `${result.counterexamplePath}${only ? ` --only ${only}` : ''}`,
    `minimal case: ${JSON.stringify(minimal)}`,
    ...violations.slice(0, 8).map((v) => `  ${v.invariant} ${v.detail}`),
    '',
  ];
};

const main = async (): Promise<void> => {
  const out: string[] = [];
  if (path !== undefined) {
    process.stderr.write(`soak: replaying seed ${seed} path ${path}\n`);
    out.push(...(await shrink(path, arg('only') as InvariantId | undefined)));
    if (!out[0].includes('no violation')) process.exitCode = 1;
    process.stdout.write(`${out.join('\n')}\n`);
    return;
  }
  const byInvariant = Object.fromEntries(Object.keys(INVARIANTS).map((k) => [k, 0])) as Record<InvariantId, number>;
  /** The first case (run index) that violated each invariant. */
  const firstIndex = new Map<InvariantId, number>();
  let cases = 0;
  let violating = 0;
  const harnessErrors: string[] = [];
  const started = Date.now();
  /** First deliveries by outcome: what the cases exercised. */
  const outcomes = new Map<string, number>();
  const onCase = (_c: SoakCase, v: Violation[], o: Observation) => {
    const record: any = o.first[0].result?.output ?? o.first[0].result?.auditRecord;
    const outcome = String(record?.outcome ?? o.first[0].result?.status ?? 'threw');
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    const ids = new Set(v.map((x) => x.invariant));
    for (const id of ids) {
      byInvariant[id]++;
      if (!firstIndex.has(id)) firstIndex.set(id, cases);
    }
    if (ids.size > 0) violating++;
    progress(++cases, started);
  };
  process.stderr.write(`soak: ${runs} case(s), seed ${seed}\n`);
  // Every case runs (a violation is counted, not thrown); the first case of each violated invariant is then shrunk.
  const result = await fc.check(
    fc.asyncProperty(caseArb({ maxTables, maxRoutes, size }), async (c) => {
      const index = cases;
      try {
        const o = await runCase(c.estate, c.history, c.simSeed);
        onCase(c, checkCase(o), o);
      } catch (err) {
        // The harness could not run the case (a set-up the simulator refuses): counted and shown, not shrunk.
        harnessErrors.push(
          `case ${index + 1} (--path ${index}): ${String((err as Error)?.stack ?? err)
            .split('\n')
            .slice(0, 3)
            .join(' | ')}`,
        );
        progress(++cases, started);
      }
    }),
    { seed, numRuns: runs },
  );
  const seconds = (Date.now() - started) / 1000;
  if (result.failed) {
    out.push(`the soak itself failed: ${String(result.errorInstance)}`, '');
    process.exitCode = 2;
  }
  for (const [id, index] of [...firstIndex].sort()) {
    out.push(`${id} first violated by case ${index + 1}:`, ...(await shrink(String(index), id)));
  }
  if (harnessErrors.length > 0)
    out.push(`${harnessErrors.length} case(s) the harness could not run:`, ...harnessErrors.slice(0, 5), '');
  if (violating > 0 || harnessErrors.length > 0) process.exitCode = 1;
  const rows = [
    ['seed', 'cases', 'seconds', 'cases/s', 'violating', ...Object.keys(byInvariant)],
    [
      String(seed),
      String(cases),
      seconds.toFixed(1),
      (cases / Math.max(seconds, 1e-3)).toFixed(0),
      String(violating),
      ...Object.values(byInvariant).map(String),
    ],
  ];
  const kinds = [...outcomes.keys()].sort();
  out.push(
    table(rows),
    '',
    table([
      ['first delivery', ...kinds],
      ['cases', ...kinds.map((k) => String(outcomes.get(k)))],
    ]),
    '',
  );
  // Written whole and left to drain: process.exitCode, never process.exit(), so a pipe gets the tail.
  process.stdout.write(out.join('\n'));
};

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exitCode = 2;
});
