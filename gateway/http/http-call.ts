// Calls out of filters (ext_authz, remote JWKS, proxy-wasm's proxy_http_call): a request to a cluster
// through its load balancer, circuit breakers and pools, buffered, with a deadline.
import type { IncomingHttpHeaders } from 'node:http';
import { HttpCallError } from '../../sdk/filter.js';
import type { HttpCall, HttpCallRequest, HttpCallResponse } from '../../sdk/filter.js';
import type { RawHeaders } from '../../sdk/headers.js';
import type { ClusterManager } from '../cluster/cluster-manager.js';
import { classifyError } from './upstream-errors.js';

/** A response body larger than this is refused: these calls fetch small documents. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export function createHttpCall(clusters: ClusterManager): HttpCall {
  return async (clusterName: string, req: HttpCallRequest): Promise<HttpCallResponse> => {
    const cluster = clusters.get(clusterName);
    if (cluster === undefined) throw new HttpCallError('unknown_cluster', `unknown cluster "${clusterName}"`);
    if (!cluster.breaker.tryStartRequest()) {
      cluster.stats.upstream_rq_pending_overflow.inc();
      throw new HttpCallError('overflow', `cluster "${clusterName}" is at max_requests`);
    }
    const host = cluster.chooseHost(undefined, null);
    if (host === null) {
      cluster.breaker.finishRequest();
      throw new HttpCallError('no_healthy_upstream', `no healthy upstream in cluster "${clusterName}"`);
    }
    cluster.requestStarted(host);
    const started = performance.now();
    const headers: Record<string, string> = { host: req.authority ?? clusterName, ...req.headers };
    try {
      const res = await host.pool.request({
        path: req.path,
        method: (req.method ?? 'GET') as 'GET',
        headers: headers as IncomingHttpHeaders,
        body: req.body ?? null,
        signal: AbortSignal.timeout(req.timeoutMs),
      });
      cluster.stats.upstream_rq_time.record(performance.now() - started);
      cluster.stats.upstream_rq.count(res.statusCode);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_BODY_BYTES) {
          res.body.destroy();
          throw new HttpCallError('too_large', `response from cluster "${clusterName}" is over ${MAX_BODY_BYTES} bytes`);
        }
        chunks.push(chunk as Buffer);
      }
      cluster.stats.upstream_rq_completed.inc();
      return { status: res.statusCode, headers: res.headers as RawHeaders, body: Buffer.concat(chunks, size) };
    } catch (err) {
      if (err instanceof HttpCallError) throw err;
      const name = (err as Error).name;
      if (name === 'TimeoutError' || name === 'AbortError') {
        cluster.stats.upstream_rq_timeout.inc();
        throw new HttpCallError('timeout', `call to cluster "${clusterName}" timed out after ${req.timeoutMs} ms`);
      }
      const kind = classifyError(err);
      if (kind === 'connect') cluster.stats.upstream_cx_connect_fail.inc();
      throw new HttpCallError(kind === 'connect' ? 'connect_failure' : kind === 'timeout' ? 'timeout' : 'reset', `call to cluster "${clusterName}" failed: ${(err as Error).message}`);
    } finally {
      cluster.requestFinished(host);
      cluster.breaker.finishRequest();
    }
  };
}
