import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Route, RouteAction, RouteConfiguration, RouteMatch, VirtualHost } from '../config/types.js';
import { hashString } from '../cluster/hash.js';
import {
  applyHeaderMutations,
  compileHeaderMutation,
  compileRouteTable,
  type CompiledRoute,
  type MatchInput,
  type RouteTableOptions,
} from './route-table.js';

const forward = (a: Partial<RouteAction> = {}): RouteAction => ({
  cluster: 'backend',
  timeout: '15s',
  per_request_buffer_limit_bytes: 1048576,
  ...a,
});

function route(match: Partial<RouteMatch>, extra: Partial<Route> = {}): Route {
  return { match: { case_sensitive: true, ...match }, route: forward(), ...extra };
}

function vhost(name: string, domains: string[], routes: Route[], extra: Partial<VirtualHost> = {}): VirtualHost {
  return { name, domains, routes, ...extra };
}

function table(vhosts: VirtualHost[], extra: Partial<RouteConfiguration> = {}, options?: RouteTableOptions) {
  return compileRouteTable({ virtual_hosts: vhosts, ...extra }, options);
}

function req(path: string, extra: Partial<MatchInput> = {}): MatchInput {
  return { authority: 'example.com', path, method: 'GET', headers: {}, sourceAddress: '127.0.0.1', ...extra };
}

/** The reference: each route alone in a table (checked directly, no index), the first that matches. */
function scanInOrder(routes: Route[]): { match(r: MatchInput): CompiledRoute | null } {
  const singles = routes.map((r) => table([vhost('v', ['*'], [r])]));
  return {
    match(r) {
      for (const t of singles) {
        const found = t.match(r);
        if (found !== null) return found;
      }
      return null;
    },
  };
}

/** One vhost for every host, matched by the reference scan and by the index (padded so a lone route is indexed too). */
function withAndWithoutIndex(routes: Route[]) {
  const padding = Array.from({ length: 20 }, (_, i) => route({ path: `/never-${i}` }));
  return [
    { label: 'scan', table: scanInOrder(routes) },
    { label: 'index', table: table([vhost('v', ['*'], [...routes, ...padding])]) },
  ];
}

/** The position of the matched route in `routes`, or -1. */
function positionOf(routes: Route[], found: CompiledRoute | null): number {
  return found === null ? -1 : routes.indexOf(found.route);
}

test('virtual host selection: exact, longest suffix, longest prefix, then "*", case-insensitive', () => {
  const names = ['www.example.com', '*.example.com', '*.api.example.com', '*-bar.foo.com', 'foo.*', 'foo.bar.*', '*'];
  const t = table(names.map((d) => vhost(d, [d], [route({}, { name: d })])));
  const expect: [string, string][] = [
    ['www.example.com', 'www.example.com'],
    ['WWW.Example.COM', 'www.example.com'],
    ['www.example.com:8080', 'www.example.com'],
    ['a.example.com', '*.example.com'],
    ['x.api.example.com', '*.api.example.com'],
    ['api.example.com', '*.example.com'],
    ['example.com', '*'],
    ['baz-bar.foo.com', '*-bar.foo.com'],
    ['-bar.foo.com', '*'],
    ['foo.bar.baz', 'foo.bar.*'],
    ['foo.com', 'foo.*'],
    ['foo.example.com', '*.example.com'],
    ['foo.', '*'],
    ['other', '*'],
    ['', '*'],
  ];
  for (const [authority, vhostName] of expect) {
    assert.equal(t.match(req('/', { authority }))?.vhost.name, vhostName, authority);
  }
});

