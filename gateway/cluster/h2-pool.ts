// The HTTP/2 upstream leg of one host (a cluster with http2_protocol_options): one node:http2 session at a
// time (h2 by ALPN over TLS, h2c by prior knowledge without), its streams multiplexed up to the peer's
// SETTINGS_MAX_CONCURRENT_STREAMS and our max_concurrent_streams, the requests beyond that queued. A session
// that is closed, fails or gets GOAWAY is replaced by a new one for the next request.
// It speaks undici's dispatch-handler contract, so the router drives it exactly as it drives an undici Pool
// (undici 7 has h2 and h2c, but runs one non-idempotent or streamed-body request per connection at a
// time and drops HTTP/2 response trailers: no good for gRPC; see docs/decisions.md).
import {
  connect,
  constants,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type IncomingHttpHeaders as Http2Headers,
  type OutgoingHttpHeaders,
} from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Readable } from 'node:stream';
import { Dispatcher } from 'undici';
import type { UpstreamTlsOptions } from './upstream-tls.js';

// undici's adapter from its legacy handler contract (what Dispatcher.request() dispatches, used by http-call)
// to the current one. Not in undici's typed exports, but part of the package we pin.
const WrapHandler = createRequire(import.meta.url)('undici/lib/handler/wrap-handler.js') as {
  wrap(handler: Dispatcher.DispatchHandler): Dispatcher.DispatchHandler;
};

export interface H2PoolOptions {
  connectTimeoutMs: number;
  /** A session with no stream open this long is closed (common_http_protocol_options.idle_timeout). */
  keepAliveTimeoutMs: number;
  /** http2_protocol_options.max_concurrent_streams: our cap, under the peer's. */
  maxConcurrentStreams: number;
  /** TLS options for the host, or null for h2c. */
  tls: UpstreamTlsOptions | null;
}

/** Streams we open before the peer's SETTINGS say how many it takes (RFC 9113 recommends >= 100). */
const STREAMS_BEFORE_SETTINGS = 100;

const POOL_CLOSED = Object.assign(new Error('upstream pool closed'), { code: 'UND_ERR_CLOSED' });

export class H2Pool extends Dispatcher {
  private current: Session | null = null;
  private readonly queue: H2Request[] = [];
  private closing: Promise<void> | null = null;
  /** Every session not yet closed (the current one, and those draining after GOAWAY or replacement). */
  private readonly sessions = new Set<Session>();
  readonly scheme: 'http' | 'https';
  readonly origin: URL;

  constructor(
    /** `address:port` (`[v6]:port`): the :authority when a request has no host header. */
    readonly hostname: string,
    /** The IP and port connected to. */
    readonly address: string,
    readonly port: number,
    readonly options: H2PoolOptions,
  ) {
    super();
    this.scheme = options.tls === null ? 'http' : 'https';
    this.origin = new URL(`${this.scheme}://${hostname}`);
  }

  override dispatch(opts: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    const request = new H2Request(this, opts, WrapHandler.wrap(handler));
    if (this.closing !== null) {
      request.fail(POOL_CLOSED);
      return false;
    }
    this.queue.push(request);
    this.pump();
    return true;
  }

  get closed(): boolean {
    return this.closing !== null;
  }

  get destroyed(): boolean {
    return this.closing !== null && this.sessions.size === 0;
  }

  /** Closes every session once its open streams are done; queued requests fail. Idempotent. */
  override close(): Promise<void>;
  override close(callback: () => void): void;
  override close(callback?: () => void): Promise<void> | void {
    if (this.closing === null) {
      for (const r of this.queue.splice(0)) r.fail(POOL_CLOSED);
      this.current = null;
      this.closing = Promise.all([...this.sessions].map((s) => s.close())).then(() => undefined);
    }
    if (callback === undefined) return this.closing;
    void this.closing.then(callback);
  }

  /** Cuts every session and its streams now. */
  override destroy(): Promise<void>;
  override destroy(err: Error | null): Promise<void>;
  override destroy(callback: () => void): void;
  override destroy(err: Error | null, callback: () => void): void;
  override destroy(a?: Error | null | (() => void), b?: () => void): Promise<void> | void {
    const callback = typeof a === 'function' ? a : b;
    const closed = this.close();
    for (const s of this.sessions) s.session.destroy();
    if (callback === undefined) return closed;
    void closed.then(callback);
  }

  /** Starts queued requests while the current session has room (opening one when there is none). */
  pump(): void {
    while (this.queue.length > 0 && this.closing === null) {
      const s = (this.current ??= this.open());
      if (!s.connected || s.active >= s.limit) return; // 'connect', 'remoteSettings' or a stream's end pumps again
      const r = this.queue.shift()!;
      r.start(s);
    }
  }

  private open(): Session {
    const s = new Session(this);
    this.sessions.add(s);
    return s;
  }

  /** The session can take no new stream (GOAWAY, error, idle close): the next request opens another. */
  retire(s: Session): void {
    if (this.current === s) this.current = null;
  }

