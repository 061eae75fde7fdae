import { createSnsClient } from '../shared/clients';
import { requireEnv } from '../shared/env';
import { boundedHandler, stderrLog } from '../shared/lambda-errors';
import { parseInput } from '../shared/parse-input';
import { notify, NotifyInputSchema } from './notify';

const sns = createSnsClient();

export const handler = boundedHandler(
  async (event: unknown) =>
    notify(parseInput(NotifyInputSchema, event, 'Notify input'), { sns, topicArn: requireEnv(process.env, 'TOPIC_ARN') }),
  stderrLog,
);
