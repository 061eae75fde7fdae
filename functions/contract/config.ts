import { describeIssues } from './config-errors';
import { ConfigError } from './errors';
import * as z from './zod';

/**
 * The one description of failover groups. infra validates cdk.json context `failover` against it at
 * synth time, resolve-targets parses it at cold start (env FAILOVER_CONFIG) and the local runner reads
 * it from a file. There is no second copy of this shape anywhere.
 */

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
// EC2 resource IDs are the prefix and 8 hex digits (older resources) or 17 (since 2016-2018); no other length.
export const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const VPC_ID = /^vpc-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const ROUTE_TABLE_ID = /^rtb-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const SUBNET_ID = /^subnet-([0-9a-f]{8}|[0-9a-f]{17})$/;
export const ALLOCATION_ID = /^eipalloc-([0-9a-f]{8}|[0-9a-f]{17})$/;
const EIGHT_OR_17 = '8 or 17 hex digits';

const AVAILABILITY_ZONE = /^[a-z]{2}(-[a-z0-9]+)+[a-z]$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export const MemberSchema = z.lazy(() =>
  z.strictObject({
    name: z
      .string()
      .check(
        z.regex(NAME, 'letters, digits, "-" or "_", 1-63 characters'),
        z.describe(
          "The member's name in requests, notifications, alarms " +
            'and the CLI: letters, digits, "-" or "_", 1-63 characters.',
        ),
      ),
    instanceId: z
      .string()
      .check(
        z.regex(INSTANCE_ID, `an EC2 instance ID ("i-" and ${EIGHT_OR_17}) such as i-0123456789abcdef0`),
        z.describe(
          'The router\'s EC2 instance ID ("i-" and 8 or 17 hex digits). Its interfaces are read from EC2 at run time ' +
            "and paired with the other members' by slot (eth0 with " +
            'eth0, eth1 with eth1). An instance belongs to one group only.',
        ),
      ),
    /** Address the health probe connects to; the instance's primary private IPv4 address when absent. */
    probeAddress: z
      .optional(z.string().check(z.regex(IPV4, 'an IPv4 address')))
      .check(
        z.describe(
          "The IPv4 address the health probe connects to. Required when the group's probe is enabled: the probe's " +
            'security group allows egress to exactly these addresses.',
        ),
      ),
    /**
     * The member's Availability Zone, when known at synth time (`init` writes it): with it, a secondary private
     * IP that would have to cross zones is refused here rather than at the first run.
     */
    availabilityZone: z
      .optional(z.string().check(z.regex(AVAILABILITY_ZONE, 'an Availability Zone such as us-east-1a')))
      .check(
        z.describe(
          "The member's Availability Zone (init writes it). With it, a secondary private IP that would have to cross " +
            'zones is refused at synth.',
        ),
      ),
  }),
);

/** An interface slot as a network engineer names it: eth0, eth1… (device index on network card 0). */
export const SLOT = /^eth([0-9]|1[0-5])$/;
const SLOT_TEXT = 'an interface slot "eth0" to "eth15" (the device index on network card 0)';

/**
 * The Elastic IPs that follow the active member: allocation IDs (each follows the slot of the interface it is on,
 * or the slot given), or a tag that selects them (each follows the slot it is on). See docs/addresses.md.
 */
