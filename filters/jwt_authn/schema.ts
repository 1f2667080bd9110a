// The config of jwt_authn: Envoy's JwtAuthentication (envoy.extensions.filters.http.jwt_authn.v3),
// field names and defaults as Envoy's, less what has no meaning here (gRPC, filter state).
import type { JsonSchema } from '../../sdk/filter.js';
import type { RouteMatch } from '../../sdk/match-config.js';
import { durationSchema } from '../../sdk/duration.js';
import { arrayOf, integer, object, withDefault } from '../../sdk/json-schema.js';
import { HEADER_NAME_PATTERN, routeMatchSchema } from '../../sdk/match-schema.js';

export interface JwtHeader {
  name: string;
  value_prefix?: string;
}

export interface HttpUri {
  uri: string;
  cluster: string;
  timeout: string;
}

export interface RemoteJwks {
  http_uri: HttpUri;
  cache_duration: string;
  /** Present: fetch when the config loads instead of on the first request that needs the keys. */
  async_fetch?: { failed_refetch_duration: string };
  /** Our addition: a token whose kid is not in the cached set refetches the set at most this often. */
  unknown_kid_refetch_interval: string;
}

export interface ClaimToHeader {
  header_name: string;
  claim_name: string;
}

/** Envoy's JwtCacheConfig; unlike Envoy, on by default (see the README), and a size of 0 turns it off. */
export interface JwtCacheConfig {
  jwt_cache_size: number;
  /** Longer tokens are verified every time (Envoy's default: 4 KiB). */
  jwt_max_token_size: number;
}

export interface JwtProvider {
  issuer?: string;
  audiences?: string[];
  require_expiration: boolean;
  local_jwks?: { inline_string: string };
  remote_jwks?: RemoteJwks;
  from_headers?: JwtHeader[];
  from_params?: string[];
  from_cookies?: string[];
  forward: boolean;
  forward_payload_header?: string;
  pad_forward_payload_header: boolean;
  claim_to_headers?: ClaimToHeader[];
  clock_skew_seconds: number;
  payload_in_metadata?: string;
  jwt_cache_config: JwtCacheConfig;
}

/** Envoy's JwtRequirement: exactly one field. */
export interface JwtRequirement {
  provider_name?: string;
  provider_and_audiences?: { provider_name: string; audiences: string[] };
  requires_any?: { requirements: JwtRequirement[] };
  requires_all?: { requirements: JwtRequirement[] };
  allow_missing?: Record<string, never>;
  allow_missing_or_failed?: Record<string, never>;
}

export interface RequirementRule {
  match: RouteMatch;
  /** Absent: the matched requests are not checked. */
  requires?: JwtRequirement;
}

export interface JwtAuthnConfig {
  providers: Record<string, JwtProvider>;
  rules: RequirementRule[];
  bypass_cors_preflight: boolean;
}

const nonEmptyString: JsonSchema = { type: 'string', minLength: 1 };
const headerName: JsonSchema = { type: 'string', pattern: HEADER_NAME_PATTERN };
const empty: JsonSchema = object({});

const providerSchema = object({
  issuer: nonEmptyString,
  audiences: arrayOf(nonEmptyString, 1),
  require_expiration: withDefault({ type: 'boolean' }, false),
  local_jwks: object({ inline_string: nonEmptyString }, ['inline_string']),
  remote_jwks: object(
    {
      http_uri: object(
        { uri: { type: 'string', pattern: '^https?://[^/?#]+' }, cluster: nonEmptyString, timeout: withDefault(durationSchema, '5s') },
        ['uri', 'cluster'],
      ),
      cache_duration: withDefault(durationSchema, '10m'),
      async_fetch: object({ failed_refetch_duration: withDefault(durationSchema, '1s') }),
      unknown_kid_refetch_interval: withDefault(durationSchema, '30s'),
    },
    ['http_uri'],
  ),
  from_headers: arrayOf(object({ name: headerName, value_prefix: { type: 'string' } }, ['name']), 1),
  from_params: arrayOf(nonEmptyString, 1),
  from_cookies: arrayOf(nonEmptyString, 1),
  forward: withDefault({ type: 'boolean' }, false),
  forward_payload_header: headerName,
  pad_forward_payload_header: withDefault({ type: 'boolean' }, false),
  claim_to_headers: arrayOf(object({ header_name: headerName, claim_name: nonEmptyString }, ['header_name', 'claim_name']), 1),
  clock_skew_seconds: withDefault(integer(0), 60),
  payload_in_metadata: nonEmptyString,
  jwt_cache_config: withDefault(
    object({ jwt_cache_size: withDefault(integer(0), 100), jwt_max_token_size: withDefault(integer(1), 4096) }),
    {},
  ),
});

// A requirement holds exactly one field; requires_any/requires_all nest requirements.
const requirementSchema: JsonSchema = {
  ...object({
    provider_name: nonEmptyString,
    provider_and_audiences: object({ provider_name: nonEmptyString, audiences: arrayOf(nonEmptyString, 1) }, ['provider_name', 'audiences']),
    requires_any: object({ requirements: arrayOf({ $ref: '#/definitions/requirement' }, 2) }, ['requirements']),
    requires_all: object({ requirements: arrayOf({ $ref: '#/definitions/requirement' }, 2) }, ['requirements']),
    allow_missing: empty,
    allow_missing_or_failed: empty,
  }),
  minProperties: 1,
  maxProperties: 1,
};

export const jwtAuthnSchema: JsonSchema = {
  ...object(
    {
      providers: { type: 'object', minProperties: 1, additionalProperties: providerSchema },
      rules: withDefault(arrayOf(object({ match: routeMatchSchema, requires: { $ref: '#/definitions/requirement' } }, ['match'])), []),
      bypass_cors_preflight: withDefault({ type: 'boolean' }, false),
    },
    ['providers'],
  ),
  definitions: { requirement: requirementSchema },
};
