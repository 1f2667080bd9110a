// The HTTP terminal of a filter chain: takes each connection the listener (and the chain's network
// filters) hand over and serves its requests with the chain's connection manager. HTTP/1.1 is node's
// http server, HTTP/2 node's http2 server (compat API); neither listens, both are fed sockets. The
// codec follows Envoy's codec_type: AUTO picks HTTP/2 when TLS negotiated ALPN "h2", or on plaintext
// when http2_protocol_options is set and the client opens with the HTTP/2 preface (h2c prior knowledge).
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttp2Server } from 'node:http2';
import type { Http2Server, Http2ServerRequest, Http2ServerResponse, ServerHttp2Session } from 'node:http2';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { HttpConnectionManagerConfig } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import type { ConnectionTerminal, DownstreamConnectionInfo } from '../network/connection.js';
import { ConnectionDrain } from '../listener/connection-drain.js';
import { DOWNSTREAM_CONNECTION } from './connection-manager.js';
import type { ConnectionManager } from './connection-manager.js';
import { drainUpgrades, handleUpgrade } from './upgrade.js';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');
const COLON = 0x3a;

type TaggedSocket = Duplex & { [DOWNSTREAM_CONNECTION]?: DownstreamConnectionInfo };

export class HttpConnectionTerminal implements ConnectionTerminal {
  readonly http1: Server;
  private http2: Http2Server | null = null;
  private readonly sessions = new Set<ServerHttp2Session>();
  private readonly connections = new ConnectionDrain();
  private readonly codec: HttpConnectionManagerConfig['codec_type'];
  /** h2c prior knowledge: plaintext connections are sniffed for the HTTP/2 preface. */
  private readonly h2c: boolean;
  private readonly headersTimeoutMs: number;

  constructor(
    private readonly config: HttpConnectionManagerConfig,
    readonly hcm: ConnectionManager,
  ) {
    const requestTimeout = config.request_timeout ? parseDuration(config.request_timeout) : 0;
    this.headersTimeoutMs = parseDuration(config.request_headers_timeout);
    this.http1 = createServer({
      // node requires headersTimeout <= requestTimeout when both are set
      requestTimeout,
      headersTimeout: requestTimeout > 0 ? Math.min(this.headersTimeoutMs, requestTimeout) : this.headersTimeoutMs,
      noDelay: true,
    });
    this.http1.keepAliveTimeout = parseDuration(config.common_http_protocol_options.idle_timeout);
    this.http1.timeout = parseDuration(config.stream_idle_timeout);
    this.http1.on('request', this.onRequest);
    this.http1.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => handleUpgrade(this.hcm, req, socket, head));
    // The server never listens: this starts node's connection tracking (request/headers timeouts, idle close).
    this.http1.emit('listening');
    this.codec = config.codec_type;
    this.h2c = config.codec_type === 'AUTO' && config.http2_protocol_options !== undefined;
  }

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    this.connections.onRequest(req, res);
    this.hcm.handle(req, res);
  };

  accept(socket: Duplex, info: DownstreamConnectionInfo): void {
    if (info.tls !== null) (socket as TaggedSocket)[DOWNSTREAM_CONNECTION] = info;
    if (this.codec === 'HTTP2' || (this.codec === 'AUTO' && info.alpn === 'h2')) this.serveHttp2(socket);
    else if (this.h2c && info.transportProtocol === 'raw_buffer') this.sniffPreface(socket);
    else this.serveHttp1(socket);
  }

  // Sockets arrive paused. node:http reads through a 'data' listener: resume() lets it (and replays what the
  // inspector or the preface sniffer put back). node:http2 reads bytes put back itself (socket.read()), so a
  // resume() would drop them into 'data' events nobody listens to; with none put back it starts the reading.
  private serveHttp1(socket: Duplex): void {
    this.connections.track(socket as Socket);
    this.http1.emit('connection', socket);
    socket.resume();
  }

  private serveHttp2(socket: Duplex): void {
    this.http2 ??= this.createHttp2();
    this.http2.emit('connection', socket);
    if (socket.readableLength === 0) socket.resume();
  }

  /** Reads until the first bytes are, or cannot be, the HTTP/2 connection preface; puts them back. */
  private sniffPreface(socket: Duplex): void {
    let seen: Buffer | null = null;
    const done = (h2: boolean | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      if (h2 === null) {
        socket.destroy();
        return;
      }
      socket.pause();
      socket.unshift(seen!);
      if (h2) this.serveHttp2(socket);
      else this.serveHttp1(socket);
    };
    const onData = (chunk: Buffer): void => {
      seen = seen === null ? chunk : Buffer.concat([seen, chunk]);
      const n = Math.min(seen.length, H2_PREFACE.length);
      if (seen.compare(H2_PREFACE, 0, n, 0, n) !== 0) done(false);
      else if (n === H2_PREFACE.length) done(true);
    };
    const onClose = (): void => done(null);
    const timer = setTimeout(onClose, this.headersTimeoutMs);
    socket.on('data', onData);
    socket.on('close', onClose);
    socket.resume();
  }

  private createHttp2(): Http2Server {
    const maxStreams = this.config.http2_protocol_options?.max_concurrent_streams;
    const server = createHttp2Server(maxStreams === undefined ? {} : { settings: { maxConcurrentStreams: maxStreams } });
    server.setTimeout(parseDuration(this.config.stream_idle_timeout));
    server.on('session', (session: ServerHttp2Session) => {
      this.sessions.add(session);
      session.once('close', () => this.sessions.delete(session));
    });
    server.on('request', this.onHttp2Request);
    return server;
  }

  /**
   * The compat request has the pseudo-headers among its headers. Filters and the upstream get them without
   * (the authority as `host`, as HTTP/1.1 has it; the method and path are on the request): a copy, because
   * the compat request reads its url and method from its own header object. Then it is served like any
   * request: the compat API offers what the connection manager uses of IncomingMessage and ServerResponse.
   */
  private readonly onHttp2Request = (req: Http2ServerRequest, res: Http2ServerResponse): void => {
    const pseudo = req.headers;
    const headers: Record<string, string | string[] | undefined> = {};
    for (const name in pseudo) if (name.charCodeAt(0) !== COLON) headers[name] = pseudo[name];
    const authority = pseudo[':authority'];
    if (headers.host === undefined && authority !== undefined) headers.host = authority;
    Object.defineProperty(req, 'headers', { value: headers, writable: true, configurable: true, enumerable: true });
    this.hcm.handle(req as unknown as IncomingMessage, res as unknown as ServerResponse);
  };

  /** HTTP/1.1: idle connections close, busy ones answer `connection: close`; HTTP/2: GOAWAY, streams finish. Then the deadline cuts. */
  async drain(drainMs: number): Promise<void> {
    drainUpgrades(this.hcm);
    const sessionsDone = Promise.all(
      [...this.sessions].map(
        (s) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => s.destroy(), drainMs);
            timer.unref();
            s.close(() => {
              clearTimeout(timer);
              resolve();
            });
          }),
      ),
    );
    await Promise.all([this.connections.drainAll(drainMs), sessionsDone]);
    // Stops node's connection-tracking timer; the server never listened, so close reports that: ignore it.
    this.http1.close(() => {});
  }
}
