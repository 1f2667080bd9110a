// A listener: a node:http server on one address, handing every request to its connection manager.
// HTTP parsing is node's (llhttp); see docs/decisions.md for why it is not fastify on this path.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenerConfig, HttpConnectionManagerConfig } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import type { ConnectionManager } from '../http/connection-manager.js';

export class HttpListener {
  readonly server: Server;

  constructor(
    readonly config: ListenerConfig,
    hcmConfig: HttpConnectionManagerConfig,
    readonly hcm: ConnectionManager,
  ) {
    const requestTimeout = hcmConfig.request_timeout ? parseDuration(hcmConfig.request_timeout) : 0;
    const headersTimeout = parseDuration(hcmConfig.request_headers_timeout);
    this.server = createServer({
      // node requires headersTimeout <= requestTimeout when both are set
      requestTimeout,
      headersTimeout: requestTimeout > 0 ? Math.min(headersTimeout, requestTimeout) : headersTimeout,
      noDelay: true,
    });
    this.server.keepAliveTimeout = parseDuration(hcmConfig.common_http_protocol_options.idle_timeout);
    this.server.timeout = parseDuration(hcmConfig.stream_idle_timeout);
    this.server.on('request', hcm.handle);
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(new Error(`listener ${this.config.name}: cannot listen on ${this.config.address}:${this.config.port}: ${err.message}`));
      this.server.once('error', onError);
      this.server.listen(this.config.port, this.config.address, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /**
   * Stops accepting, lets requests in flight finish for at most `drainMs`, then cuts what is left.
   * Idle keep-alive connections are closed at once; busy ones get `connection: close` from node.
   */
  async close(drainMs: number): Promise<void> {
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs)));
    await Promise.race([this.hcm.whenIdle(), deadline]);
    clearTimeout(timer);
    this.server.closeAllConnections();
    await closed;
  }
}
