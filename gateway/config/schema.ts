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
} from '../../sdk/match-schema.js';

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

/** What to say when a value does not match one of our patterns (errors.ts prints it instead of the regex). */
export const PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  ...MATCH_PATTERN_MESSAGES,
  [DURATION_PATTERN]: 'must be a duration like "250ms", "5s" or "1m"',
  [RETRY_ON_PATTERN]: `must be a comma-separated list of: ${RETRY_ON_CONDITIONS.join(', ')}`,
  [HEX_PATTERN]: 'must be hex bytes, like "50494e47"',
  [ABSOLUTE_PATH_PATTERN]: 'must start with "/"',
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

const routeAction = object({
  cluster: nonEmptyString,
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

const idleTimeoutOptions = (def: string): JsonSchema => object({ idle_timeout: withDefault(duration, def) });

const httpConnectionManager = object(
  {
    stat_prefix: nonEmptyString,
    route_config: routeConfiguration,
    http_filters: arrayOf(httpFilter),
    access_log: arrayOf(object({ name: nonEmptyString, path: nonEmptyString }, ['name', 'path'])),
    use_remote_address: withDefault(boolean, true),
    xff_num_trusted_hops: withDefault(integer(0), 0),
    preserve_external_request_id: withDefault(boolean, true),
    generate_request_id: withDefault(boolean, true),
    max_request_bytes: withDefault(byteCount, 1048576),
    max_response_bytes: withDefault(byteCount, 1048576),
    request_timeout: duration,
    stream_idle_timeout: withDefault(duration, '5m'),
    request_headers_timeout: withDefault(duration, '10s'),
    common_http_protocol_options: withDefault(idleTimeoutOptions('1h'), { idle_timeout: '1h' }),
    server_name: withDefault(nonEmptyString, 'wasmgate'),
  },
  ['stat_prefix', 'route_config', 'http_filters'],
);

const networkFilter = object({ name: { enum: ['http_connection_manager'] }, config: httpConnectionManager }, [
  'name',
  'config',
]);

const listener = object(
  {
    name: nonEmptyString,
    address: withDefault(nonEmptyString, '127.0.0.1'),
    port,
    filter_chains: arrayOf(object({ filters: { ...arrayOf(networkFilter, 1), maxItems: 1 } }, ['filters']), 1),
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
  },
  ['name', 'endpoints'],
);

export const gatewayConfigSchema: JsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'GatewayConfig',
  ...object({ admin, listeners: arrayOf(listener), clusters: arrayOf(cluster) }, ['listeners', 'clusters']),
};
