// Compiled request matchers with Envoy's semantics: string matchers, header matchers, query
// parameter matchers and method lists. Everything is decided at config load; the returned functions
// neither compile regexes nor build closures per call. Filters (rbac, ...) reuse these pieces.
import type { HeaderMatcher, QueryParameterMatcher, StringMatcher } from '../match-config.js';

/** What the matchers see of a request. */
export interface MatchInput {
  /** The host header, may carry ":port". */
  authority: string;
  /** Path with query string, as received. */
  path: string;
  method: string;
  /** node's req.headers: lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** Peer IP, may be IPv4-mapped IPv6 such as ::ffff:127.0.0.1. */
  sourceAddress: string;
  /** The downstream scheme, for the ":scheme" pseudo header (absent when not given). */
  scheme?: string;
}

export type StringMatch = (value: string) => boolean;
export type RequestMatch = (req: MatchInput) => boolean;
/** Query parameters of one request: name -> first value, not percent-decoded (Envoy's parseQueryString). */
export type QueryParams = ReadonlyMap<string, string>;
export type QueryMatch = (params: QueryParams) => boolean;

export function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Envoy's safe_regex is an RE2 full match: anchor the pattern at both ends. */
export function compileFullMatchRegex(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

/**
 * A literal every full match of `pattern` starts with ("" when none can be told): the plain
 * characters before the first metacharacter, less one followed by a quantifier. A leading "^" is
 * skipped; any "|" gives "" (a top-level alternation would offer other starts).
 */
export function regexLiteralPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  let literal = '';
  let i = pattern.startsWith('^') ? 1 : 0;
  while (i < pattern.length) {
    let c = pattern[i]!;
    let width = 1;
    if (c === '\\') {
      const escaped = pattern[i + 1];
      if (escaped === undefined || /[0-9A-Za-z]/.test(escaped)) break; // \d, \w, \b, \u..., backreferences
      c = escaped;
      width = 2;
    } else if ('.^$*+?()[]{}'.includes(c)) {
      break;
    }
    const next = pattern[i + width];
    if (next === '?' || next === '*' || next === '+' || next === '{') break; // this character is optional or repeated
    literal += c;
    i += width;
  }
  return literal;
}

/**
 * Envoy's StringMatcher. ignore_case applies to exact/prefix/suffix/contains and, as in Envoy,
 * not to safe_regex. Case-insensitive literals become an anchored /i regex so a match never
 * lower-cases (allocates) the value.
 */
export function compileStringMatcher(m: StringMatcher): StringMatch {
  if (m.safe_regex !== undefined) {
    const re = compileFullMatchRegex(m.safe_regex.regex);
    return (v) => re.test(v);
  }
  if (m.exact !== undefined) {
    const exact = m.exact;
    if (!m.ignore_case) return (v) => v === exact;
    const re = new RegExp(`^${escapeRegExp(exact)}$`, 'i');
    return (v) => v.length === exact.length && re.test(v);
  }
  if (m.prefix !== undefined) {
    const prefix = m.prefix;
    if (!m.ignore_case) return (v) => v.startsWith(prefix);
    const re = new RegExp(`^${escapeRegExp(prefix)}`, 'i');
    return (v) => re.test(v);
  }
  if (m.suffix !== undefined) {
    const suffix = m.suffix;
    if (!m.ignore_case) return (v) => v.endsWith(suffix);
    const re = new RegExp(`${escapeRegExp(suffix)}$`, 'i');
    return (v) => re.test(v);
  }
  if (m.contains !== undefined) {
    const part = m.contains;
    if (!m.ignore_case) return (v) => v.includes(part);
    const re = new RegExp(escapeRegExp(part), 'i');
    return (v) => re.test(v);
  }
  throw new Error('string matcher: one of exact, prefix, suffix, contains, safe_regex is required');
}

/**
 * Reads one header the way Envoy's matchers do: several values joined with ",", and the pseudo
 * headers ":method", ":path", ":authority", ":scheme" taken from the request itself.
 */
export function compileHeaderGetter(name: string): (req: MatchInput) => string | undefined {
  const key = name.toLowerCase();
  switch (key) {
    case ':method':
      return (req) => req.method;
    case ':path':
      return (req) => req.path;
    case ':authority':
      return (req) => req.authority;
    case ':scheme':
      return (req) => req.scheme;
    default:
      return (req) => {
        const v = req.headers[key];
        return v === undefined || typeof v === 'string' ? v : v.length === 0 ? undefined : v.join(',');
      };
  }
}

