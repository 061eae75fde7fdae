import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseConfig, parseConfigJson, type FailoverConfig } from '../functions/contract/config';
import { ConfigError } from '../functions/contract/errors';

/** Context key holding the config itself (cdk.json, or one line of JSON with `-c failover='{…}'`). */
export const CONFIG_CONTEXT_KEY = 'failover';
/** Context key naming a JSON file that holds the config (`-c failoverFile=failover.json`); wins over `failover`. */
export const CONFIG_FILE_CONTEXT_KEY = 'failoverFile';

/** Context key naming the stack (`-c stackName=VpcRouteFailover-prod`): one stack per name in a region. */
export const STACK_NAME_CONTEXT_KEY = 'stackName';
export const DEFAULT_STACK_NAME = 'VpcRouteFailover';

const CONTEXT_WHERE = `cdk.json context "${CONFIG_CONTEXT_KEY}"`;

/**
 * The stack name from the context, or VpcRouteFailover. CloudFormation allows letters, digits and hyphens,
 * starting with a letter; 71 characters at most here, because the state machine is named `<stack>-failover`
 * (80 characters at most).
 */
export const readStackName = (tryGetContext: (key: string) => unknown): string => {
  const name: unknown = tryGetContext(STACK_NAME_CONTEXT_KEY) ?? DEFAULT_STACK_NAME;
  if (typeof name !== 'string' || !/^[A-Za-z][A-Za-z0-9-]{0,70}$/.test(name)) {
    throw new ConfigError(
      `context "${STACK_NAME_CONTEXT_KEY}" must be a CloudFormation stack name of at most 71 characters ` +
        `(a letter, then letters, digits or "-"), got ${JSON.stringify(name)}`,
    );
  }
  return name;
};

/** The file the app reads when neither `failoverFile` nor `failover` is given: the operator's own, beside cdk.json. */
export const DEFAULT_CONFIG_FILE = 'failover.json';
/** The directory of cdk.json (this project's root), where DEFAULT_CONFIG_FILE is looked for. */
export const APP_DIR = path.join(__dirname, '..');
/** The example the repository's own CI and the README's try-it commands name explicitly. */
export const EXAMPLE_CONFIG_FILE = 'examples/failover.json';

/**
 * The validated failover config of a CDK app, from the first of, in this order:
 * 1. `-c failoverFile=<path>`: a JSON file (pretty-printed is fine: the CDK CLI splits a multi-line
 *    `-c failover=…` value, a file has no such problem); a relative path is resolved from `cwd`, the directory
 *    `cdk` runs in, because it is what the operator typed there;
 * 2. the `failover` context (a cdk.json object, or a JSON string from the command line);
 * 3. `failover.json` beside cdk.json (`appDir`).
 * No example is ever used unless named: with none of the three, a ConfigError says how to give one. Every
 * error is a ConfigError naming the source (the file's absolute path) and the bad field paths.
 */
export const readFailoverConfig = (
  tryGetContext: (key: string) => unknown,
  cwd: string,
  appDir: string = APP_DIR,
): FailoverConfig => {
  const file: unknown = tryGetContext(CONFIG_FILE_CONTEXT_KEY);
  if (file !== undefined) {
    if (typeof file !== 'string' || file.trim() === '') {
      throw new ConfigError(
        `context "${CONFIG_FILE_CONTEXT_KEY}" must be a file path, e.g. -c ${CONFIG_FILE_CONTEXT_KEY}=failover.json`,
      );
    }
    return readConfigFile(path.resolve(cwd, file), `-c ${CONFIG_FILE_CONTEXT_KEY}=${file}`);
  }
  const raw: unknown = tryGetContext(CONFIG_CONTEXT_KEY);
  if (raw !== undefined)
    return typeof raw === 'string' ? parseConfigJson(raw, CONTEXT_WHERE) : parseConfig(raw, CONTEXT_WHERE);
  const beside = path.join(appDir, DEFAULT_CONFIG_FILE);
  if (existsSync(beside)) return readConfigFile(beside, `found beside cdk.json`);
  // Last, and only when named: the repository's cdk.json names its example so that `npx cdk synth` works on a
  // fresh clone. Any config of the operator's wins over it, and it is never used without saying so.
  const example: unknown = tryGetContext(EXAMPLE_CONTEXT_KEY);
  if (typeof example === 'string' && example.trim() !== '') {
    const config = readConfigFile(path.resolve(appDir, example), `named by cdk.json context "${EXAMPLE_CONTEXT_KEY}"`);
    warn(exampleNotice(example, beside));
    return config;
  }
  throw new ConfigError(missingConfigMessage(beside));
};

/** Context key naming the example config, used only when no config of the operator's is found (see above). */
export const EXAMPLE_CONTEXT_KEY = 'exampleFailoverFile';

/** What the app says when it falls back to the example: loudly, on stderr, with how to give one's own. */
export const exampleNotice = (example: string, beside: string): string =>
  `NOTE: no failover config of yours was found (no -c ${CONFIG_FILE_CONTEXT_KEY}=…, no "${CONFIG_CONTEXT_KEY}" ` +
  `context, no ${beside}): ` +
  `this synthesizes the EXAMPLE routers of ${example} (cdk.json "${EXAMPLE_CONTEXT_KEY}"), not yours. ` +
  `Write ${DEFAULT_CONFIG_FILE} beside cdk.json (route-failover init prints one) or pass -c ` +
  `${CONFIG_FILE_CONTEXT_KEY}=path/to/yours.json.\n`;

/** Where the notice goes (stderr: a template on stdout stays clean). */
const warn = (text: string): void => void process.stderr.write(text);

/** What to do when no config was given: where the app looked, and the three ways to give one. */
export const missingConfigMessage = (beside: string): string =>
  [
    `no failover config: the app uses only a config you give it, and found none.`,
    `Give it one of:`,
    `  - a file ${beside} (the app reads it when nothing else is named);`,
    `  - a file named on the command line: npx cdk synth -c ${CONFIG_FILE_CONTEXT_KEY}=path/to/failover.json;`,
    `  - a "${CONFIG_CONTEXT_KEY}" object in cdk.json's "context".`,
    `"npx route-failover init --vpc vpc-… --member router-a=i-… --member router-b=i-…" writes one from your instances.`,
    `To try the product with the example routers instead: -c ${CONFIG_FILE_CONTEXT_KEY}=${EXAMPLE_CONFIG_FILE}`,
  ].join('\n');

const readConfigFile = (absolute: string, how: string): FailoverConfig => {
  const where = `failover config file ${absolute} (${how})`;
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new ConfigError(`cannot read ${where}: ${why} (a relative path is resolved from the directory cdk runs in)`);
  }
  return parseConfigJson(text, where);
};
