// The config of cors: Envoy's CorsPolicy (envoy.extensions.filters.http.cors.v3.CorsPolicy), given to
// the filter itself (and per route through typed_per_filter_config).
import type { JsonSchema } from '../../sdk/filter.js';
import { arrayOf, object, withDefault } from '../../sdk/json-schema.js';
import { stringMatcherSchema } from '../../sdk/match-schema.js';
import type { StringMatcher } from '../../sdk/match-config.js';

export interface CorsConfig {
  allow_origin_string_match: StringMatcher[];
  /** Comma-separated, as Envoy writes them: "GET, POST". */
  allow_methods?: string;
  allow_headers?: string;
  expose_headers?: string;
  /** Seconds, as a string of digits (Envoy's type). */
  max_age?: string;
  allow_credentials: boolean;
  allow_private_network_access: boolean;
}

// A header value listing tokens: no CR, LF or NUL can reach a response header.
const headerList: JsonSchema = { type: 'string', pattern: '^[^\\r\\n\\0]*$' };

export const corsSchema: JsonSchema = object(
  {
    allow_origin_string_match: arrayOf(stringMatcherSchema, 1),
    allow_methods: headerList,
    allow_headers: headerList,
    expose_headers: headerList,
    max_age: { type: 'string', pattern: '^\\d{1,10}$' },
    allow_credentials: withDefault({ type: 'boolean' }, false),
    allow_private_network_access: withDefault({ type: 'boolean' }, false),
  },
  ['allow_origin_string_match'],
);
