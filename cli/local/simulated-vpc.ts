/**
 * An in-process VPC that answers the EC2 and SNS calls the product makes the way the real services do:
 * filters, pagination with opaque tokens, EC2's error codes and messages, blackhole route state,
 * injectable faults and latency. Tests and `npm run demo` hand its clients to the real handlers.
 *
 * The clients are real `EC2Client`/`SNSClient` subclasses because the SDK paginators check
 * `config.client instanceof EC2Client`. They override `send`, so nothing here touches the network;
 * the price is that the SDK middleware (its retry strategy included) does not run: every call is one
 * attempt and a fault reaches the caller as it would after the SDK gave up.
 */
import {
  CreateRouteCommand,
  DeleteRouteCommand,
  DescribeInstanceStatusCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  EC2ServiceException,
  ReplaceRouteCommand,
  type CreateRouteRequest,
  type CreateRouteResult,
  type DeleteRouteRequest,
  type DescribeInstanceStatusRequest,
  type DescribeInstanceStatusResult,
  type DescribeInstancesRequest,
  type DescribeInstancesResult,
  type DescribeNetworkInterfacesRequest,
  type DescribeNetworkInterfacesResult,
  type DescribeRouteTablesRequest,
  type DescribeRouteTablesResult,
  type Filter,
  type Instance,
  type InstanceNetworkInterface,
  type InstanceStatus,
  type InstanceStatusSummary,
  type NetworkInterface,
  type ReplaceRouteRequest,
  type Route,
  type RouteTable,
  type ServiceInputTypes as Ec2Input,
  type ServiceOutputTypes as Ec2Output,
  type Tag,
} from '@aws-sdk/client-ec2';
import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SNSServiceException,
  ThrottledException,
  type MessageAttributeValue,
  type PublishInput,
  type PublishResponse,
  type ServiceInputTypes as SnsInput,
  type ServiceOutputTypes as SnsOutput,
} from '@aws-sdk/client-sns';

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

const DESTINATION_FIELDS = {
  ipv4: 'DestinationCidrBlock',
  ipv6: 'DestinationIpv6CidrBlock',
  'prefix-list': 'DestinationPrefixListId',
} as const;
type DestinationField = (typeof DESTINATION_FIELDS)[DestinationKind];

