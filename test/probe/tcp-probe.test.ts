import { EventEmitter } from 'node:events';
import * as net from 'node:net';
import { type SocketLike, tcpProbe } from '../../functions/probe/tcp-probe';

/** TCP probes against real loopback listeners (up, refused) and injected sockets (blackhole, other errors). */

const listen = async (): Promise<{ server: net.Server; port: number; accepted: () => number }> => {
  let accepted = 0;
  const server = net.createServer((socket) => {
    accepted++;
    socket.on('error', () => undefined);
    socket.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as net.AddressInfo).port, accepted: () => accepted };
};

const close = (server: net.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

/** A port that was just listening and is now closed: connecting to it is refused (RST). */
const closedPort = async (): Promise<number> => {
  const { server, port } = await listen();
  await close(server);
  return port;
};

/** Wraps net.connect so the test can see the socket tcpProbe opened. */
const recordingConnect = () => {
  const sockets: net.Socket[] = [];
  const connect = (o: { host: string; port: number }) => {
    const s = net.connect(o);
    sockets.push(s);
    return s;
  };
  return { sockets, connect };
};

/** A socket whose connect never completes (a blackholed address), counting destroy() calls. */
class HangingSocket extends EventEmitter implements SocketLike {
  destroyed = 0;
  destroy() {
    this.destroyed++;
    return this;
  }
}

describe('tcpProbe', () => {
  let servers: net.Server[];
  beforeEach(() => {
    servers = [];
  });
  afterEach(async () => {
    await Promise.all(servers.map(close));
  });

  it('a listening port: ok, with a latency, and the socket is destroyed', async () => {
    const up = await listen();
    servers.push(up.server);
    const { sockets, connect } = recordingConnect();

    const r = await tcpProbe('127.0.0.1', up.port, 1000, { connect });

    expect(r).toEqual({ ok: true, latencyMs: expect.any(Number) });
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect(r.latencyMs).toBeLessThan(1000);
    expect(sockets).toHaveLength(1);
    expect(sockets[0].destroyed).toBe(true);
  });

  it('uses a real net.connect by default', async () => {
    const up = await listen();
    servers.push(up.server);
    await expect(tcpProbe('127.0.0.1', up.port, 1000)).resolves.toMatchObject({ ok: true });
    // The listener saw the connection: the probe really connected.
    for (let i = 0; i < 50 && up.accepted() === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(up.accepted()).toBe(1);
  });

  it('a closed port: refused (not a timeout), quickly, and the socket is destroyed', async () => {
    const port = await closedPort();
    const { sockets, connect } = recordingConnect();

    const r = await tcpProbe('127.0.0.1', port, 1000, { connect });

    expect(r).toMatchObject({
      ok: false,
      failure: 'refused',
      error: expect.stringMatching(/^refused: .*ECONNREFUSED/),
    });
    expect(r.latencyMs).toBeLessThan(1000);
    expect(sockets[0].destroyed).toBe(true);
  });

  it('a blackholed address (connect never completes): timeout after timeoutMs, socket destroyed', async () => {
    const socket = new HangingSocket();
    const started = Date.now();

    const r = await tcpProbe('10.0.1.10', 179, 150, { connect: () => socket });

    expect(r).toMatchObject({ ok: false, failure: 'timeout', error: 'timeout: no answer within 150 ms' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(r.latencyMs).toBeGreaterThanOrEqual(140);
    expect(socket.destroyed).toBe(1);
    // A late event after the timeout changes nothing and does not throw.
    socket.emit('error', Object.assign(new Error('late'), { code: 'ECONNRESET' }));
    socket.emit('connect');
    expect(socket.destroyed).toBe(1);
  });

  it.each([
    ['EHOSTUNREACH', 'unreachable'],
    ['ENETUNREACH', 'unreachable'],
    ['ETIMEDOUT', 'timeout'],
    ['ECONNRESET', 'error'],
  ])('classifies %s as %s', async (code, failure) => {
    const socket = new HangingSocket();
    const pending = tcpProbe('10.0.1.10', 179, 1000, { connect: () => socket });
    socket.emit('error', Object.assign(new Error(`connect ${code} 10.0.1.10:179`), { code }));

    const r = await pending;

    expect(r).toMatchObject({ ok: false, failure, error: `${failure}: connect ${code} 10.0.1.10:179` });
    expect(socket.destroyed).toBe(1);
  });

  it('a connect function that throws is an error result, not a rejection', async () => {
    const r = await tcpProbe('not-an-address', 179, 1000, {
      connect: () => {
        throw Object.assign(new Error('bad address'), { code: 'ERR_INVALID_ADDRESS' });
      },
    });
    expect(r).toMatchObject({ ok: false, failure: 'error', error: 'error: bad address' });
  });

  it('measures latency with the injected clock', async () => {
    const socket = new HangingSocket();
    let t = 1000;
    const pending = tcpProbe('10.0.1.10', 22, 1000, { connect: () => socket, now: () => t });
    t = 1012.34;
    socket.emit('connect');
    await expect(pending).resolves.toEqual({ ok: true, latencyMs: 12.3 });
  });
});