  /** The session failed before it connected: the requests waiting for it fail with its error. */
  connectFailed(s: Session, err: Error): void {
    this.retire(s);
    for (const r of this.queue.splice(0)) r.fail(err);
  }

  sessionClosed(s: Session): void {
    this.sessions.delete(s);
    this.retire(s);
    this.pump();
  }
}

const CONNECT_TIMEOUT = 'UND_ERR_CONNECT_TIMEOUT';
const SESSION_CLOSED = Object.assign(new Error('upstream session closed'), { code: 'UND_ERR_SOCKET', name: 'SocketError' });

/** The session's socket: TCP for h2c, TLS offering only h2 otherwise; without Nagle (undici does the same). */
function openSocket(pool: H2Pool, tls: UpstreamTlsOptions | null): Socket {
  const { address: host, port } = pool;
  const socket = tls === null ? netConnect({ host, port }) : tlsConnect({ ...tls, host, port, ALPNProtocols: ['h2'] });
  return socket.setNoDelay(true);
}

/** One ClientHttp2Session and the count of streams open on it. */
class Session {
  readonly session: ClientHttp2Session;
  connected = false;
  active = 0;
  limit: number;
  /** It failed or closed: it takes no new stream. */
  private ended = false;
  private connectTimer: NodeJS.Timeout | null;

  constructor(private readonly pool: H2Pool) {
    const { tls, connectTimeoutMs, keepAliveTimeoutMs, maxConcurrentStreams } = pool.options;
    this.limit = Math.min(STREAMS_BEFORE_SETTINGS, maxConcurrentStreams);
    this.session = connect(pool.origin, { settings: { enablePush: false }, createConnection: () => openSocket(pool, tls) });
    this.connectTimer = setTimeout(() => {
      const err = Object.assign(new Error(`connect timeout after ${connectTimeoutMs} ms`), { code: CONNECT_TIMEOUT });
      this.session.destroy(err);
    }, connectTimeoutMs);
    this.session.once('connect', () => {
      this.clearConnectTimer();
      this.connected = true;
      pool.emit('connect', pool.origin, [pool]); // as undici pools do: the cluster counts connections by these
      this.pool.pump();
    });
    this.session.on('remoteSettings', (settings) => {
      this.limit = Math.min(settings.maxConcurrentStreams ?? STREAMS_BEFORE_SETTINGS, maxConcurrentStreams);
      this.pool.pump();
    });
    this.session.once('goaway', () => this.pool.retire(this));
    this.session.on('error', (err: Error) => this.failed(err));
    this.session.once('close', () => {
      if (this.connected) pool.emit('disconnect', pool.origin, [pool], SESSION_CLOSED);
      this.failed(Object.assign(new Error('upstream connection closed before it was ready'), { code: 'ECONNRESET' }));
      this.pool.sessionClosed(this);
    });
    this.session.setTimeout(keepAliveTimeoutMs, () => {
      if (this.active === 0) this.close();
    });
  }

  /** The session broke: before it connected, the requests waiting for it fail with `err` (once). */
  private failed(err: Error): void {
    this.clearConnectTimer();
    if (this.ended) return;
    this.ended = true;
    if (this.connected) this.pool.retire(this);
    else this.pool.connectFailed(this, err);
  }

  streamClosed(): void {
    this.active--;
    this.pool.pump();
  }

  close(): Promise<void> {
    this.pool.retire(this);
    if (this.session.closed || this.session.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.session.close(resolve));
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }
}

/** One request on its stream, and the controller the dispatch handler drives it with. */
class H2Request implements Dispatcher.DispatchController {
  private stream: ClientHttp2Stream | null = null;
  private session: Session | null = null;
  private done = false;
  private responded = false;
  private _aborted = false;
  private _paused = false;
  private _reason: Error | null = null;
  private trailers: Http2Headers | null = null;

  constructor(
    private readonly pool: H2Pool,
    private readonly opts: Dispatcher.DispatchOptions,
    private readonly handler: Dispatcher.DispatchHandler,
  ) {}

  get aborted(): boolean {
    return this._aborted;
  }
  get paused(): boolean {
    return this._paused;
  }
  get reason(): Error | null {
    return this._reason;
  }

  start(s: Session): void {
    this.handler.onRequestStart?.(this, null);
    if (this.done) return; // aborted while it waited
    const body = this.opts.body as Buffer | string | Readable | null | undefined;
    let stream: ClientHttp2Stream;
    try {
      stream = s.session.request(this.requestHeaders(), { endStream: body == null });
    } catch (err) {
      this.fail(err as Error); // e.g. the session got GOAWAY between pump and here
      return;
    }
    s.active++;
    this.session = s;
    this.stream = stream;
    (stream as TaggedStream)[REQUEST] = this;
    // `on`, not `once`: each of these fires at most once anyway, and `once` wraps every listener in a closure.
    stream.on('response', onResponse);
    stream.on('data', onData);
    stream.on('trailers', onTrailers);
    stream.on('end', onEnd);
    stream.on('error', onStreamError);
    stream.on('close', onClose);
    if (this._paused) stream.pause();
    if (body == null) return;
    if (isReadable(body)) body.pipe(stream);
    else stream.end(body);
  }

