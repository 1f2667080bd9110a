// Envoy's tcp_proxy as a terminal: each downstream connection gets a connection to a host of its cluster (or
// of one of its weighted clusters), chosen by the cluster's load balancer over its healthy, non-ejected hosts,
// and the two are piped both ways with backpressure and half-close. A connect failure or timeout is an
// outlier-detection local-origin failure of that host, and is tried again on another host up to
// max_connect_attempts. Stats: tcp.<stat_prefix>.* as Envoy's.
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { DownstreamConnectionInfo } from '../../sdk/connection-info.js';
import type { TcpProxyConfig } from '../config/types.js';
import { parseDuration } from '../config/duration.js';
import type { ClusterManager } from '../cluster/cluster-manager.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Host } from '../cluster/host.js';
import { compileClusterPicker } from '../router/weighted.js';
import type { RandomSource } from '../router/weighted.js';
import type { CounterStat, StatsStore } from '../stats/store.js';
import type { ConnectionTerminal } from './connection.js';
import { TerminalSide } from './filtered-connection.js';

interface TcpProxyStats {
  readonly downstream_cx_total: CounterStat;
  /** The cluster named by the config is gone (cannot happen with a validated config, kept for Envoy parity). */
  readonly downstream_cx_no_route: CounterStat;
  readonly downstream_cx_rx_bytes_total: CounterStat;
  readonly downstream_cx_tx_bytes_total: CounterStat;
  /** No healthy host to connect to (Envoy counts it on the cluster as upstream_cx_none_healthy; flag UH). */
  readonly upstream_cx_none_healthy: CounterStat;
  /** Every attempt failed (max_connect_attempts reached; flag UF). */
  readonly upstream_connect_attempts_exceeded: CounterStat;
  readonly idle_timeout: CounterStat;
}

export class TcpProxy implements ConnectionTerminal {
  readonly stats: TcpProxyStats;
  readonly idleTimeoutMs: number;
  readonly maxConnectAttempts: number;
  readonly pickCluster: () => string;
  private readonly sessions = new Set<TcpProxySession>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    readonly config: TcpProxyConfig,
    readonly clusters: ClusterManager,
    stats: StatsStore,
    readonly log: Logger,
    random: RandomSource = Math.random,
  ) {
    const scope = stats.scope('tcp', 'stat_prefix', config.stat_prefix);
    this.stats = {
      downstream_cx_total: scope.counter('downstream_cx_total'),
      downstream_cx_no_route: scope.counter('downstream_cx_no_route'),
      downstream_cx_rx_bytes_total: scope.counter('downstream_cx_rx_bytes_total'),
      downstream_cx_tx_bytes_total: scope.counter('downstream_cx_tx_bytes_total'),
      upstream_cx_none_healthy: scope.counter('upstream_cx_none_healthy'),
      upstream_connect_attempts_exceeded: scope.counter('upstream_connect_attempts_exceeded'),
      idle_timeout: scope.counter('idle_timeout'),
    };
    this.idleTimeoutMs = parseDuration(config.idle_timeout);
    this.maxConnectAttempts = config.max_connect_attempts;
    this.pickCluster = compileClusterPicker(config, random);
  }

  /** Connections being proxied now. */
  get active(): number {
    return this.sessions.size;
  }

  accept(socket: Duplex, info: DownstreamConnectionInfo): void {
    this.stats.downstream_cx_total.inc();
    const session = new TcpProxySession(this, socket, info);
    this.sessions.add(session);
    session.start();
  }

  sessionDone(session: TcpProxySession): void {
    this.sessions.delete(session);
    if (this.sessions.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** A raw TCP stream has no request boundary to stop at: connections keep going for drainMs, then are cut. */
  async drain(drainMs: number): Promise<void> {
    if (this.sessions.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, drainMs))),
      ]);
      clearTimeout(timer);
    }
    for (const s of [...this.sessions]) s.cut();
  }
}

/** One downstream connection and its upstream connection. */
class TcpProxySession {
  private upstream: Socket | null = null;
  private cluster: Cluster | null = null;
  private tried: Set<Host> | null = null;
  private attempts = 0;
  private connectTimer: NodeJS.Timeout | null = null;
  private done = false;

  constructor(
    private readonly proxy: TcpProxy,
    private readonly downstream: Duplex,
    private readonly info: DownstreamConnectionInfo,
  ) {}

  start(): void {
    const downstream = this.downstream;
    // Nothing is read from the client until there is an upstream to write it to.
    downstream.pause();
    downstream.on('error', () => {}); // 'close' follows
    downstream.once('close', () => this.finish());
    const name = this.proxy.pickCluster();
    const cluster = this.proxy.clusters.get(name);
    if (cluster === undefined) {
      this.proxy.stats.downstream_cx_no_route.inc();
      this.fail(`no cluster "${name}"`);
      return;
    }
    this.cluster = cluster;
    this.connectNext();
  }

