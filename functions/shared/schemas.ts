import { z } from 'zod';
import { RouteTableScopeSchema } from './config';
import { InvalidRequestError } from './errors';

/**
 * Shapes of what flows between the states of statemachine/failover.asl.json. Each Task parses its input
 * with these, so a state that receives something unexpected fails by name instead of guessing.
 * Objects are not strict here: the state carries the fields of earlier steps as well.
 */

export const DestinationSchema = z.object({
  kind: z.enum(['ipv4', 'ipv6', 'prefix-list']),
  value: z.string().min(1),
});
export type Destination = z.infer<typeof DestinationSchema>;

export const MemberStateSchema = z.object({
  name: z.string(),
  instanceId: z.string(),
  state: z.string(),
  availabilityZone: z.string().optional(),
});
export type MemberState = z.infer<typeof MemberStateSchema>;

export const TriggerSchema = z.object({
  kind: z.enum(['instance-state', 'alarm', 'manual', 'probe']),
  /** One line a person can read: "EC2 i-… (router-a) entered stopping". */
  summary: z.string(),
  eventId: z.string().optional(),
  eventTime: z.string().optional(),
  instanceId: z.string().optional(),
  instanceState: z.string().optional(),
  alarmName: z.string().optional(),
  action: z.enum(['switchover', 'failback']).optional(),
  requestedBy: z.string().optional(),
  reason: z.string().optional(),
});
export type Trigger = z.infer<typeof TriggerSchema>;

export const InterfacePairSchema = z.object({
  /** "<network card>/<device index>": what pairs interfaces across members. */
  slot: z.string(),
  fromMember: z.string(),
  fromEni: z.string(),
  toEni: z.string().optional(),
});
export type InterfacePair = z.infer<typeof InterfacePairSchema>;

export const ExecutionInfoSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  startTime: z.string().optional(),
});
export type ExecutionInfo = z.infer<typeof ExecutionInfoSchema>;

export const GroupRefSchema = z.object({
  name: z.string(),
  vpcId: z.string(),
  routeTables: RouteTableScopeSchema.optional(),
});
export type GroupRef = z.infer<typeof GroupRefSchema>;

export const SwitchRecordSchema = z.object({
  at: z.string(),
  triggerTime: z.string(),
  executionId: z.string(),
  automatic: z.boolean(),
  triggerId: z.string(),
  to: z.string().optional(),
});

/** Output of AcquireLease: whether this execution holds its group's lease, and the group's history. */
export const LeaseStateSchema = z.object({
  held: z.boolean(),
  group: z.string().optional(),
  owner: z.string().optional(),
  acquiredAt: z.string().optional(),
  expiresAt: z.string().optional(),
  tookOverFrom: z.string().optional(),
  /** Set instead of a lease when the workflow must first wait out an automatic-failback hold-down. */
  holdDownSeconds: z.number().int().optional(),
  history: z.object({ lastSwitch: SwitchRecordSchema.optional(), automaticSwitches: z.array(SwitchRecordSchema) }).optional(),
});
export type LeaseState = z.infer<typeof LeaseStateSchema>;

/** What the health gate saw of each member before any write. */
export const MemberHealthSchema = z.object({
  member: z.string(),
  state: z.string(),
  instanceStatus: z.string().optional(),
  systemStatus: z.string().optional(),
  /** ENIs that still have source/destination check enabled (a router with it on drops forwarded traffic). */
  sourceDestCheckOn: z.array(z.string()),
  healthy: z.boolean(),
  problems: z.array(z.string()),
});
export type MemberHealth = z.infer<typeof MemberHealthSchema>;

/** Output of ResolveTargets: who fails, where routes go, and how interfaces pair. */
export const ResolvedSchema = z.object({
  action: z.enum(['failover', 'noop']),
  noopReason: z.string().optional(),
  trigger: TriggerSchema,
  dryRun: z.boolean(),
  group: GroupRefSchema.optional(),
  sources: z.array(MemberStateSchema),
  target: MemberStateSchema.optional(),
  pairs: z.array(InterfacePairSchema),
  targetEnis: z.array(z.string()),
  maxConcurrency: z.number().int().min(1),
  execution: ExecutionInfoSchema,
  resolvedAt: z.string(),
  /** Automatic triggers (instance state, alarm, probe) are subject to flap damping; manual requests never. */
  automatic: z.boolean().optional(),
  lease: LeaseStateSchema.optional(),
  health: z.array(MemberHealthSchema).optional(),
  /** Set when flap damping would suppress this failover: ListRoutes refuses to plan any change. */
  suppressReason: z.string().optional(),
});
export type Resolved = z.infer<typeof ResolvedSchema>;

/** A failover-ready state: a group and a target are known. */
export const FailoverStateSchema = ResolvedSchema.extend({
  action: z.literal('failover'),
  group: GroupRefSchema,
  target: MemberStateSchema,
});
export type FailoverState = z.infer<typeof FailoverStateSchema>;

export const RouteStateSchema = z.enum(['active', 'blackhole']);

/** One planned route change. */
export const ChangeSchema = z.object({
  routeTableId: z.string(),
  destination: DestinationSchema,
  fromEni: z.string(),
  fromMember: z.string(),
  toEni: z.string(),
  toMember: z.string(),
  stateBefore: z.string().optional(),
});
export type Change = z.infer<typeof ChangeSchema>;

export const RouteRefSchema = z.object({
  routeTableId: z.string(),
  destination: DestinationSchema,
  eni: z.string(),
  member: z.string().optional(),
  reason: z.string().optional(),
});
export type RouteRef = z.infer<typeof RouteRefSchema>;

