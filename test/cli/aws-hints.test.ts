import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { awsErrorHint, type HintContext } from '../../cli/route-failover/aws-hints';
import { cliHarness, configJson } from './helpers';

const noFiles = (): string => {
  throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
};
const ctx = (over: Partial<HintContext> = {}): HintContext => ({ env: {}, readFile: noFiles, ...over });

/** An error as the SDK's credential chain throws it (its message is the same whatever the cause). */
const noCredentials = () =>
  Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });

describe('network and credential errors say what to check', () => {
  it('a host that does not resolve: the region and the endpoint', () => {
    const hint = awsErrorHint('Error: getaddrinfo ENOTFOUND ec2.eu-wset-1.amazonaws.com', ctx({ region: 'eu-wset-1' }));
    expect(hint).toBe(
      'the host ec2.eu-wset-1.amazonaws.com does not resolve: check ' +
        'the region ("eu-wset-1" is it a region name such as eu-west-1?), ' +
        'and DNS or a proxy on this machine',
    );
    expect(
      awsErrorHint('getaddrinfo ENOTFOUND sim.local', ctx({ env: { AWS_ENDPOINT_URL_EC2: 'http://sim.local:4566' } })),
    ).toContain('the endpoint (AWS_ENDPOINT_URL_EC2=http://sim.local:4566)');
  });

  it('an endpoint that refuses, or answers something that is not the service', () => {
    const env = { AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' };
    expect(awsErrorHint('connect ECONNREFUSED 127.0.0.1:4566', ctx({ env }))).toBe(
      'the endpoint did not answer: check the endpoint ' +
        '(AWS_ENDPOINT_URL=http://127.0.0.1:4566) is running and reachable',
    );
    const xml = awsErrorHint(
      'Error: @aws-sdk XML parse error: unexpected content. Deserialization error: to see the raw response …',
      ctx({ env }),
    );
    expect(xml).toContain(
      "the endpoint answered with something that is not the AWS service's response: check the endpoint " +
        '(AWS_ENDPOINT_URL=http://127.0.0.1:4566) serves this service',
    );
  });

  it('a named profile that does not exist: says so, naming the files, instead of "no credentials"', () => {
    const files: Record<string, string> = {
      '/home/ops/.aws/config': '[default]\nregion = eu-west-1\n[profile netops]\nregion = eu-west-1\n',
    };
    const readFile = (p: string) => (p in files ? files[p] : noFiles());
    const env = { HOME: '/home/ops' };
    expect(awsErrorHint(noCredentials().message, ctx({ env, readFile, profile: 'net-ops' }))).toBe(
      'the profile "net-ops" (--profile) is in neither /home/ops/.aws/config nor /home/ops/.aws/credentials: check ' +
        'its name (aws configure list-profiles)',
    );
    // A profile that exists but has no credentials: how to give it some.
    expect(awsErrorHint(noCredentials().message, ctx({ env, readFile, profile: 'netops' }))).toContain(
      'check the profile "netops" has credentials (aws sso login --profile netops',
    );
    // AWS_PROFILE and AWS_CONFIG_FILE count too.
    expect(
      awsErrorHint(
        noCredentials().message,
        ctx({ env: { AWS_PROFILE: 'x', AWS_CONFIG_FILE: '/etc/aws.conf' }, readFile }),
      ),
    ).toMatch(/^the profile "x" \(AWS_PROFILE\) is in neither \/etc\/aws\.conf/);
    expect(awsErrorHint(noCredentials().message, ctx())).toBe(
      'no credentials were found: name a profile with --profile or ' +
        'AWS_PROFILE, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY',
    );
  });

  it('leaves the errors of the product alone', () => {
    expect(awsErrorHint('unknown group "dx-edge" (configured: onprem-edge)', ctx())).toBeUndefined();
  });

  it('the CLI prints the advice on the same line as the error', async () => {
    const h = cliHarness({ files: { 'f.json': configJson() }, env: { AWS_REGION: 'eu-wset-1' } });
    h.mocks.cfn
      .on(DescribeStacksCommand)
      .rejects(
        Object.assign(new Error('getaddrinfo ENOTFOUND cloudformation.eu-wset-1.amazonaws.com'), { name: 'Error' }),
      );
    const r = await h.run(['history', '--config', 'f.json']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^route-failover: cannot read the outputs of stack "VpcRouteFailover": .*ENOTFOUND .* — ` +
          String.raw`the host cloudformation\.eu-wset-1\.amazonaws\.com does not resolve: check the region ` +
          String.raw`\("eu-wset-1"`,
      ),
    );
  });

  it('the CLI names a profile that does not exist', async () => {
    const h = cliHarness({
      files: { 'f.json': configJson(), '/home/ops/.aws/config': '[profile netops]\n' },
      env: { HOME: '/home/ops' },
    });
    h.mocks.cfn.on(DescribeStacksCommand).rejects(noCredentials());
    const r = await h.run(['history', '--config', 'f.json', '--profile', 'net-ops', '--region', 'eu-west-1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '— the profile "net-ops" (--profile) is in neither /home/ops/.aws/config nor /home/ops/.aws/credentials',
    );
  });
});