export const ElasticIpsSchema = z.lazy(() =>
  z.union([
    z
      .array(
        z.union([
          z
            .string()
            .check(
              z.regex(
                ALLOCATION_ID,
                `an Elastic IP allocation ID ("eipalloc-" and ${EIGHT_OR_17}) such as eipalloc-0123456789abcdef0`,
              ),
            ),
          z.strictObject({
            allocationId: z
              .string()
              .check(
                z.regex(
                  ALLOCATION_ID,
                  `an Elastic IP allocation ID ("eipalloc-" and ${EIGHT_OR_17}) such as eipalloc-0123456789abcdef0`,
                ),
                z.describe('The Elastic IP\'s allocation ID ("eipalloc-" and 8 or 17 hex digits).'),
              ),
            slot: z
              .optional(z.string().check(z.regex(SLOT, SLOT_TEXT)))
              .check(
                z.describe(
                  "The target's interface slot the address goes to " +
                    '("eth0" to "eth15"); absent: the slot it is on now.',
                ),
              ),
          }),
        ]),
      )
      .check(z.minLength(1), z.maxLength(64)),
    z.strictObject({
      tag: z
        .strictObject({
          key: z.string().check(z.minLength(1), z.maxLength(128), z.describe('Tag key.')),
          value: z.string().check(z.maxLength(256), z.describe('Tag value.')),
        })
        .check(z.describe('Every Elastic IP of the account and region that carries this tag.')),
    }),
  ]),
);

/** Secondary private IPv4 addresses that follow the active member (only within one subnet: see the group's check). */
export const SecondaryPrivateIpsSchema = z.lazy(() =>
  z
    .array(
      z.union([
        z.string().check(z.regex(IPV4, 'an IPv4 address such as 10.0.1.100')),
        z.strictObject({
          ip: z
            .string()
            .check(
              z.regex(IPV4, 'an IPv4 address such as 10.0.1.100'),
              z.describe('The secondary private IPv4 address.'),
            ),
          slot: z
            .optional(z.string().check(z.regex(SLOT, SLOT_TEXT)))
            .check(
              z.describe(
                'The target\'s interface slot the address goes to ("eth0" to "eth15"); absent: the slot it is on now.',
              ),
            ),
        }),
      ]),
    )
    .check(z.minLength(1), z.maxLength(64)),
);
export type ElasticIpsConfig = z.infer<typeof ElasticIpsSchema>;
export type SecondaryPrivateIpsConfig = z.infer<typeof SecondaryPrivateIpsSchema>;

export const RouteTableScopeSchema = z.lazy(() =>
  z.union([
    z.strictObject({
      ids: z
        .array(
          z
            .string()
            .check(
              z.regex(ROUTE_TABLE_ID, `a route table ID ("rtb-" and ${EIGHT_OR_17}) such as rtb-0123456789abcdef0`),
            ),
        )
        .check(z.minLength(1), z.describe('The route tables, by ID ("rtb-" and 8 or 17 hex digits).')),
    }),
    z.strictObject({
      tag: z
        .strictObject({
          key: z.string().check(z.minLength(1), z.maxLength(128), z.describe('Tag key.')),
          value: z.string().check(z.maxLength(256), z.describe('Tag value.')),
        })
        .check(z.describe('Every route table of the VPC that carries this tag.')),
    }),
  ]),
);

/**
 * Critical routes, switched first (in the first batches, inside EC2's burst): destinations (IPv4 or IPv6 CIDR
 * as DescribeRouteTables prints it, or a prefix-list ID) and/or every route of the tables carrying a tag.
 */
export const PrioritySchema = z.lazy(() =>
  z
    .strictObject({
      destinations: z
        .optional(
          z
            .array(
              z
                .string()
                .check(
                  z.regex(
                    /^(pl-[0-9a-f]{8,17}|[0-9.]+\/\d{1,2}|[0-9a-f:]+\/\d{1,3})$/,
                    'a CIDR such as 10.0.0.0/16 or 2001:db8::/32, or a prefix-list ID such as pl-0123456789abcdef0',
                  ),
                ),
            )
            .check(z.minLength(1), z.maxLength(1000)),
        )
        .check(
          z.describe(
            'Destinations switched first: IPv4 or IPv6 CIDRs as DescribeRouteTables prints them, or prefix-list IDs.',
          ),
        ),
      routeTableTag: z
        .optional(
          z.strictObject({
            key: z.string().check(z.minLength(1), z.maxLength(128), z.describe('Tag key.')),
            value: z.string().check(z.maxLength(256), z.describe('Tag value.')),
          }),
        )
        .check(z.describe('Every route of the route tables carrying this tag is switched first.')),
    })
    .check(
      z.refine((p) => p.destinations !== undefined || p.routeTableTag !== undefined, {
        message: 'priority names destinations, a routeTableTag, or both',
      }),
    ),
);
export type Priority = z.infer<typeof PrioritySchema>;

