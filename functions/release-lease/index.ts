import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { requireEnv } from '../contract/env';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../aws/http-timeouts';
import { DynamoDbGroupStateStore } from '../aws/dynamodb-group-state';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { parseInput } from '../contract/parse-input';
import { releaseLease, ReleaseLeaseInputSchema } from './release-lease';

const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
});

export const handler = boundedHandler(
  async (event: unknown) =>
    releaseLease(parseInput(ReleaseLeaseInputSchema, event, 'ReleaseLease input'), {
      store: new DynamoDbGroupStateStore(ddb, requireEnv(process.env, 'GROUP_STATE_TABLE')),
    }),
  stderrLog,
);
