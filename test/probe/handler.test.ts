import * as net from 'node:net';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { MissingEnvError } from '../../functions/contract/errors';
import { STATE_MACHINE_ARN } from './fakes';

/**
 * functions/probe/index.ts as Lambda runs it: env, real TCP to loopback listeners, StartExecution on a mocked
 * SFN client, EMF lines on stdout, and the detector's counts carried to the next invocation in module scope.
 * Router-b listens on 127.0.0.1; router-a's address 127.0.0.2 has no listener (refused).
 */

const ENV = ['PROBE_CONFIG', 'GROUP', 'STATE_MACHINE_ARN'] as const;

describe('probe handler', () => {
  let server: net.Server;
  let port: number;
  let sfn: ReturnType<typeof mockClient>;
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
    stdout = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: any) => {
      stdout.push(String(chunk));
      return true;
    });
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    sfn.restore();
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

  it(`probes for the time it has, starts the workflow once, \
writes EMF, and carries its counts to the next minute`, async () => {
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
            intervalSeconds: 1,
            timeoutMs: 200,
            failureThreshold: 2,
          },
        },
      ],
    });
    process.env.GROUP = 'g';
    process.env.STATE_MACHINE_ARN = STATE_MACHINE_ARN;
    const { handler } = await import('../../functions/probe/index');
    const minute = (Math.floor(realNow() / 60_000) + 1) * 60_000;

    // 6.3 s left, 5 s kept in reserve: rounds at +0 s and +1 s.
    clockAt(minute + 1000);
    const first = await handler({}, { getRemainingTimeInMillis: () => 6300 });

    expect(first).toMatchObject({ group: 'g', rounds: 2, alerts: 0, errors: [] });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    const sent = sfn.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(sent.stateMachineArn).toBe(STATE_MACHINE_ARN);
    expect(sent.name).toBe(`probe-g-router-a-${Math.floor((minute + 1000) / 1000)}`);
    expect(JSON.parse(sent.input!)).toMatchObject({
      source: 'vpc-route-failover.probe',
      group: 'g',
      member: 'router-a',
      failedRounds: 2,
    });
    const lines = stdout
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const emf = lines.filter((l) => l._aws);
    expect(emf).toHaveLength(2 * 3);
    expect(emf.filter((l) => l.Member === 'router-b').map((l) => l.ProbeSuccess)).toEqual([1, 1]);
    expect(emf.filter((l) => l.Member === 'router-a').map((l) => l.ProbeSuccess)).toEqual([0, 0]);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'WARN', event: 'member-down', member: 'router-a' }));

    // The next minute's invocation in the same (warm) environment: router-a is still down, nothing new starts.
    clockAt(minute + 60_000 + 1000);
    const second = await handler({}, { getRemainingTimeInMillis: () => 6300 });
    expect(second.rounds).toBe(2);
    expect(second.started).toEqual([]);
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
  });
});