export const StatusCheckAlarmSchema = z.lazy(() =>
  z.strictObject({
    enabled: z
      ._default(z.boolean(), true)
      .check(z.describe('Create a StatusCheckFailed alarm per member whose ALARM starts a failover.')),
    /** Consecutive failed one-minute periods before ALARM. */
    evaluationPeriods: z
      ._default(z.int().check(z.gte(1), z.lte(10)), 2)
      .check(z.describe('Consecutive failed one-minute periods before the alarm enters ALARM.')),
  }),
);

/** Automatic failback to the preferred member when it is running again; absent = off (manual failback only). */
export const AutoFailbackSchema = z.lazy(() =>
  z.strictObject({
    /**
     * How long the preferred member must stay running and healthy before routes move back. At most 600 s, so
     * that the hold-down and the failback fit in one execution (the state machine times out after 1800 s).
     */
    holdDownSeconds: z
      ._default(z.int().check(z.gte(0), z.lte(600)), 300)
      .check(
        z.describe(
          'How long the preferred member must stay running and healthy before the routes move back (at most 600 s, ' +
            'so that the hold-down and the failback fit in one execution).',
        ),
      ),
  }),
);

/** Limits automatic failovers per group; manual requests are never suppressed. */
export const FlapDampingSchema = z.lazy(() =>
  z.strictObject({
    maxFailovers: z
      ._default(z.int().check(z.gte(1), z.lte(100)), 3)
      .check(
        z.describe(
          'Automatic switches allowed per group in the window; one more ends as `suppressed` ' +
            '(FailoverSuppressedError).',
        ),
      ),
    windowSeconds: z
      ._default(z.int().check(z.gte(60), z.lte(86400)), 3600)
      .check(z.describe('The sliding window, in seconds.')),
  }),
);

/**
 * Active health probes from inside the VPC (TCP connect to each member); off unless configured. One probe
 * location per subnet (put them in different Availability Zones); a member is declared down only when every
 * live location has seen it fail for `downAfterMs` while a peer answered (docs/detection.md).
 */
