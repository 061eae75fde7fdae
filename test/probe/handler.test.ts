import * as net from 'node:net';
import {
  DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MissingEnvError } from '../../functions/contract/errors';
import { STATE_MACHINE_ARN } from './fakes';

/**
 * functions/probe/index.ts as Lambda runs it: env, real TCP to loopback listeners, StartExecution on a mocked
 * SFN client, the probe item on a mocked DynamoDB client (what it sends, kept as DynamoDB would), EMF lines on
 * stdout. Router-b listens on 127.0.0.1; router-a's address 127.0.0.2 has no listener (refused).
 */

const ENV = ['PROBE_CONFIG', 'GROUP', 'STATE_MACHINE_ARN', 'PROBE_LOCATION', 'GROUP_STATE_TABLE'] as const;

/** The UpdateItem expressions the probe sends, applied to one item as DynamoDB would. */
const dynamoItem = (ddb: ReturnType<typeof mockClient>) => {
  const item = new Map<string, string>();
  const attrs = () => Object.fromEntries([...item].map(([k, v]) => [k, { S: v }]));
  ddb.on(UpdateItemCommand).callsFake((i: UpdateItemCommandInput) => {
    const name = Object.values(i.ExpressionAttributeNames!)[0];
    if (i.ConditionExpression === 'attribute_not_exists(#c)' && item.has(name))
      throw Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' });
    if (i.UpdateExpression!.startsWith('REMOVE')) item.delete(name);
    else item.set(name, i.ExpressionAttributeValues![':v']?.S ?? i.ExpressionAttributeValues![':c'].S!);
    return { Attributes: attrs() };
  });
  ddb.on(GetItemCommand).callsFake(() => ({ Item: attrs() }));
  return item;
};

describe('probe handler', () => {
  let server: net.Server;
  let port: number;
  let sfn: ReturnType<typeof mockClient>;
  let ddb: ReturnType<typeof mockClient>;
  let stdout: string[];
  const realNow = Date.now.bind(Date);

  beforeEach(async () => {
    server = net.createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
    sfn = mockClient(SFNClient);
    sfn.on(StartExecutionCommand).resolves({
      executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:x`,
      startDate: new Date(),
    });
    ddb = mockClient(DynamoDBClient);
    stdout = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
      stdout.push(String(chunk));
      return true;
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    sfn.restore();
    ddb.restore();
    for (const k of ENV) delete process.env[k];
    await new Promise<void>((r) => server.close(() => r()));
  });

  /** Makes Date.now read `at` from now on, still advancing in real time. */
  const clockAt = (at: number) => {
    const offset = at - realNow();
    jest.spyOn(Date, 'now').mockImplementation(() => realNow() + offset);
  };

  it('fails with MissingEnvError when its environment is incomplete', async () => {
    const { handler } = await import('../../functions/probe/index');
    await expect(handler({})).rejects.toThrow(MissingEnvError);
  });

  it(`probes from its location for the time it has, publishes its \
view, claims the failure, starts the workflow once, writes EMF`, async () => {
    process.env.PROBE_CONFIG = JSON.stringify({
      groups: [
        {
          name: 'g',
          vpcId: 'vpc-0123456789abcdef0',
          members: [
            { name: 'router-a', instanceId: 'i-0a1b2c3d4e5f60001', probeAddress: '127.0.0.2' },
            { name: 'router-b', instanceId: 'i-0a1b2c3d4e5f60002', probeAddress: '127.0.0.1' },
          ],
          probe: {
            subnetIds: ['subnet-0123456789abcdef0'],
            ports: [port],
            intervalMs: 100,
            timeoutMs: 200,
            downAfterMs: 300,
          },
        },
      ],
    });
    process.env.GROUP = 'g';
    process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
    process.env.PROBE_LOCATION = 'subnet-0123456789abcdef0';
    process.env.GROUP_STATE_TABLE = 'state';
    const item = dynamoItem(ddb);
    const { handler } = await import('../../functions/probe/index');
    const minute = (Math.floor(realNow() / 60_000) + 1) * 60_000;

    // 6.3 s left, 5 s kept in reserve: about 1.3 s of rounds, one every 100 ms.
    clockAt(minute + 1000);
    const first = await handler({}, { getRemainingTimeInMillis: () => 6300 });

    expect(first).toMatchObject({
      group: 'g',
      location: 'subnet-0123456789abcdef0',
      stopped: 'hard-end',
      alerts: 0,
      errors: [],
    });
    expect(first.rounds).toBeGreaterThanOrEqual(10);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const sent = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(sent.stateMachineArn).toBe(STATE_MACHINE_ARN);
    const request = JSON.parse(sent.input!);
    expect(request).toMatchObject({
      source: 'vpc-route-failover.probe',
      group: 'g',
      member: 'router-a',
      probe: { locations: ['subnet-0123456789abcdef0'] },
    });
    expect(sent.name).toBe(`probe-g-router-a-${Date.parse(request.firstFailureAt)}`);
    // The claim stays in the item; the view was removed when the invocation stopped.
    expect([...item.keys()]).toEqual(['c:router-a']);
    expect(
      ddb
        .commandCalls(UpdateItemCommand)
        .every((c) => c.args[0].input.TableName === 'state' && c.args[0].input.Key!.group.S === 'probe#g'),
    ).toBe(true);
    const lines = stdout
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const emf = lines.filter((l) => l._aws);
    expect(emf.find((l) => l.Member === 'router-b')?.ProbeSuccess).toBe(1);
    expect(emf.find((l) => l.Member === 'router-a')?.ProbeSuccess).toBe(0);
    expect(emf.find((l) => l.Location === 'subnet-0123456789abcdef0')?.ProbeRounds).toBe(first.rounds);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'member-down', member: 'router-a' }));

    // The next minute's invocation: router-a is still down and the claim stands, so no new execution.
    clockAt(minute + 60_000 + 1000);
    const second = await handler({}, { getRemainingTimeInMillis: () => 6300 });
    expect(second.started).toEqual([expect.objectContaining({ status: 'started' })]);
    expect(new Set(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name))).toEqual(
      new Set([sent.name]),
    );
  });
});
