import { boundedMessage, errorText, ERROR_TEXT_MAX, toEc2Error, toSnsError } from '../../functions/contract/aws-errors';
import {
  Ec2RequestError,
  Ec2TransientError,
  NotifyTransientError,
  THROWN_MESSAGE_MAX,
  TRANSIENT_ERROR_NAMES,
} from '../../functions/contract/errors';
import { boundedHandler, boundForStepFunctions } from '../../functions/contract/lambda-errors';
import { lambdaError } from '../../cli/local/local-runner';

const NOT_AUTHORIZED = 'You are not authorized to perform this operation. Encoded authorization failure message: ';
const ENCODED = `${NOT_AUTHORIZED}${'Q'.repeat(1400)}`;

describe('errors as Step Functions carries them', () => {
  it('a thrown error keeps its class and name, loses its stack trace, and is logged whole first', async () => {
    const logged: Array<Record<string, unknown>> = [];
    const handler = boundedHandler(
      async () => {
        throw new Ec2RequestError(`DescribeRouteTables: UnauthorizedOperation: ${'z'.repeat(5000)}`);
      },
      (e) => logged.push(e),
    );

    const err = (await handler({}).catch((e: unknown) => e)) as Error;

    expect(err).toBeInstanceOf(Ec2RequestError);
    expect(err.name).toBe('Ec2RequestError');
    expect(err.message.length).toBeLessThanOrEqual(THROWN_MESSAGE_MAX);
    expect(err.stack).toBe('Ec2RequestError');
    expect(logged).toEqual([
      expect.objectContaining({
        errorType: 'Ec2RequestError',
        stack: expect.stringContaining('lambda-errors.test.ts'),
      }),
    ]);
    // What Lambda then reports: a Cause with a one-line trace.
    const cause = JSON.parse(lambdaError(err).message);
    expect(cause).toEqual({ errorType: 'Ec2RequestError', errorMessage: err.message, trace: ['Ec2RequestError'] });
  });

  it('any error, not only ours, leaves bounded', () => {
    const err = boundForStepFunctions(Object.assign(new Error('x'.repeat(10_000)), { name: 'TypeError' })) as Error;
    expect(err.message.length).toBeLessThanOrEqual(THROWN_MESSAGE_MAX);
    expect(err.stack).toBe('TypeError');
  });

  it("EC2's encoded authorization failure message is replaced by its length, once", () => {
    const once = boundedMessage(ENCODED);
    expect(once).toBe(
      'You are not authorized to perform this operation. Encoded ' +
        'authorization failure message: (1400 chars, in the function log)',
    );
    expect(boundedMessage(once)).toBe(once);
    expect(errorText(Object.assign(new Error(ENCODED), { name: 'UnauthorizedOperation' }))).toBe(
      `UnauthorizedOperation: ${once}`,
    );
    expect(errorText(Object.assign(new Error('y'.repeat(500)), { name: 'InternalError' }))).toHaveLength(
      ERROR_TEXT_MAX,
    );
  });
});

describe('a call aborted by the request timeout is a named transient error', () => {
  // What @smithy/node-http-handler rejects with when requestTimeout passes (throwOnRequestTimeout).
  const timedOut = () =>
    Object.assign(
      new Error('@smithy/node-http-handler - [ERROR] a request has exceeded the configured 5000 ms requestTimeout.'),
      { name: 'TimeoutError', code: 'ETIMEDOUT' },
    );

  it('EC2 → Ec2TransientError, SNS → NotifyTransientError (both retried by the state machine)', () => {
    const ec2 = toEc2Error(timedOut(), 'DescribeRouteTables in vpc-1');
    expect(ec2).toBeInstanceOf(Ec2TransientError);
    expect(ec2.message).toMatch(/^DescribeRouteTables in vpc-1: TimeoutError: /);
    expect(toSnsError(timedOut())).toBeInstanceOf(NotifyTransientError);
    expect(TRANSIENT_ERROR_NAMES).toEqual(expect.arrayContaining(['Ec2TransientError', 'NotifyTransientError']));
  });
});