export const ProbeSchema = z.lazy(() =>
  z
    .strictObject({
      enabled: z._default(z.boolean(), true).check(z.describe('Turn the probe on or off without deleting its block.')),
      /** Subnets the probe runs in: one location (one function) per subnet, one subnet per AZ. */
      subnetIds: z
        .array(
          z
            .string()
            .check(z.regex(SUBNET_ID, `a subnet ID ("subnet-" and ${EIGHT_OR_17}) such as subnet-0123456789abcdef0`)),
        )
        .check(
          z.minLength(1),
          z.maxLength(4),
          z.describe(
            'Subnets the probe runs in: one probe location (one function) per subnet, one subnet per Availability Zone; they need a path to the Step Functions and DynamoDB APIs.',
          ),
        ),
      /** TCP ports that must accept a connection for a member to count as up (any one failing = round failed). */
      ports: z
        ._default(z.array(z.int().check(z.gte(1), z.lte(65535))).check(z.minLength(1), z.maxLength(8)), [179])
        .check(z.describe('TCP ports that must all accept a connection; if any one fails, the round fails.')),
      /** A round (every member, every port) starts this often; rounds overlap when a connect takes longer. */
      intervalMs: z
        ._default(z.int().check(z.gte(100), z.lte(30000)), 250)
        .check(
          z.describe('Milliseconds between the starts of probe rounds; rounds overlap when a connect takes longer.'),
        ),
      /** A connect with no answer after this long is a failed round. */
      timeoutMs: z
        ._default(z.int().check(z.gte(100), z.lte(10000)), 500)
        .check(
          z.describe('How long one connection attempt may take, in milliseconds; no answer by then fails the round.'),
        ),
      /**
       * A location declares a member down when its failed rounds (a peer answering) span at least this long:
       * an outage shorter than this never fails over; one longer than downAfterMs + intervalMs always does.
       */
      downAfterMs: z
        ._default(z.int().check(z.gte(200), z.lte(120000)), 1000)
        .check(
          z.describe(
            'A location declares a member down when its failed rounds, while a peer answers, span this many milliseconds: a shorter outage never fails over.',
          ),
        ),
      /**
       * Live locations that must agree. Default: 2 when two or more subnets are listed (two AZs must agree), so a
       * single location alone never fails over; 1 lets the survivor decide when the other location is silent.
       */
      minAgreeingLocations: z
        .optional(z.int().check(z.gte(1), z.lte(4)))
        .check(
          z.describe(
            'Live probe locations that must agree before a member is declared down; absent: 2 when two or more subnets are listed, else 1.',
          ),
        ),
      /** Each location writes its view this often (and on every change); a view older than 2.5 × this is not live. */
      heartbeatMs: z
        ._default(z.int().check(z.gte(500), z.lte(30000)), 2000)
        .check(
          z.describe(
            'Each location writes its view this often in milliseconds (and on every change); a view older than 2.5 times this is not live.',
          ),
        ),
    })
    .check(
      z.superRefine((p, ctx) => {
        if (p.downAfterMs < p.intervalMs) {
          ctx.addIssue({
            code: 'custom',
            path: ['downAfterMs'],
            message: `at least intervalMs (${p.intervalMs}): a member is declared down on two failed rounds at least`,
          });
        }
        if (new Set(p.subnetIds).size !== p.subnetIds.length)
          ctx.addIssue({ code: 'custom', path: ['subnetIds'], message: 'a subnet is listed twice' });
        if (p.minAgreeingLocations !== undefined && p.minAgreeingLocations > p.subnetIds.length) {
          ctx.addIssue({
            code: 'custom',
            path: ['minAgreeingLocations'],
            message: `more than the ${p.subnetIds.length} location(s) listed in subnetIds`,
          });
        }
      }),
    ),
);

/**
 * Reserved concurrency of the failover path's Lambda functions (read by infra only). Reserving capacity keeps a
 * failover from being throttled when other functions of the account use up its concurrency. SwitchItems gets
 * the sum over groups of maxConcurrency (the Map's MaxConcurrency in one execution) times
 * simultaneousExecutions, plus headroom; every other Task function gets otherTasks. Only when this section is
 * present: a reservation any account can deploy is none (a new account's quota can be 10, all of it kept
 * unreserved), and the account's quota is never assumed, so `accountConcurrency` is required with it.
 */
