import { addressSwitch, type AddressBatchResult, type AddressSwitchDeps } from '../aws/address-switch';
import { associationSwitch, type AssociationSwitchDeps } from '../aws/association-switch';
import { writeBatch } from '../aws/paced-writer';
import { routeSwitch, type RouteSwitchDeps } from '../aws/route-switch';
import { AddressSwitchInputSchema } from '../contract/address-schemas';
import { parseInput } from '../contract/parse-input';
import {
  ReplaceAssociationsInputSchema,
  ReplaceBatchInputSchema,
  type AssociationBatchResult,
  type BatchResult,
} from '../contract/schemas';

/**
 * What the one write function needs: the union of what its kinds need (the EC2 client, the config, the
 * store, a pacer per action).
 */
export type SwitchItemsDeps = RouteSwitchDeps & AssociationSwitchDeps & AddressSwitchDeps;

/** The batch result of whichever kind the batch was. */
export type SwitchItemsResult = BatchResult | AssociationBatchResult | AddressBatchResult;

/**
 * SwitchItems: one batch of the plan, of any kind, through its kind's strategy and the one paced writer
 * (functions/aws/paced-writer.ts). The batch says its kind by its shape: association moves (`moves`), addresses
 * (`addresses`) or the routes of one table (`routes`). A kind of switch is one entry here; its input is parsed
 * with its own schema, so a batch of one kind can never be read as another's.
 */
export const switchItems = async (event: unknown, deps: SwitchItemsDeps): Promise<SwitchItemsResult> => {
  const batch = (event as { batch?: Record<string, unknown> } | null)?.batch;
  if (batch && Array.isArray(batch.moves)) {
    return writeBatch(
      associationSwitch,
      parseInput(ReplaceAssociationsInputSchema, event, 'SwitchItems input (associations)'),
      deps,
    );
  }
  if (batch && Array.isArray(batch.addresses))
    return writeBatch(
      addressSwitch,
      parseInput(AddressSwitchInputSchema, event, 'SwitchItems input (addresses)'),
      deps,
    );
  return writeBatch(routeSwitch, parseInput(ReplaceBatchInputSchema, event, 'SwitchItems input'), deps);
};
