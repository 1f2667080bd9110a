import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpCallError } from '../../sdk/filter.js';
import type { HttpCall, HttpCallRequest, HttpCallResponse } from '../../sdk/filter.js';
import { loadChain, runFilter } from '../../sdk/testing.js';
import extAuthz from './filter.js';

/** A fake authorization service behind the "authz" cluster. */
function service(answer: (req: HttpCallRequest) => HttpCallResponse | Promise<HttpCallResponse>) {
  const seen: HttpCallRequest[] = [];
  const httpCall: HttpCall = async (cluster, req) => {
    assert.equal(cluster, 'authz');
    seen.push(req);
    return answer(req);
  };
  return { seen, httpCall };
}

const answer = (status: number, headers: Record<string, string | string[]> = {}, body = ''): HttpCallResponse => ({ status, headers, body: Buffer.from(body) });

const base = {
  http_service: {
    server_uri: { uri: 'http://authz.local', cluster: 'authz', timeout: '1s' },
    path_prefix: '/check',
    authorization_request: {
      allowed_headers: { patterns: [{ exact: 'x-tenant' }, { prefix: 'x-auth-' }] },
      headers_to_add: [{ key: 'X-Gateway', value: 'wasmgate' }],
    },
    authorization_response: {
      allowed_upstream_headers: { patterns: [{ exact: 'x-user-id' }] },
      allowed_client_headers_on_success: { patterns: [{ exact: 'x-session-ttl' }] },
    },
  },
};

const request = {
  method: 'PUT',
  path: '/orders/7?x=1',
  headers: { host: 'shop.local', authorization: 'Bearer abc', 'x-tenant': 't1', 'x-auth-extra': 'e', cookie: 'secret=1', 'x-user-id': 'forged' },
};

test('a 200 lets the request on with the allowed upstream headers; the check carries the allowed request headers', async () => {
  const { seen, httpCall } = service(() => answer(200, { 'x-user-id': 'u42', 'x-internal': 'no', 'x-session-ttl': '60' }));
  const r = await runFilter(extAuthz, base, { httpCall, request });
  assert.equal(r.response.status, 200);
  assert.equal(r.upstreamRequest!.headers['x-user-id'], 'u42');
  assert.equal(r.upstreamRequest!.headers['x-internal'], undefined);
  assert.equal(r.response.headers['x-session-ttl'], '60');
  const check = seen[0]!;
  assert.equal(check.method, 'PUT');
  assert.equal(check.path, '/check/orders/7?x=1');
  assert.equal(check.authority, 'shop.local');
  assert.equal(check.timeoutMs, 1000);
  assert.deepEqual(check.headers, { authorization: 'Bearer abc', 'x-tenant': 't1', 'x-auth-extra': 'e', 'x-gateway': 'wasmgate' });
  assert.deepEqual(r.counters, { 'ext_authz.ok': 1, 'ext_authz.denied': 0, 'ext_authz.error': 0, 'ext_authz.failure_mode_allowed': 0 });
});

test('a denial goes back to the client with the service status, body and headers; flag UAEX', async () => {
  const { httpCall } = service(() =>
    answer(401, { 'www-authenticate': 'Basic realm="shop"', 'set-cookie': ['a=1', 'b=2'], 'content-type': 'application/json', connection: 'close' }, '{"error":"who?"}'),
  );
  const r = await runFilter(extAuthz, base, { httpCall, request });
  assert.equal(r.upstreamCalled, false);
  assert.equal(r.response.status, 401);
  assert.equal(r.response.body, '{"error":"who?"}');
  assert.equal(r.response.headers['www-authenticate'], 'Basic realm="shop"');
  assert.deepEqual(r.response.headers['set-cookie'], ['a=1', 'b=2']);
  assert.equal(r.response.headers['content-type'], 'application/json');
  assert.equal(r.response.headers.connection, undefined);
  assert.deepEqual(r.responseFlags, ['UAEX']);
  assert.equal(r.responseCodeDetails, 'ext_authz_denied');
  assert.equal(r.counters['ext_authz.denied'], 1);
});

