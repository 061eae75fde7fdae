/** The AWS Query protocol's request side: the parameters of each served action, and form → SDK input. */

export const EC2_API_VERSION = '2016-11-15';
export const SNS_API_VERSION = '2010-03-31';

// ───────────────────────────── errors on the wire ─────────────────────────────

/** An error the endpoint itself raises (bad request), sent back like a service error. */
export class WireError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

// ───────────────────────────── input shapes ─────────────────────────────

/**
 * The request side of an action: wire parameter names, the SDK member each maps to, and its type.
 * EC2 lists are flattened (`Filter.1.Value.1`); awsQuery lists are `X.member.N` and maps `X.entry.N.<key>/<value>`.
 */
export type InShape =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'blob'
  | { kind: 'list'; member: InShape }
  | { kind: 'map'; key: string; value: string; of: InShape }
  | { kind: 'struct'; members: Record<string, { sdk: string; shape: InShape }> };

type MemberSpec = InShape | [sdkName: string, shape: InShape];

const struct = (members: Record<string, MemberSpec>): InShape => ({
  kind: 'struct',
  members: Object.fromEntries(
    Object.entries(members).map(([wire, spec]) => [
      wire,
      Array.isArray(spec) ? { sdk: spec[0], shape: spec[1] } : { sdk: wire, shape: spec },
    ]),
  ),
});
const list = (member: InShape): InShape => ({ kind: 'list', member });

const S: InShape = 'string';
const I: InShape = 'integer';
const B: InShape = 'boolean';

const FILTERS: MemberSpec = ['Filters', list(struct({ Name: S, Value: ['Values', list(S)] }))];
const DESCRIBE: Record<string, MemberSpec> = {
  DryRun: B,
  MaxResults: I,
  NextToken: S,
  Filter: FILTERS,
  IncludeManagedResources: B,
};
const ROUTE_DESTINATION: Record<string, MemberSpec> = {
  RouteTableId: S,
  DestinationCidrBlock: S,
  DestinationIpv6CidrBlock: S,
  DestinationPrefixListId: S,
  DryRun: B,
};
const ROUTE_TARGET = Object.fromEntries(
  [
    'GatewayId',
    'EgressOnlyInternetGatewayId',
    'InstanceId',
    'NetworkInterfaceId',
    'VpcPeeringConnectionId',
    'NatGatewayId',
    'TransitGatewayId',
    'LocalGatewayId',
    'CarrierGatewayId',
    'CoreNetworkArn',
    'OdbNetworkArn',
    'VpcEndpointId',
  ].map((n) => [n, S]),
) as Record<string, MemberSpec>;

const TAGS: MemberSpec = ['Tags', list(struct({ Key: S, Value: S }))];
const TABLE_AND_GATEWAY = struct({ RouteTableId: S, GatewayId: S, DryRun: B });

