import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeExecutionCommand,
  type DescribeExecutionOutput,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { runCli } from '../../cli/route-failover/cli';
import type { AwsTarget } from '../../cli/route-failover/aws-target';
import type { CliDeps } from '../../cli/route-failover/context';
import type { RecordedExecution } from './recorded';

const REGION = 'us-east-1';

/** Fresh clients and their mocks for one test; output captured line by line. */
export const makeDeps = (overrides: Partial<CliDeps> = {}) => {
  const sfn = new SFNClient({ region: REGION });
  const ec2 = new EC2Client({ region: REGION });
  const sts = new STSClient({ region: REGION });
  const cfn = new CloudFormationClient({ region: REGION });
  const ddb = new DynamoDBClient({ region: REGION });
  const mocks = {
    sfn: mockClient(sfn),
    ec2: mockClient(ec2),
    sts: mockClient(sts),
    cfn: mockClient(cfn),
    ddb: mockClient(ddb),
  };
  mocks.sts.on(GetCallerIdentityCommand).resolves({
    Arn: 'arn:aws:sts::111122223333:assumed-role/NetOps/alice',
    Account: '111122223333',
    UserId: 'AROA:alice',
  });
  const out: string[] = [];
  const err: string[] = [];
  const sleeps: number[] = [];
  const deps: CliDeps = {
    sfn,
    ec2,
    sts,
    cfn,
    ddb,
    now: () => new Date('2026-11-25T14:30:00.123Z'),
    out: (s) => out.push(...s.split('\n')),
    err: (s) => err.push(...s.split('\n')),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    pollIntervalMs: 1500,
    ...overrides,
  };
  return { deps, mocks, out, err, sleeps, stdout: () => out.join('\n'), stderr: () => err.join('\n') };
};

/** Every AWS call any mock received, as "Service:Command". */
export const sentCommands = (mocks: Record<string, AwsStub<any, any, any>>): string[] =>
  Object.entries(mocks).flatMap(([service, m]) =>
    m.calls().map((c) => `${service}:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`),
  );

/**
 * Serves recorded executions the way Step Functions does: ListExecutions newest first, paginated
 * (maxResults, nextToken); DescribeExecution by ARN (ExecutionDoesNotExist otherwise); GetExecutionHistory
 * paginated in either order. `reveal(arn)` limits how many events and which status a poll sees (for --wait).
 */
export const serveExecutions = (
  sfnMock: AwsStub<any, any, any>,
  executions: RecordedExecution[],
  opts: {
    pageSize?: number;
    /** Called on each DescribeExecution before `reveal` (a --wait poll starts with one). */
    onDescribe?: (arn: string) => void;
    reveal?: (arn: string) => { events: number; describe?: DescribeExecutionOutput } | undefined;
  } = {},
) => {
  const byArn = new Map(executions.map((x) => [x.arn, x]));
  const newestFirst = [...executions].sort((a, b) => b.describe.startDate!.getTime() - a.describe.startDate!.getTime());
  const page = <T>(items: T[], maxResults: number | undefined, nextToken: string | undefined) => {
    const size = Math.min(maxResults || 1000, opts.pageSize ?? Infinity);
    const start = nextToken ? Number(nextToken) : 0;
    const slice = items.slice(start, start + size);
    return { slice, nextToken: start + size < items.length ? String(start + size) : undefined };
  };
  sfnMock.on(ListExecutionsCommand).callsFake((input) => {
    const { slice, nextToken } = page(newestFirst, input.maxResults, input.nextToken);
    return {
      executions: slice.map((x) => ({
        executionArn: x.arn,
        stateMachineArn: x.describe.stateMachineArn,
        name: x.name,
        status: x.describe.status,
        startDate: x.describe.startDate,
        stopDate: x.describe.stopDate,
      })),
      nextToken,
    };
  });
  sfnMock.on(DescribeExecutionCommand).callsFake((input) => {
    const x = byArn.get(input.executionArn);
    if (!x)
      throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${input.executionArn}'`, $metadata: {} });
    opts.onDescribe?.(x.arn);
    return opts.reveal?.(x.arn)?.describe ?? x.describe;
  });
  sfnMock.on(GetExecutionHistoryCommand).callsFake((input) => {
    const x = byArn.get(input.executionArn);
    if (!x)
      throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${input.executionArn}'`, $metadata: {} });
    const visible: HistoryEvent[] = x.events.slice(0, opts.reveal?.(x.arn)?.events ?? x.events.length);
    const ordered = input.reverseOrder ? [...visible].reverse() : visible;
    const { slice, nextToken } = page(ordered, input.maxResults, input.nextToken);
    return { events: slice, nextToken };
  });
};

// ───────────── the whole CLI, as a shell would run it ─────────────

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `route-failover ARGV` through runCli with the mocked clients (or a simulated EC2 client), files
 * served from `files` (cwd /repo) and env from `env`.
 */
