import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig, type FailoverConfigInput } from '../../functions/contract/config';
import { FailoverStack } from '../../infra/failover-stack';
import { addNagChecks } from '../../infra/nag-checks';

/** Helpers shared by the infra tests: synth the real stack with the feature flags of cdk.json. */

const ROOT = path.join(__dirname, '..', '..');

/** cdk.json's context (feature flags; a failover key, if someone adds one, left out), as `cdk synth` sees it. */
const featureFlags = (): Record<string, unknown> => {
  const { failover: _example, ...flags } = JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')).context;
  return flags;
};

/** A fresh, valid config: one group of two routers, like examples/failover.json. */
export const exampleConfig = (): FailoverConfigInput => ({
  groups: [
    {
      name: 'onprem-edge',
      vpcId: 'vpc-0123456789abcdef0',
      members: [
        { name: 'router-a', instanceId: 'i-0a1b2c3d4e5f60001' },
        { name: 'router-b', instanceId: 'i-0a1b2c3d4e5f60002' },
      ],
      preferred: 'router-a',
    },
  ],
  notifications: { emails: [] },
});

export interface Synth {
  app: App;
  stack: FailoverStack;
  template: Template;
}

/**
 * Synthesizes FailoverStack for `raw`; skips esbuild bundling unless `bundle` (3 s -> 70 ms per stack).
 * cdk-nag's AwsSolutions checks run as in infra/app.ts unless `nag` is false, so every config a test
 * synthesizes must also have zero unacknowledged findings (synth throws otherwise).
 */
export const synth = (raw: FailoverConfigInput, { bundle = false, nag = true } = {}): Synth => {
  const app = createApp({ bundle, nag });
  const stack = new FailoverStack(app, 'Test', { config: parseConfig(raw, 'test config') });
  return { app, stack, template: Template.fromStack(stack) };
};

/**
 * An App with cdk.json's feature flags, bundling skipped unless `bundle`, and the cdk-nag checks unless `nag` is false.
 */
export const createApp = ({ bundle = false, nag = true } = {}): App => {
  const app = new App({ context: { ...featureFlags(), ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) } });
  if (nag) addNagChecks(app);
  return app;
};

export const readAsl = (): string => readFileSync(path.join(ROOT, 'statemachine', 'failover.asl.json'), 'utf8');

export const PROJECT_ROOT = ROOT;
