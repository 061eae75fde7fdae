import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { cloudWatchAlarms } from '../aws/cloudwatch-alarms';
import { createEc2Client } from '../aws/clients';
import { type FailoverConfig, parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { CLOUDWATCH_TIMEOUTS, DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../aws/http-timeouts';
import { DynamoDbGroupStateStore } from '../aws/dynamodb-group-state';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { answeringWarmUp } from '../contract/warm-up';
import { parseInput } from '../contract/parse-input';
import { ResolveInputSchema, resolveTargets } from './resolve-targets';

const ec2 = createEc2Client();
const alarms = cloudWatchAlarms(
  new CloudWatchClient({
    retryMode: 'standard',
    maxAttempts: 3,
    requestHandler: requestHandlerOptions(CLOUDWATCH_TIMEOUTS),
  }),
);
const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
});
// Parsed on first use rather than at import so a bad config fails the Task as ConfigError (caught by
// name and notified) instead of a Lambda init error.
let config: FailoverConfig | undefined;

// The health probe's warm-up is answered before anything else (functions/contract/warm-up.ts).
export const handler = answeringWarmUp(
  boundedHandler(async (event: unknown) => {
    config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
    const store = new DynamoDbGroupStateStore(ddb, requireEnv(process.env, 'GROUP_STATE_TABLE'));
    return resolveTargets(parseInput(ResolveInputSchema, event, 'ResolveTargets input'), {
      ec2,
      config,
      store,
      alarms,
      stackName: requireEnv(process.env, 'STACK_NAME'),
    });
  }, stderrLog),
);
