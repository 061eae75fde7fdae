import { ElasticIpsSchema, PrioritySchema, RouteTableScopeSchema, SecondaryPrivateIpsSchema } from './config';
import { HoldSchema } from './hold';
import * as z from './zod';

/**
 * Shapes of the workflow state before any write: the trigger, the lease, the health gate, who fails and
 * where to (ResolveTargets' output), and what a Catch puts in the state.
 * Objects are not strict: the state carries the fields of earlier steps as well.
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

/** What a Catch puts in the state: the error name and its cause. */
export const CaughtErrorSchema = z.lazy(() => z.object({ Error: z.string(), Cause: z.optional(z.string()) }));
export type CaughtError = z.infer<typeof CaughtErrorSchema>;
