// http_health_check: one HTTP/1.1 request on a fresh connection (never the request pools), closed afterwards,
// over TLS when the cluster has transport_socket tls. Passes when the status is in expected_statuses; the
// body is read and dropped.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { HttpHealthCheckConfig, StatusRange } from '../../config/types.js';
import type { UpstreamTls } from '../upstream-tls.js';
import { PASSED, type Probe, type ProbeResult } from './probe.js';

const USER_AGENT = 'wasmgate-health-check';

export class HttpProbe implements Probe {
  private readonly headers: Record<string, string>;

  constructor(
    private readonly config: HttpHealthCheckConfig,
    clusterName: string,
    private readonly timeoutMs: number,
    private readonly tls: UpstreamTls | null,
  ) {
    this.headers = { host: config.host ?? clusterName, 'user-agent': USER_AGENT, connection: 'close' };
  }

  check(address: string, port: number): Promise<ProbeResult> {
    return new Promise((resolve) => {
      let settled = false;
      const done = (result: ProbeResult): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(result);
      };
      const options = { host: address, port, method: this.config.method, path: this.config.path, headers: this.headers, agent: false };
      const req = (this.tls === null ? httpRequest : httpsRequest)(
        this.tls === null ? options : { ...options, ...this.tls.forHost(address) },
        (res) => {
          const status = res.statusCode ?? 0;
          res.resume();
          if (inRanges(status, this.config.expected_statuses)) done(PASSED);
          else if (this.config.retriable_statuses !== undefined && inRanges(status, this.config.retriable_statuses))
            done({ outcome: 'retriable', error: `status ${status} (retriable)` });
          else done({ outcome: 'status', error: `status ${status}, expected ${rangesText(this.config.expected_statuses)}` });
        },
      );
      const timer = setTimeout(() => done({ outcome: 'network', error: `timeout after ${this.timeoutMs} ms` }), this.timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => done({ outcome: 'network', error: err.code ?? err.message }));
      req.end();
    });
  }
}

function inRanges(status: number, ranges: readonly StatusRange[]): boolean {
  for (const r of ranges) if (status >= r.start && status < r.end) return true;
  return false;
}

function rangesText(ranges: readonly StatusRange[]): string {
  return ranges.map((r) => (r.end === r.start + 1 ? String(r.start) : `${r.start}-${r.end - 1}`)).join(', ');
}
