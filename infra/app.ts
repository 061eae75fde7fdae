import { App } from 'aws-cdk-lib';
import { parseConfig, parseConfigJson, type FailoverConfig } from '../functions/shared/config';
import { ConfigError } from '../functions/shared/errors';
import { FailoverStack } from './failover-stack';
import { addNagChecks } from './nag';

const WHERE = 'cdk.json context "failover"';

/** Validates the `failover` context; `-c failover='{…}'` on the command line arrives as a JSON string. */
const readConfig = (app: App): FailoverConfig => {
  const raw: unknown = app.node.tryGetContext('failover');
  if (raw === undefined) throw new ConfigError(`${WHERE} is missing: add a "failover" object with your groups to cdk.json`);
  return typeof raw === 'string' ? parseConfigJson(raw, WHERE) : parseConfig(raw, WHERE);
};

try {
  const app = new App();
  // cdk-nag AwsSolutions on every synth: an unacknowledged finding fails `cdk synth`, not only the tests.
  addNagChecks(app);
  new FailoverStack(app, 'VpcRouteFailover', {
    config: readConfig(app),
    description: 'vpc-route-failover: active/standby router HA across AZs by moving VPC routes (Step Functions)',
  });
  app.synth();
} catch (e) {
  // A bad config is the operator's to fix: print what is wrong, not a stack trace.
  if (!(e instanceof ConfigError)) throw e;
  process.stderr.write(`\n${e.message}\n\n`);
  process.exitCode = 1;
}
