// All upstream clusters of one config: lookup by name, STRICT_DNS discovery, shutdown.
import type { Logger } from 'pino';
import type { ClusterConfig } from '../config/types.js';
import { Cluster } from './cluster.js';
import { DnsDiscovery, type DnsLookup } from './dns-discovery.js';

export interface ClusterManagerOptions {
  /** Stands in for dns.promises.lookup (tests). */
  dnsLookup?: DnsLookup;
  /** How long start() waits for the first DNS resolution of STRICT_DNS clusters. Default 5000. */
  initialDnsTimeoutMs?: number;
}

export class ClusterManager {
  private readonly byName = new Map<string, Cluster>();
  private readonly discoveries: DnsDiscovery[] = [];
  private readonly initialDnsTimeoutMs: number;
  private closing: Promise<void> | null = null;

  constructor(configs: readonly ClusterConfig[], log: Logger, options: ClusterManagerOptions = {}) {
    this.initialDnsTimeoutMs = options.initialDnsTimeoutMs ?? 5000;
    for (const config of configs) {
      if (this.byName.has(config.name)) throw new Error(`duplicate cluster name "${config.name}"`);
      const cluster = new Cluster(config);
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

  /**
   * Starts DNS discovery and waits (at most initialDnsTimeoutMs) for the first resolution of every
   * STRICT_DNS cluster. A cluster still unresolved then has no hosts (503 UH) until its lookup lands.
   */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.initialDnsTimeoutMs);
    });
    try {
      await Promise.race([Promise.all(this.discoveries.map((d) => d.start())), timeout]);
    } finally {
      clearTimeout(timer);
    }
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
