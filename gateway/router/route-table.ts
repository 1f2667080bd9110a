// The compiled route table of one http_connection_manager: virtual host selection by authority,
// then the first route (in config order) whose match fully holds. Built once per config load;
// a match neither compiles nor (beyond a few unavoidable slices) allocates.
import type {
  AppendAction,
  HeaderValueOption,
  Route,
  RouteConfiguration,
  RouteMatch,
  VirtualHost,
} from '../config/types.js';
import { IDLE_REQUEST, MatchState, matchConditions, type Condition } from '../../sdk/matching/route-match.js';
import { compileHashPolicy, type HashKey } from './hash-key.js';
import { authorityPortStart, regexLiteralPrefix, type MatchInput } from '../../sdk/matching/matchers.js';
import { compilePathRewrite, compileRedirect, REDIRECT_STATUS, type PathRewrite, type RedirectLocation } from './rewrite.js';
import { compileClusterPicker, type RandomSource } from './weighted.js';

export type { MatchInput } from '../../sdk/matching/matchers.js';

// ---------------------------------------------------------------------------------------------
// Header mutations

export type HeaderMutationAction = AppendAction | 'REMOVE';

export interface HeaderOp {
  /** Lower-cased at load. */
  readonly name: string;
  readonly value: string;
  readonly action: HeaderMutationAction;
}

/** Header operations applied in order. */
export type CompiledHeaderMutation = readonly HeaderOp[];

/**
 * One level's headers_to_remove then headers_to_add (Envoy removes before it adds). As Envoy with
 * keep_empty_value false, an entry whose value is empty is dropped.
 */
export function compileHeaderMutation(
  toAdd: readonly HeaderValueOption[] | undefined,
  toRemove: readonly string[] | undefined,
): CompiledHeaderMutation {
  const ops: HeaderOp[] = [];
  for (const name of toRemove ?? []) ops.push({ name: name.toLowerCase(), value: '', action: 'REMOVE' });
  for (const h of toAdd ?? []) {
    if (h.header.value === '') continue;
    ops.push({ name: h.header.key.toLowerCase(), value: h.header.value, action: h.append_action });
  }
  return ops;
}

