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

export const MemberSchema = z.strictObject({
  name: z.string().regex(NAME, 'letters, digits, "-" or "_", 1-63 characters'),
  instanceId: z.string().regex(INSTANCE_ID, 'an EC2 instance ID such as i-0123456789abcdef0'),
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
