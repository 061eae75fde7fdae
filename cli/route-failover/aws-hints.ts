import * as path from 'node:path';

/**
 * What to check when an AWS call fails for a reason outside the product: a host that does not resolve, an
 * endpoint that refuses or answers something that is not the service, no credentials, a named profile that is
 * not in the shared files. The SDK's own texts ("getaddrinfo ENOTFOUND …", "Deserialization error …", "Could not
 * load credentials from any providers" even when the cause is a misspelt --profile) name none of that.
 */

export interface HintContext {
  env: Record<string, string | undefined>;
  /** --region, when given. */
  region?: string;
  /** --profile, when given. */
  profile?: string;
  /** Reads a file (throws when it cannot). */
  readFile: (file: string) => string;
}

const ENDPOINT_VARS = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_EC2',
  'AWS_ENDPOINT_URL_SFN',
  'AWS_ENDPOINT_URL_STS',
  'AWS_ENDPOINT_URL_CLOUDFORMATION',
  'AWS_ENDPOINT_URL_DYNAMODB',
];

/** The advice for an error message, or undefined when the error is not one of these. */
export const awsErrorHint = (message: string, ctx: HintContext): string | undefined => {
  const endpoints = ENDPOINT_VARS.filter((v) => ctx.env[v]).map((v) => `${v}=${ctx.env[v]}`);
  const endpointText = endpoints.length ? `the endpoint (${endpoints.join(', ')})` : undefined;
  const region = ctx.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
  const regionText = region ? `the region ("${region}" is it a region name such as eu-west-1?)` : 'the region';

  const dns = /getaddrinfo (?:ENOTFOUND|EAI_AGAIN) (\S+)/.exec(message);
  if (dns) {
    return (
      `the host ${dns[1]} does not resolve: check ${[regionText, endpointText].filter(Boolean).join(' and ')}, and ` +
      `DNS or a proxy on this machine`
    );
  }
  if (/ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|socket hang up|TimeoutError|timed out/i.test(message)) {
    return (
      `the endpoint did not answer: check ` +
      `${endpointText ?? 'network access to AWS from this machine (proxy, VPN, firewall)'}` +
      `${endpointText ? ' is running and reachable' : ''}`
    );
  }
  if (/Deserialization error|XML parse error|Unexpected token .* in JSON/i.test(message)) {
    return (
      `the endpoint answered with something that is not the AWS service's response: check ` +
      `${endpointText ?? 'a proxy between this machine and AWS'}` +
      (endpointText
        ? ' serves this service (an endpoint for EC2 only needs ' +
          'the AWS_ENDPOINT_URL_EC2 variable, not AWS_ENDPOINT_URL)'
        : '')
    );
  }
  if (
    /Could not load credentials|CredentialsProviderError|Unable to locate credentials|no AWS credentials/i.test(message)
  ) {
    const profile = ctx.profile ?? ctx.env.AWS_PROFILE;
    if (profile && !profileExists(profile, ctx)) {
      const from = ctx.profile ? '--profile' : 'AWS_PROFILE';
      return (
        `the profile "${profile}" (${from}) is in neither ${configFile(ctx)} nor ${credentialsFile(ctx)}: check ` +
        `its name (aws configure list-profiles)`
      );
    }
    return (
      'no credentials were found: ' +
      (profile
        ? `check the profile "${profile}" has credentials (aws sso login --profile ${profile} for an SSO profile), `
        : 'name a profile with --profile or AWS_PROFILE, ') +
      'or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY'
    );
  }
  if (/ExpiredToken|token (?:has|is) expired/i.test(message))
    return 'the credentials have expired: refresh them (aws sso login, or new session keys)';
  if (
    /UnrecognizedClient|InvalidClientTokenId|AuthFailure|security token included in the request is invalid/i.test(
      message,
    )
  ) {
    return (
      `the credentials are not valid here: check the access key and ${regionText} (an opt-in region must be ` +
      `enabled for the account)`
    );
  }
  return undefined;
};

const home = (ctx: HintContext): string => ctx.env.HOME ?? ctx.env.USERPROFILE ?? '~';
const configFile = (ctx: HintContext): string => ctx.env.AWS_CONFIG_FILE || path.join(home(ctx), '.aws', 'config');
const credentialsFile = (ctx: HintContext): string =>
  ctx.env.AWS_SHARED_CREDENTIALS_FILE || path.join(home(ctx), '.aws', 'credentials');

/**
 * True when a section names the profile: `[profile X]` (or `[X]`) in the config file, `[X]` in the credentials file.
 */
const profileExists = (profile: string, ctx: HintContext): boolean => {
  const sections = (file: string): string[] => {
    try {
      return [...ctx.readFile(file).matchAll(/^\s*\[([^\]]+)\]/gm)].map((m) => m[1].trim());
    } catch {
      return [];
    }
  };
  const inConfig = sections(configFile(ctx)).some((s) => s === `profile ${profile}` || s === profile);
  return inConfig || sections(credentialsFile(ctx)).includes(profile);
};
