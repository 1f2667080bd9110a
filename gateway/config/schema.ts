// The core JSON Schema (draft-07, for ajv 8 with useDefaults) of GatewayConfig, as described by types.ts.
// It is the source of truth for what is accepted and for defaults. What JSON Schema cannot say well
// ("exactly one of", cross references, regexes that compile) is checked in validate.ts.
// Filter configs are free objects here: each filter validates its own against its factory's schema.
import type { JsonSchema } from '../../sdk/filter.js';
import { DURATION_PATTERN } from './duration.js';
import { arrayOf, integer, object, withDefault } from '../../sdk/json-schema.js';
import {
  HEADER_NAME_PATTERN,
  MATCH_PATTERN_MESSAGES,
  regexMatcherSchema as regexMatcher,
  routeMatchSchema as routeMatch,
  stringMatcherSchema as stringMatcher,
} from '../../sdk/match-schema.js';
import { RESPONSE_FLAGS } from '../log/access-log-filter.js';

/** The retry conditions the router implements. */
export const RETRY_ON_CONDITIONS = [
  '5xx',
  'gateway-error',
  'reset',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
] as const;
const RETRY_CONDITION = `\\s*(${RETRY_ON_CONDITIONS.join('|')})\\s*`;
const RETRY_ON_PATTERN = `^${RETRY_CONDITION}(,${RETRY_CONDITION})*$`;
const HEX_PATTERN = '^([0-9a-fA-F]{2})+$';
const ABSOLUTE_PATH_PATTERN = '^/';
const HTTP_URL_PATTERN = '^https?://[^/?#\\s]+';

/** What to say when a value does not match one of our patterns (errors.ts prints it instead of the regex). */
export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  ...MATCH_PATTERN_MESSAGES,
  [DURATION_PATTERN]: 'must be a duration like "250ms", "5s" or "1m"',
  [RETRY_ON_PATTERN]: `must be a comma-separated list of: ${RETRY_ON_CONDITIONS.join(', ')}`,
  [HEX_PATTERN]: 'must be hex bytes, like "50494e47"',
  [ABSOLUTE_PATH_PATTERN]: 'must start with "/"',
  [HTTP_URL_PATTERN]: 'must be an http:// or https:// URL',
};

const string: JsonSchema = { type: 'string' };
const nonEmptyString: JsonSchema = { type: 'string', minLength: 1 };
const boolean: JsonSchema = { type: 'boolean' };
const falseByDefault = withDefault(boolean, false);
const duration: JsonSchema = { type: 'string', pattern: DURATION_PATTERN };
const port = integer(0, 65535);
const upstreamPort = integer(1, 65535);
const httpStatus = integer(200, 599);
const byteCount = integer(0);
const freeObject: JsonSchema = { type: 'object' };
const headerName: JsonSchema = { type: 'string', pattern: HEADER_NAME_PATTERN };

// --- Headers and matchers ---

const headerValueOption = object(
  {
    header: object({ key: headerName, value: string }, ['key', 'value']),
    append_action: {
      enum: ['APPEND_IF_EXISTS_OR_ADD', 'ADD_IF_ABSENT', 'OVERWRITE_IF_EXISTS_OR_ADD', 'OVERWRITE_IF_EXISTS'],
      default: 'APPEND_IF_EXISTS_OR_ADD',
    },
  },
  ['header'],
);

/** The header mutations shared by route configs, virtual hosts and routes. */
const headerMutations: Record<string, JsonSchema> = {
  request_headers_to_add: arrayOf(headerValueOption),
  request_headers_to_remove: arrayOf(headerName),
  response_headers_to_add: arrayOf(headerValueOption),
  response_headers_to_remove: arrayOf(headerName),
};

const perFilterConfigs: JsonSchema = {
  type: 'object',
  additionalProperties: object({ disabled: boolean, config: freeObject }),
};

// --- Routes ---

const retryPolicy = object(
  {
    retry_on: { type: 'string', pattern: RETRY_ON_PATTERN },
    num_retries: withDefault(integer(0), 1),
    per_try_timeout: duration,
    retriable_status_codes: arrayOf(httpStatus, 1),
    retry_back_off: object({ base_interval: withDefault(duration, '25ms'), max_interval: duration }),
    retry_host_predicate: withDefault(arrayOf(object({ name: { enum: ['previous_hosts'] } }, ['name'])), [
      { name: 'previous_hosts' },
    ]),
    host_selection_retry_max_attempts: withDefault(integer(1), 3),
  },
  ['retry_on'],
);

