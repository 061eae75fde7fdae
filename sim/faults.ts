/**
 * Service errors as EC2 and SNS answer them (codes, HTTP statuses, messages, the SDK exception shapes), and
 * the faults a test injects: errors, hangs, and endpoints that ignore DryRun.
 */
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import {
  AuthorizationErrorException,
  InternalErrorException,
  InvalidParameterException,
  NotFoundException,
  SNSServiceException,
  ThrottledException,
} from '@aws-sdk/client-sns';
import { hex, mulberry32, uuid } from './random';
import type { CommandInput, Service } from './types';

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
  /**
   * Service error code: 'RequestLimitExceeded', 'InternalError', 'Unavailable', 'UnauthorizedOperation', 'Throttled'…
   */
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

// ───────────────────────────── errors ─────────────────────────────

/** A service error before it is dressed as the SDK exception of the service that raised it. */
export class SimFault extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const fault = (code: string, message: string, status = 400): SimFault => new SimFault(code, message, status);

export const EC2_FAULT_DEFAULTS: Record<string, { status: number; message: string }> = {
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
  AuthorizationError: {
    status: 403,
    message: 'User is not authorized to perform: SNS:Publish',
    ctor: AuthorizationErrorException,
  },
  NotFound: { status: 404, message: 'Topic does not exist', ctor: NotFoundException },
  InvalidParameter: { status: 400, message: 'Invalid parameter', ctor: InvalidParameterException },
};
type SnsExceptionCtor = new (opts: { $metadata: ResponseMetadata; message: string }) => SNSServiceException;

export interface ResponseMetadata {
  httpStatusCode: number;
  requestId: string;
  attempts: number;
  totalRetryDelay: number;
}

/** SNS codes may be given either way ('Throttled' or 'ThrottledException'). */
const snsCode = (code: string): string => code.replace(/Exception$/, '');

export const faultDefaults = (service: Service, code: string): { status: number; message: string } =>
  (service === 'ec2' ? EC2_FAULT_DEFAULTS[code] : SNS_FAULT_DEFAULTS[snsCode(code)]) ?? {
    status: 400,
    message: `Simulated ${code}`,
  };

// The SDK's query protocols set $fault from the HTTP status, so a 503 throttle is a 'server' fault.
const faultSide = (status: number): 'client' | 'server' => (status < 500 ? 'client' : 'server');

export const toEc2Exception = (f: SimFault, $metadata: ResponseMetadata): EC2ServiceException =>
  new EC2ServiceException({ name: f.code, $fault: faultSide(f.httpStatusCode), $metadata, message: f.message });

export const toSnsException = (f: SimFault, $metadata: ResponseMetadata): SNSServiceException => {
  const code = snsCode(f.code);
  const Ctor = SNS_FAULT_DEFAULTS[code]?.ctor;
  const error = Ctor
    ? new Ctor({ $metadata, message: f.message })
    : new SNSServiceException({ name: f.code, $fault: faultSide(f.httpStatusCode), $metadata, message: f.message });
  // The awsQuery deserializer also copies the wire error's Type and Code onto the exception.
  const Type = f.httpStatusCode < 500 ? 'Sender' : 'Receiver';
  return Object.assign(error, { Type, Code: code, Error: { Type, Code: code, Message: f.message } });
};

type ArmedFault = FaultSpec & { id: string; fired: number };

/** The injected faults of one simulator, with their own seeded dice. */
export class FaultInjector {
  private faults: ArmedFault[] = [];

  constructor(
    private readonly faultRand: () => number,
    private readonly idRand: () => number,
    private readonly requestRand: () => number,
  ) {}

  /** Arms a fault after checking it is exactly one kind; returns its ID. */
  inject(spec: FaultSpec): string {
    const kinds = [spec.code !== undefined, spec.hang === true, spec.ignoreDryRun === true].filter(Boolean).length;
    if (kinds !== 1) throw new Error('a fault is exactly one of: an error code, hang, ignoreDryRun');
    if (spec.encodedAuthorizationMessage !== undefined && spec.code !== 'UnauthorizedOperation') {
      throw new Error('encodedAuthorizationMessage applies to UnauthorizedOperation only');
    }
    if (spec.probability !== undefined && !(spec.probability >= 0 && spec.probability <= 1))
      throw new Error('probability must be within [0, 1]');
    if (spec.times !== undefined && !(Number.isInteger(spec.times) && spec.times >= 1))
      throw new Error('times must be a positive integer');
    const id = `fault-${this.faults.length + 1}-${hex(this.idRand, 6)}`;
    this.faults.push({ ...spec, id, fired: 0 });
    return id;
  }

  remove(id: string): void {
    this.faults = this.faults.filter((f) => f.id !== id);
  }

  clear(): void {
    this.faults = [];
  }

  private isCandidate(f: ArmedFault, action: string, input: CommandInput): boolean {
    if (f.action !== action && f.action !== '*') return false;
    if (f.times !== undefined && f.fired >= f.times) return false;
    if (f.when && !f.when(input)) return false;
    // Draw only for candidate calls, so unrelated traffic does not shift the dice.
    return f.probability === undefined || this.faultRand() < f.probability;
  }

  /** Fails (or hangs) the call when an armed error or hang fault of this phase takes it. */
  async fire(
    service: Service,
    action: string,
    input: CommandInput,
    phase: 'before' | 'after',
    signal?: AbortSignal,
  ): Promise<void> {
    for (const f of this.faults) {
      if (f.ignoreDryRun || (f.phase ?? 'before') !== phase || !this.isCandidate(f, action, input)) continue;
      f.fired++;
      if (f.hang) return hangUntilAborted(signal);
      const code = f.code ?? 'InternalError';
      const defaults = faultDefaults(service, code);
      const bytes =
        f.encodedAuthorizationMessage === true ? ENCODED_AUTHORIZATION_MESSAGE_BYTES : f.encodedAuthorizationMessage;
      // Its own stream per call: the encoded part differs from call to call and draws no fault dice.
      const message = bytes
        ? unauthorizedOperationMessage(bytes, mulberry32(hashText(f.id) ^ f.fired))
        : (f.message ?? defaults.message);
      throw fault(code, message, f.httpStatusCode ?? defaults.status);
    }
  }

  /** The input the action is served with: DryRun dropped when an ignoreDryRun fault takes the call. */
  servedInput(action: string, input: CommandInput): CommandInput {
    if (input.DryRun !== true) return input;
    const f = this.faults.find((x) => x.ignoreDryRun && this.isCandidate(x, action, input));
    if (!f) return input;
    f.fired++;
    return { ...input, DryRun: false };
  }

  /** A SimFault dressed as the SDK exception of its service; anything else unchanged. */
  toServiceError(service: Service, e: unknown): unknown {
    if (!(e instanceof SimFault)) return e;
    const $metadata = this.metadata(e.httpStatusCode);
    return service === 'ec2' ? toEc2Exception(e, $metadata) : toSnsException(e, $metadata);
  }

  metadata(httpStatusCode: number): ResponseMetadata {
    return { httpStatusCode, requestId: uuid(this.requestRand), attempts: 1, totalRetryDelay: 0 };
  }
}
