import type { RouteTable, RouteTableAssociation } from '@aws-sdk/client-ec2';
import { associationBatchesOf, decodeSwitchTimes } from './plan';
import type {
  AssociationBatchResult,
  AssociationMove,
  AssociationStatus,
  BatchResult,
  Plan,
} from '../contract/schemas';

/** A batch result as the Map's output holds it (a route batch's has no `r`). */
type BatchOrAssociationResult = AssociationBatchResult | BatchResult;

/** The associations of a table that route traffic: subnet, gateway edge and main (disassociating ones excluded). */
export const liveAssociations = (table: RouteTable): RouteTableAssociation[] =>
  (table.Associations ?? []).filter(
    (a) =>
      a.RouteTableAssociationId &&
      (a.SubnetId || a.GatewayId || a.Main) &&
      !['disassociating', 'disassociated', 'failed'].includes(a.AssociationState?.State ?? 'associated'),
  );

/** Whether an association is the one a move names: the same subnet, the same gateway, or the main association. */
export const sameSubject = (
  a: { SubnetId?: string; GatewayId?: string; Main?: boolean },
  m: AssociationMove,
): boolean => (m.m ? a.Main === true : m.s ? a.SubnetId === m.s : a.GatewayId === m.g);

/** What an association associates, in words: the subnet, the gateway, or the VPC's main association. */
export const subjectOf = (a: { SubnetId?: string; GatewayId?: string; Main?: boolean } | AssociationMove): string =>
  'a' in a ? (a.s ?? a.g ?? 'main') : (a.SubnetId ?? a.GatewayId ?? (a.Main ? 'main' : 'unknown'));

/** One planned association move with its result (`not-attempted` when its batch has none). */
export interface MoveResult {
  move: AssociationMove;
  status: AssociationStatus | 'not-attempted';
  error?: string;
  attempts?: number;
  /** When the move was made (epoch ms, to 10 ms). */
  switchedAt?: number;
}

/**
 * Each planned association move with what its batch reported: `results` is the SwitchBatches Map's output;
 * `legacyResults` the associationResults of a record of the previous version (a Map of their own).
 */
export const moveResultsOf = (
  plan: Plan | undefined,
  results: BatchOrAssociationResult[] | undefined,
  legacyResults?: BatchOrAssociationResult[],
): MoveResult[] => {
  return associationBatchesOf(plan, results, legacyResults).flatMap(({ batch: b, result: r }) => {
    const times = r?.at ? decodeSwitchTimes(Date.parse(r.at), r.sw, b.moves.length) : [];
    return b.moves.map((move, i): MoveResult => {
      const x = r?.r?.[i];
      if (x)
        return {
          move,
          status: x.st,
          attempts: x.a,
          error: x.x !== undefined ? r?.errors?.[x.x] : undefined,
          switchedAt: times[i],
        };
      const whole = r?.error ? [r.error, r.cause].filter(Boolean).join(': ') : undefined;
      return { move, status: r?.error ? 'failed' : 'not-attempted', error: whole };
    });
  });
};
