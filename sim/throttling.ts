/** EC2's request token buckets: one per API action, with the documented sizes and refill rates. */

export type Ec2ApiCategory = 'mutating' | 'nonMutating' | 'unfilteredNonMutating';

export interface TokenBucketSpec {
  /** Bucket size: calls that can be made at once from a full bucket. */
  burst: number;
  /** Tokens added once every second (whole tokens, at one instant), up to `burst`. */
  refillPerSecond: number;
}

/**
 * EC2 request rate limits as the simulator models them, from AWS's page "Request throttling for the Amazon
 * EC2 API" (Amazon EC2 Developer Guide, https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html,
 * "Request token limits"). Stated once, here:
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
 * - refill is ONCE PER SECOND, in whole tokens: "If the bucket is below its maximum capacity, a set number of
 *   tokens is added back to it every second until it reaches its maximum capacity" (same page, "How throttling
 *   is applied"); refill tokens that arrive at a full bucket are discarded. The page does not say at which
 *   instant of the second; the simulator adds them at a fixed instant of every second of its clock,
 *   drawn from its seed unless given (`refillPhaseMs`), so a caller cannot know the phase, as against EC2.
 *   Every bucket starts full;
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
  AssociateAddress: 'mutating',
  DisassociateAddress: 'mutating',
  AssignPrivateIpAddresses: 'mutating',
  UnassignPrivateIpAddresses: 'mutating',
  DescribeRouteTables: 'nonMutating',
  // An assumption, as for DescribeSubnets: the product names the allocation IDs or filters.
  DescribeAddresses: 'nonMutating',
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
  /**
   * When, within each second of the clock, the refill arrives (0-999 ms). AWS does not say, so a caller cannot
   * know it; SimulatedVpc draws it from its seed when absent, so that runs meet EC2's refill at varied instants.
   */
  refillPhaseMs?: number;
}

export const MUTATING_ACTIONS = new Set(
  Object.keys(EC2_ACTION_CATEGORIES).filter((a) => EC2_ACTION_CATEGORIES[a] === 'mutating'),
);

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
    private readonly refillPhaseMs = 0,
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
    if (!b)
      this.buckets.set(
        action,
        (b = new TokenBucket(ec2ActionLimits(action, this.overrides), this.now, this.refillPhaseMs)),
      );
    return b;
  }
}

/**
 * A token bucket refilled once per second (EC2's documented model, see EC2_API_RATE_LIMITS), read against an
 * injected clock: `refillPerSecond` whole tokens arrive once a second, at `refillPhaseMs` past each whole
 * second of the clock, none in between. A caller paced at exactly the refill rate but a few ms early finds it empty.
 */
export class TokenBucket {
  private level: number;
  /** Refills counted into `level` so far: whole seconds since the epoch, shifted by the phase. */
  private ticks: number;

  constructor(
    readonly spec: TokenBucketSpec,
    private readonly now: () => number,
    private readonly refillPhaseMs = 0,
  ) {
    if (!(spec.burst >= 1) || !(spec.refillPerSecond > 0))
      throw new Error('a token bucket needs burst >= 1 and refillPerSecond > 0');
    this.level = spec.burst;
    this.ticks = this.tickAt(now());
  }

  private tickAt(t: number): number {
    return Math.floor((t - this.refillPhaseMs) / 1000);
  }

  /** Tokens available now (whole tokens unless the refill rate is fractional). */
  tokens(): number {
    // A clock that goes backwards (a test resetting it) refills nothing rather than draining the bucket.
    const ticks = Math.max(this.ticks, this.tickAt(this.now()));
    if (ticks > this.ticks) {
      this.level = Math.min(this.spec.burst, this.level + (ticks - this.ticks) * this.spec.refillPerSecond);
      this.ticks = ticks;
    }
    return this.level;
  }

  /** Takes one token if there is one; false (and nothing taken) otherwise. */
  take(): boolean {
    if (this.tokens() < 1) return false;
    this.level -= 1;
    return true;
  }
}
