import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';
import { type FailoverConfig, parseConfig, parseConfigJson } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import * as path from 'node:path';

/**
 * What every command is given: the AWS clients (real, mocked or simulated), a clock and two output sinks.
 * Commands are pure functions of their options and these deps and return the process exit code.
 */
export interface CliDeps {
  sfn: SFNClient;
  ec2: EC2Client;
  sts?: STSClient;
  cfn?: CloudFormationClient;
  /** The group-state table (hold, unhold, status). */
  ddb?: DynamoDBClient;
  now: () => Date;
  /** stdout: tables, or the one JSON document with --json. */
  out: (s: string) => void;
  /** stderr: errors, and --wait progress when --json keeps stdout for JSON. */
  err: (s: string) => void;
  /** Waits between polls of --wait (tests pass a fake). */
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds between polls of --wait; 2000 by default. */
  pollIntervalMs?: number;
}

/** Options every command accepts (besides its own). */
export interface CommonOptions {
  json: boolean;
  /** The failover config, when one was found (required by switchover, failback and status). */
  config?: FailoverConfig;
  /** Where the config came from, for messages. */
  configSource: string;
  /** Why no config was loaded (default source missing or invalid); reported only where a config is needed. */
  configProblem?: string;
  /** --state-machine-arn or ROUTE_FAILOVER_STATE_MACHINE_ARN. */
  stateMachineArn?: string;
  /** CloudFormation stack whose `StateMachineArn` output names the state machine. */
  stack: string;
  /**
   * --state-table or ROUTE_FAILOVER_STATE_TABLE: the group-state DynamoDB table (else the stack's
   * `GroupStateTable` output).
   */
  stateTable?: string;
}

export const EXIT = {
  /** Done: started, succeeded, no-op, dry run; status healthy. */
  OK: 0,
  /** The operation failed: execution failed or partial, an AWS call failed; status found a group needing attention. */
  FAILED: 1,
  /** The request was refused before anything was started: usage, config, validation. */
  USAGE: 2,
  /** --wait gave up at --timeout; the execution is still running. */
  TIMEOUT: 3,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports as one clear line, with the exit code it implies. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Refused before anything was started (exit 2). */
export const refuse = (message: string): CliError => new CliError(message, EXIT.USAGE);

export const DEFAULT_STACK = 'VpcRouteFailover';
export const STATE_MACHINE_OUTPUT = 'StateMachineArn';
export const STATE_MACHINE_ENV = 'ROUTE_FAILOVER_STATE_MACHINE_ARN';
export const GROUP_STATE_TABLE_OUTPUT = 'GroupStateTable';
export const STATE_TABLE_ENV = 'ROUTE_FAILOVER_STATE_TABLE';

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):stateMachine:([A-Za-z0-9_-]{1,80})$/;
const EXECUTION_ARN =
  /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):execution:([A-Za-z0-9_-]{1,80}):([A-Za-z0-9_-]{1,80})$/;

/** Region of a state machine or execution ARN, or undefined. */
export const regionOfArn = (arn: string | undefined): string | undefined =>
  arn ? (STATE_MACHINE_ARN.exec(arn) ?? EXECUTION_ARN.exec(arn))?.[1] : undefined;

/** True for a Step Functions execution ARN. */
export const isExecutionArn = (s: string): boolean => EXECUTION_ARN.test(s);

/** The execution ARN of `name` under a state machine (the format Step Functions documents). */
export const executionArnOf = (stateMachineArn: string, name: string): string =>
  `${stateMachineArn.replace(/:stateMachine:/, ':execution:')}:${name}`;

/**
 * The state machine ARN: --state-machine-arn, else ROUTE_FAILOVER_STATE_MACHINE_ARN (both already in
 * `opts.stateMachineArn`), else the `StateMachineArn` output of CloudFormation stack `opts.stack`.
 */
export const resolveStateMachineArn = async (
  opts: Pick<CommonOptions, 'stateMachineArn' | 'stack'>,
  deps: Pick<CliDeps, 'cfn'>,
): Promise<string> => {
  if (opts.stateMachineArn !== undefined) {
    if (!STATE_MACHINE_ARN.test(opts.stateMachineArn)) {
      throw refuse(
        `"${opts.stateMachineArn}" is not a state machine ARN (arn:aws:states:REGION:ACCOUNT:stateMachine:NAME)`,
      );
    }
    return opts.stateMachineArn;
  }
  const how = `pass --state-machine-arn, set ${STATE_MACHINE_ENV}, or name the deployed stack with --stack`;
  if (!deps.cfn) throw refuse(`no state machine: ${how}`);
  return readStackOutput(deps.cfn, opts.stack, STATE_MACHINE_OUTPUT, how);
};

/**
 * The group-state table: --state-table or ROUTE_FAILOVER_STATE_TABLE (both in `opts.stateTable`), else the
 * `GroupStateTable` output of stack `opts.stack`, unless the state machine was named directly (then the
 * stack may not be its stack, so the table must be named too).
 */
