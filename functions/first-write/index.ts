import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEc2Client } from '../shared/clients';
import { FailoverConfig, parseConfigJson } from '../shared/config';
import { requireEnv } from '../shared/env';
import { DynamoDbGroupStateStore } from '../shared/group-state';
import { DynamoDbGuardStore } from '../shared/guard-state';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../shared/http-timeouts';
import { boundedHandler, stderrLog } from '../shared/lambda-errors';
import { answeringWarmUp } from '../shared/warm-up';
import { DynamoDbWritePacer } from '../shared/pacer';
import { parseInput } from '../shared/parse-input';
import { firstWrite, FirstWriteInputSchema } from './first-write';

// As ReplaceRoutes: one attempt per SDK call, the writer retries each route itself (and records the attempts).
const ec2 = createEc2Client({ maxAttempts: 1 });
const ddb = new DynamoDBClient({ retryMode: 'standard', maxAttempts: 3, requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS) });
let config: FailoverConfig | undefined;
// The same pacer item as ReplaceRoutes: the early writes take their turns from EC2's one ReplaceRoute bucket too.
let pacer: DynamoDbWritePacer | undefined;

// The health probe's warm-up is answered before anything else (functions/shared/warm-up.ts).
export const handler = answeringWarmUp(boundedHandler(async (event: unknown) => {
  config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
  const table = requireEnv(process.env, 'GROUP_STATE_TABLE');
  pacer ??= new DynamoDbWritePacer(ddb, table);
  const store = new DynamoDbGroupStateStore(ddb, table);
  const guard = new DynamoDbGuardStore(ddb, table);
  return firstWrite(parseInput(FirstWriteInputSchema, event, 'FirstWrite input'), { ec2, config, store, guard, log: stderrLog, pacer });
}, stderrLog));
