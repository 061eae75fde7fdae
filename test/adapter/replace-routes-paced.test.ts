import {
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ReplaceRouteCommand,
  type ReplaceRouteCommandInput,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { writeBatch } from '../../functions/aws/paced-writer';
import { routeSwitch, type RouteSwitchDeps } from '../../functions/aws/route-switch';
import { InMemoryWritePacer, REPLACE_ROUTE_PACE, type PacerSpec } from '../../functions/domain/pacer';
import { decodeSwitchTimes } from '../../functions/domain/plan';
import type { BatchRoute, ReplaceBatchInput } from '../../functions/contract/schemas';
import { VirtualClock } from '../../bench/virtual-clock';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { configInput, GROUP, IDS } from '../unit/fixtures';
import { ec2Error, failoverState } from './ec2-fixtures';

/** One route batch through the routes kind and the paced writer, as SwitchItems writes it. */
const replaceRoutes = (i: ReplaceBatchInput, d: RouteSwitchDeps) => writeBatch(routeSwitch, i, d);

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
beforeEach(() => {
  ec2Mock.reset();
  // EC2's view of the members' interfaces, as failoverState() pairs them (authorize.ts checks each batch).
  ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      { NetworkInterfaceId: IDS.eniA0, Attachment: { InstanceId: IDS.routerA, DeviceIndex: 0 } },
      { NetworkInterfaceId: IDS.eniA1, Attachment: { InstanceId: IDS.routerA, DeviceIndex: 1 } },
      { NetworkInterfaceId: IDS.eniB0, Attachment: { InstanceId: IDS.routerB, DeviceIndex: 0 } },
      { NetworkInterfaceId: IDS.eniB1, Attachment: { InstanceId: IDS.routerB, DeviceIndex: 1 } },
    ],
  });
});

const routes: BatchRoute[] = Array.from({ length: 5 }, (_, k) => ({ d: `10.${k + 1}.0.0/16`, p: k % 2 }));
const T0 = Date.UTC(2026, 10, 25, 14, 0, 0);
const input = (observedAt: string | undefined, rs = routes): ReplaceBatchInput => ({
  batch: { id: 0, routeTableId: IDS.rtbPrivateA, routes: rs },
  group: GROUP,
  vpcId: IDS.vpc,
  pairs: failoverState().pairs,
  dryRun: false,
  ...(observedAt ? { observedAt } : {}),
});
const replaceCalls = (): ReplaceRouteCommandInput[] =>
  ec2Mock.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input);

/** A virtual clock shared by the pacer and the function; sends are timed on it. */
const setup = (spec: PacerSpec = { burst: 2, refillPerSecond: 5 }, opts: { throttleOnce?: string } = {}) => {
  const clock = new VirtualClock(T0);
  const sentAt: Record<string, number> = {};
  const pacer = new InMemoryWritePacer(spec, { now: () => clock.now(), sleep: (ms) => clock.sleep(ms) });
  let throttle = opts.throttleOnce;
  ec2Mock.on(ReplaceRouteCommand).callsFake((i: ReplaceRouteCommandInput) => {
    if (i.DestinationCidrBlock === throttle) {
      throttle = undefined;
      throw ec2Error('RequestLimitExceeded', { status: 503, message: 'Request limit exceeded.' });
    }
    sentAt[i.DestinationCidrBlock!] = clock.now();
    return { $metadata: { httpStatusCode: 200 } };
  });
  const deps: RouteSwitchDeps = {
    ec2,
    config: parseConfig(configInput()),
    store: new InMemoryGroupStateStore(),
    pacers: { ReplaceRoute: pacer },
    now: () => new Date(clock.now()),
    sleep: (ms) => clock.sleep(ms),
    random: () => 1,
    retry: { attempts: 3, baseMs: 100, maxMs: 1000 },
  };
  const run = (i: ReplaceBatchInput, extra: Partial<RouteSwitchDeps> = {}) =>
    clock.run(() => replaceRoutes(i, { ...deps, ...extra }));
  return { pacer, sentAt, run };
};

