/** The resources of one simulated account region, and the lookups every action shares. */
import { checkIdFormat, intToIpv4, ipv4ToInt, notFound } from './ids';
import { hex } from './random';
import { fault } from './faults';
import type {
  AddressRecord,
  AssociationRecord,
  CommandInput,
  EniRecord,
  InstanceRecord,
  PublishedMessage,
  RouteTableRecord,
  SubnetRecord,
  VpcRecord,
} from './types';

/** What an action asks of the read lag; sim/read-lag.ts implements it (declared here so neither imports the other). */
export interface ReadLagView {
  beforeWrite(s: SimState, action: string, input: CommandInput): ((output: object) => void) | undefined;
  tableView(t: RouteTableRecord): RouteTableRecord;
  associationsView(s: SimState): (routeTableId: string) => AssociationRecord[];
}

export class SimState {
  readonly vpcs = new Map<string, VpcRecord>();
  readonly subnets = new Map<string, SubnetRecord>();
  /** The subnet made up for a VPC and AZ when a setup call names none (sim/subnets.ts). */
  readonly defaultSubnets = new Map<string, string>();
  /** Route table associations by ID: subnet, gateway edge and main (sim/associations.ts). */
  readonly associations = new Map<string, AssociationRecord>();
  readonly instances = new Map<string, InstanceRecord>();
  readonly enis = new Map<string, EniRecord>();
  /**
   * Every instance each interface was ever attached to: ground truth of whose a deleted or detached
   * interface was (test checks only).
   */
  readonly attachedEver = new Map<string, Set<string>>();
  readonly tables = new Map<string, RouteTableRecord>();
  /** Elastic IP addresses by allocation ID (sim/addresses.ts). */
  readonly addresses = new Map<string, AddressRecord>();
  readonly topics = new Set<string>();
  /** Every message SNS accepted. */
  readonly published: PublishedMessage[] = [];
  /** Reads that lag writes (opt-in, SimulatedVpcOptions.readLagMs): what DescribeRouteTables shows meanwhile. */
  readLag?: ReadLagView;
  /** Creation order of instances, ENIs, subnets and tables (what pagination follows). */
  seq = 0;
  private readonly usedIds = new Set<string>();

  constructor(
    readonly region: string,
    readonly accountId: string,
    readonly idRand: () => number,
    readonly requestRand: () => number,
  ) {}

  claimId(prefix: string, wanted?: string): string {
    let id = wanted ?? `${prefix}-${hex(this.idRand, 17)}`;
    if (wanted !== undefined && this.usedIds.has(wanted)) throw new Error(`ID ${wanted} is already in use`);
    while (this.usedIds.has(id)) id = `${prefix}-${hex(this.idRand, 17)}`;
    this.usedIds.add(id);
    return id;
  }

  allocateIp(vpc: VpcRecord): string {
    const [base] = vpc.cidr.split('/');
    return intToIpv4(ipv4ToInt(base.split('.').map(Number)) + vpc.nextHost++);
  }

  attachedEnis(instanceId: string): EniRecord[] {
    return [...this.enis.values()]
      .filter((e) => e.attachment?.instanceId === instanceId)
      .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
  }

  requireVpc(vpcId: string): VpcRecord {
    const vpc = this.vpcs.get(vpcId);
    if (!vpc) throw fault('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
    return vpc;
  }

  requireInstance(instanceId: string): InstanceRecord {
    const instance = this.instances.get(instanceId);
    if (!instance) throw notFound('i', [instanceId]);
    return instance;
  }

  requireEni(eniId: string): EniRecord {
    const eni = this.enis.get(eniId);
    if (!eni) throw notFound('eni', [eniId]);
    return eni;
  }

  requireTable(routeTableId: string): RouteTableRecord {
    const table = this.tables.get(routeTableId);
    if (!table) throw notFound('rtb', [routeTableId]);
    return table;
  }

  /** The VPC's main association, if it has a main route table. */
  mainAssociation(vpcId: string): AssociationRecord | undefined {
    for (const a of this.associations.values()) {
      if (a.kind === 'main' && this.tables.get(a.routeTableId)?.vpcId === vpcId) return a;
    }
    return undefined;
  }

  requireTableForCall(routeTableId: string | undefined): RouteTableRecord {
    if (routeTableId === undefined)
      throw fault('MissingParameter', 'The request must contain the parameter routeTableId');
    return this.requireTable(checkIdFormat('rtb', routeTableId));
  }
}
