// A RouteMatch compiled into conditions over one request: the route table's matching, and what
// filters get as ctx.matchers.route() (jwt_authn rules, rbac). Envoy's semantics; decided at load,
// nothing compiled per request.
import type { RouteMatch } from '../match-config.js';
import { CidrMatcher, parseIp, type ParsedIp } from './cidr.js';
import {
  compileFullMatchRegex,
  compileHeaderMatcher,
  compileMethodMatcher,
  compileQueryParameterMatcher,
  parseQuery,
  pathPartEnd,
  type MatchInput,
  type QueryParams,
} from './matchers.js';

// ---------------------------------------------------------------------------------------------
// Per-request state: what several routes of one match may need, derived at most once

export const IDLE_REQUEST: MatchInput = { authority: '', path: '', method: '', headers: {}, sourceAddress: '' };

export class MatchState {
  req: MatchInput = IDLE_REQUEST;
  private pathPartValue: string | undefined;
  private lowerPathValue: string | undefined;
  private lowerPathPartValue: string | undefined;
  private queryValue: QueryParams | undefined;
  private sourceParsed = false;
  private sourceValue: ParsedIp | null = null;

  /** match() is synchronous, so one state per table serves every request in turn. */
  reset(req: MatchInput): void {
    this.req = req;
    this.pathPartValue = undefined;
    this.lowerPathValue = undefined;
    this.lowerPathPartValue = undefined;
    this.queryValue = undefined;
    this.sourceParsed = false;
    this.sourceValue = null;
  }

  /** The path without query and fragment. */
  pathPart(): string {
    if (this.pathPartValue === undefined) {
      const path = this.req.path;
      const end = pathPartEnd(path);
      this.pathPartValue = end === path.length ? path : path.slice(0, end);
    }
    return this.pathPartValue;
  }

  lowerPath(): string {
    return (this.lowerPathValue ??= this.req.path.toLowerCase());
  }

  lowerPathPart(): string {
    if (this.lowerPathPartValue === undefined) {
      const lower = this.lowerPath();
      const end = pathPartEnd(lower);
      this.lowerPathPartValue = end === lower.length ? lower : lower.slice(0, end);
    }
    return this.lowerPathPartValue;
  }

  query(): QueryParams {
    return (this.queryValue ??= parseQuery(this.req.path));
  }

  sourceIp(): ParsedIp | null {
    if (!this.sourceParsed) {
      this.sourceValue = parseIp(this.req.sourceAddress);
      this.sourceParsed = true;
    }
    return this.sourceValue;
  }
}

export type Condition = (s: MatchState) => boolean;

// ---------------------------------------------------------------------------------------------
// Route match compilation

/** `path` starts with `prefix` and ends there or at "?" / "#", or at "/" too when `slashEnds`. */
function endsAtBoundary(path: string, length: number, slashEnds: boolean): boolean {
  if (path.length === length) return true;
  const c = path.charCodeAt(length);
  return c === 0x3f /* ? */ || c === 0x23 /* # */ || (slashEnds && c === 0x2f); /* / */
}

/**
 * prefix: a plain prefix of the path as received (query included, as Envoy); path: equality with
 * the path part; path_separated_prefix: a prefix ending at "/", "?", "#" or the end; safe_regex: a
 * full match of the path part (case_sensitive does not apply to it, as in Envoy).
 */
function pathCondition(m: RouteMatch): Condition {
  const caseSensitive = m.case_sensitive !== false;
  if (m.safe_regex !== undefined) {
    const re = compileFullMatchRegex(m.safe_regex.regex);
    return (s) => re.test(s.pathPart());
  }
  if (m.path !== undefined) {
    // compared with the path without its query (Envoy), so a "?" or "#" in it can never match
    if (pathPartEnd(m.path) !== m.path.length) return () => false;
    const exact = caseSensitive ? m.path : m.path.toLowerCase();
    if (caseSensitive) return (s) => s.req.path.startsWith(exact) && endsAtBoundary(s.req.path, exact.length, false);
    return (s) => s.lowerPathPart() === exact;
  }
  if (m.path_separated_prefix !== undefined) {
    const prefix = caseSensitive ? m.path_separated_prefix : m.path_separated_prefix.toLowerCase();
    return (s) => {
      const path = caseSensitive ? s.req.path : s.lowerPath();
      return path.startsWith(prefix) && endsAtBoundary(path, prefix.length, true);
    };
  }
  const prefix = m.prefix ?? '/';
  if (caseSensitive) return (s) => s.req.path.startsWith(prefix);
  const lower = prefix.toLowerCase();
  return (s) => s.lowerPath().startsWith(lower);
}

export function matchConditions(m: RouteMatch): Condition[] {
  const conditions: Condition[] = [pathCondition(m)];
  if (m.methods !== undefined && m.methods.length > 0) {
    const method = compileMethodMatcher(m.methods);
    conditions.push((s) => method(s.req.method));
  }
  for (const h of m.headers ?? []) {
    const header = compileHeaderMatcher(h);
    conditions.push((s) => header(s.req));
  }
  for (const q of m.query_parameters ?? []) {
    const query = compileQueryParameterMatcher(q);
    conditions.push((s) => query(s.query()));
  }
  if (m.source_ip !== undefined && m.source_ip.length > 0) {
    const cidrs = new CidrMatcher(m.source_ip);
    conditions.push((s) => {
      const ip = s.sourceIp();
      return ip !== null && cidrs.matchesIp(ip);
    });
  }
  return conditions;
}


/** One RouteMatch as a predicate, for filters that match requests as routes do (jwt_authn rules, rbac). */
export function compileRouteMatch(m: RouteMatch): (req: MatchInput) => boolean {
  const conditions = matchConditions(m);
  const state = new MatchState();
  return (req) => {
    state.reset(req);
    for (const c of conditions) if (!c(state)) return false;
    return true;
  };
}
