/** Characters of a thrown error's message: it is the Cause that a Catch copies into state, once per failed batch. */
export const THROWN_MESSAGE_MAX = 300;

/** At most `max` characters of a text, with a visible mark where it was cut. */
export const clipText = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;

/**
 * Named errors. The class name is set explicitly on `name` because that string is what Lambda reports as
 * errorType and what the state machine's Retry/Catch `ErrorEquals` match; bundles keep names (keepNames)
 * but the explicit assignment is what makes it safe.
 */
export class FailoverError extends Error {
  /** Transient errors are retried by the state machine; all others are caught by name. */
  readonly transient: boolean = false;
  constructor(message: string, options?: { cause?: unknown }) {
    // Bounded: the message becomes the Task's Cause, which a Catch copies into state.
    super(clipText(message, THROWN_MESSAGE_MAX), options);
    this.name = 'FailoverError';
  }
}

/** The failover config (cdk.json context, env FAILOVER_CONFIG or a file) does not match the schema. */
export class ConfigError extends FailoverError {
  constructor(message: string) {
    super(message);
    // Whole: it is read at synth time and by the local runner, where nothing copies it into state (a function
    // bounds whatever it throws in boundedHandler anyway).
    this.message = message;
    this.name = 'ConfigError';
  }
}

/**
 * The stack's reserved concurrency does not fit the account's Lambda concurrency (infra, at synth time). A
 * ConfigError, because the fix is in the config: a smaller reservation, or the raised quota stated in it.
 */
export class ReservedConcurrencyError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'ReservedConcurrencyError';
  }
}

/** The workflow input is neither a supported EventBridge event nor a valid manual request. */
export class InvalidRequestError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** A manual request names a group that is not configured. */
export class UnknownGroupError extends FailoverError {
  constructor(group: string, known: string[]) {
    super(`unknown group "${group}" (configured: ${known.join(', ') || 'none'})`);
    this.name = 'UnknownGroupError';
  }
}

/** A manual request names a member that is not in the group. */
export class UnknownMemberError extends FailoverError {
  constructor(group: string, member: string, known: string[]) {
    super(`group "${group}" has no member "${member}" (members: ${known.join(', ')})`);
    this.name = 'UnknownMemberError';
  }
}

/** No member other than the failing/active one is running: there is nowhere to move routes to. */
export class NoHealthyTargetError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'NoHealthyTargetError';
  }
}

/** The requested target member is not in a state that can carry traffic. */
export class TargetUnhealthyError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnhealthyError';
  }
}

/**
 * How long the state machine retries ResolveTargets on TargetStatusPendingError, in seconds: its Retry there is
 * IntervalSeconds 20, BackoffRate 1.5, MaxDelaySeconds 60, MaxAttempts 7, JitterStrategy NONE, so the waits are
 * 20 + 30 + 45 + 60 + 60 + 60 + 60 = 335 s (about 5.5 min) over 8 attempts. EC2's status checks of an instance
 * just started take minutes to leave `initializing`; a test keeps this equal to the definition.
 */
export const TARGET_STATUS_WAIT_SECONDS = 335;

/**
 * The target is running and nothing is wrong with it but status checks EC2 has not settled yet (`initializing`,
 * `insufficient-data`, not reported): retried by the state machine for TARGET_STATUS_WAIT_SECONDS, then caught
 * and notified as a failed run naming the target and its checks. Nothing is written before it passes.
 */
export class TargetStatusPendingError extends FailoverError {
  override readonly transient = true;
  constructor(pending: string) {
    super(
      `${pending}. Nothing was changed; retried for up to ${TARGET_STATUS_WAIT_SECONDS} s while EC2 settles the ` +
        `checks, then the run fails with this error`,
    );
    this.name = 'TargetStatusPendingError';
  }
}

/** A member instance or its interfaces could not be read from EC2 (terminated and gone, wrong ID). */
export class MemberNotFoundError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'MemberNotFoundError';
  }
}

/** A route to move points at an interface whose device index has no counterpart on the target. */
export class UnpairedInterfaceError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'UnpairedInterfaceError';
  }
}

/**
 * The plan is too large for the workflow's states: a run of it could reach a state above Step Functions'
 * 256 KiB, which ends the execution in States.DataLimitExceeded that no Catch handles (no verification, no
 * notification, the lease held). PlanSwitch refuses it before anything is written; the fix is in the config:
 * split the group's route-table scope into several groups.
 */
export class PlanTooLargeError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'PlanTooLargeError';
  }
}

