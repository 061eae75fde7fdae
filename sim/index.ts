/** The simulated AWS account region: a SimulatedVpc, its SDK clients, and the types and limits it states. */
export { SimulatedVpc } from './simulated-vpc';
export { SimulatedEc2Client, SimulatedSnsClient } from './clients';
export { ENCODED_AUTHORIZATION_MESSAGE_BYTES, unauthorizedOperationMessage, type FaultSpec } from './faults';
export { destinationKindOf } from './ids';
export { mulberry32 } from './random';
export {
  EC2_ACTION_CATEGORIES,
  EC2_API_RATE_LIMITS,
  Ec2RequestBuckets,
  TokenBucket,
  ec2ActionLimits,
  ec2ApiCategory,
  type Ec2ApiCategory,
  type ThrottlingOptions,
  type TokenBucketSpec,
} from './throttling';
export type {
  AssociationTarget,
  CommandInput,
  DestinationKind,
  InstanceStateName,
  PublishedMessage,
  RouteDestination,
  RouteSpec,
  Service,
  SimCall,
  SimClock,
  SimulatedVpcOptions,
  StatusCheck,
} from './types';