export const resolveGroupStateTable = async (
  opts: Pick<CommonOptions, 'stateTable' | 'stack' | 'stateMachineArn'>,
  deps: Pick<CliDeps, 'cfn'>,
): Promise<string> => {
  if (opts.stateTable !== undefined) {
    // DynamoDB table names: 3 to 255 characters of letters, digits, '_', '-' and '.'.
    if (!/^[A-Za-z0-9_.-]{3,255}$/.test(opts.stateTable))
      throw refuse(`--state-table "${opts.stateTable}" is not a DynamoDB table name`);
    return opts.stateTable;
  }
  const how = `pass --state-table, set ${STATE_TABLE_ENV}, or name the deployed stack with --stack`;
  if (opts.stateMachineArn !== undefined)
    throw refuse(
      `no group-state table: the state machine is named directly (--state-machine-arn or ${STATE_MACHINE_ENV}): pass ` +
        `--state-table or set ${STATE_TABLE_ENV}`,
    );
  if (!deps.cfn) throw refuse(`no group-state table: ${how}`);
  return readStackOutput(deps.cfn, opts.stack, GROUP_STATE_TABLE_OUTPUT, how);
};

/** One output of a CloudFormation stack (DescribeStacks), or a refusal naming what to do instead. */
const readStackOutput = async (cfn: CloudFormationClient, stack: string, key: string, how: string): Promise<string> => {
  let outputs: Array<{ OutputKey?: string; OutputValue?: string }>;
  try {
    const res = await cfn.send(new DescribeStacksCommand({ StackName: stack }));
    outputs = res.Stacks?.[0]?.Outputs ?? [];
  } catch (e) {
    const err = e as Error;
    // CloudFormation answers a missing stack with ValidationError "Stack with id X does not exist".
    if (err.name === 'ValidationError' && /does not exist/.test(err.message)) {
      throw refuse(`stack "${stack}" does not exist in this account/region: ${how}`);
    }
    throw new CliError(
      `cannot read the outputs of stack "${stack}": ${err.name}: ${err.message} (${how})`,
      EXIT.FAILED,
    );
  }
  const value = outputs.find((o) => o.OutputKey === key)?.OutputValue;
  if (!value) throw refuse(`stack "${stack}" has no "${key}" output: ${how}`);
  return value;
};

export interface ConfigSourceIo {
  readFile: (path: string) => string;
  cwd: string;
}

/** The file the CLI reads when --config is not given, in the working directory (the same one `cdk synth` reads). */
export const DEFAULT_CONFIG_FILE = 'failover.json';

/**
 * Loads the failover config: `--config FILE` (the config JSON itself, the same schema as cdk.json context
 * `failover`), else `failover.json` in the working directory, else cdk.json context `failover` there: the same
 * sources `cdk synth` reads, and never an example unless it is named. An explicit file that is missing or
 * invalid is an error; without one, a missing or invalid default leaves the config undefined with the reason.
 */
export const loadConfig = (
  file: string | undefined,
  io: ConfigSourceIo,
): { config?: FailoverConfig; source: string; problem?: string } => {
  if (file !== undefined) {
    let text: string;
    try {
      text = io.readFile(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw refuse(`--config ${file}: file not found`);
      throw refuse(`--config ${file}: cannot read it: ${(e as Error).message}`);
    }
    try {
      return { config: parseConfigJson(text, `config file ${file}`), source: file };
    } catch (e) {
      throw refuse((e as Error).message);
    }
  }
  const beside = path.join(io.cwd, DEFAULT_CONFIG_FILE);
  const fromFile = readOptional(io, beside);
  if (fromFile !== undefined) {
    try {
      return { config: parseConfigJson(fromFile, `config file ${beside}`), source: beside };
    } catch (e) {
      return { source: beside, problem: (e as Error).message };
    }
  }
  const source = `cdk.json context "failover" in ${io.cwd}`;
  const none =
    `no failover config in ${io.cwd} (no ${DEFAULT_CONFIG_FILE}, no cdk.json context "failover"): pass --config ` +
    `FILE, or write ${DEFAULT_CONFIG_FILE} there (route-failover init prints one)`;
  const text = readOptional(io, path.join(io.cwd, 'cdk.json'));
  if (text === undefined) return { source, problem: none };
  try {
    const raw = (JSON.parse(text) as { context?: { failover?: unknown } })?.context?.failover;
    if (raw === undefined) return { source, problem: none };
    return { config: parseConfig(raw, source), source };
  } catch (e) {
    const message =
      e instanceof ConfigError ? e.message : `cdk.json in ${io.cwd} is not valid JSON: ${(e as Error).message}`;
    return { source, problem: message };
  }
};

const readOptional = (io: ConfigSourceIo, file: string): string | undefined => {
  try {
    return io.readFile(file);
  } catch {
    return undefined;
  }
};

/** The config, or a refusal saying where it was looked for. */
export const requireConfig = (opts: CommonOptions): FailoverConfig => {
  if (!opts.config) throw refuse(opts.configProblem ?? `no failover config (${opts.configSource}): pass --config FILE`);
  return opts.config;
};

/**
 * The caller's ARN (STS GetCallerIdentity): who asks for a switchover or sets a hold. `noClient` is the usage
 * error without an STS client; `consequence` ends the message when STS cannot answer.
 */
export const readCallerArn = async (
  deps: Pick<CliDeps, 'sts'>,
  noClient: string,
  consequence: string,
): Promise<string> => {
  if (!deps.sts) throw refuse(noClient);
  try {
    const id = await deps.sts.send(new GetCallerIdentityCommand({}));
    if (!id.Arn) throw new Error('GetCallerIdentity returned no ARN');
    return id.Arn;
  } catch (e) {
    const err = e as Error;
    throw new CliError(
      `cannot read the caller identity (STS GetCallerIdentity): ${err.name}: ${err.message}. ${consequence}`,
      EXIT.FAILED,
    );
  }
};
