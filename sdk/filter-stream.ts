// The filter chain state machine, shared by the gateway and the test kit so that a filter behaves
// in its unit test exactly as it does behind a listener. A host (the gateway's HTTP stream, or the
// test kit's fake one) extends FilterStream and supplies the I/O: reading bodies, calling upstream,
// writing the response.
import { HeaderMap } from './headers.js';
import type { RawHeaders } from './headers.js';
import type { FilterLogger } from './logger.js';
import type { FilterStats, HttpFilter, LocalReplyDetails, StreamContext } from './filter.js';
import { FilterStatus } from './status.js';
import type { DownstreamConnectionInfo } from './connection-info.js';

/** A filter of the chain as resolved at config load. */
export interface ChainEntry {
  readonly name: string;
  readonly failOpen: boolean;
  readonly create: (ctx: StreamContext) => HttpFilter;
  readonly stats: FilterStats;
  readonly log: FilterLogger;
}

/** The chain resolved for one route: which filters, and whether any of them reads a body. */
export interface ResolvedChain {
  readonly entries: readonly ChainEntry[];
  readonly needsRequestBody: boolean;
  readonly needsResponseBody: boolean;
}

const enum Phase {
  RequestHeaders,
  RequestBody,
  Upstream,
  ResponseHeaders,
  ResponseBody,
  Done,
}

/** Response flag for a filter that threw or rejected (not one of Envoy's; documented in docs/filters.md). */
export const FILTER_FAILED_FLAG = 'FF';

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return v !== null && typeof v === 'object' && typeof (v as PromiseLike<unknown>).then === 'function';
}

export abstract class FilterStream implements StreamContext {
  // StreamContext fields, set by the host before start().
  requestId = '';
  method = 'GET';
  path = '/';
  scheme: 'http' | 'https' = 'http';
  sourceAddress = '';
  sourcePort = 0;
  directRemoteAddress = '';
  destinationPort = 0;
  connection: DownstreamConnectionInfo | null = null;
  requestHeaders: HeaderMap;
  responseHeaders: HeaderMap | undefined = undefined;
  responseStatus = 0;
  routeName: string | undefined = undefined;
  clusterName: string | undefined = undefined;
  /** Response flags for the access log, joined with "," when written. */
  responseFlags: string[] | null = null;
  responseCodeDetails = '';

  /** Buffered bodies, when the chain needs them (or a local reply carries one). */
  requestBody: Buffer | null = null;
  responseBody: Buffer | null = null;
  /** True once a local reply replaced the upstream leg. */
  localReplied = false;
  /** The host sets this when the downstream went away; the chain then stops at the next step. */
  aborted = false;

  protected chain: ResolvedChain;
  protected filters: HttpFilter[];
  private _state: Map<string, unknown> | null = null;
  private phase = Phase.RequestHeaders;
  /** Index of the filter whose phase runs or waits. */
  private index = 0;
  /** Highest index whose request-headers phase was entered: response phases run from there down. */
  private lastRan = -1;
  /** Where the response path started: the body phase starts there too. */
  private responseStart = -1;
  private waiting = false;
  private running = false;
  private continueWhileRunning = false;
  /**
   * Bumped whenever the chain moves on from a wait (continue(), a local reply, a settled promise),
   * so that the callback of an older wait is ignored.
   */
  private generation = 0;

  constructor(chain: ResolvedChain, requestHeaders: HeaderMap) {
    this.chain = chain;
    this.requestHeaders = requestHeaders;
    const n = chain.entries.length;
    this.filters = n === 0 ? (EMPTY as HttpFilter[]) : new Array<HttpFilter>(n);
  }

  // ---- what the host provides ----
  /** All request phases passed: call the upstream (or answer from the route). */
  protected abstract forwardRequest(): void;
  /** Read the whole request body, at most `limit` bytes; call back with it, or null when over the limit. */
  protected abstract readRequestBody(limit: number, done: (body: Buffer | null) => void): void;
  /** Read the whole upstream response body, at most `limit` bytes; null when over the limit. */
  protected abstract readResponseBody(limit: number, done: (body: Buffer | null) => void): void;
  /** All response phases passed: write status, headers and body (or stream the upstream body). */
  protected abstract commitResponse(): void;
  /** The host's limits for buffered bodies. */
  protected abstract readonly maxRequestBytes: number;
  protected abstract readonly maxResponseBytes: number;
  /** The host's logger and stats scope, for what is not inside a filter's phase. */
  protected abstract readonly hostLog: FilterLogger;
  protected abstract readonly hostStats: FilterStats;
  /** Called when the upstream leg must be cancelled because a filter replied locally mid-flight. */
  protected cancelUpstream(): void {}

  /** The logger of the filter whose phase runs (or waits); the host's outside of filters. */
  get log(): FilterLogger {
    return this.currentEntry()?.log ?? this.hostLog;
  }

  /** The stats scope of the filter whose phase runs (or waits): `http.<prefix>.<filter>`. */
  get stats(): FilterStats {
    return this.currentEntry()?.stats ?? this.hostStats;
  }

