import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigValidationError } from './errors.js';
import { validateConfig } from './validate.js';
import { FAKE_FILTERS, HCM, VHOST, exampleConfig, fakeResolver, hcmOf } from './testdata/fixtures.js';

const opts = { configDir: '/etc/gateway', resolveFilter: fakeResolver() };

/** The errors of an invalid config as printed: `path: message`. */
async function errorsOf(raw: unknown): Promise<string[]> {
  try {
    await validateConfig(raw, opts);
  } catch (err) {
    assert.ok(err instanceof ConfigValidationError, `expected a ConfigValidationError, got ${String(err)}`);
    return err.errors.map((e) => `${e.path}: ${e.message}`);
  }
  assert.fail('the config was accepted');
}

/** The example config with the http_filters given, then the router. */
function withFilters(...filters: unknown[]): any {
  const config = exampleConfig();
  hcmOf(config).http_filters = [...filters, { name: 'router' }];
  return config;
}

test('the example config is valid and gets its defaults', async () => {
  const raw = exampleConfig();
  const config = await validateConfig(raw, opts);
  const hcm = hcmOf(config);
  assert.equal(config.admin?.port, 9901);
  assert.equal(hcm.stream_idle_timeout, '5m');
  assert.equal(hcm.request_headers_timeout, '10s');
  assert.deepEqual(hcm.common_http_protocol_options, { idle_timeout: '1h' });
  assert.equal(hcm.use_remote_address, true);
  assert.equal(hcm.max_request_bytes, 1048576);
  assert.equal(hcm.server_name, 'wasmgate');
  assert.deepEqual(hcm.http_filters, [{ name: 'router', disabled: false, fail_open: false }]);
  const [canary, split] = hcm.route_config.virtual_hosts[0].routes;
  assert.equal(canary.route.timeout, '15s');
  assert.equal(canary.match.case_sensitive, true);
  assert.equal(canary.match.headers[0].invert_match, false);
  assert.equal(split.route.timeout, '5s');
  assert.deepEqual(split.route.retry_policy, {
    retry_on: '5xx,connect-failure',
    num_retries: 2,
    per_try_timeout: '1s',
    retry_host_predicate: [{ name: 'previous_hosts' }],
    host_selection_retry_max_attempts: 3,
  });
  const [v1, v2] = config.clusters;
  assert.equal(v1!.connect_timeout, '1s');
  assert.equal(v2!.connect_timeout, '5s');
  assert.equal(v2!.type, 'STATIC');
  assert.equal(v2!.lb_policy, 'round_robin');
  assert.equal(v2!.dns_lookup_family, 'V4_ONLY');
  assert.deepEqual(v1!.endpoints.map((e) => [e.weight, e.priority]), [[1, 0], [2, 0]]);
  // The caller's object is left as it was.
  assert.equal(hcmOf(raw).stream_idle_timeout, undefined);
});

test('the validated config is deep-frozen', async () => {
  const config: any = await validateConfig(exampleConfig(), opts);
  const route = hcmOf(config).route_config.virtual_hosts[0].routes[1].route;
  assert.ok(Object.isFrozen(config));
  assert.ok(Object.isFrozen(route.weighted_clusters.clusters[0]));
  assert.throws(() => {
    route.timeout = '1s';
  }, TypeError);
  assert.throws(() => config.clusters.push({}), TypeError);
});

test('object defaults are copies, not shared between configs', async () => {
  const a: any = await validateConfig(exampleConfig(), opts);
  const b: any = await validateConfig(exampleConfig(), opts);
  assert.notEqual(hcmOf(a).common_http_protocol_options, hcmOf(b).common_http_protocol_options);
});

