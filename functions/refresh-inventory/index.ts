import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEc2Client } from '../aws/clients';
import { type FailoverConfig, parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../aws/http-timeouts';
import { InventoryRefreshError } from '../contract/errors';
import { DynamoDbGroupStateStore } from '../aws/dynamodb-group-state';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { refreshInventory } from './refresh-inventory';

const ec2 = createEc2Client();
const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
});
let config: FailoverConfig | undefined;

/** Invoked by the stack's schedule (EventBridge); the event carries nothing it needs. */
export const handler = boundedHandler(async () => {
  config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
  const store = new DynamoDbGroupStateStore(ddb, requireEnv(process.env, 'GROUP_STATE_TABLE'));
  const result = await refreshInventory({ ec2, config, store });
  // A group that could not be refreshed makes the invocation fail, so the function's Errors alarm fires.
  const failed = result.groups.filter((g) => g.error);
  if (failed.length > 0)
    throw new InventoryRefreshError(
      `inventory refresh failed for ${failed.map((g) => `${g.group} (${g.error})`).join('; ')}`,
    );
  return result;
}, stderrLog);
