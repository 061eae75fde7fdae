import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ReplaceRouteCommand,
  type ReplaceRouteCommandInput,
  type Route,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { writeBatch } from '../../functions/aws/paced-writer';
import { routeSwitch, type RouteSwitchDeps } from '../../functions/aws/route-switch';
import {
  Ec2RequestError,
  Ec2ThrottledError,
  Ec2TransientError,
  InvalidRequestError,
} from '../../functions/contract/errors';
import { parseInput } from '../../functions/contract/parse-input';
import {
  BatchResultSchema,
  ReplaceBatchInputSchema,
  type BatchRoute,
  type ReplaceBatchInput,
} from '../../functions/contract/schemas';
import { parseConfig } from '../../functions/contract/config';
import { InMemoryGroupStateStore } from '../../functions/domain/group-state';
import { configInput, GROUP, IDS } from '../unit/fixtures';
import type { BatchResult } from '../../functions/contract/schemas';

/** The listed routes with their error text inline (a result keeps each distinct text once, in `errors`). */
const exceptionsOf = (r: BatchResult) =>
  r.exceptions.map(({ x, ...rest }) => (x === undefined ? rest : { ...rest, e: r.errors?.[x] }));

/** Every route of an n-route batch: the usual ones (one call, the usual status and error) and the listed ones. */
const routeOutcomes = (r: BatchResult, n: number) => {
  const listed = new Map(exceptionsOf(r).map((x) => [x.i, x]));
  const usualError = r.usualError === undefined ? {} : { e: r.errors?.[r.usualError] };
  return Array.from({ length: n }, (_, i) => listed.get(i) ?? { i, st: r.usual, a: 1, ...usualError });
};
import { ec2Error, eniRoute, failoverState, FIXED_NOW, igwRoute, localRoute, routeTable } from './ec2-fixtures';

/** One route batch through the routes kind and the paced writer, as SwitchItems writes it. */
const replaceRoutes = (i: ReplaceBatchInput, d: RouteSwitchDeps) => writeBatch(routeSwitch, i, d);

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'eu-west-1' });

/** EC2's view of the interfaces: router-a's eth0/eth1 and router-b's, attached as failoverState() pairs them. */
const membersAttached = () =>
  ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({
    NetworkInterfaces: [
      { NetworkInterfaceId: IDS.eniA0, Attachment: { InstanceId: IDS.routerA, DeviceIndex: 0 } },
      { NetworkInterfaceId: IDS.eniA1, Attachment: { InstanceId: IDS.routerA, DeviceIndex: 1 } },
      { NetworkInterfaceId: IDS.eniB0, Attachment: { InstanceId: IDS.routerB, DeviceIndex: 0 } },
      { NetworkInterfaceId: IDS.eniB1, Attachment: { InstanceId: IDS.routerB, DeviceIndex: 1 } },
    ],
  });

beforeEach(() => {
  ec2Mock.reset();
  membersAttached();
});

// Whatever happened in a test, a route is only ever replaced in place: never deleted, never (re-)created.
afterEach(() => {
  expect(ec2Mock).toHaveReceivedCommandTimes(DeleteRouteCommand, 0);
  expect(ec2Mock).toHaveReceivedCommandTimes(CreateRouteCommand, 0);
});

const AT = FIXED_NOW().toISOString();
const BATCH_ID = 3;

/** A batch of rtbPrivateA against the pairs of failoverState(): p 0 is eth0 (A0 → B0), p 1 is eth1 (A1 → B1). */
const input = (routes: BatchRoute[], dryRun = false): ReplaceBatchInput => ({
  batch: { id: BATCH_ID, routeTableId: IDS.rtbPrivateA, routes },
  group: GROUP,
  vpcId: IDS.vpc,
  pairs: failoverState().pairs,
  dryRun,
});
// Shared by name for readable assertions; frozen so that no test can change them for another.
const R1: BatchRoute = Object.freeze({ d: '10.1.0.0/16', p: 0 });
const R2: BatchRoute = Object.freeze({ d: '10.2.0.0/16', p: 1 });
const R3: BatchRoute = Object.freeze({ d: '10.3.0.0/16', p: 0 });

