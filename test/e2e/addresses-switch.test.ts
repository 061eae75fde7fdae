/**
 * The addresses with the routes, through the local runner against an EC2-compatible endpoint (the simulated VPC
 * served over the AWS Query protocol, the real SDK clients): a VPN router holding two Elastic IPs (eth0, eth1) and
 * routes fails over, fails back, rehearses, and a cross-zone secondary private IP is refused before anything moves;
 * the associations mode too, with EC2 throttling the writes.
 */
import { AssociateAddressCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseConfig, type FailoverConfigInput } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { routeTarget } from '../../functions/domain/routes';
import { reconcileTwins } from '../../functions/reconcile-twins/reconcile-twins';
import { createTaskHandlers } from '../../cli/local/task-handlers';
import { isLocalExecutionRunning, runExecution } from '../../cli/local/local-runner';
import { buildRouterPair } from '../../cli/local/scenario';
import { SimulatedVpc } from '../../sim';
import { startQueryEndpoint, type QueryEndpoint } from '../../sim/query-endpoint';
import { runLocal, RUN_TEST_TIMEOUT_MS, type RunOutput } from './run-local';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const serve = async (sim: SimulatedVpc): Promise<QueryEndpoint> => {
  const endpoint = await startQueryEndpoint(sim);
  cleanups.push(() => endpoint.close());
  return endpoint;
};

/** A VPN router pair (two tables of routes on router-a), its two Elastic IPs on router-a's eth0 and eth1, on disk. */
const vpnEstate = async (
  group: Partial<FailoverConfigInput['groups'][number]> = {},
  more?: (
    sim: SimulatedVpc,
    scenario: ReturnType<typeof buildRouterPair>,
  ) => Partial<FailoverConfigInput['groups'][number]>,
) => {
  const sim = new SimulatedVpc({
    seed: 22,
    throttling: { buckets: { CreateRoute: { burst: 1000, refillPerSecond: 1000 } } },
  });
  const scenario = buildRouterPair(sim, { routeTables: 2, groupName: 'vpn' });
  const { routerA } = scenario;
  const eip0 = sim.allocateAddress({ publicIp: '203.0.113.10' });
  const eip1 = sim.allocateAddress({ publicIp: '203.0.113.11' });
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: eip0, NetworkInterfaceId: routerA.eni0 }));
  await sim.ec2().send(new AssociateAddressCommand({ AllocationId: eip1, NetworkInterfaceId: routerA.eni1 }));
  const config: FailoverConfigInput = {
    ...scenario.config,
    groups: [{ ...scenario.config.groups[0], elasticIps: [eip0, eip1], ...group, ...more?.(sim, scenario) }],
  };
  const topicArn = sim.createTopic('route-failover');
  const dir = mkdtempSync(path.join(tmpdir(), 'route-failover-addresses-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'failover.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  let n = 0;
  const request = (input: Record<string, unknown>): string[] => {
    const file = path.join(dir, `request-${++n}.json`);
    writeFileSync(file, JSON.stringify({ group: 'vpn', requestedBy: 'e2e', ...input }));
    return ['--config', configFile, '--input', file, '--topic-arn', topicArn];
  };
  return { sim, scenario, eip0, eip1, config, request };
};

const audit = (run: RunOutput): Record<string, any> => {
  try {
    return JSON.parse(run.stdout) as Record<string, any>;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
};

const ec2Calls = (endpoint: QueryEndpoint, from: number): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of endpoint.requests.slice(from)) if (r.service === 'ec2') out[r.action] = (out[r.action] ?? 0) + 1;
  return out;
};

it(
  'fails a two-address VPN router over with its routes, both addresses on the paired interfaces, and back again',
  async () => {
    const { sim, scenario, eip0, eip1, request } = await vpnEstate();
    const { routerA, routerB } = scenario;
    const endpoint = await serve(sim);

    const over = audit(
      await runLocal(request({ action: 'switchover', to: 'router-b' }), { AWS_ENDPOINT_URL: endpoint.url }),
    );
    expect(over.outcome).toBe('succeeded');
    expect(sim.address(eip0)).toMatchObject({ NetworkInterfaceId: routerB.eni0, InstanceId: routerB.instanceId });
    expect(sim.address(eip1)).toMatchObject({ NetworkInterfaceId: routerB.eni1, InstanceId: routerB.instanceId });
    for (const m of scenario.expectedMoves)
      expect(routeTarget(sim.route(m.routeTableId, m.destination.value)!)).toBe(m.toEni);
    expect(over.addresses).toMatchObject({ planned: 2, moved: 2 });
    expect(over.addresses.list.map((a: any) => [a.id, a.status, a.verified, a.after.eni])).toEqual([
      [eip0, 'moved', true, routerB.eni0],
      [eip1, 'moved', true, routerB.eni1],
    ]);
    expect(over.verification).toMatchObject({ ok: true });
    const calls = ec2Calls(endpoint, 0);
    // One AssociateAddress per address, none of the secondary-IP action; no DeleteRoute, no DisassociateAddress.
    expect(calls).toMatchObject({ AssociateAddress: 2 });
    expect(calls.AssignPrivateIpAddresses).toBeUndefined();
    expect(calls.DisassociateAddress).toBeUndefined();
    expect(calls.DeleteRoute).toBeUndefined();
    expect(sim.published.at(-1)?.Message).toMatch(/Addresses: {2}2 planned, 2 moved/);

    const mark = endpoint.requests.length;
    const back = audit(await runLocal(request({ action: 'failback' }), { AWS_ENDPOINT_URL: endpoint.url }));
    expect(back.outcome).toBe('succeeded');
    expect(sim.address(eip0)?.NetworkInterfaceId).toBe(routerA.eni0);
    expect(sim.address(eip1)?.NetworkInterfaceId).toBe(routerA.eni1);
    for (const m of scenario.expectedMoves)
      expect(routeTarget(sim.route(m.routeTableId, m.destination.value)!)).toBe(m.fromEni);
    expect(ec2Calls(endpoint, mark)).toMatchObject({ AssociateAddress: 2 });
  },
  RUN_TEST_TIMEOUT_MS * 2,
);

