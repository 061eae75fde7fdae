import type { RouteTable, RouteTableAssociation } from '@aws-sdk/client-ec2';
import type { AssociationMove } from './schemas';

/** The associations of a table that route traffic: subnet, gateway edge and main (disassociating ones excluded). */
export const liveAssociations = (table: RouteTable): RouteTableAssociation[] =>
  (table.Associations ?? []).filter(
    (a) => a.RouteTableAssociationId && (a.SubnetId || a.GatewayId || a.Main) && !['disassociating', 'disassociated', 'failed'].includes(a.AssociationState?.State ?? 'associated'),
  );

/** What an association associates, in words: the subnet, the gateway, or the VPC's main association. */
export const subjectOf = (a: { SubnetId?: string; GatewayId?: string; Main?: boolean } | AssociationMove): string =>
  'a' in a ? (a.s ?? a.g ?? 'main') : (a.SubnetId ?? a.GatewayId ?? (a.Main ? 'main' : 'unknown'));
