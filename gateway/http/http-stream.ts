// One HTTP request/response exchange on a listener: the FilterStream host that does the I/O with
// node's req/res, hands the request to the router when the filters are done, and writes the
// response (streamed from the upstream, or a buffered/local one).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { FilterStream } from '../../sdk/filter-stream.js';
import type { ResolvedChain } from '../../sdk/filter-stream.js';
import type { FilterStats } from '../../sdk/filter.js';
import type { FilterLogger } from '../../sdk/logger.js';
import { HeaderMap } from '../../sdk/headers.js';
import type { RawHeaders } from '../../sdk/headers.js';
import type { UpstreamRequest } from './upstream-request.js';
import type { ConnectionManager } from './connection-manager.js';
import type { CompiledRoute } from '../router/route-table.js';
import { stripHopByHop } from './request-headers.js';
import { grpcLocalReply, isGrpcRequest } from './grpc.js';
import type { Span } from '../tracing/span.js';

export class HttpStream extends FilterStream {
  readonly startTime = Date.now();
  readonly startHr = performance.now();
  route: CompiledRoute | null;
  upstream: UpstreamRequest | null = null;
  upstreamHost = '';
  bytesSent = 0;
  bytesReceived = 0;
  /** This hop's span, when the connection manager traces. */
  trace: Span | null = null;
  /** Close the downstream connection after this response (its request body was not read). */
  private closeConnection = false;

  constructor(
    readonly hcm: ConnectionManager,
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    headers: RawHeaders,
    chain: ResolvedChain,
    route: CompiledRoute | null,
  ) {
    super(chain, new HeaderMap(headers));
    this.route = route;
    (res as StreamResponse)[STREAM] = this;
    res.once('close', onResponseClose);
  }

  protected get hostLog(): FilterLogger {
    return this.hcm.log;
  }
  protected get hostStats(): FilterStats {
    return this.hcm.filterStats;
  }
  protected get maxRequestBytes(): number {
    return this.hcm.maxRequestBytes;
  }
  protected get maxResponseBytes(): number {
    return this.hcm.maxResponseBytes;
  }
  /** True when the request carries a body (content-length > 0 or chunked; over HTTP/2, a stream the headers did not end). */
  get hasRequestBody(): boolean {
    const h = this.req.headers;
    const cl = h['content-length'];
    if (cl !== undefined) return cl !== '0';
    if (this.req.httpVersionMajor === 2) return !(this.req as unknown as Http2ServerRequest).stream.endAfterHeaders;
    return h['transfer-encoding'] !== undefined;
  }

  protected forwardRequest(): void {
    this.hcm.router.forward(this);
  }

  protected override cancelUpstream(): void {
    this.upstream?.cancel();
  }

  /** Reads the downstream request body, all of it, or null past `limit` bytes. */
  readRequestBody(limit: number, done: (body: Buffer | null) => void): void {
    if (!this.hasRequestBody) {
      done(Buffer.alloc(0));
      return;
    }
    const req = this.req;
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > limit) {
        over = true;
        cleanup();
        this.closeConnection = true;
        req.pause();
        done(null);
        return;
      }
      chunks.push(c);
    };
    const onEnd = (): void => {
      cleanup();
      if (over) return;
      this.bytesReceived = size;
      done(Buffer.concat(chunks, size));
    };
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
    };
    req.on('data', onData);
    req.on('end', onEnd);
  }

  protected readResponseBody(limit: number, done: (body: Buffer | null) => void): void {
    if (this.upstream === null) done(Buffer.alloc(0));
    else this.upstream.bufferBody(limit, done);
  }

  protected commitResponse(): void {
    const res = this.res;
    if (res.headersSent || res.destroyed) return;
    const headers = this.responseHeaders!.raw;
    // HTTP/2 has no connection header (node refuses it); the stream's reset does the job there.
    const closeConnection = this.closeConnection && this.req.httpVersionMajor !== 2;
    if (closeConnection) headers['connection'] = 'close';
    const body = this.responseBody;
    if (body !== null) {
      if (this.localReplied) {
        stripHopByHop(headers);
        if (headers['server'] === undefined) headers['server'] = this.hcm.serverName;
        if (closeConnection) headers['connection'] = 'close';
        if (isGrpcRequest(this.requestHeaders.raw)) {
          this.commitGrpcLocalReply(headers, body);
          return;
        }
      }
      delete headers['transfer-encoding'];
      const status = this.responseStatus;
      if (status === 204 || status === 304) delete headers['content-length'];
      else headers['content-length'] = String(body.length);
      res.writeHead(status, headers as Record<string, string>);
      this.bytesSent = body.length;
      res.end(body);
      return;
    }
    res.writeHead(this.responseStatus, headers as Record<string, string>);
    this.upstream!.pipeTo(res);
  }

  /** A local reply to a gRPC request: HTTP 200 with grpc-status and grpc-message, as Envoy answers. */
  private commitGrpcLocalReply(headers: RawHeaders, body: Buffer): void {
    const trailers = grpcLocalReply(this.responseStatus, body, headers);
    delete headers['transfer-encoding'];
    headers['content-length'] = '0';
    this.responseStatus = 200;
    this.res.writeHead(200, headers as Record<string, string>);
    this.res.addTrailers(trailers);
    this.res.end();
  }

  /** Cut the downstream: the response head went out and the rest cannot follow. */
  resetDownstream(): void {
    this.res.destroy();
  }

  /** The response is done, or its connection went away. */
  closed(): void {
    if (!this.res.writableFinished) {
      this.aborted = true;
      this.addResponseFlag('DC');
      this.upstream?.cancel();
    }
    this.finish();
    this.runLog();
    this.hcm.streamDone(this);
  }
}

// One shared 'close' listener for every response (no closure per request): the response knows its stream.
const STREAM = Symbol('stream');
type StreamResponse = ServerResponse & { [STREAM]?: HttpStream };
function onResponseClose(this: StreamResponse): void {
  this[STREAM]!.closed();
}
