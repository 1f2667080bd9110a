// A connection manager's tracer (HCM `tracing`): per request a span continuing the client's trace or
// starting one, with its sampling decision; at the end, sampled spans go to the OTLP exporter if any.
import type { Logger } from 'pino';
import type { RawHeaders } from '../../sdk/headers.js';
import type { Counter } from '../../sdk/filter.js';
import type { TracingConfig } from '../config/types.js';
import type { LoggedRequest } from '../log/logged-request.js';
import { newSpanId, newTraceId } from './ids.js';
import { OtlpExporter } from './otlp-exporter.js';
import { Span } from './span.js';
import { extractContext } from './trace-context.js';

export class Tracer {
  private readonly w3c: boolean;
  private readonly b3: boolean;
  private readonly samplingPercent: number;
  private readonly exporter: OtlpExporter | null;

  constructor(config: TracingConfig, stats: { counter(name: string): Counter }, log: Logger) {
    this.w3c = config.propagation.includes('w3c');
    this.b3 = config.propagation.includes('b3');
    this.samplingPercent = config.random_sampling;
    this.exporter =
      config.otlp === undefined
        ? null
        : new OtlpExporter(
            config.otlp,
            config.service_name,
            { sent: stats.counter('tracing.otlp.spans_sent'), dropped: stats.counter('tracing.otlp.dropped') },
            log,
          );
  }

  /** The span of a request that just arrived. Reads the headers; inject() writes the upstream ones later. */
  start(headers: RawHeaders): Span {
    const span = new Span(this.w3c, this.b3);
    const decision = extractContext(headers, span);
    if (span.traceId === '') span.traceId = newTraceId();
    span.spanId = newSpanId();
    span.sampled =
      decision === 1 || (decision === -1 && (this.samplingPercent >= 100 || Math.random() * 100 < this.samplingPercent));
    return span;
  }

  /** The request is done: a sampled span is queued for export. */
  end(span: Span, r: LoggedRequest, durationMs: number): void {
    if (!span.sampled || this.exporter === null) return;
    span.startTimeMs = r.startTime;
    span.durationMs = durationMs;
    span.method = r.method;
    span.path = r.req.url ?? '';
    span.name = r.routeName === undefined ? r.method : `${r.method} ${r.routeName}`;
    span.status = r.responseStatus;
    span.cluster = r.clusterName ?? '';
    span.upstreamHost = r.upstreamHost;
    span.responseFlags = r.responseFlags === null ? '' : r.responseFlags.join(',');
    span.requestId = r.requestId;
    this.exporter.add(span);
  }

  /** Exports what is queued (bounded by the exporter's timeout per batch). */
  async close(): Promise<void> {
    await this.exporter?.close();
  }
}
