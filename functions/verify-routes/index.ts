import { createEc2Client } from '../shared/clients';
import { boundedHandler, stderrLog } from '../shared/lambda-errors';
import { parseInput } from '../shared/parse-input';
import { VerifyInputSchema, verifyRoutes } from './verify-routes';

const ec2 = createEc2Client();

export const handler = boundedHandler(
  async (event: unknown) => verifyRoutes(parseInput(VerifyInputSchema, event, 'VerifyRoutes input'), { ec2 }),
  stderrLog,
);
