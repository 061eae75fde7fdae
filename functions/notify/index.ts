import { createSnsClient } from '../aws/clients';
import { type FailoverConfig, parseConfigJson } from '../contract/config';
import { requireEnv } from '../contract/env';
import { boundedHandler, stderrLog } from '../contract/lambda-errors';
import { parseInput } from '../contract/parse-input';
import { notify, NotifyInputSchema } from './notify';
import type { EmfLine } from '../domain/failover-metrics';

const sns = createSnsClient();
// EMF lines go to stdout as bare JSON lines: console.log would prefix them and CloudWatch would not parse them.
const emitMetric = (line: EmfLine): void => void process.stdout.write(`${JSON.stringify(line)}\n`);
// Group and member names only: a run that failed before resolving is still reported under its group.
let config: FailoverConfig | undefined;

export const handler = boundedHandler(async (event: unknown) => {
  const raw = process.env.FAILOVER_CONFIG;
  if (raw !== undefined) config ??= parseConfigJson(raw, 'FAILOVER_CONFIG');
  return notify(parseInput(NotifyInputSchema, event, 'Notify input'), {
    sns,
    topicArn: requireEnv(process.env, 'TOPIC_ARN'),
    config,
    emitMetric,
  });
}, stderrLog);
