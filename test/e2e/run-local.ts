import { spawn } from 'node:child_process';
import * as path from 'node:path';

/** Spawning `tsx cli/local/run-local.ts` as a user would, with only the standard AWS environment. */

export const ROOT = path.resolve(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
/** A spawned runner is killed after this long, so a hung run fails its test instead of outliving it. */
const RUN_KILL_MS = 40_000;
export const RUN_TEST_TIMEOUT_MS = 45_000;

export interface RunOutput {
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** The inherited environment without any AWS_* variable (profiles, endpoints, CA bundles, credentials). */
const envWithoutAws = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));

/** `tsx cli/local/run-local.ts …` as a user would run it, with only the standard AWS environment. */
export const runLocal = (args: string[], awsEnv: Record<string, string>): Promise<RunOutput> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const env = {
      ...envWithoutAws(),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_EC2_METADATA_DISABLED: 'true',
      ...awsEnv,
    };
    const child = spawn(TSX, ['cli/local/run-local.ts', ...args], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), RUN_KILL_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, durationMs: Date.now() - started });
    });
  });
