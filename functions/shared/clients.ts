import { EC2Client } from '@aws-sdk/client-ec2';
import { SNSClient } from '@aws-sdk/client-sns';

/**
 * SDK clients as the functions build them (once, at module scope). The SDK's standard retry absorbs short
 * throttling bursts inside one invocation; what it cannot absorb surfaces as a named transient error and
 * the state machine retries it with backoff and full jitter, visible in the execution history.
 * Region, endpoint (AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_SNS) and credentials come
 * from the standard environment, so any EC2-compatible endpoint works.
 */
export const createEc2Client = (): EC2Client => new EC2Client({ retryMode: 'standard', maxAttempts: 3 });

/** SNS client with the SDK's standard retry. */
export const createSnsClient = (): SNSClient => new SNSClient({ retryMode: 'standard', maxAttempts: 3 });
