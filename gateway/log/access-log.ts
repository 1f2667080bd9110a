// One JSON line per request with Envoy's access-log fields, written through pino's asynchronous
// destination (sonic-boom) so the request path only formats and enqueues.
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { AccessLogConfig } from '../config/types.js';

/** What the connection manager knows of a finished request. */
export interface AccessLogRecord {
  start_time: string;
  method: string;
  path: string;
  protocol: string;
  response_code: number;
  response_flags: string;
  response_code_details: string;
  bytes_received: number;
  bytes_sent: number;
  duration: number;
  upstream_host: string;
  upstream_cluster: string;
  route_name: string;
  x_request_id: string;
  downstream_remote_address: string;
  authority: string;
  user_agent: string;
  x_forwarded_for: string;
}

export class AccessLog {
  private readonly sinks: Logger[];

  constructor(configs: readonly AccessLogConfig[]) {
    this.sinks = configs.map((c) =>
      pino(
        // pino writes invalid JSON when the level formatter returns {}: tag the line instead.
        { base: undefined, timestamp: false, formatters: { level: () => ({ log_type: 'access' }) } },
        pino.destination({ dest: destinationOf(c.path), sync: false, mkdir: true }),
      ),
    );
  }

  write(record: AccessLogRecord): void {
    for (const s of this.sinks) s.info(record);
  }

  /** Writes out what is queued (at shutdown). */
  flush(): void {
    for (const s of this.sinks) s.flush();
  }
}

function destinationOf(path: string): string | number {
  if (path === '/dev/stdout') return 1;
  if (path === '/dev/stderr') return 2;
  return path;
}
