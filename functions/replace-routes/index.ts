import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEc2Client } from '../shared/clients';
import { FailoverConfig, parseConfigJson } from '../shared/config';
import { requireEnv } from '../shared/env';
import { DynamoDbGroupStateStore } from '../shared/group-state';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../shared/http-timeouts';
import { boundedHandler, stderrLog } from '../shared/lambda-errors';
import { DynamoDbWritePacer } from '../shared/pacer';
import { parseInput } from '../shared/parse-input';
import { ReplaceBatchInputSchema, replaceRoutes } from './replace-routes';

// One attempt per SDK call: replace-routes retries each route itself so the attempts land in the audit record.
// A hung call is aborted by the request timeout (TimeoutError) and retried like a 5xx by that loop.
const ec2 = createEc2Client({ maxAttempts: 1 });
const ddb = new DynamoDBClient({ retryMode: 'standard', maxAttempts: 3, requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS) });
let config: FailoverConfig | undefined;
// Every batch of every execution draws its ReplaceRoute calls from the one pacer item of the group-state table.
let pacer: DynamoDbWritePacer | undefined;

export const handler = boundedHandler(async (event: unknown) => {
  config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
  const table = requireEnv(process.env, 'GROUP_STATE_TABLE');
  pacer ??= new DynamoDbWritePacer(ddb, table);
  const store = new DynamoDbGroupStateStore(ddb, table);
  return replaceRoutes(parseInput(ReplaceBatchInputSchema, event, 'ReplaceRoutes input'), { ec2, config, store, log: stderrLog, pacer });
}, stderrLog);