test('virtual host selection: a domain with a port matches only that port and is preferred', () => {
  const t = table([
    vhost('ported', ['api.example.com:8443'], [route({})]),
    vhost('plain', ['api.example.com', '[::1]'], [route({})]),
    vhost('wild-ported', ['*.example.com:8443'], [route({})]),
    vhost('any-9000', ['*:9000'], [route({})]),
  ]);
  const expect: [string, string | undefined][] = [
    ['api.example.com:8443', 'ported'],
    ['API.example.com:8443', 'ported'],
    ['api.example.com:80', 'plain'],
    ['api.example.com', 'plain'],
    ['x.example.com:8443', 'wild-ported'],
    ['x.example.com', undefined],
    ['anything:9000', 'any-9000'],
    ['anything', undefined],
    ['api.example.com:9000', 'plain'],
    ['[::1]:8080', 'plain'],
  ];
  for (const [authority, name] of expect) assert.equal(t.match(req('/', { authority }))?.vhost.name, name, authority);
});

test('duplicate domains are refused at load, naming the place', () => {
  assert.throws(
    () => table([vhost('a', ['x.com'], [route({})]), vhost('b', ['y.com', 'X.COM'], [route({})])]),
    /virtual_hosts\[1\]\.domains\[1\]: domain "X\.COM" is also in virtual host "a"/,
  );
});

test('no virtual host or no route: null', () => {
  const t = table([vhost('v', ['only.example'], [route({ path: '/x' })])]);
  assert.equal(t.match(req('/x', { authority: 'other' })), null);
  assert.equal(t.match(req('/y', { authority: 'only.example' })), null);
});

test('a bad route names its place', () => {
  assert.throws(
    () => table([vhost('v', ['*'], [route({}), route({ source_ip: ['10.0.0.0/40'] })])]),
    /virtual_hosts\[0\]\.routes\[1\]/,
  );
});

test('path specifiers, scanned and indexed alike', () => {
  const routes = [
    route({ prefix: '/api' }, { name: 'prefix' }),
    route({ prefix: '/CI-Pre', case_sensitive: false }, { name: 'prefix-ci' }),
    route({ prefix: '/q?x' }, { name: 'prefix-with-query' }),
    route({ path: '/exact' }, { name: 'path' }),
    route({ path: '/Exact-CI', case_sensitive: false }, { name: 'path-ci' }),
    route({ safe_regex: { regex: '/r/\\d+' } }, { name: 'regex' }),
    route({ path_separated_prefix: '/sep' }, { name: 'sep' }),
    route({ path_separated_prefix: '/Sep-CI', case_sensitive: false }, { name: 'sep-ci' }),
    route({ path: '/catch' }, { name: 'catch' }),
    route({ path: '/never?q' }, { name: 'path-with-query' }),
  ];
  const expect: [string, string | undefined][] = [
    ['/api', 'prefix'],
    ['/apix', 'prefix'],
    ['/api/v1?y=1', 'prefix'],
    ['/API', undefined],
    ['/ci-pre/x', 'prefix-ci'],
    ['/CI-PRE', 'prefix-ci'],
    ['/q?x=1', 'prefix-with-query'],
    ['/exact', 'path'],
    ['/exact?q=1', 'path'],
    ['/exact#frag', 'path'],
    ['/exact/', undefined],
    ['/exactx', undefined],
    ['/EXACT', undefined],
    ['/exact-ci?x', 'path-ci'],
    ['/EXACT-CI', 'path-ci'],
    ['/exact-ci/', undefined],
    ['/r/12', 'regex'],
    ['/r/12?x=a', 'regex'],
    ['/r/12/x', undefined],
    ['/x/r/12', undefined],
    ['/sep', 'sep'],
    ['/sep/', 'sep'],
    ['/sep/a/b', 'sep'],
    ['/sep?x', 'sep'],
    ['/sepx', undefined],
    ['/SEP', undefined],
    ['/sep-ci/A', 'sep-ci'],
    ['/SEP-CI', 'sep-ci'],
    ['/sep-cix', undefined],
    ['/never?q', undefined],
    ['/never', undefined],
  ];
  for (const { label, table: t } of withAndWithoutIndex(routes)) {
    for (const [path, name] of expect) assert.equal(t.match(req(path))?.name, name, `${label} ${path}`);
  }
});

