// The cache of verified tokens (jwt_cache_config) through the SDK test kit: a hit costs no
// verification and is exactly as strict as one (expiry, audiences of the rule, nbf against the
// clock), a token that differs by one byte is verified, a key set that changes empties the cache,
// and the cache stays within its size. The clock is node:test's mocked Date where time matters.
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { JWTPayload } from 'jose';
import type { HttpCall } from '../../sdk/filter.js';
import { HttpCallError } from '../../sdk/filter.js';
import { loadChain } from '../../sdk/testing.js';
import type { RunResult } from '../../sdk/testing.js';
import jwtAuthn from './filter.js';
import { jwks, makeKey, sign } from './fixtures.js';
import type { TokenOptions } from './fixtures.js';

const ISS = 'https://idp.example.com';
const k1 = await makeKey('k1');
const k2 = await makeKey('k2');

const provider = { issuer: ISS, audiences: ['api'], local_jwks: { inline_string: jwks(k1) } };
const requireIdp = [{ match: { prefix: '/' }, requires: { provider_name: 'idp' } }];
const configWith = (p: object, rules: object[] = requireIdp) => ({ providers: { idp: { ...provider, ...p } }, rules });
const good = (o: TokenOptions = {}) => sign(k1, { iss: ISS, aud: 'api', sub: 'alice', ...o });
const bearer = (token: string, path = '/') => ({ request: { path, headers: { authorization: `Bearer ${token}` } } });

type Chain = Awaited<ReturnType<typeof loadChain>>;

/** Runs one request and says whether the cache answered it ('hit'), was asked in vain ('miss') or not asked ('none'). */
async function run(chain: Chain, token: string, path = '/'): Promise<{ r: RunResult; cache: 'hit' | 'miss' | 'none' }> {
  const before = chain.counters();
  const r = await chain.run(bearer(token, path));
  const delta = (name: string) => r.counters[`jwt_authn.${name}`]! - before[`jwt_authn.${name}`]!;
  return { r, cache: delta('jwt_cache_hit') === 1 ? 'hit' : delta('jwt_cache_miss') === 1 ? 'miss' : 'none' };
}

/** Mocks Date (not the timers) at a whole second, so that exp/nbf arithmetic is exact; restored after the test. */
function mockClock(t: TestContext): number {
  const now = Math.floor(Date.now() / 1000) * 1000;
  t.mock.timers.enable({ apis: ['Date'], now });
  return now;
}

test('a token seen again comes from the cache: same payload, same headers, no verification', async () => {
  const chain = await loadChain([{ factory: jwtAuthn, config: configWith({ claim_to_headers: [{ header_name: 'x-user', claim_name: 'sub' }] }) }]);
  const token = await good({ claims: { org: { roles: ['a'] } } });
  const first = await run(chain, token);
  const second = await run(chain, token);
  assert.deepEqual([first.cache, second.cache], ['miss', 'hit']);
  for (const { r } of [first, second]) {
    assert.equal(r.response.status, 200);
    assert.equal(r.upstreamRequest?.headers['x-user'], 'alice');
    assert.equal(r.upstreamRequest?.headers.authorization, undefined);
  }
  const payloadOf = (r: RunResult) => (r.state.get('jwt_authn.payloads') as Map<string, JWTPayload>).get('idp')!;
  // jose makes a new object per verification: the very same object means the second was not verified.
  assert.equal(payloadOf(second.r), payloadOf(first.r));
  assert.ok(Object.isFrozen(payloadOf(first.r)) && Object.isFrozen((payloadOf(first.r).org as { roles: string[] }).roles), 'shared payloads are frozen');
  assert.equal(chain.counters()['jwt_authn.allowed'], 2);
});

test('a cached token is gone at its exp and refused as a verification would refuse it', async (t) => {
  const start = mockClock(t);
  const token = await good({ expiresIn: 300 });
  const strict = await loadChain([{ factory: jwtAuthn, config: configWith({ clock_skew_seconds: 0 }) }]);
  assert.equal((await run(strict, token)).cache, 'miss');
  t.mock.timers.tick(299_000);
  const late = await run(strict, token);
  assert.deepEqual([late.r.response.status, late.cache], [200, 'hit']);
  t.mock.timers.tick(1000); // at exp
  const expired = await run(strict, token);
  assert.deepEqual([expired.r.response.status, expired.r.response.body, expired.cache], [401, 'Jwt is expired', 'miss']);

  // Within the clock skew (default 60 s) after exp, the token still passes, verified every time.
  t.mock.timers.setTime(start);
  const skewed = await loadChain([{ factory: jwtAuthn, config: configWith({}) }]);
  assert.equal((await run(skewed, token)).cache, 'miss');
  t.mock.timers.setTime(start + 330_000);
  for (let i = 0; i < 2; i++) {
    const r = await run(skewed, token);
    assert.deepEqual([r.r.response.status, r.cache], [200, 'miss']);
  }
  t.mock.timers.setTime(start + 361_000);
  assert.equal((await run(skewed, token)).r.response.body, 'Jwt is expired');
});

