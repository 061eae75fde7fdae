/**
 * An in-process VPC that answers the EC2 and SNS calls the product makes the way the real services do:
 * filters, pagination with opaque tokens, EC2's error codes and messages, blackhole route state,
 * injectable faults and latency. Tests and `npm run demo` hand its clients to the real handlers.
 * This file is the account region's face: setup and observation for tests, and the entry of calls; each
 * concern's rules live in the files next to it (dispatch serves a call; route-tables, route-table-admin,
 * associations, subnets, instances, instance-admin, network-interfaces, addresses, sns, filters, ids, throttling,
 * faults, clients; ec2-actions names the EC2 actions served).
 */
import type { Address, Route, RouteTable, RouteTableAssociation } from '@aws-sdk/client-ec2';
import { addressOutput, allocateAddress, assignPrivateIpAddresses, freeIpInSubnet } from './addresses';
import {
  addMainAssociation,
  associateRouteTable,
  associationOutput,
  associationsOf,
  dropAssociationsOf,
  effectiveRouteTableId,
} from './associations';
import { SimulatedEc2Client, SimulatedSnsClient } from './clients';
import { CallDispatcher } from './dispatch';
import type { FaultSpec } from './faults';
import { canonicalDestination } from './ids';
import { addInstance, type InstanceSpec, setInstanceState, setInstanceStatusCheck } from './instance-admin';
import { mulberry32 } from './random';
import { addNetworkInterface, attachNetworkInterface, type NetworkInterfaceSpec } from './network-interfaces';
import { addSetupRoute, newRouteTable } from './route-table-admin';
import { findRoute, routeOutput, routeTableOutput } from './route-tables';
import { ReadLag } from './read-lag';
import { SimState } from './state';
import { addSubnet } from './subnets';
import { MUTATING_ACTIONS } from './throttling';
import type {
  AssociationTarget,
  InstanceStateName,
  PublishedMessage,
  RouteSpec,
  Service,
  SimCall,
  SimClock,
  SimulatedVpcOptions,
  StatusCheck,
} from './types';

const WALL_CLOCK: SimClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

// ───────────────────────────── the simulated VPC ─────────────────────────────

/** Holds the state of a fake AWS account region and serves the EC2 and SNS calls of the product. */
export class SimulatedVpc {
  readonly region: string;
  readonly accountId: string;
  /** Every call in arrival order, including failed ones. */
  readonly calls: SimCall[];
  /** Every message SNS accepted. */
  readonly published: PublishedMessage[];

  private readonly s: SimState;
  private readonly dispatcher: CallDispatcher;
  private ec2Client?: SimulatedEc2Client;
  private snsClient?: SimulatedSnsClient;

  constructor(opts: SimulatedVpcOptions = {}) {
    const seed = opts.seed ?? 1;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    const clock = opts.clock ?? WALL_CLOCK;
    // Separate streams: creating one more resource must not change which calls a fault hits.
    this.s = new SimState(this.region, this.accountId, mulberry32(seed), mulberry32(seed ^ 0x27d4eb2f));
    this.published = this.s.published;
    // Its own stream too: turning read lag on changes no ID and no fault.
    if (opts.readLagMs) this.s.readLag = new ReadLag(opts.readLagMs, () => clock.now(), mulberry32(seed ^ 0x1b873593));
    this.dispatcher = new CallDispatcher(this.s, clock, seed, opts);
    this.calls = this.dispatcher.calls;
  }

  // ─────────── clients ───────────

  /** The EC2 client bound to this VPC (one per simulator). */
  ec2(): SimulatedEc2Client {
    this.ec2Client ??= new SimulatedEc2Client(this);
    return this.ec2Client;
  }

  /** The SNS client bound to this VPC (one per simulator). */
  sns(): SimulatedSnsClient {
    this.snsClient ??= new SimulatedSnsClient(this);
    return this.snsClient;
  }

  // ─────────── setup ───────────

  /** Creates a VPC; returns its ID. */
  addVpc(opts: { cidr: string; ipv6Cidr?: string; vpcId?: string }): string {
    const cidr = canonicalDestination('ipv4', opts.cidr);
    const ipv6Cidr = opts.ipv6Cidr === undefined ? undefined : canonicalDestination('ipv6', opts.ipv6Cidr);
    const vpcId = this.s.claimId('vpc', opts.vpcId);
    this.s.vpcs.set(vpcId, { vpcId, cidr, ipv6Cidr, nextHost: 10, nextSubnet: 0, vgwAdvertised: new Map() });
    return vpcId;
  }

  /** Creates a subnet (the next free block of the VPC when `cidr` is absent); returns its ID. */
  addSubnet(opts: {
    vpcId: string;
    availabilityZone: string;
    cidr?: string;
    ipv6Cidr?: string;
    subnetId?: string;
    tags?: Record<string, string>;
  }): string {
    return addSubnet(this.s, opts);
  }

