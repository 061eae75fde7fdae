import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { type FailoverConfig, parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions, SFN_TIMEOUTS } from '../aws/http-timeouts';
import { DynamoDbGroupStateStore } from '../aws/dynamodb-group-state';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { answeringWarmUp } from '../contract/warm-up';
import { parseInput } from '../contract/parse-input';
import { acquireLease, AcquireLeaseInputSchema } from './acquire-lease';

const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
});
const sfn = new SFNClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(SFN_TIMEOUTS),
});
let config: FailoverConfig | undefined;

const isExecutionRunning = async (executionArn: string): Promise<boolean> =>
  (await sfn.send(new DescribeExecutionCommand({ executionArn }))).status === 'RUNNING';

// The health probe's warm-up is answered before anything else (functions/contract/warm-up.ts).
export const handler = answeringWarmUp(
  boundedHandler(async (event: unknown) => {
    config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
    const store = new DynamoDbGroupStateStore(ddb, requireEnv(process.env, 'GROUP_STATE_TABLE'));
    return acquireLease(parseInput(AcquireLeaseInputSchema, event, 'AcquireLease input'), {
      config,
      store,
      isExecutionRunning,
    });
  }, stderrLog),
);
