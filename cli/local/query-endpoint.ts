/**
 * A SimulatedVpc behind real HTTP: a small server on 127.0.0.1 that speaks the AWS Query protocol for EC2
 * (API 2016-11-15, the "ec2Query" dialect) and SNS (2010-03-31, "awsQuery") as the SDK v3 clients send it,
 * so the real `EC2Client`/`SNSClient` (middleware, signing, retry, serializers and XML deserializers
 * included) can be pointed at it with AWS_ENDPOINT_URL. It plays "an EC2-compatible endpoint the product
 * has never seen": it decodes the form body into SDK-input shape, calls `sim.invoke`, and encodes the
 * result or the error as the XML EC2 and SNS return. Signatures are not verified.
 *
 * Only the actions the product uses are served; any other action is `InvalidAction`, and a parameter
 * the action does not define is `UnknownParameter` (EC2) / `InvalidParameter` (SNS), as the real
 * services answer, so a serialization the endpoint does not understand fails loudly instead of being
 * dropped.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Service, SimulatedVpc } from './simulated-vpc';

export interface EndpointRequest {
  service: Service;
  action: string;
  /** HTTP status of the response; 0 when the client closed the connection before it (a timed-out call). */
  status: number;
  /** Error code sent back, when the call failed. */
  error?: string;
}

export interface QueryEndpoint {
  /** Base URL, e.g. http://127.0.0.1:41234 (for AWS_ENDPOINT_URL). */
  url: string;
  /** Every request the endpoint answered, in arrival order (requests it could not attribute are absent). */
  requests: EndpointRequest[];
  close(): Promise<void>;
}

export const EC2_API_VERSION = '2016-11-15';
export const SNS_API_VERSION = '2010-03-31';
const EC2_XMLNS = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;
const SNS_XMLNS = `http://sns.amazonaws.com/doc/${SNS_API_VERSION}/`;

// ───────────────────────────── errors on the wire ─────────────────────────────

/** An error the endpoint itself raises (bad request), sent back like a service error. */
class WireError extends Error {
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
type InShape =
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
    Object.entries(members).map(([wire, spec]) => [wire, Array.isArray(spec) ? { sdk: spec[0], shape: spec[1] } : { sdk: wire, shape: spec }]),
  ),
});
const list = (member: InShape): InShape => ({ kind: 'list', member });

const S: InShape = 'string';
const I: InShape = 'integer';
const B: InShape = 'boolean';

const FILTERS: MemberSpec = ['Filters', list(struct({ Name: S, Value: ['Values', list(S)] }))];
const DESCRIBE: Record<string, MemberSpec> = { DryRun: B, MaxResults: I, NextToken: S, Filter: FILTERS, IncludeManagedResources: B };
const ROUTE_DESTINATION: Record<string, MemberSpec> = { RouteTableId: S, DestinationCidrBlock: S, DestinationIpv6CidrBlock: S, DestinationPrefixListId: S, DryRun: B };
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

const EC2_INPUTS: Record<string, InShape> = {
  DescribeRouteTables: struct({ ...DESCRIBE, RouteTableId: ['RouteTableIds', list(S)] }),
  DescribeInstances: struct({ ...DESCRIBE, InstanceId: ['InstanceIds', list(S)] }),
  DescribeInstanceStatus: struct({ ...DESCRIBE, InstanceId: ['InstanceIds', list(S)], IncludeAllInstances: B }),
  DescribeNetworkInterfaces: struct({ ...DESCRIBE, NetworkInterfaceId: ['NetworkInterfaceIds', list(S)] }),
  ReplaceRoute: struct({ ...ROUTE_DESTINATION, ...ROUTE_TARGET, LocalTarget: B }),
  CreateRoute: struct({ ...ROUTE_DESTINATION, ...ROUTE_TARGET }),
  DeleteRoute: struct(ROUTE_DESTINATION),
};

const SNS_INPUTS: Record<string, InShape> = {
  Publish: struct({
    TopicArn: S,
    TargetArn: S,
    PhoneNumber: S,
    Message: S,
    Subject: S,
    MessageStructure: S,
    MessageDeduplicationId: S,
    MessageGroupId: S,
    MessageAttributes: { kind: 'map', key: 'Name', value: 'Value', of: struct({ DataType: S, StringValue: S, BinaryValue: 'blob' }) },
  }),
};

// ───────────────────────────── form → SDK input ─────────────────────────────

