// Sends finished, sampled spans to an OTLP/HTTP collector in JSON, off the request path: the request
// only pushes its span on a bounded queue; a timer (flush_interval) or a full batch (max_batch) starts
// a POST, one at a time. What cannot be queued or sent is dropped and counted, never thrown; a failing
// collector is logged at most once per interval.
import { Client } from 'undici';
import type { Logger } from 'pino';
import type { Counter } from '../../sdk/filter.js';
import type { OtlpExporterConfig } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import { encodeTraces } from './otlp-json.js';
import type { Span } from './span.js';

export interface OtlpCounters {
  readonly sent: Counter;
  readonly dropped: Counter;
}

export class OtlpExporter {
  private queue: Span[] = [];
  private sending: Promise<void> | null = null;
  private closed = false;
  private readonly client: Client;
  private readonly path: string;
  private readonly timeoutMs: number;
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  private readonly maxQueue: number;
  private readonly timer: NodeJS.Timeout;
  private lastErrorLog = 0;
  /** Made once: started when a batch fills (setImmediate, so the request that filled it is not delayed). */
  private readonly kick = (): void => this.startSending();
  private kickScheduled = false;

  constructor(
    config: OtlpExporterConfig,
    private readonly serviceName: string,
    private readonly counters: OtlpCounters,
    private readonly log: Logger,
  ) {
    const url = new URL(config.endpoint);
    this.path = `${url.pathname}${url.search}`;
    this.client = new Client(url.origin, { connect: { timeout: parseDuration(config.timeout) } });
    this.timeoutMs = parseDuration(config.timeout);
    this.intervalMs = parseDuration(config.flush_interval);
    this.maxBatch = config.max_batch;
    this.maxQueue = config.max_queue;
    this.timer = setInterval(this.kick, this.intervalMs);
    this.timer.unref();
  }

  /** On the request path: queue the span, or count it dropped. */
  add(span: Span): void {
    if (this.closed || this.queue.length >= this.maxQueue) {
      this.counters.dropped.inc();
      return;
    }
    this.queue.push(span);
    if (this.queue.length >= this.maxBatch && this.sending === null && !this.kickScheduled) {
      this.kickScheduled = true;
      setImmediate(this.kick);
    }
  }

  private startSending(): void {
    this.kickScheduled = false;
    if (this.sending !== null || this.queue.length === 0) return;
    this.sending = this.drain().finally(() => {
      this.sending = null;
    });
  }

  /** Sends batches until the queue is empty (or, while running, holds less than a batch). */
  private async drain(): Promise<void> {
    do {
      const batch = this.queue.splice(0, this.maxBatch);
      await this.post(batch);
    } while (this.queue.length >= this.maxBatch || (this.closed && this.queue.length > 0));
  }

  private async post(batch: Span[]): Promise<void> {
    try {
      const res = await this.client.request({
        path: this.path,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: encodeTraces(this.serviceName, batch),
        headersTimeout: this.timeoutMs,
        bodyTimeout: this.timeoutMs,
      });
      await res.body.dump();
      if (res.statusCode >= 300) throw new Error(`collector answered ${res.statusCode}`);
      this.counters.sent.inc(batch.length);
    } catch (err) {
      this.counters.dropped.inc(batch.length);
      const now = Date.now();
      if (now - this.lastErrorLog >= this.intervalMs) {
        this.lastErrorLog = now;
        this.log.warn({ err, spans: batch.length }, 'OTLP span export failed (spans dropped)');
      }
    }
  }

  /** Sends what is queued (each POST bounded by the timeout), then closes the connection. Later spans are dropped. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    // Through startSending, so that a kick already scheduled cannot start a second drain beside this one.
    this.startSending();
    while (this.sending !== null) await this.sending;
    await this.client.close();
  }
}
