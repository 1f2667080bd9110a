// Validates a raw config: the core schema first (filling defaults), then the rules JSON Schema cannot
// express (cross references, "exactly one of", regexes and CIDRs that must parse, the filter chain and
// each filter's own config schema). Every error is collected, so one run shows them all.
// The semantic pass runs even when the schema found errors, so it reads the config as `unknown` and
// skips whatever has the wrong shape (the schema has already said so).
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { filterConfigValidator } from '../../sdk/filter-config.js';
import ipaddr from 'ipaddr.js';
import type { HttpFilterFactory } from '../../sdk/filter.js';
import type { NetworkFilterFactory } from '../../sdk/network-filter.js';
import { parseDuration } from './duration.js';
import { ConfigValidationError, ROOT_PATH, childPath, dedupe, fromAjvErrors, type ConfigError } from './errors.js';
import { deepFreeze } from '../../sdk/freeze.js';
import { gatewayConfigSchema } from './schema.js';
import { compileAccessLogFormat, FormatError } from '../log/access-log-format.js';
import type { CidrRange, DownstreamTlsConfig, FilterChainMatch, GatewayConfig, HttpFilterConfig, UpstreamTlsConfig } from './types.js';
import { duplicateMatches, parseCidr } from '../listener/filter-chain-match.js';
import { ServerTlsContext } from '../listener/tls-context.js';
import { UpstreamTls, UpstreamTlsError } from '../cluster/upstream-tls.js';
import { TERMINAL_NAMES } from '../network/terminal-config.js';

/** Finds the factory for an http_filters entry (built-in by name/type, or a user module by path). Throws an Error whose message says why when it cannot. */
export type FilterResolver = (entry: HttpFilterConfig, configDir: string) => Promise<HttpFilterFactory>;

/** The same for a network filter of filter_chains[].filters (terminals excepted). */
export type NetworkFilterResolver = (entry: HttpFilterConfig, configDir: string) => Promise<NetworkFilterFactory>;

export interface ValidateOptions {
  /** The directory of the config file: relative module paths are resolved from it. */
  configDir: string;
  resolveFilter: FilterResolver;
  /** Without it, a chain may hold only its terminal. */
  resolveNetworkFilter?: NetworkFilterResolver;
}

/**
 * The config with defaults filled in, deep-frozen; throws ConfigValidationError listing every error found.
 * `raw` itself is not modified.
 */
export async function validateConfig(raw: unknown, opts: ValidateOptions): Promise<GatewayConfig> {
  let config: unknown;
  try {
    config = structuredClone(raw);
  } catch (err) {
    throw new ConfigValidationError([{ path: ROOT_PATH, message: `must be plain data: ${errorMessage(err)}` }]);
  }
  const schemaErrors = validateCore(config);
  const checks = new SemanticChecks(opts);
  await checks.run(config);
  const errors = dedupe([...schemaErrors, ...checks.errors]);
  if (errors.length > 0) throw new ConfigValidationError(errors);
  return deepFreeze(config as GatewayConfig);
}

let coreValidator: ValidateFunction | undefined;

