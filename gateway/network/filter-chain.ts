// A filter chain's network part: its network filters, resolved once per config load, in front of its
// terminal (the HTTP connection manager or tcp_proxy). The listener hands it every connection the chain's
// filter_chain_match selected; it is a ConnectionTerminal itself, so a chain without network filters costs
// one call.
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { DownstreamConnectionInfo } from '../../sdk/connection-info.js';
import type { FilterStats } from '../../sdk/filter.js';
import type { NetworkChainEntry } from '../../sdk/network-connection.js';
import { filterMatchers } from '../../sdk/matching/filter-matchers.js';
import type { Disposers } from '../../sdk/disposers.js';
import type { NetworkFilterConfig } from '../config/types.js';
import type { FilterRegistry } from '../http/filter-registry.js';
import type { StatsStore } from '../stats/store.js';
import type { ConnectionTerminal } from './connection.js';
import { FilteredConnection } from './filtered-connection.js';

export interface NetworkChainBuildContext {
  readonly registry: FilterRegistry;
  readonly configDir: string;
  readonly stats: StatsStore;
  readonly log: Logger;
  /** The listener's name: a filter's failures count as `listener.<name>.network_filter.<filter>.errors`. */
  readonly listenerName: string;
  /** The build's dispose hooks: every filter instance created here registers its own (ctx.onDispose). */
  readonly disposers: Disposers;
}

export class NetworkFilterChain implements ConnectionTerminal {
  constructor(
    readonly entries: readonly NetworkChainEntry[],
    readonly terminal: ConnectionTerminal,
    private readonly log: Logger,
    private readonly stats: FilterStats,
  ) {}

  accept(socket: Duplex, info: DownstreamConnectionInfo): void {
    if (this.entries.length === 0) {
      this.terminal.accept(socket, info);
      return;
    }
    new FilteredConnection(this.entries, info, socket, this.terminal, this.log, this.stats).begin();
  }

  drain(drainMs: number): Promise<void> {
    return this.terminal.drain(drainMs);
  }
}

/** Resolves, validates (already done by the config validator) and creates each network filter of a chain. */
export async function buildNetworkFilterChain(
  filters: readonly NetworkFilterConfig[],
  terminal: ConnectionTerminal,
  ctx: NetworkChainBuildContext,
): Promise<NetworkFilterChain> {
  const entries: NetworkChainEntry[] = [];
  const errorsScope = ctx.stats.scope('listener', 'listener', ctx.listenerName).scope('network_filter');
  for (const config of filters) {
    const factory = await ctx.registry.resolveNetwork(config, ctx.configDir);
    const log = ctx.log.child({ network_filter: config.name });
    const create = await factory.create(config.config ?? {}, {
      filterName: config.name,
      configDir: ctx.configDir,
      log,
      stats: ctx.stats,
      matchers: filterMatchers,
      onDispose: (fn) => ctx.disposers.add(fn, log),
    });
    entries.push({ name: config.name, failOpen: config.fail_open === true, create, stats: ctx.stats, log, errors: errorsScope.counter(`${config.name}.errors`) });
  }
  return new NetworkFilterChain(entries, terminal, ctx.log, ctx.stats);
}
