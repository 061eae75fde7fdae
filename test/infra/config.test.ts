import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig } from '../../functions/contract/config';
import { ConfigError } from '../../functions/contract/errors';
import { PROJECT_ROOT, exampleConfig } from './synth';

const WHERE = 'cdk.json context "failover"';

/** Runs infra/app.ts as `cdk synth` would, with `context` as the app's whole context. */
const runApp = (context: Record<string, unknown>) => {
  const outdir = mkdtempSync(path.join(tmpdir(), 'route-failover-app-'));
  try {
    return spawnSync(
      process.execPath,
      [path.join(PROJECT_ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'infra/app.ts'],
      {
        cwd: PROJECT_ROOT,
        env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_OUTDIR: outdir },
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
};

describe('failover config validation at synth', () => {
  it('names each bad field: a malformed VPC ID and a preferred router that is not a member', () => {
    const raw = exampleConfig();
    raw.groups[0].vpcId = 'vpc-123';
    raw.groups[0].preferred = 'router-z';
    let error: unknown;
    try {
      parseConfig(raw, WHERE);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toContain(`invalid ${WHERE}`);
    expect(message).toMatch(/groups\[0\]\.vpcId: a VPC ID .*such as vpc-/);
    expect(message).toMatch(/groups\[0\]\.preferred: "router-z" is not a member of group "onprem-edge"/);
  });

  it('makes the app exit non-zero with the field names and no stack trace', () => {
    const raw = exampleConfig();
    raw.groups[0].vpcId = 'vpc-123';
    const result = runApp({ failover: raw });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`invalid ${WHERE}`);
    expect(result.stderr).toContain('groups[0].vpcId');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 90_000);

  it('makes the app exit non-zero when the context has no failover key', () => {
    const result = runApp({});
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no failover config: the app uses only a config you give it, and found none.');
    expect(result.stderr).toContain('-c failoverFile=examples/failover.json');
  }, 90_000);
});
