import { z } from 'zod';
import { AuditRecordSchema } from '../../functions/contract/audit-record';

/**
 * The audit record as the CLI reads it back: parsed with AuditRecordSchema, and leniently field by field, so
 * that a record this CLI does not fully know (a newer version, an outcome added later) or one written by an
 * older version is still shown, and flagged.
 */

/** The state whose output is the audit record (statemachine/failover.asl.json). */
export const NOTIFY_STATE = 'Notify';
export const RECORD_ID = 'vpc-route-failover/audit';

const Str = z.string().optional().catch(undefined);
const Num0 = z.number().catch(0);
const Destination = z
  .looseObject({ kind: z.string().catch('?'), value: z.string().catch('?') })
  .catch({ kind: '?', value: '?' });
const Endpoint = z.looseObject({ target: Str, member: Str, state: Str });
const MemberLike = z.looseObject({
  name: z.string().catch('?'),
  instanceId: z.string().catch('?'),
  state: z.string().catch('?'),
  availabilityZone: Str,
});
const RouteRef = z.looseObject({
  routeTableId: z.string().catch('?'),
  destination: Destination,
  eni: z.string().catch('?'),
  reason: Str,
});

/** Routes already on the target, per table (records list destinations per table; older ones one route each). */
const AlreadyOnTargetRef = z.looseObject({
  routeTableId: z.string().catch('?'),
  destinations: z.array(z.string()).optional().catch(undefined),
  destination: Destination.optional(),
  eni: Str,
});

/** One association of an associations-mode record (functions/domain/audit-kinds.ts), tolerantly. */
const RecordAssociationSchema = z.looseObject({
  subject: z.string().catch('?'),
  from: z.string().catch('?'),
  to: z.string().catch('?'),
  original: Str,
  status: z.string().catch('unknown'),
  table: Str,
  effectiveRoutes: z.number().optional().catch(undefined),
  verified: z.boolean().optional().catch(undefined),
  attempts: z.number().optional().catch(undefined),
  error: Str,
  problem: Str,
  timeToSwitchMs: z.number().optional().catch(undefined),
});

const RecordAssociationsSchema = z.looseObject({
  planned: Num0,
  moved: Num0,
  alreadyOnTarget: Num0,
  failed: Num0,
  dryRun: Num0,
  fallbacks: z
    .array(z.looseObject({ routeTableId: z.string().catch('?'), original: Str, reason: z.string().catch('') }))
    .catch([]),
  fallbackCount: Num0,
  unassociated: z.array(z.string()).catch([]),
  list: z.array(RecordAssociationSchema).catch([]),
});

const RecordRouteSchema = z.looseObject({
  routeTableId: z.string().catch('?'),
  destination: Destination,
  status: z.string().catch('unknown'),
  before: Endpoint.nullable().catch(null),
  after: Endpoint.nullable().catch(null),
  verified: z.boolean().optional().catch(undefined),
  attempts: z.number().optional().catch(undefined),
  at: Str,
  error: Str,
  problem: Str,
});

/**
 * The audit record as the CLI reads it: the fields of AuditRecordSchema, each tolerant of values this
 * version does not know (outcome and status are plain strings), so a newer record still renders.
 */
export const ExecutionRecordSchema = z.looseObject({
  record: z.literal(RECORD_ID),
  version: z.number().catch(0),
  outcome: z.string().catch('unknown'),
  error: Str,
  cause: Str,
  summary: z.string().catch(''),
  group: Str,
  vpcId: Str,
  trigger: z
    .looseObject({
      kind: z.string().catch('unknown'),
      summary: z.string().catch(''),
      action: Str,
      requestedBy: Str,
      reason: Str,
      eventId: Str,
      eventTime: Str,
      instanceId: Str,
      instanceState: Str,
      alarmName: Str,
    })
    .catch({ kind: 'unknown', summary: '' }),
  dryRun: z.boolean().catch(false),
  from: z.array(MemberLike).catch([]),
  to: MemberLike.optional().catch(undefined),
  counts: z
    .looseObject({
      planned: Num0,
      replaced: Num0,
      failed: Num0,
      vanished: Num0,
      dryRun: Num0,
      alreadyOnTarget: Num0,
      skipped: Num0,
      mismatches: Num0,
    })
    .catch({
      planned: 0,
      replaced: 0,
      failed: 0,
      vanished: 0,
      dryRun: 0,
      alreadyOnTarget: 0,
      skipped: 0,
      mismatches: 0,
    }),
  routes: z.array(RecordRouteSchema).catch([]),
  alreadyOnTarget: z.array(AlreadyOnTargetRef).catch([]),
  skipped: z.array(RouteRef).catch([]),
  warnings: z.array(z.string()).catch([]),
  verification: z
    .looseObject({ checked: Num0, ok: z.boolean().catch(false), mismatches: Num0, rounds: Num0 })
    .optional()
    .catch(undefined),
  failure: z
    .looseObject({ stage: z.string().catch('?'), error: z.string().catch('?'), cause: Str })
    .optional()
    .catch(undefined),
  execution: z.looseObject({ id: z.string().catch(''), name: Str, startTime: Str, consoleUrl: Str }).catch({ id: '' }),
  startedAt: Str,
  finishedAt: Str,
  durationMs: z.number().optional().catch(undefined),
  /** The maintenance hold that turned an automatic trigger into a no-op. */
  held: z
    .looseObject({ until: z.string().catch('?'), by: z.string().catch('?'), reason: z.string().catch('') })
    .optional()
    .catch(undefined),
  noHealthyStandby: z.boolean().optional().catch(undefined),
  /** Associations mode: the associations moved and the tables switched route by route instead. */
  associations: RecordAssociationsSchema.optional().catch(undefined),
});
export type ExecutionRecord = z.infer<typeof ExecutionRecordSchema>;
export type RecordRoute = z.infer<typeof RecordRouteSchema>;
export type RecordAssociations = z.infer<typeof RecordAssociationsSchema>;

export interface ParsedRecord {
  record: ExecutionRecord;
  /** True when AuditRecordSchema accepts it as is. */
  known: boolean;
  /** What this CLI did not recognise, when `known` is false. */
  unknown?: string;
}

/** Parses an audit record (object or JSON text); undefined when the value is not one. */
export const parseRecord = (raw: unknown): ParsedRecord | undefined => {
  const value = typeof raw === 'string' ? parseJson(raw) : raw;
  if (!value || typeof value !== 'object' || (value as { record?: unknown }).record !== RECORD_ID) return undefined;
  const strict = AuditRecordSchema.safeParse(value);
  const lenient = ExecutionRecordSchema.safeParse(value);
  if (!lenient.success) return undefined;
  if (strict.success) return { record: lenient.data, known: true };
  const first = strict.error.issues[0];
  return { record: lenient.data, known: false, unknown: `${first.path.join('.') || '(root)'}: ${first.message}` };
};

/** JSON.parse that answers undefined instead of throwing. */
export const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};
