/** A group's optional sections: route-table scope, priority, status-check alarm, failback, flap damping, probe. */
import * as z from './zod';
import { EIGHT_OR_17, ROUTE_TABLE_ID, SUBNET_ID } from './config-ids';

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
            'Subnets the probe runs in: one probe location (one function) per subnet, one subnet per Availability ' +
              'Zone; they need a path to the Step Functions and DynamoDB APIs.',
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
            'A location declares a member down when its failed rounds, while a peer answers, span this many ' +
              'milliseconds: a shorter outage never fails over.',
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
            'Live probe locations that must agree before a member is declared down; absent: 2 when two or more ' +
              'subnets are listed, else 1.',
          ),
        ),
      /** Each location writes its view this often (and on every change); a view older than 2.5 × this is not live. */
      heartbeatMs: z
        ._default(z.int().check(z.gte(500), z.lte(30000)), 2000)
        .check(
          z.describe(
            'Each location writes its view this often in milliseconds (and ' +
              'on every change); a view older than 2.5 times this is not live.',
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
