import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEc2Client } from '../aws/clients';
import { requireEnv } from '../contract/env';
import { DynamoDbGroupStateStore } from '../aws/dynamodb-group-state';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../aws/http-timeouts';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { parseInput } from '../contract/parse-input';
import { planSwitch, PlanSwitchInputSchema } from './plan-switch';

const ec2 = createEc2Client();
const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
});

export const handler = boundedHandler(async (event: unknown) => {
  // The inventory: what the associations mode judges twins with (every member's interfaces).
  const store = new DynamoDbGroupStateStore(ddb, requireEnv(process.env, 'GROUP_STATE_TABLE'));
  return planSwitch(parseInput(PlanSwitchInputSchema, event, 'PlanSwitch input'), { ec2, store });
}, stderrLog);
