import { ElasticIpsSchema, PrioritySchema, RouteTableScopeSchema, SecondaryPrivateIpsSchema } from './config';
import {
  AddressBatchSchema,
  AddressPlanStateSchema,
  AddressResultSchema,
  AddressVerificationSchema,
} from './address-schemas';
import { HoldSchema } from './hold';
import * as z from './zod';

/**
 * Shapes of what flows between the states of statemachine/failover.asl.json. Each Task parses its input
 * with these, so a state that receives something unexpected fails by name instead of guessing.
 * Objects are not strict here: the state carries the fields of earlier steps as well.
 */

export const DestinationSchema = z.lazy(() =>
  z.object({
    kind: z.enum(['ipv4', 'ipv6', 'prefix-list']),
    value: z.string().check(z.minLength(1)),
  }),
);
export type Destination = z.infer<typeof DestinationSchema>;

export const MemberStateSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    instanceId: z.string(),
    state: z.string(),
    availabilityZone: z.optional(z.string()),
    /**
     * Where the member's interfaces came from: EC2 now, the inventory (EC2 could not describe it, or shows
     * it without interfaces), or both (EC2's plus interfaces the inventory still knows).
     */
    interfacesFrom: z.optional(z.enum(['ec2', 'inventory', 'ec2+inventory', 'none'])),
    /** When the inventory used for this member was observed. */
    inventoryObservedAt: z.optional(z.string()),
  }),
);
export type MemberState = z.infer<typeof MemberStateSchema>;