test('a hit is held to the audiences of the rule being evaluated', async () => {
  const rules = [
    { match: { prefix: '/billing' }, requires: { provider_and_audiences: { provider_name: 'idp', audiences: ['billing'] } } },
    ...requireIdp,
  ];
  const chain = await loadChain([{ factory: jwtAuthn, config: configWith({}, rules) }]);
  const apiOnly = await good();
  assert.equal((await run(chain, apiOnly, '/orders')).cache, 'miss');
  const refused = await run(chain, apiOnly, '/billing');
  assert.deepEqual([refused.r.response.status, refused.r.response.body, refused.cache], [403, 'Audiences in Jwt are not allowed', 'hit']);
  assert.equal(refused.r.upstreamCalled, false);
  assert.equal(refused.r.state.get('jwt_authn.payloads'), undefined, 'a refused hit leaves no payload');
  assert.deepEqual((await run(chain, apiOnly, '/orders')).cache, 'hit');

  const both = await good({ aud: ['api', 'billing'] });
  assert.equal((await run(chain, both, '/orders')).cache, 'miss');
  const allowed = await run(chain, both, '/billing');
  assert.deepEqual([allowed.r.response.status, allowed.cache], [200, 'hit']);
});

test('a hit is held to nbf when the clock steps back', async (t) => {
  const start = mockClock(t);
  const chain = await loadChain([{ factory: jwtAuthn, config: configWith({}) }]);
  const token = await good({ notBefore: 30 }); // within the default clock skew of 60 s
  assert.deepEqual((await run(chain, token)).cache, 'miss');
  assert.deepEqual((await run(chain, token)).cache, 'hit');
  t.mock.timers.setTime(start - 100_000);
  const r = await run(chain, token);
  assert.deepEqual([r.r.response.status, r.r.response.body, r.cache], [401, 'Jwt not yet valid', 'hit']);
});

test('a token that differs from a cached one by one byte is not a hit, and is refused', async () => {
  const chain = await loadChain([{ factory: jwtAuthn, config: configWith({}) }]);
  const token = await good();
  await run(chain, token);
  assert.equal((await run(chain, token)).cache, 'hit');
  const [head, payload, signature] = token.split('.') as [string, string, string];
  const changeAt = (s: string, i: number) => s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
  const tampered = [
    `${head}.${payload}.${changeAt(signature, signature.length >> 1)}`,
    `${head}.${changeAt(payload, payload.length >> 1)}.${signature}`,
    token.slice(0, -8), // a prefix of the cached token
  ];
  for (const bad of tampered) {
    const r = await run(chain, bad);
    assert.deepEqual([r.r.response.status, r.r.response.body, r.cache], [401, 'Jwt verification fails', 'miss'], bad);
  }
  assert.equal((await run(chain, token)).cache, 'hit', 'the genuine token is still cached');
});

/** A fake identity provider behind the "idp" cluster; `answer` is the document, or 0 for a refused connection. */
function idp(answer: () => string | 0) {
  const counter = { calls: 0 };
  const httpCall: HttpCall = async () => {
    counter.calls++;
    const a = answer();
    if (a === 0) throw new HttpCallError('connect_failure', 'refused');
    return { status: 200, headers: {}, body: Buffer.from(a) };
  };
  return { counter, httpCall };
}

