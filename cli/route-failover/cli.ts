import { parseArgs, ParseArgsConfig } from 'node:util';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { STSClient } from '@aws-sdk/client-sts';
import { history, historyShow, parseSince } from './commands/history';
import { status } from './commands/status';
import { switchover } from './commands/switchover';
import {
  CliDeps,
  CliError,
  CommonOptions,
  DEFAULT_STACK,
  EXIT,
  loadConfig,
  refuse,
  regionOfArn,
  STATE_MACHINE_ENV,
  STATE_MACHINE_OUTPUT,
} from './context';

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
}

/** Everything runCli takes from the process. */
export interface CliIo {
  out: (s: string) => void;
  err: (s: string) => void;
  now: () => Date;
  readFile: (path: string) => string;
  cwd: string;
  /** Builds the AWS clients for a region (undefined: the SDK's own resolution, e.g. the profile). */
  createClients: (region: string | undefined) => CliClients;
  sleep?: (ms: number) => Promise<void>;
  pollIntervalMs?: number;
}

type OptionSpec = NonNullable<ParseArgsConfig['options']>;

const COMMON: OptionSpec = {
  config: { type: 'string' },
  'state-machine-arn': { type: 'string' },
  stack: { type: 'string' },
  region: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
};

const COMMANDS: Record<string, OptionSpec> = {
  switchover: {
    group: { type: 'string' },
    to: { type: 'string' },
    reason: { type: 'string' },
    'dry-run': { type: 'boolean' },
    wait: { type: 'boolean' },
    'requested-by': { type: 'string' },
  },
  failback: {
    group: { type: 'string' },
    reason: { type: 'string' },
    'dry-run': { type: 'boolean' },
    wait: { type: 'boolean' },
    'requested-by': { type: 'string' },
  },
  status: { group: { type: 'string' } },
  history: { group: { type: 'string' }, since: { type: 'string' }, limit: { type: 'string' } },
};

const COMMON_HELP = `Where things come from:
  --config FILE             failover config (the same JSON as cdk.json context "failover");
                            default: cdk.json context "failover" in the current directory
  --state-machine-arn ARN   the workflow; default: env ${STATE_MACHINE_ENV},
                            else the "${STATE_MACHINE_OUTPUT}" output of the CloudFormation stack
  --stack NAME              stack to read that output from (default ${DEFAULT_STACK})
  --region REGION           default: env AWS_REGION, else the region of --state-machine-arn,
                            else your AWS profile's region
  --json                    one JSON document on stdout (progress and errors go to stderr)
  -h, --help                this help

Exit codes: 0 ok, 1 the operation failed (execution failed or partial, AWS error; status: a group
needs attention), 2 request refused before anything was started (usage, config, validation).`;

/** `--help` text per command ('main' for the command list). */
export const HELP: Record<string, string> = {
  main: `route-failover: move a router group's VPC routes on purpose, see where they point, read the audit log.

Usage: route-failover COMMAND [options]

Commands:
  switchover --group G [--to MEMBER] [--reason TEXT] [--dry-run] [--wait]
                            move the group's routes to MEMBER (default: the peer of the active member)
  failback --group G [--reason TEXT] [--dry-run] [--wait]
                            move the group's routes back to its preferred member
  status [--group G]        where each group's routes point now, read from the route tables
  history [--group G] [--since 7d]
                            the audit log: one line per execution
  history show EXECUTION    one execution in full (name or ARN)

Run "route-failover COMMAND --help" for a command's options.

${COMMON_HELP}`,
  switchover: `Usage: route-failover switchover --group G [--to MEMBER] [--reason TEXT] [--dry-run] [--wait] [--requested-by WHO]

Moves every route of group G that points at another member to the paired interfaces of MEMBER, with the
Step Functions workflow (validated, retried, verified, notified, audited). Before starting anything it
checks the request against the config and the route tables: an unknown group or member, a target that is
already active or not running, or routes split between members without --to are refused (exit 2).

  --group G            the failover group (required)
  --to MEMBER          target member; default: the running peer of the member the routes point at now
  --reason TEXT        why (recorded in the audit record and the notification), e.g. "patch router-a (CHG-1042)"
  --dry-run            plan and call ReplaceRoute with EC2's DryRun flag for each route: nothing changes,
                       missing permissions show up now
  --wait               follow the execution state by state (routes done / total, retries) and exit with
                       its outcome: 0 succeeded / no-op / dry run, 1 failed / partial
  --requested-by WHO   who asks (default: your AWS identity, from STS GetCallerIdentity)

The execution is named switchover-G-YYYYMMDDTHHMMSSZ (plus -dryrun for a dry run).

Example:
  route-failover switchover --group onprem-edge --to router-b --reason "patch router-a (CHG-1042)" --wait

${COMMON_HELP}`,
  failback: `Usage: route-failover failback --group G [--reason TEXT] [--dry-run] [--wait] [--requested-by WHO]

A switchover back to the group's preferred member (config "preferred"). Refused (exit 2) when the group
has no preferred member, or the preferred member is already active or not running.

  --group G            the failover group (required)
  --reason TEXT        why (recorded in the audit record)
  --dry-run            rehearse: ReplaceRoute with DryRun for each route, nothing changes
  --wait               follow the execution and exit with its outcome
  --requested-by WHO   who asks (default: your AWS identity)

Example:
  route-failover failback --group onprem-edge --reason "router-a patched" --wait

${COMMON_HELP}`,
  status: `Usage: route-failover status [--group G]

For each group (or G), read from EC2 now: the active member (the one the routes point at), routes per
member, blackhole routes, routes split between members (INCONSISTENT), each member's instance state, and
the group's last execution (among the newest 25).

Exit code 1 when a group needs attention: routes split between members, blackhole routes, the active
member not running, or a member instance not found. --json shows "consistent": false for a split group.

${COMMON_HELP}`,
  history: `Usage: route-failover history [--group G] [--since 7d] [--limit 200]
       route-failover history show EXECUTION

The audit log, newest first: start time (UTC), trigger (event / alarm / probe / manual), requester, reason,
from -> to, routes changed, outcome, duration, execution name.

  --group G            only executions for group G
  --since WHEN         how far back: 30m, 12h, 7d, 2w or an ISO date (default 7d; Step Functions keeps
                       execution history for 90 days)
  --limit N            read at most N executions (default 200)

"history show EXECUTION" (a name from the list, or an execution ARN) prints one execution in full:
every route before/after, status, attempts, errors, verification, retries and caught errors from the
execution history, and each state's timing.

${COMMON_HELP}`,
};

