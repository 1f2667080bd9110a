// The terminal of a filter chain: its last entry, http_connection_manager or tcp_proxy (validated), and the
// network filters before it.
import type { FilterChainConfig, HttpConnectionManagerConfig, NetworkFilterConfig, TcpProxyConfig } from '../config/types.js';

export type TerminalConfig =
  | { readonly name: 'http_connection_manager'; readonly config: HttpConnectionManagerConfig }
  | { readonly name: 'tcp_proxy'; readonly config: TcpProxyConfig };

export const TERMINAL_NAMES: readonly string[] = ['http_connection_manager', 'tcp_proxy'];

/** The chain's terminal (a validated config always has one, last). */
export function terminalOf(chain: FilterChainConfig): TerminalConfig {
  const last = chain.filters[chain.filters.length - 1]!;
  return last as unknown as TerminalConfig;
}

/** The chain's HTTP connection manager, or null when its terminal is tcp_proxy. */
export function httpConnectionManagerOf(chain: FilterChainConfig): HttpConnectionManagerConfig | null {
  const t = terminalOf(chain);
  return t.name === 'http_connection_manager' ? t.config : null;
}

/** The network filters in front of the terminal. */
export function networkFiltersOf(chain: FilterChainConfig): readonly NetworkFilterConfig[] {
  return chain.filters.slice(0, -1);
}
