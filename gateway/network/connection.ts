// The seam between a listener (accept, filter-chain match, TLS) and what serves a connection after its
// network filters: the HTTP connection manager or tcp_proxy. Filled once per connection.
import type { Duplex } from 'node:stream';

// The connection's description lives in the SDK, where network filters read it.
import type { DownstreamConnectionInfo } from '../../sdk/connection-info.js';
export type { DownstreamConnectionInfo, DownstreamTlsInfo, PeerCertificateInfo } from '../../sdk/connection-info.js';

export interface ConnectionTerminal {
  /** Takes a connection after the network filters (already TLS-terminated when its chain has a transport socket). */
  accept(socket: Duplex, info: DownstreamConnectionInfo): void;
  /** Reload/shutdown: idle connections close now, busy ones finish (HTTP: `connection: close`), the rest are cut after drainMs. */
  drain(drainMs: number): Promise<void>;
}
