import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import { readFailoverConfig, readStackName } from '../../infra/config-source';
import { PROJECT_ROOT, exampleConfig } from './synth';

/** A fresh directory per test, removed afterwards. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'route-failover-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `value` pretty-printed (what the CDK CLI cannot take in one -c failover=… argument) to dir/<name>. */
const writeConfig = (name: string, value: unknown): string => {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
  return file;
};

const context = (values: Record<string, unknown>) => (key: string) => values[key];

const errorOf = (fn: () => unknown): Error => {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
};

describe('config as a file (-c failoverFile=<path>)', () => {
  it('reads a pretty-printed file, a relative path resolved from the working directory given', () => {
    writeConfig('conf/failover.json', exampleConfig());
    const config = readFailoverConfig(context({ failoverFile: 'conf/failover.json' }), dir);
    expect(config).toEqual(parseConfig(exampleConfig()));
    // An absolute path does not depend on the working directory.
    expect(readFailoverConfig(context({ failoverFile: path.join(dir, 'conf/failover.json') }), '/')).toEqual(config);
  });

  it('wins over the failover context', () => {
    const fromFile = exampleConfig();
    fromFile.groups[0].name = 'from-file';
    writeConfig('failover.json', fromFile);
    const config = readFailoverConfig(context({ failoverFile: 'failover.json', failover: exampleConfig() }), dir);
    expect(config.groups.map((g) => g.name)).toEqual(['from-file']);
  });

  it('names the file (absolute path) and each bad field', () => {
    const raw = exampleConfig();
    raw.groups[0].vpcId = 'vpc-123';
    raw.groups[0].members[1].instanceId = 'router';
    const file = writeConfig('failover.json', raw);
    const error = errorOf(() => readFailoverConfig(context({ failoverFile: 'failover.json' }), dir));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`invalid failover config file ${file} (-c failoverFile=failover.json)`);
    expect(error.message).toMatch(/groups\[0\]\.vpcId: a VPC ID/);
    expect(error.message).toMatch(/groups\[0\]\.members\[1\]\.instanceId: an EC2 instance ID/);
  });

  it('names the file when it is missing, is a directory, or is not JSON', () => {
    const missing = errorOf(() => readFailoverConfig(context({ failoverFile: 'nope.json' }), dir));
    expect(missing).toBeInstanceOf(ConfigError);
    expect(missing.message).toContain(`cannot read failover config file ${path.join(dir, 'nope.json')}`);
    expect(missing.message).toContain('no such file');
    expect(missing.message).toContain('resolved from the directory cdk runs in');

    mkdirSync(path.join(dir, 'conf'));
    expect(errorOf(() => readFailoverConfig(context({ failoverFile: 'conf' }), dir)).message).toContain(
      'it is a directory',
    );

    writeFileSync(path.join(dir, 'bad.json'), '{ "groups": [ }');
    const bad = errorOf(() => readFailoverConfig(context({ failoverFile: 'bad.json' }), dir));
    expect(bad).toBeInstanceOf(ConfigError);
    expect(bad.message).toContain(
      `failover config file ${path.join(dir, 'bad.json')} (-c failoverFile=bad.json) is not valid JSON`,
    );
  });

  it('refuses an empty or non-string failoverFile, and a context with neither key', () => {
    for (const value of ['', '  ', 42, true]) {
      expect(errorOf(() => readFailoverConfig(context({ failoverFile: value }), dir)).message).toMatch(
        /"failoverFile" must be a file path/,
      );
    }
    const none = errorOf(() => readFailoverConfig(context({}), dir, dir));
    expect(none).toBeInstanceOf(ConfigError);
    expect(none.message).toMatch(/^no failover config: the app uses only a config you give it, and found none\./);
    expect(none.message).toContain(
      `a file ${path.join(dir, 'failover.json')} (the app reads it when nothing else is named)`,
    );
    expect(none.message).toContain('npx cdk synth -c failoverFile=path/to/failover.json');
    expect(none.message).toContain('npx route-failover init');
    expect(none.message).toContain('-c failoverFile=examples/failover.json');
  });

  it('reads failover.json beside cdk.json when neither failoverFile nor failover is given', () => {
    const mine = exampleConfig();
    mine.groups[0].name = 'dx-edge';
    writeConfig('failover.json', mine);
    expect(readFailoverConfig(context({}), '/', dir).groups.map((g) => g.name)).toEqual(['dx-edge']);
    // A named source wins over it.
    expect(readFailoverConfig(context({ failover: exampleConfig() }), '/', dir).groups.map((g) => g.name)).toEqual([
      'onprem-edge',
    ]);
    mine.groups[0].vpcId = 'vpc-1';
    writeConfig('failover.json', mine);
    expect(errorOf(() => readFailoverConfig(context({}), '/', dir)).message).toContain(
      `invalid failover config file ${path.join(dir, 'failover.json')} (found beside cdk.json)`,
    );
  });

  it('the repository names no config of its own in cdk.json, only its example as the last resort', () => {
    const { context: ctx } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'));
    expect(ctx.failover).toBeUndefined();
    expect(ctx.failoverFile).toBeUndefined();
    expect(ctx.exampleFailoverFile).toBe('examples/failover.json');
    expect(readFileSync(path.join(PROJECT_ROOT, '.ci', 'run'), 'utf8')).toContain(
      'npx cdk synth --quiet -c failoverFile=examples/failover.json',
    );
  });

  it('the named example is used only when no config of the operator is found, and never without saying so', () => {
    const notices: string[] = [];
    const write = jest
      .spyOn(process.stderr, 'write')
      .mockImplementation((text: string | Uint8Array) => notices.push(String(text)) > 0);
    try {
      writeConfig('examples/failover.json', exampleConfig());
      const ctx = context({ exampleFailoverFile: 'examples/failover.json' });
      expect(readFailoverConfig(ctx, '/', dir).groups.map((g) => g.name)).toEqual(['onprem-edge']);
      expect(notices.join('')).toMatch(
        new RegExp(
          `^NOTE: no failover config of yours was found .* this synthesizes the EXAMPLE routers of ` +
            String.raw`examples\/failover\.json`,
        ),
      );
      // The operator's own file beside cdk.json wins, silently.
      notices.length = 0;
      const mine = exampleConfig();
      mine.groups[0].name = 'dx-edge';
      writeConfig('failover.json', mine);
      expect(readFailoverConfig(ctx, '/', dir).groups.map((g) => g.name)).toEqual(['dx-edge']);
      expect(notices).toEqual([]);
    } finally {
      write.mockRestore();
    }
  });

  it('still takes the one-line JSON string of -c failover=…', () => {
    const config = readFailoverConfig(context({ failover: JSON.stringify(exampleConfig()) }), dir);
    expect(config).toEqual(parseConfig(exampleConfig()));
  });
});

