// A connection manager's access logs: per entry a compiled line format, an optional compiled filter,
// and a sink. The request thread formats the line; the sink's worker thread writes it.
import type { Logger } from 'pino';
import type { AccessLogConfig } from '../config/types.js';
import type { LoggedRequest } from './logged-request.js';
import { compileAccessLogFormat, type LineFormatter } from './access-log-format.js';
import { compileAccessLogFilter, type LogPredicate } from './access-log-filter.js';
import { LogSink } from './log-sink.js';

interface Entry {
  readonly format: LineFormatter;
  readonly filter: LogPredicate | null;
  readonly sink: LogSink;
}

export class AccessLog {
  private readonly entries: Entry[];
  private readonly sinks: LogSink[];

  /** `configs` are validated: their formats compile. */
  constructor(configs: readonly AccessLogConfig[], log?: Logger) {
    // Entries that write to the same path share one sink, so their lines never interleave mid-line.
    const byPath = new Map<string, LogSink>();
    this.entries = configs.map((c) => {
      let sink = byPath.get(c.path);
      if (sink === undefined) byPath.set(c.path, (sink = new LogSink(c.path, log)));
      return { format: compileAccessLogFormat(c), filter: c.filter === undefined ? null : compileAccessLogFilter(c.filter), sink };
    });
    this.sinks = [...byPath.values()];
  }

  write(r: LoggedRequest, durationMs: number): void {
    for (let i = 0; i < this.entries.length; i++) {
      const e = this.entries[i]!;
      if (e.filter === null || e.filter(r, durationMs)) e.sink.write(e.format(r, durationMs));
    }
  }

  /** Writes out everything queued and ends the writers; later lines are dropped. Await it at shutdown and after a reload's drain. */
  async close(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.close()));
  }
}
