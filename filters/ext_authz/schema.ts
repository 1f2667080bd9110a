// The config of ext_authz with an HTTP authorization service: Envoy's ExtAuthz
// (envoy.extensions.filters.http.ext_authz.v3) with http_service; the gRPC service is not offered.
import type { JsonSchema } from '../../sdk/filter.js';
import type { StringMatcher } from '../../sdk/match-config.js';
import { durationSchema } from '../../sdk/duration.js';
import { arrayOf, integer, object, withDefault } from '../../sdk/json-schema.js';
import { HEADER_NAME_PATTERN, stringMatcherSchema } from '../../sdk/match-schema.js';

export interface ListStringMatcher {
  patterns: StringMatcher[];
}

export interface ExtAuthzConfig {
  http_service: {
    server_uri: { uri: string; cluster: string; timeout: string };
    path_prefix: string;
    authorization_request?: {
      allowed_headers?: ListStringMatcher;
      headers_to_add?: { key: string; value: string }[];
    };
    authorization_response?: {
      allowed_upstream_headers?: ListStringMatcher;
      allowed_client_headers?: ListStringMatcher;
      allowed_client_headers_on_success?: ListStringMatcher;
    };
  };
  failure_mode_allow: boolean;
  status_on_error: { code: number };
  with_request_body?: { max_request_bytes: number; allow_partial_message: boolean };
}

const listStringMatcher = object({ patterns: arrayOf(stringMatcherSchema, 1) }, ['patterns']);

export const extAuthzSchema: JsonSchema = object(
  {
    http_service: object(
      {
        server_uri: object(
          { uri: { type: 'string', pattern: '^https?://[^/?#]+' }, cluster: { type: 'string', minLength: 1 }, timeout: withDefault(durationSchema, '200ms') },
          ['uri', 'cluster'],
        ),
        path_prefix: withDefault({ type: 'string', pattern: '^(/.*)?$' }, ''),
        authorization_request: object({
          allowed_headers: listStringMatcher,
          headers_to_add: arrayOf(object({ key: { type: 'string', pattern: HEADER_NAME_PATTERN }, value: { type: 'string' } }, ['key', 'value'])),
        }),
        authorization_response: object({
          allowed_upstream_headers: listStringMatcher,
          allowed_client_headers: listStringMatcher,
          allowed_client_headers_on_success: listStringMatcher,
        }),
      },
      ['server_uri'],
    ),
    failure_mode_allow: withDefault({ type: 'boolean' }, false),
    status_on_error: withDefault(object({ code: integer(200, 599) }, ['code']), { code: 403 }),
    with_request_body: object({ max_request_bytes: integer(1), allow_partial_message: withDefault({ type: 'boolean' }, false) }, ['max_request_bytes']),
  },
  ['http_service'],
);