const remote = (remoteJwks: object = {}) => ({
  providers: {
    idp: {
      issuer: ISS,
      audiences: ['api'],
      remote_jwks: { http_uri: { uri: 'http://idp.example.com/keys', cluster: 'idp' }, async_fetch: {}, ...remoteJwks },
    },
  },
  rules: requireIdp,
});

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 5000;
  while (!cond()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('a key rotation empties the cache: a token whose key is gone is refused', async () => {
  let published = jwks(k1);
  const { counter, httpCall } = idp(() => published);
  const chain = await loadChain([{ factory: jwtAuthn, config: remote() }], { httpCall });
  await until(() => chain.counters()['jwt_authn.jwks_fetch_success'] === 1, 'the load-time fetch');
  const old = await good();
  assert.equal((await run(chain, old)).cache, 'miss');
  assert.equal((await run(chain, old)).cache, 'hit');
  published = jwks(k2); // k1 is rotated out; the first token signed with k2 refetches the set
  const fresh = await sign(k2, { iss: ISS, aud: 'api' });
  assert.equal((await run(chain, fresh)).r.response.status, 200);
  assert.equal(counter.calls, 2);
  const r = await run(chain, old);
  assert.deepEqual([r.r.response.status, r.r.response.body, r.cache], [401, "Jwks doesn't have key to match kid or alg from Jwt", 'miss']);
  // The token that was being verified while the keys changed was not kept: it is verified again.
  assert.deepEqual([(await run(chain, fresh)).cache, (await run(chain, fresh)).cache], ['miss', 'hit']);
});

test('a refresh bringing the same keys keeps the cache; an expired key set is not trusted from the cache', async (t) => {
  const start = mockClock(t);
  let answer: string | 0 = jwks(k1);
  const { counter, httpCall } = idp(() => answer);
  const chain = await loadChain([{ factory: jwtAuthn, config: remote({ cache_duration: '10m' }) }], { httpCall });
  await until(() => chain.counters()['jwt_authn.jwks_fetch_success'] === 1, 'the load-time fetch');
  const token = await good({ expiresIn: 3600 });
  await run(chain, token);
  // Past 90% of cache_duration a hit starts a background refresh; it brings the same document.
  t.mock.timers.setTime(start + 550_000);
  assert.equal((await run(chain, token)).cache, 'hit');
  await until(() => chain.counters()['jwt_authn.jwks_fetch_success'] === 2, 'the background refresh');
  assert.equal((await run(chain, token)).cache, 'hit');
  // Past cache_duration the set must be fetched again before a token is trusted; with the identity
  // provider down the old set still verifies, as it would without a cache, but every time.
  answer = 0;
  t.mock.timers.setTime(start + 550_000 + 600_001);
  for (let i = 0; i < 2; i++) {
    const r = await run(chain, token);
    assert.deepEqual([r.r.response.status, r.cache], [200, 'miss']);
  }
  assert.equal(counter.calls, 3);
});

test('the cache holds jwt_cache_size tokens, least recently used out; long tokens and size 0 are not cached', async () => {
  const chain = await loadChain([{ factory: jwtAuthn, config: configWith({ jwt_cache_config: { jwt_cache_size: 2 } }) }]);
  const [a, b, c] = await Promise.all([good({ sub: 'a' }), good({ sub: 'b' }), good({ sub: 'c' })]);
  const seen: string[] = [];
  for (const token of [a, b, a, c, a, b, c]) {
    const { r, cache } = await run(chain, token);
    assert.equal(r.response.status, 200);
    seen.push(cache);
  }
  // a b | a is used | c pushes b out | a is used | b pushes c out | c pushes a out
  assert.deepEqual(seen, ['miss', 'miss', 'hit', 'miss', 'hit', 'miss', 'miss']);

  const token = await good();
  const short = await loadChain([{ factory: jwtAuthn, config: configWith({ jwt_cache_config: { jwt_max_token_size: token.length - 1 } }) }]);
  const exact = await loadChain([{ factory: jwtAuthn, config: configWith({ jwt_cache_config: { jwt_max_token_size: token.length } }) }]);
  const off = await loadChain([{ factory: jwtAuthn, config: configWith({ jwt_cache_config: { jwt_cache_size: 0 } }) }]);
  const twice = async (ch: Chain) => [(await run(ch, token)).cache, (await run(ch, token)).cache];
  assert.deepEqual(await twice(short), ['miss', 'miss']);
  assert.deepEqual(await twice(exact), ['miss', 'hit']);
  assert.deepEqual(await twice(off), ['none', 'none']);
  assert.equal(off.counters()['jwt_authn.allowed'], 2);
});

test('jwt_cache_config: bad values are refused with their path', async () => {
  const load = (c: object) => loadChain([{ factory: jwtAuthn, config: configWith({ jwt_cache_config: c }) }]);
  await assert.rejects(load({ jwt_cache_size: -1 }), /providers\.idp\.jwt_cache_config\.jwt_cache_size: must be >= 0/);
  await assert.rejects(load({ jwt_max_token_size: 0 }), /providers\.idp\.jwt_cache_config\.jwt_max_token_size: must be >= 1/);
  await assert.rejects(load({ jwt_cache_size: 1.5 }), /jwt_cache_size: must be integer/);
  await assert.rejects(load({ size: 1 }), /providers\.idp\.jwt_cache_config\.size: is not allowed/);
});
