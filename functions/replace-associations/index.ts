import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEc2Client } from '../shared/clients';
import { FailoverConfig, parseConfigJson } from '../shared/config';
import { requireEnv } from '../shared/env';
import { DynamoDbGroupStateStore } from '../shared/group-state';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../shared/http-timeouts';
import { boundedHandler, stderrLog } from '../shared/lambda-errors';
import { ASSOCIATION_PACER_ITEM_KEY, DynamoDbWritePacer, REPLACE_ASSOCIATION_PACE } from '../shared/pacer';
import { parseInput } from '../shared/parse-input';
import { ReplaceAssociationsInputSchema, replaceAssociations } from './replace-associations';

// One attempt per SDK call: replace-associations retries each move itself so the attempts land in the record.
const ec2 = createEc2Client({ maxAttempts: 1 });
const ddb = new DynamoDBClient({ retryMode: 'standard', maxAttempts: 3, requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS) });
let config: FailoverConfig | undefined;
// EC2 gives ReplaceRouteTableAssociation its own bucket: its own pacer item.
let associationPacer: DynamoDbWritePacer | undefined;

export const handler = boundedHandler(async (event: unknown) => {
  config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
  const table = requireEnv(process.env, 'GROUP_STATE_TABLE');
  associationPacer ??= new DynamoDbWritePacer(ddb, table, REPLACE_ASSOCIATION_PACE, undefined, undefined, ASSOCIATION_PACER_ITEM_KEY);
  const store = new DynamoDbGroupStateStore(ddb, table);
  return replaceAssociations(parseInput(ReplaceAssociationsInputSchema, event, 'ReplaceAssociations input'), { ec2, config, store, associationPacer });
}, stderrLog);
