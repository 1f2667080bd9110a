// Reading the client's trace context: W3C traceparent (Trace Context Level 1 rules), else B3 (the single
// `b3` header, else the x-b3-* headers). What is invalid is ignored: the trace then starts here.
// Character loops, no regex: this runs on every traced request.
import type { RawHeaders } from '../../sdk/headers.js';
import { isAllZero, isLowerHex } from './ids.js';
import { Origin, type Span } from './span.js';

/** The client's sampling decision: 1 sampled, 0 not, -1 none given (the sampler decides). */
export type SamplingDecision = 1 | 0 | -1;

const one = (v: string | string[] | undefined): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Fills the span's traceId, b3TraceId, parentSpanId, debug and origin from the request headers
 * (nothing when no valid context came). Returns the client's sampling decision.
 */
export function extractContext(headers: RawHeaders, span: Span): SamplingDecision {
  const tp = one(headers['traceparent']);
  if (tp !== undefined) {
    const d = fromTraceparent(tp, span);
    if (d !== undefined) return d;
  }
  const single = one(headers['b3']);
  if (single !== undefined) {
    const d = fromB3Single(single, span);
    if (d !== undefined) return d;
  }
  return fromB3Multi(headers, span);
}

/** version "-" trace-id "-" parent-id "-" flags, lowercase hex; version ff and all-zero ids are invalid. */
function fromTraceparent(v: string, span: Span): SamplingDecision | undefined {
  if (v.length < 55 || v.charCodeAt(2) !== 45 || v.charCodeAt(35) !== 45 || v.charCodeAt(52) !== 45) return undefined;
  if (!isLowerHex(v, 0, 2) || v.startsWith('ff')) return undefined;
  // Version 00 has exactly these four fields; a later version may append "-..." fields we do not read.
  if (v.startsWith('00') ? v.length !== 55 : v.length > 55 && v.charCodeAt(55) !== 45) return undefined;
  if (!isLowerHex(v, 3, 35) || isAllZero(v, 3, 35)) return undefined;
  if (!isLowerHex(v, 36, 52) || isAllZero(v, 36, 52)) return undefined;
  if (!isLowerHex(v, 53, 55)) return undefined;
  span.traceId = v.slice(3, 35);
  span.parentSpanId = v.slice(36, 52);
  span.origin = Origin.W3C;
  return (parseInt(v.slice(53, 55), 16) & 1) === 1 ? 1 : 0;
}

/** A B3 trace id: 16 or 32 lowercase hex digits, not all zero. */
function validB3TraceId(s: string, start: number, end: number): boolean {
  const n = end - start;
  return (n === 16 || n === 32) && isLowerHex(s, start, end) && !isAllZero(s, start, end);
}

function validSpanId(s: string, start: number, end: number): boolean {
  return end - start === 16 && isLowerHex(s, start, end) && !isAllZero(s, start, end);
}

function setB3Trace(span: Span, traceId: string, parentSpanId: string, origin: Origin): void {
  span.b3TraceId = traceId;
  span.traceId = traceId.length === 32 ? traceId : `0000000000000000${traceId}`;
  span.parentSpanId = parentSpanId;
  span.origin = origin;
}

/** `b3: {trace}-{span}[-{0|1|d}[-{parent}]]`, or only `b3: {0|1|d}` (a decision without a trace). */
function fromB3Single(v: string, span: Span): SamplingDecision | undefined {
  if (v.length === 1) return decisionOf(v, span);
  const a = v.indexOf('-');
  if (a < 0 || !validB3TraceId(v, 0, a)) return undefined;
  let b = v.indexOf('-', a + 1);
  if (b < 0) b = v.length;
  if (!validSpanId(v, a + 1, b)) return undefined;
  let decision: SamplingDecision = -1;
  if (b < v.length) {
    const c = v.indexOf('-', b + 1);
    const end = c < 0 ? v.length : c;
    // The parent span id that may follow is the client's parent, not ours: checked, not kept.
    if (end - b !== 2 || (c >= 0 && !validSpanId(v, c + 1, v.length))) return undefined;
    const d = decisionOf(v[b + 1]!, span);
    if (d === undefined) return undefined;
    decision = d;
  }
  setB3Trace(span, v.slice(0, a), v.slice(a + 1, b), Origin.B3Single);
  return decision;
}

function decisionOf(c: string, span: Span): SamplingDecision | undefined {
  if (c === '1') return 1;
  if (c === '0') return 0;
  if (c === 'd') {
    span.debug = true;
    return 1;
  }
  return undefined;
}

function fromB3Multi(headers: RawHeaders, span: Span): SamplingDecision {
  let decision: SamplingDecision = -1;
  if (one(headers['x-b3-flags']) === '1') {
    span.debug = true;
    decision = 1;
  } else {
    const s = one(headers['x-b3-sampled']);
    if (s === '1' || s === 'true') decision = 1;
    else if (s === '0' || s === 'false') decision = 0;
  }
  const traceId = one(headers['x-b3-traceid']);
  const spanId = one(headers['x-b3-spanid']);
  if (traceId !== undefined && spanId !== undefined && validB3TraceId(traceId, 0, traceId.length) && validSpanId(spanId, 0, spanId.length)) {
    setB3Trace(span, traceId, spanId, Origin.B3Multi);
  }
  return decision;
}