const requestMirrorPolicy = object(
  {
    cluster: nonEmptyString,
    runtime_fraction: object(
      {
        default_value: object(
          {
            numerator: integer(0),
            denominator: { enum: ['HUNDRED', 'TEN_THOUSAND', 'MILLION'], default: 'HUNDRED' },
          },
          ['numerator'],
        ),
      },
      ['default_value'],
    ),
    disable_shadow_host_suffix_append: falseByDefault,
  },
  ['cluster'],
);

const hashPolicy = object({
  header: object({ header_name: headerName }, ['header_name']),
  cookie: object({ name: nonEmptyString }, ['name']),
  connection_properties: object({ source_ip: boolean }, ['source_ip']),
  query_parameter: object({ name: nonEmptyString }, ['name']),
  terminal: falseByDefault,
});

const weightedClusters = object(
  { clusters: arrayOf(object({ name: nonEmptyString, weight: integer(0) }, ['name', 'weight']), 1) },
  ['clusters'],
);

/** Envoy's UpgradeConfig, on the HCM and per route (`websocket`, or another Upgrade token). */
const upgradeConfigs = arrayOf(object({ upgrade_type: nonEmptyString, enabled: withDefault(boolean, true) }, ['upgrade_type']));

const routeAction = object({
  cluster: nonEmptyString,
  upgrade_configs: upgradeConfigs,
  weighted_clusters: weightedClusters,
  prefix_rewrite: string,
  regex_rewrite: object({ pattern: regexMatcher, substitution: string }, ['pattern', 'substitution']),
  host_rewrite_literal: nonEmptyString,
  timeout: withDefault(duration, '15s'),
  idle_timeout: duration,
  retry_policy: retryPolicy,
  request_mirror_policies: arrayOf(requestMirrorPolicy),
  hash_policy: arrayOf(hashPolicy),
  per_request_buffer_limit_bytes: withDefault(byteCount, 1048576),
});

const redirectAction = object({
  https_redirect: boolean,
  scheme_redirect: nonEmptyString,
  host_redirect: nonEmptyString,
  port_redirect: upstreamPort,
  path_redirect: string,
  prefix_rewrite: string,
  response_code: {
    enum: ['MOVED_PERMANENTLY', 'FOUND', 'SEE_OTHER', 'TEMPORARY_REDIRECT', 'PERMANENT_REDIRECT'],
    default: 'MOVED_PERMANENTLY',
  },
  strip_query: falseByDefault,
});

const directResponseAction = object(
  { status: httpStatus, body: object({ inline_string: string }, ['inline_string']) },
  ['status'],
);

const route = object(
  {
    name: nonEmptyString,
    match: routeMatch,
    route: routeAction,
    redirect: redirectAction,
    direct_response: directResponseAction,
    ...headerMutations,
    typed_per_filter_config: perFilterConfigs,
  },
  ['match'],
);

const virtualHost = object(
  {
    name: nonEmptyString,
    domains: arrayOf(nonEmptyString, 1),
    routes: arrayOf(route),
    ...headerMutations,
    typed_per_filter_config: perFilterConfigs,
  },
  ['name', 'domains', 'routes'],
);

const routeConfiguration = object({ name: nonEmptyString, virtual_hosts: arrayOf(virtualHost), ...headerMutations }, [
  'virtual_hosts',
]);

// --- Listeners ---

const httpFilter = object(
  {
    name: nonEmptyString,
    type: nonEmptyString,
    module: nonEmptyString,
    config: freeObject,
    disabled: falseByDefault,
    fail_open: falseByDefault,
  },
  ['name'],
);

// --- Access logs and tracing ---

const comparisonFilter = object(
  {
    comparison: object(
      {
        op: { enum: ['EQ', 'GE', 'LE', 'NE'], default: 'GE' },
        value: { anyOf: [integer(0), object({ default_value: integer(0), runtime_key: string }, ['default_value'])] },
      },
      ['value'],
    ),
  },
  ['comparison'],
);