/**
 * Envoy's HeaderMatcher (HeaderUtility::matchHeaders). A missing header never matches a value
 * matcher, inverted or not; present_match: false means "must be absent"; invert flips presence too.
 */
export function compileHeaderMatcher(h: HeaderMatcher): RequestMatch {
  const get = compileHeaderGetter(h.name);
  const invert = h.invert_match;
  const value = headerValueMatcher(h);
  if (value === undefined) {
    const wantPresent = (h.present_match ?? true) !== invert;
    return (req) => (get(req) !== undefined) === wantPresent;
  }
  return (req) => {
    const v = get(req);
    return v !== undefined && value(v) !== invert;
  };
}

function headerValueMatcher(h: HeaderMatcher): StringMatch | undefined {
  if (h.exact_match !== undefined) return compileStringMatcher({ exact: h.exact_match, ignore_case: false });
  if (h.prefix_match !== undefined) return compileStringMatcher({ prefix: h.prefix_match, ignore_case: false });
  if (h.suffix_match !== undefined) return compileStringMatcher({ suffix: h.suffix_match, ignore_case: false });
  if (h.contains_match !== undefined) return compileStringMatcher({ contains: h.contains_match, ignore_case: false });
  if (h.safe_regex_match !== undefined) return compileStringMatcher({ safe_regex: h.safe_regex_match, ignore_case: false });
  if (h.string_match !== undefined) return compileStringMatcher(h.string_match);
  return undefined; // present_match, or nothing: a presence test
}

const NO_QUERY: QueryParams = new Map();

/**
 * Envoy's parseQueryString: the part after the first "?" (up to a "#"), split on "&" then on the
 * first "="; no percent-decoding; the first occurrence of a name wins; "a" alone means a = "".
 */
export function parseQuery(path: string): QueryParams {
  const start = path.indexOf('?');
  if (start < 0) return NO_QUERY;
  let end = path.indexOf('#', start);
  if (end < 0) end = path.length;
  const params = new Map<string, string>();
  let i = start + 1;
  while (i < end) {
    let amp = path.indexOf('&', i);
    if (amp < 0 || amp > end) amp = end;
    if (amp > i) {
      const eq = path.indexOf('=', i);
      const name = eq >= 0 && eq < amp ? path.slice(i, eq) : path.slice(i, amp);
      if (!params.has(name)) params.set(name, eq >= 0 && eq < amp ? path.slice(eq + 1, amp) : '');
    }
    i = amp + 1;
  }
  return params;
}

/**
 * Envoy's QueryParameterMatcher: an absent parameter never matches; present_match (true or false,
 * as in Envoy) and no matcher at all both mean "present".
 */
export function compileQueryParameterMatcher(q: QueryParameterMatcher): QueryMatch {
  const name = q.name;
  if (q.string_match === undefined) return (params) => params.has(name);
  const match = compileStringMatcher(q.string_match);
  return (params) => {
    const v = params.get(name);
    return v !== undefined && match(v);
  };
}

/** A method list, compared upper-case. */
export function compileMethodMatcher(methods: readonly string[]): (method: string) => boolean {
  const allowed = new Set(methods.map((m) => m.toUpperCase()));
  // node's parser already gives upper-case methods; upper-case only what does not match as is
  return (method) => allowed.has(method) || allowed.has(method.toUpperCase());
}

/**
 * Where the port of an authority starts (the index of its ":"), or -1. An IPv6 literal keeps its
 * colons inside "[...]"; a bare IPv6 address (several colons, no brackets) has no port.
 */
export function authorityPortStart(authority: string): number {
  const colon = authority.lastIndexOf(':');
  if (colon < 0) return -1;
  if (authority.charCodeAt(0) === 0x5b /* [ */) return authority.charCodeAt(colon - 1) === 0x5d /* ] */ ? colon : -1;
  return authority.indexOf(':') === colon ? colon : -1;
}

/** End of the path part: the first "?" or "#", else the length. */
export function pathPartEnd(path: string): number {
  for (let i = 0; i < path.length; i++) {
    const c = path.charCodeAt(i);
    if (c === 0x3f /* ? */ || c === 0x23 /* # */) return i;
  }
  return path.length;
}