test('allowed_client_headers limits what a denial passes to the client; a redirect passes through', async () => {
  const cfg = { http_service: { ...base.http_service, authorization_response: { allowed_client_headers: { patterns: [{ exact: 'location' }] } } } };
  const { httpCall } = service(() => answer(302, { location: 'https://login.local/?next=/orders', 'x-debug': 'secret' }));
  const r = await runFilter(extAuthz, cfg, { httpCall, request });
  assert.equal(r.response.status, 302);
  assert.equal(r.response.headers.location, 'https://login.local/?next=/orders');
  assert.equal(r.response.headers['x-debug'], undefined);
});

test('errors answer status_on_error (default 403) unless failure_mode_allow', async () => {
  const failures: [string, HttpCall][] = [
    ['connect failure', () => Promise.reject(new HttpCallError('connect_failure', 'refused'))],
    ['timeout', () => Promise.reject(new HttpCallError('timeout', 'timed out'))],
    ['5xx', async () => answer(503, {}, 'down')],
  ];
  for (const [what, httpCall] of failures) {
    const r = await runFilter(extAuthz, base, { httpCall, request });
    assert.equal(r.response.status, 403, what);
    assert.equal(r.response.body, '', what);
    assert.deepEqual(r.responseFlags, ['UAEX'], what);
    assert.equal(r.responseCodeDetails, 'ext_authz_error', what);
    assert.equal(r.counters['ext_authz.error'], 1, what);
    const custom = await runFilter(extAuthz, { ...base, status_on_error: { code: 503 } }, { httpCall, request });
    assert.equal(custom.response.status, 503, what);
    const open = await runFilter(extAuthz, { ...base, failure_mode_allow: true }, { httpCall, request });
    assert.equal(open.response.status, 200, what);
    assert.equal(open.upstreamRequest!.headers['x-user-id'], 'forged', 'nothing from the service was copied');
    assert.equal(open.counters['ext_authz.failure_mode_allowed'], 1, what);
  }
});

test('with_request_body sends the body; too large is 413 unless partial messages are allowed', async () => {
  const { seen, httpCall } = service(() => answer(200));
  const cfg = (allow: boolean) => ({ ...base, with_request_body: { max_request_bytes: 8, allow_partial_message: allow } });
  const chain = await loadChain([{ factory: extAuthz, config: cfg(false) }], { httpCall });
  const small = await chain.run({ request: { ...request, body: 'hello' } });
  assert.equal(small.response.status, 200);
  assert.equal(seen[0]!.body!.toString(), 'hello');
  assert.equal(small.upstreamRequest!.body, 'hello');
  const big = await chain.run({ request: { ...request, body: 'x'.repeat(20) } });
  assert.equal(big.response.status, 413);
  assert.equal(seen.length, 1);
  const partial = await runFilter(extAuthz, cfg(true), { httpCall, request: { ...request, body: '0123456789abc' } });
  assert.equal(partial.response.status, 200);
  assert.equal(seen[1]!.body!.toString(), '01234567');
  assert.equal(partial.upstreamRequest!.body, '0123456789abc');
});

test('bad configs are refused with their path', async () => {
  await assert.rejects(runFilter(extAuthz, {}), /ext_authz\.config\.http_service: is required/);
  const badRegex = { http_service: { ...base.http_service, authorization_request: { allowed_headers: { patterns: [{ safe_regex: { regex: '(' } }] } } } };
  await assert.rejects(runFilter(extAuthz, badRegex), /http_service\.authorization_request\.allowed_headers\.patterns\[0\]: /);
  await assert.rejects(runFilter(extAuthz, { ...base, status_on_error: { code: 99 } }), /status_on_error\.code: must be >= 200/);
});