/** The parameters as a tree: `Filter.1.Value.2=x` becomes { Filter: { 1: { Value: { 2: 'x' } } } }. */
type Tree = string | { [key: string]: Tree };

const toTree = (params: Array<[string, string]>, unknown: (name: string) => WireError): { [key: string]: Tree } => {
  const root: { [key: string]: Tree } = {};
  for (const [name, value] of params) {
    const parts = name.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (part === '') throw unknown(name);
      const last = i === parts.length - 1;
      const existing = node[part];
      if (last) {
        if (existing !== undefined) throw new WireError('InvalidParameterCombination', `The parameter ${name} is given more than once or clashes with a nested parameter`);
        node[part] = value;
        return;
      }
      if (existing === undefined) node[part] = {};
      else if (typeof existing === 'string') throw new WireError('InvalidParameterCombination', `The parameter ${parts.slice(0, i + 1).join('.')} clashes with ${name}`);
      node = node[part] as { [key: string]: Tree };
    });
  }
  return root;
};

type Dialect = 'ec2' | 'query';

interface DecodeContext {
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
  if (sorted.some((n, i) => n !== i + 1)) throw ctx.invalid(path, '', `list indexes must run from 1 without gaps, got ${sorted.join(', ')}`);
  return sorted.map((n) => node[String(n)]);
};