test('a config with many mistakes reports all of them with their paths', async () => {
  const config = exampleConfig();
  config.listeners[0].prot = 8080;
  const hcm = hcmOf(config);
  delete hcm.stat_prefix;
  const [canary, split] = hcm.route_config.virtual_hosts[0].routes;
  canary.match.safe_regex = { regex: '(' };
  canary.match.source_ip = ['10.0.0.0/33'];
  split.route = { cluster: 'api-v3', timeout: '5 s' };
  hcm.http_filters = [{ name: 'router' }, { name: 'local_ratelimit', config: { tokens_per_fill: 0 } }];
  config.clusters[1].name = 'api-v1';
  config.clusters[0].endpoints[0].port = 70000;
  config.clusters[0].lb_policy = 'fastest';
  // clusters[1] is renamed, so the first route's api-v2 is unknown too.
  assert.deepEqual((await errorsOf(config)).sort(), [
    `${HCM}.http_filters[0].name: the router must be the last filter`,
    `${HCM}.http_filters[1].config.tokens_per_fill: must be >= 1`,
    `${HCM}.route_config.virtual_hosts[0].routes[0].match: has both prefix and safe_regex; give at most one of prefix, path, safe_regex, path_separated_prefix`,
    `${HCM}.route_config.virtual_hosts[0].routes[0].match.safe_regex.regex: invalid regex: Unterminated group`,
    `${HCM}.route_config.virtual_hosts[0].routes[0].match.source_ip[0]: "10.0.0.0/33" is not an IP address or CIDR range`,
    `${HCM}.route_config.virtual_hosts[0].routes[0].route.cluster: unknown cluster "api-v2"`,
    `${HCM}.route_config.virtual_hosts[0].routes[1].route.cluster: unknown cluster "api-v3"`,
    `${HCM}.route_config.virtual_hosts[0].routes[1].route.timeout: must be a duration like "250ms", "5s" or "1m"`,
    `${HCM}.stat_prefix: is required`,
    'clusters[0].endpoints[0].port: must be <= 65535',
    'clusters[0].lb_policy: must be one of: round_robin, least_request, random, ring_hash, maglev',
    'clusters[1].name: duplicate cluster name "api-v1" (first at clusters[0])',
    'listeners[0]: unknown field "prot"',
  ].sort());
});

test('the error message lists every error on its own line', async () => {
  const config = exampleConfig();
  config.clusters[0].connect_timeout = 'soon';
  config.clusters[1].oops = true;
  await assert.rejects(validateConfig(config, opts), (err: Error) => {
    assert.equal(
      err.message,
      'invalid config (2 errors):\n' +
        'clusters[0].connect_timeout: must be a duration like "250ms", "5s" or "1m"\n' +
        'clusters[1]: unknown field "oops"',
    );
    return true;
  });
});

test('unknown fields are errors at every level', async () => {
  const config = exampleConfig();
  config.extra = 1;
  hcmOf(config).route_config.virtual_hosts[0].routes[0].match.headers[0].exact = 'x';
  config.clusters[0].endpoints[1].locality = { region: 'eu', city: 'Paris' };
  assert.deepEqual(await errorsOf(config), [
    '(root): unknown field "extra"',
    `${VHOST}.routes[0].match.headers[0]: unknown field "exact"`,
    'clusters[0].endpoints[1].locality: unknown field "city"',
  ]);
});

test('a config that is not an object', async () => {
  assert.deepEqual(await errorsOf(null), ['(root): must be an object']);
  assert.deepEqual(await errorsOf({}), ['listeners: is required', 'clusters: is required']);
});

test('every cluster reference must name a defined cluster', async () => {
  const config = exampleConfig();
  const routes = hcmOf(config).route_config.virtual_hosts[0].routes;
  routes[1].route = { cluster: 'api-v3' };
  routes[0].route = {
    weighted_clusters: { clusters: [{ name: 'api-v1', weight: 1 }, { name: 'api-v9', weight: 1 }] },
    request_mirror_policies: [{ cluster: 'shadow' }],
  };
  assert.deepEqual(await errorsOf(config), [
    `${VHOST}.routes[0].route.weighted_clusters.clusters[1].name: unknown cluster "api-v9"`,
    `${VHOST}.routes[0].route.request_mirror_policies[0].cluster: unknown cluster "shadow"`,
    'listeners[0].filter_chains[0].filters[0].config.route_config.virtual_hosts[0].routes[1].route.cluster: unknown cluster "api-v3"',
  ]);
});

test('durations must have a unit', async () => {
  const config = exampleConfig();
  config.clusters[0].connect_timeout = '1';
  hcmOf(config).request_timeout = '1d';
  hcmOf(config).route_config.virtual_hosts[0].routes[1].route.retry_policy.per_try_timeout = 5;
  assert.deepEqual(await errorsOf(config), [
    `${VHOST}.routes[1].route.retry_policy.per_try_timeout: must be a string`,
    `${HCM}.request_timeout: must be a duration like "250ms", "5s" or "1m"`,
    'clusters[0].connect_timeout: must be a duration like "250ms", "5s" or "1m"',
  ]);
});

