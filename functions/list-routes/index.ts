import { createEc2Client } from '../shared/clients';
import { boundedHandler, stderrLog } from '../shared/lambda-errors';
import { parseInput } from '../shared/parse-input';
import { listRoutes, ListRoutesInputSchema } from './list-routes';

const ec2 = createEc2Client();

export const handler = boundedHandler(
  async (event: unknown) => listRoutes(parseInput(ListRoutesInputSchema, event, 'ListRoutes input'), { ec2 }),
  stderrLog,
);
