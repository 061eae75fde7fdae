import { createEc2Client } from '../shared/clients';
import { FailoverConfig, parseConfigJson } from '../shared/config';
import { requireEnv } from '../shared/env';
import { boundedHandler, stderrLog } from '../shared/lambda-errors';
import { parseInput } from '../shared/parse-input';
import { ResolveInputSchema, resolveTargets } from './resolve-targets';

const ec2 = createEc2Client();
// Parsed on first use rather than at import so a bad config fails the Task as ConfigError (caught by
// name and notified) instead of a Lambda init error.
let config: FailoverConfig | undefined;

export const handler = boundedHandler(async (event: unknown) => {
  config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
  return resolveTargets(parseInput(ResolveInputSchema, event, 'ResolveTargets input'), { ec2, config });
}, stderrLog);
