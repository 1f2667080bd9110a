// The HTTP filter contract: what a filter author implements, and what the gateway gives it.
import type { HeaderMap, RawHeaders } from './headers.js';
import type { HeaderMatcher, RouteMatch, StringMatcher } from './match-config.js';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { FilterLogger } from './logger.js';
import type { FilterResult } from './status.js';
import type { DownstreamConnectionInfo } from './connection-info.js';

/** A counter scoped to the filter: `http.<stat_prefix>.<filter name>.<name>`. */
export interface Counter {
  inc(by?: number): void;
  readonly value: number;
}

/** A value that goes up and down (things active now). */
export interface Gauge {
  add(by: number): void;
  set(value: number): void;
  readonly value: number;
}

/** A distribution (durations in ms, sizes): fixed buckets, recorded without allocation. */
export interface Histogram {
  record(value: number): void;
}

/** The filter's stats scope; get each stat once, in create(), and keep it. See docs/stats.md. */
export interface FilterStats {
  counter(name: string): Counter;
  gauge(name: string): Gauge;
  histogram(name: string): Histogram;
}

/** What a filter sees of one request/response exchange. */
export interface StreamContext {
  readonly requestId: string;
  readonly method: string;
  /** Path with query string. Assigning it changes what the upstream receives; call clearRouteCache() to re-match. */
  path: string;
  /** The host header. */
  readonly authority: string;
  readonly scheme: 'http' | 'https';
  /** The client address: the TCP peer, or with xff_num_trusted_hops the address those hops report. */
  readonly sourceAddress: string;
  readonly sourcePort: number;
  /** The TCP peer itself, whatever x-forwarded-for says (Envoy's direct remote address). */
  readonly directRemoteAddress: string;
  /** The local port the request arrived on (the listener's). */
  readonly destinationPort: number;
  /**
   * The downstream connection when it is TLS: SNI (`serverName`), ALPN, `tls.version`, and the client
   * certificate (`tls.peerCertificate`: subject, URI and DNS SANs) with `tls.peerCertificateVerified`.
   * null on plaintext connections.
   */
  readonly connection: DownstreamConnectionInfo | null;
  readonly requestHeaders: HeaderMap;
  /** Set once the response phase begins (upstream answer or local reply). */
  readonly responseHeaders: HeaderMap | undefined;
  readonly responseStatus: number;
  readonly routeName: string | undefined;
  readonly clusterName: string | undefined;
  /** A bag for state shared by the filters of this stream. */
  readonly state: Map<string, unknown>;
  /** Inside a phase: the logger and stats scope of the filter whose phase runs. */
  readonly log: FilterLogger;
  readonly stats: FilterStats;
  /**
   * Answer the request from here: the upstream is not called, the filters after this one do not run,
   * and the response passes back through the response phases of the filters that already ran.
   */
  sendLocalReply(status: number, body?: string | Buffer, headers?: Record<string, string>, details?: LocalReplyDetails): void;
  /** Resume the chain after a phase returned Stop. */
  continue(): void;
  /** Forget the matched route; the router matches again with the current path and headers. */
  clearRouteCache(): void;
  /** Replace the buffered request body (only in onRequestBody, for filters that declared needsRequestBody). */
  setRequestBody(body: Buffer | string): void;
  /** Replace the buffered response body (only in onResponseBody, for filters that declared needsResponseBody). */
  setResponseBody(body: Buffer | string): void;
  setResponseStatus(status: number): void;
  /** Add an Envoy response flag (RL, UAEX, FI, DI, ...) to the access log of this request. */
  addResponseFlag(flag: string): void;
}

export interface LocalReplyDetails {
  /** Envoy response flag for the access log, e.g. "RL" or "UAEX". */
  responseFlag?: string;
  /** Free text for %RESPONSE_CODE_DETAILS%, e.g. "rbac_access_denied". */
  details?: string;
}

/**
 * One filter instance per stream (or one shared object, when it keeps no per-stream state:
 * every phase receives the stream context). Every phase is optional.
 * Body phases run once with the whole body, and only for filters whose factory declared it needs the body.
 */
