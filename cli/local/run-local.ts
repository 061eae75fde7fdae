import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createTaskHandlers } from '../../functions/task-handlers';
import { createEc2Client, createSnsClient } from '../../functions/shared/clients';
import { parseConfigJson } from '../../functions/shared/config';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { isLocalExecutionRunning, runExecution } from './local-runner';
import { ensureStateTable } from './state-table';
import { SimulatedVpc } from './simulated-vpc';
import { simulateConfig } from './simulate-config';

const USAGE = `Usage: npm run local -- --config FILE --input FILE [--topic-arn ARN] [--simulate] [--name EXECUTION_NAME]

Runs statemachine/failover.asl.json in-process, each Task on its real handler.
  --config FILE     failover config (same shape as cdk.json context "failover")
  --input FILE      execution input: an EventBridge event or a manual request
  --topic-arn ARN   SNS topic for the notification (or env TOPIC_ARN); required without --simulate
  --simulate        run against an embedded simulated VPC built from the config instead of AWS
  --name NAME       execution name (default local-<timestamp>)
  --state-table T   keep leases, switch history and the member inventory in DynamoDB table T at the
                    endpoint (created if missing, with the stack's key schema), so consecutive runs behave
                    like consecutive executions of one deployed stack; without it (and with --simulate)
                    the group state lives in memory for this run only
Without --simulate, clients come from the standard environment: AWS_REGION, AWS_ENDPOINT_URL,
AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_SNS, AWS_ENDPOINT_URL_DYNAMODB and credentials, so any
EC2-compatible endpoint works.
stdout: the execution output (the audit record) as JSON. stderr: progress. Exit 0 only when it succeeds.`;

const main = async (): Promise<number> => {
  const { values } = parseArgs({
    options: {
      config: { type: 'string' },
      input: { type: 'string' },
      'topic-arn': { type: 'string' },
      simulate: { type: 'boolean', default: false },
      name: { type: 'string' },
      'state-table': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return 0;
  }
  if (!values.config || !values.input) {
    process.stderr.write(`error: --config and --input are required\n\n${USAGE}\n`);
    return 2;
  }
  const config = parseConfigJson(readFileSync(values.config, 'utf8'), values.config);
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(values.input, 'utf8'));
  } catch (e) {
    process.stderr.write(`error: ${values.input} is not valid JSON: ${(e as Error).message}\n`);
    return 2;
  }

  let deps;
  let region: string;
  if (values.simulate) {
    const sim = new SimulatedVpc();
    simulateConfig(sim, config, input);
    region = 'us-east-1';
    deps = { ec2: sim.ec2(), sns: sim.sns(), config, topicArn: sim.createTopic('route-failover') };
    process.stderr.write(`simulated VPC built from ${values.config}\n`);
  } else {
    region = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? '';
    if (!region) {
      process.stderr.write('error: set AWS_REGION (or use --simulate)\n');
      return 2;
    }
    const topicArn = values['topic-arn'] ?? process.env.TOPIC_ARN;
    if (!topicArn) {
      process.stderr.write('error: --topic-arn (or env TOPIC_ARN) is required without --simulate\n');
      return 2;
    }
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const tableName = values['state-table'];
    const store = tableName ? await ensureStateTable(new DynamoDBClient({ retryMode: 'standard', maxAttempts: 3 }), tableName, log) : undefined;
    if (!store) log('group state (lease, history, inventory) in memory for this run only; --state-table keeps it');
    // A lease held by an execution of an earlier local run that did not finish is taken over; one held by
    // anything else (a deployed stack sharing the table) is never assumed gone.
    const isExecutionRunning = async (arn: string) => (arn.includes(':000000000000:execution:') ? isLocalExecutionRunning(arn) : true);
    deps = { ec2: createEc2Client(), sns: createSnsClient(), config, topicArn, store, isExecutionRunning };
  }

  const result = await runExecution({
    handlers: createTaskHandlers(deps),
    input,
    region,
    executionName: values.name,
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result.output ?? result.auditRecord ?? null, null, 2)}\n`);
  if (result.status !== 'SUCCEEDED') {
    process.stderr.write(`execution ${result.status}: ${result.error}: ${result.cause}\n`);
    return 1;
  }
  return 0;
};

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`error: ${err.name}: ${err.message}\n`);
    process.exit(2);
  },
);