it(
  'a dry run is judged by EC2 (DryRunOperation) and moves nothing',
  async () => {
    const { sim, scenario, eip0, request } = await vpnEstate();
    const endpoint = await serve(sim);
    const mutating = sim.mutatingCalls().length;
    const dry = audit(
      await runLocal(request({ action: 'switchover', to: 'router-b', dryRun: true }), {
        AWS_ENDPOINT_URL: endpoint.url,
      }),
    );
    expect(dry.outcome).toBe('dry-run');
    expect(sim.mutatingCalls()).toHaveLength(mutating);
    expect(sim.address(eip0)?.NetworkInterfaceId).toBe(scenario.routerA.eni0);
    expect(dry.addresses.list.map((a: any) => a.status)).toEqual(['dry-run', 'dry-run']);
    // EC2 was asked, with DryRun, and answered DryRunOperation.
    expect(endpoint.requests.filter((r) => r.action === 'AssociateAddress').map((r) => r.error)).toEqual([
      'DryRunOperation',
      'DryRunOperation',
    ]);
  },
  RUN_TEST_TIMEOUT_MS,
);

it(
  'refuses a cross-zone secondary private IP before anything moves, routes or addresses',
  async () => {
    // The secondary IP lives in router-a's eth1 subnet (zone a); router-b's eth1 is in zone b. The config names no
    // member zones, so synth cannot refuse it: the run must, before anything moves.
    const { sim, scenario, eip0, request } = await vpnEstate({}, (s, sc) => ({
      secondaryPrivateIps: [s.addSecondaryPrivateIp(sc.routerA.eni1)],
    }));
    const endpoint = await serve(sim);
    const args = request({ action: 'switchover', to: 'router-b' });
    const mutating = sim.mutatingCalls().length;
    const run = await runLocal(args, { AWS_ENDPOINT_URL: endpoint.url });
    const record = audit(run);
    expect(run.code).not.toBe(0);
    expect(record).toMatchObject({
      outcome: 'failed',
      error: 'AddressCannotMoveError',
      failure: { stage: 'PlanSwitch' },
    });
    expect(record.cause).toMatch(/cross-subnet.*us-east-1a → us-east-1b/);
    expect(sim.mutatingCalls()).toHaveLength(mutating);
    expect(sim.address(eip0)?.NetworkInterfaceId).toBe(scenario.routerA.eni0);
    for (const m of scenario.expectedMoves)
      expect(routeTarget(sim.route(m.routeTableId, m.destination.value)!)).toBe(m.fromEni);
    expect(sim.published.at(-1)?.Message).toMatch(/AddressCannotMoveError/);
  },
  RUN_TEST_TIMEOUT_MS,
);

it(
  `the associations mode with EC2 throttling the writes, over \
HTTP: addresses and associations switched, verified, recorded`,
  async () => {
    const { sim, scenario, eip0, eip1, config: input } = await vpnEstate({ switchMode: 'associations' });
    const endpoint = await serve(sim);
    const config = parseConfig(input);
    const ec2 = new EC2Client({
      region: 'us-east-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    const sns = new SNSClient({
      region: 'us-east-1',
      endpoint: endpoint.url,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });
    cleanups.push(
      () => ec2.destroy(),
      () => sns.destroy(),
    );
    const store = new InMemoryGroupStateStore();
    await reconcileTwins({}, { ec2, config, store, sleep: async () => undefined });
    for (const action of ['AssociateAddress', 'ReplaceRouteTableAssociation'])
      sim.injectFault({ action, code: 'RequestLimitExceeded', times: 2 });
    const handlers = createTaskHandlers({
      ec2,
      sns,
      config,
      topicArn: sim.createTopic('route-failover'),
      store,
      isExecutionRunning: isLocalExecutionRunning,
      sleep: async () => undefined,
      recheckDelaysMs: [0],
    });
    const r = await runExecution({
      handlers: handlers as never,
      input: { action: 'switchover', group: 'vpn', to: 'router-b' },
      retryIntervalMs: 0,
    });
    const record = r.auditRecord!;
    expect(record.outcome).toBe('succeeded');
    expect(record.associations.moved).toBeGreaterThan(0);
    expect(sim.address(eip0)?.NetworkInterfaceId).toBe(scenario.routerB.eni0);
    expect(sim.address(eip1)?.NetworkInterfaceId).toBe(scenario.routerB.eni1);
    expect(record.addresses.list.reduce((n: number, a: any) => n + a.attempts, 0)).toBe(4);
    expect(endpoint.requests.filter((x) => x.error === 'RequestLimitExceeded')).toHaveLength(4);
  },
  RUN_TEST_TIMEOUT_MS,
);