export const cliHarness = (
  opts: { files?: Record<string, string>; env?: Record<string, string>; ec2?: EC2Client; virtualClock?: boolean } = {},
) => {
  // With a virtual clock, time moves only when the CLI sleeps between polls (so --wait timing is exact).
  let t = new Date('2026-11-25T14:30:00.123Z').getTime();
  const clock: Partial<CliDeps> = opts.virtualClock
    ? {
        now: () => new Date(t),
        sleep: async (ms) => {
          h.sleeps.push(ms);
          t += ms;
        },
      }
    : {};
  const h = makeDeps({ ...(opts.ec2 ? { ec2: opts.ec2 } : {}), ...clock });
  const regions: Array<string | undefined> = [];
  const targets: AwsTarget[] = [];
  /** Every line of the last run (stdout and stderr) with the clock's time when it was printed. */
  const stamped: Array<{ at: number; line: string }> = [];
  const files = opts.files ?? {};
  const run = async (argv: string[]): Promise<CliRun> => {
    h.out.length = 0;
    h.err.length = 0;
    stamped.length = 0;
    const stamp = (sink: (s: string) => void) => (s: string) => {
      stamped.push(...s.split('\n').map((line) => ({ at: t, line })));
      sink(s);
    };
    const code = await runCli(argv, opts.env ?? {}, {
      out: stamp(h.deps.out),
      err: stamp(h.deps.err),
      now: h.deps.now,
      readFile: (p) => {
        if (p in files) return files[p];
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${p}'`), { code: 'ENOENT' });
      },
      cwd: '/repo',
      createClients: (target) => {
        targets.push(target);
        regions.push(target.region);
        return { sfn: h.deps.sfn, ec2: h.deps.ec2, sts: h.deps.sts, cfn: h.deps.cfn, ddb: h.deps.ddb };
      },
      sleep: h.deps.sleep,
      pollIntervalMs: h.deps.pollIntervalMs,
    });
    return { code, stdout: h.stdout(), stderr: h.stderr() };
  };
  /** Virtual milliseconds since the harness was made (virtualClock only). */
  const elapsed = () => t - new Date('2026-11-25T14:30:00.123Z').getTime();
  return { ...h, run, regions, targets, elapsed, stamped };
};

// ───────────── a small EC2 estate with fixed IDs, for mocked DescribeInstances / DescribeRouteTables ─────────────

export const IDS = {
  vpc: 'vpc-0f1e2d3c4b5a69788',
  routerA: 'i-0aa11111111111111',
  routerB: 'i-0bb22222222222222',
  routerC: 'i-0cc33333333333333',
  routerD: 'i-0dd44444444444444',
  eniA0: 'eni-0a0000000000000a0',
  eniA1: 'eni-0a0000000000000a1',
  eniB0: 'eni-0b0000000000000b0',
  eniB1: 'eni-0b0000000000000b1',
  rtb1: 'rtb-0a1a1a1a1a1a1a1a1',
  rtb2: 'rtb-0b2b2b2b2b2b2b2b2',
};

export const SM_ARN = 'arn:aws:states:eu-west-1:111122223333:stateMachine:vpc-route-failover';

/** Two groups: onprem-edge (router-a preferred) and dc-west (no preferred member). */
export const configJson = (): string =>
  JSON.stringify({
    groups: [
      {
        name: 'onprem-edge',
        vpcId: IDS.vpc,
        members: [
          { name: 'router-a', instanceId: IDS.routerA },
          { name: 'router-b', instanceId: IDS.routerB },
        ],
        preferred: 'router-a',
      },
      {
        name: 'dc-west',
        vpcId: IDS.vpc,
        members: [
          { name: 'fw-1', instanceId: IDS.routerC },
          { name: 'fw-2', instanceId: IDS.routerD },
        ],
        routeTables: { ids: [IDS.rtb2] },
      },
    ],
  });

const instance = (InstanceId: string, enis: string[], state: string, az: string) => ({
  InstanceId,
  State: { Name: state as never },
  Placement: { AvailabilityZone: az },
  NetworkInterfaces: enis.map((NetworkInterfaceId, DeviceIndex) => ({
    NetworkInterfaceId,
    Attachment: { DeviceIndex, NetworkCardIndex: 0 },
  })),
});

/** DescribeInstances for router-a and router-b with the given states. */
export const routerInstances = (a = 'running', b = 'running') => ({
  Reservations: [
    {
      Instances: [
        instance(IDS.routerA, [IDS.eniA0, IDS.eniA1], a, 'eu-west-1a'),
        instance(IDS.routerB, [IDS.eniB0, IDS.eniB1], b, 'eu-west-1b'),
      ],
    },
  ],
});

/** DescribeRouteTables: one table, 3 routes on the given eth0/eth1 ENIs plus local and igw routes. */
export const routeTables = (eth0: string, eth1: string, third: string = eth0) => ({
  RouteTables: [
    {
      RouteTableId: IDS.rtb1,
      VpcId: IDS.vpc,
      Routes: [
        {
          DestinationCidrBlock: '10.0.0.0/16',
          GatewayId: 'local',
          State: 'active' as const,
          Origin: 'CreateRouteTable' as const,
        },
        {
          DestinationCidrBlock: '192.168.0.0/16',
          NetworkInterfaceId: eth0,
          State: 'active' as const,
          Origin: 'CreateRoute' as const,
        },
        {
          DestinationCidrBlock: '10.100.0.0/16',
          NetworkInterfaceId: eth1,
          State: 'active' as const,
          Origin: 'CreateRoute' as const,
        },
        {
          DestinationCidrBlock: '172.16.0.0/12',
          NetworkInterfaceId: third,
          State: 'active' as const,
          Origin: 'CreateRoute' as const,
        },
        {
          DestinationCidrBlock: '0.0.0.0/0',
          GatewayId: 'igw-00000000000000001',
          State: 'active' as const,
          Origin: 'CreateRoute' as const,
        },
      ],
    },
  ],
});
