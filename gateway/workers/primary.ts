// The primary of `gateway --workers N`: validates the config (and refuses to start on errors), forks the
// workers that run the listeners, and serves the admin for all of them: stats summed, /clusters merged,
// /ready LIVE when every worker is, /config_dump its own, /reload validated here and then applied on every
// worker, /drain_listeners and stop() drain every worker and resolve once all have exited.
import type { Logger } from 'pino';
import { AdminServer, type ServerState } from '../admin/admin-server.js';
import { filterRegistry, loadConfig } from '../index.js';
import type { LoadedConfig } from '../config/load.js';
import { listenerDrainMs } from '../reload/drain-time.js';
import { reloadErrors } from '../reload/reload-errors.js';
import { ReloadLock } from '../reload/reload-lock.js';
import type { ReloadSummary } from '../reload/reload-plan.js';
import { mergeSnapshots } from '../stats/snapshot.js';
import { StatsStore, type CounterStat } from '../stats/store.js';
import { mergeClusterViews } from './merge-clusters.js';
import { WorkerPool } from './worker-pool.js';

/** On top of the longest drain time, how long workers get to exit before they are killed. */
const EXIT_SLACK_MS = 5000;

export interface PrimaryOptions {
  readonly configPath: string;
  readonly workers: number;
  readonly log: Logger;
  readonly drainTimeoutMs: number;
}

export class Primary {
  private readonly registry = filterRegistry();
  private readonly stats = new StatsStore();
  private readonly reloadStats: { success: CounterStat; failure: CounterStat };
  private readonly reloadLock = new ReloadLock();
  private readonly pool: WorkerPool;
  private admin: AdminServer | null = null;
  private state: ServerState = 'INITIALIZING';
  private healthCheckFailed = false;
  private stopping: Promise<void> | null = null;
  private resolveStopped!: () => void;
  readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));

  private constructor(
    private loaded: LoadedConfig,
    private readonly opts: PrimaryOptions,
  ) {
    this.reloadStats = { success: this.stats.counter('server.reload_success'), failure: this.stats.counter('server.reload_failure') };
    const restarts = this.stats.counter('server.worker_restarts');
    this.pool = new WorkerPool(opts.workers, { config: loaded.config, configDir: loaded.configDir }, opts.log, restarts);
  }

  /** Loads and validates the config (a ConfigValidationError is thrown before any worker is forked), then starts. */
  static async start(opts: PrimaryOptions): Promise<Primary> {
    const primary = new Primary(await loadConfig({ configPath: opts.configPath }, filterRegistry()), opts);
    await primary.run();
    return primary;
  }

  get log(): Logger {
    return this.opts.log;
  }

  private async run(): Promise<void> {
    const adminConfig = this.loaded.config.admin;
    if (adminConfig !== undefined) {
      this.admin = new AdminServer(adminConfig, {
        config: () => this.loaded.config,
        statsSnapshot: async () => mergeSnapshots([this.stats.snapshot(), ...(await this.pool.stats())]),
        clusterViews: async () => {
          const { views, ids } = await this.pool.clusters();
          return mergeClusterViews(views, ids);
        },
        state: () => this.readiness(),
        setHealthCheckFailed: (failed) => {
          this.healthCheckFailed = failed;
        },
        reload: () => this.reload(),
        reloadInProgress: () => this.reloadLock.busy,
        drainListeners: () => void this.stop(),
      });
      await this.admin.listen();
      const a = this.admin.address();
      this.log.info({ address: a.address, port: a.port }, 'admin listening');
    }
    try {
      await this.pool.start();
    } catch (err) {
      await this.admin?.close();
      throw err;
    }
    this.state = 'LIVE';
    this.log.info({ workers: this.opts.workers }, 'workers live');
  }

  private readiness(): ServerState {
    if (this.state !== 'LIVE') return this.state;
    if (this.healthCheckFailed) return 'DRAINING';
    // A worker being replaced: not every core serves yet.
    return this.pool.allLive ? 'LIVE' : 'INITIALIZING';
  }

  /** Re-reads the config file, validates it here, and applies it on every worker (all or none). */
  async reload(): Promise<ReloadSummary> {
    const release = await this.reloadLock.acquire();
    try {
      if (this.stopping !== null) throw new Error('the gateway is stopping');
      const loaded = await loadConfig({ configPath: this.opts.configPath }, this.registry);
      const summary = await this.pool.reload({ config: loaded.config, configDir: loaded.configDir });
      this.loaded = loaded;
      this.reloadStats.success.inc();
      this.log.info(summary, 'reloaded on every worker');
      return summary;
    } catch (err) {
      this.reloadStats.failure.inc();
      this.log.error({ errors: reloadErrors(err) }, 'reload refused: the running config keeps serving');
      throw err;
    } finally {
      release();
    }
  }

  /** Every worker drains and exits; then the admin closes. Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= this.stopNow().finally(this.resolveStopped));
  }

  private async stopNow(): Promise<void> {
    this.state = 'DRAINING';
    await this.reloadLock.idle();
    this.log.info('draining every worker');
    const drainMs = Math.max(0, ...this.loaded.config.listeners.map((l) => listenerDrainMs(l, this.opts.drainTimeoutMs)));
    await this.pool.stop(drainMs + EXIT_SLACK_MS);
    await this.admin?.close();
    this.log.info('stopped');
  }
}
