// All upstream clusters of one config: lookup by name, STRICT_DNS discovery, shutdown.
import type { Logger } from 'pino';
import type { ClusterConfig } from '../config/types.js';
import { Cluster } from './cluster.js';
import { DnsDiscovery, type DnsLookup } from './dns-discovery.js';
import { StatsStore } from '../stats/store.js';

export interface ClusterManagerOptions {
  /** Stands in for dns.promises.lookup (tests). */
  dnsLookup?: DnsLookup;
  /** How long start() waits for the first DNS resolution of STRICT_DNS clusters. Default 5000. */
  initialDnsTimeoutMs?: number;
  /** The process's stats store (cluster.<name>.* stats); default: one of this manager's own. */
  stats?: StatsStore;
}

/** Slack on top of initial_jitter + timeout when start() waits for the first round of health checks. */
const FIRST_ROUND_SLACK_MS = 1000;

export class ClusterManager {
  private readonly byName = new Map<string, Cluster>();
  private readonly discoveries: DnsDiscovery[] = [];
  private readonly initialDnsTimeoutMs: number;
  private closing: Promise<void> | null = null;

  constructor(configs: readonly ClusterConfig[], log: Logger, options: ClusterManagerOptions = {}) {
    this.initialDnsTimeoutMs = options.initialDnsTimeoutMs ?? 5000;
    const stats = options.stats ?? new StatsStore();
    for (const config of configs) {
      if (this.byName.has(config.name)) throw new Error(`duplicate cluster name "${config.name}"`);
      const cluster = new Cluster(config, log, stats);
      this.byName.set(config.name, cluster);
      if (config.type === 'STRICT_DNS') this.discoveries.push(new DnsDiscovery(cluster, log, options.dnsLookup));
    }
  }

  get(name: string): Cluster | undefined {
    return this.byName.get(name);
  }

  clusters(): IterableIterator<Cluster> {
    return this.byName.values();
  }

  /** Reload: every cluster that `old` also has (by name) takes over the health of the hosts both have. Call before start(). */
  inheritHealth(old: ClusterManager): void {
    for (const [name, cluster] of this.byName) {
      const prev = old.get(name);
      if (prev !== undefined) cluster.inheritHealth(prev);
    }
  }

  /**
   * Reload: the manager that took over owns the hosts' health from now on; this one stops checking (its
   * pools keep serving the requests still in flight until close()).
   */
  stopChecks(): void {
    for (const discovery of this.discoveries) discovery.stop();
    for (const cluster of this.byName.values()) {
      cluster.healthChecker?.stop();
      cluster.outlierDetector?.stop();
    }
  }

  /**
   * Starts DNS discovery and waits (at most initialDnsTimeoutMs) for the first resolution of every
   * STRICT_DNS cluster. A cluster still unresolved then has no hosts (503 UH) until its lookup lands.
   * Then starts health checks and outlier detection, and waits for the first round of checks (each bounded
   * by its initial_jitter + timeout), so that the gateway is not ready before it knows which hosts are alive.
   */
  async start(): Promise<void> {
    await withDeadline(Promise.all(this.discoveries.map((d) => d.start())), this.initialDnsTimeoutMs);
    let firstRoundMs = 0;
    for (const cluster of this.byName.values()) {
      cluster.start();
      const checker = cluster.healthChecker;
      if (checker !== null) firstRoundMs = Math.max(firstRoundMs, checker.initialJitterMs + checker.timeoutMs + FIRST_ROUND_SLACK_MS);
    }
    if (firstRoundMs > 0) await withDeadline(Promise.all([...this.byName.values()].map((c) => c.firstHealthCheckRound())), firstRoundMs);
  }

  /** Stops discovery and closes every pool once its in-flight requests are done. Idempotent. */
  close(): Promise<void> {
    return (this.closing ??= this.closeAll());
  }

  private async closeAll(): Promise<void> {
    for (const discovery of this.discoveries) discovery.stop();
    await Promise.all([...this.byName.values()].map((c) => c.close()));
  }
}

/** Waits for `work`, or `ms`, whichever comes first. */
async function withDeadline(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
