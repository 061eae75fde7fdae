import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { STSClient } from '@aws-sdk/client-sts';
import { awsErrorHint, type HintContext } from './aws-hints';
import { type AwsTarget, resolveAwsTarget } from './aws-target';
import { guard } from './commands/guard';
import { history, historyShow, parseSince } from './commands/history';
import { hold, unhold } from './commands/hold';
import { init } from './commands/init';
import { prepare } from './commands/prepare';
import { status } from './commands/status';
import { switchover } from './commands/switchover';
import {
  type CliDeps,
  CliError,
  type CommonOptions,
  DEFAULT_STACK,
  EXIT,
  loadConfig,
  refuse,
  regionOfArn,
  STATE_MACHINE_ENV,
  STATE_TABLE_ENV,
} from './context';
import { parseDurationMs } from './format';
import { HELP } from './help';
import { cliVersion } from './version';

export { HELP } from './help';

/**
 * Argument parsing and dispatch for `route-failover`. Everything that touches the process (argv, env,
 * stdout, files, real SDK clients) comes in through `io`, so tests run the CLI exactly as a shell would.
 */

/** The AWS clients a run needs (built by main.ts, mocked or simulated in tests). */
export interface CliClients {
  sfn: SFNClient;
  ec2: EC2Client;
  sts?: STSClient;
  cfn?: CloudFormationClient;
  ddb?: DynamoDBClient;
}

/** Everything runCli takes from the process. */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  now: () => Date;
  readFile: (path: string) => string;
  cwd: string;
  /** Builds the AWS clients for a target (region undefined: the SDK reads the profile's region). */
  createClients: (target: AwsTarget) => CliClients;
  sleep?: (ms: number) => Promise<void>;
  pollIntervalMs?: number;
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

