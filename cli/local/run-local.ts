import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createTaskHandlers, DEFAULT_STACK_NAME, type TaskDeps } from './task-handlers';
import { createEc2Client, createSnsClient } from '../../functions/aws/clients';
import { type FailoverConfig, parseConfigJson } from '../../functions/contract/config';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { StaticAlarms } from '../../functions/domain/alarms';
import { cloudWatchAlarms } from '../../functions/aws/cloudwatch-alarms';
import { CLOUDWATCH_TIMEOUTS, DYNAMODB_TIMEOUTS, requestHandlerOptions } from '../../functions/aws/http-timeouts';
import { isLocalExecutionRunning, runExecution } from './local-runner';
import { ensureStateTable } from './state-table';
import { SimulatedVpc } from '../../sim';
import { simulateConfig } from './simulate-config';
import { runGuardLocal, type GuardLocalDeps } from './guard-local';

const USAGE = `Usage: npx tsx cli/local/run-local.ts --config FILE \
--input FILE [--simulate] [--topic-arn ARN] [--name NAME]
   or: npm run -s local -- --config FILE --input FILE …   (-s keeps npm's banner off stdout)
   or: npm run -s local -- --config FILE --guard [--converge] [--simulate] [--topic-arn ARN] [--state-table T]

Runs statemachine/failover.asl.json in-process, each Task on its real handler.
  --config FILE     failover config (same shape as cdk.json context "failover"), e.g. examples/failover.json
  --input FILE      execution input: an EventBridge event or a manual request, e.g. examples/events/stopping.json
  --topic-arn ARN   SNS topic for the notification (or env TOPIC_ARN); required without --simulate
  --simulate        run against an embedded simulated VPC built from the config instead of AWS
  --name NAME       execution name (default local-<timestamp>)
  --state-table T   keep leases, switch history and the member inventory in DynamoDB table T at the
                    endpoint (created if missing, with the stack's key schema), so consecutive runs behave
                    like consecutive executions of one deployed stack; without it (and with --simulate)
                    the group state lives in memory for this run only
  --stack-name S    the deployed stack's name (default VpcRouteFailover): an alarm event must name one of its
                    status-check alarms (S-<group>-<member>-status-check), in ALARM in CloudWatch now
  --guard           one route guard pass instead of an execution (no --input): stdout is its JSON report,
                    exit code 1 while a finding stands (docs/guard.md); notifications only with --topic-arn
  --converge        with --guard: start the switchover to the active member now (run in-process, audit
                    record in the report) when routes lead elsewhere, then report a second pass
  -h, --help        this help
Without --simulate, clients come from the standard environment: AWS_REGION (or AWS_DEFAULT_REGION),
AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_SNS, \
AWS_ENDPOINT_URL_DYNAMODB, AWS_ENDPOINT_URL_CLOUDWATCH and credentials,
so any EC2-compatible endpoint works.
stdout: the execution output (the audit record) as one JSON document. stderr: progress.
Exit code: 0 the execution succeeded, 1 it failed, 2 bad usage or input (nothing ran).`;

