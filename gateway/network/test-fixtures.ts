// Helpers for the network tests: TCP echo upstreams, a front listener that hands every connection to a
// network filter chain (built from a validated config as the gateway builds it), and TCP clients with
// bounded waits. Everything started is stopped by its close().
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';
import { pino } from 'pino';
import type { DownstreamConnectionInfo } from '../../sdk/connection-info.js';
import { Disposers } from '../../sdk/disposers.js';
import type { NetworkFilterFactory } from '../../sdk/network-filter.js';
import { builtinNetworkFilters } from '../../filters/network/index.js';
import { ClusterManager } from '../cluster/cluster-manager.js';
import { validateConfig } from '../config/validate.js';
import type { GatewayConfig } from '../config/types.js';
import { FilterRegistry } from '../http/filter-registry.js';
import { StatsStore } from '../stats/store.js';
import { buildNetworkFilterChain } from './filter-chain.js';
import type { NetworkFilterChain } from './filter-chain.js';
import { TcpProxy } from './tcp-proxy.js';
import { networkFiltersOf, terminalOf } from './terminal-config.js';
import { wasmNetworkFilter } from '../wasm/network-filter.js';

export interface TcpEcho {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections open now. */
  readonly open: number;
  close(): Promise<void>;
}

/** A TCP server that sends back what it receives, and ends its side when the client ends its own. */
export async function startTcpEcho(): Promise<TcpEcho> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    accepted++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await listen(server);
  return {
    port: (server.address() as AddressInfo).port,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    close: () => closeServer(server, sockets),
  };
}

export interface FrontListener {
  readonly port: number;
  readonly stats: StatsStore;
  readonly clusters: ClusterManager;
  readonly chain: NetworkFilterChain;
  /** The tcp_proxy terminal of the chain. */
  readonly proxy: TcpProxy;
  close(): Promise<void>;
}

let nextConnectionId = 1;

/** What the listener knows of an accepted plain TCP connection. */
export function connectionInfo(socket: Socket): DownstreamConnectionInfo {
  return {
    id: nextConnectionId++,
    sourceAddress: socket.remoteAddress ?? '',
    sourcePort: socket.remotePort ?? 0,
    destinationAddress: socket.localAddress ?? '',
    destinationPort: socket.localPort ?? 0,
    transportProtocol: 'raw_buffer',
    serverName: '',
    alpn: '',
    tls: null,
  };
}

export function testRegistry(extra: NetworkFilterFactory[] = []): FilterRegistry {
  const registry = new FilterRegistry();
  for (const f of builtinNetworkFilters) registry.register(f);
  registry.register(wasmNetworkFilter);
  for (const f of extra) registry.register(f);
  return registry;
}

/**
 * Validates `raw` (a gateway config whose first listener's first chain ends in tcp_proxy), builds its clusters
 * and that chain, and listens on 127.0.0.1:0 with a plain net.Server handing each connection to the chain.
 */
export async function startFrontListener(
  raw: unknown,
  opts: { registry?: FilterRegistry; configDir?: string; random?: () => number; overrides?: Partial<DownstreamConnectionInfo> } = {},
): Promise<FrontListener> {
  const registry = opts.registry ?? testRegistry();
  const configDir = opts.configDir ?? process.cwd();
  const config: GatewayConfig = await validateConfig(raw, { configDir, resolveFilter: registry.resolve, resolveNetworkFilter: registry.resolveNetwork });
  const log = pino({ level: 'silent' });
  const stats = new StatsStore();
  const clusters = new ClusterManager(config.clusters, log, { stats });
  await clusters.start();
  const listener = config.listeners[0]!;
  const chainConfig = listener.filter_chains[0]!;
  const terminal = terminalOf(chainConfig);
  if (terminal.name !== 'tcp_proxy') throw new Error('startFrontListener needs a tcp_proxy chain');
  const proxy = new TcpProxy(terminal.config, clusters, stats, log, opts.random);
  const disposers = new Disposers();
  const chain = await buildNetworkFilterChain(networkFiltersOf(chainConfig), proxy, { registry, configDir, stats, log, listenerName: listener.name, disposers });
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    chain.accept(socket, { ...connectionInfo(socket), ...opts.overrides });
  });
  await listen(server);
  return {
    port: (server.address() as AddressInfo).port,
    stats,
    clusters,
    chain,
    proxy,
    close: async () => {
      await closeServer(server, sockets);
      await disposers.dispose();
      await clusters.close();
    },
  };
}

/** A gateway config with one listener whose chain is `filters` then tcp_proxy to `cluster`, and the given clusters. */
export function tcpProxyConfig(opts: {
  filters?: unknown[];
  tcpProxy?: Record<string, unknown>;
  clusters: { name: string; ports: number[]; extra?: Record<string, unknown> }[];
}): unknown {
  return {
    listeners: [
      {
        name: 'tcp',
        port: 0,
        filter_chains: [
          {
            filters: [
              ...(opts.filters ?? []),
              { name: 'tcp_proxy', config: { stat_prefix: 'test', cluster: opts.clusters[0]!.name, ...opts.tcpProxy } },
            ],
          },
        ],
      },
    ],
    clusters: opts.clusters.map((c) => ({
      name: c.name,
      connect_timeout: '1s',
      endpoints: c.ports.map((port) => ({ address: '127.0.0.1', port })),
      ...c.extra,
    })),
  };
}

export interface TcpResult {
  data: Buffer;
  /** The gateway ended its side cleanly ('end'), rather than resetting the connection. */
  ended: boolean;
}

/** Connects, sends `data`, ends its side, and collects what comes back until the connection closes (bounded). */
export function exchange(port: number, data: string | Buffer, timeoutMs = 10_000): Promise<TcpResult> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    let ended = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms (received ${Buffer.concat(chunks).length} bytes)`));
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      ended = true;
      socket.end();
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ data: Buffer.concat(chunks), ended });
    });
    socket.end(data);
  });
}

/** A client connection whose received bytes and close can be awaited. */
export interface TcpClient {
  readonly socket: Socket;
  received(): Buffer;
  /** Waits until `predicate(received bytes)` holds. */
  waitFor(predicate: (data: Buffer) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Waits for the connection to close. */
  closed(timeoutMs?: number): Promise<void>;
}

export async function openClient(port: number): Promise<TcpClient> {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  socket.on('error', () => {});
  const chunks: Buffer[] = [];
  let isClosed = false;
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((l) => l());
  socket.on('data', (c: Buffer) => {
    chunks.push(c);
    notify();
  });
  // The gateway ending its side ends the client's too, as a client without half-close does.
  socket.on('end', () => socket.end());
  socket.on('close', () => {
    isClosed = true;
    notify();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const received = (): Buffer => Buffer.concat(chunks);
  const wait = (ok: () => boolean, what: string, timeoutMs: number): Promise<void> =>
    new Promise((resolve, reject) => {
      if (ok()) return resolve();
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (received ${JSON.stringify(received().toString().slice(0, 200))}, closed=${isClosed})`));
      }, timeoutMs);
      const check = (): void => {
        if (!ok()) return;
        clearTimeout(timer);
        listeners.delete(check);
        resolve();
      };
      listeners.add(check);
    });
  return {
    socket,
    received,
    waitFor: (predicate, what, timeoutMs = 10_000) => wait(() => predicate(received()), what, timeoutMs),
    closed: (timeoutMs = 10_000) => wait(() => isClosed, 'the connection to close', timeoutMs),
  };
}

/** Polls `condition` until it holds (bounded). */
export async function eventually(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  for (const s of sockets) s.destroy();
  return new Promise((resolve) => server.close(() => resolve()));
}