const COMMON: OptionSpec = {
  config: { type: 'string' },
  'state-machine-arn': { type: 'string' },
  stack: { type: 'string' },
  profile: { type: 'string' },
  region: { type: 'string' },
  output: { type: 'string' },
  json: { type: 'boolean' },
  version: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const COMMANDS: Record<string, OptionSpec> = {
  switchover: {
    group: { type: 'string' },
    to: { type: 'string' },
    reason: { type: 'string' },
    'dry-run': { type: 'boolean' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    'requested-by': { type: 'string' },
    plan: { type: 'boolean' },
  },
  failback: {
    group: { type: 'string' },
    reason: { type: 'string' },
    'dry-run': { type: 'boolean' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    'requested-by': { type: 'string' },
    plan: { type: 'boolean' },
  },
  status: { group: { type: 'string' }, routes: { type: 'boolean' }, 'state-table': { type: 'string' } },
  guard: { group: { type: 'string' }, converge: { type: 'boolean' }, 'state-table': { type: 'string' } },
  prepare: { group: { type: 'string' }, 'dry-run': { type: 'boolean' }, 'state-table': { type: 'string' } },
  hold: {
    group: { type: 'string' },
    for: { type: 'string' },
    reason: { type: 'string' },
    'state-table': { type: 'string' },
  },
  unhold: { group: { type: 'string' }, 'state-table': { type: 'string' } },
  history: { group: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } },
  init: {
    vpc: { type: 'string' },
    member: { type: 'string', multiple: true },
    group: { type: 'string' },
    preferred: { type: 'string' },
    'switch-mode': { type: 'string' },
  },
};

/** --output json|table (the AWS CLI's flag; --json is its short form). */
const outputIsJson = (values: Values): boolean => {
  const output = values.output;
  if (output === undefined) return values.json === true;
  if (output !== 'json' && output !== 'table') throw refuse(`--output "${String(output)}": json or table`);
  if (values.json === true && output === 'table')
    throw refuse('--json and --output table contradict each other: pick one');
  return output === 'json';
};

/** Runs the CLI; resolves to the exit code. Never throws. */
export const runCli = async (argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> => {
  // Until the command line parses, a usage error is reported as JSON when JSON was asked for.
  let json = argv.some(
    (a, i) => a === '--json' || a === '--output=json' || (a === '--output' && argv[i + 1] === 'json'),
  );
  let given: Values = {};
  try {
    const parsed = parseCommandLine(argv);
    const { command, values, positionals } = parsed;
    given = values;
    json = outputIsJson(values);
    if (values.version) {
      io.out(
        json ? JSON.stringify({ name: 'route-failover', version: cliVersion() }) : `route-failover ${cliVersion()}`,
      );
      return EXIT.OK;
    }
    if (command === undefined || command === 'help') {
      const topic = command === 'help' ? positionals[0] : undefined;
      io.out(HELP[topic ?? 'main'] ?? HELP.main);
      return command === undefined && !values.help ? EXIT.USAGE : EXIT.OK;
    }
    if (values.help) {
      io.out(HELP[command]);
      return EXIT.OK;
    }
    return await dispatch(command, values, positionals, env, io);
  } catch (e) {
    const flag = (name: string) => (typeof given[name] === 'string' ? (given[name] as string) : undefined);
    return report(e, json, io, { env, region: flag('region'), profile: flag('profile'), readFile: io.readFile });
  }
};

type Values = Record<string, string | boolean | string[] | undefined>;

const parseCommandLine = (argv: string[]): { command?: string; values: Values; positionals: string[] } => {
  const all: OptionSpec = { ...COMMON, ...Object.assign({}, ...Object.values(COMMANDS)) };
  let parsed: { values: object; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (e) {
    throw refuse(
      `${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')}. See route-failover --help`,
    );
  }
  const values = parsed.values as Values;
  const [command, ...positionals] = parsed.positionals;
  if (command === undefined || command === 'help') return { command, values, positionals };
  const own = COMMANDS[command];
  if (!own)
    throw refuse(
      `unknown command "${command}". Commands: ${Object.keys(COMMANDS).join(', ')}. See route-failover --help`,
    );
  for (const name of Object.keys(values)) {
    if (!(name in COMMON) && !(name in own))
      throw refuse(`--${name} is not an option of ${command}. See route-failover ${command} --help`);
  }
  return { command, values, positionals };
};

const dispatch = async (
  command: string,
  values: Values,
  positionals: string[],
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<number> => {
  const str = (name: string): string | undefined =>
    typeof values[name] === 'string' ? (values[name] as string) : undefined;
  const flag = (name: string): boolean => values[name] === true;
  const isShow = command === 'history' && positionals[0] === 'show';
  const expected = isShow ? 2 : 0;
  if (positionals.length !== expected) {
    const extra = isShow
      ? positionals.length < 2
        ? 'history show needs an EXECUTION (name or ARN)'
        : `unexpected argument "${positionals[2]}"`
      : `unexpected argument "${positionals[0]}"`;
    throw refuse(`${extra}. See route-failover ${command} --help`);
  }

  const loaded = loadConfig(str('config'), io);
  const stateMachineArn = str('state-machine-arn') ?? (env[STATE_MACHINE_ENV] || undefined);
  const common: CommonOptions = {
    json: outputIsJson(values),
    config: loaded.config,
    configSource: loaded.source,
    configProblem: loaded.problem,
    stateMachineArn,
    stack: str('stack') ?? DEFAULT_STACK,
    stateTable: str('state-table') ?? (env[STATE_TABLE_ENV] || undefined),
  };
  const arnRegion = regionOfArn(stateMachineArn) ?? (isShow ? regionOfArn(positionals[1]) : undefined);
  const clients = io.createClients(
    resolveAwsTarget({ region: str('region'), profile: str('profile') }, env, arnRegion),
  );
  const deps: CliDeps = {
    ...clients,
    now: io.now,
    out: io.out,
    err: io.err,
    sleep: io.sleep,
    pollIntervalMs: io.pollIntervalMs,
  };

  switch (command) {
    case 'switchover':
    case 'failback': {
      const group = str('group');
      if (!group) throw refuse(`${command} needs --group G. See route-failover ${command} --help`);
      let timeoutMs: number | undefined;
      if (str('timeout') !== undefined) {
        if (!flag('wait'))
          throw refuse(
            `--timeout applies to --wait: add --wait, or leave --timeout out. See route-failover ${command} --help`,
          );
        timeoutMs = parseDurationMs(str('timeout')!, { bareUnit: 's' });
        if (timeoutMs === undefined || timeoutMs <= 0)
          throw refuse(`--timeout "${str('timeout')}": a duration such as 90s, 10m or 1h (or a number of seconds)`);
      }
      if (flag('plan') && (flag('wait') || flag('dry-run'))) {
        throw refuse(
          `--plan starts nothing: leave out --${flag('wait') ? 'wait' : 'dry-run'} (a dry run rehearses the writes ` +
            `with EC2's DryRun flag). See route-failover ${command} --help`,
        );
      }
      return switchover(
        {
          ...common,
          action: command,
          group,
          to: str('to'),
          reason: str('reason'),
          dryRun: flag('dry-run'),
          wait: flag('wait'),
          timeoutMs,
          requestedBy: str('requested-by'),
          plan: flag('plan'),
        },
        deps,
      );
    }
    case 'init': {
      const vpcId = str('vpc');
      const members = (values.member as string[] | undefined) ?? [];
      if (!vpcId) throw refuse('init needs --vpc VPC. See route-failover init --help');
      if (members.length < 2)
        throw refuse(
          `init needs at least two --member NAME[=INSTANCE] (got ${members.length}). See route-failover init --help`,
        );
      const switchMode = str('switch-mode');
      if (switchMode !== undefined && switchMode !== 'routes' && switchMode !== 'associations') {
        throw refuse(
          `--switch-mode must be "routes" or "associations" (got "${switchMode}"). See route-failover init --help`,
        );
      }
      return init({ ...common, vpcId, members, group: str('group'), preferred: str('preferred'), switchMode }, deps);
    }
    case 'prepare': {
      const group = str('group');
      if (!group) throw refuse('prepare needs --group G. See route-failover prepare --help');
      return prepare({ ...common, group, dryRun: flag('dry-run') }, deps);
    }
    case 'status':
      return status({ ...common, group: str('group'), routes: flag('routes') }, deps);
    case 'guard':
      return guard({ ...common, group: str('group'), converge: flag('converge') }, deps);
    case 'hold': {
      const group = str('group');
      if (!group) throw refuse('hold needs --group G. See route-failover hold --help');
      if (str('for') === undefined)
        throw refuse('hold needs --for D (how long: 90m, 2h, 1d). See route-failover hold --help');
      const forMs = parseDurationMs(str('for')!);
      if (forMs === undefined || forMs <= 0) throw refuse(`--for "${str('for')}": a duration such as 90m, 2h or 1d`);
      if (str('reason') === undefined)
        throw refuse('hold needs --reason TEXT (why automatic failover is held). See route-failover hold --help');
      return hold({ ...common, group, forSeconds: forMs / 1000, reason: str('reason')! }, deps);
    }
    case 'unhold': {
      const group = str('group');
      if (!group) throw refuse('unhold needs --group G. See route-failover unhold --help');
      return unhold({ ...common, group }, deps);
    }
    case 'history': {
      if (isShow) return historyShow({ ...common, execution: positionals[1] }, deps);
      const since = parseSince(str('since') ?? '7d', io.now());
      if (!since)
        throw refuse(
          `--since "${str('since')}": use a duration (30m, 2h, 7d, 2w) or ` +
            `an ISO date or time such as 2026-11-01 or 2026-11-25T14:00:00Z`,
        );
      const limit = str('limit') === undefined ? 200 : Number(str('limit'));
      if (!Number.isInteger(limit) || limit < 1) throw refuse(`--limit "${str('limit')}": a positive whole number`);
      return history({ ...common, group: str('group'), since, limit }, deps);
    }
    default:
      throw refuse(`unknown command "${command}"`);
  }
};

/** Prints an error once, clearly, with what to check when the cause is outside the product; returns its exit code. */
const report = (e: unknown, json: boolean, io: CliIo, hints: HintContext): number => {
  let code: number = EXIT.FAILED;
  let message: string;
  if (e instanceof CliError) {
    code = e.exitCode;
    message = e.message;
  } else {
    const err = e as Error;
    if (/Region is missing/i.test(err?.message ?? '')) {
      code = EXIT.USAGE;
      message =
        'no AWS region: pass --region, set AWS_REGION or ' +
        'AWS_DEFAULT_REGION, or set "region" in your profile (aws configure)';
    } else if (err?.name === 'CredentialsProviderError') {
      message = `no AWS credentials: ${err.message}`;
    } else {
      message = `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
    }
  }
  // The SDK's deserialization error spans two lines: one line, then what to check (a config error keeps its list).
  message = message.replace(/\s*\n\s*(Deserialization error)/g, ' $1');
  const hint = code === EXIT.USAGE ? undefined : awsErrorHint(message, hints);
  if (hint) message = `${message} — ${hint}`;
  io.err(`route-failover: ${message}`);
  if (json) io.out(JSON.stringify({ error: message, exitCode: code }, null, 2));
  return code;
};