test('no path specifier means prefix "/"', () => {
  for (const { label, table: t } of withAndWithoutIndex([route({ methods: ['POST'] })])) {
    assert.equal(t.match(req('/anything/at?all', { method: 'POST' }))?.name, 'v/0', label);
    assert.equal(t.match(req('/anything', { method: 'GET' })), null, label);
  }
});

test('every condition must hold: methods, headers, query parameters, source ip', () => {
  const routes = [
    route(
      {
        prefix: '/',
        methods: ['GET', 'head'],
        headers: [
          { name: 'x-env', exact_match: 'prod', invert_match: false },
          { name: 'x-debug', present_match: true, invert_match: true },
        ],
        query_parameters: [{ name: 'v', string_match: { prefix: '2', ignore_case: false } }],
        source_ip: ['10.0.0.0/8', '::1/128'],
      },
      { name: 'all' },
    ),
  ];
  const ok: Partial<MatchInput> = { method: 'HEAD', headers: { 'x-env': 'prod' }, sourceAddress: '::ffff:10.1.1.1' };
  for (const { label, table: t } of withAndWithoutIndex(routes)) {
    assert.equal(t.match(req('/p?v=2.1', ok))?.name, 'all', label);
    assert.equal(t.match(req('/p?v=2.1', { ...ok, sourceAddress: '::1' }))?.name, 'all', label);
    assert.equal(t.match(req('/p?v=2.1', { ...ok, method: 'POST' })), null, `${label} method`);
    assert.equal(t.match(req('/p?v=2.1', { ...ok, headers: { 'x-env': 'dev' } })), null, `${label} header`);
    assert.equal(t.match(req('/p?v=2.1', { ...ok, headers: { 'x-env': 'prod', 'x-debug': '1' } })), null, `${label} inverted presence`);
    assert.equal(t.match(req('/p?v=1', ok)), null, `${label} query`);
    assert.equal(t.match(req('/p', ok)), null, `${label} query absent`);
    assert.equal(t.match(req('/p?v=2.1', { ...ok, sourceAddress: '192.168.0.1' })), null, `${label} source`);
  }
});

test('per-request state does not leak from one match into the next', () => {
  const routes = [
    route({ prefix: '/', query_parameters: [{ name: 'a' }], source_ip: ['10.0.0.0/8'] }, { name: 'q' }),
    route({ path: '/p', case_sensitive: false }, { name: 'ci' }),
  ];
  for (const { label, table: t } of withAndWithoutIndex(routes)) {
    assert.equal(t.match(req('/p?a=1', { sourceAddress: '10.0.0.1' }))?.name, 'q', label);
    assert.equal(t.match(req('/P?b=1', { sourceAddress: '10.0.0.1' }))?.name, 'ci', label);
    assert.equal(t.match(req('/p?a=1', { sourceAddress: '11.0.0.1' }))?.name, 'ci', label);
    assert.equal(t.match(req('/x?a=1', { sourceAddress: '11.0.0.1' })), null, label);
  }
});

test('first match wins, in config order', () => {
  const routes = [
    route({ prefix: '/', headers: [{ name: 'x-canary', invert_match: false }] }, { name: 'canary' }),
    route({ prefix: '/a' }, { name: 'a' }),
    route({ path: '/a/b' }, { name: 'exact-after-prefix' }),
    route({ prefix: '/' }, { name: 'default' }),
  ];
  for (const { label, table: t } of withAndWithoutIndex(routes)) {
    assert.equal(t.match(req('/a/b', { headers: { 'x-canary': '1' } }))?.name, 'canary', label);
    assert.equal(t.match(req('/a/b'))?.name, 'a', `${label}: an earlier prefix beats a later exact path`);
    assert.equal(t.match(req('/b'))?.name, 'default', label);
  }
});

