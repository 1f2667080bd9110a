// Turns a validated config into running parts: the cluster manager, and per listener its
// connection manager (route table, filter chains, router, access log) and node:http server.
import type { Logger } from 'pino';
import type { GatewayConfig, HttpConnectionManagerConfig, Route } from './config/types.js';
import { parseDuration } from './config/duration.js';
import { ClusterManager } from './cluster/cluster-manager.js';
import { compileRouteTable } from './router/route-table.js';
import { buildChains } from './http/chain-builder.js';
import { createHttpCall } from './http/http-call.js';
import type { FilterRegistry } from './http/filter-registry.js';
import { ConnectionManager } from './http/connection-manager.js';
import { MirrorPolicy } from './http/mirror.js';
import { Router } from './http/router.js';
import { RouteRuntime } from './http/route-runtime.js';
import { HttpListener } from './listener/http-listener.js';
import { AccessLog } from './log/access-log.js';
import type { StatsStore } from './stats/store.js';

export interface BuiltGateway {
  readonly clusters: ClusterManager;
  readonly listeners: HttpListener[];
  readonly accessLogs: AccessLog[];
}

export interface BuildContext {
  readonly registry: FilterRegistry;
  readonly configDir: string;
  readonly stats: StatsStore;
  readonly log: Logger;
}

export async function buildGateway(config: GatewayConfig, ctx: BuildContext): Promise<BuiltGateway> {
  const clusters = new ClusterManager(config.clusters, ctx.log);
  const listeners: HttpListener[] = [];
  const accessLogs: AccessLog[] = [];
  for (const l of config.listeners) {
    const hcmConfig = l.filter_chains[0]!.filters[0]!.config;
    const accessLog = hcmConfig.access_log && hcmConfig.access_log.length > 0 ? new AccessLog(hcmConfig.access_log) : null;
    if (accessLog !== null) accessLogs.push(accessLog);
    const hcm = await buildConnectionManager(hcmConfig, clusters, accessLog, ctx);
    listeners.push(new HttpListener(l, hcmConfig, hcm));
  }
  return { clusters, listeners, accessLogs };
}

async function buildConnectionManager(
  config: HttpConnectionManagerConfig,
  clusters: ClusterManager,
  accessLog: AccessLog | null,
  ctx: BuildContext,
): Promise<ConnectionManager> {
  const log = ctx.log.child({ stat_prefix: config.stat_prefix });
  const httpCall = createHttpCall(clusters);
  const chains = await buildChains(config, { registry: ctx.registry, configDir: ctx.configDir, stats: ctx.stats, log, httpCall });
  const table = compileRouteTable(config.route_config);
  const mirrorCounters = {
    sent: ctx.stats.counter(`http.${config.stat_prefix}.rq_mirror_sent`),
    failed: ctx.stats.counter(`http.${config.stat_prefix}.rq_mirror_failed`),
    skippedBody: ctx.stats.counter(`http.${config.stat_prefix}.rq_mirror_skipped_body`),
  };
  const runtimes = new Map<Route, RouteRuntime>();
  for (const vhost of config.route_config.virtual_hosts) {
    for (const route of vhost.routes) {
      const action = route.route;
      const mirrors = (action?.request_mirror_policies ?? []).map(
        (m) => new MirrorPolicy(m, clusters.get(m.cluster)!, parseDuration(action!.timeout), mirrorCounters),
      );
      runtimes.set(route, new RouteRuntime(action, await chains.forRoute(vhost, route), mirrors));
    }
  }
  const router = new Router(table, runtimes, clusters);
  return new ConnectionManager(config, { table, runtimes, baseChain: chains.base, router, stats: ctx.stats, log, accessLog });
}
