/** The simulator's public types, and the records it keeps its account region in. */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import type { ThrottlingOptions } from './throttling';

// ───────────────────────────── public types ─────────────────────────────

export type InstanceStateName = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';
export type StatusCheck = 'ok' | 'impaired' | 'insufficient-data' | 'initializing';
export type DestinationKind = 'ipv4' | 'ipv6' | 'prefix-list';
export interface RouteDestination {
  kind: DestinationKind;
  value: string;
}
export type Service = 'ec2' | 'sns';
export type CommandInput = Record<string, unknown>;

export const DESTINATION_FIELDS = {
  ipv4: 'DestinationCidrBlock',
  ipv6: 'DestinationIpv6CidrBlock',
  'prefix-list': 'DestinationPrefixListId',
} as const;
export type DestinationField = (typeof DESTINATION_FIELDS)[DestinationKind];

export const TARGET_FIELDS = [
  'NetworkInterfaceId',
  'GatewayId',
  'NatGatewayId',
  'TransitGatewayId',
  'VpcPeeringConnectionId',
  'EgressOnlyInternetGatewayId',
  'VpcEndpointId',
  'LocalGatewayId',
  'CarrierGatewayId',
  'CoreNetworkArn',
] as const;
export type TargetField = (typeof TARGET_FIELDS)[number];

/** The destination and target fields shared by ReplaceRoute, CreateRoute and DeleteRoute requests. */
export type RouteFields = Partial<Record<DestinationField | TargetField | 'InstanceId', string>>;

/** A route for `addRoute`: exactly one destination field and one target field (InstanceId resolves to eth0). */
export type RouteSpec = RouteFields & {
  Origin?: 'CreateRoute' | 'EnableVgwRoutePropagation';
};

/** What a route table can be explicitly associated with: a subnet, or a gateway edge (igw-/vgw-). */
export type AssociationTarget = { subnetId: string } | { gatewayId: string };

export interface SimulatedVpcOptions {
  /** Seeds every generated ID and every probabilistic fault: same seed and same calls, same run. */
  seed?: number;
  /** Delay of every call, or per action name ('*' is the default for unnamed actions). */
  latencyMs?: number | Partial<Record<string, number>>;
  /**
   * Spread of every call's latency: each call takes latency ± up to this many ms (uniform, seeded, never below 0).
   * A real endpoint's round trips vary; a writer paced to the millisecond meets EC2's refill early or late.
   */
  latencyJitterMs?: number;
  region?: string;
  accountId?: string;
  /** Time source for call timestamps and latency; wall time (Date.now, setTimeout) when absent. */
  clock?: SimClock;
  /**
   * EC2's API request token buckets (sim/throttling.ts), on by default with the documented limits: an empty
   * bucket answers RequestLimitExceeded. Options adjust them; `false` turns them off.
   */
  throttling?: ThrottlingOptions | false;
  /**
   * Off unless given: DescribeRouteTables may show a route or association as it was before a ReplaceRoute,
   * CreateRoute, DeleteRoute or ReplaceRouteTableAssociation, for a seeded random time of up to `max` ms on
   * `clock` (EC2's eventual consistency; sim/read-lag.ts).
   */
  readLagMs?: { max: number };
}

/** What the simulator reads time from and waits on; a test or benchmark may pass a virtual one. */
export interface SimClock {
  /** Milliseconds, like Date.now(). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export interface SimCall {
  service: Service;
  action: string;
  /** A deep copy of the command input as sent. */
  input: CommandInput;
  /** The clock's time (Date.now() by default) when the call started and when it settled. */
  at: number;
  endAt?: number;
  /** Error name (EC2 code or SNS exception name) when the call failed. */
  error?: string;
  /** The action ran to completion (true even when an 'after' fault then lost the response). */
  tookEffect?: boolean;
}

export interface PublishedMessage {
  TopicArn: string;
  Subject?: string;
  Message: string;
  MessageAttributes?: Record<string, MessageAttributeValue>;
  MessageId: string;
}

// ───────────────────────────── internal records ─────────────────────────────

export interface VpcRecord {
  vpcId: string;
  cidr: string;
  ipv6Cidr?: string;
  nextHost: number;
  /** Index of the next automatically placed subnet CIDR (sim/subnets.ts). */
  nextSubnet: number;
  /**
   * Destinations each VGW advertises into this VPC: learnt from propagated routes set up with addRoute, and
   * copied into a table when EnableVgwRoutePropagation starts propagating that VGW there.
   */
  vgwAdvertised: Map<string, RouteDestination[]>;
}

export interface SubnetRecord {
  seq: number;
  subnetId: string;
  vpcId: string;
  cidr: string;
  ipv6Cidr?: string;
  availabilityZone: string;
  tags: Record<string, string>;
}

/** A route table association: explicit (a subnet or a gateway edge) or the VPC's main association. */
export type AssociationRecord = {
  associationId: string;
  routeTableId: string;
} & ({ kind: 'subnet'; subnetId: string } | { kind: 'gateway'; gatewayId: string } | { kind: 'main' });

export interface InstanceRecord {
  seq: number;
  instanceId: string;
  reservationId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  state: InstanceStateName;
  tags: Record<string, string>;
  instanceCheck: StatusCheck;
  systemCheck: StatusCheck;
  /** Like EC2's LaunchTime: set when the instance (re)enters running from a stopped state. */
  launchTime: Date;
}

export interface EniRecord {
  seq: number;
  eniId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  sourceDestCheck: boolean;
  privateIpAddress: string;
  deleteOnTermination: boolean;
  /** Secondary private IPv4 addresses, in the order assigned (sim/addresses.ts). */
  secondaryIps?: string[];
  attachment?: { instanceId: string; deviceIndex: number; networkCardIndex: number; attachmentId: string };
}

/** An Elastic IP address (sim/addresses.ts) and its association, if any, with one private IP of one interface. */
export interface AddressRecord {
  seq: number;
  allocationId: string;
  publicIp: string;
  tags: Record<string, string>;
  association?: { associationId: string; eniId: string; privateIp: string };
}

export type RouteOriginName = 'CreateRouteTable' | 'CreateRoute' | 'EnableVgwRoutePropagation';

export interface RouteRecord {
  destination: RouteDestination;
  target: { field: TargetField; id: string };
  origin: RouteOriginName;
}

export interface RouteTableRecord {
  seq: number;
  routeTableId: string;
  vpcId: string;
  tags: Record<string, string>;
  routes: RouteRecord[];
  /** VGWs propagating into this table (PropagatingVgws), in the order they started. */
  propagatingVgws: string[];
}
