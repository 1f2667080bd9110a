// The scenarios of the suite: what load each sends, to which contenders, and in which shape the
// gateway runs for it. Every scenario starts its own contenders, warms them up, measures them in
// interleaved rounds and stops them before the next scenario starts.
import { BODY_BYTES, CONNECTIONS, DOWNLOAD_PATH, LARGE_BODY_BYTES, MANY_CONNECTIONS } from './settings.js';

/** How the gateway contenders are configured: route table size, cluster size, health checks. */
export interface GatewayShape {
  /** Routes in the table; 1 is a single catch-all, more are distinct path/prefix routes and the load matches the last. */
  routes: number;
  /** Endpoints of the one cluster, each a port of the shared upstream process. */
  endpoints: number;
  healthChecks: boolean;
}

export const DEFAULT_SHAPE: GatewayShape = { routes: 1, endpoints: 1, healthChecks: false };

/** The path of the last route of a generated route table: the one the routes scenario's requests match. */
export const LATE_ROUTE_PREFIX = '/late/';

export interface RequestShape {
  method: 'GET' | 'POST';
  path: string;
  /** Request body bytes (0: none). */
  bodyBytes: number;
  /** Response body bytes the upstream sends for it. */
  responseBytes: number;
}

/** One row of a scenario: a contender, possibly with a gateway shape of its own. */
export interface Entry {
  /** The row's name: the contender's, or the contender's with the shape in parentheses. */
  label: string;
  contender: string;
  shape: GatewayShape;
}

export interface Scenario {
  name: string;
  description: string;
  /** Run by --quick. */
  quick: boolean;
  request: RequestShape;
  connections: number;
  entries: Entry[];
  /**
   * closed: autocannon, each connection sends its next request when the last answer arrived.
   * fixed-rate: the saturation of `rateOf` first (closed loop), then every entry at half of it,
   * open loop, latency from each request's intended send time.
   */
  load: { kind: 'closed' } | { kind: 'fixed-rate'; rateOf: string; share: number };
  /** Also measured with wrk, once per entry after the rounds, when wrk is installed. */
  wrk: boolean;
  /** The row the notes compare the gateway rows with (req/s ratio, CPU difference), if any. */
  baseline: string | null;
}

const HELLO: RequestShape = { method: 'GET', path: '/', bodyBytes: 0, responseBytes: BODY_BYTES };

const PROXIES = ['upstream', 'fastify-http-proxy', 'node-floor', 'gateway-router', 'nginx', 'haproxy'];

function entries(contenders: string[], shape: GatewayShape = DEFAULT_SHAPE): Entry[] {
  return contenders.map((contender) => ({ label: contender, contender, shape }));
}

/** A scenario with the usual settings unless `s` says otherwise: closed loop over CONNECTIONS, no wrk, no baseline, not in --quick. */
function scenario(s: Pick<Scenario, 'name' | 'description' | 'request' | 'entries'> & Partial<Scenario>): Scenario {
  return { quick: false, connections: CONNECTIONS, load: { kind: 'closed' }, wrk: false, baseline: null, ...s };
}

/** 16384 → '16k', 1048576 → '1m': the size in a scenario's name. */
function sizeName(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)}m` : `${bytes / 1024}k`;
}

function bodyScenarios(): Scenario[] {
  return LARGE_BODY_BYTES.flatMap((bytes): Scenario[] => [
    scenario({
      name: `download-${sizeName(bytes)}`,
      description: `GET answered with ${bytes} bytes (response body streamed through the proxy)`,
      request: { method: 'GET', path: `${DOWNLOAD_PATH}${bytes}`, bodyBytes: 0, responseBytes: bytes },
      entries: entries(PROXIES),
    }),
    scenario({
      name: `upload-${sizeName(bytes)}`,
      description: `POST of ${bytes} bytes (request body streamed through the proxy, drained by the upstream), 128-byte answer`,
      request: { method: 'POST', path: '/upload', bodyBytes: bytes, responseBytes: BODY_BYTES },
      entries: entries(PROXIES),
    }),
  ]);
}

function routeShape(routes: number): Entry {
  return { label: `gateway-router (${routes.toLocaleString('en')} routes)`, contender: 'gateway-router', shape: { ...DEFAULT_SHAPE, routes } };
}

function endpointShape(endpoints: number): Entry {
  return {
    label: `gateway-router (${endpoints} endpoint${endpoints === 1 ? '' : 's'}, health checks)`,
    contender: 'gateway-router',
    shape: { ...DEFAULT_SHAPE, endpoints, healthChecks: true },
  };
}

export const ROUTES_FEW = routeShape(10);
export const ROUTES_MANY = routeShape(10_000);
export const ENDPOINTS_ONE = endpointShape(1);
export const ENDPOINTS_MANY = endpointShape(200);

export const SCENARIOS: readonly Scenario[] = [
  scenario({
    name: 'hello',
    description: `GET / answered with ${BODY_BYTES} bytes, ${CONNECTIONS} keep-alive connections`,
    quick: true,
    request: HELLO,
    entries: entries([
      'upstream',
      'fastify-http-proxy',
      'node-floor',
      'gateway-router',
      'gateway-chain',
      'gateway-wasm',
      'gateway-router-workers2',
      'nginx',
      'haproxy',
    ]),
    wrk: true,
    baseline: 'gateway-router',
  }),
  ...bodyScenarios(),
  scenario({
    name: 'connections-1000',
    description: `GET / (${BODY_BYTES} bytes) over ${MANY_CONNECTIONS} concurrent keep-alive connections`,
    request: HELLO,
    connections: MANY_CONNECTIONS,
    entries: entries(PROXIES),
  }),
  scenario({
    name: 'routes-10k',
    description: `the gateway with 10 vs 10,000 distinct path and prefix routes; every request matches the last one (${LATE_ROUTE_PREFIX})`,
    quick: true,
    request: { ...HELLO, path: `${LATE_ROUTE_PREFIX}items` },
    entries: [ROUTES_FEW, ROUTES_MANY],
    baseline: ROUTES_FEW.label,
  }),
  scenario({
    name: 'endpoints-200',
    description: 'the gateway with a cluster of 1 vs 200 endpoints (200 ports of one upstream process), round robin, active HTTP health checks every 1 s on both',
    request: HELLO,
    entries: [ENDPOINTS_ONE, ENDPOINTS_MANY],
    baseline: ENDPOINTS_ONE.label,
  }),
  scenario({
    name: 'fixed-rate',
    description: `open loop at 50% of gateway-router's closed-loop saturation, the same rate for both rows, GET / over ${CONNECTIONS} connections; latency from each request's intended send time`,
    quick: true,
    request: HELLO,
    entries: entries(['upstream', 'gateway-router']),
    load: { kind: 'fixed-rate', rateOf: 'gateway-router', share: 0.5 },
  }),
];