const TARGET_FIELDS = [
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
type TargetField = (typeof TARGET_FIELDS)[number];

/** The destination and target fields shared by ReplaceRoute, CreateRoute and DeleteRoute requests. */
type RouteFields = Partial<Record<DestinationField | TargetField | 'InstanceId', string>>;

/** A route for `addRoute`: exactly one destination field and one target field (InstanceId resolves to eth0). */
export type RouteSpec = RouteFields & {
  Origin?: 'CreateRoute' | 'EnableVgwRoutePropagation';
};

export interface SimulatedVpcOptions {
  /** Seeds every generated ID and every probabilistic fault: same seed and same calls, same run. */
  seed?: number;
  /** Delay of every call, or per action name ('*' is the default for unnamed actions). */
  latencyMs?: number | Partial<Record<string, number>>;
  region?: string;
  accountId?: string;
  /** Time source for call timestamps and latency; wall time (Date.now, setTimeout) when absent. */
  clock?: SimClock;
  /** Turns on EC2's API request token buckets (off when absent): an empty bucket answers RequestLimitExceeded. */
  throttling?: ThrottlingOptions;
}

/** What the simulator reads time from and waits on; a test or benchmark may pass a virtual one. */
export interface SimClock {
  /** Milliseconds, like Date.now(). */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export type Ec2ApiCategory = 'nonMutating' | 'mutating';

export interface TokenBucketSpec {
  /** Bucket size: calls that can be made at once from a full bucket. */
  burst: number;
  /** Tokens added per second, continuously, up to `burst`. */
  refillPerSecond: number;
}

/**
 * EC2 request rate limits as the simulator models them. ASSUMPTIONS, stated once here (they are the
 * documented defaults of EC2's request token buckets; real accounts may have raised limits):
 * - per account and region, one bucket per API category, shared by every caller (all Lambdas, the CLI…);
 * - non-mutating actions (Describe*): 100 tokens burst, 20 tokens/s refill;
 * - mutating actions (ReplaceRoute, CreateRoute, DeleteRoute): 200 tokens burst, 5 tokens/s refill;
 * - each call takes one token when it reaches EC2 (after the simulated latency, with its effect); a call
 *   finding fewer than one token fails with RequestLimitExceeded (HTTP 503) and takes none;
 * - refill is continuous (fractional tokens) and both buckets start full;
 * - not modelled: EC2's separate "unfiltered and unpaginated" Describe bucket, per-action resource
 *   rate limits, and SNS quotas.
 */
export const EC2_API_RATE_LIMITS: Readonly<Record<Ec2ApiCategory, TokenBucketSpec>> = {
  nonMutating: { burst: 100, refillPerSecond: 20 },
  mutating: { burst: 200, refillPerSecond: 5 },
};

export interface ThrottlingOptions {
  /** Milliseconds the buckets refill against; the simulator's clock when absent (tests pass a fake one). */
  clock?: () => number;
  /** Overrides of the assumed limits, per category. */
  buckets?: Partial<Record<Ec2ApiCategory, TokenBucketSpec>>;
}

const MUTATING_ACTIONS = new Set(['ReplaceRoute', 'CreateRoute', 'DeleteRoute']);

/** The token bucket category of an EC2 action: ReplaceRoute, CreateRoute and DeleteRoute mutate, Describe* read. */
export const ec2ApiCategory = (action: string): Ec2ApiCategory => (MUTATING_ACTIONS.has(action) ? 'mutating' : 'nonMutating');

/** A token bucket with continuous refill, read against an injected clock. */
export class TokenBucket {
  private level: number;
  private last: number;

  constructor(
    readonly spec: TokenBucketSpec,
    private readonly now: () => number,
  ) {
    if (!(spec.burst >= 1) || !(spec.refillPerSecond > 0)) throw new Error('a token bucket needs burst >= 1 and refillPerSecond > 0');
    this.level = spec.burst;
    this.last = now();
  }

  /** Tokens available now (fractional). */
  tokens(): number {
    const t = this.now();
    // A clock that goes backwards (a test resetting it) refills nothing rather than draining the bucket.
    this.level = Math.min(this.spec.burst, this.level + (Math.max(0, t - this.last) * this.spec.refillPerSecond) / 1000);
    this.last = Math.max(this.last, t);
    return this.level;
  }

  /** Takes one token if there is one; false (and nothing taken) otherwise. */
  take(): boolean {
    if (this.tokens() < 1) return false;
    this.level -= 1;
    return true;
  }
}

/**
 * A fault of matching calls. Its kind is one of:
 * - a service error (`code`, optional `message`/`httpStatusCode`): the call fails as the service answers it;
 * - `hang`: the call never answers, as over a TCP connection that went silent: it waits until the caller
 *   aborts it through the request's abortSignal (an SDK request timeout does; over HTTP, the client closing
 *   the connection) and then fails with AbortError; without an abortSignal it waits for ever;
 * - `ignoreDryRun`: an endpoint that does not honour DryRun: a matching call with `DryRun: true` is served
 *   as if DryRun were false (it takes effect and answers success). Calls without DryRun are not candidates.
 */
export interface FaultSpec {
  /** Action name such as 'ReplaceRoute' or 'Publish'; '*' matches every action. */
  action: string;
  /** Service error code: 'RequestLimitExceeded', 'InternalError', 'Unavailable', 'UnauthorizedOperation', 'Throttled'… */
  code?: string;
  message?: string;
  /**
   * UnauthorizedOperation only: the message ends with an encoded authorization failure message, as EC2's
   * do (different for every call, since it encodes the request's context), padding the whole message to
   * this many bytes (true: 1500).
   */
  encodedAuthorizationMessage?: boolean | number;
  /** The call hangs until aborted (see above). */
  hang?: boolean;
  /** The endpoint ignores DryRun on matching calls (see above). */
  ignoreDryRun?: boolean;
  httpStatusCode?: number;
  /** Chance that a matching call fails (seeded); 1 when absent. */
  probability?: number;
  /** Fails at most this many calls, then stays inert. */
  times?: number;
  /** Only calls whose input satisfies this are candidates. */
  when?: (input: CommandInput) => boolean;
  /**
   * 'before' (default): the call fails (or hangs) with no effect. 'after': the effect happens, then the
   * response is lost (or never comes). `ignoreDryRun` applies before the effect whatever the phase.
   */
  phase?: 'before' | 'after';
}

/** ~1.5 KB, the size of a typical EC2 UnauthorizedOperation message with its encoded authorization failure message. */
export const ENCODED_AUTHORIZATION_MESSAGE_BYTES = 1500;
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** EC2's UnauthorizedOperation message with an encoded authorization failure message, `bytes` long in all. */
export const unauthorizedOperationMessage = (bytes: number, rand: () => number): string => {
  const head = 'You are not authorized to perform this operation. Encoded authorization failure message: ';
  let encoded = '';
  while (head.length + encoded.length < bytes) encoded += BASE64URL[Math.floor(rand() * 64)];
  return head + encoded;
};

/** FNV-1a: a seed from a fault's ID. */
const hashText = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

/** What a hung call fails with once its caller aborts it (the name the SDK gives an aborted request). */
const abortError = (): Error => Object.assign(new Error('Request aborted'), { name: 'AbortError' });

/** Waits until the signal aborts, then rejects with AbortError; never settles without a signal. */
const hangUntilAborted = (signal: AbortSignal | undefined): Promise<never> =>
  new Promise<never>((_resolve, reject) => {
    if (signal?.aborted) return reject(abortError());
    signal?.addEventListener('abort', () => reject(abortError()), { once: true });
  });

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

interface VpcRecord {
  vpcId: string;
  cidr: string;
  ipv6Cidr?: string;
  nextHost: number;
}

interface InstanceRecord {
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

interface EniRecord {
  seq: number;
  eniId: string;
  vpcId: string;
  subnetId: string;
  availabilityZone: string;
  sourceDestCheck: boolean;
  privateIpAddress: string;
  deleteOnTermination: boolean;
  attachment?: { instanceId: string; deviceIndex: number; networkCardIndex: number; attachmentId: string };
}

type RouteOriginName = 'CreateRouteTable' | 'CreateRoute' | 'EnableVgwRoutePropagation';

interface RouteRecord {
  destination: RouteDestination;
  target: { field: TargetField; id: string };
  origin: RouteOriginName;
}

interface RouteTableRecord {
  seq: number;
  routeTableId: string;
  vpcId: string;
  tags: Record<string, string>;
  mainAssociationId?: string;
  routes: RouteRecord[];
}

// ───────────────────────────── errors ─────────────────────────────

/** A service error before it is dressed as the SDK exception of the service that raised it. */
class SimFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

const fault = (code: string, message: string, status = 400): SimFault => new SimFault(code, message, status);

const EC2_FAULT_DEFAULTS: Record<string, { status: number; message: string }> = {
  RequestLimitExceeded: { status: 503, message: 'Request limit exceeded.' },
  InternalError: { status: 500, message: 'An internal error has occurred' },
  Unavailable: { status: 503, message: "The server is overloaded and can't handle the request." },
  ServiceUnavailable: { status: 503, message: 'The request has failed due to a temporary failure of the server.' },
  UnauthorizedOperation: { status: 403, message: 'You are not authorized to perform this operation.' },
  AuthFailure: { status: 401, message: 'AWS was not able to validate the provided access credentials' },
};

const SNS_FAULT_DEFAULTS: Record<string, { status: number; message: string; ctor?: SnsExceptionCtor }> = {
  Throttled: { status: 429, message: 'Rate exceeded', ctor: ThrottledException },
  InternalError: { status: 500, message: 'Internal error', ctor: InternalErrorException },
  AuthorizationError: { status: 403, message: 'User is not authorized to perform: SNS:Publish', ctor: AuthorizationErrorException },
  NotFound: { status: 404, message: 'Topic does not exist', ctor: NotFoundException },
  InvalidParameter: { status: 400, message: 'Invalid parameter', ctor: InvalidParameterException },
};
type SnsExceptionCtor = new (opts: { $metadata: ResponseMetadata; message: string }) => SNSServiceException;

interface ResponseMetadata {
  httpStatusCode: number;
  requestId: string;
  attempts: number;
  totalRetryDelay: number;
}

/** SNS codes may be given either way ('Throttled' or 'ThrottledException'). */
const snsCode = (code: string): string => code.replace(/Exception$/, '');

const faultDefaults = (service: Service, code: string): { status: number; message: string } =>
  (service === 'ec2' ? EC2_FAULT_DEFAULTS[code] : SNS_FAULT_DEFAULTS[snsCode(code)]) ?? {
    status: 400,
    message: `Simulated ${code}`,
  };

// The SDK's query protocols set $fault from the HTTP status, so a 503 throttle is a 'server' fault.
const faultSide = (status: number): 'client' | 'server' => (status < 500 ? 'client' : 'server');

const toEc2Exception = (f: SimFault, $metadata: ResponseMetadata): EC2ServiceException =>
  new EC2ServiceException({ name: f.code, $fault: faultSide(f.httpStatusCode), $metadata, message: f.message });

const toSnsException = (f: SimFault, $metadata: ResponseMetadata): SNSServiceException => {
  const code = snsCode(f.code);
  const Ctor = SNS_FAULT_DEFAULTS[code]?.ctor;
  const error = Ctor
    ? new Ctor({ $metadata, message: f.message })
    : new SNSServiceException({ name: f.code, $fault: faultSide(f.httpStatusCode), $metadata, message: f.message });
  // The awsQuery deserializer also copies the wire error's Type and Code onto the exception.
  const Type = f.httpStatusCode < 500 ? 'Sender' : 'Receiver';
  return Object.assign(error, { Type, Code: code, Error: { Type, Code: code, Message: f.message } });
};

// ───────────────────────────── seeded randomness ─────────────────────────────

/** mulberry32: a tiny 32-bit PRNG, good enough for IDs, fault dice and retry jitter, and reproducible. */
export const mulberry32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const hex = (rand: () => number, length: number): string =>
  Array.from({ length }, () => Math.floor(rand() * 16).toString(16)).join('');

const uuid = (rand: () => number): string =>
  [8, 4, 4, 4, 12].map((n) => hex(rand, n)).join('-');

// ───────────────────────────── CIDR helpers ─────────────────────────────

const ipv4ToInt = (octets: number[]): number => octets.reduce((acc, o) => acc * 256 + o, 0);
const intToIpv4 = (n: number): string => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');

/** Canonical IPv4 CIDR, or undefined when malformed or host bits are set (EC2 rejects both). */
const canonicalIpv4Cidr = (text: string): string | undefined => {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  if (ipv4ToInt(octets) % 2 ** (32 - prefix) !== 0) return undefined;
  return `${octets.join('.')}/${prefix}`;
};

const expandIpv6 = (address: string): number[] | undefined => {
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const split = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = split(halves[0]);
  const tail = halves.length === 2 ? split(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const parts = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (parts.some((p) => !/^[0-9a-fA-F]{1,4}$/.test(p))) return undefined;
  return parts.map((p) => parseInt(p, 16));
};

/** RFC 5952 text: lower case, the longest run of two or more zero groups as '::'. */
const compressIpv6 = (groups: number[]): string => {
  let best = { start: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { start: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const text = groups.map((g) => g.toString(16));
  if (best.start < 0) return text.join(':');
  return `${text.slice(0, best.start).join(':')}::${text.slice(best.start + best.length).join(':')}`;
};

/** Canonical IPv6 CIDR, or undefined when malformed or host bits are set. */
const canonicalIpv6Cidr = (text: string): string | undefined => {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  const groups = expandIpv6(m[1]);
  const prefix = Number(m[2]);
  if (!groups || prefix > 128) return undefined;
  const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
  const hostMask = (1n << BigInt(128 - prefix)) - 1n;
  if ((value & hostMask) !== 0n) return undefined;
  return `${compressIpv6(groups)}/${prefix}`;
};

const canonicalDestination = (kind: DestinationKind, raw: string): string => {
  const value =
    kind === 'ipv4' ? canonicalIpv4Cidr(raw) : kind === 'ipv6' ? canonicalIpv6Cidr(raw) : /^pl-[0-9a-f]{8,17}$/.test(raw) ? raw : undefined;
  if (value === undefined) {
    const param = DESTINATION_FIELDS[kind].replace(/^D/, 'd');
    const why = kind === 'prefix-list' ? 'This is not a valid prefix list ID.' : 'This is not a valid CIDR block.';
    throw fault('InvalidParameterValue', `Value (${raw}) for parameter ${param} is invalid. ${why}`);
  }
  return value;
};

/** The kind of a destination string as DescribeRouteTables prints it. */
export const destinationKindOf = (destination: string): DestinationKind =>
  destination.startsWith('pl-') ? 'prefix-list' : destination.includes(':') ? 'ipv6' : 'ipv4';

/** Reads the single destination of a ReplaceRoute/CreateRoute/DeleteRoute input, canonicalised. */
const destinationOf = (input: RouteFields): RouteDestination => {
  const kinds = (Object.keys(DESTINATION_FIELDS) as DestinationKind[]).filter((k) => input[DESTINATION_FIELDS[k]] !== undefined);
  if (kinds.length === 0) {
    throw fault('MissingParameter', 'The request must contain exactly one of the parameters destinationCidrBlock, destinationIpv6CidrBlock or destinationPrefixListId');
  }
  if (kinds.length > 1) {
    throw fault('InvalidParameterCombination', `Only one destination can be specified, got ${kinds.map((k) => DESTINATION_FIELDS[k]).join(', ')}`);
  }
  return { kind: kinds[0], value: canonicalDestination(kinds[0], String(input[DESTINATION_FIELDS[kinds[0]]])) };
};

const sameDestination = (a: RouteDestination, b: RouteDestination): boolean => a.kind === b.kind && a.value === b.value;

// ───────────────────────────── IDs ─────────────────────────────

const ID_FORMATS = {
  rtb: { code: 'InvalidRouteTableId.Malformed', noun: 'routeTable', notFound: 'InvalidRouteTableID.NotFound' },
  i: { code: 'InvalidInstanceID.Malformed', noun: 'instance', notFound: 'InvalidInstanceID.NotFound' },
  eni: { code: 'InvalidNetworkInterfaceId.Malformed', noun: 'networkInterface', notFound: 'InvalidNetworkInterfaceID.NotFound' },
} as const;
type IdPrefix = keyof typeof ID_FORMATS;

const checkIdFormat = (prefix: IdPrefix, id: unknown): string => {
  if (typeof id !== 'string' || !new RegExp(`^${prefix}-[0-9a-f]{8,17}$`).test(id)) {
    throw fault(ID_FORMATS[prefix].code, `Invalid id: "${String(id)}" (expecting "${prefix}-...")`);
  }
  return id;
};

const notFound = (prefix: IdPrefix, ids: string[]): SimFault => {
  const { noun, notFound: code } = ID_FORMATS[prefix];
  return ids.length === 1
    ? fault(code, `The ${noun} ID '${ids[0]}' does not exist`)
    : fault(code, `The ${noun} IDs '${ids.join(', ')}' do not exist`);
};

// ───────────────────────────── filters ─────────────────────────────

interface FilterSpec<T> {
  fields: Record<string, (item: T) => Array<string | undefined>>;
  tags?: (item: T) => Record<string, string>;
}

const wildcard = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

const valueMatches = (pattern: string, value: string): boolean =>
  /[*?]/.test(pattern) ? wildcard(pattern).test(value) : pattern === value;

const isTagFilter = (name: string): boolean => name.startsWith('tag:') || name === 'tag-key' || name === 'tag-value';

/** Rejects filters EC2 would reject, before any resource is looked at. */
const checkFilters = <T>(filters: Filter[] | undefined, spec: FilterSpec<T>): void => {
  for (const f of filters ?? []) {
    const name = f.Name ?? '';
    const known = name in spec.fields || (spec.tags !== undefined && isTagFilter(name));
    if (!known) throw fault('InvalidParameterValue', `The filter '${name}' is invalid`);
    // A filter without values can only be a caller bug; EC2 refuses it rather than matching nothing.
    if (!f.Values || f.Values.length === 0) throw fault('InvalidParameterValue', `The filter '${name}' requires at least one value`);
  }
};

const filterValuesOf = <T>(item: T, name: string, spec: FilterSpec<T>): string[] => {
  const tags = spec.tags?.(item) ?? {};
  if (name.startsWith('tag:')) return name.slice(4) in tags ? [tags[name.slice(4)]] : [];
  if (name === 'tag-key') return Object.keys(tags);
  if (name === 'tag-value') return Object.values(tags);
  return spec.fields[name](item).filter((v): v is string => v !== undefined);
};

/** Values within one filter are OR-ed, filters are AND-ed; '*' and '?' are wildcards as in EC2. */
const matchesFilters = <T>(item: T, filters: Filter[] | undefined, spec: FilterSpec<T>): boolean =>
  (filters ?? []).every((f) => {
    const values = filterValuesOf(item, f.Name ?? '', spec);
    return (f.Values ?? []).some((pattern) => values.some((v) => valueMatches(pattern, v)));
  });

// ───────────────────────────── pagination ─────────────────────────────

interface PageRequest {
  action: string;
  MaxResults?: number;
  NextToken?: string;
  filters?: Filter[];
  /** Name and value of the "explicit IDs" parameter, which EC2 refuses to combine with MaxResults. */
  ids?: { param: string; value: unknown[] | undefined };
  min: number;
  max: number;
}

/** FNV-1a, to bind a token to the query that produced it. */
const fingerprint = (text: string): string => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
};

const encodeToken = (action: string, filters: Filter[] | undefined, afterSeq: number): string =>
  Buffer.from(JSON.stringify({ a: action, q: fingerprint(JSON.stringify(filters ?? [])), s: afterSeq })).toString('base64url');

const decodeToken = (req: PageRequest): number => {
  const bad = (): SimFault => fault('InvalidPaginationToken', `Invalid pagination token '${String(req.NextToken)}'`);
  let parsed: { a?: unknown; q?: unknown; s?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(String(req.NextToken), 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  const expected = fingerprint(JSON.stringify(req.filters ?? []));
  if (parsed.a !== req.action || parsed.q !== expected || typeof parsed.s !== 'number') throw bad();
  return parsed.s;
};

const checkPaging = (req: PageRequest): void => {
  const idsGiven = req.ids?.value !== undefined && req.ids.value.length > 0;
  if (idsGiven && (req.MaxResults !== undefined || req.NextToken !== undefined)) {
    throw fault('InvalidParameterCombination', `The parameter ${req.ids?.param} cannot be used with the parameter maxResults`);
  }
  if (req.MaxResults !== undefined && (!Number.isInteger(req.MaxResults) || req.MaxResults < req.min || req.MaxResults > req.max)) {
    throw fault('InvalidParameterValue', `Value ( ${req.MaxResults} ) for parameter maxResults is invalid. Expecting a value between ${req.min} and ${req.max}.`);
  }
};

/**
 * One page of items in creation order. The token remembers the last item's sequence number rather than
 * an offset, so a resource deleted between pages neither repeats nor skips anything.
 */
const paginate = <T extends { seq: number }>(items: T[], req: PageRequest): { page: T[]; NextToken?: string } => {
  const after = req.NextToken !== undefined ? decodeToken(req) : -1;
  const remaining = items.filter((i) => i.seq > after);
  if (req.MaxResults === undefined || remaining.length <= req.MaxResults) return { page: remaining };
  const page = remaining.slice(0, req.MaxResults);
  return { page, NextToken: encodeToken(req.action, req.filters, page[page.length - 1].seq) };
};

// ───────────────────────────── small helpers ─────────────────────────────

const STATE_CODES: Record<InstanceStateName, number> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

const toTags = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/** Drops undefined keys, as the SDK's deserializer never produces them. */
const compact = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

const WALL_CLOCK: SimClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

type ActionHandler = (input: CommandInput) => object;

// ───────────────────────────── the simulated VPC ─────────────────────────────

/** Holds the state of a fake AWS account region and serves the EC2 and SNS calls of the product. */
export class SimulatedVpc {
  readonly region: string;
  readonly accountId: string;
  /** Every call in arrival order, including failed ones. */
  readonly calls: SimCall[] = [];
  /** Every message SNS accepted. */
  readonly published: PublishedMessage[] = [];

  private latencyMs: number | Partial<Record<string, number>>;
  private readonly clock: SimClock;
  private readonly buckets?: Record<Ec2ApiCategory, TokenBucket>;
  private readonly idRand: () => number;
  private readonly faultRand: () => number;
  private readonly requestRand: () => number;
  private readonly usedIds = new Set<string>();
  private seq = 0;

  private readonly vpcs = new Map<string, VpcRecord>();
  private readonly subnets = new Map<string, string>();
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly enis = new Map<string, EniRecord>();
  private readonly tables = new Map<string, RouteTableRecord>();
  private readonly topics = new Set<string>();
  private faults: Array<FaultSpec & { id: string; fired: number }> = [];
  private readonly impairedAzs = new Set<string>();
  private ec2Client?: SimulatedEc2Client;
  private snsClient?: SimulatedSnsClient;

  private readonly handlers: Record<Service, Record<string, ActionHandler>>;

  constructor(opts: SimulatedVpcOptions = {}) {
    const seed = opts.seed ?? 1;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.latencyMs = opts.latencyMs ?? 0;
    this.clock = opts.clock ?? WALL_CLOCK;
    if (opts.throttling) {
      const now = opts.throttling.clock ?? (() => this.clock.now());
      const spec = (c: Ec2ApiCategory): TokenBucketSpec => ({ ...EC2_API_RATE_LIMITS[c], ...opts.throttling?.buckets?.[c] });
      this.buckets = { nonMutating: new TokenBucket(spec('nonMutating'), now), mutating: new TokenBucket(spec('mutating'), now) };
    }
    // Separate streams: creating one more resource must not change which calls a fault hits.
    this.idRand = mulberry32(seed);
    this.faultRand = mulberry32(seed ^ 0x5bd1e995);
    this.requestRand = mulberry32(seed ^ 0x27d4eb2f);
    // Handlers are typed with the SDK's request shapes; the registry erases that on purpose.
    const h = <I>(fn: (input: I) => object): ActionHandler => fn as unknown as ActionHandler;
    this.handlers = {
      ec2: {
        DescribeRouteTables: h(this.describeRouteTables.bind(this)),
        ReplaceRoute: h(this.replaceRoute.bind(this)),
        CreateRoute: h(this.createRoute.bind(this)),
        DeleteRoute: h(this.deleteRoute.bind(this)),
        DescribeInstances: h(this.describeInstances.bind(this)),
        DescribeInstanceStatus: h(this.describeInstanceStatus.bind(this)),
        DescribeNetworkInterfaces: h(this.describeNetworkInterfaces.bind(this)),
      },
      sns: { Publish: h(this.publish.bind(this)) },
    };
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
    const vpcId = this.claimId('vpc', opts.vpcId);
    this.vpcs.set(vpcId, { vpcId, cidr, ipv6Cidr, nextHost: 10 });
    return vpcId;
  }

  /** Creates an instance without interfaces (add them with addNetworkInterface); returns its ID. */
  addInstance(opts: {
    vpcId: string;
    availabilityZone: string;
    state?: InstanceStateName;
    instanceId?: string;
    subnetId?: string;
    tags?: Record<string, string>;
  }): string {
    this.requireVpc(opts.vpcId);
    const instanceId = this.claimId('i', opts.instanceId);
    this.instances.set(instanceId, {
      seq: this.seq++,
      instanceId,
      reservationId: this.claimId('r'),
      vpcId: opts.vpcId,
      subnetId: opts.subnetId ?? this.subnetFor(opts.vpcId, opts.availabilityZone),
      availabilityZone: opts.availabilityZone,
      state: opts.state ?? 'running',
      launchTime: wholeSecond(),
      tags: { ...opts.tags },
      instanceCheck: 'ok',
      systemCheck: 'ok',
    });
    return instanceId;
  }

  /** Creates an ENI, attached to `instanceId` at `deviceIndex` (next free by default) when given; returns its ID. */
  addNetworkInterface(opts: {
    vpcId: string;
    subnetId?: string;
    instanceId?: string;
    deviceIndex?: number;
    networkCardIndex?: number;
    sourceDestCheck?: boolean;
    privateIpAddress?: string;
    eniId?: string;
    deleteOnTermination?: boolean;
  }): string {
    const vpc = this.requireVpc(opts.vpcId);
    const instance = opts.instanceId === undefined ? undefined : this.requireInstance(opts.instanceId);
    if (instance && instance.vpcId !== vpc.vpcId) throw new Error(`instance ${instance.instanceId} is not in ${vpc.vpcId}`);
    const availabilityZone = instance?.availabilityZone ?? `${this.region}a`;
    const eniId = this.claimId('eni', opts.eniId);
    this.enis.set(eniId, {
      seq: this.seq++,
      eniId,
      vpcId: vpc.vpcId,
      subnetId: opts.subnetId ?? instance?.subnetId ?? this.subnetFor(vpc.vpcId, availabilityZone),
      availabilityZone,
      sourceDestCheck: opts.sourceDestCheck ?? true,
      privateIpAddress: opts.privateIpAddress ?? this.allocateIp(vpc),
      deleteOnTermination: opts.deleteOnTermination ?? true,
    });
    if (instance) this.attachNetworkInterface(eniId, instance.instanceId, opts.deviceIndex, opts.networkCardIndex);
    return eniId;
  }

  /** Attaches an existing detached ENI to an instance (out of band, as the console would). */
  attachNetworkInterface(eniId: string, instanceId: string, deviceIndex?: number, networkCardIndex = 0): void {
    const eni = this.requireEni(eniId);
    const instance = this.requireInstance(instanceId);
    if (eni.attachment) throw new Error(`${eniId} is already attached to ${eni.attachment.instanceId}`);
    const taken = this.attachedEnis(instanceId).map((e) => e.attachment?.deviceIndex);
    const index = deviceIndex ?? Math.max(-1, ...taken.map((i) => i ?? -1)) + 1;
    if (taken.includes(index)) throw new Error(`${instanceId} already has an interface at device index ${index}`);
    eni.attachment = { instanceId: instance.instanceId, deviceIndex: index, networkCardIndex, attachmentId: this.claimId('eni-attach') };
  }

  /** Turns an ENI's source/destination check on or off (ModifyNetworkInterfaceAttribute). */
  setSourceDestCheck(eniId: string, enabled: boolean): void {
    this.requireEni(eniId).sourceDestCheck = enabled;
  }

  /** Detaches an ENI; routes to it become blackholes. */
  detachNetworkInterface(eniId: string): void {
    this.requireEni(eniId).attachment = undefined;
  }

  /** Deletes an ENI outright (even if attached); routes to it stay, as blackholes. */
  deleteNetworkInterface(eniId: string): void {
    this.requireEni(eniId);
    this.enis.delete(eniId);
  }

  /** Creates a route table with its local route(s); `main` makes it the VPC's main table. Returns its ID. */
  addRouteTable(opts: { vpcId: string; tags?: Record<string, string>; routeTableId?: string; main?: boolean }): string {
    const vpc = this.requireVpc(opts.vpcId);
    const routeTableId = this.claimId('rtb', opts.routeTableId);
    const local = (destination: RouteDestination): RouteRecord => ({
      destination,
      target: { field: 'GatewayId', id: 'local' },
      origin: 'CreateRouteTable',
    });
    const routes = [local({ kind: 'ipv4', value: vpc.cidr })];
    if (vpc.ipv6Cidr) routes.push(local({ kind: 'ipv6', value: vpc.ipv6Cidr }));
    this.tables.set(routeTableId, {
      seq: this.seq++,
      routeTableId,
      vpcId: vpc.vpcId,
      tags: { ...opts.tags },
      mainAssociationId: opts.main ? this.claimId('rtbassoc') : undefined,
      routes,
    });
    return routeTableId;
  }

  /** Adds a route as set up out of band. Unlike the API, an InstanceId target always resolves to its eth0. */
  addRoute(routeTableId: string, route: RouteSpec): void {
    const table = this.requireTable(routeTableId);
    const destination = destinationOf(route);
    const origin = route.Origin ?? 'CreateRoute';
    const target = this.resolveTarget(route, table, { lenientInstance: true });
    if (origin === 'EnableVgwRoutePropagation' && !/^vgw-/.test(target.id)) {
      throw new Error('a propagated route must target a virtual private gateway (GatewayId vgw-...)');
    }
    const clash = table.routes.find((r) => sameDestination(r.destination, destination) && isPropagated(r) === (origin === 'EnableVgwRoutePropagation'));
    if (clash) throw fault('RouteAlreadyExists', `The route identified by ${destination.value} already exists.`);
    table.routes.push({ destination, target, origin });
  }

  /** Removes a route table (as if someone deleted it mid-run). */
  deleteRouteTable(routeTableId: string): void {
    this.requireTable(routeTableId);
    this.tables.delete(routeTableId);
  }

  /** Moves an instance to a state; terminating deletes its delete-on-termination ENIs and detaches the rest. */
  setInstanceState(instanceId: string, state: InstanceStateName): void {
    const instance = this.requireInstance(instanceId);
    if (instance.state === 'terminated' && state !== 'terminated') throw new Error(`${instanceId} is terminated for good`);
    // A stop/start gives the instance a new LaunchTime (a reboot would not change state at all).
    if (state === 'running' && instance.state !== 'running') instance.launchTime = wholeSecond();
    instance.state = state;
    if (state !== 'terminated') return;
    for (const eni of this.attachedEnis(instanceId)) {
      if (eni.deleteOnTermination) this.enis.delete(eni.eniId);
      else eni.attachment = undefined;
    }
  }

  /** Sets the result of an instance's status checks ('instance' reachability by default). */
  setInstanceStatusCheck(instanceId: string, status: StatusCheck, check: 'instance' | 'system' | 'both' = 'instance'): void {
    const instance = this.requireInstance(instanceId);
    if (check !== 'system') instance.instanceCheck = status;
    if (check !== 'instance') instance.systemCheck = status;
  }

  /** Forgets an instance entirely, as EC2 does about an hour after termination. */
  removeInstance(instanceId: string): void {
    this.requireInstance(instanceId);
    this.instances.delete(instanceId);
  }

  /** Creates an SNS topic; returns its ARN. */
  createTopic(name: string): string {
    if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) throw new Error(`invalid topic name "${name}"`);
    const arn = `arn:aws:sns:${this.region}:${this.accountId}:${name}`;
    this.topics.add(arn);
    return arn;
  }

  /**
   * Starts a service disruption in an Availability Zone, as EC2's API reference describes for
   * DescribeInstances: "If you describe instances in the rare case where an Availability Zone is experiencing
   * a service disruption and you specify instance IDs that are in the affected zone, or do not specify any
   * instance IDs at all, the call fails." The simulator answers 503 Unavailable, for the whole disruption, to
   * DescribeInstances and DescribeInstanceStatus calls that name an instance there or name none, and (an
   * assumption, same rule) to DescribeNetworkInterfaces calls that name an interface there.
   */
  impairAvailabilityZone(availabilityZone: string): void {
    this.impairedAzs.add(availabilityZone);
  }

  /** Ends a disruption started with impairAvailabilityZone. */
  restoreAvailabilityZone(availabilityZone: string): void {
    this.impairedAzs.delete(availabilityZone);
  }

  /** Changes the latency of subsequent calls. */
  setLatency(latencyMs: number | Partial<Record<string, number>>): void {
    this.latencyMs = latencyMs;
  }

  // ─────────── faults ───────────

  /** Makes matching calls fail with a service error, hang, or have their DryRun ignored; returns an ID for removeFault. */
  injectFault(spec: FaultSpec): string {
    const kinds = [spec.code !== undefined, spec.hang === true, spec.ignoreDryRun === true].filter(Boolean).length;
    if (kinds !== 1) throw new Error('a fault is exactly one of: an error code, hang, ignoreDryRun');
    if (spec.encodedAuthorizationMessage !== undefined && spec.code !== 'UnauthorizedOperation') {
      throw new Error('encodedAuthorizationMessage applies to UnauthorizedOperation only');
    }
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1)) throw new Error('probability must be within [0, 1]');
    if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times >= 1)) throw new Error('times must be a positive integer');
    const id = `fault-${this.faults.length + 1}-${hex(this.idRand, 6)}`;
    this.faults.push({ ...spec, id, fired: 0 });
    return id;
  }

  /** Removes one injected fault. */
  removeFault(id: string): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  /** Removes every injected fault. */
  clearFaults(): void {
    this.faults = [];
  }

  // ─────────── observability ───────────

  /** Number of calls per action name, failed ones included. */
  callCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const c of this.calls) counts[c.action] = (counts[c.action] ?? 0) + 1;
    return counts;
  }

  /** ReplaceRoute/CreateRoute/DeleteRoute calls that took effect (DryRun and failures excluded, lost responses included). */
  mutatingCalls(): SimCall[] {
    return this.calls.filter((c) => MUTATING_ACTIONS.has(c.action) && c.tookEffect === true);
  }

  /** All route tables, in DescribeRouteTables output shape (a fresh copy). */
  routeTables(): RouteTable[] {
    return [...this.tables.values()].map((t) => this.routeTableOutput(t));
  }

  /** The route for a destination (CIDR or pl- ID) in a table, static before propagated; undefined when absent. */
  route(routeTableId: string, destination: string): Route | undefined {
    const table = this.tables.get(routeTableId);
    if (!table) return undefined;
    const kind = destinationKindOf(destination);
    const wanted = { kind, value: canonicalDestination(kind, destination) };
    const matches = table.routes.filter((r) => sameDestination(r.destination, wanted));
    const found = matches.find((r) => !isPropagated(r)) ?? matches[0];
    return found && this.routeOutput(found);
  }

  /** Tokens left in each EC2 request bucket (fractional), or undefined when throttling is off. */
  tokens(): Record<Ec2ApiCategory, number> | undefined {
    return this.buckets && { nonMutating: this.buckets.nonMutating.tokens(), mutating: this.buckets.mutating.tokens() };
  }

  /** Current state of an instance. */
  instanceState(instanceId: string): InstanceStateName {
    return this.requireInstance(instanceId).state;
  }

  // ─────────── dispatch ───────────

  /**
   * Serves one call: records it, waits the latency, applies faults, runs the action. Used by the clients;
   * `abortSignal` (the SDK's, or the HTTP endpoint's when its client goes away) ends a hung call.
   */
  async invoke(service: Service, action: string, rawInput: object, opts: { abortSignal?: AbortSignal } = {}): Promise<object> {
    const input = structuredClone(rawInput) as CommandInput;
    const call: SimCall = { service, action, input, at: this.clock.now() };
    this.calls.push(call);
    try {
      const handler = this.handlers[service][action];
      if (!handler) throw new Error(`the simulated VPC does not support ${service.toUpperCase()} ${action}`);
      await this.delay(action);
      this.takeToken(service, action);
      this.failIfImpaired(service, action, input);
      await this.fireFault(service, action, input, 'before', opts.abortSignal);
      const output = handler(this.servedInput(action, input));
      call.tookEffect = true;
      await this.fireFault(service, action, input, 'after', opts.abortSignal);
      return { ...output, $metadata: this.metadata(200) };
    } catch (e) {
      call.error = (e as Error).name;
      throw this.toServiceError(service, e);
    } finally {
      call.endAt = this.clock.now();
    }
  }

  private async delay(action: string): Promise<void> {
    const ms = typeof this.latencyMs === 'number' ? this.latencyMs : (this.latencyMs[action] ?? this.latencyMs['*'] ?? 0);
    if (ms > 0) await this.clock.sleep(ms);
  }

  /** The call reaches EC2 now: it takes a token from its category's bucket or is throttled. */
  private takeToken(service: Service, action: string): void {
    if (service !== 'ec2' || !this.buckets || !(action in this.handlers.ec2)) return;
    if (!this.buckets[ec2ApiCategory(action)].take()) throw fault('RequestLimitExceeded', EC2_FAULT_DEFAULTS.RequestLimitExceeded.message, 503);
  }

  /** A call that an Availability Zone's service disruption makes fail (see impairAvailabilityZone). */
  private failIfImpaired(service: Service, action: string, input: CommandInput): void {
    if (service !== 'ec2' || this.impairedAzs.size === 0) return;
    const ids = (param: string, filter: string): string[] => [
      ...((input[param] as string[] | undefined) ?? []),
      ...(((input.Filters as Array<{ Name?: string; Values?: string[] }> | undefined) ?? []).find((f) => f.Name === filter)?.Values ?? []),
    ];
    let impaired = false;
    if (action === 'DescribeInstances' || action === 'DescribeInstanceStatus') {
      const named = ids('InstanceIds', 'instance-id');
      impaired = named.length === 0 || named.some((id) => this.impairedAzs.has(this.instances.get(id)?.availabilityZone ?? ''));
    } else if (action === 'DescribeNetworkInterfaces') {
      impaired = ids('NetworkInterfaceIds', 'network-interface-id').some((id) => this.impairedAzs.has(this.enis.get(id)?.availabilityZone ?? ''));
    }
    if (impaired) throw fault('Unavailable', EC2_FAULT_DEFAULTS.Unavailable.message, 503);
  }

  private isCandidate(f: FaultSpec & { fired: number }, action: string, input: CommandInput): boolean {
    if (f.action !== action && f.action !== '*') return false;
    if (f.times !== undefined && f.fired >= f.times) return false;
    if (f.when && !f.when(input)) return false;
    // Draw only for candidate calls, so unrelated traffic does not shift the dice.
    return f.probability === undefined || this.faultRand() < f.probability;
  }

  private async fireFault(service: Service, action: string, input: CommandInput, phase: 'before' | 'after', signal?: AbortSignal): Promise<void> {
    for (const f of this.faults) {
      if (f.ignoreDryRun || (f.phase ?? 'before') !== phase || !this.isCandidate(f, action, input)) continue;
      f.fired++;
      if (f.hang) return hangUntilAborted(signal);
      const code = f.code ?? 'InternalError';
      const defaults = faultDefaults(service, code);
      const bytes = f.encodedAuthorizationMessage === true ? ENCODED_AUTHORIZATION_MESSAGE_BYTES : f.encodedAuthorizationMessage;
      // Its own stream per call: the encoded part differs from call to call and draws no fault dice.
      const message = bytes ? unauthorizedOperationMessage(bytes, mulberry32(hashText(f.id) ^ f.fired)) : (f.message ?? defaults.message);
      throw fault(code, message, f.httpStatusCode ?? defaults.status);
    }
  }

  /** The input the action is served with: DryRun dropped when an ignoreDryRun fault takes the call. */
  private servedInput(action: string, input: CommandInput): CommandInput {
    if (input.DryRun !== true) return input;
    const f = this.faults.find((x) => x.ignoreDryRun && this.isCandidate(x, action, input));
    if (!f) return input;
    f.fired++;
    return { ...input, DryRun: false };
  }

  private toServiceError(service: Service, e: unknown): unknown {
    if (!(e instanceof SimFault)) return e;
    const $metadata = this.metadata(e.httpStatusCode);
    return service === 'ec2' ? toEc2Exception(e, $metadata) : toSnsException(e, $metadata);
  }

  private metadata(httpStatusCode: number): ResponseMetadata {
    return { httpStatusCode, requestId: uuid(this.requestRand), attempts: 1, totalRetryDelay: 0 };
  }

  // ─────────── EC2: route tables ───────────

  private describeRouteTables(input: DescribeRouteTablesRequest): DescribeRouteTablesResult {
    const req: PageRequest = {
      action: 'DescribeRouteTables',
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      filters: input.Filters,
      ids: { param: 'routeTableIds', value: input.RouteTableIds },
      min: 5,
      max: 100,
    };
    checkPaging(req);
    const spec = this.routeTableFilters();
    checkFilters(input.Filters, spec);
    let tables = [...this.tables.values()];
    if (input.RouteTableIds?.length) tables = this.selectByIds('rtb', input.RouteTableIds, this.tables);
    tables = tables.filter((t) => matchesFilters(t, input.Filters, spec));
    checkDryRun(input);
    const { page, NextToken } = paginate(tables, req);
    return compact({ RouteTables: page.map((t) => this.routeTableOutput(t)), NextToken });
  }

  private replaceRoute(input: ReplaceRouteRequest): object {
    const table = this.requireTableForCall(input.RouteTableId);
    const destination = destinationOf(input);
    const target = this.resolveTarget(input, table);
    const route = findStaticRoute(table, destination);
    if (!route) {
      throw fault('InvalidParameterValue', `There is no route defined for '${destination.value}' in the route table. Use CreateRoute instead.`);
    }
    // Real EC2 lets the local route point at a middlebox ENI; the product never does that, so it is refused here.
    if (route.origin === 'CreateRouteTable') {
      throw fault('InvalidParameterValue', `The route for '${destination.value}' is the local route of ${table.vpcId}; replacing its target is not supported by the simulator.`);
    }
    checkDryRun(input);
    route.target = target;
    route.origin = 'CreateRoute';
    return {};
  }

  private createRoute(input: CreateRouteRequest): CreateRouteResult {
    const table = this.requireTableForCall(input.RouteTableId);
    const destination = destinationOf(input);
    const target = this.resolveTarget(input, table);
    if (findStaticRoute(table, destination)) {
      throw fault('RouteAlreadyExists', `The route identified by ${destination.value} already exists.`);
    }
    checkDryRun(input);
    table.routes.push({ destination, target, origin: 'CreateRoute' });
    return { Return: true };
  }

  private deleteRoute(input: DeleteRouteRequest): object {
    const table = this.requireTableForCall(input.RouteTableId);
    const destination = destinationOf(input);
    const route = findStaticRoute(table, destination);
    const param = DESTINATION_FIELDS[destination.kind].replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
    if (!route) {
      throw fault('InvalidRoute.NotFound', `no route with ${param} ${destination.value} in route table ${table.routeTableId}`);
    }
    if (route.origin === 'CreateRouteTable') {
      throw fault('InvalidParameterValue', `cannot remove local route ${destination.value} in route table ${table.routeTableId}`);
    }
    checkDryRun(input);
    table.routes.splice(table.routes.indexOf(route), 1);
    return {};
  }

  /** Validates the one target of a route request; InstanceId resolves to the instance's only ENI, as in EC2. */
  private resolveTarget(input: RouteFields, table: RouteTableRecord, opts: { lenientInstance?: boolean } = {}): RouteRecord['target'] {
    const given = [...TARGET_FIELDS, 'InstanceId' as const].filter((f) => input[f] !== undefined);
    if (given.length === 0) {
      throw fault('MissingParameter', 'The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, instanceId, vpcPeeringConnectionId, transitGatewayId, egressOnlyInternetGatewayId, vpcEndpointId, localGatewayId, carrierGatewayId or coreNetworkArn');
    }
    if (given.length > 1) throw fault('InvalidParameterCombination', `Only one target can be specified, got ${given.join(', ')}`);
    const field = given[0];
    const id = String(input[field]);
    if (field === 'InstanceId') return { field: 'NetworkInterfaceId', id: this.eniOfInstance(id, table, opts.lenientInstance ?? false) };
    if (field === 'NetworkInterfaceId') return { field, id: this.routableEni(id, table).eniId };
    if (field === 'GatewayId' && !/^(igw|vgw)-[0-9a-f]{8,17}$/.test(id)) throw fault('InvalidGatewayID.NotFound', `The gateway ID '${id}' does not exist`);
    return { field, id };
  }

  private routableEni(eniId: string, table: RouteTableRecord): EniRecord {
    checkIdFormat('eni', eniId);
    const eni = this.enis.get(eniId);
    if (!eni) throw notFound('eni', [eniId]);
    if (eni.vpcId !== table.vpcId) {
      throw fault('InvalidParameterValue', `route table ${table.routeTableId} and network interface ${eniId} belong to different networks`);
    }
    return eni;
  }

  private eniOfInstance(instanceId: string, table: RouteTableRecord, lenient: boolean): string {
    checkIdFormat('i', instanceId);
    const instance = this.instances.get(instanceId);
    if (!instance) throw notFound('i', [instanceId]);
    const enis = this.attachedEnis(instanceId);
    const eth0 = enis.find((e) => e.attachment?.deviceIndex === 0);
    if (!eth0) throw fault('IncorrectInstanceState', `The instance '${instanceId}' has no network interface to route to`);
    if (enis.length > 1 && !lenient) {
      throw fault('InvalidInstanceID', `There are multiple interfaces attached to instance '${instanceId}'. Please specify an interface ID for the operation instead.`);
    }
    if (instance.vpcId !== table.vpcId) {
      throw fault('InvalidParameterValue', `route table ${table.routeTableId} and instance ${instanceId} belong to different networks`);
    }
    return eth0.eniId;
  }

  private routeTableFilters(): FilterSpec<RouteTableRecord> {
    const routes = (t: RouteTableRecord): Route[] => t.routes.map((r) => this.routeOutput(r));
    const routeField = (field: keyof Route) => (t: RouteTableRecord) => routes(t).map((r) => r[field] as string | undefined);
    return {
      tags: (t) => t.tags,
      fields: {
        'vpc-id': (t) => [t.vpcId],
        'route-table-id': (t) => [t.routeTableId],
        'owner-id': () => [this.accountId],
        'association.main': (t) => [t.mainAssociationId ? 'true' : 'false'],
        'association.route-table-association-id': (t) => [t.mainAssociationId],
        'route.destination-cidr-block': routeField('DestinationCidrBlock'),
        'route.destination-ipv6-cidr-block': routeField('DestinationIpv6CidrBlock'),
        'route.destination-prefix-list-id': routeField('DestinationPrefixListId'),
        'route.gateway-id': routeField('GatewayId'),
        'route.instance-id': routeField('InstanceId'),
        'route.nat-gateway-id': routeField('NatGatewayId'),
        'route.transit-gateway-id': routeField('TransitGatewayId'),
        'route.vpc-peering-connection-id': routeField('VpcPeeringConnectionId'),
        'route.egress-only-internet-gateway-id': routeField('EgressOnlyInternetGatewayId'),
        'route.origin': routeField('Origin'),
        'route.state': routeField('State'),
      },
    };
  }

  private routeTableOutput(t: RouteTableRecord): RouteTable {
    const vgws = [...new Set(t.routes.filter(isPropagated).map((r) => r.target.id))];
    return {
      RouteTableId: t.routeTableId,
      VpcId: t.vpcId,
      OwnerId: this.accountId,
      Routes: t.routes.map((r) => this.routeOutput(r)),
      Tags: toTags(t.tags),
      Associations: t.mainAssociationId
        ? [{ Main: true, RouteTableAssociationId: t.mainAssociationId, RouteTableId: t.routeTableId, AssociationState: { State: 'associated' } }]
        : [],
      PropagatingVgws: vgws.map((GatewayId) => ({ GatewayId })),
    };
  }

  private routeOutput(r: RouteRecord): Route {
    const route: Route = { [DESTINATION_FIELDS[r.destination.kind]]: r.destination.value, [r.target.field]: r.target.id };
    const eni = r.target.field === 'NetworkInterfaceId' ? this.enis.get(r.target.id) : undefined;
    if (eni?.attachment) {
      route.InstanceId = eni.attachment.instanceId;
      route.InstanceOwnerId = this.accountId;
    }
    route.Origin = r.origin;
    route.State = this.routeState(r);
    return route;
  }

  /** A route to an ENI is a blackhole unless the ENI exists, is attached, and its instance is running. */
  private routeState(r: RouteRecord): 'active' | 'blackhole' {
    if (r.target.field !== 'NetworkInterfaceId') return 'active';
    const attachment = this.enis.get(r.target.id)?.attachment;
    const instance = attachment && this.instances.get(attachment.instanceId);
    return instance?.state === 'running' ? 'active' : 'blackhole';
  }

  // ─────────── EC2: instances and interfaces ───────────

  private describeInstances(input: DescribeInstancesRequest): DescribeInstancesResult {
    const req = this.instancePaging('DescribeInstances', input);
    const spec = this.instanceFilters();
    checkFilters(input.Filters, spec);
    const selected = this.selectInstances(input.InstanceIds).filter((i) => matchesFilters(i, input.Filters, spec));
    checkDryRun(input);
    const { page, NextToken } = paginate(selected, req);
    const Reservations = page.map((i) => ({ ReservationId: i.reservationId, OwnerId: this.accountId, Groups: [], Instances: [this.instanceOutput(i)] }));
    return compact({ Reservations, NextToken });
  }

  private describeInstanceStatus(input: DescribeInstanceStatusRequest): DescribeInstanceStatusResult {
    const req = this.instancePaging('DescribeInstanceStatus', input);
    const spec: FilterSpec<InstanceRecord> = {
      fields: {
        'instance-state-name': (i) => [i.state],
        'instance-state-code': (i) => [String(STATE_CODES[i.state])],
        'availability-zone': (i) => [i.availabilityZone],
        'instance-status.status': (i) => [this.statusSummary(i, i.instanceCheck).Status],
        'system-status.status': (i) => [this.statusSummary(i, i.systemCheck).Status],
      },
    };
    checkFilters(input.Filters, spec);
    const selected = this.selectInstances(input.InstanceIds)
      // Without IncludeAllInstances EC2 only reports running instances, even ones asked for by ID.
      .filter((i) => input.IncludeAllInstances === true || i.state === 'running')
      .filter((i) => matchesFilters(i, input.Filters, spec));
    checkDryRun(input);
    const { page, NextToken } = paginate(selected, req);
    return compact({ InstanceStatuses: page.map((i) => this.instanceStatusOutput(i)), NextToken });
  }

  private describeNetworkInterfaces(input: DescribeNetworkInterfacesRequest): DescribeNetworkInterfacesResult {
    const req: PageRequest = {
      action: 'DescribeNetworkInterfaces',
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      filters: input.Filters,
      ids: { param: 'networkInterfaceIds', value: input.NetworkInterfaceIds },
      min: 5,
      max: 1000,
    };
    checkPaging(req);
    const spec: FilterSpec<EniRecord> = {
      fields: {
        'network-interface-id': (e) => [e.eniId],
        'vpc-id': (e) => [e.vpcId],
        'subnet-id': (e) => [e.subnetId],
        'availability-zone': (e) => [e.availabilityZone],
        status: (e) => [e.attachment ? 'in-use' : 'available'],
        'attachment.instance-id': (e) => [e.attachment?.instanceId],
        'attachment.device-index': (e) => [e.attachment && String(e.attachment.deviceIndex)],
        'attachment.status': (e) => [e.attachment && 'attached'],
        'source-dest-check': (e) => [String(e.sourceDestCheck)],
      },
    };
    checkFilters(input.Filters, spec);
    let enis = [...this.enis.values()];
    if (input.NetworkInterfaceIds?.length) enis = this.selectByIds('eni', input.NetworkInterfaceIds, this.enis);
    enis = enis.filter((e) => matchesFilters(e, input.Filters, spec));
    checkDryRun(input);
    const { page, NextToken } = paginate(enis, req);
    return compact({ NetworkInterfaces: page.map((e) => this.networkInterfaceOutput(e)), NextToken });
  }

  private instancePaging(action: string, input: { MaxResults?: number; NextToken?: string; Filters?: Filter[]; InstanceIds?: string[] }): PageRequest {
    const req: PageRequest = {
      action,
      MaxResults: input.MaxResults,
      NextToken: input.NextToken,
      filters: input.Filters,
      ids: { param: 'instanceIds', value: input.InstanceIds },
      min: 5,
      max: 1000,
    };
    checkPaging(req);
    return req;
  }

  private selectInstances(ids: string[] | undefined): InstanceRecord[] {
    return ids?.length ? this.selectByIds('i', ids, this.instances) : [...this.instances.values()];
  }

  /** Resources by explicit ID, in creation order; any unknown ID fails the whole call, as in EC2. */
  private selectByIds<T extends { seq: number }>(prefix: IdPrefix, ids: string[], from: Map<string, T>): T[] {
    ids.forEach((id) => checkIdFormat(prefix, id));
    const missing = [...new Set(ids)].filter((id) => !from.has(id));
    if (missing.length > 0) throw notFound(prefix, missing);
    return [...new Set(ids)].map((id) => from.get(id) as T).sort((a, b) => a.seq - b.seq);
  }

  private instanceFilters(): FilterSpec<InstanceRecord> {
    const visible = (i: InstanceRecord): boolean => i.state !== 'terminated';
    return {
      tags: (i) => i.tags,
      fields: {
        'instance-id': (i) => [i.instanceId],
        'vpc-id': (i) => [visible(i) ? i.vpcId : undefined],
        'subnet-id': (i) => [visible(i) ? i.subnetId : undefined],
        'instance-state-name': (i) => [i.state],
        'instance-state-code': (i) => [String(STATE_CODES[i.state])],
        'availability-zone': (i) => [i.availabilityZone],
        'network-interface.network-interface-id': (i) => this.attachedEnis(i.instanceId).map((e) => e.eniId),
      },
    };
  }

  private instanceOutput(i: InstanceRecord): Instance {
    // A terminated instance lingers in DescribeInstances without network details.
    const terminated = i.state === 'terminated';
    const enis = terminated ? [] : this.attachedEnis(i.instanceId);
    const eth0 = enis.find((e) => e.attachment?.deviceIndex === 0);
    return compact({
      InstanceId: i.instanceId,
      InstanceType: 'c6in.large',
      State: { Code: STATE_CODES[i.state], Name: i.state },
      LaunchTime: i.launchTime,
      Placement: { AvailabilityZone: i.availabilityZone, GroupName: '', Tenancy: 'default' },
      VpcId: terminated ? undefined : i.vpcId,
      SubnetId: terminated ? undefined : i.subnetId,
      PrivateIpAddress: eth0?.privateIpAddress,
      SourceDestCheck: eth0?.sourceDestCheck,
      Tags: Object.keys(i.tags).length > 0 ? toTags(i.tags) : undefined,
      NetworkInterfaces: enis.map((e) => this.instanceEniOutput(e)),
    } satisfies Instance);
  }

  private instanceEniOutput(e: EniRecord): InstanceNetworkInterface {
    const a = e.attachment;
    return {
      NetworkInterfaceId: e.eniId,
      OwnerId: this.accountId,
      SourceDestCheck: e.sourceDestCheck,
      PrivateIpAddress: e.privateIpAddress,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.privateIpAddress }],
      SubnetId: e.subnetId,
      VpcId: e.vpcId,
      Status: 'in-use',
      InterfaceType: 'interface',
      Attachment: a && {
        AttachmentId: a.attachmentId,
        DeviceIndex: a.deviceIndex,
        NetworkCardIndex: a.networkCardIndex,
        Status: 'attached',
        DeleteOnTermination: e.deleteOnTermination,
      },
    };
  }

  private networkInterfaceOutput(e: EniRecord): NetworkInterface {
    const a = e.attachment;
    return compact({
      NetworkInterfaceId: e.eniId,
      OwnerId: this.accountId,
      AvailabilityZone: e.availabilityZone,
      SubnetId: e.subnetId,
      VpcId: e.vpcId,
      InterfaceType: 'interface',
      PrivateIpAddress: e.privateIpAddress,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: e.privateIpAddress }],
      SourceDestCheck: e.sourceDestCheck,
      Status: a ? 'in-use' : 'available',
      TagSet: [],
      Attachment: a && {
        AttachmentId: a.attachmentId,
        DeviceIndex: a.deviceIndex,
        NetworkCardIndex: a.networkCardIndex,
        InstanceId: a.instanceId,
        InstanceOwnerId: this.accountId,
        Status: 'attached',
        DeleteOnTermination: e.deleteOnTermination,
      },
    } satisfies NetworkInterface);
  }

  private instanceStatusOutput(i: InstanceRecord): InstanceStatus {
    return {
      InstanceId: i.instanceId,
      AvailabilityZone: i.availabilityZone,
      InstanceState: { Code: STATE_CODES[i.state], Name: i.state },
      InstanceStatus: this.statusSummary(i, i.instanceCheck),
      SystemStatus: this.statusSummary(i, i.systemCheck),
    };
  }

  /** Status checks only mean something while running; otherwise EC2 reports 'not-applicable'. */
  private statusSummary(i: InstanceRecord, check: StatusCheck): InstanceStatusSummary & { Status: string } {
    if (i.state === 'pending') return { Status: 'initializing', Details: [{ Name: 'reachability', Status: 'initializing' }] };
    if (i.state !== 'running') return { Status: 'not-applicable' };
    const detail = { ok: 'passed', impaired: 'failed', 'insufficient-data': 'insufficient-data', initializing: 'initializing' } as const;
    return { Status: check, Details: [{ Name: 'reachability', Status: detail[check] }] };
  }

  // ─────────── SNS ───────────

  private publish(input: PublishInput): PublishResponse {
    const topicArn = input.TopicArn ?? input.TargetArn;
    if (topicArn === undefined) throw fault('InvalidParameter', 'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter');
    checkSubject(input.Subject);
    checkMessage(input);
    if (!this.topics.has(topicArn)) throw fault('NotFound', 'Topic does not exist', 404);
    const MessageId = uuid(this.requestRand);
    this.published.push(
      compact({
        TopicArn: topicArn,
        Subject: input.Subject,
        Message: input.Message as string,
        MessageAttributes: input.MessageAttributes && structuredClone(input.MessageAttributes),
        MessageId,
      }),
    );
    return { MessageId };
  }

  // ─────────── lookups ───────────

  private claimId(prefix: string, wanted?: string): string {
    let id = wanted ?? `${prefix}-${hex(this.idRand, 17)}`;
    if (wanted !== undefined && this.usedIds.has(wanted)) throw new Error(`ID ${wanted} is already in use`);
    while (this.usedIds.has(id)) id = `${prefix}-${hex(this.idRand, 17)}`;
    this.usedIds.add(id);
    return id;
  }

  private subnetFor(vpcId: string, availabilityZone: string): string {
    const key = `${vpcId}/${availabilityZone}`;
    const existing = this.subnets.get(key);
    if (existing) return existing;
    const subnetId = this.claimId('subnet');
    this.subnets.set(key, subnetId);
    return subnetId;
  }

  private allocateIp(vpc: VpcRecord): string {
    const [base] = vpc.cidr.split('/');
    return intToIpv4(ipv4ToInt(base.split('.').map(Number)) + vpc.nextHost++);
  }

  private attachedEnis(instanceId: string): EniRecord[] {
    return [...this.enis.values()]
      .filter((e) => e.attachment?.instanceId === instanceId)
      .sort((a, b) => (a.attachment?.deviceIndex ?? 0) - (b.attachment?.deviceIndex ?? 0));
  }

  private requireVpc(vpcId: string): VpcRecord {
    const vpc = this.vpcs.get(vpcId);
    if (!vpc) throw fault('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);
    return vpc;
  }

  private requireInstance(instanceId: string): InstanceRecord {
    const instance = this.instances.get(instanceId);
    if (!instance) throw notFound('i', [instanceId]);
    return instance;
  }

  private requireEni(eniId: string): EniRecord {
    const eni = this.enis.get(eniId);
    if (!eni) throw notFound('eni', [eniId]);
    return eni;
  }

  private requireTable(routeTableId: string): RouteTableRecord {
    const table = this.tables.get(routeTableId);
    if (!table) throw notFound('rtb', [routeTableId]);
    return table;
  }

  private requireTableForCall(routeTableId: string | undefined): RouteTableRecord {
    if (routeTableId === undefined) throw fault('MissingParameter', 'The request must contain the parameter routeTableId');
    return this.requireTable(checkIdFormat('rtb', routeTableId));
  }
}

