import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEc2Client } from '../aws/clients';
import { DynamoDbGroupStateStore } from '../aws/dynamodb-group-state';
import { DynamoDbGuardStore } from '../aws/dynamodb-guard-state';
import { actionPacer, type DynamoDbWritePacer } from '../aws/dynamodb-pacer';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../aws/http-timeouts';
import { type FailoverConfig, parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { parseInput } from '../contract/parse-input';
import { answeringWarmUp } from '../contract/warm-up';
import { FirstWriteInputSchema, firstWrite } from './first-write';

// As SwitchItems: one attempt per SDK call, the paced writer retries each route itself (and records the attempts).
const ec2 = createEc2Client({ maxAttempts: 1 });
const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
});
let config: FailoverConfig | undefined;
// The same ReplaceRoute pacer item as SwitchItems: the early writes take their turns from EC2's one ReplaceRoute
// bucket too. FirstWrite writes routes only, so it holds that one pacer.
let pacer: DynamoDbWritePacer | undefined;

// The health probe's warm-up is answered before anything else (functions/contract/warm-up.ts).
export const handler = answeringWarmUp(
  boundedHandler(async (event: unknown) => {
    config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
    const table = requireEnv(process.env, 'GROUP_STATE_TABLE');
    pacer ??= actionPacer(ddb, table, 'ReplaceRoute');
    const store = new DynamoDbGroupStateStore(ddb, table);
    const guard = new DynamoDbGuardStore(ddb, table);
    return firstWrite(parseInput(FirstWriteInputSchema, event, 'FirstWrite input'), {
      ec2,
      config,
      store,
      guard,
      log: stderrLog,
      pacers: { ReplaceRoute: pacer },
    });
  }, stderrLog),
);