test('the index keeps config order when indexed and unindexed routes interleave', () => {
  const routes: Route[] = [];
  const add = (r: Route) => (routes.push(r), r);
  const pad = (n: number) => {
    for (let i = 0; i < n; i++) add(route({ prefix: `/pad-${routes.length}` }));
  };
  pad(3);
  add(route({ prefix: '/', headers: [{ name: 'x-a', exact_match: '1', invert_match: false }] }, { name: 'gated-catch-all' }));
  pad(4);
  add(route({ safe_regex: { regex: '/items/\\d+' } }, { name: 'regex' }));
  pad(2);
  add(route({ path: '/items/42' }, { name: 'exact' }));
  add(route({ path: '/ITEMS/7', case_sensitive: false }, { name: 'exact-ci' }));
  pad(5);
  add(route({ prefix: '/items/' }, { name: 'prefix' }));
  add(route({ safe_regex: { regex: '/items.*' } }, { name: 'regex-late' }));
  add(route({ path_separated_prefix: '/items' }, { name: 'separated' }));
  pad(5);
  add(route({ prefix: '/' }, { name: 'default' }));
  const t = table([vhost('v', ['*'], routes)]);
  const expect: [string, Partial<MatchInput>, string][] = [
    ['/items/42', { headers: { 'x-a': '1' } }, 'gated-catch-all'],
    ['/items/42', {}, 'regex'],
    ['/items/7', {}, 'regex'],
    ['/items/x', {}, 'prefix'],
    ['/ITEMS/7', {}, 'exact-ci'],
    ['/items', {}, 'regex-late'],
    ['/itemsx', {}, 'regex-late'],
    ['/other', {}, 'default'],
    ['/pad-0/x', {}, 'v/0'],
  ];
  for (const [path, extra, name] of expect) assert.equal(t.match(req(path, extra))?.name, name, path);
});

