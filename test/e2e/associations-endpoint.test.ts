/**
 * The associations mode as an operator runs it against an EC2-compatible endpoint it has never seen (real SDK
 * clients, real HTTP, sim/query-endpoint.ts): `route-failover prepare` builds the twins, then the local runner
 * fails over by moving associations. Both are spawned as a user would, configured only by the environment.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildAssociationPair } from '../../cli/local/scenario';
import { startQueryEndpoint } from '../../sim/query-endpoint';
import { SimulatedVpc } from '../../sim';
import { ROOT, runLocal, RUN_TEST_TIMEOUT_MS, type RunOutput } from './run-local';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** `route-failover …` (cli/bin/route-failover.js) with only the standard AWS environment. */
const routeFailover = (args: string[], env: Record<string, string>): Promise<RunOutput> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_')));
    const child = spawn(process.execPath, [path.join(ROOT, 'cli', 'bin', 'route-failover.js'), ...args], {
      cwd: ROOT,
      env: {
        ...clean,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_EC2_METADATA_DISABLED: 'true',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), 40_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, durationMs: Date.now() - started });
    });
  });

const json = (run: RunOutput): any => {
  try {
    return JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
};

describe('associations mode against an EC2-compatible endpoint (route-failover prepare, then npm run local)', () => {
  it(
    'prepare creates the twins (a dry run first changes nothing), then a failover moves every association and no route',
    async () => {
      // CreateRoute's bucket widened: the twins' routes are set-up; the switch keeps EC2's documented buckets.
      const sim = new SimulatedVpc({
        throttling: { buckets: { CreateRoute: { burst: 1000, refillPerSecond: 1000 } } },
      });
      const estate = buildAssociationPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
      const endpoint = await startQueryEndpoint(sim);
      cleanups.push(() => endpoint.close());
      const dir = mkdtempSync(path.join(tmpdir(), 'route-failover-assoc-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const configFile = path.join(dir, 'failover.json');
      writeFileSync(configFile, JSON.stringify(estate.config, null, 2));
      const env = { AWS_ENDPOINT_URL: endpoint.url };
      const tablesBefore = sim.routeTables().length;

      const dry = await routeFailover(
        ['prepare', '--group', 'onprem-edge', '--config', configFile, '--dry-run', '--output', 'json'],
        env,
      );
      expect({ code: dry.code, stderr: dry.stderr.includes('Error') ? dry.stderr : '' }).toEqual({
        code: 0,
        stderr: '',
      });
      expect(json(dry)).toMatchObject({ dryRun: true, ok: true });
      expect(sim.routeTables()).toHaveLength(tablesBefore);

      const made = await routeFailover(
        ['prepare', '--group', 'onprem-edge', '--config', configFile, '--output', 'json'],
        env,
      );
      expect(made.code).toBe(0);
      expect(json(made)).toMatchObject({ dryRun: false, ok: true });
      // One twin for router-b per table with routes to router-a (3 subnet tables, the gateway table, main); one for
      // router-a per table that also routes to router-b (the 3 subnet tables).
      expect(sim.routeTables().length - tablesBefore).toBe(8);
      const again = await routeFailover(
        ['prepare', '--group', 'onprem-edge', '--config', configFile, '--output', 'json'],
        env,
      );
      expect(json(again)).toMatchObject({ ok: true, writes: 0 });

      sim.setInstanceState(estate.routerA.instanceId, 'stopping');
      const eventFile = path.join(dir, 'event.json');
      const id = estate.routerA.instanceId;
      writeFileSync(
        eventFile,
        JSON.stringify({
          version: '0',
          id: 'assoc-e2e-1',
          'detail-type': 'EC2 Instance State-change Notification',
          source: 'aws.ec2',
          account: sim.accountId,
          time: new Date().toISOString(),
          region: sim.region,
          resources: [`arn:aws:ec2:${sim.region}:${sim.accountId}:instance/${id}`],
          detail: { 'instance-id': id, state: 'stopping' },
        }),
      );
      const writesBefore = sim.mutatingCalls().length;
      const run = await runLocal(
        ['--config', configFile, '--input', eventFile, '--topic-arn', sim.createTopic('route-failover')],
        env,
      );
      const audit = json(run);
      expect({ code: run.code, outcome: audit.outcome }).toEqual({ code: 0, outcome: 'succeeded' });
      expect(audit.associations).toMatchObject({ planned: 5, moved: 5, failed: 0, fallbacks: [] });
      expect(audit.verification).toMatchObject({ ok: true, mismatches: 0 });
      const writes = sim
        .mutatingCalls()
        .slice(writesBefore)
        .map((c) => c.action);
      expect(writes).toEqual(Array(5).fill('ReplaceRouteTableAssociation'));
      for (const s of estate.subnets) {
        const routes = sim.effectiveRoutes(s.subnetId);
        expect(
          routes.some(
            (r) => r.NetworkInterfaceId === estate.routerA.eni0 || r.NetworkInterfaceId === estate.routerA.eni1,
          ),
        ).toBe(false);
        expect(routes.some((r) => r.NetworkInterfaceId === estate.routerB.eni0)).toBe(true);
      }
    },
    RUN_TEST_TIMEOUT_MS * 2,
  );
});
