// The span of one request at this hop: the trace it belongs to (continued from the client's W3C or B3
// headers, or new), our own span id, and the sampling decision; it writes the trace headers of the
// upstream request and, when sampled, is what the exporter sends once the request is done.
import type { RawHeaders } from '../../sdk/headers.js';

/** Where the incoming trace context came from. */
export enum Origin {
  None,
  W3C,
  B3Multi,
  B3Single,
}

export class Span {
  /** 32 hex digits. */
  traceId = '';
  /** The trace id as B3 carried it (16 or 32 digits), for the B3 headers we send on. */
  b3TraceId = '';
  /** Ours, 16 hex digits. */
  spanId = '';
  /** The client's span, '' when the trace starts here. */
  parentSpanId = '';
  sampled = false;
  /** B3 debug (x-b3-flags: 1, or "d"): sampled, and said so again upstream. */
  debug = false;
  origin = Origin.None;
  /** Set when the request is done (for export). */
  startTimeMs = 0;
  durationMs = 0;
  name = '';
  method = '';
  path = '';
  status = 0;
  cluster = '';
  upstreamHost = '';
  responseFlags = '';
  requestId = '';

  constructor(
    private readonly w3c: boolean,
    private readonly b3: boolean,
  ) {}

  /** Writes the trace headers of the upstream request (every retry and mirror copy reuses them). */
  inject(headers: RawHeaders): void {
    const flags = this.sampled ? '01' : '00';
    if (this.w3c || this.origin === Origin.W3C) {
      headers['traceparent'] = `00-${this.traceId}-${this.spanId}-${flags}`;
      // tracestate belongs to the trace of the traceparent that came with it: none was accepted, so it goes.
      if (this.origin !== Origin.W3C && headers['tracestate'] !== undefined) delete headers['tracestate'];
    }
    if (this.b3 || this.origin === Origin.B3Multi || this.origin === Origin.B3Single) this.injectB3(headers);
  }

  private injectB3(headers: RawHeaders): void {
    const traceId = this.b3TraceId === '' ? this.traceId : this.b3TraceId;
    headers['x-b3-traceid'] = traceId;
    headers['x-b3-spanid'] = this.spanId;
    if (this.parentSpanId !== '') headers['x-b3-parentspanid'] = this.parentSpanId;
    else if (headers['x-b3-parentspanid'] !== undefined) delete headers['x-b3-parentspanid'];
    // Debug implies sampled: B3 says to send the flag and not x-b3-sampled.
    if (this.debug) {
      headers['x-b3-flags'] = '1';
      if (headers['x-b3-sampled'] !== undefined) delete headers['x-b3-sampled'];
    } else {
      headers['x-b3-sampled'] = this.sampled ? '1' : '0';
      if (headers['x-b3-flags'] !== undefined) delete headers['x-b3-flags'];
    }
    if (headers['b3'] !== undefined) {
      const decision = this.debug ? 'd' : this.sampled ? '1' : '0';
      headers['b3'] =
        this.parentSpanId === ''
          ? `${traceId}-${this.spanId}-${decision}`
          : `${traceId}-${this.spanId}-${decision}-${this.parentSpanId}`;
    }
  }
}