export const TriggerSchema = z.lazy(() =>
  z.object({
    kind: z.enum(['instance-state', 'alarm', 'manual', 'probe']),
    /** One line a person can read: "EC2 i-… (router-a) entered stopping". */
    summary: z.string(),
    eventId: z.optional(z.string()),
    eventTime: z.optional(z.string()),
    instanceId: z.optional(z.string()),
    instanceState: z.optional(z.string()),
    alarmName: z.optional(z.string()),
    action: z.optional(z.enum(['switchover', 'failback'])),
    requestedBy: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
);
export type Trigger = z.infer<typeof TriggerSchema>;

export const InterfacePairSchema = z.lazy(() =>
  z.object({
    /** "<network card>/<device index>": what pairs interfaces across members. */
    slot: z.string(),
    fromMember: z.string(),
    fromEni: z.string(),
    toEni: z.optional(z.string()),
  }),
);
export type InterfacePair = z.infer<typeof InterfacePairSchema>;

export const ExecutionInfoSchema = z.lazy(() =>
  z.object({
    id: z.string(),
    name: z.optional(z.string()),
    startTime: z.optional(z.string()),
  }),
);
export type ExecutionInfo = z.infer<typeof ExecutionInfoSchema>;

export const GroupRefSchema = z.lazy(() =>
  z.object({
    name: z.string(),
    vpcId: z.string(),
    routeTables: z.optional(RouteTableScopeSchema),
    priority: z.optional(PrioritySchema),
    /** "associations": affected tables' associations move to twins (absent: "routes"). */
    switchMode: z.optional(z.enum(['routes', 'associations'])),
    /** The addresses that follow the active member, as configured (docs/addresses.md). */
    elasticIps: z.optional(ElasticIpsSchema),
    secondaryPrivateIps: z.optional(SecondaryPrivateIpsSchema),
  }),
);
export type GroupRef = z.infer<typeof GroupRefSchema>;

export const SwitchRecordSchema = z.lazy(() =>
  z.object({
    at: z.string(),
    triggerTime: z.string(),
    executionId: z.string(),
    automatic: z.boolean(),
    triggerId: z.string(),
    to: z.optional(z.string()),
    from: z.optional(z.array(z.string())),
  }),
);

/** Output of AcquireLease: whether this execution holds its group's lease, and the group's history. */
export const LeaseStateSchema = z.lazy(() =>
  z.object({
    held: z.boolean(),
    group: z.optional(z.string()),
    owner: z.optional(z.string()),
    acquiredAt: z.optional(z.string()),
    expiresAt: z.optional(z.string()),
    tookOverFrom: z.optional(z.string()),
    /** Set instead of a lease when the workflow must first wait out an automatic-failback hold-down. */
    holdDownSeconds: z.optional(z.int()),
    /** Set instead of a lease while another running execution holds it: wait this long, then ask again. */
    waitSeconds: z.optional(z.int()),
    busyHolder: z.optional(z.string()),
    waitedSeconds: z.optional(z.int()),
    history: z.optional(
      z.object({ lastSwitch: z.optional(SwitchRecordSchema), automaticSwitches: z.array(SwitchRecordSchema) }),
    ),
    /** The group's maintenance hold in force when the lease was taken (automatic triggers end as a held no-op). */
    hold: z.optional(HoldSchema),
  }),
);
export type LeaseState = z.infer<typeof LeaseStateSchema>;

/** What the health gate saw of each member before any write. */
export const MemberHealthSchema = z.lazy(() =>
  z.object({
    member: z.string(),
    state: z.string(),
    instanceStatus: z.optional(z.string()),
    systemStatus: z.optional(z.string()),
    /** ENIs that still have source/destination check enabled (a router with it on drops forwarded traffic). */
    sourceDestCheckOn: z.array(z.string()),
    healthy: z.boolean(),
    problems: z.array(z.string()),
  }),
);
export type MemberHealth = z.infer<typeof MemberHealthSchema>;

/** Output of ResolveTargets: who fails, where routes go, and how interfaces pair. */
/** A member and every interface it is known to have or have had (shared/invariant.ts). */
export const KnownMemberSchema = z.lazy(() =>
  z.object({ name: z.string(), instanceId: z.optional(z.string()), enis: z.array(z.string()) }),
);

export const ResolvedSchema = z.lazy(() =>
  z.object({
    action: z.enum(['failover', 'noop']),
    noopReason: z.optional(z.string()),
    trigger: TriggerSchema,
    dryRun: z.boolean(),
    group: z.optional(GroupRefSchema),
    sources: z.array(MemberStateSchema),
    target: z.optional(MemberStateSchema),
    pairs: z.array(InterfacePairSchema),
    targetEnis: z.array(z.string()),
    /**
     * Every member as ResolveTargets knew it (live interfaces, the inventory's, and those the routes' InstanceId
     * revealed): what the route-table invariant recognises a member's route by. A few IDs per member.
     */
    members: z.optional(z.array(KnownMemberSchema)),
    maxConcurrency: z.int().check(z.gte(1)),
    execution: ExecutionInfoSchema,
    resolvedAt: z.string(),
    /** Automatic triggers (instance state, alarm, probe) are subject to flap damping; manual requests never. */
    automatic: z.optional(z.boolean()),
    lease: z.optional(LeaseStateSchema),
    health: z.optional(z.array(MemberHealthSchema)),
    /** Set when an automatic trigger met the group's maintenance hold: the run is a no-op, notified as held. */
    held: z.optional(HoldSchema),
    /** Set when flap damping would suppress this failover: ListRoutes refuses to plan any change. */
    suppressReason: z.optional(z.string()),
    /** What the operator should know about how the decision was reached (a member EC2 could not describe, …). */
    warnings: z.optional(z.array(z.string())),
  }),
);
export type Resolved = z.infer<typeof ResolvedSchema>;

/** A failover-ready state: a group and a target are known. */
export const FailoverStateSchema = z.lazy(() =>
  z.extendLazy(ResolvedSchema, {
    action: z.literal('failover'),
    group: GroupRefSchema,
    target: MemberStateSchema,
  }),
);
export type FailoverState = z.infer<typeof FailoverStateSchema>;

export const RouteStateSchema = z.lazy(() => z.enum(['active', 'blackhole']));

/** One planned route change. */
export const ChangeSchema = z.lazy(() =>
  z.object({
    routeTableId: z.string(),
    destination: DestinationSchema,
    fromEni: z.string(),
    fromMember: z.string(),
    toEni: z.string(),
    toMember: z.string(),
    stateBefore: z.optional(z.string()),
  }),
);
export type Change = z.infer<typeof ChangeSchema>;

export const RouteRefSchema = z.lazy(() =>
  z.object({
    routeTableId: z.string(),
    destination: DestinationSchema,
    eni: z.string(),
    member: z.optional(z.string()),
    reason: z.optional(z.string()),
  }),
);
export type RouteRef = z.infer<typeof RouteRefSchema>;

/** One route of a batch: its destination and the index of its interface pair in the state's `pairs`. */
export const BatchRouteSchema = z.lazy(() =>
  z.object({
    d: z.string().check(z.minLength(1)),
    p: z.int().check(z.gte(0)),
    /** 1 when the route was blackhole when planned (the usual case for a stopped router). */
    b: z.optional(z.literal(1)),
  }),
);
export type BatchRoute = z.infer<typeof BatchRouteSchema>;

/**
 * Routes of one route table replaced by one ReplaceRoutes invocation. Compact on purpose: the plan of a
 * 2,000-route failover must fit Step Functions' 256 KB state, so a route is a destination and a pair index.
 */
export const BatchSchema = z.lazy(() =>
  z.object({
    id: z.int().check(z.gte(0)),
    routeTableId: z.string(),
    routes: z.array(BatchRouteSchema).check(z.minLength(1)),
    /** 1 when the batch holds the group's priority routes (planned first, so they go out in the burst). */
    pr: z.optional(z.literal(1)),
  }),
);
export type Batch = z.infer<typeof BatchSchema>;

/**
 * One association to move (associations mode): association `a` of table `f` goes to table `t`, both of the
 * family of original `o` (the original or one of its twins). What it associates: subnet `s`, gateway `g`, or
 * the VPC's main association (`m`).
 */
export const AssociationMoveSchema = z.lazy(() =>
  z.object({
    a: z.string().check(z.regex(/^rtbassoc-[0-9a-f]+$/, 'a route table association ID')),
    f: z.string(),
    t: z.string(),
    o: z.string(),
    s: z.optional(z.string()),
    g: z.optional(z.string()),
    m: z.optional(z.literal(1)),
  }),
);
export type AssociationMove = z.infer<typeof AssociationMoveSchema>;

/** The associations one ReplaceAssociations invocation moves (at most one EC2 burst). */
export const AssociationBatchSchema = z.lazy(() =>
  z.object({
    id: z.int().check(z.gte(0)),
    moves: z.array(AssociationMoveSchema).check(z.minLength(1)),
  }),
);
export type AssociationBatch = z.infer<typeof AssociationBatchSchema>;

/** A table the associations mode switches route by route instead, and why (no twin, a drifted twin, …). */
export const FallbackTableSchema = z.lazy(() =>
  z.object({ routeTableId: z.string(), original: z.string(), reason: z.string() }),
);
/** Fallback tables listed in the plan and the record (the state must hold 2,000 routes' worth of everything else). */
export const FALLBACKS_LISTED = 50;
export type FallbackTable = z.infer<typeof FallbackTableSchema>;

/** What the associations mode planned besides its moves (absent in the routes mode). */
export const AssociationPlanSchema = z.lazy(() =>
  z.object({
    /** Associations already on a table in the target's state. */
    alreadyOnTarget: z.int(),
    /** Affected tables switched route by route (their routes are in `batches`), the first FALLBACKS_LISTED of them. */
    fallbacks: z.array(FallbackTableSchema),
    /** How many tables were switched route by route (all of them, listed or not). */
    fallbackCount: z.optional(z.int()),
    /** Tables with routes to a source member but no association: no subnet uses them, nothing to switch. */
    unassociated: z.array(z.string()),
    twinsSeen: z.int(),
  }),
);
export type AssociationPlan = z.infer<typeof AssociationPlanSchema>;

/** One batch of the SwitchBatches Map, of any kind: association moves (`moves`), the routes of one table (`routes`), addresses (`addresses`). */
export const SwitchBatchSchema = z.lazy(() => z.union([BatchSchema, AssociationBatchSchema, AddressBatchSchema]));
export type SwitchBatch = z.infer<typeof SwitchBatchSchema>;

/** Output of PlanSwitch. */
export const PlanSchema = z.lazy(() =>
  z.object({
    /**
     * Records of the previous version only (two Maps): the association batches, numbered apart from the route
     * batches, their results in `associationResults`. PlanSwitch now puts them in `batches`.
     */
    associationBatches: z.optional(z.array(AssociationBatchSchema)),
    associations: z.optional(AssociationPlanSchema),
    /** The group's addresses (Elastic IPs, secondary private IPs): every one, planned; absent when it moves none. */
    addresses: z.optional(AddressPlanStateSchema),
    /**
     * Every batch the SwitchBatches Map writes, ids 0…n−1 in this order: the association batches first (they
     * start first), then the route batches (the priority routes' first).
     */
    batches: z.array(SwitchBatchSchema),
    changeCount: z.int(),
    /** Routes of the group that already point at the target, per table (checked again by VerifyRoutes). */
    alreadyOnTarget: z.array(z.object({ routeTableId: z.string(), destinations: z.array(z.string()) })),
    alreadyOnTargetCount: z.int(),
    skipped: z.array(RouteRefSchema),
    warnings: z.array(z.string()),
    routeTablesScanned: z.int(),
    routesScanned: z.int(),
    listedAt: z.string(),
  }),
);
export type Plan = z.infer<typeof PlanSchema>;

/**
 * What happened to a route. `dry-run`: EC2 answered DryRunOperation (would have succeeded, nothing changed);
 * `dry-run-ignored`: a dry run's ReplaceRoute answered success, so the endpoint ignored DryRun and the
 * route WAS changed (a critical outcome).
 */
export const RouteStatusSchema = z.lazy(() =>
  z.enum(['replaced', 'already-on-target', 'vanished', 'conflict', 'dry-run', 'dry-run-ignored', 'failed']),
);
export type RouteStatus = z.infer<typeof RouteStatusSchema>;

export const ReplaceBatchInputSchema = z.lazy(() =>
  z.object({
    batch: BatchSchema,
    /** The group the batch claims to belong to: ReplaceRoutes checks every write against its config and EC2. */
    group: z.string(),
    /** The group's VPC: the table is read with a vpc-id filter, so a table of another VPC is never touched. */
    vpcId: z.string(),
    pairs: z.array(InterfacePairSchema),
    dryRun: z._default(z.boolean(), false),
    /** When ListRoutes observed the routes of the plan (its listedAt): a fresh observation spares the batch a read. */
    observedAt: z.optional(z.iso.datetime({ offset: true })),
  }),
);
export type ReplaceBatchInput = z.infer<typeof ReplaceBatchInputSchema>;

/** What happened to an association move. `drifted`: the twin no longer holds what the move needs (not moved). */
export const AssociationStatusSchema = z.lazy(() =>
  z.enum(['moved', 'already-on-target', 'conflict', 'drifted', 'dry-run', 'dry-run-ignored', 'failed']),
);
export type AssociationStatus = z.infer<typeof AssociationStatusSchema>;

export const ReplaceAssociationsInputSchema = z.lazy(() =>
  z.object({
    batch: AssociationBatchSchema,
    group: z.string(),
    vpcId: z.string(),
    pairs: z.array(InterfacePairSchema),
    dryRun: z._default(z.boolean(), false),
  }),
);
export type ReplaceAssociationsInput = z.infer<typeof ReplaceAssociationsInputSchema>;

/** The result of an association batch: every move's status (`r`, batch order), or RecordBatchFailure's (RecordAssociationBatchFailure's in records of the previous version). */
export const AssociationBatchResultSchema = z.lazy(() =>
  z.object({
    id: z.int(),
    /** Per move, in batch order: status, attempts, index in `errors`, and when it was switched (ms after `at`'s start, see `sw`). */
    r: z._default(
      z.array(z.object({ st: AssociationStatusSchema, a: z.optional(z.int()), x: z.optional(z.int()) })),
      [],
    ),
    errors: z.optional(z.array(z.string())),
    at: z.optional(z.string()),
    sw: z.optional(z.string()),
    error: z.optional(z.string()),
    cause: z.optional(z.string()),
  }),
);
export type AssociationBatchResult = z.infer<typeof AssociationBatchResultSchema>;

/** One route's result; `i` is its index in the batch's routes. */
export const BatchRouteResultSchema = z.lazy(() =>
  z.object({
    i: z.int().check(z.gte(0)),
    st: RouteStatusSchema,
    /** ReplaceRoute calls made for this route in the invocation that finished the batch. */
    a: z.optional(z.int()),
    /** Error or detail (failed, vanished, conflict), in results written before `errors`; now `x`. */
    e: z.optional(z.string()),
    /** Index in the batch's `errors` of this route's error or detail (failed, vanished, conflict). */
    x: z.optional(z.int().check(z.gte(0))),
    /** Conflicts: the target the route had when the batch found it (left alone). */
    t: z.optional(z.string()),
  }),
);
export type BatchRouteResult = z.infer<typeof BatchRouteResultSchema>;

/**
 * One item of the SwitchBatches Map output (ReplaceRouteBatches' in records of the previous version): a route
 * batch's result, an association batch's (`r`, as AssociationBatchResultSchema), or RecordBatchFailure's. Sparse, so a
 * 2,000-route state stays small and the history stays readable: every route of the batch has the `usual`
 * status after one ReplaceRoute call except those listed in `exceptions`; `counts` sums them up.
 */
export const BatchResultSchema = z.lazy(() =>
  z.object({
    id: z.int(),
    /** The batch's table (absent from RecordBatchFailure's output: the plan has it). */
    routeTableId: z.optional(z.string()),
    usual: z.optional(RouteStatusSchema),
    /** Index in `errors` of the error every usual route had (when the usual outcome is a failure, say). */
    usualError: z.optional(z.int().check(z.gte(0))),
    counts: z.optional(z.record(z.string(), z.int())),
    exceptions: z._default(z.array(BatchRouteResultSchema), []),
    /** Each distinct error text of the batch once, bounded (see aws-errors ERROR_TEXT_MAX). */
    errors: z.optional(z.array(z.string())),
    at: z.optional(z.string()),
    /** When each route (batch order) was switched by this invocation, compact (plan.ts encodeSwitchTimes). */
    sw: z.optional(z.string()),
    /** An association batch's result: per move, in batch order (AssociationBatchResultSchema). */
    r: z.optional(z.array(z.object({ st: AssociationStatusSchema, a: z.optional(z.int()), x: z.optional(z.int()) }))),
    /** An address batch's result: per address, in batch order. */
    addresses: z.optional(z.array(AddressResultSchema)),
    /** Set by RecordBatchFailure when the batch failed as a whole (its routes have no results). */
    error: z.optional(z.string()),
    cause: z.optional(z.string()),
  }),
);
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
  /** When this route was switched (epoch ms, to 10 ms), from its batch's result. */
  switchedAt?: number;
  /** A priority route of the group. */
  priority?: boolean;
}

export const ObservedRouteSchema = z.lazy(() =>
  z.object({
    routeTableId: z.string(),
    destination: DestinationSchema,
    /** Target as read back: an ENI ID, another target ID, or absent when the route is gone. */
    target: z.optional(z.string()),
    state: z.optional(z.string()),
    expected: z.enum(['target', 'source', 'absent', 'untouched']),
    ok: z.boolean(),
    problem: z.optional(z.string()),
  }),
);
export type ObservedRoute = z.infer<typeof ObservedRouteSchema>;

/**
 * What VerifyRoutes lists (its counts are always complete): the problems, the associations read back (a VPC
 * has at most a few hundred subnets by default), and warnings about blackhole routes to interfaces no member
 * is known to have had (then one line for the rest). Bounded so the state stays small at thousands of routes;
 * ListRoutes' state budget counts them at these sizes.
 */
export const PROBLEMS_LISTED = 200;
export const EFFECTIVE_LISTED = 500;
export const UNKNOWN_BLACKHOLES_LISTED = 20;

/** Output of VerifyRoutes. */
export const VerificationSchema = z.lazy(() =>
  z.object({
    checked: z.int(),
    ok: z.boolean(),
    mismatches: z.int(),
    rounds: z.int(),
    /** The routes that are NOT where the plan wants them (at most 200 listed; `mismatches` counts all). */
    observed: z.array(ObservedRouteSchema),
    /**
     * What the route-table invariant (shared/invariant.ts) looked at on the last read, and what it found: tables
     * and routes in reach, routes breaking it, routes left on a member this switch did not leave, one line.
     */
    invariant: z.optional(
      z.object({ tables: z.int(), routes: z.int(), findings: z.int(), split: z.int(), summary: z.string() }),
    ),
    /** Blackhole routes in scope to interfaces no member is known to have had (not counted as mismatches). */
    warnings: z.optional(z.array(z.string())),
    /**
     * Associations mode: each planned association as read back, with the table it now uses and how many
     * routes that table holds (`n`: the subject's effective routes); `ok` false when it is not where the plan wants.
     */
    effective: z.optional(
      z.array(
        z.object({
          subject: z.string(),
          table: z.optional(z.string()),
          n: z.int(),
          ok: z.boolean(),
          problem: z.optional(z.string()),
        }),
      ),
    ),
    /** The addresses read back and the invariant's address clause (absent when the group moves none). */
    addresses: z.optional(AddressVerificationSchema),
    verifiedAt: z.string(),
  }),
);
export type Verification = z.infer<typeof VerificationSchema>;

/** What a Catch puts in the state: the error name and its cause. */
export const CaughtErrorSchema = z.lazy(() => z.object({ Error: z.string(), Cause: z.optional(z.string()) }));
export type CaughtError = z.infer<typeof CaughtErrorSchema>;