function validateCore(config: unknown): ConfigError[] {
  // strict: a mistake in our own schema fails loudly at the first load.
  coreValidator ??= new Ajv({ allErrors: true, useDefaults: true, strict: true }).compile(gatewayConfigSchema);
  return coreValidator(config) ? [] : fromAjvErrors(coreValidator.errors);
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object items of an array with their paths and indexes (nothing when it is not an array). */
function objectItems(list: unknown, path: string): [Obj, string, number][] {
  if (!Array.isArray(list)) return [];
  const out: [Obj, string, number][] = [];
  list.forEach((v, i) => {
    if (isObj(v)) out.push([v, childPath(path, i), i]);
  });
  return out;
}

function stringItems(list: unknown, path: string): [string, string][] {
  if (!Array.isArray(list)) return [];
  const out: [string, string][] = [];
  list.forEach((v, i) => {
    if (typeof v === 'string') out.push([v, childPath(path, i)]);
  });
  return out;
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** "a", "both a and b", "a, b and c" */
function listed(names: string[]): string {
  if (names.length === 2) return `both ${names[0]} and ${names[1]}`;
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

function isIpOrCidr(s: string): boolean {
  return isIP(s) !== 0 || ipaddr.IPv4.isValidCIDRFourPartDecimal(s) || ipaddr.IPv6.isValidCIDR(s);
}

/** The same address however it is written ("::1" and "0:0::1"), for comparing listeners. */
function normalizeAddress(address: string): string {
  if (isIP(address) === 6) return ipaddr.IPv6.parse(address).toNormalizedString();
  return address.toLowerCase();
}

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

function durationMs(v: unknown): number | undefined {
  if (typeof v !== 'string') return undefined;
  try {
    return parseDuration(v);
  } catch {
    return undefined; // the schema reports it
  }
}

const ROUTE_ACTIONS = ['route', 'redirect', 'direct_response'];
const PATH_MATCHERS = ['prefix', 'path', 'safe_regex', 'path_separated_prefix'];
const HEADER_MATCHERS = [
  'exact_match',
  'prefix_match',
  'suffix_match',
  'contains_match',
  'safe_regex_match',
  'present_match',
  'string_match',
];
const STRING_MATCHERS = ['exact', 'prefix', 'suffix', 'contains', 'safe_regex'];
const HASH_POLICY_KINDS = ['header', 'cookie', 'connection_properties', 'query_parameter'];
const LB_CONFIGS: [field: string, policy: string][] = [
  ['least_request_lb_config', 'least_request'],
  ['ring_hash_lb_config', 'ring_hash'],
  ['maglev_lb_config', 'maglev'],
];

/** The router as declared in http_filters: by its name alone. */
function isRouter(entry: Obj): boolean {
  return entry.name === 'router' && entry.type === undefined && entry.module === undefined;
}

/** The filters of one chain that routes may refer to, by name; undefined where the factory could not be found. */
type ChainFilters = Map<string, HttpFilterFactory | undefined>;

class SemanticChecks {
  readonly errors: ConfigError[] = [];

  constructor(private readonly opts: ValidateOptions) {}

  async run(config: unknown): Promise<void> {
    if (!isObj(config)) return;
    const clusters = this.clusters(config.clusters);
    this.uniqueNames(config.listeners, 'listeners', 'listener');
    this.listenerAddresses(config);
    for (const [listener, lpath] of objectItems(config.listeners, 'listeners')) {
      this.filterChainMatches(listener, lpath);
      for (const [chain, cpath] of objectItems(listener.filter_chains, childPath(lpath, 'filter_chains')))
        await this.networkFilters(chain.filters, childPath(cpath, 'filters'), clusters);
      if (isObj(listener.default_filter_chain))
        await this.networkFilters(listener.default_filter_chain.filters, childPath(childPath(lpath, 'default_filter_chain'), 'filters'), clusters);
    }
  }

  private report(path: string, message: string): void {
    this.errors.push({ path: path === '' ? ROOT_PATH : path, message });
  }

  /** The names of the items of `list`, each duplicate reported; returns the set of names. */
  private uniqueNames(list: unknown, path: string, what: string): Set<string> {
    const first = new Map<string, string>();
    for (const [item, ipath] of objectItems(list, path)) {
      if (typeof item.name !== 'string') continue;
      const seen = first.get(item.name);
      if (seen === undefined) first.set(item.name, ipath);
      else this.report(childPath(ipath, 'name'), `duplicate ${what} name "${item.name}" (first at ${seen})`);
    }
    return new Set(first.keys());
  }

  // --- Clusters ---

  private clusters(list: unknown): Set<string> {
    const names = this.uniqueNames(list, 'clusters', 'cluster');
    for (const [cluster, path] of objectItems(list, 'clusters')) this.cluster(cluster, path);
    return names;
  }

  private cluster(c: Obj, path: string): void {
    if (c.type === 'STATIC') {
      for (const [ep, epath] of objectItems(c.endpoints, childPath(path, 'endpoints')))
        if (typeof ep.address === 'string' && isIP(ep.address) === 0)
          this.report(
            childPath(epath, 'address'),
            `"${ep.address}" is not an IP address; a STATIC cluster needs IPs (use type: STRICT_DNS for hostnames)`,
          );
    }
    if (typeof c.lb_policy === 'string') {
      for (const [field, policy] of LB_CONFIGS)
        if (c[field] !== undefined && c.lb_policy !== policy)
          this.report(childPath(path, field), `applies only with lb_policy ${policy} (this cluster has ${c.lb_policy})`);
    }
    const ring = c.ring_hash_lb_config;
    if (isObj(ring) && typeof ring.minimum_ring_size === 'number' && typeof ring.maximum_ring_size === 'number')
      if (ring.minimum_ring_size > ring.maximum_ring_size)
        this.report(
          childPath(childPath(path, 'ring_hash_lb_config'), 'minimum_ring_size'),
          `must be <= maximum_ring_size (${ring.maximum_ring_size})`,
        );
    const maglev = c.maglev_lb_config;
    if (isObj(maglev) && Number.isInteger(maglev.table_size) && !isPrime(maglev.table_size as number))
      this.report(childPath(childPath(path, 'maglev_lb_config'), 'table_size'), 'must be a prime number, like 65537');
    if (isObj(c.circuit_breakers)) {
      const tpath = childPath(childPath(path, 'circuit_breakers'), 'thresholds');
      const first = new Map<unknown, string>();
      for (const [t, p] of objectItems(c.circuit_breakers.thresholds, tpath)) {
        const seen = first.get(t.priority);
        if (seen === undefined) first.set(t.priority, p);
        else this.report(childPath(p, 'priority'), `priority ${String(t.priority)} is already set by ${seen}`);
      }
    }
    for (const [hc, hpath] of objectItems(c.health_checks, childPath(path, 'health_checks'))) this.healthCheck(hc, hpath);
    if (isObj(c.outlier_detection)) this.outlierDetection(c.outlier_detection, childPath(path, 'outlier_detection'));
    if (isObj(c.transport_socket) && isObj(c.transport_socket.config))
      this.upstreamTls(c.transport_socket.config, childPath(childPath(path, 'transport_socket'), 'config'));
  }

  /** Resolves the PEM file names from the config's directory (in place), then reads and parses them. */
  private upstreamTls(tls: Obj, path: string): void {
    const sources: [unknown, string][] = [];
    if (isObj(tls.validation_context)) sources.push([tls.validation_context.trusted_ca, 'validation_context.trusted_ca']);
    if (Array.isArray(tls.certificates) && isObj(tls.certificates[0]))
      sources.push([tls.certificates[0].certificate_chain, 'certificates[0].certificate_chain'], [tls.certificates[0].private_key, 'certificates[0].private_key']);
    let ok = true;
    for (const [src, field] of sources) {
      if (!isObj(src)) return; // the schema reports it
      if ((src.filename === undefined) === (src.inline_string === undefined)) {
        this.exactlyOne(src, ['filename', 'inline_string'], `${path}.${field}`);
        ok = false;
      } else if (typeof src.filename === 'string') src.filename = resolve(this.opts.configDir, src.filename);
    }
    if (!ok) return;
    try {
      new UpstreamTls(tls as unknown as UpstreamTlsConfig);
    } catch (err) {
      if (!(err instanceof UpstreamTlsError)) throw err;
      this.report(`${path}.${err.field}`, err.message);
    }
  }

  private healthCheck(hc: Obj, path: string): void {
    this.exactlyOne(hc, ['http_health_check', 'tcp_health_check'], path);
    for (const field of ['interval', 'timeout', 'unhealthy_interval', 'unhealthy_edge_interval', 'healthy_edge_interval', 'no_traffic_interval', 'no_traffic_healthy_interval'])
      if (durationMs(hc[field]) === 0) this.report(childPath(path, field), 'must be greater than 0s');
    const http = hc.http_health_check;
    if (!isObj(http)) return;
    for (const field of ['expected_statuses', 'retriable_statuses'])
      for (const [range, rpath] of objectItems(http[field], childPath(childPath(path, 'http_health_check'), field)))
        if (typeof range.start === 'number' && typeof range.end === 'number' && range.start >= range.end)
          this.report(childPath(rpath, 'end'), `must be greater than start (${range.start}); the range is [start, end)`);
  }

  private outlierDetection(od: Obj, path: string): void {
    if (durationMs(od.interval) === 0) this.report(childPath(path, 'interval'), 'must be greater than 0s');
    const base = durationMs(od.base_ejection_time);
    const max = durationMs(od.max_ejection_time);
    if (base !== undefined && max !== undefined && base > max)
      this.report(childPath(path, 'base_ejection_time'), `must be <= max_ejection_time (${String(od.max_ejection_time)})`);
  }

  // --- Listeners ---

  /** Two listeners (or a listener and the admin) on one address:port cannot both bind; port 0 picks a free one. */
  private listenerAddresses(config: Obj): void {
    const owners = new Map<string, string>();
    const claim = (o: Obj, path: string, who: string): void => {
      if (typeof o.address !== 'string' || typeof o.port !== 'number' || o.port === 0) return;
      const key = `${normalizeAddress(o.address)} ${o.port}`;
      const owner = owners.get(key);
      if (owner === undefined) owners.set(key, who);
      else {
        const shown = isIP(o.address) === 6 ? `[${o.address}]:${o.port}` : `${o.address}:${o.port}`;
        this.report(childPath(path, 'port'), `${shown} is already used by ${owner}`);
      }
    };
    if (isObj(config.admin)) claim(config.admin, 'admin', 'admin');
    for (const [listener, path] of objectItems(config.listeners, 'listeners'))
      claim(listener, path, typeof listener.name === 'string' ? `${path} ("${listener.name}")` : path);
  }

  // --- Network filters and terminals ---

  /** filter_chains[].filters: network filters, then one terminal (http_connection_manager or tcp_proxy), last. */
  private async networkFilters(list: unknown, path: string, clusters: Set<string>): Promise<void> {
    if (!Array.isArray(list)) return;
    const firstAt = new Map<string, string>();
    for (const [entry, epath, i] of objectItems(list, path)) {
      if (typeof entry.name !== 'string') continue;
      const last = i === list.length - 1;
      const terminal = TERMINAL_NAMES.includes(entry.name) && entry.type === undefined && entry.module === undefined;
      if (terminal) {
        if (!last) this.report(childPath(epath, 'name'), `${entry.name} is a terminal filter: it must be the last of the chain`);
        if (entry.fail_open === true) this.report(childPath(epath, 'fail_open'), `${entry.name} is a terminal filter: it has no fail_open`);
        const cpath = childPath(epath, 'config');
        if (!isObj(entry.config)) continue;
        if (entry.name === 'http_connection_manager') await this.httpConnectionManager(entry.config, cpath, clusters);
        else this.tcpProxy(entry.config, cpath, clusters);
        continue;
      }
      if (last) this.report(childPath(epath, 'name'), 'the last filter must be a terminal: http_connection_manager or tcp_proxy');
      if (!this.userFilterEntry(entry, entry.name, epath, firstAt)) continue;
      const factory = await this.resolveNetwork(entry, epath);
      if (factory === undefined) continue;
      entry.config ??= {}; // so that the filter's defaults land in the config it gets
      if (isObj(entry.config)) this.filterConfig(factory, entry.config, childPath(epath, 'config'));
    }
  }

  /**
   * What an HTTP and a network chain check alike in a filter that is not built in: its name is unique in the
   * chain (`firstAt`: where each name first stands), and it names a type or a module, not both. False when
   * it cannot be resolved.
   */
  private userFilterEntry(entry: Obj, name: string, path: string, firstAt: Map<string, string>): boolean {
    const seen = firstAt.get(name);
    if (seen !== undefined) this.report(childPath(path, 'name'), `duplicate filter name "${name}" (first at ${seen})`);
    else firstAt.set(name, path);
    if (entry.type !== undefined && entry.module !== undefined) {
      this.report(path, 'give either type or module, not both');
      return false;
    }
    return (entry.type === undefined || typeof entry.type === 'string') && (entry.module === undefined || typeof entry.module === 'string');
  }

  private async resolveNetwork(entry: Obj, path: string): Promise<NetworkFilterFactory | undefined> {
    const resolveNetworkFilter = this.opts.resolveNetworkFilter;
    const field = entry.module !== undefined ? 'module' : entry.type !== undefined ? 'type' : 'name';
    if (resolveNetworkFilter === undefined) {
      this.report(childPath(path, field), 'network filters need a filter registry (only a terminal is allowed here)');
      return undefined;
    }
    try {
      return await resolveNetworkFilter(entry as unknown as HttpFilterConfig, this.opts.configDir);
    } catch (err) {
      this.report(childPath(path, field), errorMessage(err));
      return undefined;
    }
  }

  private tcpProxy(tcp: Obj, path: string, clusters: Set<string>): void {
    this.exactlyOne(tcp, ['cluster', 'weighted_clusters'], path);
    this.clusterRef(tcp.cluster, childPath(path, 'cluster'), clusters);
    if (isObj(tcp.weighted_clusters)) this.weightedClusters(tcp.weighted_clusters, childPath(path, 'weighted_clusters'), clusters);
  }

  /** filter_chain_match ranges parse and no two chains match alike; each chain's TLS context loads. */
  private filterChainMatches(listener: Obj, path: string): void {
    const chains = objectItems(listener.filter_chains, childPath(path, 'filter_chains'));
    if (isObj(listener.default_filter_chain)) chains.push([listener.default_filter_chain, childPath(path, 'default_filter_chain'), -1]);
    const matches: (FilterChainMatch | undefined)[] = [];
    for (const [chain, cpath] of chains) {
      const m = chain.filter_chain_match;
      if (isObj(m) && Array.isArray(m.source_prefix_ranges)) {
        m.source_prefix_ranges.forEach((r: unknown, i) => {
          if (typeof r !== 'string' && !isObj(r)) return;
          try {
            parseCidr(r as CidrRange);
          } catch (err) {
            this.report(childPath(childPath(childPath(cpath, 'filter_chain_match'), 'source_prefix_ranges'), i), `not an IP range: ${errorMessage(err)}`);
          }
        });
      }
      if (chain !== listener.default_filter_chain) matches.push(isObj(m) ? (m as FilterChainMatch) : undefined);
      const ts = chain.transport_socket;
      if (isObj(ts) && isObj(ts.config) && Array.isArray(ts.config.certificates)) this.tlsContext(ts.config, childPath(childPath(cpath, 'transport_socket'), 'config'));
      // A client that negotiated h2 would be fed to the HTTP/1.1 parser.
      const terminal = Array.isArray(chain.filters) ? chain.filters[chain.filters.length - 1] : undefined;
      if (isObj(ts) && isObj(ts.config) && Array.isArray(ts.config.alpn_protocols) && ts.config.alpn_protocols.includes('h2'))
        if (isObj(terminal) && terminal.name === 'http_connection_manager' && isObj(terminal.config) && terminal.config.codec_type === 'HTTP1')
          this.report(childPath(childPath(childPath(cpath, 'transport_socket'), 'config'), 'alpn_protocols'), 'offers h2 but the http_connection_manager has codec_type HTTP1');
    }
    for (const [first, second] of duplicateMatches(matches))
      this.report(
        childPath(childPath(childPath(path, 'filter_chains'), second), 'filter_chain_match'),
        `matches the same connections as filter_chains[${first}] (Envoy: multiple filter chains with the same matching rules)`,
      );
  }

  /** Loads the context as the build will (files read, PEM parsed, key matches certificate). */
  private tlsContext(config: Obj, path: string): void {
    const sources: [unknown, string][] = [];
    for (const [c, cpath] of objectItems(config.certificates, childPath(path, 'certificates')))
      sources.push([c.certificate_chain, childPath(cpath, 'certificate_chain')], [c.private_key, childPath(cpath, 'private_key')]);
    if (isObj(config.validation_context)) sources.push([config.validation_context.trusted_ca, childPath(childPath(path, 'validation_context'), 'trusted_ca')]);
    let ok = true;
    for (const [src, spath] of sources) {
      if (!isObj(src)) continue;
      this.exactlyOne(src, ['filename', 'inline_string'], spath);
      if ((src.filename === undefined) === (src.inline_string === undefined)) ok = false;
    }
    if (!ok) return;
    try {
      new ServerTlsContext(config as unknown as DownstreamTlsConfig, this.opts.configDir);
    } catch (err) {
      const message = errorMessage(err);
      const at = message.indexOf(': ');
      this.report(at < 0 ? path : `${path}.${message.slice(0, at)}`, at < 0 ? message : message.slice(at + 2));
    }
  }

  private async httpConnectionManager(hcm: Obj, path: string, clusters: Set<string>): Promise<void> {
    const filters = await this.httpFilters(hcm.http_filters, childPath(path, 'http_filters'));
    if (isObj(hcm.route_config)) this.routeConfig(hcm.route_config, childPath(path, 'route_config'), clusters, filters);
    for (const [entry, epath] of objectItems(hcm.access_log, childPath(path, 'access_log'))) this.accessLogFormat(entry, epath);
  }

  /** The format compiles: every command operator is known and well formed. */
  private accessLogFormat(entry: Obj, path: string): void {
    const { format, json_format } = entry;
    if (format !== undefined && json_format !== undefined) {
      this.report(path, 'give either format or json_format, not both');
      return;
    }
    if (!(format === undefined || typeof format === 'string') || !(json_format === undefined || isObj(json_format))) return;
    try {
      compileAccessLogFormat({ format, json_format });
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      this.report(err.at.reduce<string>(childPath, path), err.message);
    }
  }

  // --- HTTP filters ---

  private async httpFilters(list: unknown, path: string): Promise<ChainFilters> {
    const chain: ChainFilters = new Map();
    if (!Array.isArray(list)) return chain;
    const firstAt = new Map<string, string>();
    const routers: number[] = [];
    for (const [entry, epath, i] of objectItems(list, path)) {
      if (typeof entry.name !== 'string') continue;
      if (isRouter(entry)) {
        routers.push(i);
        this.routerEntry(entry, epath);
        continue;
      }
      if (!this.userFilterEntry(entry, entry.name, epath, firstAt)) continue;
      const factory = await this.resolve(entry, epath);
      if (firstAt.get(entry.name) === epath) chain.set(entry.name, factory);
      if (factory === undefined) continue;
      entry.config ??= {}; // so that the filter's defaults land in the config it gets
      if (isObj(entry.config)) this.filterConfig(factory, entry.config, childPath(epath, 'config'));
    }
    if (routers.length === 0) {
      this.report(path, 'must end with the router filter ({ name: router })');
      return chain;
    }
    const last = routers[routers.length - 1]!;
    for (const i of routers.slice(0, -1)) this.report(childPath(childPath(path, i), 'name'), 'the router may appear only once');
    if (last !== list.length - 1) this.report(childPath(childPath(path, last), 'name'), 'the router must be the last filter');
    return chain;
  }

  private routerEntry(entry: Obj, path: string): void {
    if (entry.config !== undefined && !(isObj(entry.config) && Object.keys(entry.config).length === 0))
      this.report(childPath(path, 'config'), 'the router takes no config');
    if (entry.disabled === true) this.report(childPath(path, 'disabled'), 'the router cannot be disabled');
  }

  private async resolve(entry: Obj, path: string): Promise<HttpFilterFactory | undefined> {
    try {
      return await this.opts.resolveFilter(entry as unknown as HttpFilterConfig, this.opts.configDir);
    } catch (err) {
      const field = entry.module !== undefined ? 'module' : entry.type !== undefined ? 'type' : 'name';
      this.report(childPath(path, field), errorMessage(err));
      return undefined;
    }
  }

  /** Checks `config` against the filter's own schema, filling its defaults in place. */
  private filterConfig(factory: Pick<HttpFilterFactory, 'name' | 'configSchema'>, config: Obj, path: string): void {
    let validate: ValidateFunction;
    try {
      validate = filterConfigValidator(factory);
    } catch (err) {
      this.report(path, `cannot check the config of filter "${factory.name}": ${errorMessage(err)}`);
      return;
    }
    if (!validate(config)) this.errors.push(...fromAjvErrors(validate.errors, path));
  }

  /** typed_per_filter_config of a virtual host or route: keys name filters of this chain. */
  private perFilterConfigs(value: unknown, path: string, filters: ChainFilters): void {
    if (!isObj(value)) return;
    for (const [name, perFilter] of Object.entries(value)) {
      const fpath = childPath(path, name);
      if (!filters.has(name)) {
        this.report(
          fpath,
          name === 'router' ? 'the router has no per-route config' : `no filter named "${name}" in this chain's http_filters`,
        );
        continue;
      }
      const factory = filters.get(name);
      if (factory !== undefined && isObj(perFilter) && isObj(perFilter.config))
        this.filterConfig(factory, perFilter.config, childPath(fpath, 'config'));
    }
  }

  // --- Routes ---

  private routeConfig(rc: Obj, path: string, clusters: Set<string>, filters: ChainFilters): void {
    const domainOwners = new Map<string, string>();
    for (const [vh, vpath, i] of objectItems(rc.virtual_hosts, childPath(path, 'virtual_hosts'))) {
      const owner = `${childPath('virtual_hosts', i)}${typeof vh.name === 'string' ? ` ("${vh.name}")` : ''}`;
      for (const [domain, dpath] of stringItems(vh.domains, childPath(vpath, 'domains'))) {
        this.domain(domain, dpath);
        const key = domain.toLowerCase();
        const seen = domainOwners.get(key);
        if (seen === undefined) domainOwners.set(key, owner);
        else this.report(dpath, `domain "${domain}" is already in ${seen}`);
      }
      this.perFilterConfigs(vh.typed_per_filter_config, childPath(vpath, 'typed_per_filter_config'), filters);
      for (const [route, rpath] of objectItems(vh.routes, childPath(vpath, 'routes'))) this.route(route, rpath, clusters, filters);
    }
  }

  /** Envoy's domain forms: "*", "*.example.com", "*-bar.example.com", "api.*", with an optional ":port". */
  private domain(domain: string, path: string): void {
    const host = domain.replace(/:\d+$/, '');
    const stars = host.split('*').length - 1;
    if (stars === 0 || host === '*') return;
    if (stars > 1 || !(host.startsWith('*') || host.endsWith('*')))
      this.report(path, `"${domain}": a wildcard "*" may only be the first or the last character`);
  }

  private route(r: Obj, path: string, clusters: Set<string>, filters: ChainFilters): void {
    this.exactlyOne(r, ROUTE_ACTIONS, path);
    if (isObj(r.match)) this.routeMatch(r.match, childPath(path, 'match'));
    if (isObj(r.route)) this.routeAction(r.route, childPath(path, 'route'), clusters);
    if (isObj(r.redirect)) {
      const rpath = childPath(path, 'redirect');
      this.atMostOne(r.redirect, ['https_redirect', 'scheme_redirect'], rpath);
      this.atMostOne(r.redirect, ['path_redirect', 'prefix_rewrite'], rpath);
    }
    this.perFilterConfigs(r.typed_per_filter_config, childPath(path, 'typed_per_filter_config'), filters);
  }

  private routeMatch(m: Obj, path: string): void {
    this.atMostOne(m, PATH_MATCHERS, path);
    this.regex(m.safe_regex, childPath(path, 'safe_regex'));
    for (const [h, hpath] of objectItems(m.headers, childPath(path, 'headers'))) {
      this.atMostOne(h, HEADER_MATCHERS, hpath);
      this.regex(h.safe_regex_match, childPath(hpath, 'safe_regex_match'));
      this.stringMatcher(h.string_match, childPath(hpath, 'string_match'));
    }
    for (const [q, qpath] of objectItems(m.query_parameters, childPath(path, 'query_parameters'))) {
      this.atMostOne(q, ['string_match', 'present_match'], qpath);
      this.stringMatcher(q.string_match, childPath(qpath, 'string_match'));
    }
    for (const [ip, ippath] of stringItems(m.source_ip, childPath(path, 'source_ip')))
      if (!isIpOrCidr(ip)) this.report(ippath, `"${ip}" is not an IP address or CIDR range`);
  }

  private stringMatcher(sm: unknown, path: string): void {
    if (!isObj(sm)) return;
    this.exactlyOne(sm, STRING_MATCHERS, path);
    this.regex(sm.safe_regex, childPath(path, 'safe_regex'));
  }

  private routeAction(a: Obj, path: string, clusters: Set<string>): void {
    this.exactlyOne(a, ['cluster', 'weighted_clusters'], path);
    this.clusterRef(a.cluster, childPath(path, 'cluster'), clusters);
    if (isObj(a.weighted_clusters)) this.weightedClusters(a.weighted_clusters, childPath(path, 'weighted_clusters'), clusters);
    this.atMostOne(a, ['prefix_rewrite', 'regex_rewrite'], path);
    if (isObj(a.regex_rewrite)) this.regex(a.regex_rewrite.pattern, childPath(childPath(path, 'regex_rewrite'), 'pattern'));
    if (isObj(a.retry_policy) && isObj(a.retry_policy.retry_back_off)) {
      const backOff = a.retry_policy.retry_back_off;
      const base = durationMs(backOff.base_interval);
      const max = durationMs(backOff.max_interval);
      if (base !== undefined && max !== undefined && max < base)
        this.report(
          childPath(childPath(childPath(path, 'retry_policy'), 'retry_back_off'), 'max_interval'),
          `must be >= base_interval (${String(backOff.base_interval)})`,
        );
    }
    for (const [mirror, mpath] of objectItems(a.request_mirror_policies, childPath(path, 'request_mirror_policies')))
      this.clusterRef(mirror.cluster, childPath(mpath, 'cluster'), clusters);
    for (const [hp, hpath] of objectItems(a.hash_policy, childPath(path, 'hash_policy'))) this.exactlyOne(hp, HASH_POLICY_KINDS, hpath);
  }

  /** weighted_clusters of a route or of tcp_proxy: known clusters, weights adding up to more than 0. */
  private weightedClusters(wc: Obj, path: string, clusters: Set<string>): void {
    const wpath = childPath(path, 'clusters');
    let total = 0;
    for (const [c, p] of objectItems(wc.clusters, wpath)) {
      this.clusterRef(c.name, childPath(p, 'name'), clusters);
      if (typeof c.weight === 'number' && c.weight > 0) total += c.weight;
    }
    if (total === 0 && Array.isArray(wc.clusters) && wc.clusters.length > 0) this.report(wpath, 'the weights must add up to more than 0');
  }

  private clusterRef(name: unknown, path: string, clusters: Set<string>): void {
    if (typeof name === 'string' && !clusters.has(name)) this.report(path, `unknown cluster ${JSON.stringify(name)}`);
  }

  /** `holder` is `{ regex }`; the regex must compile as a JavaScript RegExp. */
  private regex(holder: unknown, path: string): void {
    if (!isObj(holder) || typeof holder.regex !== 'string') return;
    try {
      new RegExp(holder.regex);
    } catch (err) {
      const reason = errorMessage(err).replace(/^Invalid regular expression: \/[\s\S]*\/[a-z]*: /, '');
      this.report(childPath(path, 'regex'), `invalid regex: ${reason}`);
    }
  }

  private exactlyOne(o: Obj, fields: string[], path: string): void {
    const present = fields.filter((f) => o[f] !== undefined);
    if (present.length === 0) this.report(path, `needs one of ${fields.join(', ')}`);
    else if (present.length > 1) this.report(path, `has ${listed(present)}; give exactly one of ${fields.join(', ')}`);
  }

  private atMostOne(o: Obj, fields: string[], path: string): void {
    const present = fields.filter((f) => o[f] !== undefined);
    if (present.length > 1) this.report(path, `has ${listed(present)}; give at most one of ${fields.join(', ')}`);
  }
}