export const EC2_INPUTS: Record<string, InShape> = {
  DescribeRouteTables: struct({ ...DESCRIBE, RouteTableId: ['RouteTableIds', list(S)] }),
  DescribeInstances: struct({ ...DESCRIBE, InstanceId: ['InstanceIds', list(S)] }),
  DescribeInstanceStatus: struct({ ...DESCRIBE, InstanceId: ['InstanceIds', list(S)], IncludeAllInstances: B }),
  DescribeNetworkInterfaces: struct({ ...DESCRIBE, NetworkInterfaceId: ['NetworkInterfaceIds', list(S)] }),
  ReplaceRoute: struct({ ...ROUTE_DESTINATION, ...ROUTE_TARGET, LocalTarget: B }),
  CreateRoute: struct({ ...ROUTE_DESTINATION, ...ROUTE_TARGET }),
  DeleteRoute: struct(ROUTE_DESTINATION),
  DescribeSubnets: struct({ ...DESCRIBE, SubnetId: ['SubnetIds', list(S)] }),
  AssociateRouteTable: struct({ RouteTableId: S, SubnetId: S, GatewayId: S, PublicIpv4Pool: S, DryRun: B }),
  ReplaceRouteTableAssociation: struct({ AssociationId: S, RouteTableId: S, DryRun: B }),
  CreateRouteTable: struct({
    VpcId: S,
    TagSpecification: ['TagSpecifications', list(struct({ ResourceType: S, Tag: TAGS }))],
    ClientToken: S,
    DryRun: B,
  }),
  DeleteRouteTable: struct({ RouteTableId: S, DryRun: B }),
  CreateTags: struct({ ResourceId: ['Resources', list(S)], Tag: TAGS, DryRun: B }),
  DeleteTags: struct({ ResourceId: ['Resources', list(S)], Tag: TAGS, DryRun: B }),
  EnableVgwRoutePropagation: TABLE_AND_GATEWAY,
  DisableVgwRoutePropagation: TABLE_AND_GATEWAY,
  DescribeAddresses: struct({
    Filter: FILTERS,
    PublicIp: ['PublicIps', list(S)],
    AllocationId: ['AllocationIds', list(S)],
    DryRun: B,
  }),
  AssociateAddress: struct({
    AllocationId: S,
    InstanceId: S,
    PublicIp: S,
    AllowReassociation: B,
    DryRun: B,
    NetworkInterfaceId: S,
    PrivateIpAddress: S,
  }),
  DisassociateAddress: struct({ AssociationId: S, PublicIp: S, DryRun: B }),
  AssignPrivateIpAddresses: struct({
    NetworkInterfaceId: S,
    PrivateIpAddress: ['PrivateIpAddresses', list(S)],
    SecondaryPrivateIpAddressCount: I,
    AllowReassignment: B,
    Ipv4Prefix: ['Ipv4Prefixes', list(S)],
    Ipv4PrefixCount: I,
  }),
  UnassignPrivateIpAddresses: struct({
    NetworkInterfaceId: S,
    PrivateIpAddress: ['PrivateIpAddresses', list(S)],
    Ipv4Prefix: ['Ipv4Prefixes', list(S)],
  }),
};

export const SNS_INPUTS: Record<string, InShape> = {
  Publish: struct({
    TopicArn: S,
    TargetArn: S,
    PhoneNumber: S,
    Message: S,
    Subject: S,
    MessageStructure: S,
    MessageDeduplicationId: S,
    MessageGroupId: S,
    MessageAttributes: {
      kind: 'map',
      key: 'Name',
      value: 'Value',
      of: struct({ DataType: S, StringValue: S, BinaryValue: 'blob' }),
    },
  }),
};

// ───────────────────────────── form → SDK input ─────────────────────────────

/** The parameters as a tree: `Filter.1.Value.2=x` becomes { Filter: { 1: { Value: { 2: 'x' } } } }. */
export type Tree = string | { [key: string]: Tree };

export const toTree = (
  params: Array<[string, string]>,
  unknown: (name: string) => WireError,
): { [key: string]: Tree } => {
  const root: { [key: string]: Tree } = {};
  for (const [name, value] of params) {
    const parts = name.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (part === '') throw unknown(name);
      const last = i === parts.length - 1;
      const existing = node[part];
      if (last) {
        if (existing !== undefined)
          throw new WireError(
            'InvalidParameterCombination',
            `The parameter ${name} is given more than once or clashes with a nested parameter`,
          );
        node[part] = value;
        return;
      }
      if (existing === undefined) node[part] = {};
      else if (typeof existing === 'string')
        throw new WireError(
          'InvalidParameterCombination',
          `The parameter ${parts.slice(0, i + 1).join('.')} clashes with ${name}`,
        );
      node = node[part] as { [key: string]: Tree };
    });
  }
  return root;
};

export type Dialect = 'ec2' | 'query';

export interface DecodeContext {
  dialect: Dialect;
  unknown: (name: string) => WireError;
  invalid: (name: string, value: string, why: string) => WireError;
}

