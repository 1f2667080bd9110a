// HTTP/1.1 upgrades (WebSocket): node's 'upgrade' event becomes a stream of the connection manager like any
// request (request id, route match, the request filters' onRequestHeaders, counted and access-logged), whose
// router step connects to a host of the route's cluster, sends the upgrade request, and on 101 pipes the two
// sockets both ways with backpressure. The access log line is written when the connection ends: code 101,
// duration = its lifetime. An upgrade the HCM (and route) does not allow is answered 403, as Envoy does
// (response code details `upgrade_failed`).
import { request as httpRequest, ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { HeaderMap } from '../../sdk/headers.js';
import type { RawHeaders } from '../../sdk/headers.js';
import { parseDuration } from '../config/duration.js';
import type { UpgradeConfig } from '../config/types.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Host } from '../cluster/host.js';
import type { CompiledRoute, ForwardingRoute } from '../router/route-table.js';
import type { CounterStat, GaugeStat } from '../stats/store.js';
import type { ConnectionManager } from './connection-manager.js';
import { HttpStream } from './http-stream.js';
import { CLOSE_GOING_AWAY, FrameBoundaries } from './ws-frames.js';

/** Upgrade types allowed by an HCM's upgrade_configs (lower-cased) and their route-level overrides. */
export interface UpgradePolicy {
  /** Type → enabled, for the types the HCM lists. */
  readonly types: ReadonlyMap<string, boolean>;
  readonly upgradesTotal: CounterStat;
  readonly upgradesActive: GaugeStat;
  /** Upgraded connections open now, for the drain. */
  readonly live: Set<UpgradeStream>;
}

interface StatsScopeLike {
  counter(name: string): CounterStat;
  gauge(name: string): GaugeStat;
}

/** At config load: the HCM's upgrade_configs, and its upgrade stats (http.<prefix>.downstream_cx_upgrades_*). */
export function compileUpgradePolicy(configs: readonly UpgradeConfig[] | undefined, scope: StatsScopeLike): UpgradePolicy {
  const types = new Map<string, boolean>();
  for (const c of configs ?? []) types.set(c.upgrade_type.toLowerCase(), c.enabled);
  return {
    types,
    upgradesTotal: scope.counter('downstream_cx_upgrades_total'),
    upgradesActive: scope.gauge('downstream_cx_upgrades_active'),
    live: new Set(),
  };
}

/**
 * The connection manager drains: each upgraded WebSocket connection gets a close frame (1001, going away) at
 * the next frame boundary from the upstream, and the close handshake finishes between the client and the
 * upstream. What is still open at the terminal's drain deadline is cut there.
 */
export function drainUpgrades(hcm: ConnectionManager): void {
  for (const upgrade of hcm.upgrades.live) upgrade.drain();
}

/** Envoy's rule: the HCM must list the type; a route listing it too decides for that route, else the HCM's `enabled` does. */
function upgradeAllowed(policy: UpgradePolicy, route: CompiledRoute | null, type: string): boolean {
  const hcmEnabled = policy.types.get(type);
  if (hcmEnabled === undefined) return false;
  const perRoute = route?.route.route?.upgrade_configs?.find((c) => c.upgrade_type.toLowerCase() === type);
  return perRoute === undefined ? hcmEnabled : perRoute.enabled;
}

/** How much of a non-101 answer to an upgrade request is passed back (it is buffered). */
const MAX_REFUSAL_BODY = 64 * 1024;

/**
 * node's http server 'upgrade' event: hand it to `hcm` as a stream. `head` is what the client sent after the
 * request head (the first bytes of the upgraded protocol).
 */
export function handleUpgrade(hcm: ConnectionManager, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => {}); // 'close' follows and ends the stream
  // A ServerResponse on the socket answers local replies and refusals the usual way.
  const res = new ServerResponse(req);
  res.shouldKeepAlive = false;
  res.assignSocket(socket as Socket);
  res.once('finish', () => socket.end());
  hcm.accept(req, res, (...args) => new UpgradeStream(head, socket, ...args));
}

