import { z } from 'zod';
import { ConfigError } from './errors';

/**
 * The one description of failover groups. infra validates cdk.json context `failover` against it at
 * synth time, resolve-targets parses it at cold start (env FAILOVER_CONFIG) and the local runner reads
 * it from a file. There is no second copy of this shape anywhere.
 */

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
export const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
export const VPC_ID = /^vpc-[0-9a-f]{8,17}$/;
export const ROUTE_TABLE_ID = /^rtb-[0-9a-f]{8,17}$/;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

export const MemberSchema = z.strictObject({
  name: z.string().regex(NAME, 'letters, digits, "-" or "_", 1-63 characters'),
  instanceId: z.string().regex(INSTANCE_ID, 'an EC2 instance ID such as i-0123456789abcdef0'),
  /** Address the health probe connects to; the instance's primary private IPv4 address when absent. */
  probeAddress: z.string().regex(IPV4, 'an IPv4 address').optional(),
});

export const RouteTableScopeSchema = z.union([
  z.strictObject({ ids: z.array(z.string().regex(ROUTE_TABLE_ID, 'a route table ID such as rtb-0123456789abcdef0')).min(1) }),
  z.strictObject({ tag: z.strictObject({ key: z.string().min(1).max(128), value: z.string().max(256) }) }),
]);

export const StatusCheckAlarmSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Consecutive failed one-minute periods before ALARM. */
  evaluationPeriods: z.number().int().min(1).max(10).default(2),
});

/** Automatic failback to the preferred member when it is running again; absent = off (manual failback only). */
export const AutoFailbackSchema = z.strictObject({
  /**
   * How long the preferred member must stay running and healthy before routes move back. At most 600 s, so
   * that the hold-down and the failback fit in one execution (the state machine times out after 1800 s).
   */
  holdDownSeconds: z.number().int().min(0).max(600).default(300),
});

/** Limits automatic failovers per group; manual requests are never suppressed. */
export const FlapDampingSchema = z.strictObject({
  maxFailovers: z.number().int().min(1).max(100).default(3),
  windowSeconds: z.number().int().min(60).max(86400).default(3600),
});

/** Active health probes from inside the VPC (TCP connect to each member); off unless configured. */
export const ProbeSchema = z.strictObject({
  enabled: z.boolean().default(true),
  /** Subnets the probe function runs in (one per AZ recommended). */
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'a subnet ID such as subnet-0123456789abcdef0')).min(1),
  /** TCP ports that must accept a connection for a member to count as up (any one failing = round failed). */
  ports: z.array(z.number().int().min(1).max(65535)).min(1).max(8).default([179]),
  intervalSeconds: z.number().int().min(1).max(30).default(5),
  timeoutMs: z.number().int().min(100).max(10000).default(1000),
  /** Consecutive failed rounds before a member is declared down. */
  failureThreshold: z.number().int().min(1).max(20).default(3),
});

export const GroupSchema = z
  .strictObject({
    name: z.string().regex(NAME, 'letters, digits, "-" or "_", 1-63 characters'),
    vpcId: z.string().regex(VPC_ID, 'a VPC ID such as vpc-0123456789abcdef0'),
    members: z.array(MemberSchema).min(2, 'a group needs at least two members').max(8),
    /** The member failback returns to. */
    preferred: z.string().optional(),
    /** Which route tables the group owns: the whole VPC when absent. */
    routeTables: RouteTableScopeSchema.optional(),
    /** Routes replaced in parallel (Map MaxConcurrency). */
    maxConcurrency: z.number().int().min(1).max(40).default(10),
    statusCheckAlarm: StatusCheckAlarmSchema.default({ enabled: true, evaluationPeriods: 2 }),
    autoFailback: AutoFailbackSchema.optional(),
    flapDamping: FlapDampingSchema.default({ maxFailovers: 3, windowSeconds: 3600 }),
    probe: ProbeSchema.optional(),
  })
  .superRefine((g, ctx) => {
    const names = new Set<string>();
    const ids = new Set<string>();
    g.members.forEach((m, i) => {
      if (names.has(m.name)) ctx.addIssue({ code: 'custom', path: ['members', i, 'name'], message: `duplicate member name "${m.name}"` });
      if (ids.has(m.instanceId)) ctx.addIssue({ code: 'custom', path: ['members', i, 'instanceId'], message: `instance ${m.instanceId} is listed twice` });
      names.add(m.name);
      ids.add(m.instanceId);
    });
    if (g.preferred !== undefined && !names.has(g.preferred)) {
      ctx.addIssue({ code: 'custom', path: ['preferred'], message: `"${g.preferred}" is not a member of group "${g.name}"` });
    }
    if (g.probe?.enabled) {
      // The probe's security group allows egress to exactly these addresses, so they must be known at synth time.
      g.members.forEach((m, i) => {
        if (!m.probeAddress) ctx.addIssue({ code: 'custom', path: ['members', i, 'probeAddress'], message: `required when the group's probe is enabled` });
      });
    }
    if (g.autoFailback && g.preferred === undefined) {
      ctx.addIssue({ code: 'custom', path: ['autoFailback'], message: 'automatic failback needs a preferred member to return to' });
    }
  });

export const FailoverConfigSchema = z
  .strictObject({
    groups: z.array(GroupSchema).min(1, 'at least one group'),
    notifications: z.strictObject({ emails: z.array(z.email()).default([]) }).default({ emails: [] }),
  })
  .superRefine((c, ctx) => {
    const groups = new Set<string>();
    const owner = new Map<string, string>();
    c.groups.forEach((g, gi) => {
      if (groups.has(g.name)) ctx.addIssue({ code: 'custom', path: ['groups', gi, 'name'], message: `duplicate group name "${g.name}"` });
      groups.add(g.name);
      g.members.forEach((m, mi) => {
        const other = owner.get(m.instanceId);
        // An instance in two groups would make an instance event ambiguous.
        if (other !== undefined && other !== g.name) {
          ctx.addIssue({ code: 'custom', path: ['groups', gi, 'members', mi, 'instanceId'], message: `instance ${m.instanceId} already belongs to group "${other}"` });
        }
        owner.set(m.instanceId, g.name);
      });
    });
  });

export type FailoverConfig = z.infer<typeof FailoverConfigSchema>;
export type FailoverConfigInput = z.input<typeof FailoverConfigSchema>;
export type Group = z.infer<typeof GroupSchema>;
export type Member = z.infer<typeof MemberSchema>;
export type RouteTableScope = z.infer<typeof RouteTableScopeSchema>;
export type ProbeConfig = z.infer<typeof ProbeSchema>;

/** Validates a parsed config object; throws ConfigError naming every bad field (`where` says which source). */
export const parseConfig = (raw: unknown, where = 'failover config'): FailoverConfig => {
  const result = FailoverConfigSchema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  - ${formatPath(i.path)}: ${i.message}`);
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
export const findMemberByInstance = (config: FailoverConfig, instanceId: string): { group: Group; member: Member } | undefined => {
  for (const group of config.groups) {
    const member = group.members.find((m) => m.instanceId === instanceId);
    if (member) return { group, member };
  }
  return undefined;
};

const formatPath = (path: PropertyKey[]): string =>
  path.length === 0
    ? '(root)'
    : path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
