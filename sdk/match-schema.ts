// JSON Schemas of Envoy's matchers (RouteMatch, HeaderMatcher, StringMatcher, QueryParameterMatcher),
// used by the core config schema and by filters whose config holds matchers (rbac, jwt_authn rules).
// The rules a schema cannot say (exactly one matching field, regexes that compile, valid CIDRs) are
// checked by the core validator for routes; filters check theirs when they compile them.
import type { JsonSchema } from './filter.js';
import { arrayOf, object, withDefault } from './json-schema.js';

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+"; // RFC 9110 token: what a header name or a method may be
export const HEADER_NAME_PATTERN = `^${TOKEN}$`;
const MATCHER_HEADER_NAME_PATTERN = `^(:(method|path|authority|scheme)|${TOKEN})$`;
const METHOD_PATTERN = '^[A-Z][A-Z_-]*$';
const PATH_SEPARATED_PREFIX_PATTERN = '^[^?#]+[^?#/]$'; // Envoy's rule for path_separated_prefix

/** What to say when a value does not match one of these patterns (instead of printing the regex). */
export const MATCH_PATTERN_MESSAGES: Readonly<Record<string, string>> = {
  [HEADER_NAME_PATTERN]: 'must be a valid header name',
  [MATCHER_HEADER_NAME_PATTERN]: 'must be a header name, or one of the pseudo-headers :method, :path, :authority, :scheme',
  [METHOD_PATTERN]: 'must be an upper-case HTTP method like "GET"',
  [PATH_SEPARATED_PREFIX_PATTERN]: 'must not end with "/" nor contain "?" or "#"',
};

const string: JsonSchema = { type: 'string' };
const nonEmptyString: JsonSchema = { type: 'string', minLength: 1 };
const boolean: JsonSchema = { type: 'boolean' };
const falseByDefault = withDefault(boolean, false);

export const regexMatcherSchema = object({ regex: nonEmptyString }, ['regex']);

export const stringMatcherSchema = object({
  exact: string,
  prefix: nonEmptyString,
  suffix: nonEmptyString,
  contains: nonEmptyString,
  safe_regex: regexMatcherSchema,
  ignore_case: falseByDefault,
});

export const headerMatcherSchema = object(
  {
    name: { type: 'string', pattern: MATCHER_HEADER_NAME_PATTERN },
    exact_match: string,
    prefix_match: nonEmptyString,
    suffix_match: nonEmptyString,
    contains_match: nonEmptyString,
    safe_regex_match: regexMatcherSchema,
    present_match: boolean,
    string_match: stringMatcherSchema,
    invert_match: falseByDefault,
  },
  ['name'],
);

export const queryParameterMatcherSchema = object({ name: nonEmptyString, string_match: stringMatcherSchema, present_match: boolean }, ['name']);

export const routeMatchSchema = object({
  prefix: string,
  path: string,
  safe_regex: regexMatcherSchema,
  path_separated_prefix: { type: 'string', pattern: PATH_SEPARATED_PREFIX_PATTERN },
  case_sensitive: withDefault(boolean, true),
  headers: arrayOf(headerMatcherSchema),
  query_parameters: arrayOf(queryParameterMatcherSchema),
  methods: { ...arrayOf({ type: 'string', pattern: METHOD_PATTERN }, 1), uniqueItems: true },
  source_ip: arrayOf(nonEmptyString, 1),
});