/** One route of a batch: its destination and the index of its interface pair in the state's `pairs`. */
export const BatchRouteSchema = z.object({
  d: z.string().min(1),
  p: z.number().int().min(0),
  /** 1 when the route was blackhole when planned (the usual case for a stopped router). */
  b: z.literal(1).optional(),
});
export type BatchRoute = z.infer<typeof BatchRouteSchema>;

/**
 * Routes of one route table replaced by one ReplaceRoutes invocation. Compact on purpose: the plan of a
 * 2,000-route failover must fit Step Functions' 256 KB state, so a route is a destination and a pair index.
 */
export const BatchSchema = z.object({
  id: z.number().int().min(0),
  routeTableId: z.string(),
  routes: z.array(BatchRouteSchema).min(1),
});
export type Batch = z.infer<typeof BatchSchema>;

/** Output of ListRoutes. */
export const PlanSchema = z.object({
  batches: z.array(BatchSchema),
  changeCount: z.number().int(),
  /** Routes of the group that already point at the target, per table (checked again by VerifyRoutes). */
  alreadyOnTarget: z.array(z.object({ routeTableId: z.string(), destinations: z.array(z.string()) })),
  alreadyOnTargetCount: z.number().int(),
  skipped: z.array(RouteRefSchema),
  warnings: z.array(z.string()),
  routeTablesScanned: z.number().int(),
  routesScanned: z.number().int(),
  listedAt: z.string(),
});
export type Plan = z.infer<typeof PlanSchema>;

export const RouteStatusSchema = z.enum(['replaced', 'already-on-target', 'vanished', 'conflict', 'dry-run', 'failed']);
export type RouteStatus = z.infer<typeof RouteStatusSchema>;

export const ReplaceBatchInputSchema = z.object({
  batch: BatchSchema,
  /** The group's VPC: the table is read with a vpc-id filter, so a table of another VPC is never touched. */
  vpcId: z.string(),
  pairs: z.array(InterfacePairSchema),
  dryRun: z.boolean().default(false),
});
export type ReplaceBatchInput = z.infer<typeof ReplaceBatchInputSchema>;

/** One route's result; `i` is its index in the batch's routes. */
export const BatchRouteResultSchema = z.object({
  i: z.number().int().min(0),
  st: RouteStatusSchema,
  /** ReplaceRoute calls made for this route in the invocation that finished the batch. */
  a: z.number().int().optional(),
  /** Error or detail (failed, vanished, conflict). */
  e: z.string().optional(),
  /** Conflicts: the target the route had when the batch found it (left alone). */
  t: z.string().optional(),
});
export type BatchRouteResult = z.infer<typeof BatchRouteResultSchema>;

/**
 * One item of the ReplaceRouteBatches Map output: the Lambda's result, or RecordBatchFailure's. Sparse, so a
 * 2,000-route state stays small and the history stays readable: every route of the batch has the `usual`
 * status after one ReplaceRoute call except those listed in `exceptions`; `counts` sums them up.
 */
export const BatchResultSchema = z.object({
  id: z.number().int(),
  routeTableId: z.string(),
  usual: RouteStatusSchema.optional(),
  counts: z.record(z.string(), z.number().int()).optional(),
  exceptions: z.array(BatchRouteResultSchema).default([]),
  at: z.string().optional(),
  /** Set by RecordBatchFailure when the batch failed as a whole (its routes have no results). */
  error: z.string().optional(),
  cause: z.string().optional(),
});
export type BatchResult = z.infer<typeof BatchResultSchema>;

/** A planned change in full (expanded from a batch and the state's pairs) for the code that reasons about it. */
export interface RouteResult {
  change: Change;
  status: RouteStatus | 'not-attempted';
  attempts?: number;
  error?: string;
  /** When its batch finished. */
  at?: string;
  /** Conflicts: the target found instead of the failing interface. */
  currentTarget?: string;
}

export const ObservedRouteSchema = z.object({
  routeTableId: z.string(),
  destination: DestinationSchema,
  /** Target as read back: an ENI ID, another target ID, or absent when the route is gone. */
  target: z.string().optional(),
  state: z.string().optional(),
  expected: z.enum(['target', 'source', 'absent', 'untouched']),
  ok: z.boolean(),
  problem: z.string().optional(),
});
export type ObservedRoute = z.infer<typeof ObservedRouteSchema>;

/** Output of VerifyRoutes. */
export const VerificationSchema = z.object({
  checked: z.number().int(),
  ok: z.boolean(),
  mismatches: z.number().int(),
  rounds: z.number().int(),
  /** The routes that are NOT where the plan wants them (at most 200 listed; `mismatches` counts all). */
  observed: z.array(ObservedRouteSchema),
  verifiedAt: z.string(),
});
export type Verification = z.infer<typeof VerificationSchema>;

/** What a Catch puts in the state: the error name and its cause. */
export const CaughtErrorSchema = z.object({ Error: z.string(), Cause: z.string().optional() });
export type CaughtError = z.infer<typeof CaughtErrorSchema>;

/** Parses a Task's input; a mismatch is an InvalidRequestError naming the fields (never a bare ZodError). */
export const parseInput = <S extends z.ZodType>(schema: S, raw: unknown, what: string): z.infer<S> => {
  const result = schema.safeParse(raw);
  if (!result.success) {
    const lines = result.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new InvalidRequestError(`${what}: ${lines.join('; ')}`);
  }
  return result.data;
};