export interface HttpFilter {
  onRequestHeaders?(headers: HeaderMap, ctx: StreamContext): FilterResult;
  onRequestBody?(body: Buffer, ctx: StreamContext): FilterResult;
  onResponseHeaders?(headers: HeaderMap, ctx: StreamContext): FilterResult;
  onResponseBody?(body: Buffer, ctx: StreamContext): FilterResult;
  /** After the response is sent (or the client went away). Errors here are logged and ignored. */
  onLog?(ctx: StreamContext): void;
}

export type HttpFilterCreator = (ctx: StreamContext) => HttpFilter;

/** What a factory gets once per config load. */
export interface FilterFactoryContext {
  /** The filter's instance name in the config. */
  readonly filterName: string;
  /** The directory of the config file, for resolving relative paths. */
  readonly configDir: string;
  readonly log: FilterLogger;
  readonly stats: FilterStats;
  /** Calls a cluster of the gateway (ext_authz, remote JWKS, ...). */
  readonly httpCall: HttpCall;
  /** Envoy's matchers, compiled by the gateway: a filter matches requests exactly as routes do. */
  readonly matchers: Matchers;
  /**
   * Registers `fn` to release what this instance holds (connections, timers, VMs): called once when the
   * config load that created it is released — after a reload's drain, or at gateway stop. Errors and
   * rejections are logged, never thrown; a hook that takes over 5 s is logged and not waited for.
   */
  onDispose(fn: () => void | Promise<void>): void;
}

export interface HttpCallRequest {
  method?: string; // default GET
  path: string;
  /** The host header; default: the cluster's name. */
  authority?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
}

export interface HttpCallResponse {
  status: number;
  headers: RawHeaders;
  body: Buffer;
}

export type HttpCallErrorCode = 'unknown_cluster' | 'no_healthy_upstream' | 'overflow' | 'connect_failure' | 'reset' | 'timeout' | 'too_large';

/** Why an http call failed before a response came back. */
export class HttpCallError extends Error {
  constructor(
    readonly code: HttpCallErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'HttpCallError';
  }
}

/**
 * A request through the gateway's cluster manager: a host chosen by the cluster's load balancer, its
 * pool, its circuit breakers. Resolves with any status; rejects with an HttpCallError.
 */
export type HttpCall = (cluster: string, request: HttpCallRequest) => Promise<HttpCallResponse>;

/** Compilers for Envoy matchers; compile at create(), call per request. */
export interface Matchers {
  string(m: StringMatcher): (value: string) => boolean;
  /** A header matcher as routes use it (pseudo headers `:method`, `:path`, `:authority`, `:scheme` too). */
  header(m: HeaderMatcher): (ctx: StreamContext) => boolean;
  /** A whole RouteMatch: path, headers, query parameters, methods, source_ip. */
  route(m: RouteMatch): (ctx: StreamContext) => boolean;
  /** IP/CIDR ranges; IPv4-mapped IPv6 addresses match IPv4 ranges. Throws on a bad range. */
  cidr(ranges: readonly string[]): (address: string) => boolean;
}

export type JsonSchema = Record<string, unknown>;

/** Envoy's NamedHttpFilterConfigFactory: a name, a schema, and create() returning a per-stream constructor. */
export interface HttpFilterFactory<C = any> {
  readonly name: string;
  /** JSON Schema of the config; validated with ajv (allErrors, useDefaults) and frozen before create(). */
  readonly configSchema: JsonSchema;
  /** The filter reads the request body: the chain buffers it (up to max_request_bytes, then 413). */
  readonly needsRequestBody?: boolean | ((config: C) => boolean);
  /** The filter reads the response body: the chain buffers it (up to max_response_bytes, then 500). */
  readonly needsResponseBody?: boolean | ((config: C) => boolean);
  create(config: C, ctx: FilterFactoryContext): HttpFilterCreator | Promise<HttpFilterCreator>;
}

/**
 * The config type a literal schema (written `as const`) describes, for
 * `defineHttpFilter<ConfigOf<typeof schema>>({ configSchema: schema, ... })`: `create(config)` then knows
 * every field, and the schema stays the one source of truth. Fields with a schema default are typed
 * optional, though validation fills them in.
 */
export type ConfigOf<S extends JSONSchema> = FromSchema<S>;

/** Identity helper that types a factory's config for its author (see ConfigOf). */
export function defineHttpFilter<C>(factory: HttpFilterFactory<C>): HttpFilterFactory<C> {
  return factory;
}
