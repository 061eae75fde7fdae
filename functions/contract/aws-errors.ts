import {
  clipText,
  Ec2RequestError,
  Ec2ThrottledError,
  Ec2TransientError,
  FailoverError,
  NotifyTransientError,
} from './errors';

/** The shape SDK v3 service exceptions share (name = the service's error code). */
interface ServiceErrorLike {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

// EC2 throttles with RequestLimitExceeded (per account and API token bucket); the others are what the
// SDK's own classification treats as throttling across services.
const THROTTLING_CODES = new Set([
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'Throttled',
  'TooManyRequestsException',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'EC2ThrottledException',
  'PriorRequestNotComplete',
  // SNS on a KMS-encrypted topic surfaces the key's throttling under its own names.
  'KMSThrottlingException',
  'KMSThrottling',
  // DynamoDB (the group lease table).
  'ProvisionedThroughputExceededException',
  'TransactionConflictException',
]);
// Network-level failures the SDK surfaces as plain errors; safe to retry because every call we make
// is a read or an idempotent ReplaceRoute.
const NETWORK_CODES = new Set([
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'NetworkingError',
]);

/** Error code of an SDK error (its name), or 'UnknownError'. */
export const errorCode = (err: unknown): string => {
  const e = err as ServiceErrorLike & { code?: string };
  return e?.name && e.name !== 'Error' ? e.name : (e?.code ?? 'UnknownError');
};

/** True when an SDK error is throttling. */
export const isThrottling = (err: unknown): boolean => {
  const e = err as ServiceErrorLike;
  return THROTTLING_CODES.has(errorCode(err)) || e?.$retryable?.throttling === true;
};

/** True when an SDK error is a 5xx or a network failure (retry later). */
export const isTransient = (err: unknown): boolean => {
  const e = err as ServiceErrorLike & { code?: string };
  const status = e?.$metadata?.httpStatusCode ?? 0;
  return (
    e?.$fault === 'server' || status >= 500 || NETWORK_CODES.has(errorCode(err)) || NETWORK_CODES.has(e?.code ?? '')
  );
};

/**
 * Characters of an AWS error message kept in state (per-route errors, thrown messages). EC2's own text
 * ("You are not authorized to perform this operation.", "The route table ID '…' does not exist") fits; what
 * is cut is the tail of a long one. Step Functions allows 256 KiB per state for 2,000 routes.
 */
export const ERROR_TEXT_MAX = 200;

// EC2 appends an encoded authorization failure message (about 1.5 KB, different for every request) to
// UnauthorizedOperation; it means something only to `aws sts decode-authorization-message`.
// A message already abridged (its blob replaced by "(N chars, …)") is left as it is.
const ENCODED_AUTHORIZATION = /(Encoded authorization failure message:)\s*([^\s(]\S*)/;

/**
 * An AWS error message as state carries it: the encoded authorization failure message replaced by its
 * length (the full text goes to the function's log), then at most `max` characters.
 */
export const boundedMessage = (message: string, max = ERROR_TEXT_MAX): string =>
  clipText(
    message.replace(
      ENCODED_AUTHORIZATION,
      (_m, label: string, blob: string) => `${label} (${blob.length} chars, in the function log)`,
    ),
    max,
  );

/**
 * `code: message` of an SDK error, bounded (see boundedMessage); equal for equal errors, so
 * they can be summarized once.
 */
export const errorText = (err: unknown, max = ERROR_TEXT_MAX): string =>
  boundedMessage(`${errorCode(err)}: ${(err as Error)?.message ?? String(err)}`, max);

/** True when errorText cut or replaced part of the error's message (then the caller logs it whole). */
export const isAbridged = (err: unknown): boolean =>
  errorText(err) !== `${errorCode(err)}: ${(err as Error)?.message ?? String(err)}`;

/**
 * Turns an EC2 SDK error from a read into a named error: Ec2ThrottledError / Ec2TransientError (retried
 * by the state machine) or Ec2RequestError (permanent). Errors that are already ours pass through.
 */
export const toEc2Error = (err: unknown, what: string): FailoverError => {
  if (err instanceof FailoverError) return err;
  const message = `${what}: ${errorText(err)}`;
  if (isThrottling(err)) return new Ec2ThrottledError(message, { cause: err });
  if (isTransient(err)) return new Ec2TransientError(message, { cause: err });
  return new Ec2RequestError(message, { cause: err });
};

/** Turns an SNS SDK error into NotifyTransientError when retrying can help; otherwise returns it as is. */
export const toSnsError = (err: unknown): unknown => {
  if (isThrottling(err) || isTransient(err)) {
    return new NotifyTransientError(`SNS Publish: ${errorText(err)}`, { cause: err });
  }
  return err;
};