export const ReservedConcurrencySchema = z.lazy(() =>
  z
    .strictObject({
      enabled: z
        ._default(z.boolean(), true)
        .check(z.describe('Reserve concurrency for the Task functions; `false` turns the Task reservations off.')),
      /**
       * Executions of one group that may replace routes at the same time. The lease lets one through; more only
       * when a lease is taken over from an execution that is still running its last batch.
       */
      simultaneousExecutions: z
        ._default(z.int().check(z.gte(1), z.lte(10)), 1)
        .check(
          z.describe('Executions of one group that may replace routes at the same time (the lease lets one through).'),
        ),
      /** Added to SwitchItems' reservation (retries of a batch can overlap the batch's last seconds). */
      headroom: z
        ._default(z.int().check(z.gte(0), z.lte(200)), 2)
        .check(z.describe('Added to the reservations (retries of a batch can overlap its last seconds).')),
      /**
       * Each other Task function's reservation. Absent: 4 per group plus headroom, because one router failure can
       * start up to four executions of its group (EC2 stopping, stopped, the status-check alarm, the probe), and
       * every one of them calls AcquireLease.
       */
      otherTasks: z
        .optional(z.int().check(z.gte(1), z.lte(500)))
        .check(
          z.describe(
            "Each other Task function's reservation. Absent: 4 per group " +
              'plus headroom (one router failure can start four executions).',
          ),
        ),
      /**
       * The account's concurrent executions quota in the region (Service Quotas, "Concurrent executions"; 1000 on
       * an established account, as low as 10 on a new one). Lambda keeps 100 of it unreserved, so the stack's
       * reservations must fit in the rest. Required when reserving: synth cannot ask the account.
       */
      accountConcurrency: z
        .optional(z.int().check(z.gte(10)))
        .check(
          z.describe(
            'The account\'s Lambda "Concurrent executions" quota in the stack\'s region (Service Quotas). Required ' +
              'when reserving: synth never assumes it. Lambda keeps 100 unreserved.',
          ),
        ),
    })
    .check(
      z.superRefine((r, ctx) => {
        if (r.enabled && r.accountConcurrency === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['accountConcurrency'],
            message:
              "required when reserving concurrency: the account's " +
              'Lambda "Concurrent executions" quota in the region ' +
              '(Service Quotas → AWS Lambda), e.g. 1000; or "enabled": false',
          });
        }
      }),
    ),
);

/**
 * The route guard: a pass on this schedule (and after each route-table API call CloudTrail reports) reports
 * routes that break the route-table invariant between failovers. `converge` starts a switchover to the active
 * member once findings have stood for `graceSeconds` (off by default: the guard itself never writes a route).
 */
export const GuardSchema = z.lazy(() =>
  z.strictObject({
    intervalMinutes: z
      ._default(z.int().check(z.gte(1), z.lte(60)), 1)
      .check(
        z.describe(
          'Minutes between scheduled guard passes (a pass also follows each route-table API call CloudTrail reports).',
        ),
      ),
    converge: z
      ._default(z.boolean(), false)
      .check(
        z.describe(
          'Start a switchover to the active member once findings a switchover fixes have stood for graceSeconds.',
        ),
      ),
    // At least a minute: a route an operator is fixing by hand, or a failover that is running, must not be raced.
    graceSeconds: z
      ._default(z.int().check(z.gte(60), z.lte(86400)), 300)
      .check(z.describe('How long findings must stand before convergence starts a switchover.')),
  }),
);
export type GuardConfig = z.infer<typeof GuardSchema>;

