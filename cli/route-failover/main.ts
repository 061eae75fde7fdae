import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { readFileSync } from 'node:fs';
import { runCli } from './cli';

/**
 * `route-failover` entry point (loaded by cli/bin/route-failover.js): wires argv, env, stdout/stderr, files
 * and real SDK clients (standard retry; region, endpoint and credentials from the standard environment).
 */
const region = (r: string | undefined) => ({ region: r, retryMode: 'standard', maxAttempts: 5 });

// The SDK's notice that its future releases need Node 22 is for whoever upgrades the dependencies, not for
// an operator in the middle of a change; AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false shows it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

runCli(process.argv.slice(2), process.env, {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
  now: () => new Date(),
  readFile: (path) => readFileSync(path, 'utf8'),
  cwd: process.cwd(),
  createClients: (r) => ({
    sfn: new SFNClient(region(r)),
    ec2: new EC2Client(region(r)),
    sts: new STSClient(region(r)),
    cfn: new CloudFormationClient(region(r)),
  }),
}).then((code) => {
  process.exitCode = code;
});
