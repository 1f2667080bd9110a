// createGateway: the one public entry. Loads and validates a config, builds it, runs it, reloads it.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { HttpFilterFactory } from '../sdk/filter.js';
import { builtinFilters } from '../filters/index.js';
import { builtinNetworkFilters } from '../filters/network/index.js';
import { wasmFilter } from './wasm/wasm-filter.js';
import { wasmNetworkFilter } from './wasm/network-filter.js';
import type { GatewayConfig } from './config/types.js';
import { loadConfigFile, loadConfigObject, type LoadedConfig } from './config/load.js';
import { FilterRegistry } from './http/filter-registry.js';
import { buildGateway } from './build.js';
import type { BuiltGateway } from './build.js';
import { createLogger } from './log/logger.js';
import type { LogLevel } from './log/logger.js';
import { StatsStore, type CounterStat } from './stats/store.js';
import { AdminServer, type ServerState } from './admin/admin-server.js';
import { clusterView } from './admin/clusters-view.js';
import type { GatewayListener } from './listener/gateway-listener.js';
import { PreparedReload, type ReloadSummary } from './reload/reload-plan.js';
import { listenerDrainMs } from './reload/drain-time.js';
import { reloadErrors } from './reload/reload-errors.js';
import { ReloadLock } from './reload/reload-lock.js';

/** Where a config comes from: a file (re-read on reload), or an object with the directory its relative paths resolve against. */
export type ConfigSource = { configPath: string } | { config: unknown; configDir?: string };

export interface GatewayOptions {
  /** A YAML or JSON file; relative paths inside it resolve against its directory. */
  configPath?: string;
  /** Or the config itself, with the directory its relative paths resolve against (default: cwd). */
  config?: unknown;
  configDir?: string;
  /** Filters of your own, registered by name beside the built-in ones. */
  filters?: HttpFilterFactory[];
  logger?: Logger;
  logLevel?: LogLevel;
  /**
   * How long a listener's connections may drain (reload, /drain_listeners, stop) when its
   * http_connection_manager sets no `drain_timeout`. Default 5 s.
   */
  drainTimeoutMs?: number;
  /** false: no admin listener whatever the config says (workers: their primary serves it). Default true. */
  admin?: boolean;
}

export interface ReloadResult extends ReloadSummary {
  readonly durationMs: number;
}

/** A reload built beside the running config, not yet swapped in. It holds the reload lock until commit or abort. */
export interface PendingReload {
  readonly summary: ReloadSummary;
  commit(): ReloadResult;
  abort(): Promise<void>;
}

interface GatewaySetup {
  readonly registry: FilterRegistry;
  readonly source: ConfigSource;
  readonly drainTimeoutMs: number;
  readonly admin: boolean;
}

export class Gateway {
  private loaded: LoadedConfig;
  private running: BuiltGateway;
  private started = false;
  /** What /ready reports; /healthcheck/fail turns LIVE into DRAINING until /healthcheck/ok. */
  private state: ServerState = 'PRE_INITIALIZING';
  private healthCheckFailed = false;
  private readonly admin: AdminServer | null;
  private readonly reloadLock = new ReloadLock();
  /** Old configs still draining after reloads; stop() waits for them. */
  private readonly releasing = new Set<Promise<void>>();
  private stopping: Promise<void> | null = null;
  private resolveStopped!: () => void;
  /** Settles once the gateway has stopped, whoever stopped it (stop(), /drain_listeners). */
  readonly stopped = new Promise<void>((resolve) => (this.resolveStopped = resolve));
  private readonly reloadStats: { success: CounterStat; failure: CounterStat };

  constructor(
    loaded: LoadedConfig,
    readonly stats: StatsStore,
    readonly log: Logger,
    built: BuiltGateway,
    private readonly setup: GatewaySetup,
  ) {
    this.loaded = loaded;
    this.running = built;
    this.reloadStats = { success: stats.counter('server.reload_success'), failure: stats.counter('server.reload_failure') };
    const adminConfig = setup.admin ? loaded.config.admin : undefined;
    this.admin =
      adminConfig === undefined
        ? null
        : new AdminServer(adminConfig, {
            config: () => this.config,
            statsSnapshot: () => stats.snapshot(),
            clusterViews: () => [...this.running.clusters.clusters()].map(clusterView),
            state: () => this.readiness(),
            setHealthCheckFailed: (failed) => {
              this.healthCheckFailed = failed;
            },
            reload: () => this.reload(),
            reloadInProgress: () => this.reloadInProgress,
            drainListeners: () => void this.stop(),
          });
  }

  /** The config in force. */
  get config(): GatewayConfig {
    return this.loaded.config;
  }

  get clusters(): BuiltGateway['clusters'] {
    return this.running.clusters;
  }

  /** What /ready says: LIVE, or why not. */
  readiness(): ServerState {
    return this.healthCheckFailed && this.state === 'LIVE' ? 'DRAINING' : this.state;
  }

  get reloadInProgress(): boolean {
    return this.reloadLock.busy;
  }

  async start(): Promise<void> {
    // The admin comes up first so that /ready can say 503 while clusters initialise (first health checks).
    if (this.admin !== null) {
      await this.admin.listen();
      const a = this.admin.address();
      this.log.info({ address: a.address, port: a.port }, 'admin listening');
    }
    this.state = 'INITIALIZING';
    await this.running.clusters.start();
    for (const l of this.running.listeners) await l.listen();
    this.started = true;
    this.state = 'LIVE';
    for (const l of this.running.listeners) {
      const a = l.address();
      this.log.info({ listener: l.config.name, address: a.address, port: a.port }, 'listening');
    }
  }

