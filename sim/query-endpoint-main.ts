import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseConfigJson } from '../functions/contract/config';
import { startQueryEndpoint } from './query-endpoint';
import { SimulatedVpc } from './index';
import { simulateConfig } from '../cli/local/simulate-config';

const USAGE = `Usage: tsx sim/query-endpoint-main.ts --config FILE [--input FILE] [--port N]

Serves a simulated VPC, built from the config as \`npm run local -- --simulate\` builds it, over HTTP with the
AWS Query protocol (EC2 2016-11-15, SNS 2010-03-31), so that the real SDK clients can use it. In one shell:
  npx tsx sim/query-endpoint-main.ts --config failover.json --input event.json
and in another, with the printed exports and any credentials (signatures are not checked):
  AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test \\
    npm run local -- --config failover.json --input event.json --topic-arn "$TOPIC_ARN"
stdout: export lines (AWS_ENDPOINT_URL, TOPIC_ARN). stderr: one line per request. Stops on SIGINT/SIGTERM.`;

const main = async (): Promise<void> => {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      input: { type: 'string' },
      port: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.config) {
    process.stderr.write(`${USAGE}\n`);
    process.exit(values.help ? 0 : 2);
  }
  const config = parseConfigJson(readFileSync(values.config, 'utf8'), values.config);
  const input: unknown = values.input ? JSON.parse(readFileSync(values.input, 'utf8')) : undefined;
  const sim = new SimulatedVpc();
  simulateConfig(sim, config, input);
  const topicArn = sim.createTopic('route-failover');
  const endpoint = await startQueryEndpoint(sim, { port: values.port === undefined ? undefined : Number(values.port) });
  process.stdout.write(`export AWS_ENDPOINT_URL=${endpoint.url}\nexport TOPIC_ARN=${topicArn}\n`);
  let logged = 0;
  const flush = (): void => {
    for (const r of endpoint.requests.slice(logged))
      process.stderr.write(`${r.service} ${r.action} ${r.status}${r.error ? ` ${r.error}` : ''}\n`);
    logged = endpoint.requests.length;
  };
  const timer = setInterval(flush, 200);
  const stop = (): void => {
    clearInterval(timer);
    flush();
    endpoint.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
};

main().catch((err: Error) => {
  process.stderr.write(`error: ${err.name}: ${err.message}\n`);
  process.exit(2);
});
