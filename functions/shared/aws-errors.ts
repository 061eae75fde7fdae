import { Ec2RequestError, Ec2ThrottledError, Ec2TransientError, FailoverError, NotifyTransientError } from './errors';

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
const NETWORK_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'NetworkingError']);

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
  return e?.$fault === 'server' || status >= 500 || NETWORK_CODES.has(errorCode(err)) || NETWORK_CODES.has(e?.code ?? '');
};

/**
 * Turns an EC2 SDK error from a read into a named error: Ec2ThrottledError / Ec2TransientError (retried
 * by the state machine) or Ec2RequestError (permanent). Errors that are already ours pass through.
 */
export const toEc2Error = (err: unknown, what: string): FailoverError => {
  if (err instanceof FailoverError) return err;
  const code = errorCode(err);
  const message = `${what}: ${code}: ${(err as Error)?.message ?? String(err)}`;
  if (isThrottling(err)) return new Ec2ThrottledError(message, { cause: err });
  if (isTransient(err)) return new Ec2TransientError(message, { cause: err });
  return new Ec2RequestError(message, { cause: err });
};

/** Turns an SNS SDK error into NotifyTransientError when retrying can help; otherwise returns it as is. */
export const toSnsError = (err: unknown): unknown => {
  if (isThrottling(err) || isTransient(err)) {
    return new NotifyTransientError(`SNS Publish: ${errorCode(err)}: ${(err as Error)?.message ?? String(err)}`, { cause: err });
  }
  return err;
};
