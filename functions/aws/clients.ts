import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { SNSClient, type SNSClientConfig } from '@aws-sdk/client-sns';
import { EC2_TIMEOUTS, requestHandlerOptions, SNS_TIMEOUTS } from './http-timeouts';

/**
 * SDK clients as the functions build them (once, at module scope). The SDK's standard retry absorbs short
 * throttling bursts and hung calls (aborted by the request timeout, see http-timeouts.ts) inside one
 * invocation; what it cannot absorb surfaces as a named transient error and the state machine retries it
 * with backoff and full jitter, visible in the execution history.
 * Region, endpoint (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_SNS) and credentials come
 * from the standard environment, so any EC2-compatible endpoint works; `config` overrides (tests, one
 * attempt per call for SwitchItems).
 */
export const createEc2Client = (config: EC2ClientConfig = {}): EC2Client =>
  new EC2Client({
    retryMode: 'standard',
    maxAttempts: 3,
    requestHandler: requestHandlerOptions(EC2_TIMEOUTS),
    ...config,
  });

/** SNS client with the SDK's standard retry and the SNS request timeouts. */
export const createSnsClient = (config: SNSClientConfig = {}): SNSClient =>
  new SNSClient({
    retryMode: 'standard',
    maxAttempts: 3,
    requestHandler: requestHandlerOptions(SNS_TIMEOUTS),
    ...config,
  });