  private currentEntry(): ChainEntry | undefined {
    return this.phase === Phase.Upstream || this.phase === Phase.Done ? undefined : this.chain.entries[this.index];
  }

  get authority(): string {
    return this.requestHeaders.get('host') ?? '';
  }

  /** The request headers as a plain object: with authority, path, method and sourceAddress, what matchers read. */
  get headers(): RawHeaders {
    return this.requestHeaders.raw;
  }

  get state(): Map<string, unknown> {
    return (this._state ??= new Map());
  }

  // ---- driving the request path ----
  /** Start the request path: instantiate filters and run onRequestHeaders in order. */
  start(): void {
    const entries = this.chain.entries;
    if (entries.length === 0) {
      this.phase = Phase.Upstream;
      this.forwardRequest();
      return;
    }
    for (let i = 0; i < entries.length; i++) {
      try {
        this.filters[i] = entries[i]!.create(this);
      } catch (err) {
        const entry = entries[i]!;
        this.countFailure(entry, err);
        if (entry.failOpen) {
          // A filter that cannot be built for this stream is left out of it.
          this.filters[i] = PASS_THROUGH;
          continue;
        }
        // No filter has seen the request yet: the 500 goes straight out.
        this.filters.length = 0;
        this.index = -1;
        this.failRequest(entry);
        return;
      }
    }
    this.index = 0;
    this.iterate();
  }

  /** The host got the upstream response head: run onResponseHeaders from the last filter down. */
  beginResponse(status: number, headers: HeaderMap): void {
    if (this.phase === Phase.Done || this.localReplied) return;
    this.responseStatus = status;
    this.responseHeaders = headers;
    this.phase = Phase.ResponseHeaders;
    this.index = this.responseStart = this.lastRan;
    this.iterate();
  }

  continue(): void {
    if (this.running) {
      this.continueWhileRunning = true;
      return;
    }
    if (!this.waiting) return;
    this.waiting = false;
    this.generation++;
    this.advance();
  }

