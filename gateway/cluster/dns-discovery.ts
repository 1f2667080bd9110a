// STRICT_DNS: every endpoint address is a name resolved again every dns_refresh_rate; each resolved IP is
// a host. Hosts whose IP stays keep their Host object and pool; a failed lookup keeps that endpoint's
// previous hosts (and counts update_failure).
import { promises as dns, type LookupAddress } from 'node:dns';
import type { Logger } from 'pino';
import { parseDuration } from '../config/duration.js';
import type { Cluster } from './cluster.js';
import type { Host } from './host.js';

/** The slice of `dns.promises.lookup` used here, so tests can stand in for DNS. */
export type DnsLookup = (hostname: string, options: { all: true; family: 0 | 4 | 6 }) => Promise<LookupAddress[]>;

const FAMILY = { AUTO: 0, V4_ONLY: 4, V6_ONLY: 6 } as const;

export class DnsDiscovery {
  /** Per endpoint (same index as config.endpoints): resolved IP → its host. */
  private readonly resolved: Map<string, Host>[];
  /** Per endpoint: whether its last lookup failed (failures are logged when they start and end, not each time). */
  private readonly failing: boolean[];
  private readonly refreshMs: number;
  private readonly family: 0 | 4 | 6;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly log: Logger,
    private readonly lookup: DnsLookup = dns.lookup,
  ) {
    this.resolved = cluster.config.endpoints.map(() => new Map());
    this.failing = cluster.config.endpoints.map(() => false);
    this.refreshMs = parseDuration(cluster.config.dns_refresh_rate);
    this.family = FAMILY[cluster.config.dns_lookup_family];
  }

  /** Resolves every endpoint once, then keeps refreshing until stop(). Settles after the first resolution. */
  start(): Promise<void> {
    return this.refresh().finally(() => this.scheduleRefresh());
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  /** One round of lookups; updates the cluster's hosts when the resolved set changed. */
  async refresh(): Promise<void> {
    const endpoints = this.cluster.config.endpoints;
    const options = { all: true, family: this.family } as const;
    const results = await Promise.allSettled(endpoints.map((e) => this.lookup(e.address, options)));
    if (this.stopped) return;
    const stats = this.cluster.stats;
    const hosts: Host[] = [];
    let changed = false;
    for (let i = 0; i < endpoints.length; i++) {
      const result = results[i];
      const previous = this.resolved[i];
      stats.update_attempt.inc();
      if (result.status === 'rejected' || result.value.length === 0) {
        stats.update_failure.inc();
        if (!this.failing[i]) {
          this.failing[i] = true;
          const err = result.status === 'rejected' ? String(result.reason) : 'no address';
          const fields = { cluster: this.cluster.name, address: endpoints[i].address, err };
          this.log.warn(fields, 'DNS resolution failed, keeping the last hosts');
        }
        hosts.push(...previous.values());
        continue;
      }
      stats.update_success.inc();
      if (this.failing[i]) {
        this.failing[i] = false;
        this.log.info({ cluster: this.cluster.name, address: endpoints[i].address }, 'DNS resolution recovered');
      }
      const current = new Map<string, Host>();
      for (const ip of this.preferredAddresses(result.value)) {
        if (current.has(ip)) continue;
        let host = previous.get(ip);
        if (host === undefined) {
          host = this.cluster.createHost(endpoints[i], ip);
          changed = true;
        }
        current.set(ip, host);
      }
      // No new IP and the same count means the same set; otherwise some IP is gone.
      if (current.size !== previous.size) changed = true;
      this.resolved[i] = current;
      hosts.push(...current.values());
    }
    if (!changed) return;
    this.cluster.setHosts(hosts);
    this.log.info({ cluster: this.cluster.name, hosts: hosts.map((h) => h.hostname) }, 'cluster hosts changed');
  }

  /** AUTO behaves as Envoy's: IPv6 addresses when there are any, else IPv4. */
  private preferredAddresses(addresses: LookupAddress[]): string[] {
    const hasV6 = this.family === 0 && addresses.some((a) => a.family === 6);
    return addresses.filter((a) => !hasV6 || a.family === 6).map((a) => a.address);
  }

  private scheduleRefresh(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.refresh()
        // refresh() only throws on a bug (lookups are settled): say so, and keep discovering.
        .catch((err: unknown) => {
          this.cluster.stats.update_failure.inc();
          this.log.error({ err, cluster: this.cluster.name }, 'DNS refresh failed');
        })
        .finally(() => this.scheduleRefresh());
    }, this.refreshMs);
    this.timer.unref();
  }
}
