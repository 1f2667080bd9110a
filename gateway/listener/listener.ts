// A listener: one net.Server on an address. Per connection it picks the filter chain once (Envoy's
// filter_chain_match, with the TLS inspector when a chain matches on SNI, ALPN or TLS-or-not),
// terminates TLS when the chain has a transport socket, and hands the connection to the chain's
// terminal (its network filters, then the HTTP connection manager or tcp_proxy). A plain listener
// with one chain and no match pays nothing of this: the socket goes straight to the terminal.
import { createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { Server as TlsServer } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { FilterChainMatch, ListenerConfig } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import type { ConnectionTerminal, DownstreamConnectionInfo, DownstreamTlsInfo } from '../network/connection.js';
import type { CounterStat, StatsStore } from '../stats/store.js';
import { normalizeAddress } from '../http/request-headers.js';
import { FilterChainSelector } from './filter-chain-match.js';
import type { ConnectionFacts } from './filter-chain-match.js';
import type { GatewayListener } from './gateway-listener.js';
import { inspect } from './tls-inspector.js';
import type { InspectResult } from './tls-inspector.js';
import type { ServerTlsContext, VerifyFailure } from './tls-context.js';
import { downstreamTlsInfo } from './peer-certificate.js';

/** One filter chain, built: what the listener needs of it. */
export interface ListenerChain {
  /** The chain's name, or `filter_chains[i]` / `default_filter_chain`, for logs. */
  readonly name: string;
  readonly match: FilterChainMatch | undefined;
  readonly tls: ServerTlsContext | null;
  /** The network filters in front of the terminal (gateway/network/filter-chain.ts), or the terminal itself. */
  readonly terminal: ConnectionTerminal;
}

interface ListenerStats {
  readonly cxTotal: CounterStat;
  readonly noFilterChainMatch: CounterStat;
  readonly preCxTimeout: CounterStat;
  readonly tlsNotFound: CounterStat;
  readonly tlsFound: CounterStat;
  readonly clientHelloInvalid: CounterStat;
  readonly handshake: CounterStat;
  readonly connectionError: CounterStat;
  readonly verifyFailures: Record<VerifyFailure, CounterStat>;
}

/** A built chain with its TLS server (never listening: fed each socket of the chain). */
interface ChainRuntime {
  readonly chain: ListenerChain;
  readonly tlsServer: TlsServer | null;
}

/** What a config generation serves with; adopt() swaps it whole. */
interface Generation {
  readonly config: ListenerConfig;
  readonly selector: FilterChainSelector<ChainRuntime>;
  readonly runtimes: readonly ChainRuntime[];
  readonly inspectTimeoutMs: number;
}

let nextConnectionId = 1;

/** Facts read lazily from the socket: a connection that needs none of them costs none of the syscalls. */
class SocketConnectionInfo implements DownstreamConnectionInfo {
  readonly id = nextConnectionId++;
  constructor(
    private readonly socket: Socket,
    readonly transportProtocol: 'tls' | 'raw_buffer',
    readonly serverName: string,
    readonly alpn: string,
    readonly tls: DownstreamTlsInfo | null,
  ) {}
  get sourceAddress(): string {
    return normalizeAddress(this.socket.remoteAddress);
  }
  get sourcePort(): number {
    return this.socket.remotePort ?? 0;
  }
  get destinationAddress(): string {
    return normalizeAddress(this.socket.localAddress);
  }
  get destinationPort(): number {
    return this.socket.localPort ?? 0;
  }
}

const NO_ALPN: readonly string[] = [];

export class Listener implements GatewayListener {
  readonly server: Server;
  private gen: Generation;
  private readonly stats: ListenerStats;
  /** Connections in the TLS inspector or handshake (and TLS ones until they close): what close() cuts after the drain. */
  private readonly pending = new Set<Socket>();

  constructor(
    config: ListenerConfig,
    chains: readonly ListenerChain[],
    defaultChain: ListenerChain | null,
    stats: StatsStore,
    private readonly log: Logger,
  ) {
    const s = stats.scope('listener', 'listener', config.name);
    this.stats = {
      cxTotal: s.counter('downstream_cx_total'),
      noFilterChainMatch: s.counter('no_filter_chain_match'),
      preCxTimeout: s.counter('downstream_pre_cx_timeout'),
      tlsFound: s.counter('tls_inspector.tls_found'),
      tlsNotFound: s.counter('tls_inspector.tls_not_found'),
      clientHelloInvalid: s.counter('tls_inspector.client_hello_invalid'),
      handshake: s.counter('ssl.handshake'),
      connectionError: s.counter('ssl.connection_error'),
      verifyFailures: {
        fail_verify_no_cert: s.counter('ssl.fail_verify_no_cert'),
        fail_verify_error: s.counter('ssl.fail_verify_error'),
        fail_verify_san: s.counter('ssl.fail_verify_san'),
      },
    };
    this.gen = this.generation(config, chains, defaultChain);
    // allowHalfOpen: tcp_proxy forwards half-closes; node:http ends its side itself.
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, this.onConnection);
  }

  get config(): ListenerConfig {
    return this.gen.config;
  }

  private generation(config: ListenerConfig, chains: readonly ListenerChain[], defaultChain: ListenerChain | null): Generation {
    const timeoutMs = parseDuration(config.listener_filters_timeout);
    const runtime = (chain: ListenerChain): ChainRuntime => ({ chain, tlsServer: chain.tls === null ? null : this.tlsServer(chain, timeoutMs) });
    const runtimes = chains.map(runtime);
    const fallback = defaultChain === null ? null : runtime(defaultChain);
    const selector = new FilterChainSelector(
      runtimes.map((r) => ({ match: r.chain.match, value: r })),
      fallback,
    );
    return { config, selector, runtimes: fallback === null ? runtimes : [...runtimes, fallback], inspectTimeoutMs: timeoutMs };
  }

  /** node's TLS server does the handshake and its timeout (we check the client certificate: onSecure); it never listens. */
  private tlsServer(chain: ListenerChain, handshakeTimeoutMs: number): TlsServer {
    const server = new TlsServer({ ...chain.tls!.serverOptions, handshakeTimeout: handshakeTimeoutMs, allowHalfOpen: true });
    server.on('secureConnection', (socket: TLSSocket) => this.onSecure(chain, socket));
    server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
      this.stats.connectionError.inc();
      this.log.debug({ listener: this.config.name, chain: chain.name, err: err.message, remote: socket.remoteAddress }, 'TLS handshake failed');
    });
    return server;
  }

  private readonly onConnection = (socket: Socket): void => {
    this.stats.cxTotal.inc();
    const gen = this.gen;
    const only = gen.selector.only;
    if (only !== null && only.tlsServer === null) {
      only.chain.terminal.accept(socket, new SocketConnectionInfo(socket, 'raw_buffer', '', '', null));
      return;
    }
    socket.on('error', ignoreError); // until the chain's owner takes it (a reset in the inspector is not ours to throw)
    if (!gen.selector.needsInspector) {
      this.route(gen, socket, 'raw_buffer', '', NO_ALPN);
      return;
    }
    this.pending.add(socket);
    inspect(socket, gen.inspectTimeoutMs, (r: InspectResult) => {
      this.pending.delete(socket);
      if (r.kind === 'tls' || r.kind === 'not_tls') {
        (r.kind === 'tls' ? this.stats.tlsFound : this.stats.tlsNotFound).inc();
        if (r.kind === 'tls') this.route(gen, socket, 'tls', r.serverName, r.alpn);
        else this.route(gen, socket, 'raw_buffer', '', NO_ALPN);
        return;
      }
      if (r.kind === 'timeout') this.stats.preCxTimeout.inc();
      else if (r.kind === 'invalid') this.stats.clientHelloInvalid.inc();
      socket.destroy();
    });
  };

  /** Picks the chain (once) and hands the socket on: to its TLS server, or to its terminal. */
  private route(gen: Generation, socket: Socket, transportProtocol: 'tls' | 'raw_buffer', serverName: string, alpn: readonly string[]): void {
    const facts: ConnectionFacts = {
      destinationPort: socket.localPort ?? 0,
      sourceAddress: socket.remoteAddress ?? '',
      transportProtocol,
      serverName,
      alpn,
    };
    const runtime = gen.selector.select(facts);
    if (runtime === null) {
      this.stats.noFilterChainMatch.inc();
      this.log.debug({ listener: gen.config.name, server_name: serverName, source: facts.sourceAddress }, 'no filter chain matches the connection');
      socket.destroy();
      return;
    }
    if (runtime.tlsServer !== null) {
      this.pending.add(socket);
      socket.once('close', () => this.pending.delete(socket));
      // No resume(): TLS reads the socket itself (and what the inspector put back); resuming would drop those bytes.
      runtime.tlsServer.emit('connection', socket);
      return;
    }
    socket.off('error', ignoreError);
    // Still paused: the terminal reads when it is ready (tcp_proxy once its upstream is connected).
    runtime.chain.terminal.accept(socket, new SocketConnectionInfo(socket, transportProtocol, serverName, '', null));
  }

  private onSecure(chain: ListenerChain, socket: TLSSocket): void {
    const tls = downstreamTlsInfo(socket);
    const failure = chain.tls!.verify(socket, tls.peerCertificate);
    if (failure !== null) {
      this.stats.verifyFailures[failure].inc();
      this.log.debug(
        { listener: this.config.name, chain: chain.name, reason: failure, error: socket.authorizationError?.message ?? socket.authorizationError },
        'client certificate refused',
      );
      socket.destroy();
      return;
    }
    this.stats.handshake.inc();
    const serverName = typeof socket.servername === 'string' ? socket.servername.toLowerCase() : '';
    const alpn = typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : '';
    chain.terminal.accept(socket, new SocketConnectionInfo(socket, 'tls', serverName, alpn, tls));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const c = this.config;
      const onError = (err: Error): void => reject(new Error(`listener ${c.name}: cannot listen on ${c.address}:${c.port}: ${err.message}`));
      this.server.once('error', onError);
      this.server.listen(c.port, c.address, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** New connections get `next`'s chains (and certificates); the chains this listener had drain. */
  async adopt(next: this, drainMs: number): Promise<void> {
    const old = this.gen;
    this.gen = next.gen;
    await Promise.all(old.runtimes.map((r) => r.chain.terminal.drain(drainMs)));
  }

  async close(drainMs: number): Promise<void> {
    const closed = this.server.listening ? new Promise<void>((resolve) => this.server.close(() => resolve())) : Promise.resolve();
    await Promise.all(this.gen.runtimes.map((r) => r.chain.terminal.drain(drainMs)));
    // What is left was never handed to a terminal: still in the inspector or the TLS handshake.
    for (const s of this.pending) s.destroy();
    await closed;
  }
}

function ignoreError(): void {}