/** rtbPrivateA as DescribeRouteTables returns it, with these routes next to its local route. */
const tableHas = (...routes: Route[]) =>
  ec2Mock
    .on(DescribeRouteTablesCommand)
    .resolves({ RouteTables: [routeTable(IDS.rtbPrivateA, [localRoute(), ...routes])] });
/** The table as planned: R1..R3 still on router-a. */
const tableAsPlanned = () => tableHas(eniRoute(R1.d, IDS.eniA0), eniRoute(R2.d, IDS.eniA1), eniRoute(R3.d, IDS.eniA0));

const ok = () => ({ $metadata: { httpStatusCode: 200 }, Return: true });
const throttled = () => ec2Error('RequestLimitExceeded', { status: 503, message: 'Request limit exceeded.' });
const serverError = () =>
  ec2Error('InternalError', { fault: 'server', status: 500, message: 'An internal error has occurred.' });

/** Runs replaceRoutes with a recorded (instant) sleep and a fixed random, unless told otherwise. */
const harness = (overrides: Partial<RouteSwitchDeps> = {}) => {
  const sleeps: number[] = [];
  const deps: RouteSwitchDeps = {
    ec2,
    config: parseConfig(configInput()),
    store: new InMemoryGroupStateStore(),
    now: FIXED_NOW,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 1,
    retry: { attempts: 4, baseMs: 100, maxMs: 1000 },
    ...overrides,
  };
  return { sleeps, run: (i: ReplaceBatchInput) => replaceRoutes(i, deps) };
};

/** The ReplaceRoute requests as sent, in order. */
const replaceCalls = (): ReplaceRouteCommandInput[] =>
  ec2Mock.commandCalls(ReplaceRouteCommand).map((c) => c.args[0].input);
const sentFor = (destination: string) => replaceCalls().filter((c) => c.DestinationCidrBlock === destination);