  /** Reload or shutdown past its drain time. */
  cut(): void {
    this.upstream?.destroy();
    this.downstream.destroy();
  }

  private connectNext(): void {
    const cluster = this.cluster!;
    const host = cluster.chooseHost(undefined, this.tried);
    if (host === null || (this.tried !== null && this.tried.has(host))) {
      if (this.attempts === 0) {
        this.proxy.stats.upstream_cx_none_healthy.inc();
        this.fail(`no healthy host in cluster "${cluster.name}"`);
      } else this.attemptsExceeded();
      return;
    }
    this.attempts++;
    cluster.stats.upstream_cx_total.inc();
    // The cluster's transport_socket tls, when it has one: a TLS failure is a connect failure like any.
    const tls = cluster.tls?.forHost(host.address) ?? null;
    const upstream = tls === null ? connect({ host: host.address, port: host.port, noDelay: true }) : tlsConnect({ host: host.address, port: host.port, ...tls });
    this.upstream = upstream;
    const onError = (err: Error): void => this.connectFailed(upstream, host, err.message === CONNECT_TIMEOUT ? 'timeout' : 'connect');
    upstream.once('error', onError);
    this.connectTimer = setTimeout(() => upstream.destroy(new Error(CONNECT_TIMEOUT)), parseDuration(cluster.config.connect_timeout));
    upstream.once(tls === null ? 'connect' : 'secureConnect', () => {
      upstream.off('error', onError);
      if (tls !== null) upstream.setNoDelay(true);
      this.connected(upstream, host);
    });
  }

  private connectFailed(upstream: Socket, host: Host, outcome: 'connect' | 'timeout'): void {
    this.clearConnectTimer();
    upstream.destroy();
    const cluster = this.cluster!;
    cluster.stats.upstream_cx_connect_fail.inc();
    cluster.reportResult(host, outcome);
    if (this.done) return;
    if (this.attempts >= this.proxy.maxConnectAttempts) {
      this.attemptsExceeded();
      return;
    }
    (this.tried ??= new Set()).add(host);
    this.connectNext();
  }

  private attemptsExceeded(): void {
    this.proxy.stats.upstream_connect_attempts_exceeded.inc();
    this.fail(`${this.attempts} connect attempt(s) to cluster "${this.cluster!.name}" failed`);
  }

  private connected(upstream: Socket, host: Host): void {
    this.clearConnectTimer();
    const cluster = this.cluster!;
    if (this.done) {
      upstream.destroy();
      return;
    }
    const stats = this.proxy.stats;
    const downstream = this.downstream;
    // A connection made is a local-origin success for outlier detection; the host counts it as active
    // (least_request weighs hosts by it).
    cluster.reportResult(host, 200);
    if (downstream instanceof TerminalSide) downstream.upstreamHost = host.hostname;
    cluster.stats.upstream_cx_active.add(1);
    host.activeRequests++;
    upstream.on('error', () => {}); // 'close' follows
    upstream.once('close', (hadError) => {
      cluster.stats.upstream_cx_active.add(-1);
      host.activeRequests--;
      // A reset upstream resets the client; a clean close has already ended it through the pipe.
      if (hadError) downstream.destroy();
      else if (!downstream.writableEnded) downstream.end();
    });
    if (this.proxy.idleTimeoutMs > 0) {
      // Every byte either way passes through the upstream socket: its inactivity is the connection's.
      upstream.setTimeout(this.proxy.idleTimeoutMs, () => {
        stats.idle_timeout.inc();
        this.cut();
      });
    }
    downstream.on('data', (chunk: Buffer) => stats.downstream_cx_rx_bytes_total.inc(chunk.length));
    upstream.on('data', (chunk: Buffer) => stats.downstream_cx_tx_bytes_total.inc(chunk.length));
    // pipe() gives backpressure both ways and half-close: the end of one side ends the other's writing.
    downstream.pipe(upstream);
    upstream.pipe(downstream);
  }

  /** No upstream for this connection: close the client. */
  private fail(reason: string): void {
    this.proxy.log.debug({ connection: this.info.id, reason }, 'tcp_proxy: closing the connection');
    this.downstream.destroy();
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.clearConnectTimer();
    // The client went away: so does the upstream (pipe has ended it already when the client half-closed first).
    this.upstream?.destroy();
    this.proxy.sessionDone(this);
  }

  private clearConnectTimer(): void {
    if (this.connectTimer !== null) clearTimeout(this.connectTimer);
    this.connectTimer = null;
  }
}

const CONNECT_TIMEOUT = 'connect timeout';
