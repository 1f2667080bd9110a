// The admin listener (fastify): readiness, stats, clusters and the config in force.
// Bound to loopback unless the config says otherwise. Issue-sized first version: the health-check and
// outlier "why" in /clusters, Prometheus output and reload come with their own work.
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { AdminConfig, GatewayConfig } from '../config/types.js';
import type { ClusterManager } from '../cluster/cluster-manager.js';
import type { StatsStore } from '../stats/store.js';

export interface AdminSources {
  readonly config: GatewayConfig;
  readonly stats: StatsStore;
  readonly clusters: ClusterManager;
  /** True once every listener is bound and every cluster initialised. */
  readonly ready: () => boolean;
}

export class AdminServer {
  private readonly app: FastifyInstance;

  constructor(
    private readonly config: AdminConfig,
    sources: AdminSources,
  ) {
    this.app = Fastify({ logger: false });
    const app = this.app;

    app.get('/ready', async (_req, reply) => {
      const ready = sources.ready();
      return reply.code(ready ? 200 : 503).type('text/plain').send(ready ? 'LIVE\n' : 'PRE_INITIALIZING\n');
    });

    app.get<{ Querystring: { format?: string; filter?: string } }>('/stats', async (req, reply) => {
      let filter: RegExp | null = null;
      if (req.query.filter !== undefined) {
        try {
          filter = new RegExp(req.query.filter);
        } catch (err) {
          return reply.code(400).type('text/plain').send(`invalid filter regex: ${(err as Error).message}\n`);
        }
      }
      const all = allStats(sources);
      const names = Object.keys(all).filter((n) => filter === null || filter.test(n));
      if (req.query.format === 'json') {
        return { stats: names.map((name) => ({ name, value: all[name] })) };
      }
      return reply.type('text/plain').send(names.map((n) => `${n}: ${all[n]}\n`).join(''));
    });

    app.get<{ Querystring: { format?: string } }>('/clusters', async (req, reply) => {
      const clusters = [...sources.clusters.clusters()].map((c) => ({
        name: c.name,
        lb_policy: c.config.lb_policy,
        hosts: c.hosts.map((h) => ({
          address: h.hostname,
          weight: h.weight,
          priority: h.priority,
          locality: h.locality ?? {},
          healthy: h.healthy,
          active_requests: h.activeRequests,
          total_requests: h.totalRequests,
        })),
      }));
      if (req.query.format === 'json') return { cluster_statuses: clusters };
      const lines: string[] = [];
      for (const c of clusters) {
        for (const h of c.hosts) {
          const p = `${c.name}::${h.address}::`;
          lines.push(
            `${p}weight::${h.weight}`,
            `${p}priority::${h.priority}`,
            `${p}health_flags::${h.healthy ? 'healthy' : 'unhealthy'}`,
            `${p}rq_active::${h.active_requests}`,
            `${p}rq_total::${h.total_requests}`,
          );
        }
      }
      return reply.type('text/plain').send(`${lines.join('\n')}\n`);
    });

    app.get('/config_dump', async () => sources.config);
  }

  async listen(): Promise<void> {
    await this.app.listen({ host: this.config.address, port: this.config.port });
  }

  address(): AddressInfo {
    return this.app.server.address() as AddressInfo;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

/** The stats store plus every cluster's counters as `cluster.<name>.<stat>`. */
function allStats(sources: AdminSources): Record<string, number> {
  const out: Record<string, number> = { ...sources.stats.snapshot() };
  for (const c of sources.clusters.clusters()) {
    for (const [k, v] of Object.entries(c.stats)) out[`cluster.${c.name}.${k}`] = v as number;
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