describe('replaceRoutes: what is sent', () => {
  it(`reads its table first (vpc-id and route-table-id filters), \
then replaces each route in place with the paired ENI`, async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    const result = await harness().run(input([R1, R2, R3]));

    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeRouteTablesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'vpc-id', Values: [IDS.vpc] },
        { Name: 'route-table-id', Values: [IDS.rtbPrivateA] },
      ],
    });
    // The interfaces are checked against the group first (authorize.ts), then the table is read.
    expect(ec2Mock.call(0).args[0]).toBeInstanceOf(DescribeNetworkInterfacesCommand);
    expect(
      ec2Mock.calls().filter((c) => !(c.args[0] instanceof DescribeNetworkInterfacesCommand))[0].args[0],
    ).toBeInstanceOf(DescribeRouteTablesCommand);
    expect(replaceCalls()).toEqual([
      { RouteTableId: IDS.rtbPrivateA, DestinationCidrBlock: R1.d, NetworkInterfaceId: IDS.eniB0, DryRun: false },
      { RouteTableId: IDS.rtbPrivateA, DestinationCidrBlock: R2.d, NetworkInterfaceId: IDS.eniB1, DryRun: false },
      { RouteTableId: IDS.rtbPrivateA, DestinationCidrBlock: R3.d, NetworkInterfaceId: IDS.eniB0, DryRun: false },
    ]);
    // Each route's switch time, in 10 ms units back from `at` (here the clock stands still).
    expect(result).toEqual({
      id: BATCH_ID,
      routeTableId: IDS.rtbPrivateA,
      usual: 'replaced',
      counts: { replaced: 3 },
      exceptions: [],
      at: AT,
      sw: '0,0,0',
    });
    expect(BatchResultSchema.parse(result)).toEqual(result);
  });

  it(`names the destination with the key of its kind: DestinationCidrBlock, \
DestinationIpv6CidrBlock, DestinationPrefixListId`, async () => {
    tableHas(
      eniRoute('10.1.0.0/16', IDS.eniA0),
      eniRoute('2001:db8:1234::/48', IDS.eniA0),
      eniRoute(IDS.prefixList, IDS.eniA1),
    );
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    await harness().run(
      input([
        { d: '10.1.0.0/16', p: 0 },
        { d: '2001:db8:1234::/48', p: 0 },
        { d: IDS.prefixList, p: 1 },
      ]),
    );

    // toEqual on the whole request: no second destination key, no InstanceId or other target.
    expect(replaceCalls()).toEqual([
      {
        RouteTableId: IDS.rtbPrivateA,
        DestinationCidrBlock: '10.1.0.0/16',
        NetworkInterfaceId: IDS.eniB0,
        DryRun: false,
      },
      {
        RouteTableId: IDS.rtbPrivateA,
        DestinationIpv6CidrBlock: '2001:db8:1234::/48',
        NetworkInterfaceId: IDS.eniB0,
        DryRun: false,
      },
      {
        RouteTableId: IDS.rtbPrivateA,
        DestinationPrefixListId: IDS.prefixList,
        NetworkInterfaceId: IDS.eniB1,
        DryRun: false,
      },
    ]);
  });

  it('replaces a route that was blackhole when planned (b: 1) like any other', async () => {
    tableHas(eniRoute(R1.d, IDS.eniA0, { State: 'blackhole' }));
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    const result = await harness().run(input([{ ...R1, b: 1 }]));

    expect(ec2Mock).toHaveReceivedCommandWith(ReplaceRouteCommand, {
      DestinationCidrBlock: R1.d,
      NetworkInterfaceId: IDS.eniB0,
    });
    expect(result).toMatchObject({ usual: 'replaced', counts: { replaced: 1 }, exceptions: [] });
  });

  it('dry run: sends DryRun: true, and DryRunOperation is the usual outcome', async () => {
    tableAsPlanned();
    ec2Mock
      .on(ReplaceRouteCommand)
      .rejects(
        ec2Error('DryRunOperation', { status: 412, message: 'Request would have succeeded, but DryRun flag is set.' }),
      );

    const { run, sleeps } = harness();
    const result = await run(input([R1, R2], true));

    expect(replaceCalls().map((c) => [c.DestinationCidrBlock, c.NetworkInterfaceId, c.DryRun])).toEqual([
      [R1.d, IDS.eniB0, true],
      [R2.d, IDS.eniB1, true],
    ]);
    expect(result).toEqual({
      id: BATCH_ID,
      routeTableId: IDS.rtbPrivateA,
      usual: 'dry-run',
      counts: { 'dry-run': 2 },
      exceptions: [],
      at: AT,
    });
    expect(sleeps).toEqual([]);
  });

  it('defaults DryRun to false when the Map item carries no dryRun', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());
    const { dryRun: _omitted, ...raw } = input([R1]);

    await harness().run(parseInput(ReplaceBatchInputSchema, raw, 'SwitchItems input'));

    expect(ec2Mock).toHaveReceivedCommandWith(ReplaceRouteCommand, { DryRun: false });
  });

  it('an invalid Map item (empty batch, no vpcId) is an InvalidRequestError', () => {
    expect(() =>
      parseInput(
        ReplaceBatchInputSchema,
        { ...input([R1]), batch: { id: 0, routeTableId: IDS.rtbPrivateA, routes: [] } },
        'SwitchItems input',
      ),
    ).toThrow(InvalidRequestError);
    const { vpcId: _omitted, ...noVpc } = input([R1]);
    expect(() => parseInput(ReplaceBatchInputSchema, noVpc, 'SwitchItems input')).toThrow(/vpcId/);
  });

  it('a batch naming an interface pair that does not exist fails before any call to EC2', async () => {
    await expect(harness().run(input([{ d: R1.d, p: 7 }]))).rejects.toThrow(/pair 7 is missing or unpaired/);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});

