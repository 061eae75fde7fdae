import { EC2Client } from '@aws-sdk/client-ec2';
import { parseInput } from '../shared/parse-input';
import { ReplaceBatchInputSchema, replaceRoutes } from './replace-routes';

// One attempt per SDK call: replace-routes retries each route itself so the attempts land in the audit record.
const ec2 = new EC2Client({ maxAttempts: 1 });

export const handler = async (event: unknown) => replaceRoutes(parseInput(ReplaceBatchInputSchema, event, 'ReplaceRoutes input'), { ec2 });
