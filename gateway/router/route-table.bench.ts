// Micro benchmark of RouteTable.match (not a test): ns per match for tables of 10 .. 10,000 routes.
// Run: node dist/gateway/router/route-table.bench.js
// "indexed" tables mix exact paths, prefixes (some gated by a header), regexes and a catch-all;
// "scan" tables hold as many safe_regex routes without a literal start ("(?:/svc-7)/items"), which
// no index can narrow: the cost of testing routes one by one in order, as Envoy does, for comparison.
import type { Route, RouteMatch } from '../config/types.js';
import { compileRouteTable, type MatchInput, type RouteTable } from './route-table.js';

const action = { cluster: 'backend', timeout: '15s', per_request_buffer_limit_bytes: 1048576 };
const route = (match: Partial<RouteMatch>): Route => ({ match: { case_sensitive: true, ...match }, route: action });

function mixedRoutes(n: number): Route[] {
  const routes: Route[] = [];
  for (let i = 0; routes.length < n - 1; i++) {
    switch (i % 10) {
      case 0:
        routes.push(route({ safe_regex: { regex: `/re-${i}/[0-9]+` } }));
        break;
      case 1:
      case 2:
        routes.push(route({ prefix: `/api/v${i}/`, headers: [{ name: 'x-canary', exact_match: '1', invert_match: false }] }));
        break;
      case 3:
      case 4:
      case 5:
        routes.push(route({ prefix: `/api/v${i}/` }));
        break;
      default:
        routes.push(route({ path: `/svc-${i}/items` }));
    }
  }
  routes.push(route({ prefix: '/' }));
  return routes;
}

function unindexableRoutes(n: number): Route[] {
  const routes = Array.from({ length: n - 1 }, (_, i) => route({ safe_regex: { regex: `(?:/svc-${i})/items` } }));
  routes.push(route({ prefix: '/' }));
  return routes;
}

function tableOf(routes: Route[]): RouteTable {
  return compileRouteTable({ virtual_hosts: [{ name: 'v', domains: ['*'], routes }] });
}

function request(path: string): MatchInput {
  return { authority: 'api.example.com:8080', path, method: 'GET', headers: { 'user-agent': 'bench' }, sourceAddress: '::ffff:127.0.0.1' };
}

/** Paths that hit the first prefix route, the last exact route, the last plain prefix route, and the catch-all. */
function requests(routes: Route[]): MatchInput[] {
  const last = (is: (m: RouteMatch) => boolean) => [...routes].reverse().find((r) => is(r.match))!.match;
  const lastExact = last((m) => m.path !== undefined).path!;
  const lastPrefix = last((m) => m.prefix !== undefined && m.prefix !== '/' && m.headers === undefined).prefix!;
  return [
    request('/api/v3/users?id=7'),
    request(lastExact),
    request(`${lastPrefix}orders/1?expand=all`),
    request('/no/such/route?x=1'),
  ];
}

function nsPerMatch(table: RouteTable, reqs: MatchInput[]): number {
  let sink = 0;
  const run = (rounds: number) => {
    for (let r = 0; r < rounds; r++) for (const q of reqs) if (table.match(q) !== null) sink++;
  };
  run(2_000); // warm up
  let rounds = 1_000;
  for (;;) {
    const start = process.hrtime.bigint();
    run(rounds);
    const ns = Number(process.hrtime.bigint() - start);
    if (ns > 300_000_000 || rounds >= 10_000_000) {
      if (sink === 0) throw new Error('nothing matched');
      return ns / (rounds * reqs.length);
    }
    rounds *= 4;
  }
}

const sizes = [10, 100, 1_000, 10_000];
console.log('routes   indexed ns/match   scan ns/match');
for (const n of sizes) {
  const routes = mixedRoutes(n);
  const indexed = nsPerMatch(tableOf(routes), requests(routes));
  const scanned = nsPerMatch(tableOf(unindexableRoutes(n)), [request('/svc-1/items'), request(`/svc-${n - 2}/items`), request('/no/such/route')]);
  console.log(`${String(n).padStart(6)}   ${indexed.toFixed(0).padStart(17)}   ${scanned.toFixed(0).padStart(13)}`);
}