describe('replaceRoutes: reads before it writes (a re-run only does what is left)', () => {
  it('a route already on its new interface is not written again', async () => {
    tableHas(eniRoute(R1.d, IDS.eniB0), eniRoute(R2.d, IDS.eniA1));
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    const result = await harness().run(input([R1, R2]));

    expect(replaceCalls().map((c) => c.DestinationCidrBlock)).toEqual([R2.d]);
    expect(result).toEqual({
      id: BATCH_ID,
      routeTableId: IDS.rtbPrivateA,
      usual: 'replaced',
      counts: { 'already-on-target': 1, replaced: 1 },
      exceptions: [{ i: 0, st: 'already-on-target' }],
      at: AT,
      sw: ',0',
    });
  });

  it('a batch re-run after it succeeded writes nothing', async () => {
    tableHas(eniRoute(R1.d, IDS.eniB0), eniRoute(R2.d, IDS.eniB1));

    const result = await harness().run(input([R1, R2]));

    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
    expect(result.counts).toEqual({ 'already-on-target': 2 });
  });

  it('a route absent from the table vanished: reported, not written, never re-created', async () => {
    tableHas(eniRoute(R1.d, IDS.eniA0), eniRoute(R3.d, IDS.eniA0));
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    const result = await harness().run(input([R1, R2, R3]));

    expect(replaceCalls().map((c) => c.DestinationCidrBlock)).toEqual([R1.d, R3.d]);
    expect(result.counts).toEqual({ replaced: 2, vanished: 1 });
    expect(exceptionsOf(result)).toEqual([
      { i: 1, st: 'vanished', e: expect.stringMatching(/^no route for 10\.2\.0\.0\/16 any more \(not re-created\)$/) },
    ]);
  });

  it('a route table that is gone (not returned within the VPC): every route vanished, nothing sent', async () => {
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });

    const result = await harness().run(input([R1, R2]));

    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
    expect(result.counts).toEqual({ vanished: 2 });
    expect(exceptionsOf(result)).toEqual([
      { i: 0, st: 'vanished', e: `route table ${IDS.rtbPrivateA} no longer exists` },
      { i: 1, st: 'vanished', e: `route table ${IDS.rtbPrivateA} no longer exists` },
    ]);
  });

  it(`a route that vanished between the read and the write ("There \
is no route defined…") is vanished, not retried, not re-created`, async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());
    ec2Mock.on(ReplaceRouteCommand, { DestinationCidrBlock: R2.d }).rejects(
      ec2Error('InvalidParameterValue', {
        message: `There is no route defined for '${R2.d}' in the route table. Use CreateRoute instead.`,
      }),
    );

    const { run, sleeps } = harness();
    const result = await run(input([R1, R2, R3]));

    expect(sentFor(R2.d)).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(result.counts).toEqual({ replaced: 2, vanished: 1 });
    expect(exceptionsOf(result)).toEqual([
      {
        i: 1,
        st: 'vanished',
        a: 1,
        e: expect.stringMatching(/^InvalidParameterValue: There is no route defined for '10\.2\.0\.0\/16'/),
      },
    ]);
  });

  it('a table deleted between the read and the write (InvalidRouteTableID.NotFound) is vanished', async () => {
    tableAsPlanned();
    ec2Mock
      .on(ReplaceRouteCommand)
      .rejects(
        ec2Error('InvalidRouteTableID.NotFound', { message: `The routeTable ID '${IDS.rtbPrivateA}' does not exist` }),
      );

    const result = await harness().run(input([R1]));

    expect(routeOutcomes(result, 1)).toEqual([
      { i: 0, st: 'vanished', a: 1, e: expect.stringMatching(/^InvalidRouteTableID\.NotFound: /) },
    ]);
  });

  it('another InvalidParameterValue is not mistaken for a vanished route', async () => {
    tableAsPlanned();
    ec2Mock
      .on(ReplaceRouteCommand)
      .rejects(
        ec2Error('InvalidParameterValue', { message: 'Value (eni-x) for parameter networkInterfaceId is invalid.' }),
      );

    const result = await harness().run(input([R1]));

    expect(routeOutcomes(result, 1)).toEqual([
      {
        i: 0,
        st: 'failed',
        a: 1,
        e: 'InvalidParameterValue: Value (eni-x) for parameter networkInterfaceId is invalid.',
      },
    ]);
  });

  it('conflict: a route someone pointed at a third target meanwhile is left alone and reported', async () => {
    tableHas(
      { ...igwRoute(), DestinationCidrBlock: R1.d },
      eniRoute(R2.d, 'eni-0fffffffffffffff0'),
      // Planned from eth0 (A0) but now on router-a's eth1: not the interface the plan read either.
      eniRoute(R3.d, IDS.eniA1),
    );
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    const result = await harness().run(input([R1, R2, R3]));

    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
    expect(result.counts).toEqual({ conflict: 3 });
    expect(exceptionsOf(result).map((x) => [x.i, x.st, x.a])).toEqual([
      [0, 'conflict', undefined],
      [1, 'conflict', undefined],
      [2, 'conflict', undefined],
    ]);
    expect(exceptionsOf(result)[0].e).toContain('points at igw-0123456789abcdef0 now, not at eni-0a0000000000000a0');
    expect(exceptionsOf(result)[1].e).toContain('eni-0fffffffffffffff0');
    expect(exceptionsOf(result)[2].e).toContain(`points at ${IDS.eniA1} now`);
  });

  it('conflict on one route does not stop the others', async () => {
    tableHas(eniRoute(R1.d, IDS.eniA0), eniRoute(R2.d, 'eni-0fffffffffffffff0'), eniRoute(R3.d, IDS.eniA0));
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    const result = await harness().run(input([R1, R2, R3]));

    expect(replaceCalls().map((c) => c.DestinationCidrBlock)).toEqual([R1.d, R3.d]);
    expect(result.counts).toEqual({ replaced: 2, conflict: 1 });
    expect(exceptionsOf(result)).toEqual([
      {
        i: 1,
        st: 'conflict',
        t: 'eni-0fffffffffffffff0',
        e: expect.stringContaining('changed by someone else, left alone'),
      },
    ]);
  });
});

