// The network filter contract: a filter that sees a downstream connection (Envoy's network read/write
// filters) before its terminal (the HTTP connection manager or tcp_proxy) does. What a filter author
// implements, and what the gateway gives it.
import type { DownstreamConnectionInfo } from './connection-info.js';
import type { FilterStats, JsonSchema, Matchers } from './filter.js';
import type { FilterLogger } from './logger.js';
import type { FilterResult, FilterStatus } from './status.js';

/** One downstream connection, as every network filter of its chain sees it. */
export interface NetworkConnection {
  /** Addresses, SNI, ALPN, TLS and the client certificate. */
  readonly info: DownstreamConnectionInfo;
  /** A bag for state shared by the filters of this connection. */
  readonly state: Map<string, unknown>;
  /** Inside a callback: the logger and stats of the filter whose callback runs. */
  readonly log: FilterLogger;
  /**
   * Stat names are used as given, without a prefix: Envoy's network filters name theirs with their own
   * `stat_prefix` (`<stat_prefix>.rbac.denied`, `connection_limit.<stat_prefix>.active_connections`).
   */
  readonly stats: FilterStats;
  /** True once the connection is closed (by a filter, a peer, or the gateway). */
  readonly closed: boolean;
  /** The upstream host (`ip:port`) once the terminal connected to one (tcp_proxy); '' until then, and behind HTTP. */
  readonly upstreamHost: string;
  /**
   * Resume after a callback returned Stop: a held onNewConnection lets the connection reach the next filters
   * (and the terminal); held data goes on to the next filters as one chunk.
   */
  continueReading(): void;
  /** Close the connection: what was already written is flushed, nothing more is read. */
  close(): void;
}

/** What a data callback returns: Continue (or nothing), Stop (hold), or the data to pass on instead. */
export type NetworkDataResult = FilterStatus | Buffer | void;

/**
 * One filter instance per connection (or one shared object when it keeps no per-connection state: every
 * callback receives the connection). Every callback is optional; a chain none of whose filters has a data
 * callback hands the socket to its terminal untouched.
 *
 * Data: onDownstreamData sees what the client sends, in chain order; onUpstreamData what goes back to it, in
 * reverse order. Stop holds the data at this filter: data arriving later is appended and the callback is
 * called again with all of it (Envoy's semantics), until it returns Continue (or a replacement) or the
 * filter calls conn.continueReading(). Data callbacks are synchronous; onNewConnection may return a
 * Promise (a Stop that resumes when it settles).
 */
export interface NetworkFilter {
  onNewConnection?(conn: NetworkConnection): FilterResult;
  onDownstreamData?(data: Buffer, endOfStream: boolean, conn: NetworkConnection): NetworkDataResult;
  onUpstreamData?(data: Buffer, endOfStream: boolean, conn: NetworkConnection): NetworkDataResult;
  /** Once, when the connection is closed, whoever closed it. Errors here are logged and ignored. */
  onClose?(conn: NetworkConnection): void;
}

export type NetworkFilterCreator = (conn: NetworkConnection) => NetworkFilter;

/** What a network filter factory gets once per config load. */
export interface NetworkFilterFactoryContext {
  /** The filter's instance name in the config. */
  readonly filterName: string;
  /** The directory of the config file, for resolving relative paths. */
  readonly configDir: string;
  readonly log: FilterLogger;
  /** Unprefixed, as NetworkConnection.stats. */
  readonly stats: FilterStats;
  /** Envoy's matchers compiled by the gateway (string and cidr are the ones a connection can use). */
  readonly matchers: Matchers;
  /** As FilterFactoryContext.onDispose: `fn` runs once when the config load that created this instance is released. */
  onDispose(fn: () => void | Promise<void>): void;
}

/** Envoy's NamedNetworkFilterConfigFactory: a name, a schema, and create() returning a per-connection constructor. */
export interface NetworkFilterFactory<C = any> {
  /** Marks a network filter factory (an HTTP filter factory has none): the registry keeps the two kinds apart. */
  readonly kind: 'network';
  readonly name: string;
  /** JSON Schema of the config; validated with ajv (allErrors, useDefaults) and frozen before create(). */
  readonly configSchema: JsonSchema;
  create(config: C, ctx: NetworkFilterFactoryContext): NetworkFilterCreator | Promise<NetworkFilterCreator>;
}

/** Identity helper that types a network filter factory for its author (see ConfigOf in filter.ts). */
export function defineNetworkFilter<C>(factory: Omit<NetworkFilterFactory<C>, 'kind'>): NetworkFilterFactory<C> {
  return { ...factory, kind: 'network' };
}

export function isNetworkFilterFactory(f: unknown): f is NetworkFilterFactory {
  return typeof f === 'object' && f !== null && (f as { kind?: unknown }).kind === 'network';
}
