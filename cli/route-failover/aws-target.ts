import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CLI_TIMEOUTS, requestHandlerOptions } from '../../functions/aws/http-timeouts';

/**
 * Which AWS account, region and profile the CLI talks to, resolved as the AWS CLI resolves them:
 * - profile: `--profile`, else env AWS_PROFILE, else the SDK's default profile; it names the section of the
 *   shared config and credentials files (~/.aws/config, ~/.aws/credentials, or AWS_CONFIG_FILE and
 *   AWS_SHARED_CREDENTIALS_FILE) that the SDK reads for the region and the credentials (fromIni, SSO, roles);
 * - region: `--region`, else env AWS_REGION, else env AWS_DEFAULT_REGION, else the region of a state machine
 *   or execution ARN given on the command line, else the profile's `region` in the shared config file.
 * The JS SDK v3 reads AWS_REGION and the config file but not AWS_DEFAULT_REGION (an AWS CLI variable), so the
 * CLI reads that one itself.
 */

export interface AwsTarget {
  /** Explicit region; undefined lets the SDK read the profile's region from the shared config file. */
  region?: string;
  /** Where `region` came from, for messages: "--region", "AWS_REGION", …, or undefined (the profile). */
  regionSource?: string;
  /** Profile for the shared config/credentials files; undefined: the SDK's default ("default"). */
  profile?: string;
}

/** Resolves the target from the flags and the environment (pure: the env is passed in). */
export const resolveAwsTarget = (
  flags: { region?: string; profile?: string },
  env: Record<string, string | undefined>,
  arnRegion?: string,
): AwsTarget => {
  const profile = flags.profile || env.AWS_PROFILE || undefined;
  const candidates: Array<[string | undefined, string]> = [
    [flags.region, '--region'],
    [env.AWS_REGION, 'AWS_REGION'],
    [env.AWS_DEFAULT_REGION, 'AWS_DEFAULT_REGION'],
    [arnRegion, 'the ARN'],
  ];
  const found = candidates.find(([value]) => value !== undefined && value !== '');
  return { region: found?.[0], regionSource: found?.[1], profile };
};

const clientConfig = (t: AwsTarget) => ({
  region: t.region,
  profile: t.profile,
  // The SDK's standard retry: throttled Describe* and ListExecutions calls are retried with backoff.
  retryMode: 'standard',
  maxAttempts: 5,
  // A hung call is aborted and retried like a 5xx instead of holding the terminal.
  requestHandler: requestHandlerOptions(CLI_TIMEOUTS),
});

/** Real SDK clients for a target (endpoint and credentials from the standard environment and the profile). */
export const createAwsClients = (t: AwsTarget) => ({
  sfn: new SFNClient(clientConfig(t)),
  ec2: new EC2Client(clientConfig(t)),
  sts: new STSClient(clientConfig(t)),
  cfn: new CloudFormationClient(clientConfig(t)),
  ddb: new DynamoDBClient(clientConfig(t)),
});

/** What the status and history headers name. */
export interface AwsContext {
  account?: string;
  region?: string;
  /** Why the account is not known (e.g. no credentials), when it is not. */
  accountProblem?: string;
}

/**
 * The account (STS GetCallerIdentity) and the region the clients resolved. Best effort: a header must not
 * stop `status` from answering, so a failure is reported in the header instead.
 */
export const readAwsContext = async (clients: { sfn: SFNClient; sts?: STSClient }): Promise<AwsContext> => {
  const ctx: AwsContext = {};
  try {
    ctx.region = await clients.sfn.config.region();
  } catch {
    ctx.region = undefined;
  }
  if (!clients.sts) return { ...ctx, accountProblem: 'no STS client' };
  try {
    ctx.account = (await clients.sts.send(new GetCallerIdentityCommand({}))).Account;
  } catch (e) {
    ctx.accountProblem = `${(e as Error).name}: ${(e as Error).message}`;
  }
  return ctx;
};

/** "account 111122223333  region eu-west-1  stack VpcRouteFailover": the first line of status and history. */
export const renderAwsContext = (ctx: AwsContext, where: { stack?: string; stateMachineArn?: string }): string => {
  const account = ctx.account ?? `unknown (${ctx.accountProblem ?? 'no identity'})`;
  const machine = where.stateMachineArn
    ? `state machine ${where.stateMachineArn.split(':').pop()}`
    : `stack ${where.stack ?? '-'}`;
  return `account ${account}  region ${ctx.region ?? 'unknown'}  ${machine}`;
};