describe('replaceRoutes: retries with exponential backoff and full jitter', () => {
  it('throttling on the 2nd call: that route is retried after a backoff and its attempts are recorded', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).resolvesOnce(ok()).rejectsOnce(throttled()).resolves(ok());

    const { run, sleeps } = harness({ random: () => 0.5 });
    const result = await run(input([R1, R2, R3]));

    // The batch's routes go out together; the throttled one is retried after its backoff.
    expect(replaceCalls().map((c) => c.DestinationCidrBlock)).toEqual([R1.d, R2.d, R3.d, R2.d]);
    expect(sleeps).toEqual([50]); // 0.5 × min(1000, 100 × 2^0)
    expect(result.counts).toEqual({ replaced: 3 });
    // Only the route that needed more than one call is listed.
    expect(exceptionsOf(result)).toEqual([{ i: 1, st: 'replaced', a: 2 }]);
  });

  it('delays never exceed the exponential cap min(maxMs, baseMs × 2^(n-1))', async () => {
    tableAsPlanned();
    ec2Mock
      .on(ReplaceRouteCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(serverError())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves(ok());

    const { run, sleeps } = harness({ random: () => 1, retry: { attempts: 6, baseMs: 100, maxMs: 500 } });
    const result = await run(input([R1]));

    const caps = [100, 200, 400, 500, 500];
    expect(sleeps).toHaveLength(caps.length);
    sleeps.forEach((ms, n) => {
      expect(ms).toBeLessThanOrEqual(caps[n]);
    });
    expect(sleeps).toEqual(caps); // random() = 1 reaches the cap exactly
    expect(exceptionsOf(result)).toEqual([{ i: 0, st: 'replaced', a: 6 }]);
  });

  it('full jitter: each delay is random() × the cap, drawn anew for every retry', async () => {
    tableAsPlanned();
    ec2Mock
      .on(ReplaceRouteCommand)
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .rejectsOnce(throttled())
      .resolves(ok());
    const draws = [0.9, 0, 0.25, 0.5];
    const random = jest.fn(() => draws.shift()!);

    const { run, sleeps } = harness({ random, retry: { attempts: 8, baseMs: 200, maxMs: 1000 } });
    await run(input([R1]));

    expect(random).toHaveBeenCalledTimes(4);
    // caps 200, 400, 800, 1000 scaled by the draws; 0 is a legal full-jitter delay.
    expect(sleeps).toEqual([180, 0, 200, 500]);
  });

  it('a 5xx is retried like throttling', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).rejectsOnce(serverError()).resolves(ok());

    const { run, sleeps } = harness();
    const result = await run(input([R1]));

    expect(sleeps).toHaveLength(1);
    expect(exceptionsOf(result)).toEqual([{ i: 0, st: 'replaced', a: 2 }]);
  });

  it(`throttling beyond retry.attempts: the other routes still switch, \
then Ec2ThrottledError (the state machine retries the batch)`, async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());
    ec2Mock.on(ReplaceRouteCommand, { DestinationCidrBlock: R2.d }).rejects(throttled());

    const { run, sleeps } = harness({ random: () => 1, retry: { attempts: 4, baseMs: 100, maxMs: 1000 } });
    const err = await run(input([R1, R2, R3])).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Ec2ThrottledError);
    expect(err).toMatchObject({ name: 'Ec2ThrottledError', transient: true });
    expect((err as Error).message).toContain(`ReplaceRoute ${IDS.rtbPrivateA} ${R2.d}`);
    expect((err as Error).message).toContain(IDS.eniB1);
    expect((err as Error).message).toContain('RequestLimitExceeded: Request limit exceeded. (after 4 attempt(s))');
    expect((err as Error & { cause?: unknown }).cause).toMatchObject({ name: 'RequestLimitExceeded' });
    expect(sentFor(R2.d)).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
    // R3 comes after R2 in the batch and was still replaced before the error surfaced.
    expect(replaceCalls().map((c) => c.DestinationCidrBlock)).toEqual([R1.d, R2.d, R3.d, R2.d, R2.d, R2.d]);
  });

  it('a 5xx to the end → Ec2TransientError', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('Unavailable', { fault: 'server', status: 503 }));

    const err = await harness({ retry: { attempts: 3, baseMs: 10, maxMs: 100 } })
      .run(input([R1]))
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Ec2TransientError);
    expect(err).toMatchObject({ name: 'Ec2TransientError', transient: true });
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 3);
  });

  it('a network failure to the end → Ec2TransientError', async () => {
    tableAsPlanned();
    ec2Mock
      .on(ReplaceRouteCommand)
      .rejects(Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' }));

    await expect(harness({ retry: { attempts: 2, baseMs: 10, maxMs: 100 } }).run(input([R1]))).rejects.toBeInstanceOf(
      Ec2TransientError,
    );
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 2);
  });

  it('stops retrying when the next delay would overrun the time budget', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).rejects(throttled());

    // First delay is 1 × min(60 s, 30 s) = 30 s, more than the 5 s left: no sleep, the batch is handed back at once.
    const { run, sleeps } = harness({
      random: () => 1,
      retry: { attempts: 8, baseMs: 30_000, maxMs: 60_000 },
      budgetMs: 5_000,
    });
    const err = await run(input([R1])).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(Ec2ThrottledError);
    expect((err as Error).message).toContain('after 1 attempt(s)');
    expect(sleeps).toEqual([]);
    expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 1);
  });

  it(`reading the table: throttling → Ec2ThrottledError, 5xx → \
Ec2TransientError, refused → Ec2RequestError; nothing written`, async () => {
    const cases: Array<[Error, new (...a: never[]) => Error]> = [
      [throttled(), Ec2ThrottledError],
      [serverError(), Ec2TransientError],
      [ec2Error('UnauthorizedOperation', { status: 403 }), Ec2RequestError],
    ];
    for (const [error, Named] of cases) {
      ec2Mock.reset();
      membersAttached();
      ec2Mock.on(DescribeRouteTablesCommand).rejects(error);

      const err = await harness()
        .run(input([R1]))
        .catch((e: unknown) => e);

      expect(err).toBeInstanceOf(Named);
      expect((err as Error).message).toContain(`DescribeRouteTables in ${IDS.vpc}`);
      expect(ec2Mock).toHaveReceivedCommandTimes(ReplaceRouteCommand, 0);
    }
  });
});

