/** EC2's request token buckets. */

export type Ec2ApiCategory = 'nonMutating' | 'mutating';

export interface TokenBucketSpec {
  /** Bucket size: calls that can be made at once from a full bucket. */
  burst: number;
  /** Tokens added per second, continuously, up to `burst`. */
  refillPerSecond: number;
}

/**
 * EC2 request rate limits as the simulator models them. ASSUMPTIONS, stated once here (they are the
 * documented defaults of EC2's request token buckets; real accounts may have raised limits):
 * - per account and region, one bucket per API category, shared by every caller (all Lambdas, the CLI…);
 * - non-mutating actions (Describe*): 100 tokens burst, 20 tokens/s refill;
 * - mutating actions (ReplaceRoute, CreateRoute, DeleteRoute): 200 tokens burst, 5 tokens/s refill;
 * - each call takes one token when it reaches EC2 (after the simulated latency, with its effect); a call
 *   finding fewer than one token fails with RequestLimitExceeded (HTTP 503) and takes none;
 * - refill is continuous (fractional tokens) and both buckets start full;
 * - not modelled: EC2's separate "unfiltered and unpaginated" Describe bucket, per-action resource
 *   rate limits, and SNS quotas.
 */
export const EC2_API_RATE_LIMITS: Readonly<Record<Ec2ApiCategory, TokenBucketSpec>> = {
  nonMutating: { burst: 100, refillPerSecond: 20 },
  mutating: { burst: 200, refillPerSecond: 5 },
};

export interface ThrottlingOptions {
  /** Milliseconds the buckets refill against; the simulator's clock when absent (tests pass a fake one). */
  clock?: () => number;
  /** Overrides of the assumed limits, per category. */
  buckets?: Partial<Record<Ec2ApiCategory, TokenBucketSpec>>;
}

export const MUTATING_ACTIONS = new Set(['ReplaceRoute', 'CreateRoute', 'DeleteRoute']);

/** The token bucket category of an EC2 action: ReplaceRoute, CreateRoute and DeleteRoute mutate, Describe* read. */
export const ec2ApiCategory = (action: string): Ec2ApiCategory => (MUTATING_ACTIONS.has(action) ? 'mutating' : 'nonMutating');

/** A token bucket with continuous refill, read against an injected clock. */
export class TokenBucket {
  private level: number;
  private last: number;

  constructor(
    readonly spec: TokenBucketSpec,
    private readonly now: () => number,
  ) {
    if (!(spec.burst >= 1) || !(spec.refillPerSecond > 0)) throw new Error('a token bucket needs burst >= 1 and refillPerSecond > 0');
    this.level = spec.burst;
    this.last = now();
  }

  /** Tokens available now (fractional). */
  tokens(): number {
    const t = this.now();
    // A clock that goes backwards (a test resetting it) refills nothing rather than draining the bucket.
    this.level = Math.min(this.spec.burst, this.level + (Math.max(0, t - this.last) * this.spec.refillPerSecond) / 1000);
    this.last = Math.max(this.last, t);
    return this.level;
  }

  /** Takes one token if there is one; false (and nothing taken) otherwise. */
  take(): boolean {
    if (this.tokens() < 1) return false;
    this.level -= 1;
    return true;
  }
}