/** EC2 throttled the call (RequestLimitExceeded and kin) after the SDK's own retries: retry later. */
export class Ec2ThrottledError extends FailoverError {
  override readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Ec2ThrottledError';
  }
}

/** EC2 answered 5xx or the network failed: retry later. */
export class Ec2TransientError extends FailoverError {
  override readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Ec2TransientError';
  }
}

/** EC2 refused a ReplaceRoute for a reason retrying will not fix (permissions, bad target, limits). */
export class RouteReplaceError extends FailoverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RouteReplaceError';
  }
}

/** EC2 refused a read for a reason retrying will not fix (permissions, unknown VPC). */
export class Ec2RequestError extends FailoverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'Ec2RequestError';
  }
}

/** SNS throttled or failed transiently: retry later. */
export class NotifyTransientError extends FailoverError {
  override readonly transient = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NotifyTransientError';
  }
}

/**
 * Another execution holds the group's lease and is still running. AcquireLease turns it into a wait
 * (WaitForLease) while the holder can legitimately keep the lease, and lets it through once waiting longer
 * could not leave time for this execution's own work.
 */
export class LeaseBusyError extends FailoverError {
  override readonly transient = true;
  /** The execution holding the lease. */
  readonly holder: string;
  constructor(group: string, detail: string, holder = detail) {
    super(`group "${group}" is being switched by ${detail}; waiting for it to finish`);
    this.name = 'LeaseBusyError';
    this.holder = holder;
  }
}

/**
 * The group state store (lease and history) failed; `transient` ones are named StateStoreTransientError and retried.
 */
export class StateStoreError extends FailoverError {
  override readonly transient: boolean;
  constructor(message: string, transient: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.transient = transient;
    this.name = transient ? 'StateStoreTransientError' : 'StateStoreError';
  }
}

/** Flap damping: too many automatic failovers of this group in the window; nothing was changed. */
export class FailoverSuppressedError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'FailoverSuppressedError';
  }
}

/** A required environment variable is missing (deployment bug). */
export class MissingEnvError extends FailoverError {
  constructor(name: string) {
    super(`environment variable ${name} is not set`);
    this.name = 'MissingEnvError';
  }
}

/**
 * Error names the state machine retries (with backoff; full jitter but for TargetStatusPendingError);
 * everything else is caught by name.
 */
export const TRANSIENT_ERROR_NAMES = [
  'Ec2ThrottledError',
  'Ec2TransientError',
  'NotifyTransientError',
  'StateStoreTransientError',
  'LeaseBusyError',
  'TargetStatusPendingError',
] as const;

/** A Lambda Task's Cause is JSON ({"errorType","errorMessage","trace"}); the message is what a person needs. */
export const causeText = (cause: string | undefined): string | undefined => {
  if (!cause?.startsWith('{')) return cause;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : cause;
  } catch {
    return cause;
  }
};

/** The scheduled inventory refresh could not describe or store one or more groups (the stored inventory is kept). */
export class InventoryRefreshError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'InventoryRefreshError';
  }
}

/**
 * CloudWatch could not say whether an alarm is in ALARM; `transient` ones are named
 * AlarmCheckTransientError and retried.
 */
export class AlarmCheckError extends FailoverError {
  override readonly transient: boolean;
  constructor(message: string, transient: boolean, options?: { cause?: unknown }) {
    super(message, options);
    this.transient = transient;
    this.name = transient ? 'AlarmCheckTransientError' : 'AlarmCheckError';
  }
}

/**
 * A SwitchItems batch asks for a write the group's config and EC2 do not back: a target interface that is not
 * attached to a member, a source interface no other member has or had, a table outside the group's scope.
 * Nothing of the batch is written.
 */
export class BatchNotAuthorizedError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'BatchNotAuthorizedError';
  }
}

/**
 * A reconcile of twin tables names a group that is not in the associations switching mode (nothing is read or written).
 */
export class NotAssociationsModeError extends FailoverError {
  constructor(group: string, mode: string) {
    super(
      `group "${group}" switches by ${mode}, not by associations: it has no twin tables (set "switchMode": ` +
        `"associations" to use them)`,
    );
    this.name = 'NotAssociationsModeError';
  }
}

/** A write to a route table that is not a twin of the group being reconciled was about to be sent (it was not). */
export class TwinWriteRefusedError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'TwinWriteRefusedError';
  }
}

/** The twin reconcile left one or more tables unreconciled (each is named in its report). */
export class TwinsReconcileError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'TwinsReconcileError';
  }
}

/** A guard pass could not read, store or notify one or more groups (each is named in its report). */
export class GuardPassError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'GuardPassError';
  }
}