describe('replaceRoutes: permanent errors are recorded per route', () => {
  it('UnauthorizedOperation on one route: failed, not retried; the other routes still switch', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());
    ec2Mock.on(ReplaceRouteCommand, { DestinationCidrBlock: R2.d }).rejects(
      ec2Error('UnauthorizedOperation', {
        status: 403,
        message: 'You are not authorized to perform this operation.',
      }),
    );

    const { run, sleeps } = harness();
    const result = await run(input([R1, R2, R3]));

    expect(sentFor(R2.d)).toHaveLength(1);
    expect(sleeps).toEqual([]);
    expect(replaceCalls().map((c) => c.DestinationCidrBlock)).toEqual([R1.d, R2.d, R3.d]);
    expect(result).toEqual({
      id: BATCH_ID,
      routeTableId: IDS.rtbPrivateA,
      usual: 'replaced',
      counts: { replaced: 2, failed: 1 },
      exceptions: [{ i: 1, st: 'failed', a: 1, x: 0 }],
      errors: ['UnauthorizedOperation: You are not authorized to perform this operation.'],
      at: AT,
      sw: '0,,0',
    });
  });

  it('a bad target (InvalidNetworkInterfaceID.NotFound) is failed for that route', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).rejects(
      ec2Error('InvalidNetworkInterfaceID.NotFound', {
        message: `The networkInterface ID '${IDS.eniB0}' does not exist`,
      }),
    );

    const result = await harness().run(input([R1]));

    expect(routeOutcomes(result, 1)).toEqual([
      {
        i: 0,
        st: 'failed',
        a: 1,
        e: `InvalidNetworkInterfaceID.NotFound: The networkInterface ID '${IDS.eniB0}' does not exist`,
      },
    ]);
  });

  it('a dry run that EC2 refuses is failed for that route, dry-run for the others', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('DryRunOperation', { status: 412 }));
    ec2Mock
      .on(ReplaceRouteCommand, { DestinationCidrBlock: R1.d })
      .rejects(ec2Error('UnauthorizedOperation', { status: 403, message: 'not authorized' }));

    const result = await harness().run(input([R1, R2], true));

    expect(result).toMatchObject({
      usual: 'dry-run',
      counts: { failed: 1, 'dry-run': 1 },
      exceptions: [{ i: 0, st: 'failed', a: 1, x: 0 }],
      errors: ['UnauthorizedOperation: not authorized'],
    });
  });
});