/** The members 1..n of a list node, in order; anything else is an unknown parameter. */
const listItems = (node: Tree, path: string, ctx: DecodeContext): Tree[] => {
  if (typeof node === 'string') {
    // awsQuery sends an empty list as `X=`; EC2 never sends empty lists.
    if (node === '' && ctx.dialect === 'query') return [];
    throw ctx.unknown(path);
  }
  const keys = Object.keys(node);
  const indexes = keys.map((k) => (/^[1-9]\d*$/.test(k) ? Number(k) : NaN));
  const bad = keys.find((_, i) => Number.isNaN(indexes[i]));
  if (bad !== undefined) throw ctx.unknown(`${path}.${bad}`);
  const sorted = [...indexes].sort((a, b) => a - b);
  if (sorted.some((n, i) => n !== i + 1))
    throw ctx.invalid(path, '', `list indexes must run from 1 without gaps, got ${sorted.join(', ')}`);
  return sorted.map((n) => node[String(n)]);
};

export const decode = (node: Tree, shape: InShape, path: string, ctx: DecodeContext): unknown => {
  if (typeof shape === 'string') {
    if (typeof node !== 'string') throw ctx.unknown(`${path}.${Object.keys(node)[0]}`);
    switch (shape) {
      case 'string':
        return node;
      case 'integer':
        if (!/^-?\d+$/.test(node)) throw ctx.invalid(path, node, 'expecting an integer');
        return Number(node);
      case 'boolean':
        if (node !== 'true' && node !== 'false') throw ctx.invalid(path, node, 'expecting true or false');
        return node === 'true';
      case 'blob':
        return new Uint8Array(Buffer.from(node, 'base64'));
    }
  }
  switch (shape.kind) {
    case 'list': {
      const container = ctx.dialect === 'query' && typeof node !== 'string' ? node.member : node;
      if (container === undefined) throw ctx.unknown(`${path}.${Object.keys(node as object)[0]}`);
      const itemPath = ctx.dialect === 'query' ? `${path}.member` : path;
      if (ctx.dialect === 'query' && typeof node !== 'string' && Object.keys(node).length > 1) {
        throw ctx.unknown(`${path}.${Object.keys(node).find((k) => k !== 'member')}`);
      }
      return listItems(container, itemPath, ctx).map((item, i) =>
        decode(item, shape.member, `${itemPath}.${i + 1}`, ctx),
      );
    }
    case 'map': {
      if (typeof node === 'string' || Object.keys(node).some((k) => k !== 'entry')) {
        throw ctx.unknown(typeof node === 'string' ? path : `${path}.${Object.keys(node).find((k) => k !== 'entry')}`);
      }
      const out: Record<string, unknown> = {};
      listItems(node.entry, `${path}.entry`, ctx).forEach((entry, i) => {
        const entryPath = `${path}.entry.${i + 1}`;
        if (typeof entry === 'string') throw ctx.unknown(entryPath);
        const extra = Object.keys(entry).find((k) => k !== shape.key && k !== shape.value);
        if (extra !== undefined) throw ctx.unknown(`${entryPath}.${extra}`);
        const key = entry[shape.key];
        if (typeof key !== 'string') throw ctx.invalid(`${entryPath}.${shape.key}`, '', 'a map entry needs a key');
        if (entry[shape.value] === undefined)
          throw ctx.invalid(`${entryPath}.${shape.value}`, '', 'a map entry needs a value');
        out[key] = decode(entry[shape.value], shape.of, `${entryPath}.${shape.value}`, ctx);
      });
      return out;
    }
    case 'struct': {
      if (typeof node === 'string') throw ctx.unknown(path);
      const out: Record<string, unknown> = {};
      for (const [wire, child] of Object.entries(node)) {
        const member = shape.members[wire];
        const childPath = path ? `${path}.${wire}` : wire;
        if (!member) throw ctx.unknown(childPath);
        out[member.sdk] = decode(child, member.shape, childPath, ctx);
      }
      return out;
    }
  }
};