export class UpgradeStream extends HttpStream {
  private readonly upgradeType: string;
  private upgraded = false;
  private upstreamSocket: Duplex | null = null;
  private handshake: ClientRequest | null = null;
  private handshakeTimer: NodeJS.Timeout | null = null;
  /** Frame boundaries of what the upstream sends (WebSocket only), so that a drain can close between frames. */
  private frames: FrameBoundaries | null = null;
  private draining = false;
  /** Our close frame went to the client: what the upstream sends after it is dropped. */
  private closeSent = false;

  constructor(
    private readonly head: Buffer,
    private readonly socket: Duplex,
    ...args: ConstructorParameters<typeof HttpStream>
  ) {
    super(...args);
    this.upgradeType = String(this.req.headers.upgrade ?? '').toLowerCase();
  }

  override start(): void {
    const policy = this.hcm.upgrades;
    policy.upgradesTotal.inc();
    if (!upgradeAllowed(policy, this.route, this.upgradeType)) {
      this.sendLocalReply(403, undefined, undefined, { details: 'upgrade_failed' });
      return;
    }
    super.start();
  }

  /** The router's step for a forwarding route: connect to a host of `cluster` and send the upgrade request. */
  upgradeTo(cluster: Cluster, route: ForwardingRoute, path: string): void {
    const host = cluster.chooseHost(route.hashKey(this), null);
    if (host === null) {
      this.sendLocalReply(503, 'no healthy upstream', undefined, { responseFlag: 'UH', details: 'no_healthy_upstream' });
      return;
    }
    this.upstreamHost = host.hostname;
    cluster.requestStarted(host);
    const options = {
      host: host.address,
      port: host.port,
      method: this.method,
      path,
      headers: this.requestHeaders.raw as Record<string, string | string[]>,
      agent: false as const,
      setHost: false,
    };
    // HTTP/1.1 to the upstream whatever the cluster speaks otherwise (an upgrade is an HTTP/1.1 thing); TLS when the cluster has it.
    const tls = cluster.tls?.forHost(host.address) ?? null;
    const handshake = tls === null ? httpRequest(options) : httpsRequest({ ...options, ...tls });
    this.handshake = handshake;
    const timeoutMs = parseDuration(route.route.route!.timeout) || parseDuration(cluster.config.connect_timeout);
    this.handshakeTimer = setTimeout(() => handshake.destroy(new Error('upgrade handshake timeout')), timeoutMs);
    let settled = false;
    const settle = (outcome: number | 'connect' | 'timeout'): boolean => {
      if (settled) return false;
      settled = true;
      this.clearHandshakeTimer();
      cluster.reportResult(host, outcome);
      return true;
    };
    handshake.once('upgrade', (res: IncomingMessage, upstream: Duplex, upstreamHead: Buffer) => {
      if (!settle(res.statusCode ?? 101)) return;
      this.upgraded = true;
      this.proxy(res, upstream, upstreamHead, cluster, host);
    });
    handshake.once('response', (res: IncomingMessage) => {
      if (!settle(res.statusCode ?? 502)) return;
      this.refused(res, cluster, host);
    });
    handshake.once('error', (err: Error) => {
      if (this.aborted) {
        // The client left during the handshake (closed() destroyed it): not the host's failure.
        if (!settled) cluster.requestFinished(host);
        settled = true;
        return;
      }
      const timedOut = err.message === 'upgrade handshake timeout';
      if (!settle(timedOut ? 'timeout' : 'connect')) return;
      cluster.requestFinished(host);
      if (!timedOut) cluster.stats.upstream_cx_connect_fail.inc();
      this.sendLocalReply(timedOut ? 504 : 503, timedOut ? 'upstream request timeout' : 'upstream connect error', undefined, {
        responseFlag: timedOut ? 'UT' : 'UF',
        details: timedOut ? 'upstream_response_timeout' : 'upstream_reset_before_response_started{connection_failure}',
      });
    });
    handshake.end();
  }

