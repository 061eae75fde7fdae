import { createEc2Client } from '../shared/clients';
import { boundedHandler, stderrLog } from '../shared/lambda-errors';
import { parseInput } from '../shared/parse-input';
import { ReplaceBatchInputSchema, replaceRoutes } from './replace-routes';

// One attempt per SDK call: replace-routes retries each route itself so the attempts land in the audit record.
// A hung call is aborted by the request timeout (TimeoutError) and retried like a 5xx by that loop.
const ec2 = createEc2Client({ maxAttempts: 1 });

export const handler = boundedHandler(
  async (event: unknown) => replaceRoutes(parseInput(ReplaceBatchInputSchema, event, 'ReplaceRoutes input'), { ec2, log: stderrLog }),
  stderrLog,
);
