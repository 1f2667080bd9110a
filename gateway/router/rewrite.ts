// Path rewrites of a forwarded request (prefix_rewrite, regex_rewrite) and the Location of a
// redirect, with Envoy's semantics (RouteEntryImplBase::currentUrlPathAfterRewrite, Utility::newUri).
import type { RedirectAction, RouteAction, RouteMatch } from '../config/types.js';
import { authorityPortStart, pathPartEnd, type MatchInput } from '../../sdk/matching/matchers.js';

export { pathPartEnd };

/** Rewrites a request path (query string included); returns the same string when nothing applies. */
export type PathRewrite = (path: string) => string;

const keepPath: PathRewrite = (path) => path;


/**
 * prefix_rewrite swaps what the route matched: the prefix of a prefix / path_separated_prefix route
 * (its length: the request matched it, case-insensitively perhaps), the whole path part of a path or
 * safe_regex route; the query string is kept. regex_rewrite replaces every match of its pattern in the
 * path part (RE2 GlobalReplace); an empty result leaves the path as it was, as in Envoy.
 * The path given must be the one the route matched.
 */
export function compilePathRewrite(
  match: RouteMatch,
  rewrite: Pick<RouteAction, 'prefix_rewrite' | 'regex_rewrite'>,
): PathRewrite {
  const prefixRewrite = rewrite.prefix_rewrite;
  if (prefixRewrite !== undefined) {
    const matched = match.prefix ?? match.path_separated_prefix;
    if (matched !== undefined || (match.path === undefined && match.safe_regex === undefined)) {
      const length = (matched ?? '/').length;
      return (path) => prefixRewrite + path.slice(length);
    }
    return (path) => prefixRewrite + path.slice(pathPartEnd(path));
  }
  if (rewrite.regex_rewrite !== undefined) {
    const re = new RegExp(rewrite.regex_rewrite.pattern.regex, 'g');
    const substitution = re2SubstitutionToJs(rewrite.regex_rewrite.substitution);
    return (path) => {
      const end = pathPartEnd(path);
      const part = end === path.length ? path : path.slice(0, end);
      const replaced = part.replace(re, substitution);
      if (replaced === '') return path;
      return end === path.length ? replaced : replaced + path.slice(end);
    };
  }
  return keepPath;
}

/**
 * RE2 substitutions write groups as \0..\9 and a backslash as \\; JS replace strings use $& and $nn
 * and need "$" escaped. "\1" becomes "$01" (two digits) so a digit after it stays a literal digit.
 */
export function re2SubstitutionToJs(substitution: string): string {
  let out = '';
  for (let i = 0; i < substitution.length; i++) {
    const c = substitution[i]!;
    if (c === '$') {
      out += '$$';
    } else if (c === '\\' && i + 1 < substitution.length) {
      const next = substitution[++i]!;
      if (next === '0') out += '$&';
      else if (next >= '1' && next <= '9') out += '$0' + next;
      else out += next === '$' ? '$$' : next;
    } else {
      out += c;
    }
  }
  return out;
}

export type RedirectResponseCode = RedirectAction['response_code'];

export const REDIRECT_STATUS: Readonly<Record<RedirectResponseCode, number>> = {
  MOVED_PERMANENTLY: 301,
  FOUND: 302,
  SEE_OTHER: 303,
  TEMPORARY_REDIRECT: 307,
  PERMANENT_REDIRECT: 308,
};

const DEFAULT_PORT: Readonly<Record<string, string>> = { http: '80', https: '443' };

/** Builds the Location of a redirect; `scheme` is the scheme the request came in with. */
export type RedirectLocation = (req: MatchInput, scheme: 'http' | 'https') => string;

/**
 * As Envoy's newUri:
 * - scheme: scheme_redirect, else https when https_redirect, else the request's;
 * - host: host_redirect, else the request's authority; its port is replaced by port_redirect, and
 *   dropped when the scheme changes and it was the default port of the old scheme;
 * - path: path_redirect (keeping the request's query unless path_redirect has its own), else the
 *   request path with prefix_rewrite applied; strip_query drops the query (never path_redirect's);
 * - a port equal to the default port of the final scheme is dropped (Envoy keeps a port_redirect of
 *   443 on https; an explicit default port only makes the URL longer).
 */
export function compileRedirect(match: RouteMatch, redirect: RedirectAction): RedirectLocation {
  const schemeRedirect = redirect.scheme_redirect?.toLowerCase() ?? (redirect.https_redirect ? 'https' : undefined);
  const hostRedirect = redirect.host_redirect;
  const portRedirect = redirect.port_redirect !== undefined ? String(redirect.port_redirect) : undefined;
  const pathRedirect = redirect.path_redirect;
  const pathRedirectHasQuery = pathRedirect?.includes('?') ?? false;
  const stripQuery = redirect.strip_query && !pathRedirectHasQuery;
  const rewrite = compilePathRewrite(match, { prefix_rewrite: redirect.prefix_rewrite });

  return (req, scheme) => {
    const finalScheme = schemeRedirect ?? scheme;

    const authority = hostRedirect ?? req.authority;
    const portStart = authorityPortStart(authority);
    const host = portStart < 0 ? authority : authority.slice(0, portStart);
    let port = portStart < 0 ? '' : authority.slice(portStart + 1);
    if (hostRedirect === undefined && finalScheme !== scheme && port === DEFAULT_PORT[scheme]) port = '';
    if (portRedirect !== undefined) port = portRedirect;
    if (port === DEFAULT_PORT[finalScheme]) port = '';

    let path: string;
    if (pathRedirect === undefined) {
      path = rewrite(req.path);
    } else if (pathRedirectHasQuery) {
      path = pathRedirect;
    } else {
      const query = req.path.indexOf('?');
      path = query < 0 ? pathRedirect : pathRedirect + req.path.slice(query);
    }
    if (path.charCodeAt(0) !== 0x2f /* / */) path = '/' + path;
    if (stripQuery) {
      const query = path.indexOf('?');
      if (query >= 0) path = path.slice(0, query);
    }
    return port === '' ? `${finalScheme}://${host}${path}` : `${finalScheme}://${host}:${port}${path}`;
  };
}
