// Turns a validated config into running parts: the cluster manager, and per listener its filter chains
// (TLS context, network filters, and the HTTP connection manager — route table, http filters, router,
// access log — or tcp_proxy) behind one net.Server (listener/listener.ts).
import type { Logger } from 'pino';
import type { FilterChainConfig, GatewayConfig, HttpConnectionManagerConfig, ListenerConfig, Route } from './config/types.js';
import { parseDuration } from './config/duration.js';
import { ClusterManager } from './cluster/cluster-manager.js';
import { compileRouteTable } from './router/route-table.js';
import { buildChains } from './http/chain-builder.js';
import { createHttpCall } from './http/http-call.js';
import type { FilterRegistry } from './http/filter-registry.js';
import { ConnectionManager } from './http/connection-manager.js';
import { MirrorPolicy } from './http/mirror.js';
import { Router } from './http/router.js';
import { RouteRuntime, routeStats } from './http/route-runtime.js';
import { Listener } from './listener/listener.js';
import type { ListenerChain } from './listener/listener.js';
import type { GatewayListener } from './listener/gateway-listener.js';
import { ServerTlsContext } from './listener/tls-context.js';
import { HttpConnectionTerminal } from './http/http-terminal.js';
import { buildNetworkFilterChain } from './network/filter-chain.js';
import { TcpProxy } from './network/tcp-proxy.js';
import { networkFiltersOf, terminalOf } from './network/terminal-config.js';
import type { ConnectionTerminal } from './network/connection.js';
import { AccessLog } from './log/access-log.js';
import { Tracer } from './tracing/tracer.js';
import type { StatsStore } from './stats/store.js';
import { Disposers } from '../sdk/disposers.js';

export interface BuiltGateway {
  readonly clusters: ClusterManager;
  readonly listeners: GatewayListener[];
  readonly accessLogs: AccessLog[];
  /** Close them (await) when the build is released: they export their last spans. */
  readonly tracers: Tracer[];
  /** The dispose hooks of every filter instance this build created: run them once its traffic has drained. */
  readonly filters: Disposers;
}

export interface BuildContext {
  readonly registry: FilterRegistry;
  readonly configDir: string;
  readonly stats: StatsStore;
  readonly log: Logger;
}

export async function buildGateway(config: GatewayConfig, ctx: BuildContext): Promise<BuiltGateway> {
  const clusters = new ClusterManager(config.clusters, ctx.log, { stats: ctx.stats });
  const listeners: GatewayListener[] = [];
  const accessLogs: AccessLog[] = [];
  const tracers: Tracer[] = [];
  const filters = new Disposers();
  const parts = { clusters, accessLogs, tracers, filters };
  try {
    for (const l of config.listeners) {
      const chains: ListenerChain[] = [];
      for (const [i, chain] of l.filter_chains.entries()) chains.push(await buildFilterChain(l, chain, `filter_chains[${i}]`, parts, ctx));
      const fallback = l.default_filter_chain === undefined ? null : await buildFilterChain(l, l.default_filter_chain, 'default_filter_chain', parts, ctx);
      listeners.push(new Listener(l, chains, fallback, ctx.stats, ctx.log));
    }
  } catch (err) {
    // A filter that failed to create leaves the ones created before it holding their resources.
    await filters.dispose();
    throw err;
  }
  return { clusters, listeners, accessLogs, tracers, filters };
}

/** What the filter chains of one build add to as they are built. */
interface BuildParts {
  readonly clusters: ClusterManager;
  readonly accessLogs: AccessLog[];
  readonly tracers: Tracer[];
  readonly filters: Disposers;
}

/** One filter chain: its TLS context, its terminal (HTTP connection manager or tcp_proxy), its network filters. */
async function buildFilterChain(
  listener: ListenerConfig,
  chain: FilterChainConfig,
  where: string,
  parts: BuildParts,
  ctx: BuildContext,
): Promise<ListenerChain> {
  let tls: ServerTlsContext | null = null;
  if (chain.transport_socket !== undefined) {
    try {
      tls = new ServerTlsContext(chain.transport_socket.config, ctx.configDir);
    } catch (err) {
      throw new Error(`listener ${listener.name}: ${where}.transport_socket.config.${(err as Error).message}`);
    }
  }
  const t = terminalOf(chain);
  let terminal: ConnectionTerminal;
  if (t.name === 'tcp_proxy') terminal = new TcpProxy(t.config, parts.clusters, ctx.stats, ctx.log);
  else {
    const hcmConfig = t.config;
    const accessLog = hcmConfig.access_log && hcmConfig.access_log.length > 0 ? new AccessLog(hcmConfig.access_log, ctx.log) : null;
    if (accessLog !== null) parts.accessLogs.push(accessLog);
    const tracer = hcmConfig.tracing === undefined ? null : new Tracer(hcmConfig.tracing, ctx.stats, ctx.log);
    if (tracer !== null) parts.tracers.push(tracer);
    const hcm = await buildConnectionManager(hcmConfig, parts, accessLog, tracer, ctx, tls === null ? 'http' : 'https');
    terminal = new HttpConnectionTerminal(hcmConfig, hcm);
  }
  const network = await buildNetworkFilterChain(networkFiltersOf(chain), terminal, {
    registry: ctx.registry,
    configDir: ctx.configDir,
    stats: ctx.stats,
    log: ctx.log,
    listenerName: listener.name,
    disposers: parts.filters,
  });
  return { name: chain.name ?? where, match: chain.filter_chain_match, tls, terminal: network };
}

async function buildConnectionManager(
  config: HttpConnectionManagerConfig,
  { clusters, filters }: BuildParts,
  accessLog: AccessLog | null,
  tracer: Tracer | null,
  ctx: BuildContext,
  scheme: 'http' | 'https',
): Promise<ConnectionManager> {
  const log = ctx.log.child({ stat_prefix: config.stat_prefix });
  const httpCall = createHttpCall(clusters);
  const chains = await buildChains(config, { registry: ctx.registry, configDir: ctx.configDir, stats: ctx.stats, log, httpCall, disposers: filters });
  const table = compileRouteTable(config.route_config);
  const hcmStats = ctx.stats.scope('http', 'stat_prefix', config.stat_prefix);
  const mirrorCounters = {
    sent: hcmStats.counter('rq_mirror_sent'),
    failed: hcmStats.counter('rq_mirror_failed'),
    skippedBody: hcmStats.counter('rq_mirror_skipped_body'),
  };
  const runtimes = new Map<Route, RouteRuntime>();
  for (const vhost of config.route_config.virtual_hosts) {
    for (const route of vhost.routes) {
      const action = route.route;
      const mirrors = (action?.request_mirror_policies ?? []).map(
        (m) => new MirrorPolicy(m, clusters.get(m.cluster)!, parseDuration(action!.timeout), mirrorCounters),
      );
      runtimes.set(route, new RouteRuntime(action, await chains.forRoute(vhost, route), mirrors, routeStats(ctx.stats, vhost, route)));
    }
  }
  const router = new Router(table, runtimes, clusters);
  return new ConnectionManager(config, { table, runtimes, baseChain: chains.base, router, stats: ctx.stats, log, accessLog, tracer }, scheme);
}