  sendLocalReply(status: number, body?: string | Buffer, headers?: Record<string, string>, details?: LocalReplyDetails): void {
    if (this.phase === Phase.Done) return;
    this.generation++;
    const wasUpstream = this.phase === Phase.Upstream;
    const inResponse = this.phase === Phase.ResponseHeaders || this.phase === Phase.ResponseBody;
    this.localReplied = true;
    this.waiting = false;
    this.continueWhileRunning = false;
    if (details?.responseFlag) this.addResponseFlag(details.responseFlag);
    this.responseCodeDetails = details?.details ?? this.responseCodeDetails;
    const h = new HeaderMap();
    if (headers) for (const k of Object.keys(headers)) h.set(k, headers[k]!);
    const buf = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body) : body;
    if (!h.has('content-type') && buf.length > 0) h.set('content-type', 'text/plain');
    this.responseStatus = status;
    this.responseHeaders = h;
    this.responseBody = buf;
    if (wasUpstream) {
      this.cancelUpstream();
      this.index = this.lastRan;
    } else if (inResponse) {
      // A response filter replaced the response: the filters below it still see the new one.
      this.index = this.index - 1;
    } else {
      // From request phase of filter `index`: it and the ones before it see the reply.
      this.index = Math.min(this.index, this.lastRan);
    }
    this.responseStart = this.index;
    this.phase = Phase.ResponseHeaders;
    if (!this.running) this.iterate();
    // else: the running loop notices the phase change when the filter returns.
  }

  clearRouteCache(): void {
    this.routeCleared = true;
  }
  /** Read by the router: the route must be matched again. */
  routeCleared = false;

  setRequestBody(body: Buffer | string): void {
    this.requestBody = typeof body === 'string' ? Buffer.from(body) : body;
  }

  setResponseBody(body: Buffer | string): void {
    this.responseBody = typeof body === 'string' ? Buffer.from(body) : body;
  }

  setResponseStatus(status: number): void {
    this.responseStatus = status;
  }

  addResponseFlag(flag: string): void {
    if (this.responseFlags === null) this.responseFlags = [flag];
    else if (!this.responseFlags.includes(flag)) this.responseFlags.push(flag);
  }

  /** Run onLog of every filter that saw the request. */
  runLog(): void {
    const phase = this.phase;
    this.phase = Phase.ResponseBody; // so that ctx.log/ctx.stats name the filter being logged
    for (let i = 0; i <= this.lastRan; i++) {
      const f = this.filters[i];
      if (f?.onLog === undefined) continue;
      this.index = i;
      try {
        f.onLog(this);
      } catch (err) {
        this.chain.entries[i]!.log.error({ err }, 'filter onLog failed');
      }
    }
    this.phase = phase;
  }

  /** Stop driving the chain: the host finished or the client went away. */
  protected finish(): void {
    this.phase = Phase.Done;
    this.generation++;
  }

  // ---- the loop ----
  private iterate(): void {
    const entries = this.chain.entries;
    for (;;) {
      if (this.aborted || this.phase === Phase.Done) return;
      const phase = this.phase;
      const forward = phase === Phase.RequestHeaders || phase === Phase.RequestBody;
      if (forward ? this.index >= entries.length : this.index < 0) {
        this.phaseComplete();
        return;
      }
      const i = this.index;
      const f = this.filters[i]!;
      if (phase === Phase.RequestHeaders && i > this.lastRan) this.lastRan = i;
      const fn =
        phase === Phase.RequestHeaders ? f.onRequestHeaders
        : phase === Phase.RequestBody ? f.onRequestBody
        : phase === Phase.ResponseHeaders ? f.onResponseHeaders
        : f.onResponseBody;
      if (fn === undefined) {
        this.index += forward ? 1 : -1;
        continue;
      }
      let result: unknown;
      const gen = this.generation;
      this.running = true;
      this.continueWhileRunning = false;
      try {
        const arg =
          phase === Phase.RequestHeaders ? this.requestHeaders
          : phase === Phase.RequestBody ? this.requestBody!
          : phase === Phase.ResponseHeaders ? this.responseHeaders!
          : this.responseBody!;
        result = fn.call(f, arg as never, this);
      } catch (err) {
        this.running = false;
        if (gen !== this.generation) {
          // It replied locally and then threw: the reply stands.
          this.iterate();
          return;
        }
        this.filterFailed(i, err);
        return;
      }
      this.running = false;
      if (gen !== this.generation) continue; // a local reply moved the loop to the response path
      if (isThenable(result)) {
        const calledContinue = this.continueWhileRunning;
        const waitGen = gen;
        this.waiting = true;
        result.then(
          (v) => {
            if (waitGen !== this.generation || this.phase === Phase.Done || this.aborted) return;
            if (v === FilterStatus.Stop && !calledContinue) return; // still waits for continue()
            this.waiting = false;
            this.generation++;
            this.advance();
          },
          (err) => {
            if (waitGen !== this.generation || this.phase === Phase.Done || this.aborted) return;
            this.waiting = false;
            this.generation++;
            this.filterFailed(i, err);
          },
        );
        return;
      }
      if (result === FilterStatus.Stop && !this.continueWhileRunning) {
        this.waiting = true;
        return;
      }
      this.index += forward ? 1 : -1;
    }
  }

  private advance(): void {
    const forward = this.phase === Phase.RequestHeaders || this.phase === Phase.RequestBody;
    this.index += forward ? 1 : -1;
    this.iterate();
  }

  private phaseComplete(): void {
    switch (this.phase) {
      case Phase.RequestHeaders:
        if (this.chain.needsRequestBody) {
          this.phase = Phase.RequestBody;
          this.readRequestBody(this.maxRequestBytes, (body) => {
            if (this.phase !== Phase.RequestBody || this.aborted) return;
            if (body === null) {
              this.sendLocalReply(413, 'Payload Too Large', undefined, { details: 'request_payload_too_large' });
              return;
            }
            this.requestBody = body;
            this.index = 0;
            this.iterate();
          });
          return;
        }
        this.phase = Phase.Upstream;
        this.forwardRequest();
        return;
      case Phase.RequestBody:
        this.phase = Phase.Upstream;
        this.forwardRequest();
        return;
      case Phase.ResponseHeaders:
        if (this.chain.needsResponseBody) {
          this.phase = Phase.ResponseBody;
          if (this.localReplied) {
            this.index = this.responseStart;
            this.iterate();
            return;
          }
          this.readResponseBody(this.maxResponseBytes, (body) => {
            if (this.phase !== Phase.ResponseBody || this.aborted) return;
            if (body === null) {
              this.generation++;
              this.localReplied = true;
              this.responseStatus = 500;
              this.responseHeaders = new HeaderMap({ 'content-type': 'text/plain' });
              this.responseBody = Buffer.from('Internal Server Error');
              this.responseCodeDetails = 'response_payload_too_large';
              this.commit();
              return;
            }
            this.responseBody = body;
            this.index = this.responseStart;
            this.iterate();
          });
          return;
        }
        this.commit();
        return;
      case Phase.ResponseBody:
        this.commit();
        return;
      default:
        return;
    }
  }

  private commit(): void {
    this.phase = Phase.Done;
    this.commitResponse();
  }

  private filterFailed(i: number, err: unknown): void {
    const entry = this.chain.entries[i]!;
    this.countFailure(entry, err);
    if (entry.failOpen) {
      this.index += this.phase === Phase.RequestHeaders || this.phase === Phase.RequestBody ? 1 : -1;
      this.iterate();
      return;
    }
    this.failRequest(entry);
  }

  private countFailure(entry: ChainEntry, err: unknown): void {
    entry.stats.counter('errors').inc();
    entry.log.error({ err, request_id: this.requestId }, `filter ${entry.name} failed`);
  }

  private failRequest(entry: ChainEntry): void {
    this.addResponseFlag(FILTER_FAILED_FLAG);
    this.sendLocalReply(500, 'Internal Server Error', undefined, { details: `filter_failed{${entry.name}}` });
  }
}

const EMPTY: readonly HttpFilter[] = Object.freeze([]);
const PASS_THROUGH: HttpFilter = Object.freeze({});
