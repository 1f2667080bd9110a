// Reading W3C and B3 trace context, and writing the upstream headers for our own span.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RawHeaders } from '../../sdk/headers.js';
import { extractContext } from './trace-context.js';
import { Origin, Span } from './span.js';
import { newSpanId, newTraceId } from './ids.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

function read(headers: RawHeaders): { span: Span; decision: number } {
  const span = new Span(true, true);
  return { span, decision: extractContext(headers, span) };
}

test('a valid traceparent is continued, its sampled flag read', () => {
  let { span, decision } = read({ traceparent: `00-${TRACE}-${PARENT}-01` });
  assert.equal(span.traceId, TRACE);
  assert.equal(span.parentSpanId, PARENT);
  assert.equal(span.origin, Origin.W3C);
  assert.equal(decision, 1);
  ({ span, decision } = read({ traceparent: `00-${TRACE}-${PARENT}-00` }));
  assert.equal(decision, 0);
  // A later version may append fields.
  ({ span, decision } = read({ traceparent: `01-${TRACE}-${PARENT}-03-what-ever` }));
  assert.equal(span.traceId, TRACE);
  assert.equal(decision, 1);
});

test('an invalid traceparent is ignored', () => {
  const bad = [
    `ff-${TRACE}-${PARENT}-01`, // version ff
    `00-${'0'.repeat(32)}-${PARENT}-01`, // all-zero trace id
    `00-${TRACE}-${'0'.repeat(16)}-01`, // all-zero parent id
    `00-${TRACE.toUpperCase()}-${PARENT}-01`, // uppercase
    `00-${TRACE}-${PARENT}-01-extra`, // version 00 has no more fields
    `00-${TRACE.slice(1)}-${PARENT}-01`, // short trace id
    `00-${TRACE}-${PARENT}-1`, // short flags
    `0g-${TRACE}-${PARENT}-01`, // not hex
    `01-${TRACE}-${PARENT}-01x`, // later version, but no dash after the flags
    `00_${TRACE}-${PARENT}-01`,
  ];
  for (const tp of bad) {
    const { span, decision } = read({ traceparent: tp });
    assert.equal(span.traceId, '', tp);
    assert.equal(span.origin, Origin.None, tp);
    assert.equal(decision, -1, tp);
  }
});

test('B3 single header: ids, decision, debug, 64-bit trace ids widened; a decision alone starts a trace', () => {
  let { span, decision } = read({ b3: `${TRACE}-${PARENT}-1-b7ad6b7169203331` });
  assert.equal(span.traceId, TRACE);
  assert.equal(span.parentSpanId, PARENT);
  assert.equal(span.origin, Origin.B3Single);
  assert.equal(decision, 1);
  ({ span, decision } = read({ b3: `a3ce929d0e0e4736-${PARENT}` }));
  assert.equal(span.traceId, `0000000000000000a3ce929d0e0e4736`);
  assert.equal(span.b3TraceId, 'a3ce929d0e0e4736');
  assert.equal(decision, -1);
  ({ span, decision } = read({ b3: `${TRACE}-${PARENT}-d` }));
  assert.equal(span.debug, true);
  assert.equal(decision, 1);
  ({ span, decision } = read({ b3: '0' }));
  assert.equal(span.traceId, '');
  assert.equal(decision, 0);
  ({ span, decision } = read({ b3: `${TRACE}-${PARENT}-x` }));
  assert.equal(span.traceId, '');
  ({ span } = read({ b3: `${TRACE}-0000000000000000-1` }));
  assert.equal(span.traceId, '');
});

test('B3 multi headers: ids, sampled in both spellings, debug flag', () => {
  let { span, decision } = read({ 'x-b3-traceid': TRACE, 'x-b3-spanid': PARENT, 'x-b3-sampled': '1' });
  assert.equal(span.traceId, TRACE);
  assert.equal(span.parentSpanId, PARENT);
  assert.equal(span.origin, Origin.B3Multi);
  assert.equal(decision, 1);
  ({ decision } = read({ 'x-b3-traceid': TRACE, 'x-b3-spanid': PARENT, 'x-b3-sampled': 'false' }));
  assert.equal(decision, 0);
  ({ span, decision } = read({ 'x-b3-traceid': TRACE, 'x-b3-spanid': PARENT, 'x-b3-flags': '1' }));
  assert.equal(span.debug, true);
  assert.equal(decision, 1);
  ({ span } = read({ 'x-b3-traceid': 'XYZ', 'x-b3-spanid': PARENT }));
  assert.equal(span.traceId, '');
});

test('traceparent wins over B3 when both are valid', () => {
  const { span } = read({ traceparent: `00-${TRACE}-${PARENT}-01`, 'x-b3-traceid': 'a3ce929d0e0e4736', 'x-b3-spanid': PARENT });
  assert.equal(span.origin, Origin.W3C);
  assert.equal(span.traceId, TRACE);
});

test('inject: our span as parent, tracestate kept with its traceparent, B3 headers rewritten', () => {
  const headers: RawHeaders = { traceparent: `00-${TRACE}-${PARENT}-01`, tracestate: 'congo=t61rcWkgMzE', 'x-b3-flags': '1' };
  const span = new Span(true, true);
  extractContext(headers, span);
  span.spanId = newSpanId();
  span.sampled = true;
  span.inject(headers);
  assert.equal(headers.traceparent, `00-${TRACE}-${span.spanId}-01`);
  assert.equal(headers.tracestate, 'congo=t61rcWkgMzE');
  assert.equal(headers['x-b3-traceid'], TRACE);
  assert.equal(headers['x-b3-spanid'], span.spanId);
  assert.equal(headers['x-b3-parentspanid'], PARENT);
  assert.equal(headers['x-b3-sampled'], '1');
  assert.equal(headers['x-b3-flags'], undefined);
});

test('inject: a new trace drops a stray tracestate and parent; w3c-only leaves B3 alone unless B3 came in', () => {
  const headers: RawHeaders = { tracestate: 'a=b', 'x-b3-parentspanid': PARENT };
  const span = new Span(true, true);
  extractContext(headers, span);
  span.traceId = newTraceId();
  span.spanId = newSpanId();
  span.inject(headers);
  assert.equal(headers.tracestate, undefined);
  assert.equal(headers['x-b3-parentspanid'], undefined);
  assert.equal(headers['x-b3-sampled'], '0');

  const w3cOnly: RawHeaders = {};
  const s2 = new Span(true, false);
  s2.traceId = TRACE;
  s2.spanId = newSpanId();
  s2.inject(w3cOnly);
  assert.deepEqual(Object.keys(w3cOnly), ['traceparent']);

  const b3In: RawHeaders = { b3: `${TRACE}-${PARENT}-1` };
  const s3 = new Span(true, false);
  extractContext(b3In, s3);
  s3.spanId = newSpanId();
  s3.sampled = true;
  s3.inject(b3In);
  assert.equal(b3In.b3, `${TRACE}-${s3.spanId}-1-${PARENT}`);
  assert.equal(b3In['x-b3-spanid'], s3.spanId);
});

test('ids are lowercase hex of the right size, never all zero, and differ', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const t = newTraceId();
    const s = newSpanId();
    assert.match(t, /^[0-9a-f]{32}$/);
    assert.match(s, /^[0-9a-f]{16}$/);
    seen.add(t);
  }
  assert.equal(seen.size, 2000);
});
