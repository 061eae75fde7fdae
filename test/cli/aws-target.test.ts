import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createAwsClients, resolveAwsTarget } from '../../cli/route-failover/aws-target';
import { cliHarness, configJson, routerInstances, routeTables, IDS, SM_ARN } from './helpers';
import { DescribeInstancesCommand, DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { ListExecutionsCommand } from '@aws-sdk/client-sfn';

/** AWS CLI habits: profile and region as the AWS CLI resolves them, --output, --version, and the headers. */

describe('profile and region', () => {
  it(`region: --region, else AWS_REGION, else AWS_DEFAULT_REGION, \
else the ARN, else the profile (left to the SDK)`, () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-2' };
    expect(resolveAwsTarget({ region: 'us-west-2' }, env, 'ap-south-1')).toMatchObject({
      region: 'us-west-2',
      regionSource: '--region',
    });
    expect(resolveAwsTarget({}, env, 'ap-south-1')).toMatchObject({ region: 'eu-west-1', regionSource: 'AWS_REGION' });
    expect(resolveAwsTarget({}, { AWS_DEFAULT_REGION: 'eu-west-2' }, 'ap-south-1')).toMatchObject({
      region: 'eu-west-2',
      regionSource: 'AWS_DEFAULT_REGION',
    });
    expect(resolveAwsTarget({}, { AWS_REGION: '' }, 'ap-south-1')).toMatchObject({
      region: 'ap-south-1',
      regionSource: 'the ARN',
    });
    expect(resolveAwsTarget({}, {})).toEqual({ region: undefined, regionSource: undefined, profile: undefined });
  });

  it('profile: --profile, else AWS_PROFILE', () => {
    expect(resolveAwsTarget({ profile: 'ops' }, { AWS_PROFILE: 'dev' }).profile).toBe('ops');
    expect(resolveAwsTarget({}, { AWS_PROFILE: 'dev' }).profile).toBe('dev');
  });

  it('the CLI passes them to the clients it builds', async () => {
    const h = cliHarness({
      files: { 'f.json': configJson() },
      env: { AWS_DEFAULT_REGION: 'eu-north-1', AWS_PROFILE: 'dev' },
    });
    h.mocks.ec2
      .on(DescribeInstancesCommand)
      .resolves(routerInstances())
      .on(DescribeRouteTablesCommand)
      .resolves(routeTables(IDS.eniA0, IDS.eniA1));
    await h.run(['status', '--config', 'f.json', '--group', 'onprem-edge']);
    await h.run([
      'status',
      '--config',
      'f.json',
      '--group',
      'onprem-edge',
      '--profile',
      'ops',
      '--region',
      'us-west-2',
    ]);
    expect(h.targets).toEqual([
      { region: 'eu-north-1', regionSource: 'AWS_DEFAULT_REGION', profile: 'dev' },
      { region: 'us-west-2', regionSource: '--region', profile: 'ops' },
    ]);
  });

  describe('real SDK clients and the shared config files', () => {
    const KEYS = [
      'AWS_CONFIG_FILE',
      'AWS_SHARED_CREDENTIALS_FILE',
      'AWS_REGION',
      'AWS_DEFAULT_REGION',
      'AWS_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
    ];
    const saved: Record<string, string | undefined> = {};
    beforeEach(() => {
      for (const k of KEYS) {
        saved[k] = process.env[k];
        delete process.env[k];
      }
      const dir = mkdtempSync(path.join(tmpdir(), 'aws-config-'));
      writeFileSync(path.join(dir, 'config'), '[default]\n\n[profile ops]\nregion = eu-central-1\n');
      writeFileSync(
        path.join(dir, 'credentials'),
        '[ops]\naws_access_key_id = AKIDOPSEXAMPLE\naws_secret_access_key = secret\n',
      );
      process.env.AWS_CONFIG_FILE = path.join(dir, 'config');
      process.env.AWS_SHARED_CREDENTIALS_FILE = path.join(dir, 'credentials');
    });
    afterEach(() => {
      for (const k of KEYS) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    });

    it("--profile: the region and the credentials come from that profile's sections", async () => {
      const { sfn } = createAwsClients(resolveAwsTarget({ profile: 'ops' }, {}));
      expect(await sfn.config.region()).toBe('eu-central-1');
      expect((await sfn.config.credentials()).accessKeyId).toBe('AKIDOPSEXAMPLE');
    });

    it('AWS_DEFAULT_REGION: the SDK ignores it, the CLI honours it', async () => {
      process.env.AWS_DEFAULT_REGION = 'ap-southeast-1';
      await expect(new SFNClient({}).config.region()).rejects.toThrow(/Region is missing/);
      const { sfn } = createAwsClients(resolveAwsTarget({}, process.env));
      expect(await sfn.config.region()).toBe('ap-southeast-1');
    });
  });
});