describe('replaceRoutes: the sparse result', () => {
  it('a clean batch of 20 routes is a few bytes: usual, counts, no exceptions', async () => {
    const routes = Array.from({ length: 20 }, (_, i): BatchRoute => ({ d: `10.${100 + i}.0.0/16`, p: i % 2 }));
    tableHas(...routes.map((r) => eniRoute(r.d, r.p ? IDS.eniA1 : IDS.eniA0)));
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());

    const result = await harness().run(input(routes));

    expect(result).toEqual({
      id: BATCH_ID,
      routeTableId: IDS.rtbPrivateA,
      usual: 'replaced',
      counts: { replaced: 20 },
      exceptions: [],
      at: AT,
      sw: Array(20).fill('0').join(','),
    });
    expect(JSON.stringify(result).length).toBeLessThan(200);
  });

  it('lists every route that is not "usual after one call", by index, and counts every status', async () => {
    const routes: BatchRoute[] = [
      R1,
      R2,
      R3,
      { d: '10.4.0.0/16', p: 0 },
      { d: '10.5.0.0/16', p: 1 },
      { d: '10.6.0.0/16', p: 0 },
    ];
    tableHas(
      eniRoute(R1.d, IDS.eniA0),
      eniRoute(R2.d, IDS.eniB1), // already moved
      eniRoute(R3.d, IDS.eniA0), // throttled once
      // 10.4 vanished
      eniRoute('10.5.0.0/16', 'eni-0fffffffffffffff0'), // conflict
      eniRoute('10.6.0.0/16', IDS.eniA0), // refused
    );
    ec2Mock.on(ReplaceRouteCommand).resolves(ok());
    ec2Mock.on(ReplaceRouteCommand, { DestinationCidrBlock: R3.d }).rejectsOnce(throttled()).resolves(ok());
    ec2Mock
      .on(ReplaceRouteCommand, { DestinationCidrBlock: '10.6.0.0/16' })
      .rejects(ec2Error('UnauthorizedOperation', { status: 403, message: 'no' }));

    const result = await harness().run(input(routes));

    expect(BatchResultSchema.parse(result)).toEqual(result);
    expect(result.usual).toBe('replaced');
    expect(result.counts).toEqual({ replaced: 2, 'already-on-target': 1, vanished: 1, conflict: 1, failed: 1 });
    expect(exceptionsOf(result).map(({ i, st, a }) => ({ i, st, a }))).toEqual([
      { i: 1, st: 'already-on-target', a: undefined },
      { i: 2, st: 'replaced', a: 2 },
      { i: 3, st: 'vanished', a: undefined },
      { i: 4, st: 'conflict', a: undefined },
      { i: 5, st: 'failed', a: 1 },
    ]);
  });
});