test('every regex must compile', async () => {
  const config = exampleConfig();
  const [canary, split] = hcmOf(config).route_config.virtual_hosts[0].routes;
  canary.match = {
    safe_regex: { regex: '^/a[' },
    headers: [
      { name: 'x-a', safe_regex_match: { regex: '*' } },
      { name: 'x-b', string_match: { safe_regex: { regex: 'a)' } } },
    ],
    query_parameters: [{ name: 'q', string_match: { safe_regex: { regex: '(?<n' } } }],
  };
  split.route.regex_rewrite = { pattern: { regex: '+' }, substitution: '/' };
  const errors = await errorsOf(config);
  assert.deepEqual(
    errors.map((e) => e.slice(0, e.indexOf(': invalid regex: '))),
    [
      `${VHOST}.routes[0].match.safe_regex.regex`,
      `${VHOST}.routes[0].match.headers[0].safe_regex_match.regex`,
      `${VHOST}.routes[0].match.headers[1].string_match.safe_regex.regex`,
      `${VHOST}.routes[0].match.query_parameters[0].string_match.safe_regex.regex`,
      `${VHOST}.routes[1].route.regex_rewrite.pattern.regex`,
    ],
  );
  assert.equal(errors[2], `${VHOST}.routes[0].match.headers[1].string_match.safe_regex.regex: invalid regex: Unmatched ')'`);
});

test('source_ip entries must be IPs or CIDRs', async () => {
  const config = exampleConfig();
  const match = hcmOf(config).route_config.virtual_hosts[0].routes[0].match;
  match.source_ip = ['10.0.0.0/8', '::1/128', '127.0.0.1', '2001:db8::1', '10.0.0.256', '10.0.0.0/33', 'localhost', '10/8'];
  assert.deepEqual(await errorsOf(config), [
    `${VHOST}.routes[0].match.source_ip[4]: "10.0.0.256" is not an IP address or CIDR range`,
    `${VHOST}.routes[0].match.source_ip[5]: "10.0.0.0/33" is not an IP address or CIDR range`,
    `${VHOST}.routes[0].match.source_ip[6]: "localhost" is not an IP address or CIDR range`,
    `${VHOST}.routes[0].match.source_ip[7]: "10/8" is not an IP address or CIDR range`,
  ]);
});

test('the router must be present once and last', async () => {
  const config = exampleConfig();
  hcmOf(config).http_filters = [{ name: 'cors', config: { allow_origins: ['*'] } }];
  assert.deepEqual(await errorsOf(config), [`${HCM}.http_filters: must end with the router filter ({ name: router })`]);

  hcmOf(config).http_filters = [{ name: 'router' }, { name: 'cors', config: { allow_origins: ['*'] } }];
  assert.deepEqual(await errorsOf(config), [`${HCM}.http_filters[0].name: the router must be the last filter`]);

  hcmOf(config).http_filters = [{ name: 'router' }, { name: 'router', config: { x: 1 }, disabled: true }];
  assert.deepEqual(await errorsOf(config), [
    `${HCM}.http_filters[1].config: the router takes no config`,
    `${HCM}.http_filters[1].disabled: the router cannot be disabled`,
    `${HCM}.http_filters[0].name: the router may appear only once`,
  ]);
});

test('names must be unique: clusters, listeners, filters of a chain', async () => {
  const config = withFilters({ name: 'limit', type: 'local_ratelimit' }, { name: 'limit', type: 'cors' });
  config.listeners.push({ ...structuredClone(config.listeners[0]), port: 8081 });
  config.clusters.push({ name: 'api-v2', endpoints: [{ address: '127.0.0.1', port: 1 }] });
  const errors = await errorsOf(config);
  assert.ok(errors.includes('clusters[2].name: duplicate cluster name "api-v2" (first at clusters[1])'), errors.join('\n'));
  assert.ok(errors.includes('listeners[1].name: duplicate listener name "ingress" (first at listeners[0])'), errors.join('\n'));
  assert.ok(
    errors.includes(`${HCM}.http_filters[1].name: duplicate filter name "limit" (first at ${HCM}.http_filters[0])`),
    errors.join('\n'),
  );
});

