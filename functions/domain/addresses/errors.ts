/** The address switch's named errors (the `name` is what an ASL Catch matches). */
import { FailoverError } from '../../contract/errors';
import type { AddressItem } from './model';

/** The plan found addresses that cannot move for a reason that refuses the whole run, before anything moves. */
export class AddressCannotMoveError extends FailoverError {
  readonly items: Array<Pick<AddressItem, 'id' | 'reason' | 'problem'>>;
  constructor(items: AddressItem[]) {
    super(
      `${items.length} address(es) cannot move, nothing was moved: ` +
        `${items.map((i) => `${i.id} (${i.reason}): ${i.problem}`).join('; ')}`,
    );
    this.name = 'AddressCannotMoveError';
    this.items = items.map(({ id, reason, problem }) => ({ id, reason, problem }));
  }
}

/** EC2 refused a move because the address is held elsewhere (Resource.AlreadyAssociated, PrivateIpAddressInUse). */
export class AddressHeldElsewhereError extends FailoverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AddressHeldElsewhereError';
  }
}

/** EC2 refused a secondary private IP outside the destination interface's subnet. */
export class AddressSubnetMismatchError extends FailoverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AddressSubnetMismatchError';
  }
}

/**
 * EC2 does not know the address or the interface any more (InvalidAllocationID.NotFound,
 * InvalidNetworkInterfaceID.NotFound, InvalidParameterValue on a private IP).
 */
export class AddressTargetGoneError extends FailoverError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AddressTargetGoneError';
  }
}

/** A dry run answered success instead of DryRunOperation: the endpoint ignored DryRun and MOVED the address. */
export class AddressDryRunIgnoredError extends FailoverError {
  constructor(message: string) {
    super(message);
    this.name = 'AddressDryRunIgnoredError';
  }
}

/** The plan's refusal, if any: an AddressCannotMoveError naming every blocking item. */
export const refusalOf = (plan: { blocking: AddressItem[] }): AddressCannotMoveError | undefined =>
  plan.blocking.length > 0 ? new AddressCannotMoveError(plan.blocking) : undefined;