  /** The bound address of the admin listener, when configured. */
  adminAddress(): AddressInfo | null {
    return this.admin?.address() ?? null;
  }

  /** The bound address of a listener (useful with port 0). */
  address(listenerName: string): AddressInfo {
    const l = this.running.listeners.find((x) => x.config.name === listenerName);
    if (l === undefined) throw new Error(`no listener named "${listenerName}"`);
    return l.address();
  }

  /**
   * Loads `source` (default: the config file the gateway started from, re-read), validates it, builds it
   * beside the running config and swaps it in (see reload-plan.ts). Refused — ConfigValidationError with every
   * error, or the build's error — the running config keeps serving. One reload at a time: a second waits.
   */
  async reload(source?: ConfigSource): Promise<ReloadResult> {
    let pending: PendingReload;
    try {
      pending = await this.prepareReload(source);
    } catch (err) {
      this.reloadStats.failure.inc();
      throw err;
    }
    this.reloadStats.success.inc();
    return pending.commit();
  }

  /**
   * The first step of reload(): everything but the swap (refusals are logged; server.reload_* counts are
   * reload()'s, or the primary's with workers, which prepare on every worker and then commit on all).
   */
  async prepareReload(source: ConfigSource = this.setup.source): Promise<PendingReload> {
    const began = performance.now();
    const release = await this.reloadLock.acquire();
    let prepared: PreparedReload;
    let loaded: LoadedConfig;
    try {
      if (!this.started || this.stopping !== null) throw new Error('the gateway is not running');
      loaded = await loadConfig(source, this.setup.registry);
      const next = await buildGateway(loaded.config, { registry: this.setup.registry, configDir: loaded.configDir, stats: this.stats, log: this.log });
      prepared = await PreparedReload.prepare(this.running, next);
    } catch (err) {
      this.log.error({ errors: reloadErrors(err) }, 'reload refused: the running config keeps serving');
      release();
      throw err;
    }
    let settled = false;
    return {
      summary: prepared.summary,
      commit: () => {
        if (settled) throw new Error('this reload was already committed or aborted');
        settled = true;
        const { running, released } = prepared.commit((l) => this.drainMs(l));
        this.running = running;
        this.loaded = loaded;
        const tracked = released.catch((err: unknown) => this.log.error({ err }, 'releasing the previous config failed'));
        this.releasing.add(tracked);
        void tracked.finally(() => this.releasing.delete(tracked));
        const result = { ...prepared.summary, durationMs: Math.round(performance.now() - began) };
        this.log.info(result, 'reloaded');
        release();
        return result;
      },
      abort: async () => {
        if (settled) return;
        settled = true;
        try {
          await prepared.abort();
        } finally {
          release();
        }
      },
    };
  }

  /** Stops accepting, drains requests in flight (bounded by the drain time), disposes filters, closes upstream pools and flushes logs. Idempotent. */
  stop(): Promise<void> {
    return (this.stopping ??= this.stopNow().finally(this.resolveStopped));
  }

  private async stopNow(): Promise<void> {
    if (!this.started) {
      await this.admin?.close();
      await this.running.filters.dispose();
      await this.running.clusters.close();
      return;
    }
    this.started = false;
    await this.reloadLock.idle(); // a reload already under way finishes first; later ones are refused
    // The admin stays up while listeners drain, so /ready answers 503 DRAINING to load balancers in front.
    this.state = 'DRAINING';
    this.log.info('draining');
    await Promise.all(this.running.listeners.map((l) => l.close(this.drainMs(l))));
    await Promise.all(this.releasing);
    await this.running.filters.dispose();
    await this.running.clusters.close();
    await Promise.all(this.running.accessLogs.map((a) => a.close()));
    await Promise.all(this.running.tracers.map((t) => t.close()));
    await this.admin?.close();
    this.log.info('stopped');
  }

  private drainMs(l: GatewayListener): number {
    return listenerDrainMs(l.config, this.setup.drainTimeoutMs);
  }
}

/** Every filter a config may name: the built-in ones, the wasm filter, and the caller's. */
export function filterRegistry(filters: readonly HttpFilterFactory[] = []): FilterRegistry {
  const registry = new FilterRegistry();
  for (const f of builtinFilters) registry.register(f);
  registry.register(wasmFilter);
  for (const f of builtinNetworkFilters) registry.register(f);
  registry.register(wasmNetworkFilter);
  for (const f of filters) registry.register(f);
  return registry;
}

export function loadConfig(source: ConfigSource, registry: FilterRegistry): Promise<LoadedConfig> {
  return 'configPath' in source
    ? loadConfigFile(source.configPath, registry.resolve, registry.resolveNetwork)
    : loadConfigObject(source.config, source.configDir ?? process.cwd(), registry.resolve, registry.resolveNetwork);
}

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.logger ?? createLogger(opts.logLevel ?? 'info');
  const registry = filterRegistry(opts.filters);
  const source: ConfigSource = opts.configPath !== undefined ? { configPath: opts.configPath } : { config: opts.config, configDir: opts.configDir };
  const loaded = await loadConfig(source, registry);
  const stats = new StatsStore();
  const built = await buildGateway(loaded.config, { registry, configDir: loaded.configDir, stats, log });
  return new Gateway(loaded, stats, log, built, { registry, source, drainTimeoutMs: opts.drainTimeoutMs ?? 5000, admin: opts.admin ?? true });
}

export type { GatewayConfig } from './config/types.js';
export type { ReloadSummary } from './reload/reload-plan.js';
export { ConfigValidationError } from './config/errors.js';
