/** The AWS Query protocol's response side: SDK output → the XML EC2 (ec2Query) and SNS (awsQuery) return. */
import { EC2_API_VERSION, SNS_API_VERSION } from './query-input';

const EC2_XMLNS = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;
const SNS_XMLNS = `http://sns.amazonaws.com/doc/${SNS_API_VERSION}/`;

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Escapes text for an element or attribute. Markup characters become entities; CR, LF, TAB and the other
 * control characters become character references so that XML line-end normalisation and whitespace
 * handling cannot alter them. Astral characters stay literal (the body is UTF-8).
 */
export const escapeXml = (text: string): string =>
  text.replace(
    /[&<>"']|[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g,
    (ch) => XML_ESCAPES[ch] ?? `&#x${ch.charCodeAt(0).toString(16).toUpperCase()};`,
  );

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
  DescribeInstances: {
    Reservations: { xml: 'reservationSet', of: { Groups: GROUPS, Instances: { xml: 'instancesSet', of: INSTANCE } } },
  },
  DescribeInstanceStatus: { InstanceStatuses: { xml: 'instanceStatusSet', of: { Events: { xml: 'eventsSet' } } } },
  DescribeNetworkInterfaces: { NetworkInterfaces: { xml: 'networkInterfaceSet', of: NETWORK_INTERFACE } },
  ReplaceRoute: {},
  CreateRoute: {},
  DeleteRoute: {},
  DescribeSubnets: { Subnets: { xml: 'subnetSet', of: { Tags: TAGS } } },
  AssociateRouteTable: {},
  ReplaceRouteTableAssociation: {},
  CreateRouteTable: { RouteTable: { of: ROUTE_TABLE } },
  DeleteRouteTable: {},
  CreateTags: {},
  DeleteTags: {},
  EnableVgwRoutePropagation: {},
  DisableVgwRoutePropagation: {},
  DescribeAddresses: { Addresses: { xml: 'addressesSet', of: { Tags: TAGS } } },
  AssociateAddress: {},
  DisassociateAddress: {},
  AssignPrivateIpAddresses: {
    AssignedPrivateIpAddresses: { xml: 'assignedPrivateIpAddressesSet' },
    AssignedIpv4Prefixes: { xml: 'assignedIpv4PrefixSet' },
  },
  UnassignPrivateIpAddresses: {},
};

/** Actions whose EC2 response is a bare <return>true</return>, even where the SDK models no output. */
const RETURNS_TRUE = new Set([
  'ReplaceRoute',
  'CreateRoute',
  'DeleteRoute',
  'DeleteRouteTable',
  'CreateTags',
  'DeleteTags',
  'EnableVgwRoutePropagation',
  'DisableVgwRoutePropagation',
  'DisassociateAddress',
  'AssignPrivateIpAddresses',
  'UnassignPrivateIpAddresses',
]);

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

export const ec2Response = (action: string, output: Record<string, unknown>, requestId: string): string => {
  let body = members(output, EC2_OUTPUTS[action], EC2_STYLE);
  if (RETURNS_TRUE.has(action) && output.Return === undefined) body += '<return>true</return>';
  return (
    `${XML_DECLARATION}<${action}Response ` +
    `xmlns="${EC2_XMLNS}"><requestId>${escapeXml(requestId)}</requestId>${body}</${action}Response>`
  );
};

export const ec2ErrorResponse = (code: string, message: string, requestId: string): string =>
  `${XML_DECLARATION}<Response><Errors><Error><Code>${escapeXml(code)}</Code>` +
  `<Message>${escapeXml(message)}</Message></Error></Errors>` +
  `<RequestID>${escapeXml(requestId)}</RequestID></Response>`;

export const snsResponse = (action: string, output: Record<string, unknown>, requestId: string): string =>
  `${XML_DECLARATION}<${action}Response ` +
  `xmlns="${SNS_XMLNS}"><${action}Result>${members(output, undefined, QUERY_STYLE)}</${action}Result>` +
  `<ResponseMetadata><RequestId>${escapeXml(requestId)}</RequestId></ResponseMetadata></${action}Response>`;

export const snsErrorResponse = (code: string, message: string, status: number, requestId: string): string =>
  `${XML_DECLARATION}<ErrorResponse xmlns="${SNS_XMLNS}"><Error><Type>${status < 500 ? 'Sender' : 'Receiver'}</Type>` +
  `<Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message></Error>` +
  `<RequestId>${escapeXml(requestId)}</RequestId></ErrorResponse>`;