describe('replaceRoutes, paced: the plan is the observation, the pacer gives the turns', () => {
  it(`writes at once without reading the table when the plan is \
fresh; the burst goes together, the rest at the next refill`, async () => {
    const { sentAt, run } = setup();
    const result = await run(input(new Date(T0 - 5000).toISOString()));
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeRouteTablesCommand);
    expect(routes.map((r) => sentAt[r.d] - T0)).toEqual([0, 0, 1000, 1000, 1000]);
    expect(result.counts).toEqual({ replaced: 5 });
    // Each route's switch time is in the result.
    expect(decodeSwitchTimes(Date.parse(result.at!), result.sw, 5).map((x) => x! - T0)).toEqual([
      0, 0, 1000, 1000, 1000,
    ]);
  });

  it(`reads the table first when the observation is stale \
(or absent), and keeps the conflict and vanished checks`, async () => {
    const { run } = setup({ burst: 10, refillPerSecond: 5 });
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        {
          RouteTableId: IDS.rtbPrivateA,
          VpcId: IDS.vpc,
          Routes: [{ DestinationCidrBlock: routes[0].d, NetworkInterfaceId: 'eni-0ffffffffffffffff' }],
        },
      ],
    });
    const result = await run(input(new Date(T0 - 3_600_000).toISOString()), { maxObservationAgeMs: 900_000 });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 1);
    expect(replaceCalls()).toEqual([]);
    expect(result.counts).toEqual({ conflict: 1, vanished: 4 });
  });

  it("a route that vanished since the plan is reported from ReplaceRoute's answer, never re-created", async () => {
    const { run } = setup({ burst: 10, refillPerSecond: 5 });
    ec2Mock.on(ReplaceRouteCommand, { DestinationCidrBlock: routes[1].d }).rejects(
      ec2Error('InvalidParameterValue', {
        status: 400,
        message: `There is no route defined for '${routes[1].d}' in the route table. Use CreateRoute instead.`,
      }),
    );
    const result = await run(input(new Date(T0).toISOString()));
    expect(result.counts).toEqual({ replaced: 4, vanished: 1 });
  });

  it(`sends nothing when the batch would not get all its turns within \
its budget: Ec2ThrottledError, the state machine retries it`, async () => {
    const { run, pacer } = setup({ burst: 1, refillPerSecond: 0.01 });
    await expect(run(input(new Date(T0).toISOString()), { budgetMs: 10_000 })).rejects.toMatchObject({
      name: 'Ec2ThrottledError',
    });
    expect(replaceCalls()).toEqual([]);
    expect(pacer.stats.refused).toBe(1);
  });

  it(`without a budget given, waits as long as the longest queue \
its groups can form: 40 batches of 20 ahead, it keeps its place`, async () => {
    const { run, pacer, sentAt } = setup(REPLACE_ROUTE_PACE);
    const config = parseConfig({
      ...configInput(),
      groups: configInput().groups.map((g: object) => ({ ...g, maxConcurrency: 40 })),
    });
    // The other 39 batches of the Map and 15 turns of a 40th reserved first: 795 turns, 750 past the pacer's 45.
    for (let i = 0; i < 39; i++) await pacer.reserve(20);
    await pacer.reserve(15);
    const result = await run(input(new Date(T0).toISOString()), { config, budgetMs: undefined });
    expect(result.counts).toEqual({ replaced: 5 });
    // Turns 796..800: the 755th past the capacity comes at the 151st refill (5 per second).
    expect(Math.max(...routes.map((r) => sentAt[r.d] - T0))).toBe(151_000);
    expect(pacer.stats.refused).toBe(0);
  });

  it(`RequestLimitExceeded from another caller of the account \
empties the pacer; the retry waits its backoff and its turn`, async () => {
    const { run, pacer, sentAt } = setup({ burst: 5, refillPerSecond: 5 }, { throttleOnce: routes[0].d });
    const result = await run(input(new Date(T0).toISOString()));
    expect(pacer.stats.throttled).toBe(1);
    expect(result.counts).toEqual({ replaced: 5 });
    expect(result.exceptions).toEqual([{ i: 0, st: 'replaced', a: 2 }]);
    // Backoff 100 ms (random 1), and the bucket was empty: the retry's turn is the next refill, on the whole second.
    expect(sentAt[routes[0].d] - T0).toBe(1000);
  });
});
