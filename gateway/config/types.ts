// The shape of a validated gateway config. Field names follow Envoy (snake_case).
// The JSON Schema in schema.ts is the source of truth for what is accepted and for defaults;
// these types describe the object after validation (defaults filled in, `?` where none applies).
// Durations are strings such as "250ms", "5s", "1m", "1.5s"; builders turn them into ms with parseDuration().

export type Duration = string;

// Matchers are part of the SDK too: filters (rbac, jwt_authn rules) match exactly as routes do.
export type { HeaderMatcher, QueryParameterMatcher, RouteMatch, StringMatcher } from '../../sdk/match-config.js';
import type { RouteMatch, StringMatcher } from '../../sdk/match-config.js';

export interface GatewayConfig {
  admin?: AdminConfig;
  listeners: ListenerConfig[];
  clusters: ClusterConfig[];
}

export interface AdminConfig {
  address: string; // default 127.0.0.1
  port: number;
}

export interface ListenerConfig {
  name: string;
  address: string; // default 127.0.0.1
  port: number; // 0 = any free port
  filter_chains: FilterChainConfig[]; // minItems 1
  /** The chain for connections no filter_chain_match selects; absent: such connections are closed. */
  default_filter_chain?: FilterChainConfig;
  listener_filters_timeout: Duration; // default "15s": how long the TLS inspector waits for a ClientHello
}

export interface FilterChainConfig {
  name?: string;
  filter_chain_match?: FilterChainMatch;
  transport_socket?: TransportSocketConfig;
  /** Network filters, then one terminal: http_connection_manager or tcp_proxy (see network/terminal-config.ts). */
  filters: NetworkFilterConfig[];
}

/** Envoy's FilterChainMatch: every field given must match; the most specific chain wins (see filter-chain-match.ts). */
export interface FilterChainMatch {
  destination_port?: number;
  /** SNI: exact names or "*.suffix" wildcards. */
  server_names?: string[];
  transport_protocol?: 'tls' | 'raw_buffer';
  /** ALPN protocols the client offers (from its ClientHello). */
  application_protocols?: string[];
  source_prefix_ranges?: CidrRange[];
}

/** Envoy's CidrRange, or the same as one string ("10.0.0.0/8"). */
export type CidrRange = string | { address_prefix: string; prefix_len?: number };

/** Envoy's DataSource: a file (relative to the config file) or the PEM inline. */
export interface DataSource {
  filename?: string;
  inline_string?: string;
}

/** Envoy's DownstreamTlsContext, flattened (common_tls_context's fields at the top). */
export interface DownstreamTlsConfig {
  certificates: { certificate_chain: DataSource; private_key: DataSource }[]; // minItems 1
  require_client_certificate: boolean; // default false
  validation_context?: { trusted_ca: DataSource; match_subject_alt_names?: StringMatcher[] };
  alpn_protocols?: string[]; // default none: no ALPN, clients speak HTTP/1.1
  tls_minimum_protocol_version: 'TLSv1_2' | 'TLSv1_3'; // default TLSv1_2
  tls_maximum_protocol_version: 'TLSv1_2' | 'TLSv1_3'; // default TLSv1_3
}

export interface TransportSocketConfig {
  name: 'tls';
  config: DownstreamTlsConfig;
}

export type ForwardClientCertDetails = 'SANITIZE' | 'FORWARD_ONLY' | 'APPEND_FORWARD' | 'SANITIZE_SET' | 'ALWAYS_FORWARD_ONLY';

/**
 * An entry of filter_chains[].filters. The last one is the terminal: `http_connection_manager` (config:
 * HttpConnectionManagerConfig) or `tcp_proxy` (config: TcpProxyConfig); the others are network filters found
 * like http_filters entries (by name or `type`, or a user's `module`).
 */
export interface NetworkFilterConfig {
  name: string;
  type?: string;
  module?: string;
  config?: unknown; // a network filter's is checked against its own schema
  fail_open: boolean; // default false: when the filter throws, pass it by instead of closing the connection
}

/** Envoy's TcpProxy (envoy.filters.network.tcp_proxy). */
export interface TcpProxyConfig {
  stat_prefix: string;
  // exactly one of cluster, weighted_clusters
  cluster?: string;
  weighted_clusters?: { clusters: { name: string; weight: number }[] }; // weights >= 0, sum > 0
  idle_timeout: Duration; // default "1h"; "0s" disables
  max_connect_attempts: number; // default 1
}