export const GroupSchema = z.lazy(() =>
  z
    .strictObject({
      name: z
        .string()
        .check(
          z.regex(NAME, 'letters, digits, "-" or "_", 1-63 characters'),
          z.describe(
            "The group's name in requests (`--group`), alarms and " +
              'notifications: letters, digits, "-" or "_", 1-63 characters.',
          ),
        ),
      vpcId: z
        .string()
        .check(
          z.regex(VPC_ID, `a VPC ID ("vpc-" and ${EIGHT_OR_17}) such as vpc-0123456789abcdef0`),
          z.describe('The VPC whose route tables the group owns ("vpc-" and 8 or 17 hex digits).'),
        ),
      members: z
        .array(MemberSchema)
        .check(
          z.minLength(2, 'a group needs at least two members'),
          z.maxLength(8),
          z.describe('The router instances that back each other up: 2 to 8.'),
        ),
      /** The member failback returns to. */
      preferred: z
        .optional(z.string())
        .check(z.describe("The member failback returns to and failover prefers (a member's name).")),
      /** Which route tables the group owns: the whole VPC when absent. */
      routeTables: z
        .optional(RouteTableScopeSchema)
        .check(
          z.describe(
            'The route tables the group owns: `{ "ids": [...] }` or `{ ' +
              '"tag": { "key", "value" } }`; absent: every table of the VPC.',
          ),
        ),
      /** Critical routes switched first (see PrioritySchema). */
      priority: z
        .optional(PrioritySchema)
        .check(
          z.describe(
            "Critical routes, switched first inside EC2's burst: " +
              'destinations and/or the routes of tables carrying a tag.',
          ),
        ),
      /**
       * How a switch is made. "routes": ReplaceRoute on every route to a member (EC2 allows 50 at once, then 5
       * per second). "associations": every association (subnet, gateway, main) of an affected table moves to
       * the target's pre-staged twin table with one ReplaceRouteTableAssociation, whatever the number of routes;
       * twins are kept true by `route-failover prepare` and the scheduled reconcile (functions/domain/twins.ts).
       */
      switchMode: z
        ._default(z.enum(['routes', 'associations']), 'routes')
        .check(
          z.describe(
            '"routes": one ReplaceRoute per route. "associations": each association of an affected table moves to a ' +
              'pre-staged twin table (route-failover prepare).',
          ),
        ),
      /** Routes replaced in parallel (Map MaxConcurrency). */
      maxConcurrency: z
        ._default(z.int().check(z.gte(1), z.lte(40)), 10)
        .check(
          z.describe(
            "Batches (the routes of one route table, at most 20) replaced in parallel: the Map's MaxConcurrency.",
          ),
        ),
      statusCheckAlarm: z
        ._default(StatusCheckAlarmSchema, { enabled: true, evaluationPeriods: 2 })
        .check(z.describe('A StatusCheckFailed alarm per member that starts a failover.')),
      autoFailback: z
        .optional(AutoFailbackSchema)
        .check(
          z.describe(
            'Return to the preferred member when it runs again, after a hold-down; absent: off (manual failback only).',
          ),
        ),
      flapDamping: z
        ._default(FlapDampingSchema, { maxFailovers: 3, windowSeconds: 3600 })
        .check(z.describe('A limit on automatic failovers per group; manual requests are never suppressed.')),
      probe: z.optional(ProbeSchema).check(z.describe('Active TCP health probes from inside the VPC; absent: off.')),
      /** Elastic IPs that follow the active member, moved in the same run as the routes (docs/addresses.md). */
      elasticIps: z
        .optional(ElasticIpsSchema)
        .check(
          z.describe(
            'Elastic IPs that follow the active member: allocation IDs ' +
              '(each optionally pinned to a slot), or a tag that selects them.',
          ),
        ),
      /** Secondary private IPs that follow the active member: only between interfaces of one subnet. */
      secondaryPrivateIps: z
        .optional(SecondaryPrivateIpsSchema)
        .check(
          z.describe(
            'Secondary private IPs that follow the active member; they can move only between interfaces of one subnet.',
          ),
        ),
    })
    .check(
      z.superRefine((g, ctx) => {
        const names = new Set<string>();
        const ids = new Set<string>();
        g.members.forEach((m, i) => {
          if (names.has(m.name))
            ctx.addIssue({
              code: 'custom',
              path: ['members', i, 'name'],
              message: `duplicate member name "${m.name}"`,
            });
          if (ids.has(m.instanceId))
            ctx.addIssue({
              code: 'custom',
              path: ['members', i, 'instanceId'],
              message: `instance ${m.instanceId} is listed twice`,
            });
          names.add(m.name);
          ids.add(m.instanceId);
        });
        if (g.preferred !== undefined && !names.has(g.preferred)) {
          ctx.addIssue({
            code: 'custom',
            path: ['preferred'],
            message: `"${g.preferred}" is not a member of group "${g.name}"`,
          });
        }
        if (g.probe?.enabled) {
          // The probe's security group allows egress to exactly these addresses, so they must be known at synth time.
          g.members.forEach((m, i) => {
            if (!m.probeAddress)
              ctx.addIssue({
                code: 'custom',
                path: ['members', i, 'probeAddress'],
                message: `required when the group's probe is enabled`,
              });
          });
        }
        for (const issue of addressIssues(g)) ctx.addIssue({ code: 'custom', ...issue });
        if (g.autoFailback && g.preferred === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: ['autoFailback'],
            message: 'automatic failback needs a preferred member to return to',
          });
        }
      }),
    ),
);

