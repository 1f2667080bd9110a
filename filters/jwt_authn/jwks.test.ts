// Remote key sets through the factory's httpCall: cached, refreshed, refetched on rotation, and
// never fetched more often than the config allows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpCallError } from '../../sdk/filter.js';
import type { HttpCall, HttpCallRequest } from '../../sdk/filter.js';
import { loadChain } from '../../sdk/testing.js';
import jwtAuthn from './filter.js';
import { jwks, makeKey, sign } from './fixtures.js';

const k1 = await makeKey('k1');
const k2 = await makeKey('k2');

/** A fake identity provider behind the "idp" cluster; `answer` decides each fetch. */
function idp(answer: (n: number) => Promise<string | number> | string | number) {
  const calls: HttpCallRequest[] = [];
  const httpCall: HttpCall = async (cluster, req) => {
    assert.equal(cluster, 'idp');
    calls.push(req);
    const a = await answer(calls.length);
    if (typeof a === 'number') {
      if (a === 0) throw new HttpCallError('connect_failure', 'refused');
      return { status: a, headers: {}, body: Buffer.from('no') };
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(a) };
  };
  return { calls, httpCall };
}

function config(remote: Record<string, unknown> = {}) {
  return {
    providers: {
      idp: { remote_jwks: { http_uri: { uri: 'https://login.example.com/keys?v=1', cluster: 'idp', timeout: '1s' }, ...remote } },
    },
    rules: [{ match: { prefix: '/' }, requires: { provider_name: 'idp' } }],
  };
}

const auth = async (key: Awaited<ReturnType<typeof makeKey>>, kid?: string) => ({
  headers: { authorization: `Bearer ${await sign(key, kid === undefined ? {} : { kid })}` },
});

async function until(cond: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('the key set is fetched once, through the cluster, and cached', async () => {
  const { calls, httpCall } = idp(() => jwks(k1));
  const chain = await loadChain([{ factory: jwtAuthn, config: config() }], { httpCall });
  assert.equal(calls.length, 0, 'fetched on first use, not at load');
  const request = await auth(k1);
  const results = await Promise.all(Array.from({ length: 10 }, () => chain.run({ request })));
  assert.deepEqual(results.map((r) => r.response.status), Array(10).fill(200));
  assert.equal((await chain.run({ request })).response.status, 200);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.path, '/keys?v=1');
  assert.equal(calls[0]!.authority, 'login.example.com');
  assert.equal(calls[0]!.timeoutMs, 1000);
  assert.equal(chain.counters()['jwt_authn.jwks_fetch_success'], 1);
});

test('async_fetch fetches when the config loads', async () => {
  const { calls, httpCall } = idp(() => jwks(k1));
  await loadChain([{ factory: jwtAuthn, config: config({ async_fetch: {} }) }], { httpCall });
  assert.equal(calls.length, 1);
});

test('an unknown kid refetches the set (rotation), at most once per unknown_kid_refetch_interval', async () => {
  let published = jwks(k1);
  const { calls, httpCall } = idp(() => published);
  const chain = await loadChain([{ factory: jwtAuthn, config: config() }], { httpCall });
  assert.equal((await chain.run({ request: await auth(k1) })).response.status, 200);
  published = jwks(k2); // the identity provider rotates
  assert.equal((await chain.run({ request: await auth(k2) })).response.status, 200);
  assert.equal(calls.length, 2);
  // A flood of made-up kids does not reach the identity provider.
  for (const kid of ['x1', 'x2', 'x3']) {
    const r = await chain.run({ request: await auth(k2, kid) });
    assert.equal(r.response.status, 401);
    assert.equal(r.response.body, "Jwks doesn't have key to match kid or alg from Jwt");
  }
  assert.equal(calls.length, 2);
  // The rotated-out key is gone from the set: its tokens fail.
  assert.equal((await chain.run({ request: await auth(k1) })).response.status, 401);
});

test('a failed fetch answers 401, is counted, and is retried only after failed_refetch_duration', async () => {
  let answer: string | number = 0;
  const { calls, httpCall } = idp(() => answer);
  const chain = await loadChain([{ factory: jwtAuthn, config: config({ async_fetch: { failed_refetch_duration: '2s' } }) }], { httpCall });
  await until(() => chain.counters()['jwt_authn.jwks_fetch_failed'] === 1, 'the load-time fetch to fail');
  const request = await auth(k1);
  for (let i = 0; i < 5; i++) {
    const r = await chain.run({ request });
    assert.equal(r.response.status, 401);
    assert.equal(r.response.body, 'Jwks remote fetch is failed');
    assert.equal(r.responseCodeDetails, 'jwt_authn_access_denied{Jwks_remote_fetch_is_failed}');
  }
  assert.equal(calls.length, 1, 'no refetch within failed_refetch_duration');
  answer = jwks(k1);
  // Requests keep coming; once failed_refetch_duration has passed, one of them fetches again.
  const deadline = Date.now() + 10_000;
  let status = 0;
  while (status !== 200 && Date.now() < deadline) {
    status = (await chain.run({ request })).response.status;
    if (status !== 200) await new Promise((res) => setTimeout(res, 50));
  }
  assert.equal(status, 200);
  assert.equal(calls.length, 2);
  assert.equal(chain.counters()['jwt_authn.jwks_fetch_success'], 1);
});

test('an expired set is refetched; with the identity provider down the old set still serves', async () => {
  let answer: string | number = jwks(k1);
  const { calls, httpCall } = idp(() => answer);
  const chain = await loadChain([{ factory: jwtAuthn, config: config({ cache_duration: '100ms' }) }], { httpCall });
  const request = await auth(k1);
  assert.equal((await chain.run({ request })).response.status, 200);
  answer = 0;
  await until(() => calls.length === 1, 'first fetch');
  const deadline = Date.now() + 5000;
  while (calls.length < 2 && Date.now() < deadline) {
    assert.equal((await chain.run({ request })).response.status, 200);
    await new Promise((res) => setTimeout(res, 20));
  }
  assert.ok(calls.length >= 2, 'refetched after cache_duration');
  assert.ok(chain.counters()['jwt_authn.jwks_fetch_failed']! >= 1);
});

test('the set is refreshed in the background before it expires: requests do not wait for it', async () => {
  let release: (() => void) | undefined;
  const { calls, httpCall } = idp(async (n) => {
    if (n === 2) await new Promise<void>((r) => (release = r));
    return jwks(k1);
  });
  const chain = await loadChain([{ factory: jwtAuthn, config: config({ cache_duration: '3s' }) }], { httpCall });
  const request = await auth(k1);
  const deadline = Date.now() + 10_000;
  while (calls.length < 2 && Date.now() < deadline) {
    assert.equal((await chain.run({ request })).response.status, 200);
    await new Promise((res) => setTimeout(res, 20));
  }
  assert.equal(calls.length, 2, 'a refresh started');
  // The refresh hangs, yet the cached set (not yet expired) answers at once.
  assert.equal((await chain.run({ request, timeoutMs: 250 })).response.status, 200);
  release!();
  await until(() => chain.counters()['jwt_authn.jwks_fetch_success'] === 2, 'the refresh to land');
});

test('a document that is not a key set counts as a failed fetch', async () => {
  const { httpCall } = idp(() => '{"keys": "nope"}');
  const chain = await loadChain([{ factory: jwtAuthn, config: config() }], { httpCall });
  const r = await chain.run({ request: await auth(k1) });
  assert.equal(r.response.status, 401);
  assert.equal(chain.counters()['jwt_authn.jwks_fetch_failed'], 1);
  assert.ok(chain.logs.some((l) => l.msg === 'jwks fetch failed'));
});