const decode = (node: Tree, shape: InShape, path: string, ctx: DecodeContext): unknown => {
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
      return listItems(container, itemPath, ctx).map((item, i) => decode(item, shape.member, `${itemPath}.${i + 1}`, ctx));
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
        if (entry[shape.value] === undefined) throw ctx.invalid(`${entryPath}.${shape.value}`, '', 'a map entry needs a value');
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

// ───────────────────────────── SDK output → XML ─────────────────────────────

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Escapes text for an element or attribute. Markup characters become entities; CR, LF, TAB and the other
 * control characters become character references so that XML line-end normalisation and whitespace
 * handling cannot alter them. Astral characters stay literal (the body is UTF-8).
 */
export const escapeXml = (text: string): string =>
  text.replace(/[&<>"']|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => XML_ESCAPES[ch] ?? `&#x${ch.charCodeAt(0).toString(16).toUpperCase()};`);

/** How a member of a structure is written: its element name and the shape of its value, when not the default. */
interface OutMember {
  xml?: string;
  of?: OutShape;
}
type OutShape = Record<string, OutMember>;

const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/**
 * EC2 responses: element names are the lower-camel member names, list members are `<item>`, except where
 * the EC2 API names an element otherwise. These maps list those exceptions for the output shapes the
 * endpoint serves (checked field by field against the SDK's deserializer by the round-trip test).
 */
const TAGS: OutMember = { xml: 'tagSet' };
const GROUPS: OutMember = { xml: 'groupSet' };
const ROUTE_TABLE: OutShape = {
  Associations: { xml: 'associationSet' },
  PropagatingVgws: { xml: 'propagatingVgwSet' },
  Routes: { xml: 'routeSet' },
  Tags: TAGS,
};
const ENI_COMMON: OutShape = {
  Groups: GROUPS,
  Ipv6Addresses: { xml: 'ipv6AddressesSet' },
  PrivateIpAddresses: { xml: 'privateIpAddressesSet' },
  Ipv4Prefixes: { xml: 'ipv4PrefixSet' },
  Ipv6Prefixes: { xml: 'ipv6PrefixSet' },
};
const NETWORK_INTERFACE: OutShape = { ...ENI_COMMON, TagSet: TAGS, AssociatedSubnets: { xml: 'associatedSubnetSet' } };
const INSTANCE: OutShape = {
  State: { xml: 'instanceState' },
  PublicDnsName: { xml: 'dnsName' },
  PublicIpAddress: { xml: 'ipAddress' },
  StateTransitionReason: { xml: 'reason' },
  SecurityGroups: GROUPS,
  Tags: TAGS,
  BlockDeviceMappings: { xml: 'blockDeviceMapping' },
  ProductCodes: { of: { ProductCodeId: { xml: 'productCode' }, ProductCodeType: { xml: 'type' } } },
  ElasticGpuAssociations: { xml: 'elasticGpuAssociationSet' },
  ElasticInferenceAcceleratorAssociations: { xml: 'elasticInferenceAcceleratorAssociationSet' },
  NetworkInterfaces: { xml: 'networkInterfaceSet', of: ENI_COMMON },
};

const EC2_OUTPUTS: Record<string, OutShape> = {
  DescribeRouteTables: { RouteTables: { xml: 'routeTableSet', of: ROUTE_TABLE } },
  DescribeInstances: { Reservations: { xml: 'reservationSet', of: { Groups: GROUPS, Instances: { xml: 'instancesSet', of: INSTANCE } } } },
  DescribeInstanceStatus: { InstanceStatuses: { xml: 'instanceStatusSet', of: { Events: { xml: 'eventsSet' } } } },
  DescribeNetworkInterfaces: { NetworkInterfaces: { xml: 'networkInterfaceSet', of: NETWORK_INTERFACE } },
  ReplaceRoute: {},
  CreateRoute: {},
  DeleteRoute: {},
};

interface XmlStyle {
  name: (member: string) => string;
  listItem: string;
}
const EC2_STYLE: XmlStyle = { name: lowerFirst, listItem: 'item' };
const QUERY_STYLE: XmlStyle = { name: (m) => m, listItem: 'member' };

const scalarText = (value: unknown): string => {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return String(value);
};

/** Writes one value as an element; undefined and null write nothing, an empty list an empty element. */
const element = (name: string, value: unknown, shape: OutShape | undefined, style: XmlStyle): string => {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (value.length === 0) return `<${name}/>`;
    return `<${name}>${value.map((v) => element(style.listItem, v, shape, style)).join('')}</${name}>`;
  }
  if (typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    return `<${name}>${members(value as Record<string, unknown>, shape, style)}</${name}>`;
  }
  return `<${name}>${escapeXml(scalarText(value))}</${name}>`;
};

const members = (obj: Record<string, unknown>, shape: OutShape | undefined, style: XmlStyle): string =>
  Object.entries(obj)
    .filter(([k]) => k !== '$metadata')
    .map(([k, v]) => element(shape?.[k]?.xml ?? style.name(k), v, shape?.[k]?.of, style))
    .join('');

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const ec2Response = (action: string, output: Record<string, unknown>, requestId: string): string => {
  let body = members(output, EC2_OUTPUTS[action], EC2_STYLE);
  // EC2 answers the route mutations with <return>true</return>, even where the SDK models no output.
  if (/^(Replace|Create|Delete)Route$/.test(action) && output.Return === undefined) body += '<return>true</return>';
  return `${XML_DECLARATION}<${action}Response xmlns="${EC2_XMLNS}"><requestId>${escapeXml(requestId)}</requestId>${body}</${action}Response>`;
};

const ec2ErrorResponse = (code: string, message: string, requestId: string): string =>
  `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error></Errors>` +
  `<RequestID>${escapeXml(requestId)}</RequestID></Response>`;

const snsResponse = (action: string, output: Record<string, unknown>, requestId: string): string =>
  `${XML_DECLARATION}<${action}Response xmlns="${SNS_XMLNS}"><${action}Result>${members(output, undefined, QUERY_STYLE)}</${action}Result>` +
  `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`;

const snsErrorResponse = (code: string, message: string, status: number, requestId: string): string =>
  `${XML_DECLARATION}<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>${status < 500 ? 'Sender' : 'Receiver'}</Type>` +
  `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
  `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;

// ───────────────────────────── dispatch ─────────────────────────────

const SERVICES: Record<Service, { version: string; inputs: Record<string, InShape>; dialect: Dialect }> = {
  ec2: { version: EC2_API_VERSION, inputs: EC2_INPUTS, dialect: 'ec2' },
  sns: { version: SNS_API_VERSION, inputs: SNS_INPUTS, dialect: 'query' },
};

/** The service from the API version, else from the SigV4 credential scope (…/<region>/<service>/aws4_request). */
const serviceOf = (version: string | undefined, authorization: string | undefined): Service | undefined => {
  const byVersion = (Object.keys(SERVICES) as Service[]).find((s) => SERVICES[s].version === version);
  if (byVersion) return byVersion;
  const scope = /Credential=[^/,]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/.exec(authorization ?? '')?.[1];
  return scope === 'ec2' || scope === 'sns' ? scope : undefined;
};

interface ServiceErrorLike {
  name?: string;
  message?: string;
  Code?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

/** The wire code of a service error: SNS exceptions carry it as `Code` (NotFoundException → NotFound). */
const wireCode = (service: Service, err: ServiceErrorLike): string =>
  service === 'sns' ? (err.Code ?? String(err.name).replace(/Exception$/, '')) : String(err.name);

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

const send = (res: ServerResponse, status: number, body: string, requestId: string): void => {
  res.writeHead(status, {
    'Content-Type': 'text/xml;charset=UTF-8',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
  });
  res.end(body);
};

const handle = async (sim: SimulatedVpc, req: IncomingMessage, res: ServerResponse, log: EndpointRequest[]): Promise<void> => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const body = req.method === 'POST' ? await readBody(req) : '';
  // The Query protocol allows the parameters in the query string (GET) or the form body (POST).
  const params: Array<[string, string]> = [...url.searchParams, ...new URLSearchParams(body)];
  const single = (name: string): string | undefined => params.find(([k]) => k === name)?.[1];
  const version = single('Version');
  const service = serviceOf(version, req.headers.authorization);
  const action = single('Action') ?? '';
  let requestId: string = randomUUID();

  const fail = (code: string, message: string, status: number): void => {
    if (service) log.push({ service, action, status, error: code });
    const xml = service === 'sns' ? snsErrorResponse(code, message, status, requestId) : ec2ErrorResponse(code, message, requestId);
    send(res, status, xml, requestId);
  };

  if (!service) return fail('InvalidParameterValue', `Unknown API version "${version ?? ''}" and no EC2 or SNS credential scope`, 400);
  const spec = SERVICES[service];
  if (version !== undefined && version !== spec.version) {
    return fail('InvalidParameterValue', `Value (${version}) for parameter Version is invalid. Expecting ${spec.version}.`, 400);
  }
  if (!action) return fail('MissingAction', 'The request must contain the parameter Action', 400);
  const shape = spec.inputs[action];
  if (!shape) return fail('InvalidAction', `The action ${action} is not valid for this web service.`, 400);

  let input: Record<string, unknown>;
  try {
    const rest = params.filter(([k]) => k !== 'Action' && k !== 'Version');
    const ctx: DecodeContext = {
      dialect: spec.dialect,
      unknown: (name) =>
        service === 'ec2'
          ? new WireError('UnknownParameter', `The parameter ${name} is not recognized`)
          : new WireError('InvalidParameter', `Invalid parameter: ${name} is not a parameter of ${action}`),
      invalid: (name, value, why) =>
        new WireError(service === 'ec2' ? 'InvalidParameterValue' : 'InvalidParameter', `Value (${value}) for parameter ${name} is invalid. ${why}`),
    };
    input = decode(toTree(rest, ctx.unknown), shape, '', ctx) as Record<string, unknown>;
  } catch (e) {
    const w = e as WireError;
    return fail(w.code, w.message, w.status);
  }

  // A client that gives up (its request timeout) closes the connection: that aborts a call still in the
  // simulator (a hung one), as the real service stops caring about a request nobody waits for.
  const gone = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) gone.abort();
  });
  try {
    const output = (await sim.invoke(service, action, input, { abortSignal: gone.signal })) as Record<string, unknown> & { $metadata?: { requestId?: string } };
    requestId = output.$metadata?.requestId ?? requestId;
    log.push({ service, action, status: 200 });
    send(res, 200, service === 'ec2' ? ec2Response(action, output, requestId) : snsResponse(action, output, requestId), requestId);
  } catch (e) {
    if (gone.signal.aborted) {
      log.push({ service, action, status: 0, error: 'ClientClosedRequest' });
      return;
    }
    const err = e as ServiceErrorLike;
    if (err?.$metadata?.httpStatusCode === undefined) {
      // Not a service error: a bug or an unsupported call in the simulator. Say so as a 500.
      return fail('InternalError', `simulated endpoint: ${(e as Error)?.message ?? String(e)}`, 500);
    }
    requestId = err.$metadata.requestId ?? requestId;
    fail(wireCode(service, err), err.message ?? '', err.$metadata.httpStatusCode);
  }
};

/**
 * Starts the endpoint on 127.0.0.1 (an ephemeral port unless `port` is given). `close()` also drops the
 * keep-alive connections the SDK clients hold, so a test can end without waiting for them.
 */
export const startQueryEndpoint = async (sim: SimulatedVpc, opts: { port?: number } = {}): Promise<QueryEndpoint> => {
  const requests: EndpointRequest[] = [];
  const server = createServer((req, res) => {
    handle(sim, req, res, requests).catch((e: unknown) => {
      if (!res.headersSent) send(res, 500, ec2ErrorResponse('InternalError', String((e as Error)?.message ?? e), randomUUID()), randomUUID());
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
};
