// Envoy's HTTP connection manager: per listener, turns each request into an HttpStream, prepares its
// headers, matches its route, runs its filter chain, and logs it when it is done.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { FilterStats } from '../../sdk/filter.js';
import type { ResolvedChain } from '../../sdk/filter-stream.js';
import type { HttpConnectionManagerConfig, Route } from '../config/types.js';
import type { CompiledRoute, RouteTable } from '../router/route-table.js';
import type { CounterStat, GaugeStat, HistogramStat, StatsStore } from '../stats/store.js';
import { ResponseCodeStats } from '../stats/response-code-stats.js';
import type { AccessLog } from '../log/access-log.js';
import type { Tracer } from '../tracing/tracer.js';
import { addForwardedHeaders, clientAddress, ensureRequestId, normalizeAddress } from './request-headers.js';
import { HttpStream } from './http-stream.js';
import { ForwardClientCert } from './forward-client-cert.js';
import type { DownstreamConnectionInfo } from '../network/connection.js';
import type { Router } from './router.js';
import type { RouteRuntime } from './route-runtime.js';
import { compileUpgradePolicy, type UpgradePolicy } from './upgrade.js';
import type { RawHeaders } from '../../sdk/headers.js';

/** Makes the stream of one request: an HttpStream, or an upgrade's. */
export type StreamMaker = (
  hcm: ConnectionManager,
  req: IncomingMessage,
  res: ServerResponse,
  headers: RawHeaders,
  chain: ResolvedChain,
  route: CompiledRoute | null,
) => HttpStream;

const newHttpStream: StreamMaker = (hcm, req, res, headers, chain, route) => new HttpStream(hcm, req, res, headers, chain, route);

/** http.<stat_prefix>.downstream_rq_*: requests received, by response class, in flight, and their duration (ms). */
interface DownstreamStats {
  rq_total: CounterStat;
  rq_by_class: ResponseCodeStats;
  rq_active: GaugeStat;
  rq_time: HistogramStat;
}

export interface ConnectionManagerDeps {
  readonly table: RouteTable;
  readonly runtimes: ReadonlyMap<Route, RouteRuntime>;
  readonly baseChain: ResolvedChain;
  readonly router: Router;
  readonly stats: StatsStore;
  readonly log: Logger;
  readonly accessLog: AccessLog | null;
  readonly tracer: Tracer | null;
}

/** Where the HTTP terminal leaves a TLS connection's description on its socket, for the requests it carries. */
export const DOWNSTREAM_CONNECTION = Symbol('downstreamConnection');
type ConnectionSocket = { [DOWNSTREAM_CONNECTION]?: DownstreamConnectionInfo };

export class ConnectionManager {
  readonly router: Router;
  readonly log: Logger;
  readonly filterStats: FilterStats;
  readonly maxRequestBytes: number;
  readonly maxResponseBytes: number;
  readonly serverName: string;
  /** upgrade_configs (WebSocket) and the upgrade stats. */
  readonly upgrades: UpgradePolicy;
  /** Streams in flight, so that a drain can wait for them. */
  active = 0;
  private readonly table: RouteTable;
  private readonly runtimes: ReadonlyMap<Route, RouteRuntime>;
  private readonly baseChain: ResolvedChain;
  private readonly accessLog: AccessLog | null;
  private readonly tracer: Tracer | null;
  private readonly useRemoteAddress: boolean;
  private readonly forwardClientCert: ForwardClientCert;
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
    this.tracer = deps.tracer;
    const scope = deps.stats.scope('http', 'stat_prefix', config.stat_prefix);
    this.filterStats = scope;
    this.maxRequestBytes = config.max_request_bytes;
    this.maxResponseBytes = config.max_response_bytes;
    this.serverName = config.server_name;
    this.upgrades = compileUpgradePolicy(config.upgrade_configs, scope);
    this.useRemoteAddress = config.use_remote_address;
    this.forwardClientCert = new ForwardClientCert(config);
    this.trustedHops = config.xff_num_trusted_hops;
    this.preserveRequestId = config.preserve_external_request_id;
    this.generateRequestId = config.generate_request_id;
    this.downstream = {
      rq_total: scope.counter('downstream_rq_total'),
      rq_by_class: new ResponseCodeStats(scope, 'downstream_rq_', false),
      rq_active: scope.gauge('downstream_rq_active'),
      rq_time: scope.histogram('downstream_rq_time'),
    };
  }

  readonly handle = (req: IncomingMessage, res: ServerResponse): void => {
    this.accept(req, res, newHttpStream);
  };

  /** Prepares the request (id, forwarding headers, route) and starts its stream, made by `makeStream` (upgrade.ts makes its own). */
  accept(req: IncomingMessage, res: ServerResponse, makeStream: StreamMaker): void {
    this.active++;
    this.downstream.rq_total.inc();
    this.downstream.rq_active.add(1);
    const headers = req.headers;
    const peer = normalizeAddress(req.socket.remoteAddress);
    const requestId = ensureRequestId(headers, this.preserveRequestId, this.generateRequestId);
    // Only a chain with TLS (scheme https) has connections described: plaintext requests skip the lookup.
    const connection = this.scheme === 'https' ? ((req.socket as ConnectionSocket)[DOWNSTREAM_CONNECTION] ?? null) : null;
    this.forwardClientCert.apply(headers, connection);
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
    const stream = makeStream(this, req, res, headers, chain, route);
    stream.requestId = requestId;
    stream.method = req.method ?? 'GET';
    stream.path = req.url ?? '/';
    stream.scheme = this.scheme;
    stream.sourceAddress = sourceAddress;
    stream.sourcePort = req.socket.remotePort ?? 0;
    stream.directRemoteAddress = peer;
    stream.destinationPort = req.socket.localPort ?? 0;
    stream.routeName = route?.name;
    stream.connection = connection;
    if (this.tracer !== null) stream.trace = this.tracer.start(headers);
    stream.start();
  }

  /** Called once per stream when its response is finished or its client went away. */
  streamDone(s: HttpStream): void {
    this.active--;
    this.downstream.rq_active.add(-1);
    const code = s.responseStatus;
    // A client that left before any response (status 0) counts in downstream_rq_total only.
    this.downstream.rq_by_class.count(code);
    const durationMs = performance.now() - s.startHr;
    this.downstream.rq_time.record(durationMs);
    if (s.trace !== null) this.tracer!.end(s.trace, s, durationMs);
    if (this.accessLog !== null) this.accessLog.write(s, durationMs);
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