/** Runs the CLI; resolves to the exit code. Never throws. */
export const runCli = async (argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> => {
  let json = argv.includes('--json');
  try {
    const parsed = parseCommandLine(argv);
    json = parsed.values.json === true;
    const { command, values, positionals } = parsed;
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
    return report(e, json, io);
  }
};

type Values = Record<string, string | boolean | undefined>;

const parseCommandLine = (argv: string[]): { command?: string; values: Values; positionals: string[] } => {
  const all: OptionSpec = { ...COMMON, ...Object.assign({}, ...Object.values(COMMANDS)) };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: all, allowPositionals: true, strict: true });
  } catch (e) {
    throw refuse(`${(e as Error).message.replace(/\. To specify a positional argument.*$/s, '')}. See route-failover --help`);
  }
  const values = parsed.values as Values;
  const [command, ...positionals] = parsed.positionals;
  if (command === undefined || command === 'help') return { command, values, positionals };
  const own = COMMANDS[command];
  if (!own) throw refuse(`unknown command "${command}". Commands: ${Object.keys(COMMANDS).join(', ')}. See route-failover --help`);
  for (const name of Object.keys(values)) {
    if (!(name in COMMON) && !(name in own)) throw refuse(`--${name} is not an option of ${command}. See route-failover ${command} --help`);
  }
  return { command, values, positionals };
};

const dispatch = async (command: string, values: Values, positionals: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> => {
  const str = (name: string): string | undefined => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const flag = (name: string): boolean => values[name] === true;
  const isShow = command === 'history' && positionals[0] === 'show';
  const expected = isShow ? 2 : 0;
  if (positionals.length !== expected) {
    const extra = isShow ? (positionals.length < 2 ? 'history show needs an EXECUTION (name or ARN)' : `unexpected argument "${positionals[2]}"`) : `unexpected argument "${positionals[0]}"`;
    throw refuse(`${extra}. See route-failover ${command} --help`);
  }

  const loaded = loadConfig(str('config'), io);
  const stateMachineArn = str('state-machine-arn') ?? (env[STATE_MACHINE_ENV] || undefined);
  const common: CommonOptions = {
    json: flag('json'),
    config: loaded.config,
    configSource: loaded.source,
    configProblem: loaded.problem,
    stateMachineArn,
    stack: str('stack') ?? DEFAULT_STACK,
  };
  const region = str('region') ?? (env.AWS_REGION || undefined) ?? regionOfArn(stateMachineArn) ?? (isShow ? regionOfArn(positionals[1]) : undefined);
  const clients = io.createClients(region);
  const deps: CliDeps = { ...clients, now: io.now, out: io.out, err: io.err, sleep: io.sleep, pollIntervalMs: io.pollIntervalMs };

  switch (command) {
    case 'switchover':
    case 'failback': {
      const group = str('group');
      if (!group) throw refuse(`${command} needs --group G. See route-failover ${command} --help`);
      return switchover(
        { ...common, action: command, group, to: str('to'), reason: str('reason'), dryRun: flag('dry-run'), wait: flag('wait'), requestedBy: str('requested-by') },
        deps,
      );
    }
    case 'status':
      return status({ ...common, group: str('group') }, deps);
    case 'history': {
      if (isShow) return historyShow({ ...common, execution: positionals[1] }, deps);
      const since = parseSince(str('since') ?? '7d', io.now());
      if (!since) throw refuse(`--since "${str('since')}": use 30m, 12h, 7d, 2w or an ISO date such as 2026-11-01`);
      const limit = str('limit') === undefined ? 200 : Number(str('limit'));
      if (!Number.isInteger(limit) || limit < 1) throw refuse(`--limit "${str('limit')}": a positive whole number`);
      return history({ ...common, group: str('group'), since, limit }, deps);
    }
    default:
      throw refuse(`unknown command "${command}"`);
  }
};

/** Prints an error once, clearly; returns its exit code. */
const report = (e: unknown, json: boolean, io: CliIo): number => {
  let code: number = EXIT.FAILED;
  let message: string;
  if (e instanceof CliError) {
    code = e.exitCode;
    message = e.message;
  } else {
    const err = e as Error;
    if (/Region is missing/i.test(err?.message ?? '')) {
      code = EXIT.USAGE;
      message = 'no AWS region: pass --region or set AWS_REGION';
    } else if (err?.name === 'CredentialsProviderError') {
      message = `no AWS credentials: ${err.message}`;
    } else {
      message = `${err?.name ?? 'Error'}: ${err?.message ?? String(e)}`;
    }
  }
  io.err(`route-failover: ${message}`);
  if (json) io.out(JSON.stringify({ error: message, exitCode: code }, null, 2));
  return code;
};
