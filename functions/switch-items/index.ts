import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { WritePacers } from '../aws/paced-writer';
import { createEc2Client } from '../aws/clients';
import { type FailoverConfig, parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { DynamoDbGroupStateStore } from '../aws/dynamodb-group-state';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../aws/http-timeouts';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { actionPacer } from '../aws/dynamodb-pacer';
import { WRITE_ACTION_PACE, type Ec2WriteAction } from '../domain/switch-strategy';
import { switchItems } from './switch-items';

// One attempt per SDK call: the paced writer retries each item itself so the attempts land in the audit record.
// A hung call is aborted by the request timeout (TimeoutError) and retried like a 5xx by that loop.
const ec2 = createEc2Client({ maxAttempts: 1 });
const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
});
let config: FailoverConfig | undefined;
// Every batch of every execution draws its calls of an EC2 action from that action's one pacer item of the
// group-state table (EC2 gives each action a bucket of its own).
let pacers: WritePacers | undefined;

const pacersOf = (table: string): WritePacers =>
  Object.fromEntries(
    (Object.keys(WRITE_ACTION_PACE) as Ec2WriteAction[]).map((action) => [action, actionPacer(ddb, table, action)]),
  );

export const handler = boundedHandler(async (event: unknown) => {
  config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
  const table = requireEnv(process.env, 'GROUP_STATE_TABLE');
  pacers ??= pacersOf(table);
  const store = new DynamoDbGroupStateStore(ddb, table);
  return switchItems(event, { ec2, config, store, log: stderrLog, pacers });
}, stderrLog);
