import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createEc2Client } from '../aws/clients';
import { type FailoverConfig, parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { TwinsReconcileError } from '../contract/errors';
import { DynamoDbGroupStateStore } from '../aws/dynamodb-group-state';
import { DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../aws/http-timeouts';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { DynamoDbWritePacer } from '../aws/dynamodb-pacer';
import { handleTwinsEvent } from './trigger';

const ec2 = createEc2Client();
const ddb = new DynamoDBClient({
  retryMode: 'standard',
  maxAttempts: 3,
  requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
});
let config: FailoverConfig | undefined;
// ReplaceRoute on twins draws from the same pacer item as the failovers' SwitchItems (one EC2 bucket).
let pacer: DynamoDbWritePacer | undefined;

/**
 * Invoked by the stack's schedule ({"source": "vpc-route-failover.twins"}) and by CloudTrail events
 * that change route tables.
 */
export const handler = boundedHandler(async (event: unknown) => {
  config ??= parseConfigJson(requireEnv(process.env, 'FAILOVER_CONFIG'), 'FAILOVER_CONFIG');
  const table = requireEnv(process.env, 'GROUP_STATE_TABLE');
  const store = new DynamoDbGroupStateStore(ddb, table);
  pacer ??= new DynamoDbWritePacer(ddb, table);
  const result = await handleTwinsEvent(event, { ec2, config, store, pacer });
  // Drift on a twin that carries traffic is left in place (never deleted or overwritten), so it is said in the log.
  if (result.report.liveDrift > 0) {
    const drift = result.report.groups.flatMap((g) =>
      g.originals.flatMap((o) => o.twins.flatMap((t) => t.inUse?.drift ?? [])),
    );
    stderrLog({
      level: 'WARN',
      message: `${result.report.liveDrift} difference(s) on twins that carry traffic, reported and not written`,
      drift,
    });
  }
  // A table left unreconciled makes the invocation fail, so the function's Errors alarm fires; the report says which.
  if (!result.report.ok) {
    const failed = result.report.groups.flatMap((g) => [
      ...(g.error ? [`${g.group}: ${g.error}`] : []),
      ...g.originals.filter((o) => o.error || o.twins.some((t) => t.error)).map((o) => `${g.group}/${o.original}`),
    ]);
    stderrLog({ twinReconcile: result });
    throw new TwinsReconcileError(`twin reconcile left ${failed.length} table(s) unreconciled: ${failed.join(', ')}`);
  }
  return result;
}, stderrLog);