  private requestHeaders(): OutgoingHttpHeaders {
    const src = this.opts.headers as Record<string, string | string[] | undefined> | null | undefined;
    const authority = src?.['host'];
    const out: OutgoingHttpHeaders = {
      ':method': this.opts.method,
      ':path': this.opts.path,
      ':scheme': this.pool.scheme,
      ':authority': typeof authority === 'string' ? authority : this.pool.hostname,
    };
    if (src != null)
      for (const name in src) {
        // host became :authority; pseudo-headers of an HTTP/2 downstream are rebuilt above.
        if (name === 'host' || name.charCodeAt(0) === 58) continue;
        const v = src[name];
        if (v !== undefined) out[name] = v;
      }
    return out;
  }

  onResponse(headers: Http2Headers): void {
    if (this.done) return;
    this.responded = true;
    const status = Number(headers[':status']);
    delete headers[':status'];
    const idle = this.opts.bodyTimeout ?? 0;
    if (idle > 0) {
      this.stream!.setTimeout(idle);
      this.stream!.on('timeout', onTimeout);
    }
    // A handler that throws fails its request, not the process (undici does the same).
    try {
      this.handler.onResponseStart?.(this, status, headers as IncomingHttpHeaders, '');
    } catch (err) {
      this.fail(err as Error);
    }
  }

  onData(chunk: Buffer): void {
    if (this.done) return;
    try {
      this.handler.onResponseData?.(this, chunk);
    } catch (err) {
      this.fail(err as Error);
    }
  }

  onTrailers(trailers: Http2Headers): void {
    this.trailers = trailers;
  }

  onEnd(): void {
    if (this.done) return;
    if (!this.responded) {
      this.fail(Object.assign(new Error('upstream stream ended without a response'), { code: 'UND_ERR_SOCKET' }));
      return;
    }
    this.done = true;
    try {
      this.handler.onResponseEnd?.(this, (this.trailers ?? {}) as IncomingHttpHeaders);
    } catch {
      // The stream is done on our side; a throwing handler must not take the process down from an event listener.
    }
  }

  onClose(): void {
    this.session!.streamClosed();
    if (this.done) return;
    const rst = this.stream!.rstCode;
    const code = rst === constants.NGHTTP2_REFUSED_STREAM ? 'ERR_HTTP2_REFUSED_STREAM' : 'UND_ERR_SOCKET';
    this.fail(Object.assign(new Error(`upstream stream reset (HTTP/2 error code ${rst})`), { code }));
  }

  /** Ends the request with `err` (once): the stream is cancelled and the handler told. */
  fail(err: Error): void {
    if (this.done) return;
    this.done = true;
    const body = this.opts.body;
    if (isReadable(body)) body.destroy(); // as undici does with a body it could not send
    const stream = this.stream;
    if (stream !== null && !stream.closed) stream.close(constants.NGHTTP2_CANCEL);
    try {
      this.handler.onResponseError?.(this, err);
    } catch {
      // Nobody is left to tell; a throwing handler must not take the process down from an event listener.
    }
  }

  abort(reason: Error): void {
    if (this._aborted) return;
    this._aborted = true;
    this._reason = reason;
    this.fail(reason);
  }

  pause(): void {
    this._paused = true;
    this.stream?.pause();
  }

  resume(): void {
    if (!this._paused) return;
    this._paused = false;
    this.stream?.resume();
  }
}

function isReadable(body: unknown): body is Readable {
  return body != null && typeof (body as Readable).pipe === 'function';
}

// Stream listeners shared by every request (no closure per request): the stream knows its request.
const REQUEST = Symbol('request');
type TaggedStream = ClientHttp2Stream & { [REQUEST]: H2Request };

function onResponse(this: TaggedStream, headers: Http2Headers): void {
  this[REQUEST].onResponse(headers);
}
function onData(this: TaggedStream, chunk: Buffer): void {
  this[REQUEST].onData(chunk);
}
function onTrailers(this: TaggedStream, trailers: Http2Headers): void {
  this[REQUEST].onTrailers(trailers);
}
function onEnd(this: TaggedStream): void {
  this[REQUEST].onEnd();
}
function onStreamError(this: TaggedStream, err: Error & { cause?: unknown }): void {
  // A stream cut because its session failed carries the session's error (a TLS alert, a reset) as cause.
  this[REQUEST].fail(err.cause instanceof Error ? err.cause : err);
}
function onClose(this: TaggedStream): void {
  this[REQUEST].onClose();
}
function onTimeout(this: TaggedStream): void {
  this[REQUEST].fail(Object.assign(new Error('upstream idle timeout'), { code: 'UND_ERR_BODY_TIMEOUT' }));
}
