// OTLP/HTTP JSON encoding of finished spans (ExportTraceServiceRequest: resourceSpans → scopeSpans →
// spans), by hand: the handful of fields we send does not warrant the OpenTelemetry SDK. Runs at
// export time, off the request path.
import type { Span } from './span.js';

const SPAN_KIND_SERVER = 2;
const STATUS_UNSET = 0;
const STATUS_ERROR = 2;

interface KeyValue {
  key: string;
  value: { stringValue: string } | { intValue: string };
}

const str = (key: string, v: string): KeyValue => ({ key, value: { stringValue: v } });
// proto3's JSON mapping writes int64 as a string.
const int = (key: string, v: number): KeyValue => ({ key, value: { intValue: String(v) } });

/** Unix nanoseconds as a decimal string (past 2^53: BigInt). */
function unixNano(ms: number): string {
  return (BigInt(Math.round(ms * 1000)) * 1000n).toString();
}

function encodeSpan(s: Span): object {
  const q = s.path.indexOf('?');
  const attributes: KeyValue[] = [
    str('http.method', s.method),
    str('url.path', q < 0 ? s.path : s.path.slice(0, q)),
    int('http.status_code', s.status),
  ];
  if (s.cluster !== '') attributes.push(str('upstream_cluster', s.cluster));
  if (s.upstreamHost !== '') attributes.push(str('upstream_address', s.upstreamHost));
  if (s.responseFlags !== '') attributes.push(str('response_flags', s.responseFlags));
  if (s.requestId !== '') attributes.push(str('guid:x-request-id', s.requestId));
  const span: Record<string, unknown> = {
    traceId: s.traceId,
    spanId: s.spanId,
    name: s.name,
    kind: SPAN_KIND_SERVER,
    startTimeUnixNano: unixNano(s.startTimeMs),
    endTimeUnixNano: unixNano(s.startTimeMs + s.durationMs),
    attributes,
    // A server span is an error on 5xx (a 4xx is the client's).
    status: s.status >= 500 || s.status === 0 ? { code: STATUS_ERROR } : { code: STATUS_UNSET },
  };
  if (s.parentSpanId !== '') span.parentSpanId = s.parentSpanId;
  return span;
}

/** The body of one POST to /v1/traces. */
export function encodeTraces(serviceName: string, spans: readonly Span[]): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [str('service.name', serviceName)] },
        scopeSpans: [{ scope: { name: 'wasmgate' }, spans: spans.map(encodeSpan) }],
      },
    ],
  });
}
