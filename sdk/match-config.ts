// Envoy's matcher configs (RouteMatch, HeaderMatcher, StringMatcher), shared by the route table and by
// filters that match requests the same way (rbac, jwt_authn rules). Field names and semantics are Envoy's.

export interface RouteMatch {
  // at most one of prefix, path, safe_regex, path_separated_prefix (none = prefix "/")
  prefix?: string;
  path?: string;
  safe_regex?: { regex: string };
  path_separated_prefix?: string;
  case_sensitive: boolean; // default true
  headers?: HeaderMatcher[];
  query_parameters?: QueryParameterMatcher[];
  methods?: string[]; // our addition; same as a header matcher on ":method"
  source_ip?: string[]; // our addition: CIDRs of the downstream peer ("10.0.0.0/8", "::1/128", "127.0.0.1")
}

export interface StringMatcher {
  // exactly one of exact, prefix, suffix, contains, safe_regex
  exact?: string;
  prefix?: string;
  suffix?: string;
  contains?: string;
  safe_regex?: { regex: string };
  ignore_case: boolean; // default false
}

export interface HeaderMatcher {
  name: string; // lower-cased at load; ":method", ":path", ":authority", ":scheme" are accepted
  // at most one of these; none means present_match: true
  exact_match?: string;
  prefix_match?: string;
  suffix_match?: string;
  contains_match?: string;
  safe_regex_match?: { regex: string };
  present_match?: boolean;
  string_match?: StringMatcher;
  invert_match: boolean; // default false
}

export interface QueryParameterMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean; // none of the two means present_match: true
}
