/** What the twin reconcile and the guard both listen to: the EC2 calls that change route tables (CloudTrail). */

/** The EC2 API calls whose CloudTrail events start a reconcile. */
export const TWIN_TRIGGER_EVENTS = [
  'CreateRoute',
  'ReplaceRoute',
  'DeleteRoute',
  'EnableVgwRoutePropagation',
  'DisableVgwRoutePropagation',
  'CreateRouteTable',
  'DeleteRouteTable',
  'AssociateRouteTable',
  'ReplaceRouteTableAssociation',
  'DisassociateRouteTable',
] as const;
