// proxy_get_property: Envoy's attributes, encoded as Envoy encodes them (context.cc serializeValue):
// strings raw, integers as 8 bytes little-endian, booleans as one byte, timestamps as int64
// nanoseconds, maps as serialised pairs. A path is its segments joined by NUL.
import type { StreamContext } from '../../sdk/filter.js';
import { HttpStream } from '../http/http-stream.js';
import { serializePairs } from './pairs.js';
import type { DownstreamConnectionInfo } from '../../sdk/connection-info.js';
import { networkProperty } from './network-properties.js';
import { responsePairs } from './header-maps.js';
import type { Pairs } from './pairs.js';

/** What the properties of a call can be read from. */
export interface PropertySource {
  /** The plugin the context belongs to: plugin_name, plugin_root_id, plugin_vm_id. */
  readonly plugin: { readonly name: string; readonly rootId: string; readonly vmId: string };
  /** A network filter's connection (its context has no HTTP stream), and its upstream host once known. */
  readonly connection?: DownstreamConnectionInfo | null;
  readonly upstreamHost?: string;
  /** The stream of the current context, null on a root context. */
  readonly stream: StreamContext | null;
  /** When the stream's wasm context was created (ms since the epoch), for streams without a start time of their own. */
  readonly streamCreatedAt: number;
}

export function str(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}

export function int64(n: number | bigint): Buffer {
  const b = Buffer.allocUnsafe(8);
  b.writeBigInt64LE(BigInt(n));
  return b;
}

function bool(v: boolean): Buffer {
  return Buffer.from([v ? 1 : 0]);
}

function queryOf(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? '' : path.slice(q + 1);
}

function urlPath(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q);
}

function headerValue(raw: Record<string, string | string[] | undefined>, name: string): Buffer | undefined {
  const v = raw[name.toLowerCase()];
  if (v === undefined) return undefined;
  return str(typeof v === 'string' ? v : v.join(','));
}

function requestHeaderPairs(ctx: StreamContext): Pairs {
  const out: Pairs = [
    [':authority', ctx.authority],
    [':path', ctx.path],
    [':method', ctx.method],
    [':scheme', ctx.scheme],
  ];
  for (const [k, v] of ctx.requestHeaders.entries()) if (k !== 'host') out.push([k, v]);
  return out;
}

/** The property at `path` (NUL-separated segments), or undefined when there is none. */
export function getProperty(path: string, src: PropertySource): Buffer | undefined {
  switch (path) {
    case 'plugin_name':
      return str(src.plugin.name);
    case 'plugin_root_id':
      return str(src.plugin.rootId);
    case 'plugin_vm_id':
      return str(src.plugin.vmId);
  }
  const ctx = src.stream;
  if (ctx === null) return src.connection ? networkProperty(path, src.connection, src.upstreamHost ?? '') : undefined;
  const segments = path.split('\0');
  const [group, name, sub] = segments;
  const http = ctx instanceof HttpStream ? ctx : null;
  if (group === 'route_name' || (group === 'xds' && name === 'route_name')) return ctx.routeName === undefined ? undefined : str(ctx.routeName);
  if (group === 'cluster_name' || (group === 'xds' && name === 'cluster_name')) return ctx.clusterName === undefined ? undefined : str(ctx.clusterName);
  if (group === 'request') {
    switch (name) {
      case 'path':
        return str(ctx.path);
      case 'url_path':
        return str(urlPath(ctx.path));
      case 'query':
        return str(queryOf(ctx.path));
      case 'host':
        return str(ctx.authority);
      case 'scheme':
        return str(ctx.scheme);
      case 'method':
        return str(ctx.method);
      case 'id':
        return str(ctx.requestId);
      case 'referer':
        return headerValue(ctx.requestHeaders.raw, 'referer');
      case 'useragent':
        return headerValue(ctx.requestHeaders.raw, 'user-agent');
      case 'protocol':
        return str(http === null ? 'HTTP/1.1' : `HTTP/${http.req.httpVersion}`);
      case 'time':
        return int64(BigInt(http === null ? src.streamCreatedAt : http.startTime) * 1_000_000n);
      case 'duration':
        return int64(BigInt(Date.now() - (http === null ? src.streamCreatedAt : http.startTime)) * 1_000_000n);
      case 'size':
      case 'total_size': {
        const cl = ctx.requestHeaders.get('content-length');
        return cl === undefined ? undefined : int64(Number(cl) || 0);
      }
      case 'headers':
        if (sub !== undefined) return headerValue(ctx.requestHeaders.raw, sub);
        return serializePairs(requestHeaderPairs(ctx));
      default:
        return undefined;
    }
  }
  if (group === 'response') {
    const headers = ctx.responseHeaders;
    if (headers === undefined) return undefined;
    switch (name) {
      case 'code':
        return int64(ctx.responseStatus);
      case 'headers':
        if (sub !== undefined) return headerValue(headers.raw, sub);
        return serializePairs(responsePairs(ctx.responseStatus, headers.raw));
      case 'size':
      case 'total_size': {
        const cl = headers.get('content-length');
        return cl === undefined ? undefined : int64(Number(cl) || 0);
      }
      default:
        return undefined;
    }
  }
  if (group === 'source') {
    if (name === 'address') return str(`${ctx.sourceAddress}:${ctx.sourcePort}`);
    if (name === 'port') return int64(ctx.sourcePort);
    return undefined;
  }
  if (group === 'destination' && http !== null) {
    const sock = http.req.socket;
    if (name === 'address') return str(`${sock.localAddress ?? ''}:${sock.localPort ?? 0}`);
    if (name === 'port') return int64(sock.localPort ?? 0);
    return undefined;
  }
  if (group === 'connection') return connectionProperty(name, ctx.connection);
  if (group === 'upstream' && http !== null && http.upstreamHost !== '') {
    if (name === 'address') return str(http.upstreamHost);
    return undefined;
  }
  return undefined;
}

/** Envoy's connection attributes; a plaintext connection has no TLS ones (mtls is false, the name ''). */
export function connectionProperty(name: string | undefined, conn: DownstreamConnectionInfo | null): Buffer | undefined {
  const tls = conn === null ? null : conn.tls;
  const peer = tls === null ? null : tls.peerCertificate;
  switch (name) {
    case 'mtls':
      return bool(peer !== null && tls!.peerCertificateVerified);
    case 'requested_server_name':
      return str(conn === null ? '' : conn.serverName);
    case 'id':
      return conn === null ? undefined : int64(conn.id);
    case 'tls_version':
      return tls === null ? undefined : str(tls.version);
    case 'subject_peer_certificate':
      return peer === null ? undefined : str(peer.subject);
    case 'uri_san_peer_certificate':
      return peer === null || peer.uriSans.length === 0 ? undefined : str(peer.uriSans[0]!);
    case 'dns_san_peer_certificate':
      return peer === null || peer.dnsSans.length === 0 ? undefined : str(peer.dnsSans[0]!);
    case 'sha256_peer_certificate_digest':
      return peer === null ? undefined : str(peer.fingerprint256);
    default:
      return undefined;
  }
}
