import { describeIssues } from './config-errors';
import { ConfigError } from './errors';
import * as z from './zod';
import { EIGHT_OR_17, NAME, VPC_ID } from './config-ids';
import { addressIssues, ElasticIpsSchema, MemberSchema, SecondaryPrivateIpsSchema } from './config-members';
import {
  AutoFailbackSchema,
  FlapDampingSchema,
  PrioritySchema,
  ProbeSchema,
  RouteTableScopeSchema,
  StatusCheckAlarmSchema,
} from './config-sections';
import { GuardSchema, ReservedConcurrencySchema } from './config-stack';

export * from './config-ids';
export * from './config-members';
export * from './config-sections';
export * from './config-stack';

/**
 * The one description of failover groups. infra validates cdk.json context `failover` against it at
 * synth time, resolve-targets parses it at cold start (env FAILOVER_CONFIG) and the local runner reads
 * it from a file. There is no second copy of this shape anywhere.
 */

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
