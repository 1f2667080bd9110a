// createGateway: the one public entry. Loads and validates a config, builds it, runs it.
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { HttpFilterFactory } from '../sdk/filter.js';
import { builtinFilters } from '../filters/index.js';
import { wasmFilter } from './wasm/wasm-filter.js';
import type { GatewayConfig } from './config/types.js';
import { loadConfigFile, loadConfigObject } from './config/load.js';
import { FilterRegistry } from './http/filter-registry.js';
import { buildGateway } from './build.js';
import type { BuiltGateway } from './build.js';
import { createLogger } from './log/logger.js';
import type { LogLevel } from './log/logger.js';
import { StatsStore } from './stats/store.js';
import { AdminServer, type ServerState } from './admin/admin-server.js';

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
  /** How long stop() lets requests in flight finish. Default 5 s. */
  drainTimeoutMs?: number;
}

export class Gateway {
  private started = false;
  /** What /ready reports; /healthcheck/fail turns LIVE into DRAINING until /healthcheck/ok. */
  private state: ServerState = 'PRE_INITIALIZING';
  private healthCheckFailed = false;
  private readonly admin: AdminServer | null;

  constructor(
    readonly config: GatewayConfig,
    readonly stats: StatsStore,
    readonly log: Logger,
    private readonly built: BuiltGateway,
    private readonly drainTimeoutMs: number,
  ) {
    this.admin =
      config.admin === undefined
        ? null
        : new AdminServer(config.admin, {
            config,
            stats,
            clusters: built.clusters,
            state: () => (this.healthCheckFailed && this.state === 'LIVE' ? 'DRAINING' : this.state),
            setHealthCheckFailed: (failed) => {
              this.healthCheckFailed = failed;
            },
          });
  }

  get clusters(): BuiltGateway['clusters'] {
    return this.built.clusters;
  }

  async start(): Promise<void> {
    // The admin comes up first so that /ready can say 503 while clusters initialise (first health checks).
    if (this.admin !== null) {
      await this.admin.listen();
      const a = this.admin.address();
      this.log.info({ address: a.address, port: a.port }, 'admin listening');
    }
    this.state = 'INITIALIZING';
    await this.built.clusters.start();
    for (const l of this.built.listeners) await l.listen();
    this.started = true;
    this.state = 'LIVE';
    for (const l of this.built.listeners) {
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
    const l = this.built.listeners.find((x) => x.config.name === listenerName);
    if (l === undefined) throw new Error(`no listener named "${listenerName}"`);
    return l.address();
  }

  /** Stops accepting, drains requests in flight (bounded), closes upstream pools. Idempotent. */
  async stop(): Promise<void> {
    if (!this.started) {
      await this.admin?.close();
      await this.built.clusters.close();
      return;
    }
    this.started = false;
    // The admin stays up while listeners drain, so /ready answers 503 DRAINING to load balancers in front.
    this.state = 'DRAINING';
    await Promise.all(this.built.listeners.map((l) => l.close(this.drainTimeoutMs)));
    await this.built.clusters.close();
    await this.admin?.close();
    for (const a of this.built.accessLogs) a.flush();
  }
}

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const log = opts.logger ?? createLogger(opts.logLevel ?? 'info');
  const registry = new FilterRegistry();
  for (const f of builtinFilters) registry.register(f);
  registry.register(wasmFilter);
  for (const f of opts.filters ?? []) registry.register(f);
  const loaded =
    opts.configPath !== undefined
      ? await loadConfigFile(opts.configPath, registry.resolve)
      : await loadConfigObject(opts.config, opts.configDir ?? process.cwd(), registry.resolve);
  const stats = new StatsStore();
  const built = await buildGateway(loaded.config, { registry, configDir: loaded.configDir, stats, log });
  return new Gateway(loaded.config, stats, log, built, opts.drainTimeoutMs ?? 5000);
}

export type { GatewayConfig } from './config/types.js';
export { ConfigValidationError } from './config/errors.js';
