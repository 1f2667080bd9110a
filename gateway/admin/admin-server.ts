// The admin listener (fastify): readiness and /healthcheck/fail|ok, stats, clusters with the why of every
// host's state, and the config in force. Bound to loopback unless the config says otherwise.
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { AdminConfig, GatewayConfig } from '../config/types.js';
import type { ClusterManager } from '../cluster/cluster-manager.js';
import type { StatsStore } from '../stats/store.js';
import { clusterView, clustersText } from './clusters-view.js';
import { maskSecrets } from './config-dump.js';

/** Envoy's server states, as /ready prints them. */
export type ServerState = 'PRE_INITIALIZING' | 'INITIALIZING' | 'LIVE' | 'DRAINING';

export interface AdminSources {
  readonly config: GatewayConfig;
  readonly stats: StatsStore;
  readonly clusters: ClusterManager;
  /** LIVE once every listener is bound and every cluster initialised; DRAINING while stopping or failed by /healthcheck/fail. */
  readonly state: () => ServerState;
  /** POST /healthcheck/fail (true) and /healthcheck/ok (false). */
  readonly setHealthCheckFailed: (failed: boolean) => void;
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
      const state = sources.state();
      return reply.code(state === 'LIVE' ? 200 : 503).type('text/plain').send(`${state}\n`);
    });

    // Envoy's: for load balancers in front of the gateway. /ready answers 503 DRAINING until /healthcheck/ok.
    app.post('/healthcheck/fail', async (_req, reply) => {
      sources.setHealthCheckFailed(true);
      return reply.type('text/plain').send('OK\n');
    });
    app.post('/healthcheck/ok', async (_req, reply) => {
      sources.setHealthCheckFailed(false);
      return reply.type('text/plain').send('OK\n');
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
      const views = [...sources.clusters.clusters()].map(clusterView);
      if (req.query.format === 'json') return { cluster_statuses: views };
      return reply.type('text/plain').send(clustersText(views));
    });

    app.get('/config_dump', async () => maskSecrets(sources.config));
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
