import { readFileSync } from 'node:fs';
import { createAwsClients } from './aws-target';
import { runCli } from './cli';
import { EXIT } from './context';

/**
 * `route-failover` entry point (loaded by cli/bin/route-failover.js): wires argv, env, stdout/stderr, files
 * and real SDK clients (standard retry; profile, region, endpoint and credentials as the AWS CLI resolves them).
 */

// The SDK's notice that its future releases need Node 22 is for whoever upgrades the dependencies, not for
// an operator in the middle of a change; AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false shows it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

// An empty variable means unset to the AWS CLI; the SDK would take AWS_REGION="" as a region and fail on it.
for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE'])
  if (process.env[name] === '') delete process.env[name];

runCli(process.argv.slice(2), process.env, {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  now: () => new Date(),
  readFile: (path) => readFileSync(path, 'utf8'),
  cwd: process.cwd(),
  createClients: createAwsClients,
}).then(
  (code) => {
    // exitCode, never process.exit(): Node exits once stdout has drained, so a large document on a pipe arrives whole.
    process.exitCode = code;
  },
  // A failure the command did not turn into a message still ends in one line and a non-zero exit, not a stack dump.
  (err: unknown) => {
    process.stderr.write(`route-failover: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.FAILED;
  },
);
