// The router's upstream leg for one downstream request: host choice, attempts, retries with
// back-off, per-try and global timeouts, and moving the response body to the client
// (streamed with backpressure, or buffered for filters that read it).
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { HeaderMap } from '../../sdk/headers.js';
import type { RawHeaders } from '../../sdk/headers.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Host } from '../cluster/host.js';
import { UpstreamAttempt } from './upstream-attempt.js';
import type { AttemptOwner } from './upstream-attempt.js';
import { classifyError, connectFailureReply, failureReply, NO_HEALTHY_UPSTREAM, OVERFLOW } from './upstream-errors.js';
import { responseTrailers } from './grpc.js';
import type { FailureKind, FailureReply } from './upstream-errors.js';
import { backOffMs, isIdempotent, retriesFailure, retriesStatus } from './retry-policy.js';
import { stripHopByHop } from './request-headers.js';
import type { RouteRuntime } from './route-runtime.js';
import { applyHeaderMutations } from '../router/route-table.js';
import type { ForwardingRoute } from '../router/route-table.js';
import type { HttpStream } from './http-stream.js';

const ABANDONED = new Error('attempt abandoned');
const TIMED_OUT = Object.assign(new Error('upstream request timeout'), { code: 'UND_ERR_HEADERS_TIMEOUT' });

export class UpstreamRequest implements AttemptOwner {
  private attempt: UpstreamAttempt | null = null;
  private tried: Set<Host> | null = null;
  private retries = 0;
  private retryActive = false;
  /** performance.now() when the current try was dispatched (upstream_rq_time). */
  private tryStart = 0;
  private globalTimer: NodeJS.Timeout | null = null;
  private tryTimer: NodeJS.Timeout | null = null;
  private backOffTimer: NodeJS.Timeout | null = null;
  private finished = false;
  /** Response headers went to the stream: no retry is possible any more. */
  private responseStarted = false;
  // Body delivery: chunks that arrived before the stream committed the response head.
  private pending: Buffer[] | null = null;
  private ended = false;
  /** What the response ends with (the upstream's trailers, or a trailers-only gRPC status), once ended. */
  private trailers: IncomingHttpHeaders | null = null;
  private sink: ServerResponse | null = null;
  private buffering: { limit: number; size: number; chunks: Buffer[]; done: (b: Buffer | null) => void } | null = null;
  /** Created only when the client applies backpressure. */
  private onDrain: (() => void) | null = null;

  constructor(
    private readonly stream: HttpStream,
    private readonly route: ForwardingRoute,
    private readonly rt: RouteRuntime,
    private readonly cluster: Cluster,
    private readonly path: string,
    private readonly headers: RawHeaders,
    /** A Buffer can be sent again; a stream only once. */
    private readonly body: Buffer | Readable | null,
  ) {}

  start(): void {
    if (!this.cluster.breaker.tryStartRequest()) {
      this.cluster.stats.upstream_rq_pending_overflow.inc();
      this.finished = true; // nothing was started, so nothing to release
      this.reply(OVERFLOW);
      return;
    }
    // "te: trailers" is end-to-end (gRPC needs it); any other te is hop-by-hop.
    const te = this.headers['te'];
    stripHopByHop(this.headers);
    if (te === 'trailers') this.headers['te'] = te;
    if (this.rt.timeoutMs > 0) this.globalTimer = setTimeout(globalTimeout, this.rt.timeoutMs, this);
    this.dispatch();
  }

  /** The downstream went away, or a filter replied locally: stop everything. */
  cancel(): void {
    if (this.finished) return;
    this.abandonAttempt();
    this.finish();
  }

  /** The stream committed the response head: send the body as it comes. */
  pipeTo(res: ServerResponse): void {
    this.sink = res;
    const pending = this.pending;
    this.pending = null;
    if (pending !== null) for (const c of pending) this.write(c);
    if (this.ended) this.endSink();
  }

  /** A filter needs the whole response body: collect it, at most `limit` bytes. */
  bufferBody(limit: number, done: (body: Buffer | null) => void): void {
    const chunks = this.pending ?? [];
    this.pending = null;
    let size = 0;
    for (const c of chunks) size += c.length;
    if (size > limit) {
      this.cancel();
      done(null);
      return;
    }
    if (this.ended) {
      done(Buffer.concat(chunks, size));
      return;
    }
    this.buffering = { limit, size, chunks, done };
  }

