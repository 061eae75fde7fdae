import { createEc2Client } from '../shared/clients';
import { boundedHandler, stderrLog } from '../shared/lambda-errors';
import { parseInput } from '../shared/parse-input';
import { VerifyInputSchema, verifySwitch } from './verify-switch';

const ec2 = createEc2Client();

export const handler = boundedHandler(
  async (event: unknown) => verifySwitch(parseInput(VerifyInputSchema, event, 'VerifySwitch input'), { ec2 }),
  stderrLog,
);