test('two listeners (or a listener and the admin) cannot share an address and port, except port 0', async () => {
  const config = exampleConfig();
  const second = { ...structuredClone(config.listeners[0]), name: 'second' };
  config.listeners.push(second, { ...structuredClone(second), name: 'third', port: 9901 });
  config.listeners.push({ ...structuredClone(second), name: 'any1', port: 0 }, { ...structuredClone(second), name: 'any2', port: 0 });
  config.listeners.push({ ...structuredClone(second), name: 'v6', address: '::1' }, { ...structuredClone(second), name: 'v6b', address: '0:0::1' });
  assert.deepEqual(await errorsOf(config), [
    'listeners[1].port: 127.0.0.1:8080 is already used by listeners[0] ("ingress")',
    'listeners[2].port: 127.0.0.1:9901 is already used by admin',
    'listeners[6].port: [0:0::1]:8080 is already used by listeners[5] ("v6")',
  ]);
});

test('a domain appears in at most one virtual host of a route config', async () => {
  const config = exampleConfig();
  const vhosts = hcmOf(config).route_config.virtual_hosts;
  vhosts.push({ name: 'other', domains: ['api.example.com', '*', 'API.example.com:8080', 'a*b.com'], routes: [] });
  vhosts.push({ name: 'third', domains: ['Api.Example.com'], routes: [] });
  assert.deepEqual(await errorsOf(config), [
    `${HCM}.route_config.virtual_hosts[1].domains[1]: domain "*" is already in virtual_hosts[0] ("api")`,
    `${HCM}.route_config.virtual_hosts[1].domains[3]: "a*b.com": a wildcard "*" may only be the first or the last character`,
    `${HCM}.route_config.virtual_hosts[2].domains[0]: domain "Api.Example.com" is already in virtual_hosts[1] ("other")`,
  ]);
});

test('exactly-one and at-most-one rules', async () => {
  const config = exampleConfig();
  const routes = hcmOf(config).route_config.virtual_hosts[0].routes;
  routes.push(
    { match: {} },
    { match: {}, route: { cluster: 'api-v1' }, direct_response: { status: 200 } },
    { match: {}, route: { cluster: 'api-v1', weighted_clusters: { clusters: [{ name: 'api-v1', weight: 0 }] } } },
    { match: {}, route: {} },
    {
      match: {
        headers: [{ name: 'x', exact_match: 'a', prefix_match: 'b' }, { name: 'y', string_match: {} }],
        query_parameters: [{ name: 'q', present_match: true, string_match: { exact: 'a', prefix: 'b' } }],
      },
      route: { cluster: 'api-v1', hash_policy: [{ header: { header_name: 'x' }, cookie: { name: 'c' } }, {}] },
    },
    { match: {}, redirect: { https_redirect: true, scheme_redirect: 'http' } },
  );
  assert.deepEqual(await errorsOf(config), [
    `${VHOST}.routes[2]: needs one of route, redirect, direct_response`,
    `${VHOST}.routes[3]: has both route and direct_response; give exactly one of route, redirect, direct_response`,
    `${VHOST}.routes[4].route: has both cluster and weighted_clusters; give exactly one of cluster, weighted_clusters`,
    `${VHOST}.routes[4].route.weighted_clusters.clusters: the weights must add up to more than 0`,
    `${VHOST}.routes[5].route: needs one of cluster, weighted_clusters`,
    `${VHOST}.routes[6].match.headers[0]: has both exact_match and prefix_match; give at most one of exact_match, prefix_match, suffix_match, contains_match, safe_regex_match, present_match, string_match`,
    `${VHOST}.routes[6].match.headers[1].string_match: needs one of exact, prefix, suffix, contains, safe_regex`,
    `${VHOST}.routes[6].match.query_parameters[0]: has both string_match and present_match; give at most one of string_match, present_match`,
    `${VHOST}.routes[6].match.query_parameters[0].string_match: has both exact and prefix; give exactly one of exact, prefix, suffix, contains, safe_regex`,
    `${VHOST}.routes[6].route.hash_policy[0]: has both header and cookie; give exactly one of header, cookie, connection_properties, query_parameter`,
    `${VHOST}.routes[6].route.hash_policy[1]: needs one of header, cookie, connection_properties, query_parameter`,
    `${VHOST}.routes[7].redirect: has both https_redirect and scheme_redirect; give at most one of https_redirect, scheme_redirect`,
  ]);
});

