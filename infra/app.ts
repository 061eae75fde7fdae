import { App } from 'aws-cdk-lib';
import { ConfigError } from '../functions/contract/errors';
import { readFailoverConfig, readStackName } from './config-source';
import { FailoverStack } from './failover-stack';
import { addNagChecks } from './nag-checks';
import { withQuietBundling } from './quiet-bundling';

// The repository's own app: one stack holding one RouteFailover (infra/route-failover.ts), as any CDK app can.
// Quiet by default: the template goes to cdk.out/, and only what a person must read reaches stderr. CDK bundles
// each function while the stack is built, so the whole app runs inside withQuietBundling.
const buildApp = (): void => {
  const app = new App();
  // cdk-nag AwsSolutions on every synth: an unacknowledged finding fails `cdk synth`, not only the tests.
  addNagChecks(app);
  const context = (key: string): unknown => app.node.tryGetContext(key);
  new FailoverStack(app, readStackName(context), {
    // The working directory only resolves the operator's -c failoverFile=<path>; the app's own files are
    // found from __dirname.
    config: readFailoverConfig(context, process.cwd()),
    description: 'vpc-route-failover: active/standby router HA across AZs by moving VPC routes (Step Functions)',
  });
  app.synth();
};

try {
  if (process.env.VERBOSE_BUNDLING === '1') buildApp();
  else withQuietBundling(buildApp);
} catch (e) {
  // A bad config is the operator's to fix: print what is wrong, not a stack trace.
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`\n${e.message}\n\n`);
  process.exitCode = 1;
}
