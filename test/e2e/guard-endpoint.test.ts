/**
 * `npm run -s local -- --config F --guard [--converge]` against an EC2-compatible endpoint it has never seen: a
 * SimulatedVpc served by sim/query-endpoint.ts, the runner spawned as a user would, configured only by the
 * standard environment. The estate is as a failover to router-b left it, then someone reverts routes.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ReplaceRouteCommand } from '@aws-sdk/client-ec2';
import { startQueryEndpoint } from '../../sim/query-endpoint';
import { buildRouterPair } from '../../cli/local/scenario';
import { destinationParams } from '../../functions/shared/routes';
import { SimulatedVpc } from '../../sim';
import { runLocal, RUN_TEST_TIMEOUT_MS, type RunOutput } from './run-local';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const failedOver = async () => {
  const sim = new SimulatedVpc();
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
  // As a failover to router-b leaves it: every route of router-a on router-b's paired interface, router-a stopped.
  for (const m of scenario.expectedMoves) {
    await sim.ec2().send(new ReplaceRouteCommand({ RouteTableId: m.routeTableId, ...destinationParams(m.destination), NetworkInterfaceId: m.toEni }));
  }
  sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
  const topicArn = sim.createTopic('route-failover');
  const dir = mkdtempSync(path.join(tmpdir(), 'route-failover-guard-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'failover.json');
  writeFileSync(configFile, JSON.stringify(scenario.config, null, 2));
  const endpoint = await startQueryEndpoint(sim);
  cleanups.push(() => endpoint.close());
  const guard = (...extra: string[]) => runLocal(['--config', configFile, '--guard', '--topic-arn', topicArn, ...extra], { AWS_ENDPOINT_URL: endpoint.url });
  return { sim, scenario, guard };
};

const documentOf = (run: RunOutput): Record<string, any> => {
  try {
    return JSON.parse(run.stdout) as Record<string, any>;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
};

describe('the local runner runs a guard pass against an EC2-compatible endpoint', () => {
  it(
    'a clean estate reports nothing, run after run (exit 0, no notification)',
    async () => {
      const { sim, guard } = await failedOver();
      for (let i = 0; i < 2; i++) {
        const run = await guard();
        expect({ code: run.code, findings: documentOf(run).report.findings }).toEqual({ code: 0, findings: 0 });
        expect(documentOf(run).report.groups[0]).toMatchObject({ active: { member: 'router-b', from: 'routes' }, change: 'none' });
      }
      expect(sim.published).toEqual([]);
    },
    RUN_TEST_TIMEOUT_MS * 2,
  );

  it(
    'routes reverted to the dead router are reported (exit 1), and --converge moves them back through the workflow, with an audit record',
    async () => {
      const { sim, scenario, guard } = await failedOver();
      const reverted = scenario.expectedMoves.filter((m) => m.destination.kind === 'ipv4').slice(0, 2);
      for (const m of reverted) {
        await sim.ec2().send(new ReplaceRouteCommand({ RouteTableId: m.routeTableId, ...destinationParams(m.destination), NetworkInterfaceId: m.fromEni }));
      }

      const reported = await guard();
      const report = documentOf(reported).report;
      expect({ code: reported.code, findings: report.findings }).toEqual({ code: 1, findings: 2 });
      expect(report.groups[0].findings.map((f: any) => [f.routeTableId, f.destination, f.target]).sort()).toEqual(
        reverted.map((m) => [m.routeTableId, m.destination.value, m.fromEni]).sort(),
      );
      expect(sim.published.map((p) => p.Subject)).toEqual(['ROUTE GUARD OPENED: onprem-edge: 2 finding(s) opened']);

      const converged = await guard('--converge');
      const doc = documentOf(converged);
      expect(doc.report.groups[0].convergence).toMatchObject({ status: 'started', executionStatus: 'SUCCEEDED' });
      expect(doc.executions[0].auditRecord).toMatchObject({ outcome: 'succeeded', to: { name: 'router-b' }, counts: { replaced: 2 } });
      expect({ code: converged.code, after: doc.after.findings }).toEqual({ code: 0, after: 0 });
      for (const m of reverted) expect(sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.toEni);
    },
    RUN_TEST_TIMEOUT_MS * 2,
  );
});
