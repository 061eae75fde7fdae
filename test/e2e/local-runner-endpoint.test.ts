/**
 * The local runner against an EC2-compatible endpoint it has never seen, through the real SDK clients and
 * real HTTP: a SimulatedVpc served by sim/query-endpoint.ts (AWS Query protocol), and
 * `tsx cli/local/run-local.ts` spawned as a user would, configured only by the standard environment.
 */
import {
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeVpcsCommand,
  EC2Client,
  ReplaceRouteCommand,
  paginateDescribeRouteTables,
  type DescribeRouteTablesCommandOutput,
  type Route,
  type RouteTable,
} from '@aws-sdk/client-ec2';
import { NotFoundException, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { escapeXml, startQueryEndpoint, type QueryEndpoint } from '../../sim/query-endpoint';
import { buildRouterPair, type ExpectedMove, type RouterPairScenario } from '../../cli/local/scenario';
import { SimulatedVpc, type Service } from '../../sim';
import { runLocal, RUN_TEST_TIMEOUT_MS, type RunOutput } from './run-local';

/** An EC2 Instance State-change Notification as AWS delivers it (IDs are replaced per test). */
const STOPPING_EVENT = {
  version: '0',
  id: '7bf73129-1428-4cd3-a780-95db273d1602',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2026-11-25T14:30:00Z',
  region: 'ap-northeast-1',
  resources: ['arn:aws:ec2:ap-northeast-1:123456789012:instance/i-0a1b2c3d4e5f60001'],
  detail: { 'instance-id': 'i-0a1b2c3d4e5f60001', state: 'stopping' },
};
const CREDENTIALS = { accessKeyId: 'x', secretAccessKey: 'y' };

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const serve = async (sim: SimulatedVpc): Promise<QueryEndpoint> => {
  const endpoint = await startQueryEndpoint(sim);
  cleanups.push(() => endpoint.close());
  return endpoint;
};

const ec2Client = (endpoint: QueryEndpoint, opts: { maxAttempts?: number } = {}): EC2Client => {
  const client = new EC2Client({ region: 'us-east-1', endpoint: endpoint.url, credentials: CREDENTIALS, ...opts });
  cleanups.push(() => client.destroy());
  return client;
};

const snsClient = (endpoint: QueryEndpoint): SNSClient => {
  const client = new SNSClient({ region: 'us-east-1', endpoint: endpoint.url, credentials: CREDENTIALS });
  cleanups.push(() => client.destroy());
  return client;
};

/** What a call came back with, in a form both paths share: the output without $metadata, or the error's meaning. */
const outcome = async (call: Promise<object>): Promise<object> => {
  try {
    const { $metadata: _metadata, ...output } = (await call) as { $metadata?: unknown };
    return { output };
  } catch (e) {
    const err = e as Error & { $fault?: string; $metadata?: { httpStatusCode?: number } };
    return {
      error: { name: err.name, message: err.message, fault: err.$fault, status: err.$metadata?.httpStatusCode },
    };
  }
};

// ───────────────────────────── the endpoint, with the real SDK clients ─────────────────────────────

describe('query endpoint: the real SDK clients over HTTP read what the simulated VPC means', () => {
  /**
   * Two identical VPCs (same seed, same build): `http` is driven through the endpoint by the real clients,
   * `direct` by sim.invoke with the same inputs. Outputs, errors, the decoded inputs the simulator recorded
   * and the final route tables must all agree.
   */
  const twins = async (routeTables = 3) => {
    const build = () => {
      const sim = new SimulatedVpc({ seed: 7 });
      const scenario = buildRouterPair(sim, { routeTables, groupName: 'onprem-edge' });
      // A tag that needs escaping in every way XML allows, plus non-ASCII text.
      const odd = sim.addRouteTable({
        vpcId: scenario.vpcId,
        tags: { Name: `a<b>&"c"'d\r\ne\tf  ü 🚀`, ' spaced ': 'x]]>y' },
      });
      sim.addRoute(odd, { DestinationCidrBlock: '10.250.0.0/16', NetworkInterfaceId: scenario.routerA.eni0 });
      sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
      return { sim, scenario };
    };
    const http = build();
    const direct = build();
    expect(http.scenario.expectedMoves).toEqual(direct.scenario.expectedMoves);
    const endpoint = await serve(http.sim);
    return { http, direct, endpoint, ec2: ec2Client(endpoint), sns: snsClient(endpoint) };
  };

  const expectSameInputs = (a: SimulatedVpc, b: SimulatedVpc): void => {
    const inputs = (sim: SimulatedVpc) =>
      sim.calls.map((c) => ({ service: c.service, action: c.action, input: c.input, error: c.error }));
    expect(inputs(a)).toEqual(inputs(b));
  };

  it('DescribeRouteTables paginated by 5: same pages, same tokens, same decoded filters', async () => {
    const { http, direct, ec2, endpoint } = await twins(12);
    const Filters = [
      { Name: 'vpc-id', Values: [http.scenario.vpcId] },
      { Name: 'route.state', Values: ['active', 'blackhole'] },
    ];
    const viaHttp: DescribeRouteTablesCommandOutput[] = [];
    for await (const page of paginateDescribeRouteTables({ client: ec2, pageSize: 5 }, { Filters })) viaHttp.push(page);

    const directPages: object[] = [];
    let NextToken: string | undefined;
    do {
      const page = (await direct.sim.invoke('ec2', 'DescribeRouteTables', { Filters, MaxResults: 5, NextToken })) as {
        NextToken?: string;
      };
      directPages.push(page);
      NextToken = page.NextToken;
    } while (NextToken);

    expect(viaHttp.length).toBe(3); // 12 tagged + main + the odd one = 14 tables
    expect(await Promise.all(viaHttp.map((p) => outcome(Promise.resolve(p))))).toEqual(
      await Promise.all(directPages.map((p) => outcome(Promise.resolve(p)))),
    );
    const tables = viaHttp.flatMap((p) => p.RouteTables ?? []);
    expect(tables).toEqual(direct.sim.routeTables());
    // Spot checks of what the product reads, in case both sides were wrong the same way.
    const first = tables.find((t) => t.RouteTableId === http.scenario.routeTableIds[0])!;
    const kinds = (first.Routes ?? [])
      .filter((r) => r.NetworkInterfaceId === http.scenario.routerA.eni1)
      .map((r) => r.DestinationIpv6CidrBlock ?? r.DestinationCidrBlock);
    expect(kinds).toEqual(['10.100.0.0/16', '2001:db8::/32']);
    expect(first.Routes?.find((r) => r.DestinationPrefixListId === http.scenario.prefixListId)).toMatchObject({
      NetworkInterfaceId: http.scenario.routerA.eni0,
      InstanceId: http.scenario.routerA.instanceId,
      State: 'blackhole',
      Origin: 'CreateRoute',
    });
    expect(tables.find((t) => t.Tags?.some((tag) => tag.Key === ' spaced '))?.Tags).toEqual([
      { Key: 'Name', Value: `a<b>&"c"'d\r\ne\tf  ü 🚀` },
      { Key: ' spaced ', Value: 'x]]>y' },
    ]);
    expectSameInputs(http.sim, direct.sim);
    expect(endpoint.requests.map((r) => `${r.action} ${r.status}`)).toEqual(Array(3).fill('DescribeRouteTables 200'));
  });

  it(`DescribeInstances, DescribeInstanceStatus and \
DescribeNetworkInterfaces: same instances, interfaces and slots`, async () => {
    const { http, direct, ec2 } = await twins();
    const { routerA, routerB } = http.scenario;
    const calls: Array<[string, object, (input: never) => object]> = [
      [
        'DescribeInstances',
        { InstanceIds: [routerA.instanceId, routerB.instanceId] },
        (i) => new DescribeInstancesCommand(i),
      ],
      [
        'DescribeInstances',
        { Filters: [{ Name: 'instance-state-name', Values: ['running'] }], MaxResults: 5 },
        (i) => new DescribeInstancesCommand(i),
      ],
      [
        'DescribeInstanceStatus',
        { InstanceIds: [routerA.instanceId, routerB.instanceId], IncludeAllInstances: true },
        (i) => new DescribeInstanceStatusCommand(i),
      ],
      [
        'DescribeNetworkInterfaces',
        { Filters: [{ Name: 'attachment.instance-id', Values: [routerB.instanceId] }] },
        (i) => new DescribeNetworkInterfacesCommand(i),
      ],
      ['DescribeInstances', { InstanceIds: ['i-00000000000000bad'] }, (i) => new DescribeInstancesCommand(i)],
    ];
    for (const [action, input, command] of calls) {
      expect(await outcome(ec2.send(command(input as never) as DescribeInstancesCommand))).toEqual(
        await outcome(direct.sim.invoke('ec2', action, input)),
      );
    }
    expectSameInputs(http.sim, direct.sim);
    // Spot checks of what ResolveTargets reads, in case both sides were wrong the same way.
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [routerA.instanceId] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    expect(instance?.State).toEqual({ Code: 64, Name: 'stopping' });
    expect(instance?.Placement?.AvailabilityZone).toBe('us-east-1a');
    expect(
      instance?.NetworkInterfaces?.map((n) => [
        n.NetworkInterfaceId,
        n.Attachment?.NetworkCardIndex,
        n.Attachment?.DeviceIndex,
        n.SourceDestCheck,
      ]),
    ).toEqual([
      [routerA.eni0, 0, 0, false],
      [routerA.eni1, 0, 1, false],
    ]);
  });

  it('ReplaceRoute: IPv4, IPv6 and prefix-list destinations, DryRun and EC2 error codes mean the same', async () => {
    const { http, direct, ec2, endpoint } = await twins();
    const { routeTableIds, routerB, prefixListId } = http.scenario;
    const [rtb] = routeTableIds;
    const inputs: Array<Record<string, unknown>> = [
      { RouteTableId: rtb, DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: routerB.eni0, DryRun: true },
      { RouteTableId: rtb, DestinationCidrBlock: '192.168.0.0/16', NetworkInterfaceId: routerB.eni0, DryRun: false },
      { RouteTableId: rtb, DestinationIpv6CidrBlock: '2001:db8::/32', NetworkInterfaceId: routerB.eni1 },
      { RouteTableId: rtb, DestinationPrefixListId: prefixListId, NetworkInterfaceId: routerB.eni0 },
      { RouteTableId: rtb, DestinationCidrBlock: '10.99.0.0/16', NetworkInterfaceId: routerB.eni0 }, // no such route
      {
        RouteTableId: 'rtb-0000000000000000f',
        DestinationCidrBlock: '10.100.0.0/16',
        NetworkInterfaceId: routerB.eni1,
      },
      { RouteTableId: 'not-a-table', DestinationCidrBlock: '10.100.0.0/16', NetworkInterfaceId: routerB.eni1 },
      { RouteTableId: rtb, DestinationCidrBlock: '10.100.0.0/16', NetworkInterfaceId: routerB.eni1 },
    ];
    const results: object[] = [];
    for (const input of inputs) {
      const viaHttp = await outcome(ec2.send(new ReplaceRouteCommand(input as never)));
      expect(viaHttp).toEqual(await outcome(direct.sim.invoke('ec2', 'ReplaceRoute', input)));
      results.push(viaHttp);
    }
    expect(results.map((r) => ('error' in r ? (r.error as { name: string }).name : 'ok'))).toEqual([
      'DryRunOperation',
      'ok',
      'ok',
      'ok',
      'InvalidParameterValue',
      'InvalidRouteTableID.NotFound',
      'InvalidRouteTableId.Malformed',
      'ok',
    ]);
    expect((results[0] as { error: object }).error).toMatchObject({ status: 412, fault: 'client' });
    expect((results[5] as { error: object }).error).toMatchObject({
      status: 400,
      fault: 'client',
      message: "The routeTable ID 'rtb-0000000000000000f' does not exist",
    });
    expect(http.sim.routeTables()).toEqual(direct.sim.routeTables());
    expect(http.sim.route(rtb, '2001:db8::/32')).toMatchObject({
      NetworkInterfaceId: routerB.eni1,
      InstanceId: routerB.instanceId,
      State: 'active',
    });
    expect(http.sim.route(rtb, prefixListId)).toMatchObject({ NetworkInterfaceId: routerB.eni0, State: 'active' });
    expectSameInputs(http.sim, direct.sim);
    expect(endpoint.requests.map((r) => r.error ?? r.status)).toEqual([
      'DryRunOperation',
      200,
      200,
      200,
      'InvalidParameterValue',
      'InvalidRouteTableID.NotFound',
      'InvalidRouteTableId.Malformed',
      200,
    ]);
  });

  it('the SDK middleware really runs: a throttled ReplaceRoute is retried by the SDK and succeeds', async () => {
    const { http, ec2, endpoint } = await twins();
    const { routeTableIds, routerB } = http.scenario;
    http.sim.injectFault({ action: 'ReplaceRoute', code: 'RequestLimitExceeded', times: 1 });
    const out = await ec2.send(
      new ReplaceRouteCommand({
        RouteTableId: routeTableIds[0],
        DestinationCidrBlock: '172.16.0.0/12',
        NetworkInterfaceId: routerB.eni0,
      }),
    );
    expect(out.$metadata).toMatchObject({ httpStatusCode: 200, attempts: 2 });
    expect(endpoint.requests.map((r) => r.error ?? r.status)).toEqual(['RequestLimitExceeded', 200]);
    expect(http.sim.route(routeTableIds[0], '172.16.0.0/12')?.NetworkInterfaceId).toBe(routerB.eni0);
  });

  it('an action the endpoint does not serve is InvalidAction, not a silent success', async () => {
    const { ec2, endpoint } = await twins();
    await expect(ec2.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
      name: 'InvalidAction',
      $metadata: { httpStatusCode: 400 },
    });
    expect(endpoint.requests).toEqual([
      { service: 'ec2', action: 'DescribeVpcs', status: 400, error: 'InvalidAction' },
    ]);
  });

  it(`SNS Publish lands in sim.published with its subject, \
message and attributes; NotFound is NotFoundException`, async () => {
    const { http, direct, sns, endpoint } = await twins();
    const TopicArn = http.sim.createTopic('route-failover');
    direct.sim.createTopic('route-failover');
    const input = {
      TopicArn,
      Subject: '[FAILOVER OK] onprem-edge: router-a -> router-b, 9 route(s) & <more>',
      Message: 'line 1\r\nline 2 & <tag> "quoted" \'single\'\n\ttabbed ü 🚀 + plus = equals',
      MessageAttributes: {
        group: { DataType: 'String', StringValue: 'onprem-edge' },
        outcome: { DataType: 'String', StringValue: 'succeeded' },
        severity: { DataType: 'String', StringValue: 'info' },
        count: { DataType: 'Number', StringValue: '9' },
        blob: { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 254, 255]) },
      },
    };
    const viaHttp = await outcome(sns.send(new PublishCommand(input)));
    expect(viaHttp).toEqual(await outcome(direct.sim.invoke('sns', 'Publish', input)));
    expect(http.sim.published).toHaveLength(1);
    expect(http.sim.published[0]).toEqual({
      ...input,
      MessageId: (viaHttp as { output: { MessageId: string } }).output.MessageId,
    });

    const gone = { TopicArn: `${TopicArn}-gone`, Message: 'm' };
    const missing = sns.send(new PublishCommand(gone));
    await expect(missing).rejects.toBeInstanceOf(NotFoundException);
    expect(await outcome(missing)).toEqual(await outcome(direct.sim.invoke('sns', 'Publish', gone)));
    expectSameInputs(http.sim, direct.sim);
    expect(endpoint.requests.map((r) => `${r.service} ${r.action} ${r.error ?? r.status}`)).toEqual([
      'sns Publish 200',
      'sns Publish NotFound',
    ]);
  });

  it('escapeXml keeps markup, line ends and control characters intact', () => {
    expect(escapeXml(`a<b>&"c"'\r\n\t\u0001`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;&#xD;&#xA;&#x9;&#x1;');
    expect(escapeXml('ü 🚀')).toBe('ü 🚀');
  });
});