test('ranges, enums and patterns of the core schema', async () => {
  const config = exampleConfig();
  config.admin.port = -1;
  config.clusters[0].endpoints[0].weight = 129;
  const routes = hcmOf(config).route_config.virtual_hosts[0].routes;
  routes.push({ match: { methods: ['get'] }, direct_response: { status: 99 } });
  routes[1].route.retry_policy.retry_on = '5xx,teapot';
  routes[0].request_headers_to_add = [{ header: { key: 'bad header', value: 'x' }, append_action: 'APPEND' }];
  assert.deepEqual(await errorsOf(config), [
    'admin.port: must be >= 0',
    `${VHOST}.routes[0].request_headers_to_add[0].header.key: must be a valid header name`,
    `${VHOST}.routes[0].request_headers_to_add[0].append_action: must be one of: APPEND_IF_EXISTS_OR_ADD, ADD_IF_ABSENT, OVERWRITE_IF_EXISTS_OR_ADD, OVERWRITE_IF_EXISTS`,
    `${VHOST}.routes[1].route.retry_policy.retry_on: must be a comma-separated list of: 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes`,
    `${VHOST}.routes[2].match.methods[0]: must be an upper-case HTTP method like "GET"`,
    `${VHOST}.routes[2].direct_response.status: must be >= 200`,
    'clusters[0].endpoints[0].weight: must be <= 128',
  ]);
});

test('cluster rules: STATIC needs IPs, lb configs match the policy, maglev table is prime', async () => {
  const config = exampleConfig();
  config.clusters[0].endpoints[0].address = 'localhost';
  config.clusters[0].ring_hash_lb_config = { minimum_ring_size: 4096, maximum_ring_size: 1024 };
  config.clusters[1].lb_policy = 'maglev';
  config.clusters[1].maglev_lb_config = { table_size: 65536 };
  config.clusters.push({ name: 'dns', type: 'STRICT_DNS', endpoints: [{ address: 'localhost', port: 80 }] });
  assert.deepEqual(await errorsOf(config), [
    'clusters[0].endpoints[0].address: "localhost" is not an IP address; a STATIC cluster needs IPs (use type: STRICT_DNS for hostnames)',
    'clusters[0].ring_hash_lb_config: applies only with lb_policy ring_hash (this cluster has round_robin)',
    'clusters[0].ring_hash_lb_config.minimum_ring_size: must be <= maximum_ring_size (1024)',
    'clusters[1].maglev_lb_config.table_size: must be a prime number, like 65537',
  ]);
});

test('each filter config is validated against its factory schema, with defaults filled in', async () => {
  const calls: { configDir: string }[] = [];
  const config = withFilters(
    { name: 'limit', type: 'local_ratelimit' },
    { name: 'cors', config: { allow_origins: ['https://a.example'] } },
    { name: 'strict_limit', type: 'local_ratelimit', config: { tokens_per_fill: 5, max_tokens: 20 } },
  );
  const valid = await validateConfig(config, { configDir: '/etc/gateway', resolveFilter: fakeResolver(calls as any) });
  const filters = hcmOf(valid).http_filters;
  assert.deepEqual(filters[0].config, { max_tokens: 10, tokens_per_fill: 1, fill_interval: '1s' });
  assert.deepEqual(filters[2].config, { max_tokens: 20, tokens_per_fill: 5, fill_interval: '1s' });
  assert.ok(Object.isFrozen(filters[0].config));
  // The router is not resolved; every other entry is, with the config directory.
  assert.deepEqual(calls.map((c) => c.configDir), ['/etc/gateway', '/etc/gateway', '/etc/gateway']);
});

test('filter config errors are prefixed with the entry path', async () => {
  const config = withFilters(
    { name: 'cors', config: {} },
    { name: 'limit', type: 'local_ratelimit', config: { burst: 3 } },
    { name: 'limit2', type: 'local_ratelimit', config: { tokens_per_fill: 0, max_tokens: 'ten' } },
  );
  assert.deepEqual(await errorsOf(config), [
    `${HCM}.http_filters[0].config.allow_origins: is required`,
    `${HCM}.http_filters[1].config: unknown field "burst"`,
    `${HCM}.http_filters[2].config.max_tokens: must be an integer`,
    `${HCM}.http_filters[2].config.tokens_per_fill: must be >= 1`,
  ]);
});