/**
 * What the config alone says is wrong with a group's addresses: the same address twice, and a secondary private IP
 * in a group whose members are known to be in different Availability Zones (a secondary IP moves only within its
 * subnet, and a subnet is in one zone: CrossZoneSecondaryIp). Without zones in the config, `init` names the problem
 * and every run refuses it before anything moves (functions/domain/addresses).
 */
export const addressIssues = (g: {
  name: string;
  members: Array<{ name: string; availabilityZone?: string }>;
  elasticIps?: ElasticIpsConfig;
  secondaryPrivateIps?: SecondaryPrivateIpsConfig;
}): Array<{ path: PropertyKey[]; message: string }> => {
  const issues: Array<{ path: PropertyKey[]; message: string }> = [];
  const seen = new Set<string>();
  if (Array.isArray(g.elasticIps)) {
    g.elasticIps.forEach((e, i) => {
      const id = typeof e === 'string' ? e : e.allocationId;
      if (seen.has(id)) issues.push({ path: ['elasticIps', i], message: `Elastic IP ${id} is listed twice` });
      seen.add(id);
    });
  }
  const ips = new Set<string>();
  (g.secondaryPrivateIps ?? []).forEach((e, i) => {
    const ip = typeof e === 'string' ? e : e.ip;
    if (ips.has(ip))
      issues.push({ path: ['secondaryPrivateIps', i], message: `secondary private IP ${ip} is listed twice` });
    ips.add(ip);
  });
  const zones = new Map(g.members.filter((m) => m.availabilityZone).map((m) => [m.name, m.availabilityZone!]));
  if (g.secondaryPrivateIps && new Set(zones.values()).size > 1) {
    issues.push({
      path: ['secondaryPrivateIps'],
      message:
        `CrossZoneSecondaryIp: a secondary private IP moves only ` +
        `between interfaces of one subnet, and a subnet is in one ` +
        `Availability Zone; group "${g.name}" spans ${[...zones].map(([m, z]) => `${m} ${z}`).join(', ')}. ` +
        'Move an Elastic IP instead (elasticIps), or route to the interface, or keep such members in one zone',
    });
  }
  return issues;
};