/** A seeded PRNG so a failure can be replayed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('the index finds what a scan in order finds (randomized)', () => {
  const random = mulberry32(20240611);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const prefixes = ['/a', '/a/', '/a/b', '/ab', '/b', '/A', '/items/', '/items', '/a?'];
  const paths = ['/a', '/a/b', '/b', '/items/7', '/A/B', '/'];
  const regexes = ['/a/.*', '/items/\\d+', '/[ab]', '.*B.*', '^/a/b$', '/(a|b)', '/zzz|/a', '/a/?', '\\/ite\\w+/7', '/items/?.*'];
  const makeRoute = (): Route => {
    const kind = random();
    const match: Partial<RouteMatch> =
      kind < 0.01
        ? { prefix: pick(['/', '']) } // rare: a catch-all hides every route after it
        : kind < 0.4
          ? { prefix: pick(prefixes) }
          : kind < 0.65
            ? { path: pick(paths) }
            : kind < 0.85
              ? { safe_regex: { regex: pick(regexes) } }
              : { path_separated_prefix: pick(['/a', '/items', '/a/b', '/A']) };
    const gate = random();
    if (gate < 0.5) match.headers = [{ name: 'x-v', exact_match: pick(['1', '2', '3', '4', '5']), invert_match: false }];
    else if (gate < 0.6) match.query_parameters = [{ name: 'q' }];
    return route({ ...match, case_sensitive: random() < 0.7 });
  };
  const requestPaths = ['/', '/a', '/a/', '/a/b', '/A/b', '/ab', '/a/b/c', '/b', '/a?x=1', '/a/b?q', '/items/7', '/ITEMS/7', '/items', '/itemsx', '/zzz', '/A'];
  let deepest = 0;
  for (const size of [5, 20, 60, 200, 200]) {
    const routes = Array.from({ length: size }, makeRoute);
    const indexed = table([vhost('v', ['*'], routes)]);
    const reference = scanInOrder(routes);
    for (let i = 0; i < 300; i++) {
      const base = pick(requestPaths);
      const path = random() < 0.2 ? base + (base.includes('?') ? '&q' : '?q') : base;
      const r = req(path, { headers: random() < 0.7 ? { 'x-v': pick(['1', '2', '3', '4', '5']) } : {} });
      const expected = positionOf(routes, reference.match(r));
      deepest = Math.max(deepest, expected);
      assert.equal(positionOf(routes, indexed.match(r)), expected, `${size} routes: ${path} ${JSON.stringify(r.headers)}`);
    }
  }
  assert.ok(deepest > 50, `the requests reach deep into the tables (deepest match ${deepest})`);
});

test('10,000 routes: the last exact path and a late prefix are found', () => {
  const routes = Array.from({ length: 10_000 }, (_, i) =>
    i % 2 === 0 ? route({ path: `/svc-${i}/items` }, { name: `r${i}` }) : route({ prefix: `/pre-${i}/` }, { name: `r${i}` }),
  );
  const t = table([vhost('v', ['*'], routes)]);
  assert.equal(t.match(req('/svc-9998/items?x=1'))?.name, 'r9998');
  assert.equal(t.match(req('/pre-9999/a/b'))?.name, 'r9999');
  assert.equal(t.match(req('/pre-9999')), null);
});

test('route name defaults to "<vhost>/<index>"; the original config is kept', () => {
  const named = route({ path: '/n' }, { name: 'given' });
  const t = table([vhost('web', ['*'], [named, route({ path: '/x' })])]);
  assert.equal(t.match(req('/n'))?.name, 'given');
  assert.equal(t.match(req('/n'))?.route, named);
  assert.equal(t.match(req('/x'))?.name, 'web/1');
});

test('forwarding route: cluster pick, path rewrite, host rewrite, hash key', () => {
  let draw = 0;
  const t = table(
    [
      vhost('v', ['*'], [
        route(
          { prefix: '/api/' },
          {
            route: forward({
              cluster: undefined,
              weighted_clusters: { clusters: [{ name: 'stable', weight: 3 }, { name: 'canary', weight: 1 }] },
              prefix_rewrite: '/',
              host_rewrite_literal: 'internal.svc',
              hash_policy: [{ header: { header_name: 'x-user' }, terminal: false }],
            }),
          },
        ),
        route({ prefix: '/' }),
      ]),
    ],
    {},
    { random: () => draw },
  );
  const r = req('/api/users?id=1', { headers: { 'x-user': 'u1' } });
  const found = t.match(r);
  assert.ok(found !== null && found.action === 'route');
  draw = 0.74;
  assert.equal(found.pickCluster(), 'stable');
  draw = 0.75;
  assert.equal(found.pickCluster(), 'canary');
  assert.equal(found.rewritePath(r.path), '/users?id=1');
  assert.equal(found.hostRewrite, 'internal.svc');
  assert.equal(found.hashKey(r), hashString('u1'));
  const plain = t.match(req('/x'));
  assert.ok(plain !== null && plain.action === 'route');
  assert.equal(plain.pickCluster(), 'backend');
  assert.equal(plain.rewritePath('/x?y'), '/x?y');
  assert.equal(plain.hostRewrite, undefined);
  assert.equal(plain.hashKey(r), undefined);
});

test('redirect route: location and status', () => {
  const t = table([
    vhost('v', ['*'], [
      route({ prefix: '/old/' }, { route: undefined, redirect: { prefix_rewrite: '/new/', response_code: 'PERMANENT_REDIRECT', strip_query: false } }),
      route({ prefix: '/' }, { route: undefined, redirect: { https_redirect: true, response_code: 'MOVED_PERMANENTLY', strip_query: false } }),
    ]),
  ]);
  const r1 = req('/old/a?b=1', { authority: 'ex.com' });
  const m1 = t.match(r1);
  assert.ok(m1 !== null && m1.action === 'redirect');
  assert.equal(m1.redirectStatus, 308);
  assert.equal(m1.redirectLocation(r1, 'https'), 'https://ex.com/new/a?b=1');
  const r2 = req('/x', { authority: 'ex.com:80' });
  const m2 = t.match(r2);
  assert.ok(m2 !== null && m2.action === 'redirect');
  assert.equal(m2.redirectStatus, 301);
  assert.equal(m2.redirectLocation(r2, 'http'), 'https://ex.com/x');
});

test('direct response route: status and a body built once', () => {
  const t = table([
    vhost('v', ['*'], [
      route({ path: '/health' }, { route: undefined, direct_response: { status: 200, body: { inline_string: 'ok ✓' } } }),
      route({ path: '/empty' }, { route: undefined, direct_response: { status: 204 } }),
    ]),
  ]);
  const a = t.match(req('/health'));
  const b = t.match(req('/health'));
  assert.ok(a !== null && a.action === 'direct_response' && b !== null && b.action === 'direct_response');
  assert.equal(a.status, 200);
  assert.equal(a.body.toString('utf8'), 'ok ✓');
  assert.equal(a.body, b.body, 'the same Buffer every time');
  const empty = t.match(req('/empty'));
  assert.ok(empty !== null && empty.action === 'direct_response');
  assert.equal(empty.status, 204);
  assert.equal(empty.body.length, 0);
});

test('header mutations: route, then virtual host, then route configuration; names lower-cased', () => {
  const level = (value: string) => [
    { header: { key: 'X-Level', value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' as const },
    { header: { key: 'x-trail', value }, append_action: 'APPEND_IF_EXISTS_OR_ADD' as const },
  ];
  const t = table(
    [
      vhost(
        'v',
        ['*'],
        [
          route(
            {},
            {
              request_headers_to_add: [...level('route'), { header: { key: 'x-route-only', value: 'r' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' }],
              response_headers_to_add: [{ header: { key: 'X-Resp', value: 'route' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' }],
            },
          ),
        ],
        {
          request_headers_to_add: level('vhost'),
          request_headers_to_remove: ['X-Route-Only', 'x-incoming'],
          response_headers_to_add: [{ header: { key: 'x-resp', value: 'vhost' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' }],
        },
      ),
    ],
    {
      request_headers_to_add: level('config'),
      response_headers_to_remove: ['server'],
    },
  );
  const found = t.match(req('/'));
  assert.ok(found !== null);
  const headers: Record<string, string | string[] | undefined> = { 'x-incoming': 'drop me', 'x-trail': 'client' };
  applyHeaderMutations(headers, found.requestHeaderMutation);
  assert.deepEqual(headers, { 'x-level': 'config', 'x-trail': ['client', 'route', 'vhost', 'config'] });
  const response: Record<string, string | string[] | undefined> = { server: 'upstream' };
  applyHeaderMutations(response, found.responseHeaderMutation);
  assert.deepEqual(response, { 'x-resp': ['route', 'vhost'] });
  assert.equal(found.vhost.requestHeaderMutation.length, 4, 'the vhost level alone: 2 removals, 2 additions');
  assert.deepEqual(
    t.requestHeaderMutation.map((op) => op.name),
    ['x-level', 'x-trail'],
    'the route configuration level alone',
  );
});

test('applyHeaderMutations: every append_action, and removal', () => {
  const m = compileHeaderMutation(
    [
      { header: { key: 'a', value: '2' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
      { header: { key: 'a-new', value: '1' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
      { header: { key: 'a-list', value: '3' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
      { header: { key: 'b', value: 'new' }, append_action: 'ADD_IF_ABSENT' },
      { header: { key: 'b-new', value: 'new' }, append_action: 'ADD_IF_ABSENT' },
      { header: { key: 'c', value: 'new' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'c-new', value: 'new' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'd', value: 'new' }, append_action: 'OVERWRITE_IF_EXISTS' },
      { header: { key: 'd-new', value: 'new' }, append_action: 'OVERWRITE_IF_EXISTS' },
      { header: { key: 'e', value: '' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
    ],
    ['gone'],
  );
  const headers: Record<string, string | string[] | undefined> = {
    a: '1',
    'a-list': ['1', '2'],
    b: 'old',
    c: 'old',
    d: 'old',
    e: 'kept',
    gone: 'x',
  };
  applyHeaderMutations(headers, m);
  assert.deepEqual(headers, {
    a: ['1', '2'],
    'a-new': '1',
    'a-list': ['1', '2', '3'],
    b: 'old',
    'b-new': 'new',
    c: 'new',
    'c-new': 'new',
    d: 'new',
    e: 'kept',
  });
});
