import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { parseConfig } from '../../functions/contract/config';
/**
 * The product's SDK client configuration against a call that never answers: real EC2Client/SNSClient,
 * real HTTP, a SimulatedVpc behind sim/query-endpoint.ts whose handler hangs (a `hang` fault) until
 * the client gives up and closes the connection. Without a request timeout that aborts (the pinned
 * @smithy/node-http-handler has none by default and only warns unless throwOnRequestTimeout is set) these
 * calls would wait until the test's own timeout.
 */
import { DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { PublishCommand } from '@aws-sdk/client-sns';
import { startQueryEndpoint, type QueryEndpoint } from '../../sim/query-endpoint';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { writeBatch } from '../../functions/aws/paced-writer';
import { routeSwitch, type RouteSwitchDeps } from '../../functions/aws/route-switch';
import type { ReplaceBatchInput } from '../../functions/contract/schemas';
import { createEc2Client, createSnsClient } from '../../functions/aws/clients';
import { EC2_TIMEOUTS, SNS_TIMEOUTS } from '../../functions/aws/http-timeouts';

/** One route batch through the routes kind and the paced writer, as SwitchItems writes it. */
const replaceRoutes = (i: ReplaceBatchInput, d: RouteSwitchDeps) => writeBatch(routeSwitch, i, d);

const CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'y' };
const TEST_TIMEOUT_MS = 30_000;

const cleanups: Array<() => Promise<void> | void> = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const serve = async (sim: SimulatedVpc): Promise<QueryEndpoint> => {
  const endpoint = await startQueryEndpoint(sim);
  cleanups.push(() => endpoint.close());
  return endpoint;
};

const clientConfig = (endpoint: QueryEndpoint) => ({
  region: 'us-east-1',
  endpoint: endpoint.url,
  credentials: CREDENTIALS,
});

describe('SDK clients: a hung call is aborted by the request timeout and retried', () => {
  test.concurrent(
    'EC2 (reads): the SDK retries the aborted call and the second attempt answers',
    async () => {
      const sim = new SimulatedVpc({ seed: 3 });
      const scenario = buildRouterPair(sim, { routeTables: 1 });
      sim.injectFault({ action: 'DescribeRouteTables', hang: true, times: 1 });
      const endpoint = await serve(sim);
      const ec2 = createEc2Client(clientConfig(endpoint));
      cleanups.push(() => ec2.destroy());

      const t0 = Date.now();
      const out = await ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [scenario.routeTableIds[0]] }));
      const elapsed = Date.now() - t0;

      expect(out.RouteTables?.[0]?.RouteTableId).toBe(scenario.routeTableIds[0]);
      expect(out.$metadata.attempts).toBe(2);
      expect(elapsed).toBeGreaterThanOrEqual(EC2_TIMEOUTS.requestTimeout - 100);
      expect(elapsed).toBeLessThan(EC2_TIMEOUTS.requestTimeout + 4000);
      // The first call was abandoned by the client (connection closed, no answer), then one answered.
      expect(sim.calls.map((c) => c.error ?? 'ok')).toEqual(['AbortError', 'ok']);
      expect(endpoint.requests.map((r) => r.status)).toEqual([0, 200]);
    },
    TEST_TIMEOUT_MS,
  );

  test.concurrent(
    'EC2 (SwitchItems, one attempt per call): a ReplaceRoute whose answer never comes is retried by the route loop',
    async () => {
      const sim = new SimulatedVpc({ seed: 4 });
      const scenario = buildRouterPair(sim, { routeTables: 1 });
      const rtb = scenario.routeTableIds[0];
      // The route is replaced, then the answer is lost: a real hung connection after the write.
      sim.injectFault({ action: 'ReplaceRoute', hang: true, phase: 'after', times: 1 });
      const endpoint = await serve(sim);
      const ec2 = createEc2Client({ ...clientConfig(endpoint), maxAttempts: 1 });
      cleanups.push(() => ec2.destroy());

      const result = await replaceRoutes(
        {
          batch: { id: 0, routeTableId: rtb, routes: [{ d: '192.168.0.0/16', p: 0 }] },
          group: scenario.groupName,
          vpcId: scenario.vpcId,
          pairs: [
            { slot: '0/0', fromMember: 'router-a', fromEni: scenario.routerA.eni0, toEni: scenario.routerB.eni0 },
          ],
          dryRun: false,
        },
        {
          ec2,
          config: parseConfig(scenario.config),
          store: new InMemoryGroupStateStore(),
          sleep: async () => undefined,
          random: () => 0,
        },
      );

      expect(result.counts).toEqual({ replaced: 1 });
      expect(result.exceptions).toEqual([{ i: 0, st: 'replaced', a: 2 }]);
      expect(sim.route(rtb, '192.168.0.0/16')?.NetworkInterfaceId).toBe(scenario.routerB.eni0);
      expect(sim.calls.filter((c) => c.action === 'ReplaceRoute').map((c) => c.error ?? 'ok')).toEqual([
        'AbortError',
        'ok',
      ]);
    },
    TEST_TIMEOUT_MS,
  );

  test.concurrent(
    'SNS: a hung Publish is retried by the SDK and the message is delivered',
    async () => {
      const sim = new SimulatedVpc({ seed: 5 });
      const topicArn = sim.createTopic('route-failover');
      sim.injectFault({ action: 'Publish', hang: true, times: 1 });
      const endpoint = await serve(sim);
      const sns = createSnsClient(clientConfig(endpoint));
      cleanups.push(() => sns.destroy());

      const t0 = Date.now();
      const out = await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: 'test', Message: 'hello' }));

      expect(out.MessageId).toBeDefined();
      expect(out.$metadata.attempts).toBe(2);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(SNS_TIMEOUTS.requestTimeout - 100);
      expect(sim.published.map((m) => m.Message)).toEqual(['hello']);
    },
    TEST_TIMEOUT_MS,
  );
});

describe('simulated VPC: the hang fault', () => {
  it('waits for the abortSignal, then fails with AbortError and no effect', async () => {
    const sim = new SimulatedVpc({ seed: 6 });
    const scenario = buildRouterPair(sim, { routeTables: 1 });
    sim.injectFault({ action: 'ReplaceRoute', hang: true, times: 1 });
    const controller = new AbortController();
    const input = {
      RouteTableId: scenario.routeTableIds[0],
      DestinationCidrBlock: '192.168.0.0/16',
      NetworkInterfaceId: scenario.routerB.eni0,
    };
    const call = sim.invoke('ec2', 'ReplaceRoute', input, { abortSignal: controller.signal });
    let settled = false;
    void call.catch(() => undefined).finally(() => (settled = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(settled).toBe(false);
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(sim.route(scenario.routeTableIds[0], '192.168.0.0/16')?.NetworkInterfaceId).toBe(scenario.routerA.eni0);
    // times: 1 — the next call answers.
    await sim.invoke('ec2', 'ReplaceRoute', input);
    expect(sim.route(scenario.routeTableIds[0], '192.168.0.0/16')?.NetworkInterfaceId).toBe(scenario.routerB.eni0);
  });

  it('refuses a fault that is not exactly one kind', () => {
    const sim = new SimulatedVpc();
    expect(() => sim.injectFault({ action: 'ReplaceRoute' })).toThrow('exactly one of');
    expect(() => sim.injectFault({ action: 'ReplaceRoute', code: 'InternalError', hang: true })).toThrow(
      'exactly one of',
    );
    expect(() =>
      sim.injectFault({ action: 'ReplaceRoute', code: 'InternalError', encodedAuthorizationMessage: true }),
    ).toThrow('UnauthorizedOperation only');
  });
});
