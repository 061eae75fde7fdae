import { InvalidRequestError } from './errors';
import * as z from './zod';

/**
 * What can start the workflow: an EC2 Instance State-change Notification, a CloudWatch Alarm State Change
 * of a member's status-check alarm, a manual request, or a member declared down by the health probe. AWS
 * event shapes are parsed loosely (AWS adds fields); the manual and probe requests strictly, so a caller
 * cannot smuggle in targets such as ENI IDs.
 */

export const Ec2StateChangeEventSchema = z.lazy(() =>
  z.object({
    source: z.literal('aws.ec2'),
    'detail-type': z.literal('EC2 Instance State-change Notification'),
    id: z.optional(z.string()),
    time: z.optional(z.string()),
    region: z.optional(z.string()),
    detail: z.object({ 'instance-id': z.string(), state: z.string() }),
  }),
);

export const AlarmStateChangeEventSchema = z.lazy(() =>
  z.object({
    source: z.literal('aws.cloudwatch'),
    'detail-type': z.literal('CloudWatch Alarm State Change'),
    id: z.optional(z.string()),
    time: z.optional(z.string()),
    region: z.optional(z.string()),
    detail: z.object({
      alarmName: z.string(),
      state: z.object({ value: z.string(), reason: z.optional(z.string()) }),
      configuration: z.optional(
        z.object({
          metrics: z.optional(
            z.array(
              z.object({
                metricStat: z.optional(
                  z.object({
                    metric: z.optional(z.object({ dimensions: z.optional(z.record(z.string(), z.string())) })),
                  }),
                ),
              }),
            ),
          ),
        }),
      ),
    }),
  }),
);

const MAX_TEXT = 512;
const MEMBER_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

export const ManualRequestSchema = z.lazy(() =>
  z.strictObject({
    action: z.enum(['switchover', 'failback']),
    group: z.string().check(z.regex(MEMBER_NAME, 'a configured group name')),
    to: z.optional(z.string().check(z.regex(MEMBER_NAME, 'a member name of the group'))),
    dryRun: z._default(z.boolean(), false),
    reason: z.optional(z.string().check(z.maxLength(MAX_TEXT))),
    requestedBy: z.optional(z.string().check(z.maxLength(256))),
  }),
);

/** Source of the request the health probe (functions/probe) starts the workflow with. */
export const PROBE_SOURCE = 'vpc-route-failover.probe';

/**
 * A member declared down by the health probe. Strict like the manual request: it names a group and a member,
 * which resolve-targets looks up in the config; the rest only describes what the probe saw, for the audit record.
 */
export const ProbeFailureRequestSchema = z.lazy(() =>
  z.strictObject({
    source: z.literal(PROBE_SOURCE),
    group: z.string().check(z.regex(MEMBER_NAME, 'a configured group name')),
    member: z.string().check(z.regex(MEMBER_NAME, 'a member name of the group')),
    failedRounds: z.int().check(z.gte(1), z.lte(100000)),
    firstFailureAt: z.iso.datetime(),
    lastError: z.string().check(z.maxLength(MAX_TEXT)),
    probe: z.strictObject({
      ports: z.array(z.int().check(z.gte(1), z.lte(65535))).check(z.minLength(1), z.maxLength(8)),
      intervalMs: z.int().check(z.gte(100), z.lte(30000)),
      downAfterMs: z.int().check(z.gte(0), z.lte(120000)),
      /** The probe locations (subnets) that agreed. */
      locations: z.array(z.string().check(z.maxLength(64))).check(z.minLength(1), z.maxLength(4)),
    }),
  }),
);

export type Ec2StateChangeEvent = z.infer<typeof Ec2StateChangeEventSchema>;
export type AlarmStateChangeEvent = z.infer<typeof AlarmStateChangeEventSchema>;
export type ManualRequest = z.infer<typeof ManualRequestSchema>;
export type ProbeFailureRequest = z.infer<typeof ProbeFailureRequestSchema>;

export type ParsedTrigger =
  | { kind: 'instance-state'; event: Ec2StateChangeEvent }
  | { kind: 'alarm'; event: AlarmStateChangeEvent }
  | { kind: 'manual'; request: ManualRequest }
  | { kind: 'probe'; request: ProbeFailureRequest };

/** EC2 states that mean the instance is going away and its routes must move. */
export const FAILURE_STATES = ['stopping', 'stopped', 'shutting-down', 'terminated'] as const;

/** The workflow input is limited to what the state machine accepts; anything near it is not a real request. */
const MAX_INPUT_BYTES = 64 * 1024;

/** Classifies and validates the workflow input; throws InvalidRequestError naming what is wrong. */
export const parseTrigger = (raw: unknown): ParsedTrigger => {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new InvalidRequestError('input must be a JSON object: an EventBridge event or a manual request');
  }
  const size = Buffer.byteLength(JSON.stringify(raw));
  if (size > MAX_INPUT_BYTES)
    throw new InvalidRequestError(`input is ${size} bytes; a request is at most ${MAX_INPUT_BYTES}`);
  const obj = raw as Record<string, unknown>;
  if ('source' in obj || 'detail-type' in obj) {
    if (obj.source === 'aws.ec2')
      return { kind: 'instance-state', event: strict(Ec2StateChangeEventSchema, raw, 'EC2 state-change event') };
    if (obj.source === 'aws.cloudwatch')
      return { kind: 'alarm', event: strict(AlarmStateChangeEventSchema, raw, 'CloudWatch alarm event') };
    if (obj.source === PROBE_SOURCE)
      return { kind: 'probe', request: strict(ProbeFailureRequestSchema, raw, 'probe failure request') };
    throw new InvalidRequestError(
      `unsupported event source ${JSON.stringify(obj.source)} (expected aws.ec2, aws.cloudwatch or ${PROBE_SOURCE})`,
    );
  }
  if ('action' in obj) return { kind: 'manual', request: strict(ManualRequestSchema, raw, 'manual request') };
  throw new InvalidRequestError(
    'input is neither an EventBridge event (source/detail-type) nor a manual request ' +
      '({"action":"switchover"|"failback","group":…})',
  );
};

/** The instance named by a status-check alarm (its InstanceId dimension). */
export const alarmInstanceId = (event: AlarmStateChangeEvent): string | undefined => {
  for (const m of event.detail.configuration?.metrics ?? []) {
    const id = m.metricStat?.metric?.dimensions?.InstanceId;
    if (id) return id;
  }
  return undefined;
};

const strict = <S extends z.ZodMiniType>(schema: S, raw: unknown, what: string): z.infer<S> => {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const issues = r.error.issues.slice(0, 8).map((i) => {
    const path = i.path.join('.') || '(root)';
    return i.code === 'unrecognized_keys'
      ? `${path}: field(s) not allowed: ${i.keys.join(', ')}`
      : `${path}: ${i.message}`;
  });
  throw new InvalidRequestError(`invalid ${what}: ${issues.join('; ')}`);
};