describe('--output, --version, usage', () => {
  it('--version prints the package version; --output json makes it JSON', async () => {
    const version = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).version;
    const h = cliHarness();
    expect(await h.run(['--version'])).toEqual({ code: 0, stdout: `route-failover ${version}`, stderr: '' });
    expect(JSON.parse((await h.run(['--version', '--output', 'json'])).stdout)).toEqual({
      name: 'route-failover',
      version,
    });
  });

  it('--output json is --json; --output must be json or table', async () => {
    const h = cliHarness({ files: { 'f.json': configJson() }, env: { ROUTE_FAILOVER_STATE_MACHINE_ARN: SM_ARN } });
    h.mocks.ec2
      .on(DescribeInstancesCommand)
      .resolves(routerInstances())
      .on(DescribeRouteTablesCommand)
      .resolves(routeTables(IDS.eniA0, IDS.eniA1));
    h.mocks.sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    const json = await h.run(['status', '--config', 'f.json', '--group', 'onprem-edge', '--output', 'json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      ok: true,
      account: '111122223333',
      region: 'us-east-1',
      stack: null,
      stateMachineArn: SM_ARN,
    });
    const bad = await h.run(['status', '--config', 'f.json', '--output', 'yaml']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('route-failover: --output "yaml": json or table');
  });

  it('init --help and every other --help exit 0', async () => {
    const h = cliHarness();
    for (const argv of [['init', '--help'], ['switchover', '--help'], ['--help']]) {
      const r = await h.run(argv);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('--profile NAME');
    }
    expect((await h.run(['init', '--help'])).stdout).toMatch(
      /^Usage: route-failover init --vpc VPC --member NAME\[=INSTANCE\]/,
    );
  });
});

describe('status header', () => {
  const setup = (env: Record<string, string> = {}) => {
    const h = cliHarness({ files: { 'f.json': configJson() }, env });
    h.mocks.ec2
      .on(DescribeInstancesCommand)
      .resolves(routerInstances())
      .on(DescribeRouteTablesCommand)
      .resolves(routeTables(IDS.eniA0, IDS.eniA1));
    h.mocks.sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    return h;
  };

  it('names the account, the region and the stack the state machine comes from', async () => {
    const h = setup();
    h.mocks.cfn.rejects(
      Object.assign(new Error('Stack with id VpcRouteFailover does not exist'), { name: 'ValidationError' }),
    );
    const r = await h.run(['status', '--config', 'f.json', '--group', 'onprem-edge']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 3)).toEqual([
      'account 111122223333  region us-east-1  stack VpcRouteFailover',
      '',
      expect.stringMatching(/^GROUP onprem-edge /),
    ]);
  });

  it('without an identity the header says why, and status still answers from EC2', async () => {
    const h = setup({ ROUTE_FAILOVER_STATE_MACHINE_ARN: SM_ARN });
    h.mocks.sts
      .on(GetCallerIdentityCommand)
      .rejects(
        Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredToken' }),
      );
    const r = await h.run(['status', '--config', 'f.json', '--group', 'onprem-edge']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(
      'account unknown (ExpiredToken: The security token included in the request is expired)  region us-east-1  ' +
        'state machine vpc-route-failover',
    );
  });
});