  // ---- attempts ----
  private dispatch(): void {
    const host = this.cluster.chooseHost(this.route.hashKey(this.stream), this.tried);
    if (host === null) {
      this.fail(NO_HEALTHY_UPSTREAM);
      return;
    }
    const attempt = new UpstreamAttempt(this, host);
    if (this.cluster.breaker.wouldQueue(host)) {
      // Every connection to the host is busy: the request waits in its pool, within max_pending_requests.
      if (!this.cluster.breaker.tryStartPending()) {
        this.cluster.stats.upstream_rq_pending_overflow.inc();
        this.fail(OVERFLOW);
        return;
      }
      this.cluster.stats.upstream_rq_pending_total.inc();
      attempt.pending = true;
    }
    this.attempt = attempt;
    this.stream.upstreamHost = host.hostname;
    this.cluster.requestStarted(host);
    const perTry = this.rt.retry?.perTryTimeoutMs ?? 0;
    if (perTry > 0) this.tryTimer = setTimeout(tryTimeout, perTry, this);
    this.tryStart = performance.now();
    host.pool.dispatch(
      {
        path: this.path,
        method: this.stream.method as 'GET',
        headers: this.headers as IncomingHttpHeaders,
        body: this.body,
        headersTimeout: 0,
        bodyTimeout: this.rt.idleTimeoutMs,
      },
      attempt,
    );
  }

  attemptConnected(a: UpstreamAttempt): void {
    this.endPending(a);
  }

  private endPending(a: UpstreamAttempt): void {
    if (!a.pending) return;
    a.pending = false;
    this.cluster.breaker.finishPending();
  }

  attemptHeaders(a: UpstreamAttempt, status: number, headers: RawHeaders): void {
    if (a !== this.attempt) return;
    this.countResponse(status);
    this.cluster.reportResult(a.host, status);
    const policy = this.rt.retry;
    if (policy !== null && retriesStatus(policy, status)) {
      if (this.mayRetry(false)) {
        this.abandonAttempt();
        this.scheduleRetry();
        return;
      }
      if (this.retries > 0) this.stream.addResponseFlag('URX');
    }
    this.responseStarted = true;
    this.cluster.stats.upstream_rq_completed.inc();
    if (this.route.responseHeaderMutation.length > 0) applyHeaderMutations(headers, this.route.responseHeaderMutation);
    this.stream.beginResponse(status, new HeaderMap(headers));
  }

  /** Every response from a host, retried or not: the cluster's and the named route's code and time stats. */
  private countResponse(status: number): void {
    const ms = performance.now() - this.tryStart;
    const cs = this.cluster.stats;
    cs.upstream_rq.count(status);
    cs.upstream_rq_time.record(ms);
    const rs = this.rt.stats;
    if (rs !== null) {
      rs.upstream_rq.count(status);
      rs.upstream_rq_time.record(ms);
    }
  }

  attemptData(a: UpstreamAttempt, chunk: Buffer): void {
    if (a !== this.attempt) return;
    if (this.sink !== null) {
      this.write(chunk);
      return;
    }
    const b = this.buffering;
    if (b !== null) {
      b.size += chunk.length;
      if (b.size > b.limit) {
        this.buffering = null;
        this.cancel();
        b.done(null);
        return;
      }
      b.chunks.push(chunk);
      return;
    }
    (this.pending ??= []).push(chunk);
  }

  attemptEnd(a: UpstreamAttempt, trailers: IncomingHttpHeaders | null): void {
    if (a !== this.attempt) return;
    this.ended = true;
    this.trailers = responseTrailers(trailers, this.stream.responseHeaders?.raw);
    this.releaseAttempt();
    const b = this.buffering;
    this.finish();
    if (this.sink !== null) this.endSink();
    else if (b !== null) {
      this.buffering = null;
      b.done(Buffer.concat(b.chunks, b.size));
    }
  }

  attemptError(a: UpstreamAttempt, err: Error): void {
    if (a !== this.attempt) return;
    this.failAttempt(a.timedOut ? 'timeout' : classifyError(err), err);
  }

  private failAttempt(kind: FailureKind, err: Error | null): void {
    const a = this.attempt!;
    this.releaseAttempt();
    if (!this.responseStarted) this.cluster.reportResult(a.host, kind);
    if (kind === 'connect') this.cluster.stats.upstream_cx_connect_fail.inc();
    if (kind === 'timeout') this.cluster.stats.upstream_rq_per_try_timeout.inc();
    if (this.responseStarted) {
      // The client already has the head of the response: all we can do is cut it.
      this.stream.addResponseFlag(kind === 'timeout' ? 'UT' : 'UR');
      this.stream.log.debug({ err, request_id: this.stream.requestId }, 'upstream failed mid-response');
      this.finish();
      this.stream.resetDownstream();
      return;
    }
    const policy = this.rt.retry;
    if (policy !== null && retriesFailure(policy, kind) && this.mayRetry(kind === 'connect')) {
      this.scheduleRetry();
      return;
    }
    if (this.retries > 0 && policy !== null && retriesFailure(policy, kind)) this.stream.addResponseFlag('URX');
    this.stream.log.debug({ err, host: (a.host).hostname, request_id: this.stream.requestId }, 'upstream attempt failed');
    this.fail(kind === 'connect' ? connectFailureReply(err) : failureReply(kind));
  }

