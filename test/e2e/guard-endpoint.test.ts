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
import { destinationParams } from '../../functions/domain/routes';
import { SimulatedVpc } from '../../sim';
import type { AddressInfo } from 'node:net';
import { runLocal, RUN_TEST_TIMEOUT_MS, type RunOutput } from './run-local';

// dynalite ships no types; it is a DynamoDB-compatible server over HTTP (as in state-table.test.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: { createTableMs?: number }) => import('node:http').Server;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const failedOver = async () => {
  const sim = new SimulatedVpc();
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
  // As a failover to router-b leaves it: every route of router-a on router-b's paired interface, router-a stopped.
  for (const m of scenario.expectedMoves) {
    await sim.ec2().send(
      new ReplaceRouteCommand({
        RouteTableId: m.routeTableId,
        ...destinationParams(m.destination),
        NetworkInterfaceId: m.toEni,
      }),
    );
  }
  sim.setInstanceState(scenario.routerA.instanceId, 'stopped');
  const topicArn = sim.createTopic('route-failover');
  const dir = mkdtempSync(path.join(tmpdir(), 'route-failover-guard-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'failover.json');
  writeFileSync(configFile, JSON.stringify(scenario.config, null, 2));
  const endpoint = await startQueryEndpoint(sim);
  cleanups.push(() => endpoint.close());
  const guard = (...extra: string[]) =>
    runLocal(['--config', configFile, '--guard', '--topic-arn', topicArn, ...extra], {
      AWS_ENDPOINT_URL: endpoint.url,
    });
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
        expect(documentOf(run).report.groups[0]).toMatchObject({
          active: { member: 'router-b', from: 'routes' },
          change: 'none',
        });
      }
      expect(sim.published).toEqual([]);
    },
    RUN_TEST_TIMEOUT_MS * 2,
  );

  it(
    `routes reverted to the dead router are reported (exit 1), and \
--converge moves them back through the workflow, with an audit record`,
    async () => {
      const { sim, scenario, guard } = await failedOver();
      const reverted = scenario.expectedMoves.filter((m) => m.destination.kind === 'ipv4').slice(0, 2);
      for (const m of reverted) {
        await sim.ec2().send(
          new ReplaceRouteCommand({
            RouteTableId: m.routeTableId,
            ...destinationParams(m.destination),
            NetworkInterfaceId: m.fromEni,
          }),
        );
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
      expect(doc.executions[0].auditRecord).toMatchObject({
        outcome: 'succeeded',
        to: { name: 'router-b' },
        counts: { replaced: 2 },
      });
      expect({ code: converged.code, after: doc.after.findings }).toEqual({ code: 0, after: 0 });
      for (const m of reverted)
        expect(sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.toEni);
    },
    RUN_TEST_TIMEOUT_MS * 2,
  );
});