const isPropagated = (r: RouteRecord): boolean => r.origin === 'EnableVgwRoutePropagation';

/** Static routes are what Replace/Create/DeleteRoute act on; a propagated route with the same prefix is separate. */
const findStaticRoute = (table: RouteTableRecord, destination: RouteDestination): RouteRecord | undefined =>
  table.routes.find((r) => !isPropagated(r) && sameDestination(r.destination, destination));

const checkDryRun = (input: { DryRun?: boolean }): void => {
  if (input.DryRun === true) throw fault('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
};

// ───────────────────────────── SNS validation ─────────────────────────────

const MAX_MESSAGE_BYTES = 262144;

const checkSubject = (subject: string | undefined): void => {
  if (subject === undefined) return;
  // ASCII printable, starting with a letter, digit or punctuation, at most 100 characters, no line breaks.
  if (!/^[\x21-\x7e][\x20-\x7e]{0,99}$/.test(subject)) throw fault('InvalidParameter', 'Invalid parameter: Subject');
};

const checkMessage = (input: PublishInput): void => {
  if (typeof input.Message !== 'string' || input.Message.length === 0) throw fault('InvalidParameter', 'Invalid parameter: Empty message');
  if (input.MessageStructure !== undefined) checkMessageStructure(input.MessageStructure, input.Message);
  const attributes = Object.entries(input.MessageAttributes ?? {});
  if (attributes.length > 10) {
    throw fault('InvalidParameter', `Invalid parameter: MessageAttributes Reason: Number of message attributes [${attributes.length}] exceeds the allowed maximum [10].`);
  }
  const attributeBytes = attributes.reduce((sum, [name, value]) => sum + checkAttribute(name, value), 0);
  if (Buffer.byteLength(input.Message, 'utf8') + attributeBytes > MAX_MESSAGE_BYTES) {
    throw fault('InvalidParameter', 'Invalid parameter: Message too long');
  }
};

const checkMessageStructure = (structure: string, message: string): void => {
  if (structure !== 'json') throw fault('InvalidParameter', 'Invalid parameter: MessageStructure');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw fault('InvalidParameter', 'Invalid parameter: Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || typeof (parsed as Record<string, unknown>).default !== 'string') {
    throw fault('InvalidParameter', "Invalid parameter: Message Structure - No default entry in JSON message body");
  }
};

/** Validates one message attribute; returns the bytes it adds to the message size. */
const checkAttribute = (name: string, value: MessageAttributeValue): number => {
  const badName = !/^[A-Za-z0-9_.-]{1,256}$/.test(name) || /^(aws\.|amazon\.)/i.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..');
  if (badName) throw fault('InvalidParameter', `Invalid parameter: MessageAttributes Reason: Invalid attribute name '${name}'`);
  const type = value?.DataType ?? '';
  const base = type.split('.')[0];
  if (!['String', 'Number', 'Binary'].includes(base)) {
    throw fault('InvalidParameter', `Invalid parameter: MessageAttributes Reason: The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
  }
  if (base === 'Binary') {
    if (!value.BinaryValue || value.BinaryValue.length === 0) throw emptyAttribute(name, type);
    return name.length + type.length + value.BinaryValue.length;
  }
  if (value.StringValue === undefined || value.StringValue === '') throw emptyAttribute(name, type);
  if (base === 'Number' && !Number.isFinite(Number(value.StringValue))) {
    throw fault('InvalidParameter', `Invalid parameter: MessageAttributes Reason: Could not cast message attribute '${name}' value to number.`);
  }
  return name.length + type.length + Buffer.byteLength(value.StringValue, 'utf8');
};

const emptyAttribute = (name: string, type: string): SimFault =>
  fault('InvalidParameter', `Invalid parameter: MessageAttributes Reason: The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);

// ───────────────────────────── SDK clients ─────────────────────────────

// Static and fake: the simulated clients never sign or send a request.
const SIMULATED_CREDENTIALS = { accessKeyId: 'AKIASIMULATEDVPC0000', secretAccessKey: 'simulated-vpc-not-a-secret' };

/**
 * Just enough of the SDK's Command type to infer a command's output type from `send(command)` without
 * importing @smithy/types, which is not a direct dependency.
 */
interface CommandOf<Output> {
  readonly input: object;
  resolveMiddleware(...args: never[]): (args: never) => Promise<{ output: Output }>;
}

type Callback = (err: unknown, data?: unknown) => void;

const EC2_ACTIONS: Array<[abstract new (...args: never[]) => object, string]> = [
  [DescribeRouteTablesCommand, 'DescribeRouteTables'],
  [ReplaceRouteCommand, 'ReplaceRoute'],
  [CreateRouteCommand, 'CreateRoute'],
  [DeleteRouteCommand, 'DeleteRoute'],
  [DescribeInstancesCommand, 'DescribeInstances'],
  [DescribeInstanceStatusCommand, 'DescribeInstanceStatus'],
  [DescribeNetworkInterfacesCommand, 'DescribeNetworkInterfaces'],
];
const SNS_ACTIONS: Array<[abstract new (...args: never[]) => object, string]> = [[PublishCommand, 'Publish']];

/** The action name of a command; an unknown command keeps its class name so the error names it. */
const actionOf = (command: object, table: Array<[abstract new (...args: never[]) => object, string]>): string =>
  table.find(([Ctor]) => command instanceof Ctor)?.[1] ?? command.constructor.name.replace(/Command$/, '');

/** The abortSignal of `send`'s options argument, if any. */
const sendOptions = (optionsOrCb: unknown): { abortSignal?: AbortSignal } => {
  const o = typeof optionsOrCb === 'object' && optionsOrCb !== null ? (optionsOrCb as { abortSignal?: AbortSignal }) : {};
  return { abortSignal: o.abortSignal };
};

/** Settles a promise the way `send` does: returned, or handed to a Node-style callback. */
const settle = (result: Promise<unknown>, optionsOrCb?: unknown, cb?: unknown): Promise<unknown> | void => {
  const callback = (typeof optionsOrCb === 'function' ? optionsOrCb : cb) as Callback | undefined;
  if (!callback) return result;
  result.then((data) => callback(null, data), (err) => callback(err));
};

/** An EC2Client whose `send` is served by a SimulatedVpc. */
export class SimulatedEc2Client extends EC2Client {
  readonly #sim: SimulatedVpc;

  constructor(sim: SimulatedVpc) {
    super({ region: sim.region, credentials: SIMULATED_CREDENTIALS, maxAttempts: 1 });
    this.#sim = sim;
  }

  override send<Output extends Ec2Output>(command: CommandOf<Output> & { readonly input: Ec2Input }, optionsOrCb?: unknown, cb?: unknown): Promise<Output>;
  override send(command: { readonly input: object }, optionsOrCb?: unknown, cb?: unknown): Promise<unknown> | void {
    return settle(this.#sim.invoke('ec2', actionOf(command, EC2_ACTIONS), command.input, sendOptions(optionsOrCb)), optionsOrCb, cb);
  }
}

/** An SNSClient whose `send` is served by a SimulatedVpc. */
export class SimulatedSnsClient extends SNSClient {
  readonly #sim: SimulatedVpc;

  constructor(sim: SimulatedVpc) {
    super({ region: sim.region, credentials: SIMULATED_CREDENTIALS, maxAttempts: 1 });
    this.#sim = sim;
  }

  override send<Output extends SnsOutput>(command: CommandOf<Output> & { readonly input: SnsInput }, optionsOrCb?: unknown, cb?: unknown): Promise<Output>;
  override send(command: { readonly input: object }, optionsOrCb?: unknown, cb?: unknown): Promise<unknown> | void {
    return settle(this.#sim.invoke('sns', actionOf(command, SNS_ACTIONS), command.input, sendOptions(optionsOrCb)), optionsOrCb, cb);
  }
}

/** EC2 reports LaunchTime to the second. */
const wholeSecond = (): Date => new Date(Math.floor(Date.now() / 1000) * 1000);