/** Bad usage or an unreadable input: reported on one line with the usage hint, exit 2, nothing runs. */
class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Reads a file named by a flag; a missing file says so (not "not valid JSON: ENOENT"). */
const readNamedFile = (flag: string, file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${flag} ${file}: file not found`);
    if (code === 'EISDIR') throw new UsageError(`${flag} ${file}: is a directory, not a file`);
    throw new UsageError(`${flag} ${file}: cannot read it: ${(e as Error).message}`);
  }
};

const parseCommandLine = (argv: string[]) => {
  try {
    return parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        input: { type: 'string' },
        'topic-arn': { type: 'string' },
        simulate: { type: 'boolean', default: false },
        name: { type: 'string' },
        'state-table': { type: 'string' },
        'stack-name': { type: 'string' },
        guard: { type: 'boolean', default: false },
        converge: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    // node:util parseArgs names the flag ("Unknown option '--bogus'", "Option '--config <value>' argument missing").
    throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
};

/**
 * The local runner's progress goes to stderr line by line. A state that failed and was caught is shown once,
 * as failed: its ✗ line gets the Catch's target, and the runner's "⚑ caught" and "✓ exited" lines for the
 * same state are folded into it (a caught state did not succeed).
 */
export const progressWriter = (write: (line: string) => void): { line: (line: string) => void; flush: () => void } => {
  const LINE = /^\+\s*\d+ ms\s+(✗|⚑|✓) (\S+?)(?::| |$)/;
  let failed: { state: string; text: string } | undefined;
  let caught: string | undefined;
  const flush = () => {
    if (failed) write(failed.text);
    failed = undefined;
  };
  const line = (text: string) => {
    const m = LINE.exec(text);
    const [mark, state] = m ? [m[1], m[2]] : [undefined, undefined];
    if (failed && mark === '⚑' && state === failed.state) {
      const next = /caught → (\S+)/.exec(text)?.[1];
      write(`${failed.text}${next ? ` (caught → ${next})` : ' (caught)'}`);
      caught = failed.state;
      failed = undefined;
      return;
    }
    if (caught !== undefined && mark === '✓' && state === caught) {
      caught = undefined;
      return;
    }
    flush();
    caught = undefined;
    if (mark === '✗') {
      failed = { state: state!, text };
      return;
    }
    write(text);
  };
  return { line, flush };
};

/** An EventBridge event with its `time` set to now (the simulated world is built to agree with it), logged. */
const asOfNow = (input: unknown, log: (line: string) => void): unknown => {
  if (!input || typeof input !== 'object' || typeof (input as { time?: unknown }).time !== 'string') return input;
  const was = (input as { time: string }).time;
  const now = new Date().toISOString();
  log(`simulated: event time ${was} taken as now (${now}), as if EventBridge had just delivered it`);
  return { ...(input as object), time: now };
};

const main = async (argv: string[]): Promise<number> => {
  // As in cli/route-failover/main.ts: the SDK's Node 22 notice is for whoever upgrades the dependencies.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const values = parseCommandLine(argv);
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.converge && !values.guard) throw new UsageError('--converge goes with --guard');
  if (values.guard) return guardMain(values);
  const missing = (['config', 'input'] as const).filter((k) => !values[k]).map((k) => `--${k} FILE`);
  if (missing.length > 0) throw new UsageError(`missing ${missing.join(' and ')}`);
  const configFile = values.config!;
  const inputFile = values.input!;
  let config: FailoverConfig;
  try {
    config = parseConfigJson(readNamedFile('--config', configFile), `--config ${configFile}`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
  const inputText = readNamedFile('--input', inputFile);
  let input: unknown;
  try {
    input = JSON.parse(inputText);
  } catch (e) {
    throw new UsageError(`--input ${inputFile}: not valid JSON: ${(e as Error).message}`);
  }

  // Alarm events must name this stack's status-check alarms (their names start with the stack name).
  const stackName = values['stack-name'] ?? DEFAULT_STACK_NAME;
  let deps: TaskDeps;
  let region: string;
  if (values.simulate) {
    const sim = new SimulatedVpc();
    const alarms = new StaticAlarms();
    // A rehearsal of an event file happens now: an event from the file's past would be stale by its age.
    input = asOfNow(input, (line) => process.stderr.write(`${line}\n`));
    simulateConfig(sim, config, input, alarms, stackName);
    region = 'us-east-1';
    deps = { ec2: sim.ec2(), sns: sim.sns(), config, topicArn: sim.createTopic('route-failover'), alarms, stackName };
    process.stderr.write(`simulated VPC built from ${configFile}\n`);
  } else {
    // The JS SDK reads AWS_REGION only; AWS_DEFAULT_REGION is the AWS CLI's, honoured here as the CLI does.
    region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || '';
    if (!region) throw new UsageError('no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or use --simulate');
    if (!process.env.AWS_REGION) process.env.AWS_REGION = region;
    const topicArn = values['topic-arn'] ?? process.env.TOPIC_ARN;
    if (!topicArn) throw new UsageError('--topic-arn ARN (or env TOPIC_ARN) is required without --simulate');
    const log = (line: string) => process.stderr.write(`${line}\n`);
    const tableName = values['state-table'];
    const store = tableName
      ? await ensureStateTable(
          new DynamoDBClient({
            retryMode: 'standard',
            maxAttempts: 3,
            requestHandler: requestHandlerOptions(DYNAMODB_TIMEOUTS),
          }),
          tableName,
          log,
        )
      : undefined;
    if (!store) log('group state (lease, history, inventory) in memory for this run only; --state-table keeps it');
    // A lease held by an execution of an earlier local run that did not finish is taken over; one held by
    // anything else (a deployed stack sharing the table) is never assumed gone.
    const isExecutionRunning = async (arn: string) =>
      arn.includes(':000000000000:execution:') ? isLocalExecutionRunning(arn) : true;
    const alarms = cloudWatchAlarms(
      new CloudWatchClient({
        retryMode: 'standard',
        maxAttempts: 3,
        requestHandler: requestHandlerOptions(CLOUDWATCH_TIMEOUTS),
      }),
    );
    deps = {
      ec2: createEc2Client(),
      sns: createSnsClient(),
      config,
      topicArn,
      store,
      isExecutionRunning,
      alarms,
      stackName,
    };
  }

  const progress = progressWriter((line) => process.stderr.write(`${line}\n`));
  const result = await runExecution({
    handlers: createTaskHandlers(deps),
    input,
    region,
    executionName: values.name,
    log: progress.line,
  });
  progress.flush();
  // A pipe takes the document asynchronously: nothing here may end the process before it has drained.
  process.stdout.write(`${JSON.stringify(result.output ?? result.auditRecord ?? null, null, 2)}\n`);
  if (result.status !== 'SUCCEEDED') {
    process.stderr.write(
      `execution ${result.status}: ${[result.error, result.cause].filter(Boolean).join(': ') || 'no error reported'}\n`,
    );
    return 1;
  }
  return 0;
};

/** Reads and validates --config; any problem is a usage error (exit 2, nothing runs). */
const readConfig = (configFile: string) => {
  try {
    return parseConfigJson(readNamedFile('--config', configFile), `--config ${configFile}`);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError((e as Error).message);
  }
};

/** --guard: one pass (cli/local/guard-local.ts), against the simulated VPC built from the config or the endpoint. */
const guardMain = async (values: ReturnType<typeof parseCommandLine>): Promise<number> => {
  if (!values.config) throw new UsageError('missing --config FILE');
  if (values.input) throw new UsageError('--guard takes no --input: it reads the route tables as they are');
  const config = readConfig(values.config);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const stackName = values['stack-name'] ?? DEFAULT_STACK_NAME;
  let deps: GuardLocalDeps;
  if (values.simulate) {
    const sim = new SimulatedVpc();
    const alarms = new StaticAlarms();
    simulateConfig(sim, config, undefined, alarms, stackName);
    log(`simulated VPC built from ${values.config}`);
    deps = {
      ec2: sim.ec2(),
      sns: sim.sns(),
      config,
      topicArn: values['topic-arn'] ?? sim.createTopic('route-failover'),
      region: 'us-east-1',
      log,
      taskDeps: { alarms, stackName },
    };
  } else {
    const region = process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || '';
    if (!region) throw new UsageError('no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION), or use --simulate');
    if (!process.env.AWS_REGION) process.env.AWS_REGION = region;
    const topicArn = values['topic-arn'] ?? process.env.TOPIC_ARN;
    // The execution a convergence runs ends with its notification, as every execution does.
    if (values.converge && !topicArn)
      throw new UsageError('--converge needs --topic-arn ARN (or env TOPIC_ARN) without --simulate');
    const alarms = cloudWatchAlarms(
      new CloudWatchClient({
        retryMode: 'standard',
        maxAttempts: 3,
        requestHandler: requestHandlerOptions(CLOUDWATCH_TIMEOUTS),
      }),
    );
    deps = {
      ec2: createEc2Client(),
      sns: createSnsClient(),
      config,
      ...(topicArn ? { topicArn } : {}),
      ...(values['state-table'] ? { stateTable: values['state-table'] } : {}),
      region,
      log,
      taskDeps: {
        alarms,
        stackName,
        isExecutionRunning: async (arn: string) =>
          arn.includes(':000000000000:execution:') ? isLocalExecutionRunning(arn) : true,
      },
    };
  }
  const result = await runGuardLocal(deps, { converge: values.converge ?? false });
  const { exitCode, ...document } = result;
  // A pipe takes the document asynchronously: nothing here may end the process before it has drained.
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  const final = result.after ?? result.report;
  log(
    final.findings > 0
      ? `guard: ${final.findings} finding(s) stand`
      : final.ok
        ? 'guard: no finding'
        : 'guard: a group could not be judged (see its error)',
  );
  return exitCode;
};

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: Error) => {
      if (err instanceof UsageError) {
        process.stderr.write(`run-local: ${err.message}\nRun with --help for usage.\n`);
      } else {
        process.stderr.write(`run-local: ${err.name}: ${err.message}\n`);
      }
      process.exitCode = err instanceof UsageError ? 2 : 1;
    },
  );
}