  /** Creates an instance without interfaces (add them with addNetworkInterface); returns its ID. */
  addInstance(opts: InstanceSpec): string {
    return addInstance(this.s, opts);
  }

  /** Creates an ENI, attached to `instanceId` at `deviceIndex` (next free by default) when given; returns its ID. */
  addNetworkInterface(opts: NetworkInterfaceSpec): string {
    return addNetworkInterface(this.s, opts);
  }

  /** Attaches an existing detached ENI to an instance (out of band, as the console would). */
  attachNetworkInterface(eniId: string, instanceId: string, deviceIndex?: number, networkCardIndex = 0): void {
    attachNetworkInterface(this.s, eniId, instanceId, deviceIndex, networkCardIndex);
  }

  /** Allocates an Elastic IP (AllocateAddress, out of band); returns its allocation ID. */
  allocateAddress(opts: { publicIp?: string; allocationId?: string; tags?: Record<string, string> } = {}): string {
    return allocateAddress(this.s, opts);
  }

  /** Assigns a secondary private IP to an ENI (a free one of its subnet when absent), out of band; returns it. */
  addSecondaryPrivateIp(eniId: string, ip?: string): string {
    const eni = this.s.requireEni(eniId);
    const address = ip ?? freeIpInSubnet(this.s, eni);
    assignPrivateIpAddresses(this.s, { NetworkInterfaceId: eniId, PrivateIpAddresses: [address] });
    return address;
  }

  /** An Elastic IP as DescribeAddresses shows it (a fresh copy). */
  address(allocationId: string): Address | undefined {
    const a = this.s.addresses.get(allocationId);
    return a && addressOutput(this.s, a);
  }

  /** Every Elastic IP of the account as DescribeAddresses shows it (fresh copies), for oracles that read the truth. */
  addresses(): Address[] {
    return [...this.s.addresses.values()].map((a) => addressOutput(this.s, a));
  }

  /** The ENI holding a secondary private IP now, out of band (undefined: none). */
  secondaryIpHolder(ip: string): string | undefined {
    return [...this.s.enis.values()].find((e) => (e.secondaryIps ?? []).includes(ip))?.eniId;
  }

  /** Turns an ENI's source/destination check on or off (ModifyNetworkInterfaceAttribute). */
  setSourceDestCheck(eniId: string, enabled: boolean): void {
    this.s.requireEni(eniId).sourceDestCheck = enabled;
  }

  /** Detaches an ENI; routes to it become blackholes. */
  detachNetworkInterface(eniId: string): void {
    this.s.requireEni(eniId).attachment = undefined;
  }

  /** Deletes an ENI outright (even if attached); routes to it stay, as blackholes. */
  deleteNetworkInterface(eniId: string): void {
    this.s.requireEni(eniId);
    this.s.enis.delete(eniId);
  }

  /** Creates a route table with its local route(s); `main` makes it the VPC's main table. Returns its ID. */
  addRouteTable(opts: { vpcId: string; tags?: Record<string, string>; routeTableId?: string; main?: boolean }): string {
    if (opts.main && this.s.mainAssociation(opts.vpcId))
      throw new Error(`${opts.vpcId} already has a main route table`);
    const table = newRouteTable(this.s, opts.vpcId, opts.tags ?? {}, opts.routeTableId);
    if (opts.main) addMainAssociation(this.s, table);
    return table.routeTableId;
  }

  /** Adds a route as set up out of band. Unlike the API, an InstanceId target always resolves to its eth0. */
  addRoute(routeTableId: string, route: RouteSpec): void {
    addSetupRoute(this.s, routeTableId, route);
  }

  /**
   * Associates a table with a subnet or a gateway (igw-/vgw-) edge, as AssociateRouteTable does;
   * returns the rtbassoc- ID.
   */
  associateRouteTable(routeTableId: string, target: AssociationTarget): string {
    const input =
      'subnetId' in target
        ? { RouteTableId: routeTableId, SubnetId: target.subnetId }
        : { RouteTableId: routeTableId, GatewayId: target.gatewayId };
    return String(associateRouteTable(this.s, input).AssociationId);
  }

  /** Adds or changes tags of a route table (CreateTags, out of band). */
  tagRouteTable(routeTableId: string, tags: Record<string, string>): void {
    Object.assign(this.s.requireTable(routeTableId).tags, tags);
  }

  /**
   * Removes a route table (as if someone deleted it mid-run), associations and all: its subnets
   * fall back to the main table.
   */
  deleteRouteTable(routeTableId: string): void {
    this.s.requireTable(routeTableId);
    dropAssociationsOf(this.s, routeTableId);
    this.s.tables.delete(routeTableId);
  }

  /** Moves an instance to a state; terminating deletes its delete-on-termination ENIs and detaches the rest. */
  setInstanceState(instanceId: string, state: InstanceStateName): void {
    setInstanceState(this.s, instanceId, state);
  }

