/**
 * Per-call HTTP limits of every SDK client the functions and the probe build. The pinned
 * @smithy/node-http-handler has no request timeout by default (requestTimeout 0) and, without
 * `throwOnRequestTimeout`, only logs a warning when one is exceeded: a call whose connection hangs would
 * then wait until Lambda kills the function. With these options a hung call is aborted with the SDK's
 * `TimeoutError` (code ETIMEDOUT), which the SDK's standard retry retries and `isTransient` names
 * Ec2TransientError / NotifyTransientError / StateStoreTransientError for the state machine to retry.
 *
 * Budgets (function timeouts from infra/failover-stack.ts; standard retry makes 3 attempts with at most a
 * few hundred ms of backoff between them):
 * - EC2: 3 × 5 s ≈ 16 s per call, inside ResolveTargets' 45 s even when two calls hang in a row, and
 *   PlanSwitch'/VerifySwitch' 90 s; SwitchItems (its timeout sized from the groups, write-budget.ts) makes
 *   one attempt per call and retries each route itself within the 100 s its budget allows after the queue.
 * - SNS: 3 × 5 s ≈ 16 s, inside Notify's 25 s.
 * - DynamoDB and Step Functions (lease, DescribeExecution): 3 × 3 s ≈ 10 s, inside AcquireLease's and
 *   ReleaseLease's 25 s.
 * - The probe's StartExecution: 2 s to connect, 5 s per attempt, inside a round of its 70 s invocation.
 * Normal answers take tens to hundreds of milliseconds, so these limits only cut calls that are stuck.
 */
export interface HttpTimeouts {
  /** Milliseconds to establish the TCP (and TLS) connection. */
  connectionTimeout: number;
  /** Milliseconds from sending the request to the response headers; the call is aborted past it. */
  requestTimeout: number;
}

export const EC2_TIMEOUTS: HttpTimeouts = { connectionTimeout: 3000, requestTimeout: 5000 };
export const SNS_TIMEOUTS: HttpTimeouts = { connectionTimeout: 3000, requestTimeout: 5000 };
export const DYNAMODB_TIMEOUTS: HttpTimeouts = { connectionTimeout: 2000, requestTimeout: 3000 };
export const SFN_TIMEOUTS: HttpTimeouts = { connectionTimeout: 2000, requestTimeout: 3000 };
export const CLOUDWATCH_TIMEOUTS: HttpTimeouts = { connectionTimeout: 2000, requestTimeout: 3000 };
export const PROBE_SFN_TIMEOUTS: HttpTimeouts = { connectionTimeout: 2000, requestTimeout: 5000 };
/**
 * The probe's view writes: a view is judged within the second; a hung write must not hold the next rounds' verdicts.
 */
export const PROBE_DYNAMODB_TIMEOUTS: HttpTimeouts = { connectionTimeout: 1000, requestTimeout: 1000 };
/** The operator CLI: no Lambda budget, but a hung call must still end (a page of history can be large). */
export const CLI_TIMEOUTS: HttpTimeouts = { connectionTimeout: 5000, requestTimeout: 30000 };

/**
 * The `requestHandler` options of an SDK client for these limits: the request timeout really aborts the
 * call (`throwOnRequestTimeout`), and a socket idle for as long (a response body that stops half-way) does too.
 */
export const requestHandlerOptions = (t: HttpTimeouts) => ({
  connectionTimeout: t.connectionTimeout,
  requestTimeout: t.requestTimeout,
  socketTimeout: t.requestTimeout,
  throwOnRequestTimeout: true,
});