test('filters that cannot be resolved are reported at name, type or module', async () => {
  const config = withFilters(
    { name: 'nope' },
    { name: 'x', type: 'missing' },
    { name: 'mine', module: './filters/mine.js' },
    { name: 'both', type: 'cors', module: './m.js' },
  );
  assert.deepEqual(await errorsOf(config), [
    `${HCM}.http_filters[0].name: unknown filter "nope"`,
    `${HCM}.http_filters[1].type: unknown filter "missing"`,
    `${HCM}.http_filters[2].module: cannot import "./filters/mine.js"`,
    `${HCM}.http_filters[3]: give either type or module, not both`,
  ]);
});

test('a filter whose schema does not compile is an error, not a crash', async () => {
  const broken = { name: 'broken', configSchema: { type: 'object', properties: { a: { type: 'nonsense' } } }, create: () => () => ({}) };
  const config = withFilters({ name: 'broken' });
  await assert.rejects(validateConfig(config, { configDir: '/', resolveFilter: async () => broken }), (err: ConfigValidationError) => {
    assert.equal(err.errors.length, 1);
    assert.equal(err.errors[0]!.path, `${HCM}.http_filters[0].config`);
    assert.match(err.errors[0]!.message, /^cannot check the config of filter "broken": /);
    return true;
  });
});

test('typed_per_filter_config names filters of the chain and is validated against their schemas', async () => {
  const config = withFilters({ name: 'limit', type: 'local_ratelimit' }, { name: 'cors', config: { allow_origins: ['*'] } });
  const vhost = hcmOf(config).route_config.virtual_hosts[0];
  vhost.typed_per_filter_config = { cors: { disabled: true }, nope: { disabled: true } };
  vhost.routes[0].typed_per_filter_config = {
    limit: { config: { tokens_per_fill: 0 } },
    router: { disabled: true },
    cors: { enabled: true },
  };
  vhost.routes[1].typed_per_filter_config = { 'my.filter': { config: {} } };
  assert.deepEqual(await errorsOf(config), [
    `${VHOST}.routes[0].typed_per_filter_config.cors: unknown field "enabled"`,
    `${VHOST}.typed_per_filter_config.nope: no filter named "nope" in this chain's http_filters`,
    `${VHOST}.routes[0].typed_per_filter_config.limit.config.tokens_per_fill: must be >= 1`,
    `${VHOST}.routes[0].typed_per_filter_config.router: the router has no per-route config`,
    `${VHOST}.routes[1].typed_per_filter_config["my.filter"]: no filter named "my.filter" in this chain's http_filters`,
  ]);
});

test('per-route filter config gets the filter schema defaults', async () => {
  const config = withFilters({ name: 'limit', type: 'local_ratelimit', disabled: true });
  hcmOf(config).route_config.virtual_hosts[0].routes[0].typed_per_filter_config = {
    limit: { disabled: false, config: { max_tokens: 3 } },
  };
  const valid: any = await validateConfig(config, opts);
  const perRoute = hcmOf(valid).route_config.virtual_hosts[0].routes[0].typed_per_filter_config.limit;
  assert.deepEqual(perRoute, { disabled: false, config: { max_tokens: 3, tokens_per_fill: 1, fill_interval: '1s' } });
  assert.equal(hcmOf(valid).http_filters[0].disabled, true);
});

test('one compiled validator serves every entry that shares a schema', async () => {
  // ajv reads the schema while compiling; a getter counts how often that happens.
  let reads = 0;
  const schema = { type: 'object', additionalProperties: false };
  const counted = Object.defineProperty({ ...schema }, 'properties', {
    enumerable: true,
    get: () => {
      reads++;
      return { n: { type: 'integer', default: 1 } };
    },
  });
  const factory = { ...FAKE_FILTERS.local_ratelimit!, configSchema: counted };
  const resolveFilter = async () => factory;
  const config = withFilters({ name: 'a' }, { name: 'b' }, { name: 'c' });
  await validateConfig(config, { configDir: '/', resolveFilter });
  const afterFirst = reads;
  assert.ok(afterFirst > 0);
  await validateConfig(config, { configDir: '/', resolveFilter });
  assert.equal(reads, afterFirst);
});