export const FailoverConfigSchema = z.lazy(() =>
  z
    .strictObject({
      groups: z
        .array(GroupSchema)
        .check(z.minLength(1, 'at least one group'), z.describe('The failover groups: at least one.')),
      notifications: z
        ._default(
          z.strictObject({
            emails: z
              ._default(z.array(z.email()), [])
              .check(
                z.describe(
                  'E-mail addresses subscribed to the SNS topic (each must ' +
                    'confirm its subscription); no function receives them.',
                ),
              ),
          }),
          { emails: [] },
        )
        .check(z.describe('Who receives the notifications besides subscribers you add to the topic yourself.')),
      /**
       * The member inventory (functions/domain/inventory.ts) is refreshed on this schedule as well as by every
       * execution, so it exists before the first failure: a router terminated before any execution ran would
       * otherwise leave routes nobody can attribute to it.
       */
      inventory: z
        ._default(
          z.strictObject({
            refreshMinutes: z
              ._default(z.int().check(z.gte(1), z.lte(60)), 5)
              .check(z.describe("Minutes between scheduled refreshes of every member's interface map.")),
          }),
          { refreshMinutes: 5 },
        )
        .check(
          z.describe(
            'The member inventory, refreshed on a schedule as well as ' +
              'by every execution, so it exists before the first failure.',
          ),
        ),
      /**
       * The associations mode's twin reconcile (functions/reconcile-twins): besides reacting to route-table API
       * calls (CloudTrail through EventBridge), it checks every twin on this schedule. Read by infra only.
       */
      twins: z
        ._default(
          z.strictObject({
            reconcileMinutes: z
              ._default(z.int().check(z.gte(1), z.lte(1440)), 15)
              .check(z.describe('Minutes between scheduled reconciles of every twin.')),
          }),
          { reconcileMinutes: 15 },
        )
        .check(
          z.describe(
            'Associations mode: the twin reconcile, which also runs ' +
              'after each route-table API call CloudTrail reports.',
          ),
        ),
      reservedConcurrency: z
        .optional(ReservedConcurrencySchema)
        .check(
          z.describe(
            'Lambda concurrency reserved for the failover path, checked at ' +
              'synth against the account quota; absent: no Task reservations.',
          ),
        ),
      /** The route guard (functions/guard): evaluates the route-table invariant between failovers. */
      guard: z
        ._default(GuardSchema, { intervalMinutes: 1, converge: false, graceSeconds: 300 })
        .check(
          z.describe(
            'The route guard: judges the route tables between failovers, reports findings, optionally converges.',
          ),
        ),
    })
    .check(
      z.superRefine((c, ctx) => {
        const groups = new Set<string>();
        const owner = new Map<string, string>();
        c.groups.forEach((g, gi) => {
          if (groups.has(g.name))
            ctx.addIssue({ code: 'custom', path: ['groups', gi, 'name'], message: `duplicate group name "${g.name}"` });
          groups.add(g.name);
          g.members.forEach((m, mi) => {
            const other = owner.get(m.instanceId);
            // An instance in two groups would make an instance event ambiguous.
            if (other !== undefined && other !== g.name) {
              ctx.addIssue({
                code: 'custom',
                path: ['groups', gi, 'members', mi, 'instanceId'],
                message: `instance ${m.instanceId} already belongs to group "${other}"`,
              });
            }
            owner.set(m.instanceId, g.name);
          });
        });
      }),
    ),
);

export type FailoverConfig = z.infer<typeof FailoverConfigSchema>;
export type FailoverConfigInput = z.input<typeof FailoverConfigSchema>;
export type Group = z.infer<typeof GroupSchema>;
export type Member = z.infer<typeof MemberSchema>;
export type SwitchMode = Group['switchMode'];
export type RouteTableScope = z.infer<typeof RouteTableScopeSchema>;
export type ProbeConfig = z.infer<typeof ProbeSchema>;
export type ReservedConcurrencyConfig = z.infer<typeof ReservedConcurrencySchema>;

/** Validates a parsed config object; throws ConfigError naming every bad field (`where` says which source). */
export const parseConfig = (raw: unknown, where = 'failover config'): FailoverConfig => {
  const result = FailoverConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = describeIssues(result.error.issues, raw, FailoverConfigSchema).map((line) => `  - ${line}`);
    throw new ConfigError(`invalid ${where}:\n${lines.join('\n')}`);
  }
  return result.data;
};

/** Parses config from JSON text (env var or file); bad JSON is a ConfigError too. */
export const parseConfigJson = (text: string | undefined, where = 'failover config'): FailoverConfig => {
  if (text === undefined || text.trim() === '') throw new ConfigError(`${where} is empty`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
  return parseConfig(raw, where);
};

/** Finds a group by name; undefined when absent. */
export const findGroup = (config: FailoverConfig, name: string): Group | undefined =>
  config.groups.find((g) => g.name === name);

/** Finds the group and member that own an instance; undefined when the instance is in no group. */
export const findMemberByInstance = (
  config: FailoverConfig,
  instanceId: string,
): { group: Group; member: Member } | undefined => {
  for (const group of config.groups) {
    const member = group.members.find((m) => m.instanceId === instanceId);
    if (member) return { group, member };
  }
  return undefined;
};
