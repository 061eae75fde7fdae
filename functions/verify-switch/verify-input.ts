import { AssociationBatchResultSchema, BatchResultSchema, FailoverStateSchema, PlanSchema } from '../contract/schemas';
import * as z from '../contract/zod';

/** VerifySwitch's input: the failover state with the plan and what the SwitchBatches Map returned. */
export const VerifyInputSchema = z.lazy(() =>
  z.extendLazy(FailoverStateSchema, {
    plan: PlanSchema,
    /**
     * The SwitchBatches Map output, every kind; absent when the Map itself failed: then every planned item is
     * checked against the plan.
     */
    results: z.optional(z.array(BatchResultSchema)),
    /** The association Map's output in a state of the previous version (a redriven execution). */
    associationResults: z.optional(z.array(AssociationBatchResultSchema)),
  }),
);
export type VerifyInput = z.infer<typeof VerifyInputSchema>;
