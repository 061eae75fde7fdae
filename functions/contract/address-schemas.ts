/**
 * What the address switch puts in workflow state: the plan's addresses (PlanSwitch), one batch of address moves
 * (SwitchItems input), a batch's result, and what VerifySwitch read back. A group moves a handful of addresses,
 * so the names read as words (the 256 KiB budget is the routes').
 */
import * as z from './zod';

/** Where an address is, or goes: a private IP of an interface (of a member, when it is one). */
export const AddressPlaceSchema = z.lazy(() =>
  z.object({
    eni: z.string(),
    privateIp: z.string(),
    member: z.optional(z.string()),
    instanceId: z.optional(z.string()),
  }),
);

/** One address of the plan (functions/domain/addresses/model.ts AddressItem). */
export const AddressItemSchema = z.lazy(() =>
  z.object({
    kind: z.enum(['elastic-ip', 'secondary-ip']),
    id: z.string().check(z.minLength(1)),
    publicIp: z.optional(z.string()),
    slot: z.string(),
    from: z.optional(AddressPlaceSchema),
    to: z.optional(AddressPlaceSchema),
    action: z.enum(['associate', 'assign', 'with-secondary', 'none']),
    status: z.enum(['move', 'noop', 'cannot-move']),
    carriedBy: z.optional(z.string()),
    reason: z.optional(z.string()),
    problem: z.optional(z.string()),
  }),
);
export type AddressItemState = z.infer<typeof AddressItemSchema>;

/** What PlanSwitch planned for the group's addresses (absent when the group moves none). */
export const AddressPlanStateSchema = z.lazy(() =>
  z.object({
    target: z.string(),
    /** Every address of the group: secondary private IPs first, then Elastic IPs. */
    items: z.array(AddressItemSchema),
    moves: z.int(),
    noops: z.int(),
    /** Addresses that cannot move but do not refuse the run (a conflict: held outside the group). */
    cannotMove: z.int(),
    summary: z.string(),
  }),
);
export type AddressPlanState = z.infer<typeof AddressPlanStateSchema>;

/** The addresses one SwitchItems invocation moves: one EC2 action per batch (its pacer, its bucket). */
export const AddressBatchSchema = z.lazy(() =>
  z.object({
    id: z.int().check(z.gte(0)),
    action: z.enum(['AssociateAddress', 'AssignPrivateIpAddresses']),
    /** The member the addresses go to (re-derived from the config and a fresh read before any write). */
    target: z.string(),
    addresses: z.array(AddressItemSchema).check(z.minLength(1)),
  }),
);
export type AddressBatch = z.infer<typeof AddressBatchSchema>;

export const AddressSwitchInputSchema = z.lazy(() =>
  z.object({
    batch: AddressBatchSchema,
    group: z.string(),
    vpcId: z.string(),
    dryRun: z._default(z.boolean(), false),
  }),
);
export type AddressSwitchInput = z.infer<typeof AddressSwitchInputSchema>;

/**
 * What happened to an address. `moved`: EC2 accepted the write; `already-on-target`: a fresh read found it there;
 * `conflict`: a fresh read found it held outside the group, or planned elsewhere (left alone); `dry-run`: EC2
 * answered DryRunOperation; `dry-run-unjudged`: AssignPrivateIpAddresses has no DryRun, not sent; `dry-run-ignored`:
 * a dry run's write answered success (the address MOVED); `failed`.
 */
export const AddressStatusSchema = z.lazy(() =>
  z.enum(['moved', 'already-on-target', 'conflict', 'dry-run', 'dry-run-unjudged', 'dry-run-ignored', 'failed']),
);
export type AddressStatus = z.infer<typeof AddressStatusSchema>;

/** One address's result in its batch: status, calls made, error, when EC2 accepted the move. */
export const AddressResultSchema = z.lazy(() =>
  z.object({
    id: z.string(),
    status: AddressStatusSchema,
    attempts: z.optional(z.int()),
    error: z.optional(z.string()),
    switchedAt: z.optional(z.string()),
  }),
);
export type AddressResult = z.infer<typeof AddressResultSchema>;

/** What VerifySwitch read back of the addresses, and the invariant's address clause on that read. */
export const AddressVerificationSchema = z.lazy(() =>
  z.object({
    checked: z.int(),
    findings: z.int(),
    summary: z.string(),
    /** Every planned address as read back: where it is now, and what is wrong, if anything. */
    items: z.array(
      z.object({
        id: z.string(),
        status: z.enum(['verified', 'not-moved', 'elsewhere', 'gone', 'unchanged']),
        found: z.optional(z.object({ eni: z.string(), privateIp: z.string() })),
        problem: z.optional(z.string()),
      }),
    ),
    /** The clause's findings, as lines (few addresses: all listed). */
    problems: z.array(z.string()),
    /** Addresses not where they must be plus the clause's findings (counted in the verification's `mismatches`). */
    mismatches: z.int(),
  }),
);
export type AddressVerification = z.infer<typeof AddressVerificationSchema>;

/** One address in the audit record: where it was, where it is now (read back), its result, calls, time to switch. */
export const AuditAddressSchema = z.lazy(() =>
  z.object({
    kind: z.enum(['elastic-ip', 'secondary-ip']),
    id: z.string(),
    publicIp: z.optional(z.string()),
    slot: z.string(),
    /** `noop`: already in place; `cannot-move`: left where it is (a conflict); `with-secondary`: moved with its IP. */
    status: z.union([AddressStatusSchema, z.enum(['noop', 'cannot-move', 'with-secondary', 'not-attempted'])]),
    before: z.optional(AddressPlaceSchema),
    /** As read back by VerifySwitch (absent: not read back); null: on nothing. */
    after: z.optional(z.nullable(z.object({ eni: z.string(), privateIp: z.string(), member: z.optional(z.string()) }))),
    verified: z.optional(z.boolean()),
    attempts: z.optional(z.int()),
    timeToSwitchMs: z.optional(z.number()),
    problem: z.optional(z.string()),
  }),
);
export type AuditAddress = z.infer<typeof AuditAddressSchema>;

/** The addresses' part of the audit record (absent when the group moves none). */
export const AuditAddressesSchema = z.lazy(() =>
  z.object({
    planned: z.int(),
    moved: z.int(),
    alreadyOnTarget: z.int(),
    cannotMove: z.int(),
    /** The invariant's address clause on VerifySwitch's read. */
    invariant: z.optional(z.string()),
    /** The longest time to switch of the addresses moved (ms from the execution's start). */
    timeToSwitchMaxMs: z.optional(z.number()),
    list: z.array(AuditAddressSchema),
  }),
);
export type AuditAddresses = z.infer<typeof AuditAddressesSchema>;
