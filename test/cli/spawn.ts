import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

/** Real commands in child processes, for the tests that check what a shell sees. */

export const ROOT = path.join(__dirname, '..', '..');
export const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs a command with stdout and stderr on pipes; AWS region variables cleared unless `env` sets them. */
export const runCommand = (
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AWS_REGION: '', AWS_DEFAULT_REGION: '', AWS_PROFILE: '', ...opts.env },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
  });

export const tmp = (): string => mkdtempSync(path.join(tmpdir(), 'route-failover-test-'));

/**
 * `COMMAND | reader` through bash (pipefail: the exit code is the command's): stdout on an OS pipe (64 KiB),
 * as in `npm run -s local -- … | jq .`, and a reader that starts reading only once `readyPattern` shows on
 * the command's stderr, i.e. when the document has just been written: a command that exits before its
 * stdout has drained loses what the pipe could not hold. (A spawn() pipe is a socket pair with a larger
 * buffer and a fast reader, which would hide that.)
 */
export const runPipedSlowReader = async (
  command: string,
  args: string[],
  readyPattern: string,
  env: Record<string, string> = {},
) => {
  const errFile = path.join(tmp(), 'stderr.txt');
  const script =
    `"$0" "$@" 2>"${errFile}" | { until grep -q '${readyPattern}' ` +
    `"${errFile}" 2>/dev/null; do sleep 0.1; done; sleep 0.5; cat; }`;
  const r = await runCommand('bash', ['-o', 'pipefail', '-c', script, command, ...args], { env });
  return { ...r, stderr: readFileSync(errFile, 'utf8') };
};

/** A file of examples/, relative to the repository root. */
export const example = (file: string): string => path.join('examples', file);