export interface HttpConnectionManagerConfig {
  stat_prefix: string;
  route_config: RouteConfiguration;
  http_filters: HttpFilterConfig[]; // last one must be { name: router }
  access_log?: AccessLogConfig[];
  tracing?: TracingConfig; // absent: no tracing, trace headers pass untouched
  use_remote_address: boolean; // default true: append the peer to x-forwarded-for, set x-forwarded-proto
  xff_num_trusted_hops: number; // default 0
  preserve_external_request_id: boolean; // default true: keep a valid incoming x-request-id
  generate_request_id: boolean; // default true
  max_request_bytes: number; // default 1048576: cap for filters that buffer the request body (413 beyond)
  max_response_bytes: number; // default 1048576: cap for filters that buffer the response body (500 beyond)
  request_timeout?: Duration; // whole downstream request, default none
  stream_idle_timeout: Duration; // default "5m"
  request_headers_timeout: Duration; // default "10s"
  drain_timeout?: Duration; // reload / shutdown drain of this listener; default: the gateway's (GatewayOptions.drainTimeoutMs, 5s)
  common_http_protocol_options: { idle_timeout: Duration }; // default { idle_timeout: "1h" } downstream keep-alive
  server_name: string; // default "wasmgate": the `server` header on local replies
  upgrade_configs?: UpgradeConfig[]; // absent: upgrades (WebSocket) are refused with 403
  codec_type: 'AUTO' | 'HTTP1' | 'HTTP2'; // default AUTO: ALPN decides on TLS; plaintext is HTTP/1.1 unless http2_protocol_options
  /** Present: HTTP/2 is served (ALPN h2, and h2c prior knowledge on plaintext with codec_type AUTO). */
  http2_protocol_options?: { max_concurrent_streams?: number };
  forward_client_cert_details: ForwardClientCertDetails; // default SANITIZE
  set_current_client_cert_details?: { subject?: boolean; uri?: boolean; dns?: boolean; cert?: boolean };
}

export interface AccessLogConfig {
  name: string; // free label
  path: string; // "/dev/stdout", "/dev/stderr" or a file path
  format?: string; // Envoy text format with command operators; a newline is added when absent
  json_format?: Record<string, unknown>; // Envoy json_format: key -> operator string, literal or nested object
  filter?: AccessLogFilter; // default: log every request
}

/** Envoy's ComparisonFilter; `value` also in Envoy's RuntimeUInt32 form (runtime_key is ignored). */
export interface ComparisonFilter {
  op: 'EQ' | 'GE' | 'LE' | 'NE'; // default GE
  value: number | { default_value: number; runtime_key?: string };
}

/** Envoy's AccessLogFilter: exactly one field. */
export interface AccessLogFilter {
  status_code_filter?: { comparison: ComparisonFilter };
  duration_filter?: { comparison: ComparisonFilter }; // milliseconds
  response_flag_filter?: { flags?: string[] }; // empty or absent: any flag
  and_filter?: { filters: AccessLogFilter[] };
  or_filter?: { filters: AccessLogFilter[] };
}

/** The HCM's tracing, with the fields of Envoy's OpenTelemetry tracer flattened (docs/configuration.md). */
export interface TracingConfig {
  random_sampling: number; // default 100: percent of new traces sampled (an incoming decision is honoured)
  service_name: string; // default "wasmgate": the service.name resource attribute of exported spans
  propagation: ('w3c' | 'b3')[]; // default ["w3c", "b3"]: the formats injected upstream
  otlp?: OtlpExporterConfig; // absent: ids are propagated and logged, spans are not exported
}

export interface OtlpExporterConfig {
  endpoint: string; // OTLP/HTTP traces URL, e.g. "http://127.0.0.1:4318/v1/traces"
  timeout: Duration; // default "1s" per POST
  max_batch: number; // default 512 spans per POST
  flush_interval: Duration; // default "1s"
  max_queue: number; // default 4096 spans waiting; beyond, spans are dropped and counted
}

export interface HttpFilterConfig {
  name: string; // instance name; also the registry key unless `type` or `module` is given
  type?: string; // registry key of a built-in filter, when the instance has another name
  module?: string; // path (relative to the config file) of a user's filter module
  config?: unknown; // checked against the filter's own schema
  disabled?: boolean; // default false; a route can enable it with typed_per_filter_config
  fail_open?: boolean; // default false: when the filter throws, pass the request instead of 500
}

export interface RouteConfiguration {
  name?: string;
  virtual_hosts: VirtualHost[];
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
}

export interface VirtualHost {
  name: string;
  domains: string[]; // exact "api.example.com", "*.example.com", "api.*", "*"; optional ":port"
  routes: Route[];
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  typed_per_filter_config?: Record<string, PerFilterConfig>;
}