describe('stack name (-c stackName=…)', () => {
  it('defaults to VpcRouteFailover and takes a valid CloudFormation name', () => {
    expect(readStackName(context({}))).toBe('VpcRouteFailover');
    expect(readStackName(context({ stackName: 'VpcRouteFailover-prod' }))).toBe('VpcRouteFailover-prod');
    expect(readStackName(context({ stackName: `A${'b'.repeat(70)}` }))).toHaveLength(71);
  });

  it.each(['', '1abc', 'a_b', 'a.b', `A${'b'.repeat(71)}`, 42])('refuses %p with a ConfigError', (name) => {
    const error = errorOf(() => readStackName(context({ stackName: name })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain('context "stackName" must be a CloudFormation stack name');
  });
});

describe('infra/app.ts with -c failoverFile', () => {
  /**
   * Runs the app as `cdk synth` would, from `cwd`, with `context` as its whole context (feature flags from cdk.json).
   */
  const runApp = (cwd: string, extra: Record<string, unknown>) => {
    const { failover: _example, ...flags } = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'cdk.json'), 'utf8'),
    ).context;
    const outdir = path.join(dir, 'cdk.out');
    const result = spawnSync(
      process.execPath,
      [path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(PROJECT_ROOT, 'infra', 'app.ts')],
      {
        cwd,
        env: {
          ...process.env,
          CDK_CONTEXT_JSON: JSON.stringify({ ...flags, 'aws:cdk:bundling-stacks': [], ...extra }),
          CDK_OUTDIR: outdir,
        },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    return { ...result, outdir };
  };

  it('synthesizes the groups of the file, resolved from the directory it runs in', () => {
    const fromFile = exampleConfig();
    fromFile.groups[0].name = 'from-file';
    writeConfig('failover.json', fromFile);
    const result = runApp(dir, { failoverFile: 'failover.json', stackName: 'VpcRouteFailover-file' });
    expect(result.stderr).not.toMatch(/Error/);
    expect(result.status).toBe(0);
    const template = readFileSync(path.join(result.outdir, 'VpcRouteFailover-file.template.json'), 'utf8');
    expect(template).toContain('VpcRouteFailover-file-from-file-instance-state');
  }, 90_000);

  it('exits non-zero naming the file and the field, with no stack trace', () => {
    const raw = exampleConfig();
    raw.groups[0].vpcId = 'vpc-123';
    const file = writeConfig('failover.json', raw);
    const result = runApp(dir, { failoverFile: 'failover.json' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`invalid failover config file ${file}`);
    expect(result.stderr).toContain('groups[0].vpcId');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 90_000);
});
