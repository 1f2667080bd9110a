// The admin listener (fastify): readiness and /healthcheck/fail|ok, stats, clusters with the why of every
// host's state, the config in force, and the operations: /reload, /drain_listeners. Bound to loopback unless the
// config says otherwise. The sources are functions so that one admin answers for a reloaded config, or for workers.
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import type { AdminConfig, GatewayConfig } from '../config/types.js';
import { registerStatsRoutes, type StatsSnapshotSource } from './stats-routes.js';
import { clustersText, type ClusterView } from './clusters-view.js';
import { reloadErrors } from '../reload/reload-errors.js';
import { ROOT_PATH } from '../config/errors.js';
import { maskSecrets } from './config-dump.js';

/** Envoy's server states, as /ready prints them. */
export type ServerState = 'PRE_INITIALIZING' | 'INITIALIZING' | 'LIVE' | 'DRAINING';

export interface AdminSources {
  /** The config in force (it changes on reload). */
  readonly config: () => GatewayConfig;
  /** The stats /stats and /stats/prometheus show: this process's store, or the workers' sum. */
  readonly statsSnapshot: StatsSnapshotSource;
  /** /clusters: this process's clusters, or the workers' merged. */
  readonly clusterViews: () => ClusterView[] | Promise<ClusterView[]>;
  /** LIVE once every listener is bound and every cluster initialised; DRAINING while stopping or failed by /healthcheck/fail. */
  readonly state: () => ServerState;
  /** POST /healthcheck/fail (true) and /healthcheck/ok (false). */
  readonly setHealthCheckFailed: (failed: boolean) => void;
  /** POST /reload: re-reads the config file; resolves with a summary, rejects with why it was refused. */
  readonly reload: () => Promise<unknown>;
  readonly reloadInProgress: () => boolean;
  /** POST /drain_listeners: every listener stops accepting and drains; the gateway then stops. */
  readonly drainListeners: () => void;
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

    registerStatsRoutes(app, sources.statsSnapshot);

    app.get<{ Querystring: { format?: string } }>('/clusters', async (req, reply) => {
      const views = await sources.clusterViews();
      if (req.query.format === 'json') return { cluster_statuses: views };
      return reply.type('text/plain').send(clustersText(views));
    });

    app.get('/config_dump', async () => maskSecrets(sources.config()));

    // 200 with what changed; 400 {errors:[{path,message}]} when refused (the old config keeps serving); 409 while
    // another reload runs (SIGHUP and --watch queue theirs; an admin caller is told to retry).
    app.post('/reload', async (_req, reply) => {
      if (sources.reloadInProgress()) return reply.code(409).send({ errors: [{ path: ROOT_PATH, message: 'a reload is already in progress' }] });
      try {
        return { reloaded: await sources.reload() };
      } catch (err) {
        return reply.code(400).send({ errors: reloadErrors(err) });
      }
    });

    // Envoy's: stop accepting on every listener; what is in flight finishes within the drain time.
    app.post('/drain_listeners', async (_req, reply) => {
      reply.raw.once('finish', sources.drainListeners);
      return reply.type('text/plain').send('OK\n');
    });
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
