import { createEc2Client } from '../shared/clients';
import { parseInput } from '../shared/schemas';
import { ReplaceInputSchema, replaceRoute } from './replace-route';

const ec2 = createEc2Client();

export const handler = async (event: unknown) => replaceRoute(parseInput(ReplaceInputSchema, event, 'ReplaceRoute input'), { ec2 });