/** Envoy's AccessLogFilter, exactly one kind per object; and/or nest up to `depth` levels. */
function accessLogFilter(depth: number): JsonSchema {
  const kinds: Record<string, JsonSchema> = {
    status_code_filter: comparisonFilter,
    duration_filter: comparisonFilter,
    response_flag_filter: object({ flags: arrayOf({ enum: [...RESPONSE_FLAGS] }) }),
  };
  if (depth > 0) {
    const nested = object({ filters: arrayOf(accessLogFilter(depth - 1), 1) }, ['filters']);
    kinds.and_filter = nested;
    kinds.or_filter = nested;
  }
  return { ...object(kinds), minProperties: 1, maxProperties: 1 };
}

const accessLog = object(
  {
    name: nonEmptyString,
    path: nonEmptyString,
    format: nonEmptyString, // operators are checked in validate.ts
    json_format: { type: 'object', minProperties: 1 },
    filter: accessLogFilter(3),
  },
  ['name', 'path'],
);

const tracing = object({
  random_sampling: withDefault({ type: 'number', minimum: 0, maximum: 100 }, 100),
  service_name: withDefault(nonEmptyString, 'wasmgate'),
  propagation: withDefault({ ...arrayOf({ enum: ['w3c', 'b3'] }, 1), uniqueItems: true }, ['w3c', 'b3']),
  otlp: object(
    {
      endpoint: { type: 'string', pattern: HTTP_URL_PATTERN },
      timeout: withDefault(duration, '1s'),
      max_batch: withDefault(integer(1), 512),
      flush_interval: withDefault(duration, '1s'),
      max_queue: withDefault(integer(1), 4096),
    },
    ['endpoint'],
  ),
});

const idleTimeoutOptions = (def: string): JsonSchema => object({ idle_timeout: withDefault(duration, def) });

const httpConnectionManager = object(
  {
    stat_prefix: nonEmptyString,
    route_config: routeConfiguration,
    http_filters: arrayOf(httpFilter),
    access_log: arrayOf(accessLog),
    tracing,
    use_remote_address: withDefault(boolean, true),
    xff_num_trusted_hops: withDefault(integer(0), 0),
    preserve_external_request_id: withDefault(boolean, true),
    generate_request_id: withDefault(boolean, true),
    max_request_bytes: withDefault(byteCount, 1048576),
    max_response_bytes: withDefault(byteCount, 1048576),
    request_timeout: duration,
    stream_idle_timeout: withDefault(duration, '5m'),
    request_headers_timeout: withDefault(duration, '10s'),
    drain_timeout: duration,
    common_http_protocol_options: withDefault(idleTimeoutOptions('1h'), { idle_timeout: '1h' }),
    server_name: withDefault(nonEmptyString, 'wasmgate'),
    upgrade_configs: upgradeConfigs,
    codec_type: { enum: ['AUTO', 'HTTP1', 'HTTP2'], default: 'AUTO' },
    http2_protocol_options: object({ max_concurrent_streams: integer(1, 2147483647) }),
    forward_client_cert_details: {
      enum: ['SANITIZE', 'FORWARD_ONLY', 'APPEND_FORWARD', 'SANITIZE_SET', 'ALWAYS_FORWARD_ONLY'],
      default: 'SANITIZE',
    },
    set_current_client_cert_details: object({ subject: boolean, uri: boolean, dns: boolean, cert: boolean }),
  },
  ['stat_prefix', 'route_config', 'http_filters'],
);

/** Envoy's TcpProxy (envoy.filters.network.tcp_proxy); exactly one of cluster, weighted_clusters (validate.ts). */
const tcpProxy = object(
  {
    stat_prefix: nonEmptyString,
    cluster: nonEmptyString,
    weighted_clusters: weightedClusters,
    idle_timeout: withDefault(duration, '1h'),
    max_connect_attempts: withDefault(integer(1), 1),
  },
  ['stat_prefix'],
);

const networkFilterFields: Record<string, JsonSchema> = {
  name: nonEmptyString,
  type: nonEmptyString,
  module: nonEmptyString,
  config: freeObject,
  fail_open: falseByDefault,
};

/** A terminal's config, when the entry names that terminal. */
const terminalConfig = (name: string, config: JsonSchema): JsonSchema => ({
  if: object({ name: { const: name }, type: {}, module: {}, config: {}, fail_open: {} }, ['name']),
  then: object({ ...networkFilterFields, config }, ['name', 'config']),
});

/**
 * An entry of filter_chains[].filters: network filters (a registry filter, like http_filters entries), then
 * one terminal, http_connection_manager or tcp_proxy (the order is checked in validate.ts).
 */