/** Envoy's append_action on a node-style header object (lower-case names). */
export function applyHeaderMutations(
  headers: Record<string, string | string[] | undefined>,
  m: CompiledHeaderMutation,
): void {
  for (const op of m) {
    const current = headers[op.name];
    switch (op.action) {
      case 'REMOVE':
        delete headers[op.name];
        break;
      case 'APPEND_IF_EXISTS_OR_ADD':
        if (current === undefined) headers[op.name] = op.value;
        else if (typeof current === 'string') headers[op.name] = [current, op.value];
        else current.push(op.value);
        break;
      case 'ADD_IF_ABSENT':
        if (current === undefined) headers[op.name] = op.value;
        break;
      case 'OVERWRITE_IF_EXISTS_OR_ADD':
        headers[op.name] = op.value;
        break;
      case 'OVERWRITE_IF_EXISTS':
        if (current !== undefined) headers[op.name] = op.value;
        break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// The public shape of a match

export interface CompiledVirtualHost {
  readonly name: string;
  readonly config: VirtualHost;
  /** This virtual host's own level only; CompiledRoute carries the three levels combined. */
  readonly requestHeaderMutation: CompiledHeaderMutation;
  readonly responseHeaderMutation: CompiledHeaderMutation;
}

interface CompiledRouteBase {
  /** The route's name, or "<virtual host name>/<index>". */
  readonly name: string;
  readonly vhost: CompiledVirtualHost;
  readonly route: Route;
  /**
   * Route, then virtual host, then route configuration level, each removing then adding: Envoy's
   * order with most_specific_header_mutations_wins false, so on a conflict the least specific
   * level (the route configuration) is applied last and wins.
   */
  readonly requestHeaderMutation: CompiledHeaderMutation;
  readonly responseHeaderMutation: CompiledHeaderMutation;
}

export interface ForwardingRoute extends CompiledRouteBase {
  readonly action: 'route';
  pickCluster(): string;
  /** The path to send upstream (query kept); `path` must be the path this route matched. */
  rewritePath(path: string): string;
  readonly hostRewrite: string | undefined;
  /** The hash_policy key, or undefined when no policy produced a value. */
  hashKey(req: MatchInput): number | undefined;
}

export interface RedirectRoute extends CompiledRouteBase {
  readonly action: 'redirect';
  redirectLocation(req: MatchInput, scheme: 'http' | 'https'): string;
  readonly redirectStatus: number;
}

export interface DirectResponseRoute extends CompiledRouteBase {
  readonly action: 'direct_response';
  readonly status: number;
  /** Empty when the config has no body. */
  readonly body: Buffer;
}

export type CompiledRoute = ForwardingRoute | RedirectRoute | DirectResponseRoute;

export interface RouteTable {
  match(req: MatchInput): CompiledRoute | null;
  /** The route configuration's own level; CompiledRoute carries the three levels combined. */
  readonly requestHeaderMutation: CompiledHeaderMutation;
  readonly responseHeaderMutation: CompiledHeaderMutation;
}

export interface RouteTableOptions {
  /** Draws for weighted clusters; Math.random unless a test pins it. */
  random?: RandomSource;
}

interface RouteEntry {
  readonly compiled: CompiledRoute;
  /** Path first (the cheapest and most selective), then methods, headers, query, source. */
  readonly conditions: readonly Condition[];
}

function entryMatches(entry: RouteEntry, s: MatchState): boolean {
  for (const condition of entry.conditions) if (!condition(s)) return false;
  return true;
}

interface Levels {
  readonly vhost: CompiledVirtualHost;
  readonly configRequest: CompiledHeaderMutation;
  readonly configResponse: CompiledHeaderMutation;
  readonly random: RandomSource;
}

function compileRoute(route: Route, index: number, levels: Levels): CompiledRoute {
  const { vhost } = levels;
  const base: CompiledRouteBase = {
    name: route.name ?? `${vhost.name}/${index}`,
    vhost,
    route,
    requestHeaderMutation: [
      ...compileHeaderMutation(route.request_headers_to_add, route.request_headers_to_remove),
      ...vhost.requestHeaderMutation,
      ...levels.configRequest,
    ],
    responseHeaderMutation: [
      ...compileHeaderMutation(route.response_headers_to_add, route.response_headers_to_remove),
      ...vhost.responseHeaderMutation,
      ...levels.configResponse,
    ],
  };
  if (route.route !== undefined) {
    const action = route.route;
    const pickCluster = compileClusterPicker(action, levels.random);
    const rewritePath: PathRewrite = compilePathRewrite(route.match, action);
    const hashKey: HashKey = compileHashPolicy(action.hash_policy);
    return { ...base, action: 'route', pickCluster, rewritePath, hostRewrite: action.host_rewrite_literal, hashKey };
  }
  if (route.redirect !== undefined) {
    const redirectLocation: RedirectLocation = compileRedirect(route.match, route.redirect);
    return { ...base, action: 'redirect', redirectLocation, redirectStatus: REDIRECT_STATUS[route.redirect.response_code] };
  }
  if (route.direct_response !== undefined) {
    const { status, body } = route.direct_response;
    return { ...base, action: 'direct_response', status, body: Buffer.from(body?.inline_string ?? '') };
  }
  throw new Error('one of route, redirect, direct_response is required');
}

// ---------------------------------------------------------------------------------------------
// Route index: candidates by path, so a large table is not scanned route by route

/**
 * A radix tree of path prefixes. Each node keeps, in config order, the routes whose prefix ends
 * exactly there; walking a path collects the lists of every node on the way, i.e. of every
 * indexed prefix the path starts with.
 */
class PrefixTree {
  private readonly root = new PrefixNode('');
  size = 0;

  insert(prefix: string, position: number): void {
    this.size++;
    let node = this.root;
    let i = 0;
    for (;;) {
      if (i === prefix.length) {
        (node.routes ??= []).push(position);
        return;
      }
      node.children ??= new Map();
      const first = prefix.charCodeAt(i);
      const child = node.children.get(first);
      if (child === undefined) {
        const leaf = new PrefixNode(prefix.slice(i));
        leaf.routes = [position];
        node.children.set(first, leaf);
        return;
      }
      let common = 0;
      const label = child.label;
      while (common < label.length && i + common < prefix.length && label.charCodeAt(common) === prefix.charCodeAt(i + common)) common++;
      if (common < label.length) {
        // split the edge: node -> mid (shared part) -> child (rest)
        const mid = new PrefixNode(label.slice(0, common));
        child.label = label.slice(common);
        mid.children = new Map([[child.label.charCodeAt(0), child]]);
        node.children.set(first, mid);
        node = mid;
      } else {
        node = child;
      }
      i += common;
    }
  }

  /** Stores the lists into `lists` from index `count` on; returns the new count. */
  collect(path: string, lists: (readonly number[])[], count: number): number {
    let node: PrefixNode | undefined = this.root;
    let i = 0;
    for (;;) {
      if (node.routes !== null) lists[count++] = node.routes;
      if (node.children === null || i >= path.length) return count;
      node = node.children.get(path.charCodeAt(i));
      if (node === undefined || !path.startsWith(node.label, i)) return count;
      i += node.label.length;
    }
  }
}

class PrefixNode {
  children: Map<number, PrefixNode> | null = null;
  routes: number[] | null = null;
  constructor(public label: string) {}
}

/** Routes of one virtual host, bucketed by the only path condition an index can answer. */
class RouteIndex {
  private readonly exact = new Map<string, number[]>();
  private readonly exactIgnoringCase = new Map<string, number[]>();
  private readonly prefixes = new PrefixTree();
  private readonly prefixesIgnoringCase = new PrefixTree();
  /** safe_regex routes with no literal start: candidates for every path. */
  private readonly unindexed: number[] = [];

  add(m: RouteMatch, position: number): void {
    const caseSensitive = m.case_sensitive !== false;
    if (m.safe_regex !== undefined) {
      // a path that fully matches starts with the regex's literal prefix (case_sensitive does not apply)
      const literal = regexLiteralPrefix(m.safe_regex.regex);
      if (literal === '') this.unindexed.push(position);
      else this.prefixes.insert(literal, position);
    } else if (m.path !== undefined) {
      const map = caseSensitive ? this.exact : this.exactIgnoringCase;
      const key = caseSensitive ? m.path : m.path.toLowerCase();
      const list = map.get(key);
      if (list === undefined) map.set(key, [position]);
      else list.push(position);
    } else {
      // path_separated_prefix is a prefix with a boundary check, which the route's own condition makes
      const prefix = m.prefix ?? m.path_separated_prefix ?? '/';
      if (caseSensitive) this.prefixes.insert(prefix, position);
      else this.prefixesIgnoringCase.insert(prefix.toLowerCase(), position);
    }
  }

  /**
   * Stores the candidate lists of the current request (each in config order, no route in two) into
   * `lists` and returns how many. The array is reused, never truncated: truncating drops its storage.
   */
  candidates(s: MatchState, lists: (readonly number[])[]): number {
    let count = 0;
    if (this.unindexed.length > 0) lists[count++] = this.unindexed;
    if (this.exact.size > 0) {
      const list = this.exact.get(s.pathPart());
      if (list !== undefined) lists[count++] = list;
    }
    if (this.exactIgnoringCase.size > 0) {
      const list = this.exactIgnoringCase.get(s.lowerPathPart());
      if (list !== undefined) lists[count++] = list;
    }
    if (this.prefixes.size > 0) count = this.prefixes.collect(s.req.path, lists, count);
    if (this.prefixesIgnoringCase.size > 0) count = this.prefixesIgnoringCase.collect(s.lowerPath(), lists, count);
    return count;
  }
}

class VirtualHostRoutes {
  private readonly index: RouteIndex | null;
  /** Scratch for one match: candidate lists and a cursor into each. */
  private readonly lists: (readonly number[])[] = [];
  private readonly cursors: number[] = [];

  constructor(private readonly entries: readonly RouteEntry[]) {
    // measured: the index wins from 10 routes down (route-table.bench.ts); a lone route needs none
    if (entries.length <= 1) {
      this.index = null;
    } else {
      this.index = new RouteIndex();
      entries.forEach((e, position) => this.index!.add(e.compiled.route.match, position));
    }
  }

  firstMatch(s: MatchState): CompiledRoute | null {
    if (this.index === null) {
      for (const entry of this.entries) if (entryMatches(entry, s)) return entry.compiled;
      return null;
    }
    const lists = this.lists;
    const cursors = this.cursors;
    const count = this.index.candidates(s, lists);
    for (let k = 0; k < count; k++) cursors[k] = 0;
    // merge the sorted lists, trying routes in config order: the first full match wins
    for (;;) {
      let best = -1;
      let bestPosition = Number.MAX_SAFE_INTEGER;
      for (let k = 0; k < count; k++) {
        const list = lists[k]!;
        const c = cursors[k]!;
        if (c < list.length && list[c]! < bestPosition) {
          bestPosition = list[c]!;
          best = k;
        }
      }
      if (best < 0) return null;
      cursors[best]!++;
      const entry = this.entries[bestPosition]!;
      if (entryMatches(entry, s)) return entry.compiled;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Virtual host selection

/** Wildcard domains grouped by length, longest first, as Envoy's wildcard maps. */
class WildcardDomains<T> {
  private readonly groups: { length: number; byPattern: Map<string, T> }[] = [];

  constructor(private readonly suffix: boolean) {}

  get empty(): boolean {
    return this.groups.length === 0;
  }

  add(pattern: string, value: T): void {
    let group = this.groups.find((g) => g.length === pattern.length);
    if (group === undefined) {
      group = { length: pattern.length, byPattern: new Map() };
      this.groups.push(group);
      this.groups.sort((a, b) => b.length - a.length);
    }
    group.byPattern.set(pattern, value);
  }

  /** The wildcard must stand for at least one character, as in Envoy. */
  find(host: string): T | undefined {
    for (const g of this.groups) {
      if (g.length >= host.length) continue;
      const key = this.suffix ? host.slice(host.length - g.length) : host.slice(0, g.length);
      const found = g.byPattern.get(key);
      if (found !== undefined) return found;
    }
    return undefined;
  }
}

class DomainSet<T> {
  readonly exact = new Map<string, T>();
  readonly suffixes = new WildcardDomains<T>(true);
  readonly prefixes = new WildcardDomains<T>(false);
  any: T | undefined;

  add(hostPattern: string, value: T): void {
    if (hostPattern === '*') this.any = value;
    else if (hostPattern.startsWith('*')) this.suffixes.add(hostPattern.slice(1), value);
    else if (hostPattern.endsWith('*')) this.prefixes.add(hostPattern.slice(0, -1), value);
    else this.exact.set(hostPattern, value);
  }
}

/**
 * Envoy's order: exact, longest suffix wildcard, longest prefix wildcard, "*"; case-insensitive.
 * Ports: a domain with a port ("api.example.com:8443") matches only that port; a domain without
 * one matches the host with its port stripped, whatever the port (what Envoy does when no domain
 * has a port, kept when some have). At each of the four steps a domain naming the request's port
 * is preferred to one without a port. A domain with a port never matches an authority without one.
 */
class VirtualHostSelector<T> {
  private readonly plain = new DomainSet<T>();
  private readonly byPort = new Map<string, DomainSet<T>>();

  add(domain: string, value: T): void {
    const lower = domain.toLowerCase();
    const portStart = authorityPortStart(lower);
    if (portStart < 0) {
      this.plain.add(lower, value);
      return;
    }
    const port = String(Number(lower.slice(portStart + 1)));
    let set = this.byPort.get(port);
    if (set === undefined) this.byPort.set(port, (set = new DomainSet<T>()));
    set.add(lower.slice(0, portStart), value);
  }

  select(authority: string): T | undefined {
    if (this.byPort.size === 0 && this.plain.exact.size === 0 && this.plain.suffixes.empty && this.plain.prefixes.empty) {
      return this.plain.any; // "*" alone (or nothing): no need to look at the authority
    }
    const lower = authority.toLowerCase();
    const portStart = authorityPortStart(lower);
    const host = portStart < 0 ? lower : lower.slice(0, portStart);
    const ported = portStart < 0 || this.byPort.size === 0 ? undefined : this.byPort.get(lower.slice(portStart + 1));
    const plain = this.plain;
    return (
      ported?.exact.get(host) ??
      plain.exact.get(host) ??
      ported?.suffixes.find(host) ??
      plain.suffixes.find(host) ??
      ported?.prefixes.find(host) ??
      plain.prefixes.find(host) ??
      ported?.any ??
      plain.any
    );
  }
}

// ---------------------------------------------------------------------------------------------
// The table

class CompiledRouteTable implements RouteTable {
  private readonly state = new MatchState();

  constructor(
    private readonly hosts: VirtualHostSelector<VirtualHostRoutes>,
    readonly requestHeaderMutation: CompiledHeaderMutation,
    readonly responseHeaderMutation: CompiledHeaderMutation,
  ) {}

  match(req: MatchInput): CompiledRoute | null {
    const routes = this.hosts.select(req.authority);
    if (routes === undefined) return null;
    const s = this.state;
    s.reset(req);
    const found = routes.firstMatch(s);
    s.reset(IDLE_REQUEST); // hold no request past its match
    return found;
  }
}

/** Compiles a validated route configuration. Throws (naming the config path) on what validation cannot see. */
export function compileRouteTable(rc: RouteConfiguration, options: RouteTableOptions = {}): RouteTable {
  const random = options.random ?? Math.random;
  const configRequest = compileHeaderMutation(rc.request_headers_to_add, rc.request_headers_to_remove);
  const configResponse = compileHeaderMutation(rc.response_headers_to_add, rc.response_headers_to_remove);
  const hosts = new VirtualHostSelector<VirtualHostRoutes>();
  const seenDomains = new Map<string, string>();

  rc.virtual_hosts.forEach((vh, v) => {
    const vhost: CompiledVirtualHost = {
      name: vh.name,
      config: vh,
      requestHeaderMutation: compileHeaderMutation(vh.request_headers_to_add, vh.request_headers_to_remove),
      responseHeaderMutation: compileHeaderMutation(vh.response_headers_to_add, vh.response_headers_to_remove),
    };
    const levels: Levels = { vhost, configRequest, configResponse, random };
    const entries = vh.routes.map((route, r): RouteEntry => {
      try {
        return { compiled: compileRoute(route, r, levels), conditions: matchConditions(route.match) };
      } catch (err) {
        throw new Error(`virtual_hosts[${v}].routes[${r}]: ${(err as Error).message}`);
      }
    });
    const routes = new VirtualHostRoutes(entries);
    vh.domains.forEach((domain, d) => {
      const key = domain.toLowerCase();
      const other = seenDomains.get(key);
      if (other !== undefined) {
        throw new Error(`virtual_hosts[${v}].domains[${d}]: domain "${domain}" is also in virtual host "${other}"`);
      }
      seenDomains.set(key, vh.name);
      hosts.add(key, routes);
    });
  });
  return new CompiledRouteTable(hosts, configRequest, configResponse);
}