describe('the guard through the local runner, with the group state kept at a DynamoDB endpoint (--state-table)', () => {
  it(
    `after a real failover: clean run after run, a revert reported and notified once, a new table reported, a tagged \
table left alone (and no convergence that would rewrite it), --converge fixes the routes with an audit record`,
    async () => {
      const sim = new SimulatedVpc();
      const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
      const topicArn = sim.createTopic('route-failover');
      const ec2 = await startQueryEndpoint(sim);
      cleanups.push(() => ec2.close());
      const server = dynalite({ createTableMs: 0 });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const dir = mkdtempSync(path.join(tmpdir(), 'route-failover-guard-state-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const configFile = path.join(dir, 'failover.json');
      const requestFile = path.join(dir, 'switchover.json');
      writeFileSync(configFile, JSON.stringify(scenario.config));
      writeFileSync(
        requestFile,
        JSON.stringify({
          action: 'switchover',
          group: 'onprem-edge',
          to: 'router-b',
          reason: 'maintenance of router-a',
          requestedBy: 'netops',
        }),
      );
      const env = {
        AWS_ENDPOINT_URL: ec2.url,
        AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      };
      const common = ['--config', configFile, '--topic-arn', topicArn, '--state-table', 'route-failover-state'];
      const guard = async (...extra: string[]) => {
        const run = await runLocal([...common, '--guard', ...extra], env);
        return { code: run.code, doc: documentOf(run) };
      };
      const guardNotices = () =>
        sim.published.filter((p) => /^ROUTE GUARD/.test(p.Subject ?? '')).map((p) => p.Subject);

      // The failover the guard then keeps right: a real execution of the workflow, recorded in the table.
      const switched = await runLocal([...common, '--input', requestFile], env);
      expect({ code: switched.code, outcome: documentOf(switched).outcome }).toEqual({ code: 0, outcome: 'succeeded' });
      sim.setInstanceState(scenario.routerA.instanceId, 'stopped');

      for (let i = 0; i < 2; i++) {
        const clean = await guard();
        expect({
          code: clean.code,
          findings: clean.doc.report.findings,
          change: clean.doc.report.groups[0].change,
        }).toEqual({ code: 0, findings: 0, change: 'none' });
        expect(clean.doc.report.groups[0].active).toEqual({ member: 'router-b', from: 'last-switch' });
      }
      expect(guardNotices()).toEqual([]);

      // Infrastructure as code puts two routes back on the dead router; one more in a table tagged to be left alone.
      const [first, second] = scenario.expectedMoves.filter(
        (m) => m.destination.kind === 'ipv4' && m.routeTableId !== scenario.routeTableIds[2],
      );
      const ignored = scenario.expectedMoves.find(
        (m) => m.destination.kind === 'ipv4' && m.routeTableId === scenario.routeTableIds[2],
      )!;
      sim.tagRouteTable(ignored.routeTableId, { 'route-failover:guard': 'ignore' });
      for (const m of [first, second, ignored]) {
        await sim.ec2().send(
          new ReplaceRouteCommand({
            RouteTableId: m.routeTableId,
            ...destinationParams(m.destination),
            NetworkInterfaceId: m.fromEni,
          }),
        );
      }
      const reverted = await guard();
      expect({ code: reverted.code, findings: reverted.doc.report.findings }).toEqual({ code: 1, findings: 2 });
      expect(
        reverted.doc.report.groups[0].findings
          .map((f: any) => [f.kind, f.routeTableId, f.destination, f.target])
          .sort(),
      ).toEqual([first, second].map((m) => ['departed', m.routeTableId, m.destination.value, m.fromEni]).sort());
      expect(reverted.doc.report.groups[0].ignored).toEqual({ count: 1, tables: [ignored.routeTableId], wouldMove: 1 });
      expect((await guard()).code).toBe(1);
      expect(guardNotices()).toEqual(['ROUTE GUARD OPENED: onprem-edge: 2 finding(s) opened']);

      // A new table, routed to the standby the routes now use: the last switch never planned it.
      const fresh = sim.addRouteTable({ vpcId: scenario.vpcId, tags: { Name: 'added-by-terraform' } });
      sim.addRoute(fresh, { DestinationCidrBlock: '10.77.0.0/16', NetworkInterfaceId: scenario.routerB.eni1 });
      const added = await guard();
      expect(added.doc.report.groups[0].counts).toMatchObject({ departed: 2, 'new-table': 1 });

      // The switchover that would fix the two routes would rewrite the tagged table too: not started.
      const refused = await guard('--converge');
      expect(refused.doc.report.groups[0].convergence).toMatchObject({ status: 'ignored-table-would-move' });
      expect(refused.doc.executions).toEqual([]);
      expect(sim.route(ignored.routeTableId, ignored.destination.value)?.NetworkInterfaceId).toBe(ignored.fromEni);

      // Its owner puts the tagged table's route where it belongs by hand; now the switchover may run.
      await sim.ec2().send(
        new ReplaceRouteCommand({
          RouteTableId: ignored.routeTableId,
          ...destinationParams(ignored.destination),
          NetworkInterfaceId: ignored.toEni,
        }),
      );
      const converged = await guard('--converge');
      expect(converged.doc.executions[0].auditRecord).toMatchObject({
        outcome: 'succeeded',
        to: { name: 'router-b' },
        counts: { replaced: 2 },
      });
      for (const m of [first, second])
        expect(sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.toEni);
      // The new table now belongs to the last switch (the convergence): nothing stands.
      expect({ code: converged.code, after: converged.doc.after.findings }).toEqual({ code: 0, after: 0 });
    },
    RUN_TEST_TIMEOUT_MS * 4,
  );
});