const networkFilter: JsonSchema = {
  ...object(networkFilterFields, ['name']),
  allOf: [terminalConfig('http_connection_manager', httpConnectionManager), terminalConfig('tcp_proxy', tcpProxy)],
};

const cidrRange: JsonSchema = {
  oneOf: [nonEmptyString, object({ address_prefix: nonEmptyString, prefix_len: integer(0, 128) }, ['address_prefix'])],
};

const filterChainMatch = object({
  destination_port: upstreamPort,
  server_names: arrayOf(nonEmptyString, 1),
  transport_protocol: { enum: ['tls', 'raw_buffer'] },
  application_protocols: arrayOf(nonEmptyString, 1),
  source_prefix_ranges: arrayOf(cidrRange, 1),
});

/** Envoy's DataSource, one of filename or inline_string (validate.ts checks "one of"). */
const dataSource = object({ filename: nonEmptyString, inline_string: nonEmptyString });
const tlsVersion: JsonSchema = { enum: ['TLSv1_2', 'TLSv1_3'] };

const downstreamTls = object(
  {
    certificates: arrayOf(object({ certificate_chain: dataSource, private_key: dataSource }, ['certificate_chain', 'private_key']), 1),
    require_client_certificate: falseByDefault,
    validation_context: object({ trusted_ca: dataSource, match_subject_alt_names: arrayOf(stringMatcher, 1) }, ['trusted_ca']),
    alpn_protocols: arrayOf(nonEmptyString, 1),
    tls_minimum_protocol_version: withDefault(tlsVersion, 'TLSv1_2'),
    tls_maximum_protocol_version: withDefault(tlsVersion, 'TLSv1_3'),
  },
  ['certificates'],
);

const transportSocket = object({ name: { enum: ['tls'] }, config: downstreamTls }, ['name', 'config']);

const filterChain = object(
  {
    name: nonEmptyString,
    filter_chain_match: filterChainMatch,
    transport_socket: transportSocket,
    filters: arrayOf(networkFilter, 1),
  },
  ['filters'],
);

const listener = object(
  {
    name: nonEmptyString,
    address: withDefault(nonEmptyString, '127.0.0.1'),
    port,
    filter_chains: arrayOf(filterChain, 1),
    default_filter_chain: filterChain,
    listener_filters_timeout: withDefault(duration, '15s'),
  },
  ['name', 'port', 'filter_chains'],
);

const admin = object({ address: withDefault(nonEmptyString, '127.0.0.1'), port }, ['port']);

// --- Clusters ---

const endpoint = object(
  {
    address: nonEmptyString,
    port: upstreamPort,
    weight: withDefault(integer(1, 128), 1),
    priority: withDefault(integer(0), 0),
    locality: object({ region: string, zone: string, sub_zone: string }),
  },
  ['address', 'port'],
);

const circuitBreakerThresholds = object({
  priority: { enum: ['DEFAULT', 'HIGH'], default: 'DEFAULT' },
  max_connections: withDefault(integer(0), 1024),
  max_pending_requests: withDefault(integer(0), 1024),
  max_requests: withDefault(integer(0), 1024),
  max_retries: withDefault(integer(0), 1024), // not Envoy's 3: see docs/decisions.md
});

const MAX_RING_SIZE = 8388608;

const percent = integer(0, 100);
const statusRanges = arrayOf(object({ start: integer(100, 599), end: integer(101, 600) }, ['start', 'end']), 1);
const hexPayload = object({ text: { type: 'string', pattern: HEX_PATTERN } }, ['text']);