  /** Sets the result of an instance's status checks ('instance' reachability by default). */
  setInstanceStatusCheck(
    instanceId: string,
    status: StatusCheck,
    check: 'instance' | 'system' | 'both' = 'instance',
  ): void {
    setInstanceStatusCheck(this.s, instanceId, status, check);
  }

  /** Forgets an instance entirely, as EC2 does about an hour after termination. */
  removeInstance(instanceId: string): void {
    this.s.requireInstance(instanceId);
    this.s.instances.delete(instanceId);
  }

  /** Creates an SNS topic; returns its ARN. */
  createTopic(name: string): string {
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) throw new Error(`invalid topic name "${name}"`);
    const arn = `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
    this.s.topics.add(arn);
    return arn;
  }

  /**
   * Starts a service disruption in an Availability Zone: DescribeInstances, DescribeInstanceStatus and
   * DescribeNetworkInterfaces calls that name a resource there (or, for instances, none) answer 503 Unavailable
   * for the whole disruption (sim/FIDELITY.md says where AWS states it).
   */
  impairAvailabilityZone(availabilityZone: string): void {
    this.dispatcher.impairedAzs.add(availabilityZone);
  }

  /** Ends a disruption started with impairAvailabilityZone. */
  restoreAvailabilityZone(availabilityZone: string): void {
    this.dispatcher.impairedAzs.delete(availabilityZone);
  }

  /** Changes the latency of subsequent calls. */
  setLatency(latencyMs: number | Partial<Record<string, number>>): void {
    this.dispatcher.setLatency(latencyMs);
  }

  // ─────────── faults ───────────

  /**
   * Makes matching calls fail with a service error, hang, or have their DryRun ignored; returns an ID for removeFault.
   */
  injectFault(spec: FaultSpec): string {
    return this.dispatcher.faults.inject(spec);
  }

  /** Removes one injected fault. */
  removeFault(id: string): void {
    this.dispatcher.faults.remove(id);
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.dispatcher.faults.clear();
  }

  // ─────────── observability ───────────

  /** Number of calls per action name, failed ones included. */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.calls) counts[c.action] = (counts[c.action] ?? 0) + 1;
    return counts;
  }

  /**
   * Calls of mutating EC2 actions (routes, associations, tables, tags, propagation) that took effect (DryRun and
   * failures excluded, lost responses included).
   */
  mutatingCalls(): SimCall[] {
    return this.calls.filter((c) => MUTATING_ACTIONS.has(c.action) && c.tookEffect === true);
  }

  /**
   * Every interface ever attached to an instance, deleted and detached ones included (ground truth for test checks).
   */
  interfacesEverAttached(instanceId: string): string[] {
    return [...this.s.attachedEver].filter(([, ids]) => ids.has(instanceId)).map(([eni]) => eni);
  }

  /** All route tables, in DescribeRouteTables output shape (a fresh copy). */
  routeTables(): RouteTable[] {
    return [...this.s.tables.values()].map((t) => routeTableOutput(this.s, t));
  }

  /** The route for a destination (CIDR or pl- ID) in a table, static before propagated; undefined when absent. */
  route(routeTableId: string, destination: string): Route | undefined {
    return findRoute(this.s, routeTableId, destination);
  }

  /** The table a subnet uses: its explicit association's, else the VPC's main table. */
  effectiveRouteTableId(subnetId: string): string {
    return effectiveRouteTableId(this.s, subnetId);
  }

  /** The routes a subnet uses, as DescribeRouteTables shows them. */
  effectiveRoutes(subnetId: string): Route[] {
    return this.s.requireTable(this.effectiveRouteTableId(subnetId)).routes.map((r) => routeOutput(this.s, r));
  }

  /** A table's associations, as DescribeRouteTables shows them (empty for an unknown table). */
  associations(routeTableId: string): RouteTableAssociation[] {
    return associationsOf(this.s, routeTableId).map(associationOutput);
  }

  /** The VPC's main route table, if it has one. */
  mainRouteTableId(vpcId: string): string | undefined {
    return this.s.mainAssociation(vpcId)?.routeTableId;
  }

  /**
   * Tokens left in each EC2 action's request bucket (fractional; actions called so far), or
   * undefined when throttling is off.
   */
  tokens(): Record<string, number> | undefined {
    return this.dispatcher.buckets?.tokens();
  }

  /** Current state of an instance. */
  instanceState(instanceId: string): InstanceStateName {
    return this.s.requireInstance(instanceId).state;
  }

  // ─────────── dispatch ───────────

  /**
   * Serves one call (sim/dispatch.ts): records it, waits the latency, applies faults, runs the action. Used by the
   * clients; `abortSignal` (the SDK's, or the HTTP endpoint's when its client goes away) ends a hung call.
   */
  invoke(
    service: Service,
    action: string,
    rawInput: object,
    opts: { abortSignal?: AbortSignal } = {},
  ): Promise<object> {
    return this.dispatcher.invoke(service, action, rawInput, opts);
  }
}
