import * as net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Why a TCP connect failed: a refusal (RST: host up, port closed), no answer in time (blackholed, filtered,
 * host hung), no route to the host, or anything else. */
export type ProbeFailureKind = 'refused' | 'timeout' | 'unreachable' | 'error';

export interface ProbeResult {
  ok: boolean;
  /** Time to connect, or to the failure (the timeout itself for a blackholed port). */
  latencyMs: number;
  failure?: ProbeFailureKind;
  /** One line a person can read, e.g. "timeout: no answer within 1000 ms". */
  error?: string;
}

/** What tcpProbe needs of a socket: net.Socket, or a fake in tests. */
export interface SocketLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  destroy(): unknown;
}

export interface TcpProbeDeps {
  /** Opens the connection; net.connect by default. Tests inject one that never connects (a blackhole). */
  connect?: (opts: { host: string; port: number }) => SocketLike;
  /** Monotonic milliseconds; performance.now by default. */
  now?: () => number;
}

const REFUSED = new Set(['ECONNREFUSED']);
const TIMED_OUT = new Set(['ETIMEDOUT']);
const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN']);

/**
 * Opens a TCP connection to address:port and closes it at once: ok when the handshake completes within
 * timeoutMs. Never rejects; the socket is destroyed whatever happens (connect, error, timeout).
 */
export const tcpProbe = (
  address: string,
  port: number,
  timeoutMs: number,
  deps: TcpProbeDeps = {},
): Promise<ProbeResult> => {
  const connect = deps.connect ?? ((o: { host: string; port: number }) => net.connect(o));
  const clock = deps.now ?? (() => performance.now());
  const started = clock();
  return new Promise<ProbeResult>((resolve) => {
    let socket: SocketLike | undefined;
    let settled = false;
    const finish = (r: Omit<ProbeResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket?.destroy();
      resolve({ ...r, latencyMs: Math.round((clock() - started) * 10) / 10 });
    };
    // net.connect has no connect timeout of its own (the kernel's SYN retries take minutes): this timer is it.
    const timer = setTimeout(
      () => finish({ ok: false, failure: 'timeout', error: `timeout: no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
    try {
      socket = connect({ host: address, port });
    } catch (err) {
      finish(classify(err));
      return;
    }
    socket.on('connect', () => finish({ ok: true }));
    // `on`, not `once`: an 'error' event without a listener would crash the process.
    socket.on('error', (err: unknown) => finish(classify(err)));
  });
};

const classify = (err: unknown): Omit<ProbeResult, 'latencyMs'> => {
  const code = (err as { code?: string })?.code ?? 'UNKNOWN';
  const message = (err as Error)?.message ?? String(err);
  if (REFUSED.has(code)) return { ok: false, failure: 'refused', error: `refused: ${message}` };
  if (TIMED_OUT.has(code)) return { ok: false, failure: 'timeout', error: `timeout: ${message}` };
  if (UNREACHABLE.has(code)) return { ok: false, failure: 'unreachable', error: `unreachable: ${message}` };
  return { ok: false, failure: 'error', error: `error: ${message}` };
};
