import { createEc2Client } from '../aws/clients';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { parseInput } from '../contract/parse-input';
import { VerifyInputSchema, verifySwitch } from './verify-switch';

const ec2 = createEc2Client();

export const handler = boundedHandler(
  async (event: unknown) => verifySwitch(parseInput(VerifyInputSchema, event, 'VerifySwitch input'), { ec2 }),
  stderrLog,
);