export type AppendAction =
  | 'APPEND_IF_EXISTS_OR_ADD'
  | 'ADD_IF_ABSENT'
  | 'OVERWRITE_IF_EXISTS_OR_ADD'
  | 'OVERWRITE_IF_EXISTS';

export interface HeaderValueOption {
  header: { key: string; value: string };
  append_action: AppendAction; // default APPEND_IF_EXISTS_OR_ADD
}

export interface PerFilterConfig {
  disabled?: boolean;
  config?: unknown;
}

export interface Route {
  name?: string;
  match: RouteMatch;
  // exactly one of route, redirect, direct_response
  route?: RouteAction;
  redirect?: RedirectAction;
  direct_response?: DirectResponseAction;
  request_headers_to_add?: HeaderValueOption[];
  request_headers_to_remove?: string[];
  response_headers_to_add?: HeaderValueOption[];
  response_headers_to_remove?: string[];
  typed_per_filter_config?: Record<string, PerFilterConfig>;
}

/** Envoy's UpgradeConfig: an HCM allows an upgrade type; a route listing the type turns it on or off there. */
export interface UpgradeConfig {
  upgrade_type: string; // e.g. "websocket" (case-insensitive)
  enabled: boolean; // default true
}

export interface RouteAction {
  upgrade_configs?: UpgradeConfig[]; // per route: overrides `enabled` of a type the HCM lists
  // exactly one of cluster, weighted_clusters
  cluster?: string;
  weighted_clusters?: { clusters: { name: string; weight: number }[] }; // weights >= 0, sum > 0
  prefix_rewrite?: string;
  regex_rewrite?: { pattern: { regex: string }; substitution: string };
  host_rewrite_literal?: string;
  timeout: Duration; // default "15s"; "0s" disables
  idle_timeout?: Duration; // per stream idle on the upstream response body
  retry_policy?: RetryPolicy;
  request_mirror_policies?: RequestMirrorPolicy[];
  hash_policy?: HashPolicy[];
  per_request_buffer_limit_bytes: number; // default 1048576: bodies up to this are kept for retries and mirrors
}

export interface RetryPolicy {
  retry_on: string; // comma list: 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes
  num_retries: number; // default 1
  per_try_timeout?: Duration;
  retriable_status_codes?: number[];
  retry_back_off?: { base_interval: Duration; max_interval?: Duration }; // default base 25ms, max 10x base
  retry_host_predicate: { name: 'previous_hosts' }[]; // default [{ name: previous_hosts }]
  host_selection_retry_max_attempts: number; // default 3
}

export interface RequestMirrorPolicy {
  cluster: string;
  runtime_fraction?: { default_value: { numerator: number; denominator: 'HUNDRED' | 'TEN_THOUSAND' | 'MILLION' } };
  disable_shadow_host_suffix_append: boolean; // default false
}

export interface HashPolicy {
  // exactly one of header, cookie, connection_properties, query_parameter
  header?: { header_name: string };
  cookie?: { name: string };
  connection_properties?: { source_ip: boolean };
  query_parameter?: { name: string };
  terminal: boolean; // default false
}

export interface RedirectAction {
  https_redirect?: boolean;
  scheme_redirect?: string;
  host_redirect?: string;
  port_redirect?: number;
  path_redirect?: string;
  prefix_rewrite?: string;
  response_code: 'MOVED_PERMANENTLY' | 'FOUND' | 'SEE_OTHER' | 'TEMPORARY_REDIRECT' | 'PERMANENT_REDIRECT'; // default MOVED_PERMANENTLY
  strip_query: boolean; // default false
}

export interface DirectResponseAction {
  status: number; // 200..599
  body?: { inline_string: string };
}

export type LbPolicy = 'round_robin' | 'least_request' | 'random' | 'ring_hash' | 'maglev';

export interface ClusterConfig {
  name: string;
  type: 'STATIC' | 'STRICT_DNS'; // default STATIC
  connect_timeout: Duration; // default "5s"
  lb_policy: LbPolicy; // default round_robin
  endpoints: EndpointConfig[]; // minItems 1
  dns_refresh_rate: Duration; // default "5s" (STRICT_DNS)
  dns_lookup_family: 'AUTO' | 'V4_ONLY' | 'V6_ONLY'; // default V4_ONLY
  circuit_breakers?: { thresholds: CircuitBreakerThresholds[] }; // thresholds[0] with priority DEFAULT is used
  least_request_lb_config?: { choice_count: number }; // default 2
  ring_hash_lb_config?: { minimum_ring_size: number; maximum_ring_size: number }; // default 1024, 8388608
  maglev_lb_config?: { table_size: number }; // default 65537 (prime)
  common_http_protocol_options?: { idle_timeout: Duration }; // upstream keep-alive idle, default "1h"
  per_connection_buffer_limit_bytes?: number;
  health_checks?: HealthCheckConfig[]; // at most one
  outlier_detection?: OutlierDetectionConfig;
  common_lb_config: CommonLbConfig; // default { healthy_panic_threshold: { value: 50 } }
  /** TLS to the upstream (Envoy's UpstreamTlsContext, simplified: see docs/configuration.md). */
  transport_socket?: { name: 'tls'; config: UpstreamTlsConfig };
  /** Present (even `{}`): the upstream speaks HTTP/2 (h2 by ALPN over TLS, h2c prior knowledge without). */
  http2_protocol_options?: { max_concurrent_streams?: number };
}