describe('replaceRoutes: error texts are bounded and summarized', () => {
  // EC2's UnauthorizedOperation carries an encoded authorization failure message, different for every call.
  const unauthorized = (n: number) =>
    ec2Error('UnauthorizedOperation', {
      status: 403,
      message:
        `You are not authorized to perform this operation. Encoded authorization failure message: ` +
        `${String(n).repeat(1400)}`,
    });

  it(`20 routes refused alike: one error text for the batch, \
no route listed, and each full message in the log once`, async () => {
    const routes = Array.from({ length: 20 }, (_, i): BatchRoute => ({ d: `10.${100 + i}.0.0/16`, p: i % 2 }));
    tableHas(...routes.map((r) => eniRoute(r.d, r.p ? IDS.eniA1 : IDS.eniA0)));
    let n = 0;
    ec2Mock.on(ReplaceRouteCommand).callsFake(() => Promise.reject(unauthorized(++n % 10)));
    const logged: Array<Record<string, unknown>> = [];

    const result = await harness({ log: (e) => logged.push(e) }).run(input(routes));

    expect(result).toEqual({
      id: BATCH_ID,
      routeTableId: IDS.rtbPrivateA,
      usual: 'failed',
      usualError: 0,
      counts: { failed: 20 },
      exceptions: [],
      errors: [
        'UnauthorizedOperation: You are not authorized to perform this operation. Encoded authorization failure ' +
          'message: (1400 chars, in the function log)',
      ],
      at: AT,
    });
    expect(routeOutcomes(result, 20).every((r) => r.st === 'failed' && r.e === result.errors![0])).toBe(true);
    expect(JSON.stringify(result).length).toBeLessThan(400);
    // The abridged text is the same for all 20; the log has it once, with the full message of the first.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      code: 'UnauthorizedOperation',
      destination: routes[0].d,
      errorMessage: expect.stringContaining('1'.repeat(1400)),
    });
  });

  it('a long message without an encoded part is cut at ERROR_TEXT_MAX characters, visibly', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).rejects(
      ec2Error('InvalidParameterValue', {
        message: `Value (${'x'.repeat(2000)}) for parameter destinationCidrBlock is invalid.`,
      }),
    );

    const result = await harness().run(input([R1, R2]));

    expect(result.errors).toHaveLength(1);
    expect(result.errors![0]).toHaveLength(200);
    expect(result.errors![0]).toMatch(/^InvalidParameterValue: Value \(x+…$/);
  });

  it('a thrown error (the batch retried or caught as a whole) has a bounded message too', async () => {
    tableAsPlanned();
    ec2Mock
      .on(ReplaceRouteCommand)
      .rejects(
        ec2Error('RequestLimitExceeded', { status: 503, message: `Request limit exceeded. ${'y'.repeat(3000)}` }),
      );

    const err = (await harness()
      .run(input([R1]))
      .catch((e: unknown) => e)) as Error;

    expect(err).toBeInstanceOf(Ec2ThrottledError);
    expect(err.message.length).toBeLessThanOrEqual(300);
  });
});

describe('replaceRoutes: a dry run is judged by what EC2 answers', () => {
  it('success to a DryRun request (an endpoint that ignores DryRun) is dry-run-ignored, never dry-run', async () => {
    tableAsPlanned();
    ec2Mock.on(ReplaceRouteCommand).rejects(ec2Error('DryRunOperation', { status: 412 }));
    ec2Mock.on(ReplaceRouteCommand, { DestinationCidrBlock: R2.d }).resolves(ok());

    const result = await harness().run(input([R1, R2], true));

    expect(replaceCalls().every((c) => c.DryRun === true)).toBe(true);
    expect(result.counts).toEqual({ 'dry-run': 1, 'dry-run-ignored': 1 });
    expect(routeOutcomes(result, 2)).toEqual([
      { i: 0, st: 'dry-run', a: 1 },
      { i: 1, st: 'dry-run-ignored', a: 1, e: expect.stringContaining('ignored DryRun and CHANGED the route') },
    ]);
  });
});
