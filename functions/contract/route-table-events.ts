/** What the twin reconcile and the guard both listen to: the EC2 calls that change route tables (CloudTrail). */

/** In EventBridge's CloudTrail pattern and in the handlers' event schemas alike. */
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
