// The public SDK: what a filter author imports (the test kit is its own entry, sdk/testing.js).
export { FilterStatus } from './status.js';
export type { FilterResult } from './status.js';
export { HeaderMap } from './headers.js';
export type { RawHeaders } from './headers.js';
export type { FilterLogger } from './logger.js';
export { defineHttpFilter, HttpCallError } from './filter.js';
export type {
  ConfigOf,
  Counter,
  FilterFactoryContext,
  FilterStats,
  Gauge,
  Histogram,
  HttpFilter,
  HttpFilterCreator,
  HttpFilterFactory,
  HttpCall,
  HttpCallErrorCode,
  HttpCallRequest,
  HttpCallResponse,
  JsonSchema,
  Matchers,
  LocalReplyDetails,
  StreamContext,
} from './filter.js';
export type { HeaderMatcher, QueryParameterMatcher, RouteMatch, StringMatcher } from './match-config.js';
// The chain state machine, for hosts (the gateway builds on it).
export { FilterStream, FILTER_FAILED_FLAG } from './filter-stream.js';
export type { ChainEntry, ResolvedChain } from './filter-stream.js';
// Network filters: the contract, and the per-connection chain state machine (for hosts).
export { defineNetworkFilter } from './network-filter.js';
export type {
  NetworkConnection,
  NetworkDataResult,
  NetworkFilter,
  NetworkFilterCreator,
  NetworkFilterFactory,
  NetworkFilterFactoryContext,
} from './network-filter.js';
export type { DownstreamConnectionInfo, DownstreamTlsInfo, PeerCertificateInfo } from './connection-info.js';
export { NetworkFilterConnection } from './network-connection.js';
export type { NetworkChainEntry } from './network-connection.js';
