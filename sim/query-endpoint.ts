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
import type { Service, SimulatedVpc } from './index';
import {
  EC2_API_VERSION,
  EC2_INPUTS,
  SNS_API_VERSION,
  SNS_INPUTS,
  WireError,
  decode,
  toTree,
  type DecodeContext,
  type Dialect,
  type InShape,
} from './query-input';
import { ec2ErrorResponse, ec2Response, snsErrorResponse, snsResponse } from './query-xml';

export { EC2_API_VERSION, SNS_API_VERSION } from './query-input';
export { escapeXml } from './query-xml';

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

const handle = async (
  sim: SimulatedVpc,
  req: IncomingMessage,
  res: ServerResponse,
  log: EndpointRequest[],
): Promise<void> => {
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
    const xml =
      service === 'sns'
        ? snsErrorResponse(code, message, status, requestId)
        : ec2ErrorResponse(code, message, requestId);
    send(res, status, xml, requestId);
  };

  if (!service)
    return fail(
      'InvalidParameterValue',
      `Unknown API version "${version ?? ''}" and no EC2 or SNS credential scope`,
      400,
    );
  const spec = SERVICES[service];
  if (version !== undefined && version !== spec.version) {
    return fail(
      'InvalidParameterValue',
      `Value (${version}) for parameter Version is invalid. Expecting ${spec.version}.`,
      400,
    );
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
        new WireError(
          service === 'ec2' ? 'InvalidParameterValue' : 'InvalidParameter',
          `Value (${value}) for parameter ${name} is invalid. ${why}`,
        ),
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
    const output = (await sim.invoke(service, action, input, { abortSignal: gone.signal })) as Record<
      string,
      unknown
    > & { $metadata?: { requestId?: string } };
    requestId = output.$metadata?.requestId ?? requestId;
    log.push({ service, action, status: 200 });
    send(
      res,
      200,
      service === 'ec2' ? ec2Response(action, output, requestId) : snsResponse(action, output, requestId),
      requestId,
    );
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
      if (!res.headersSent)
        send(
          res,
          500,
          ec2ErrorResponse('InternalError', String((e as Error)?.message ?? e), randomUUID()),
          randomUUID(),
        );
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
