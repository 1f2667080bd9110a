// Envoy's HTTP connection manager: per listener, turns each request into an HttpStream, prepares its
// headers, matches its route, runs its filter chain, and logs it when it is done.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { FilterStats } from '../../sdk/filter.js';
import type { ResolvedChain } from '../../sdk/filter-stream.js';
import type { HttpConnectionManagerConfig, Route } from '../config/types.js';
import type { RouteTable } from '../router/route-table.js';
import type { StatsStore, CounterStat } from '../stats/store.js';
import type { AccessLog } from '../log/access-log.js';
import { addForwardedHeaders, clientAddress, ensureRequestId, normalizeAddress } from './request-headers.js';
import { HttpStream } from './http-stream.js';
import type { Router } from './router.js';
import type { RouteRuntime } from './route-runtime.js';

interface DownstreamStats {
  rq_total: CounterStat;
  rq_1xx: CounterStat;
  rq_2xx: CounterStat;
  rq_3xx: CounterStat;
  rq_4xx: CounterStat;
  rq_5xx: CounterStat;
  rq_active: { add(n: number): void };
}

export interface ConnectionManagerDeps {
  readonly table: RouteTable;
  readonly runtimes: ReadonlyMap<Route, RouteRuntime>;
  readonly baseChain: ResolvedChain;
  readonly router: Router;
  readonly stats: StatsStore;
  readonly log: Logger;
  readonly accessLog: AccessLog | null;
}

export class ConnectionManager {
  readonly router: Router;
  readonly log: Logger;
  readonly filterStats: FilterStats;
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly serverName: string;
  /** Streams in flight, so that a drain can wait for them. */
  active = 0;
  private readonly table: RouteTable;
  private readonly runtimes: ReadonlyMap<Route, RouteRuntime>;
  private readonly baseChain: ResolvedChain;
  private readonly accessLog: AccessLog | null;
  private readonly useRemoteAddress: boolean;
  private readonly trustedHops: number;
  private readonly preserveRequestId: boolean;
  private readonly generateRequestId: boolean;
  private readonly downstream: DownstreamStats;
  private idleWaiters: (() => void)[] = [];

  constructor(
    config: HttpConnectionManagerConfig,
    deps: ConnectionManagerDeps,
    readonly scheme: 'http' | 'https' = 'http',
  ) {
    this.table = deps.table;
    this.runtimes = deps.runtimes;
    this.baseChain = deps.baseChain;
    this.router = deps.router;
    this.log = deps.log;
    this.accessLog = deps.accessLog;
    this.filterStats = deps.stats.scope(`http.${config.stat_prefix}`);
    this.maxRequestBytes = config.max_request_bytes;
    this.maxResponseBytes = config.max_response_bytes;
    this.serverName = config.server_name;
    this.useRemoteAddress = config.use_remote_address;
    this.trustedHops = config.xff_num_trusted_hops;
    this.preserveRequestId = config.preserve_external_request_id;
    this.generateRequestId = config.generate_request_id;
    const p = `http.${config.stat_prefix}.downstream_`;
    this.downstream = {
      rq_total: deps.stats.counter(`${p}rq_total`),
      rq_1xx: deps.stats.counter(`${p}rq_1xx`),
      rq_2xx: deps.stats.counter(`${p}rq_2xx`),
      rq_3xx: deps.stats.counter(`${p}rq_3xx`),
      rq_4xx: deps.stats.counter(`${p}rq_4xx`),
      rq_5xx: deps.stats.counter(`${p}rq_5xx`),
      rq_active: deps.stats.gauge(`${p}rq_active`),
    };
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.active++;
    this.downstream.rq_total.inc();
    this.downstream.rq_active.add(1);
    const headers = req.headers;
    const peer = normalizeAddress(req.socket.remoteAddress);
    const requestId = ensureRequestId(headers, this.preserveRequestId, this.generateRequestId);
    const sourceAddress = this.trustedHops > 0 ? normalizeAddress(clientAddress(headers, peer, this.trustedHops)) : peer;
    if (this.useRemoteAddress) addForwardedHeaders(headers, peer, this.scheme);
    const route = this.table.match({
      authority: headers.host ?? '',
      path: req.url ?? '/',
      method: req.method ?? 'GET',
      headers,
      sourceAddress,
    });
    const chain = route === null ? this.baseChain : this.runtimes.get(route.route)!.chain;
    const stream = new HttpStream(this, req, res, headers, chain, route);
    stream.requestId = requestId;
    stream.method = req.method ?? 'GET';
    stream.path = req.url ?? '/';
    stream.scheme = this.scheme;
    stream.sourceAddress = sourceAddress;
    stream.sourcePort = req.socket.remotePort ?? 0;
    stream.directRemoteAddress = peer;
    stream.destinationPort = req.socket.localPort ?? 0;
    stream.routeName = route?.name;
    stream.start();
  };

  /** Called once per stream when its response is finished or its client went away. */
  streamDone(s: HttpStream): void {
    this.active--;
    this.downstream.rq_active.add(-1);
    const code = s.responseStatus;
    const d = this.downstream;
    (code < 200 ? d.rq_1xx : code < 300 ? d.rq_2xx : code < 400 ? d.rq_3xx : code < 500 ? d.rq_4xx : d.rq_5xx).inc();
    if (this.accessLog !== null) {
      const h = s.req.headers;
      this.accessLog.write({
        start_time: new Date(s.startTime).toISOString(),
        method: s.method,
        path: s.req.url ?? '',
        protocol: `HTTP/${s.req.httpVersion}`,
        response_code: code,
        response_flags: s.responseFlags === null ? '-' : s.responseFlags.join(','),
        response_code_details: s.responseCodeDetails || (s.upstream !== null ? 'via_upstream' : ''),
        bytes_received: s.bytesReceived,
        bytes_sent: s.bytesSent,
        duration: Math.round((performance.now() - s.startHr) * 1000) / 1000,
        upstream_host: s.upstreamHost,
        upstream_cluster: s.clusterName ?? '',
        route_name: s.routeName ?? '',
        x_request_id: s.requestId,
        downstream_remote_address: `${s.sourceAddress}:${s.sourcePort}`,
        authority: typeof h.host === 'string' ? h.host : '',
        user_agent: h['user-agent'] ?? '',
        x_forwarded_for: typeof h['x-forwarded-for'] === 'string' ? h['x-forwarded-for'] : '',
      });
    }
    if (this.active === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolves when no stream is in flight (for draining). */
  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }
}
