/** EC2's request token buckets: one per API action, with the documented sizes and refill rates. */

export type Ec2ApiCategory = 'mutating' | 'nonMutating' | 'unfilteredNonMutating';

export interface TokenBucketSpec {
  /** Bucket size: calls that can be made at once from a full bucket. */
  burst: number;
  /** Tokens added per second, continuously, up to `burst`. */
  refillPerSecond: number;
}

/**
 * EC2 request rate limits as the simulator models them, from AWS's page "Request throttling for the Amazon
 * EC2 API" (Amazon EC2 Developer Guide, "Request token limits"). Stated once, here:
 * - per account and region, ONE BUCKET PER API ACTION ("each API is evaluated individually"), shared by
 *   every caller of that action (all Lambdas, the CLI, the console, other tools);
 * - each action's bucket has its category's size and refill: mutating actions (ReplaceRoute, CreateRoute,
 *   DeleteRoute, ReplaceRouteTableAssociation, and the other writes below) 50 tokens, 5/s; non-mutating
 *   actions (DescribeRouteTables, DescribeSubnets: an assumption for both, as the product filters or pages
 *   them) 100 tokens, 20/s; "unfiltered and unpaginated" non-mutating actions 50 tokens, 10/s, where the simulator
 *   puts DescribeInstances, DescribeInstanceStatus and DescribeNetworkInterfaces whatever their filters
 *   (the stricter of their two possible categories);
 * - each call takes one token when it reaches EC2 (after the simulated latency, with its effect); a call
 *   finding fewer than one token fails with RequestLimitExceeded (HTTP 503) and takes none;
 * - refill is continuous (fractional tokens) and every bucket starts full;
 * - not modelled: resource rate limits (per-resource token buckets of a few actions), raised account
 *   limits, SNS quotas.
 */
export const EC2_API_RATE_LIMITS: Readonly<Record<Ec2ApiCategory, TokenBucketSpec>> = {
  mutating: { burst: 50, refillPerSecond: 5 },
  nonMutating: { burst: 100, refillPerSecond: 20 },
  unfilteredNonMutating: { burst: 50, refillPerSecond: 10 },
};

/** The category of each EC2 action the simulator serves (the associations mode's writes included). */
export const EC2_ACTION_CATEGORIES: Readonly<Record<string, Ec2ApiCategory>> = {
  ReplaceRoute: 'mutating',
  CreateRoute: 'mutating',
  DeleteRoute: 'mutating',
  ReplaceRouteTableAssociation: 'mutating',
  AssociateRouteTable: 'mutating',
  CreateRouteTable: 'mutating',
  DeleteRouteTable: 'mutating',
  CreateTags: 'mutating',
  DeleteTags: 'mutating',
  EnableVgwRoutePropagation: 'mutating',
  DisableVgwRoutePropagation: 'mutating',
  DescribeRouteTables: 'nonMutating',
  DescribeSubnets: 'nonMutating',
  DescribeInstances: 'unfilteredNonMutating',
  DescribeInstanceStatus: 'unfilteredNonMutating',
  DescribeNetworkInterfaces: 'unfilteredNonMutating',
};

export interface ThrottlingOptions {
  /** Milliseconds the buckets refill against; the simulator's clock when absent (tests pass a fake one). */
  clock?: () => number;
  /**
   * Overrides of the documented limits: by category (every action of it gets its own bucket of that size)
   * or by action name (that action's bucket only; wins over its category).
   */
  buckets?: Partial<Record<Ec2ApiCategory | string, TokenBucketSpec>>;
}

export const MUTATING_ACTIONS = new Set(Object.keys(EC2_ACTION_CATEGORIES).filter((a) => EC2_ACTION_CATEGORIES[a] === 'mutating'));

/** The token bucket category of an EC2 action (an unknown Describe* is non-mutating, anything else mutating). */
export const ec2ApiCategory = (action: string): Ec2ApiCategory =>
  EC2_ACTION_CATEGORIES[action] ?? (action.startsWith('Describe') ? 'nonMutating' : 'mutating');

/** The bucket an action has under the documented model and the overrides. */
export const ec2ActionLimits = (action: string, overrides?: ThrottlingOptions['buckets']): TokenBucketSpec => {
  const category = ec2ApiCategory(action);
  return { ...EC2_API_RATE_LIMITS[category], ...overrides?.[category], ...overrides?.[action] };
};

/** One token bucket per EC2 action, created on first use, all refilling against one clock. */
export class Ec2RequestBuckets {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly now: () => number,
    private readonly overrides?: ThrottlingOptions['buckets'],
  ) {}

  /** Takes one token of the action's bucket; false (nothing taken) when it has less than one. */
  take(action: string): boolean {
    return this.bucket(action).take();
  }

  /** Tokens left per action, for the actions called so far. */
  tokens(): Record<string, number> {
    return Object.fromEntries([...this.buckets].map(([action, b]) => [action, b.tokens()]));
  }

  private bucket(action: string): TokenBucket {
    let b = this.buckets.get(action);
    if (!b) this.buckets.set(action, (b = new TokenBucket(ec2ActionLimits(action, this.overrides), this.now)));
    return b;
  }
}

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