// ───────────────────────────── the local runner, spawned, over HTTP ─────────────────────────────

interface Estate {
  sim: SimulatedVpc;
  scenario: RouterPairScenario;
  topicArn: string;
  before: RouteTable[];
  args: string[];
}

/** The reference estate with router-a stopping, its config and the EC2 event on disk, and the SNS topic. */
const estate = (): Estate => {
  const sim = new SimulatedVpc();
  const scenario = buildRouterPair(sim, { routeTables: 3, groupName: 'onprem-edge' });
  sim.setInstanceState(scenario.routerA.instanceId, 'stopping');
  const topicArn = sim.createTopic('route-failover');

  const dir = mkdtempSync(path.join(tmpdir(), 'route-failover-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const configFile = path.join(dir, 'failover.json');
  const eventFile = path.join(dir, 'event.json');
  writeFileSync(configFile, JSON.stringify(scenario.config, null, 2));
  const id = scenario.routerA.instanceId;
  const event = {
    ...STOPPING_EVENT,
    region: sim.region,
    account: sim.accountId,
    time: new Date().toISOString(),
    resources: [`arn:aws:ec2:${sim.region}:${sim.accountId}:instance/${id}`],
    detail: { ...STOPPING_EVENT.detail, 'instance-id': id, state: 'stopping' },
  };
  writeFileSync(eventFile, JSON.stringify(event, null, 2));
  return {
    sim,
    scenario,
    topicArn,
    before: sim.routeTables(),
    args: ['--config', configFile, '--input', eventFile, '--topic-arn', topicArn],
  };
};

const destinationOf = (r: Route): string =>
  r.DestinationCidrBlock ?? r.DestinationIpv6CidrBlock ?? r.DestinationPrefixListId ?? '?';
const moveKey = (m: ExpectedMove): string => `${m.routeTableId} ${m.destination.value}`;

/** Every route not in `moved` is exactly as before, and no table gained or lost a route. */
const expectOthersUntouched = (before: RouteTable[], after: RouteTable[], moved: ExpectedMove[]): void => {
  const movedKeys = new Set(moved.map(moveKey));
  const view = (tables: RouteTable[]) =>
    tables.map((t) => ({
      table: t.RouteTableId,
      count: t.Routes?.length,
      others: (t.Routes ?? []).filter(
        (r) => !movedKeys.has(`${t.RouteTableId} ${destinationOf(r)}`) || r.Origin === 'EnableVgwRoutePropagation',
      ),
    }));
  expect(view(after)).toEqual(view(before));
};

const expectMoved = (sim: SimulatedVpc, moves: ExpectedMove[], routerB: { instanceId: string }): void => {
  const actual = moves.map((m) => {
    const r = sim.route(m.routeTableId, m.destination.value);
    return { route: moveKey(m), target: r?.NetworkInterfaceId, instance: r?.InstanceId, state: r?.State };
  });
  expect(actual).toEqual(
    moves.map((m) => ({ route: moveKey(m), target: m.toEni, instance: routerB.instanceId, state: 'active' })),
  );
};

const parseAudit = (run: RunOutput): Record<string, any> => {
  try {
    return JSON.parse(run.stdout) as Record<string, any>;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
};

const counts = (requests: Array<{ service: Service; action: string }>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const r of requests) out[`${r.service}:${r.action}`] = (out[`${r.service}:${r.action}`] ?? 0) + 1;
  return out;
};

describe('npm run local against an EC2-compatible endpoint (real SDK clients, real HTTP)', () => {
  it(
    'moves every route of every destination kind and interface, leaves every other route alone, never deletes one',
    async () => {
      const { sim, scenario, topicArn, before, args } = estate();
      const endpoint = await serve(sim);
      const moves = scenario.expectedMoves;
      // The oracle covers what the claim says: IPv4, IPv6 and prefix-list routes, on eth0 and on eth1.
      expect(new Set(moves.map((m) => m.destination.kind))).toEqual(new Set(['ipv4', 'ipv6', 'prefix-list']));
      expect(new Set(moves.map((m) => m.fromEni))).toEqual(new Set([scenario.routerA.eni0, scenario.routerA.eni1]));

      const run = await runLocal(args, { AWS_ENDPOINT_URL: endpoint.url });
      const audit = parseAudit(run);
      expect({ code: run.code, outcome: audit.outcome, error: audit.error }).toEqual({
        code: 0,
        outcome: 'succeeded',
        error: undefined,
      });
      expect(audit.counts).toMatchObject({ planned: moves.length, replaced: moves.length, failed: 0, mismatches: 0 });
      // Every planned and already-moved route, plus the sweep of every other in-scope route to an interface.
      expect(audit.verification).toMatchObject({ ok: true, mismatches: 0 });
      expect(audit.verification.checked).toBeGreaterThan(moves.length + audit.counts.alreadyOnTarget);

      const after = sim.routeTables();
      expectMoved(sim, moves, scenario.routerB);
      expectOthersUntouched(before, after, moves);

      // Every call went through the endpoint; ReplaceRoute only, once per route; one notification.
      expect(sim.calls).toHaveLength(endpoint.requests.length);
      const byAction = counts(endpoint.requests);
      expect(byAction['ec2:DeleteRoute']).toBeUndefined();
      expect(byAction['ec2:CreateRoute']).toBeUndefined();
      expect(byAction['ec2:ReplaceRoute']).toBe(moves.length);
      expect(byAction['sns:Publish']).toBe(1);
      expect(endpoint.requests.filter((r) => r.status !== 200)).toEqual([]);
      expect(sim.mutatingCalls().map((c) => c.action)).toEqual(Array(moves.length).fill('ReplaceRoute'));
      expect(sim.published).toHaveLength(1);
      expect(sim.published[0]).toMatchObject({
        TopicArn: topicArn,
        MessageAttributes: {
          group: { DataType: 'String', StringValue: 'onprem-edge' },
          outcome: { DataType: 'String', StringValue: 'succeeded' },
          // router-a is stopping: the pair is left without a healthy standby, which is worth a look.
          severity: { DataType: 'String', StringValue: 'warning' },
        },
      });
      expect(sim.published[0].Subject).toMatch(
        /^\[FAILOVER OK\] onprem-edge: router-a -> router-b, \d+ route\(s\), NO STANDBY$/,
      );
    },
    RUN_TEST_TIMEOUT_MS,
  );

  it(
    'a permanent error on one route: non-zero exit, the other routes switched, the audit record names the failed route',
    async () => {
      const { sim, scenario, before, args } = estate();
      const endpoint = await serve(sim);
      const broken = scenario.expectedMoves.find(
        (m) => m.destination.kind === 'ipv6' && m.routeTableId === scenario.routeTableIds[1],
      )!;
      sim.injectFault({
        action: 'ReplaceRoute',
        code: 'UnauthorizedOperation',
        message: 'You are not authorized to perform this operation.',
        when: (input) =>
          input.RouteTableId === broken.routeTableId && input.DestinationIpv6CidrBlock === broken.destination.value,
      });

      const run = await runLocal(args, { AWS_ENDPOINT_URL: endpoint.url });
      const audit = parseAudit(run);
      expect(run.code).not.toBe(0);
      expect(run.code).not.toBeNull();
      expect(audit.outcome).toBe('partial');
      expect(audit.counts).toMatchObject({
        planned: scenario.expectedMoves.length,
        replaced: scenario.expectedMoves.length - 1,
        failed: 1,
      });
      const failed = (audit.routes as Array<Record<string, any>>).filter((r) => r.status !== 'replaced');
      expect(failed).toEqual([
        expect.objectContaining({
          routeTableId: broken.routeTableId,
          destination: broken.destination,
          status: 'failed',
          before: expect.objectContaining({ target: broken.fromEni }),
          error: expect.stringContaining('UnauthorizedOperation'),
        }),
      ]);
      expect(run.stderr).toMatch(/RoutesNotSwitched|partial/);

      const others = scenario.expectedMoves.filter((m) => m !== broken);
      expectMoved(sim, others, scenario.routerB);
      // The broken route stays where it was (on router-a), like every route that was never to move.
      expectOthersUntouched(before, sim.routeTables(), others);

      const byAction = counts(endpoint.requests);
      expect(byAction['ec2:DeleteRoute']).toBeUndefined();
      expect(byAction['ec2:CreateRoute']).toBeUndefined();
      expect(endpoint.requests.filter((r) => r.status !== 200)).toEqual([
        { service: 'ec2', action: 'ReplaceRoute', status: 403, error: 'UnauthorizedOperation' },
      ]);
      expect(sim.published).toHaveLength(1);
      expect(sim.published[0].MessageAttributes).toMatchObject({
        outcome: { StringValue: 'partial' },
        severity: { StringValue: 'critical' },
      });
      expect(sim.published[0].Message).toContain(broken.destination.value);
    },
    RUN_TEST_TIMEOUT_MS,
  );

  it.each([
    ['without AWS_ENDPOINT_URL', false],
    ['with AWS_ENDPOINT_URL pointing at a closed port', true],
  ])(
    'AWS_ENDPOINT_URL_EC2 and AWS_ENDPOINT_URL_SNS route each service to its own endpoint (%s)',
    async (_label, withDeadGeneric) => {
      const { sim, scenario, args } = estate();
      const ec2Endpoint = await serve(sim);
      const snsEndpoint = await serve(sim);
      const awsEnv: Record<string, string> = {
        AWS_ENDPOINT_URL_EC2: ec2Endpoint.url,
        AWS_ENDPOINT_URL_SNS: snsEndpoint.url,
      };
      if (withDeadGeneric) awsEnv.AWS_ENDPOINT_URL = `http://127.0.0.1:${await closedPort()}`;

      const run = await runLocal(args, awsEnv);
      const audit = parseAudit(run);
      expect({ code: run.code, outcome: audit.outcome }).toEqual({ code: 0, outcome: 'succeeded' });
      expectMoved(sim, scenario.expectedMoves, scenario.routerB);
      expect(new Set(ec2Endpoint.requests.map((r) => r.service))).toEqual(new Set(['ec2']));
      expect(counts(ec2Endpoint.requests)['ec2:ReplaceRoute']).toBe(scenario.expectedMoves.length);
      expect(snsEndpoint.requests).toEqual([{ service: 'sns', action: 'Publish', status: 200 }]);
      expect(sim.calls).toHaveLength(ec2Endpoint.requests.length + snsEndpoint.requests.length);
      expect(sim.published).toHaveLength(1);
    },
    RUN_TEST_TIMEOUT_MS,
  );
});

/** A port nothing listens on (bound, then released). */
const closedPort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
