import { DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeInstancesCommand,
  DescribeInstanceStatusCommand,
  DescribeRouteTablesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';

/**
 * The guard function as Lambda runs it (functions/guard/index.ts): its clients, as sent. A schedule event,
 * route tables with two routes reverted to the member the last switch left, the group's item in DynamoDB.
 */

const ec2Mock = mockClient(EC2Client);
const ddbMock = mockClient(DynamoDBClient);
const snsMock = mockClient(SNSClient);
const sfnMock = mockClient(SFNClient);

const A = 'i-0a1b2c3d4e5f60001';
const B = 'i-0a1b2c3d4e5f60002';
const VPC = 'vpc-0123456789abcdef0';
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:Test-notifications';
const config = {
  groups: [
    {
      name: 'edge',
      vpcId: VPC,
      members: [
        { name: 'router-a', instanceId: A },
        { name: 'router-b', instanceId: B },
      ],
    },
  ],
};
const instance = (id: string, eni: string, state: 'stopped' | 'running') => ({
  InstanceId: id,
  State: { Name: state },
  NetworkInterfaces: [{ NetworkInterfaceId: eni, SourceDestCheck: false, Attachment: { DeviceIndex: 0 } }],
});

let item: Record<string, any>;
let stdout: jest.SpyInstance;
afterEach(() => stdout.mockRestore());
beforeEach(() => {
  // The EMF lines the function writes to stdout (CloudWatch turns them into metrics).
  stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  for (const m of [ec2Mock, ddbMock, snsMock, sfnMock]) m.reset();
  process.env.FAILOVER_CONFIG = JSON.stringify(config);
  process.env.GROUP_STATE_TABLE = 'group-state';
  process.env.TOPIC_ARN = TOPIC;
  delete process.env.STATE_MACHINE_ARN;
  ec2Mock
    .on(DescribeInstancesCommand)
    .resolves({ Reservations: [{ Instances: [instance(A, 'eni-a', 'stopped'), instance(B, 'eni-b', 'running')] }] });
  ec2Mock.on(DescribeInstanceStatusCommand).resolves({
    InstanceStatuses: [
      { InstanceId: B, InstanceStatus: { Status: 'ok' }, SystemStatus: { Status: 'ok' } },
      { InstanceId: A },
    ],
  });
  ec2Mock.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      {
        RouteTableId: 'rtb-1',
        VpcId: VPC,
        Routes: [
          {
            DestinationCidrBlock: '10.1.0.0/16',
            NetworkInterfaceId: 'eni-a',
            State: 'blackhole',
            Origin: 'CreateRoute',
          },
          {
            DestinationCidrBlock: '10.2.0.0/16',
            NetworkInterfaceId: 'eni-a',
            State: 'blackhole',
            Origin: 'CreateRoute',
          },
          { DestinationCidrBlock: '10.3.0.0/16', NetworkInterfaceId: 'eni-b', State: 'active', Origin: 'CreateRoute' },
        ],
      },
    ],
  });
  const history = {
    lastSwitch: {
      at: 't',
      triggerTime: 't',
      executionId: 'arn:x',
      automatic: true,
      triggerId: 'e',
      to: 'router-b',
      from: ['router-a'],
    },
    automaticSwitches: [],
  };
  item = { group: { S: 'edge' }, history: { S: JSON.stringify(history) } };
  ddbMock.on(GetItemCommand).callsFake(() => ({ Item: item }));
  // The table keeps what the function writes, so the next invocation reads it back.
  ddbMock.on(UpdateItemCommand).callsFake((input) => {
    if (input.UpdateExpression === 'SET #g = :g') item.guard = input.ExpressionAttributeValues[':g'];
    return {};
  });
  snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
});

describe('guard function', () => {
  it(`publishes one notification when findings open, none on \
the next pass, and stores its state in the group item`, async () => {
    const { handler } = await import('../../functions/guard/index');
    const first = await handler({ source: 'vpc-route-failover.guard' });
    expect(first).toMatchObject({
      ok: true,
      findings: 2,
      groups: [{ group: 'edge', change: 'opened', counts: { departed: 2 } }],
    });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: 'ROUTE GUARD OPENED: edge: 2 finding(s) opened',
      MessageAttributes: expect.objectContaining({ outcome: { DataType: 'String', StringValue: 'guard-opened' } }),
    });
    expect(JSON.parse(item.guard.S)).toMatchObject({ total: 2, active: { member: 'router-b', from: 'last-switch' } });
    const emf = stdout.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(emf).toEqual([
      expect.objectContaining({
        Group: 'edge',
        GuardFindings: 2,
        GuardPasses: 1,
        _aws: expect.objectContaining({
          CloudWatchMetrics: [expect.objectContaining({ Namespace: 'VpcRouteFailover/Guard' })],
        }),
      }),
    ]);

    const second = await handler({ source: 'vpc-route-failover.guard' });
    expect(second).toMatchObject({ findings: 2, groups: [{ change: 'none', notified: false }] });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    // Convergence is off by default: the function has no state machine to start.
    expect(sfnMock).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it(`fails the invocation by name when a group cannot be \
notified (its Errors alarm fires); the next pass tries again`, async () => {
    const { handler } = await import('../../functions/guard/index');
    snsMock.on(PublishCommand).rejects(Object.assign(new Error('denied'), { name: 'AuthorizationErrorException' }));
    await expect(handler({ source: 'vpc-route-failover.guard' })).rejects.toMatchObject({
      name: 'GuardPassError',
      message: expect.stringMatching(/edge: notification not published/),
    });
    snsMock.on(PublishCommand).resolves({ MessageId: 'm' });
    await expect(handler({ source: 'vpc-route-failover.guard' })).resolves.toMatchObject({
      groups: [{ change: 'opened', notified: true }],
    });
  });
});
