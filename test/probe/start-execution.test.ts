import { ExecutionAlreadyExists, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { executionArnOf, executionName, stepFunctionsStarter } from '../../functions/probe/start-execution';
import { parseTrigger } from '../../functions/contract/triggers';
import { STATE_MACHINE_ARN } from './fakes';

/** Deterministic execution names, and StartExecution as sent to Step Functions (aws-sdk-client-mock). */

const FAILURE = Date.parse('2026-11-25T14:30:10.300Z');
const NAME_RULE = /^[A-Za-z0-9_-]{1,80}$/;

describe('executionName', () => {
  it('is probe-<group>-<member>-<first failure in epoch milliseconds> (rounds are sub-second)', () => {
    expect(executionName('onprem-edge', 'router-a', FAILURE)).toBe('probe-onprem-edge-router-a-1795617010300');
  });

  it('is the same for the same failure and differs for another failure or member', () => {
    expect(executionName('g', 'router-a', FAILURE)).toBe(executionName('g', 'router-a', FAILURE));
    expect(executionName('g', 'router-a', FAILURE + 250)).not.toBe(executionName('g', 'router-a', FAILURE));
    expect(executionName('g', 'router-b', FAILURE)).not.toBe(executionName('g', 'router-a', FAILURE));
  });

  it(`keeps to Step Functions rules for the longest config \
names (80 characters, [A-Za-z0-9_-]), and stays unique`, () => {
    const g = `g${'x'.repeat(62)}`;
    const a = executionName(g, `a${'y'.repeat(62)}`, FAILURE);
    const b = executionName(g, `b${'y'.repeat(62)}`, FAILURE);
    expect(a).toMatch(NAME_RULE);
    expect(a).toHaveLength(80);
    expect(a.endsWith('-1795617010300')).toBe(true);
    expect(a).not.toBe(b);
    expect(executionName(g, `a${'y'.repeat(62)}`, FAILURE)).toBe(a);
  });

  it('replaces any character Step Functions would refuse', () => {
    expect(executionName('g.1', 'r a/b', FAILURE)).toBe('probe-g-1-r-a-b-1795617010300');
  });
});

describe('stepFunctionsStarter (StartExecution as sent)', () => {
  let sfnMock: ReturnType<typeof mockClient>;
  beforeEach(() => {
    sfnMock = mockClient(SFNClient);
  });
  afterEach(() => {
    sfnMock.restore();
  });

  const input = () => ({
    source: 'vpc-route-failover.probe' as const,
    group: 'onprem-edge',
    member: 'router-a',
    failedRounds: 3,
    firstFailureAt: '2026-11-25T14:30:10.300Z',
    lastError: '10.0.1.10:179 timeout: no answer within 1000 ms',
    probe: { ports: [179], intervalMs: 250, downAfterMs: 1000, locations: ['subnet-0123456789abcdef0'] },
  });

  it('starts this state machine under the given name with the request as JSON input', async () => {
    const arn = `${executionArnOf(STATE_MACHINE_ARN, 'n1')}`;
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: arn, startDate: new Date() });

    const out = await stepFunctionsStarter(
      new SFNClient({ region: 'us-east-1' }),
      STATE_MACHINE_ARN,
    )({ name: 'n1', input: input() });

    expect(out).toEqual({ status: 'started', executionArn: arn });
    expect(sfnMock).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfnMock).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: STATE_MACHINE_ARN,
      name: 'n1',
    });
    const sent = sfnMock.commandCalls(StartExecutionCommand)[0].args[0].input;
    expect(parseTrigger(JSON.parse(sent.input!))).toEqual({ kind: 'probe', request: input() });
  });

  it('ExecutionAlreadyExists means this failure was already started: no error', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(new ExecutionAlreadyExists({ message: 'Execution Already Exists', $metadata: {} }));
    const out = await stepFunctionsStarter(
      new SFNClient({ region: 'us-east-1' }),
      STATE_MACHINE_ARN,
    )({ name: 'n1', input: input() });
    expect(out).toEqual({
      status: 'already-started',
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:vpc-route-failover:n1',
    });
  });

  it('any other error is thrown (the probe loop retries it next round)', async () => {
    sfnMock
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    await expect(
      stepFunctionsStarter(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE_ARN)({ name: 'n1', input: input() }),
    ).rejects.toThrow('not authorized');
  });
});