  /** 101 from the upstream: pass its head to the client and pipe the two sockets both ways. */
  private proxy(res: IncomingMessage, upstream: Duplex, upstreamHead: Buffer, cluster: Cluster, host: Host): void {
    const client = this.socket;
    const policy = this.hcm.upgrades;
    this.upstreamSocket = upstream;
    this.responseStatus = 101;
    this.responseHeaders = new HeaderMap(res.headers as RawHeaders);
    policy.upgradesActive.add(1);
    policy.live.add(this);
    upstream.on('error', () => {});
    upstream.once('close', () => {
      policy.upgradesActive.add(-1);
      policy.live.delete(this);
      cluster.requestFinished(host);
      // The upstream is gone: end the client after what was written (a reset upstream resets it).
      if (!client.destroyed) client.end();
    });
    client.once('close', () => upstream.destroy());
    client.write(responseHead(res));
    if (this.upgradeType === 'websocket') this.frames = new FrameBoundaries();
    if (upstreamHead.length > 0) this.toClient(upstreamHead, upstream);
    if (this.head.length > 0) upstream.write(this.head);
    client.on('data', (c: Buffer) => (this.bytesReceived += c.length));
    client.pipe(upstream);
    // Upstream to client by hand (backpressure as pipe() does it): a drain may put a close frame in between.
    upstream.on('data', (c: Buffer) => this.toClient(c, upstream));
    upstream.once('end', () => client.end());
    client.on('drain', () => upstream.resume());
    client.resume();
  }

  private toClient(chunk: Buffer, upstream: Duplex): void {
    if (this.closeSent) return;
    this.bytesSent += chunk.length;
    let data = chunk;
    if (this.frames !== null) {
      const end = this.frames.feed(chunk);
      if (this.draining && end >= 0) {
        data = chunk.subarray(0, end);
        this.closeSent = true;
      }
    }
    const client = this.socket;
    if (!client.write(data)) upstream.pause();
    if (this.closeSent) client.write(CLOSE_GOING_AWAY);
  }

  /** See drainUpgrades. A non-WebSocket upgrade has no frames to close between: it runs until the deadline. */
  drain(): void {
    if (this.frames === null || this.draining) return;
    this.draining = true;
    if (this.frames.atBoundary) {
      this.closeSent = true;
      this.socket.write(CLOSE_GOING_AWAY);
    }
  }

  /** The upstream answered the upgrade request with something else: that answer goes back to the client. */
  private refused(res: IncomingMessage, cluster: Cluster, host: Host): void {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_REFUSAL_BODY) chunks.push(c);
    });
    res.once('end', () => {
      cluster.requestFinished(host);
      const headers = plainHeaders(res.headers);
      this.sendLocalReply(res.statusCode ?? 502, Buffer.concat(chunks), headers, { details: 'via_upstream' });
    });
    res.once('error', () => cluster.requestFinished(host));
  }

  override closed(): void {
    this.clearHandshakeTimer();
    this.handshake?.destroy();
    this.upstreamSocket?.destroy();
    if (!this.upgraded) {
      super.closed();
      return;
    }
    // An upgraded connection that ended is a finished exchange (101), not a client that went away.
    this.finish();
    this.runLog();
    this.hcm.streamDone(this);
  }

  private clearHandshakeTimer(): void {
    if (this.handshakeTimer !== null) clearTimeout(this.handshakeTimer);
    this.handshakeTimer = null;
  }
}

/** The 101 response head as the upstream sent it (names and order kept). */
function responseHead(res: IncomingMessage): string {
  let head = `HTTP/1.1 101 ${res.statusMessage || 'Switching Protocols'}\r\n`;
  const raw = res.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) head += `${raw[i]}: ${raw[i + 1]}\r\n`;
  return head + '\r\n';
}

function plainHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection') out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