export interface UpstreamTlsConfig {
  sni?: string; // default: the endpoint's address when it is a DNS name, else none
  /** Without it the upstream certificate is not verified (as in Envoy). */
  validation_context?: { trusted_ca: DataSource };
  /** The client certificate for upstream mTLS (at most one). */
  certificates?: { certificate_chain: DataSource; private_key: DataSource }[];
}

export interface CommonLbConfig {
  healthy_panic_threshold: { value: number }; // default 50 (percent, 0..100; 0 disables panic)
}

/** Envoy's HealthCheck: exactly one of http_health_check, tcp_health_check. */
export interface HealthCheckConfig {
  timeout: Duration;
  interval: Duration;
  initial_jitter: Duration; // default "0s"
  interval_jitter: Duration; // default "0s"
  interval_jitter_percent: number; // default 0
  unhealthy_threshold: number; // >= 1
  healthy_threshold: number; // >= 1
  unhealthy_interval?: Duration; // default: interval
  unhealthy_edge_interval?: Duration; // default: unhealthy_interval
  healthy_edge_interval?: Duration; // default: interval
  no_traffic_interval: Duration; // default "60s"
  no_traffic_healthy_interval?: Duration; // default: no_traffic_interval
  initially_healthy: boolean; // default false (ours, not Envoy's): hosts take traffic before their first pass
  http_health_check?: HttpHealthCheckConfig;
  tcp_health_check?: TcpHealthCheckConfig;
}

export interface StatusRange {
  start: number; // inclusive
  end: number; // exclusive
}

export interface HttpHealthCheckConfig {
  path: string;
  host?: string; // default: the cluster name
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE' | 'OPTIONS' | 'TRACE' | 'PATCH'; // default GET
  expected_statuses: StatusRange[]; // default [{ start: 200, end: 201 }]
  retriable_statuses?: StatusRange[]; // count against unhealthy_threshold instead of failing at once
}

export interface TcpHealthCheckConfig {
  send?: { text: string }; // hex
  receive?: { text: string }[]; // hex blocks expected in order in the response
}

/** Envoy's OutlierDetection; `enforcing_*` are percentages. */
export interface OutlierDetectionConfig {
  consecutive_5xx: number; // default 5
  consecutive_gateway_failure: number; // default 5
  consecutive_local_origin_failure: number; // default 5
  interval: Duration; // default "10s"
  base_ejection_time: Duration; // default "30s"
  max_ejection_time: Duration; // default "300s"
  max_ejection_percent: number; // default 10
  enforcing_consecutive_5xx: number; // default 100
  enforcing_consecutive_gateway_failure: number; // default 0
  enforcing_consecutive_local_origin_failure: number; // default 100
  enforcing_success_rate: number; // default 100
  enforcing_local_origin_success_rate: number; // default 100
  enforcing_failure_percentage: number; // default 0
  enforcing_failure_percentage_local_origin: number; // default 0
  success_rate_minimum_hosts: number; // default 5
  success_rate_request_volume: number; // default 100
  success_rate_stdev_factor: number; // default 1900 (divided by 1000)
  failure_percentage_threshold: number; // default 85
  failure_percentage_minimum_hosts: number; // default 5
  failure_percentage_request_volume: number; // default 50
  split_external_local_origin_errors: boolean; // default false
  successful_active_health_check_uneject_host: boolean; // default true
  always_eject_one_host: boolean; // default false
}

export interface EndpointConfig {
  address: string; // IP, or hostname with STRICT_DNS
  port: number;
  weight: number; // default 1, 1..128
  priority: number; // default 0
  locality?: { region?: string; zone?: string; sub_zone?: string };
}

export interface CircuitBreakerThresholds {
  priority: 'DEFAULT' | 'HIGH'; // default DEFAULT
  max_connections: number; // default 1024
  max_pending_requests: number; // default 1024
  max_requests: number; // default 1024
  max_retries: number; // default 1024 (Envoy: 3; see docs/decisions.md)
}
