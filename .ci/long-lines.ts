/**
 * Lists every line over 120 columns in the TypeScript of the repo. The formatter wraps code at 120 but leaves
 * comments, strings and template literals as they are; this catches those. Exit code 1 when any line is over.
 * Usage: tsx .ci/long-lines.ts [--max N] [--summary]
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FOLDERS = ['functions', 'infra', 'cli', 'sim', 'bench', 'test', '.ci'];

const args = process.argv.slice(2);
const maxAt = args.indexOf('--max');
const max = maxAt >= 0 ? Number(args[maxAt + 1]) : 120;
const summary = args.includes('--summary');

const root = join(__dirname, '..');
// Tracked files only, so a build output or a scratch file never counts.
const files = execFileSync(
  'git',
  ['ls-files', '--', ...FOLDERS.map((f) => `${f}/*.ts`), ...FOLDERS.map((f) => `${f}/*.mts`)],
  {
    cwd: root,
    encoding: 'utf8',
  },
)
  .split('\n')
  .filter(Boolean);

const perFolder = new Map<string, number>();
let over = 0;
for (const file of files) {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  lines.forEach((line, i) => {
    // Columns as a reader counts them: one per code point (an arrow is one column, not three bytes).
    const columns = [...line].length;
    if (columns <= max) return;
    over++;
    const folder = file.split('/')[0];
    perFolder.set(folder, (perFolder.get(folder) ?? 0) + 1);
    if (!summary) process.stdout.write(`${file}:${i + 1}: ${columns} columns\n`);
  });
}
if (summary || over > 0) {
  const parts = [...perFolder].map(([f, n]) => `${f} ${n}`).join(', ');
  process.stderr.write(`long-lines: ${over} line(s) over ${max} columns${parts ? ` (${parts})` : ''}\n`);
}
process.exitCode = over > 0 ? 1 : 0;
