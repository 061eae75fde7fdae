/**
 * The local runner pointed at endpoints keeps the group state in a DynamoDB table there (`--state-table`), so
 * consecutive runs behave like consecutive executions of one deployed stack: the inventory one run wrote serves
 * the next. EC2 and SNS: a SimulatedVpc behind sim/query-endpoint.ts; DynamoDB: dynalite, in memory.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startQueryEndpoint } from '../../sim/query-endpoint';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { runLocal, RUN_TEST_TIMEOUT_MS } from './run-local';

// dynalite ships no types; it is a DynamoDB-compatible server over HTTP.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (opts: {
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}) => import('node:http').Server;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const startDynamo = async (): Promise<string> => {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

const files = (config: unknown, inputs: Record<string, unknown>) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'route-failover-state-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'failover.json'), JSON.stringify(config, null, 2));
  for (const [name, v] of Object.entries(inputs)) writeFileSync(path.join(dir, `${name}.json`), JSON.stringify(v));
  return (name: string) => path.join(dir, `${name}.json`);
};

describe('local runner with --state-table at a DynamoDB endpoint', () => {
  it(
    `a dry run stores the inventory; after the router is terminated \
(interfaces deleted) the next run moves its routes with it`,
    async () => {
      const sim = new SimulatedVpc();
      const scenario = buildRouterPair(sim, { routeTables: 2, groupName: 'onprem-edge' });
      const topicArn = sim.createTopic('route-failover');
      const ec2 = await startQueryEndpoint(sim);
      cleanups.push(() => ec2.close());
      const ddbUrl = await startDynamo();
      const file = files(scenario.config, {
        'dry-run': {
          action: 'switchover',
          group: 'onprem-edge',
          to: 'router-b',
          dryRun: true,
          reason: 'rehearsal',
          requestedBy: 'netops',
        },
        terminated: {
          version: '0',
          id: 'e7b1a2c3-0000-4000-8000-000000000001',
          'detail-type': 'EC2 Instance State-change Notification',
          source: 'aws.ec2',
          account: sim.accountId,
          time: new Date().toISOString(),
          region: sim.region,
          resources: [`arn:aws:ec2:${sim.region}:${sim.accountId}:instance/${scenario.routerA.instanceId}`],
          detail: { 'instance-id': scenario.routerA.instanceId, state: 'terminated' },
        },
      });
      const env = { AWS_ENDPOINT_URL: ec2.url, AWS_ENDPOINT_URL_DYNAMODB: ddbUrl };
      const common = [
        '--config',
        path.join(path.dirname(file('dry-run')), 'failover.json'),
        '--topic-arn',
        topicArn,
        '--state-table',
        'route-failover-state',
      ];

      const rehearsal = await runLocal([...common, '--input', file('dry-run')], env);
      expect({ code: rehearsal.code, outcome: JSON.parse(rehearsal.stdout).outcome }).toEqual({
        code: 0,
        outcome: 'dry-run',
      });
      expect(rehearsal.stderr).toContain('creating group-state table route-failover-state');

      const ddb = new DynamoDBClient({
        region: 'us-east-1',
        endpoint: ddbUrl,
        credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      });
      cleanups.push(() => ddb.destroy());
      const item = await ddb.send(
        new GetItemCommand({ TableName: 'route-failover-state', Key: { group: { S: 'onprem-edge' } } }),
      );
      expect(Object.keys(item.Item ?? {}).sort()).toEqual([
        'group',
        'history',
        'inventory:router-a',
        'inventory:router-b',
      ]);

      sim.setInstanceState(scenario.routerA.instanceId, 'terminated');
      const failover = await runLocal([...common, '--input', file('terminated')], env);
      const audit = JSON.parse(failover.stdout);
      expect({ code: failover.code, outcome: audit.outcome }).toEqual({ code: 0, outcome: 'succeeded' });
      expect(audit.from[0]).toMatchObject({ name: 'router-a', state: 'terminated', interfacesFrom: 'inventory' });
      expect(audit.counts.moved).toBe(scenario.expectedMoves.length);
      for (const m of scenario.expectedMoves)
        expect(sim.route(m.routeTableId, m.destination.value)?.NetworkInterfaceId).toBe(m.toEni);
      expect(failover.stderr).not.toContain('creating group-state table');

      // The switch is in the table's history: the lease was given back and the switch recorded.
      const after = await ddb.send(
        new GetItemCommand({ TableName: 'route-failover-state', Key: { group: { S: 'onprem-edge' } } }),
      );
      expect(after.Item?.owner).toBeUndefined();
      expect(JSON.parse(after.Item!.history.S!).lastSwitch).toMatchObject({ to: 'router-b', from: ['router-a'] });
    },
    RUN_TEST_TIMEOUT_MS * 2,
  );
});