  /** Retries left, the request is safe to resend, and the breaker allows another retry. */
  private mayRetry(noByteReached: boolean): boolean {
    const policy = this.rt.retry!;
    if (this.retries >= policy.numRetries) return false;
    if (this.body !== null && !Buffer.isBuffer(this.body)) return false;
    if (!noByteReached && !isIdempotent(this.stream.method)) return false;
    if (!this.retryActive && !this.cluster.breaker.tryStartRetry()) {
      this.cluster.stats.upstream_rq_retry_overflow.inc();
      return false;
    }
    this.retryActive = true;
    return true;
  }

  private scheduleRetry(): void {
    const policy = this.rt.retry!;
    if (policy.avoidPreviousHosts) (this.tried ??= new Set()).add(this.attempt!.host);
    this.attempt = null;
    this.cluster.stats.upstream_rq_retry.inc();
    const wait = backOffMs(policy, this.retries);
    this.retries++;
    this.backOffTimer = setTimeout(backOffDone, wait, this);
  }

  /** Timer callbacks (called by the module-level functions below). */
  onBackOff(): void {
    this.backOffTimer = null;
    if (!this.finished) this.dispatch();
  }


  onTryTimeout(): void {
    this.tryTimer = null;
    const a = this.attempt;
    if (a === null || this.finished) return;
    a.timedOut = true;
    a.abandoned = true;
    a.abort(TIMED_OUT);
    this.failAttempt('timeout', null);
  }


  onGlobalTimeout(): void {
    this.globalTimer = null;
    if (this.finished) return;
    this.stream.addResponseFlag('UT');
    this.cluster.stats.upstream_rq_timeout.inc();
    if (this.attempt !== null && !this.responseStarted) this.cluster.reportResult(this.attempt.host, 'timeout');
    this.abandonAttempt();
    if (this.responseStarted) {
      this.finish();
      this.stream.resetDownstream();
      return;
    }
    this.fail(failureReply('timeout'));
  }


  // ---- endings ----
  private fail(r: FailureReply): void {
    this.finish();
    this.reply(r);
  }

  private reply(r: FailureReply): void {
    this.stream.sendLocalReply(r.status, r.body, undefined, { responseFlag: r.flag, details: r.details });
  }

  private write(chunk: Buffer): void {
    const res = this.sink!;
    if (res.destroyed) return;
    this.stream.bytesSent += chunk.length;
    if (!res.write(chunk)) {
      this.attempt?.pause();
      res.once('drain', (this.onDrain ??= () => this.attempt?.resume()));
    }
  }

  private endSink(): void {
    const res = this.sink!;
    if (res.destroyed) return;
    if (this.trailers !== null) res.addTrailers(this.trailers as Record<string, string>);
    res.end();
  }

  private abandonAttempt(): void {
    const a = this.attempt;
    if (a === null) return;
    a.abandoned = true;
    a.abort(ABANDONED);
    this.releaseAttempt();
  }

  /** The attempt no longer counts against its host (it ended, failed or was abandoned). */
  private releaseAttempt(): void {
    const a = this.attempt;
    if (a === null || a.released) return;
    a.released = true;
    this.endPending(a);
    if (this.tryTimer !== null) {
      clearTimeout(this.tryTimer);
      this.tryTimer = null;
    }
    this.cluster.requestFinished(a.host);
  }

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    if (this.globalTimer !== null) clearTimeout(this.globalTimer);
    if (this.tryTimer !== null) clearTimeout(this.tryTimer);
    if (this.backOffTimer !== null) clearTimeout(this.backOffTimer);
    this.globalTimer = this.tryTimer = this.backOffTimer = null;
    if (this.retryActive) this.cluster.breaker.finishRetry();
    this.cluster.breaker.finishRequest();
  }
}

// Timer callbacks take the request as an argument, so that no closure is made per request.
function globalTimeout(r: UpstreamRequest): void {
  r.onGlobalTimeout();
}
function tryTimeout(r: UpstreamRequest): void {
  r.onTryTimeout();
}
function backOffDone(r: UpstreamRequest): void {
  r.onBackOff();
}