const httpHealthCheck = object(
  {
    path: { type: 'string', pattern: ABSOLUTE_PATH_PATTERN },
    host: nonEmptyString,
    method: { enum: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH'], default: 'GET' },
    expected_statuses: withDefault(statusRanges, [{ start: 200, end: 201 }]),
    retriable_statuses: statusRanges,
  },
  ['path'],
);

const healthCheck = object(
  {
    timeout: duration,
    interval: duration,
    initial_jitter: withDefault(duration, '0s'),
    interval_jitter: withDefault(duration, '0s'),
    interval_jitter_percent: withDefault(percent, 0),
    unhealthy_threshold: integer(1),
    healthy_threshold: integer(1),
    unhealthy_interval: duration,
    unhealthy_edge_interval: duration,
    healthy_edge_interval: duration,
    no_traffic_interval: withDefault(duration, '60s'),
    no_traffic_healthy_interval: duration,
    initially_healthy: falseByDefault,
    http_health_check: httpHealthCheck,
    tcp_health_check: object({ send: hexPayload, receive: arrayOf(hexPayload, 1) }),
  },
  ['timeout', 'interval', 'unhealthy_threshold', 'healthy_threshold'],
);

// Envoy's defaults, field by field.
const outlierDetection = object({
  consecutive_5xx: withDefault(integer(1), 5),
  consecutive_gateway_failure: withDefault(integer(1), 5),
  consecutive_local_origin_failure: withDefault(integer(1), 5),
  interval: withDefault(duration, '10s'),
  base_ejection_time: withDefault(duration, '30s'),
  max_ejection_time: withDefault(duration, '300s'),
  max_ejection_percent: withDefault(percent, 10),
  enforcing_consecutive_5xx: withDefault(percent, 100),
  enforcing_consecutive_gateway_failure: withDefault(percent, 0),
  enforcing_consecutive_local_origin_failure: withDefault(percent, 100),
  enforcing_success_rate: withDefault(percent, 100),
  enforcing_local_origin_success_rate: withDefault(percent, 100),
  enforcing_failure_percentage: withDefault(percent, 0),
  enforcing_failure_percentage_local_origin: withDefault(percent, 0),
  success_rate_minimum_hosts: withDefault(integer(1), 5),
  success_rate_request_volume: withDefault(integer(1), 100),
  success_rate_stdev_factor: withDefault(integer(0), 1900),
  failure_percentage_threshold: withDefault(percent, 85),
  failure_percentage_minimum_hosts: withDefault(integer(1), 5),
  failure_percentage_request_volume: withDefault(integer(1), 50),
  split_external_local_origin_errors: falseByDefault,
  successful_active_health_check_uneject_host: withDefault(boolean, true),
  always_eject_one_host: falseByDefault,
});

const commonLbConfig = object({
  healthy_panic_threshold: withDefault(object({ value: { type: 'number', minimum: 0, maximum: 100 } }, ['value']), { value: 50 }),
});

const upstreamTlsContext = object({
  sni: nonEmptyString,
  validation_context: object({ trusted_ca: dataSource }, ['trusted_ca']),
  certificates: { ...arrayOf(object({ certificate_chain: dataSource, private_key: dataSource }, ['certificate_chain', 'private_key']), 1), maxItems: 1 },
});

const cluster = object(
  {
    name: nonEmptyString,
    type: { enum: ['STATIC', 'STRICT_DNS'], default: 'STATIC' },
    connect_timeout: withDefault(duration, '5s'),
    lb_policy: { enum: ['round_robin', 'least_request', 'random', 'ring_hash', 'maglev'], default: 'round_robin' },
    endpoints: arrayOf(endpoint, 1),
    dns_refresh_rate: withDefault(duration, '5s'),
    dns_lookup_family: { enum: ['AUTO', 'V4_ONLY', 'V6_ONLY'], default: 'V4_ONLY' },
    circuit_breakers: object({ thresholds: arrayOf(circuitBreakerThresholds, 1) }, ['thresholds']),
    least_request_lb_config: object({ choice_count: withDefault(integer(2), 2) }),
    ring_hash_lb_config: object({
      minimum_ring_size: withDefault(integer(1, MAX_RING_SIZE), 1024),
      maximum_ring_size: withDefault(integer(1, MAX_RING_SIZE), MAX_RING_SIZE),
    }),
    maglev_lb_config: object({ table_size: withDefault(integer(1, 5000011), 65537) }),
    common_http_protocol_options: idleTimeoutOptions('1h'),
    per_connection_buffer_limit_bytes: byteCount,
    health_checks: { ...arrayOf(healthCheck), maxItems: 1 },
    outlier_detection: outlierDetection,
    common_lb_config: withDefault(commonLbConfig, {}),
    transport_socket: object({ name: { enum: ['tls'] }, config: upstreamTlsContext }, ['name', 'config']),
    http2_protocol_options: object({ max_concurrent_streams: integer(1, 2147483647) }),
  },
  ['name', 'endpoints'],
);

export const gatewayConfigSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'GatewayConfig',
  ...object({ admin, listeners: arrayOf(listener), clusters: arrayOf(cluster) }, ['listeners', 'clusters']),
};
