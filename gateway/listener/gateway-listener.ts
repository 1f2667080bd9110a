// What the gateway needs of a listener, whatever it speaks (HTTP today; TLS, filter-chain match and
// TCP below it): bind, report its address, take over a reloaded config's chains, drain and close.
import type { AddressInfo } from 'node:net';
import type { ListenerConfig } from '../config/types.js';

export interface GatewayListener {
  readonly config: ListenerConfig;
  listen(): Promise<void>;
  address(): AddressInfo;
  /**
   * Reload of a listener whose name, address and port did not change: this listener keeps its socket and
   * serves new connections with `next`'s filter chains (`next` was built but never listened). The chains it
   * had drain: idle keep-alive connections are closed at once, busy ones get `connection: close` on their
   * next response, and whatever is left after `drainMs` is cut. Resolves when the old chains are drained.
   */
  adopt(next: this, drainMs: number): Promise<void>;
  /** Stops accepting, lets what is in flight finish for at most `drainMs`, then cuts what is left. */
  close(drainMs: number): Promise<void>;
}
