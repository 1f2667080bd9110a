import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChain, runFilter } from '../../sdk/testing.js';
import type { JWTPayload } from 'jose';
import jwtAuthn from './filter.js';
import { hmacWithPublicKey, inFiveMinutes, jwks, makeKey, sign, swapPayload, unsignedToken } from './fixtures.js';

const ISS = 'https://idp.example.com';
const key = await makeKey('k1');
const otherKey = await makeKey('k1'); // same kid, different key: what a forger would publish
const ecKey = await makeKey('ec1', 'ES256');

const provider = { issuer: ISS, audiences: ['api'], local_jwks: { inline_string: jwks(key, ecKey) } };
const config = { providers: { idp: provider }, rules: [{ match: { prefix: '/' }, requires: { provider_name: 'idp' } }] };
const good = (o: Parameters<typeof sign>[1] = {}) => sign(key, { iss: ISS, aud: 'api', sub: 'alice', ...o });
const bearer = (token: string) => ({ authorization: `Bearer ${token}`, host: 'gw.local' });

test('a valid token passes; the token is removed and its payload is in the state bag', async () => {
  const r = await runFilter(jwtAuthn, config, { request: { path: '/api?x=1', headers: bearer(await good()) } });
  assert.equal(r.response.status, 200);
  assert.equal(r.upstreamRequest?.headers.authorization, undefined);
  const payloads = r.state.get('jwt_authn.payloads') as Map<string, JWTPayload>;
  assert.equal(payloads.get('idp')?.sub, 'alice');
  assert.equal(r.counters['jwt_authn.allowed'], 1);
  assert.equal(r.counters['jwt_authn.denied'], 0);
});

test('an ES256 key of the same set verifies its tokens too', async () => {
  const token = await sign(ecKey, { iss: ISS, aud: 'api' });
  assert.equal((await runFilter(jwtAuthn, config, { request: { headers: bearer(token) } })).response.status, 200);
});

test('a missing token gets 401 with a challenge naming the request, without an error', async () => {
  const r = await runFilter(jwtAuthn, config, { request: { path: '/api/items?page=2', headers: { host: 'gw.local' } } });
  assert.equal(r.upstreamCalled, false);
  assert.equal(r.response.status, 401);
  assert.equal(r.response.body, 'Jwt is missing');
  assert.equal(r.response.headers['www-authenticate'], 'Bearer realm="http://gw.local/api/items"');
  assert.equal(r.responseCodeDetails, 'jwt_authn_access_denied{Jwt_is_missing}');
  assert.equal(r.counters['jwt_authn.denied'], 1);
});

test('hostile tokens get 401 invalid_token, never the upstream', async () => {
  const payload = { iss: ISS, aud: 'api', sub: 'admin', exp: inFiveMinutes() };
  const cases: [string, string, string][] = [
    ['expired', await good({ expiresIn: -3600 }), 'Jwt is expired'],
    ['not yet valid', await good({ notBefore: 3600 }), 'Jwt not yet valid'],
    ['alg none', unsignedToken(payload, 'k1'), 'Jwt verification fails'],
    ['HS256 keyed with the public key', hmacWithPublicKey(key, payload), 'Jwt verification fails'],
    ['payload swapped under a valid signature', swapPayload(await good(), payload), 'Jwt verification fails'],
    ['signed by an unknown key with a known kid', await sign(otherKey, { iss: ISS, aud: 'api' }), 'Jwt verification fails'],
    ['unknown kid', await good({ kid: 'nope' }), "Jwks doesn't have key to match kid or alg from Jwt"],
    ['wrong issuer', await sign(key, { iss: 'https://evil.example.com', aud: 'api' }), 'Jwt issuer is not configured'],
    ['no issuer', await sign(key, { aud: 'api' }), 'Jwt issuer is not configured'],
    ['two parts', 'abc.def', 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections'],
    ['four parts', `${await good()}.x`, 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections'],
    ['garbage', '!!!.@@@.###', 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections'],
    ['header not JSON', `${Buffer.from('{oops').toString('base64url')}.e30.c2ln`, 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections'],
    ['long garbage', 'a'.repeat(6000), 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections'],
  ];
  const chain = await loadChain([{ factory: jwtAuthn, config }]);
  for (const [what, token, message] of cases) {
    const r = await chain.run({ request: { path: '/x', headers: bearer(token) } });
    assert.equal(r.upstreamCalled, false, what);
    assert.equal(r.response.status, 401, what);
    assert.equal(r.response.body, message, what);
    assert.equal(r.response.headers['www-authenticate'], 'Bearer realm="http://gw.local/x", error="invalid_token"', what);
  }
  assert.equal(chain.counters()['jwt_authn.denied'], cases.length);
});

test('a token for another audience gets 403', async () => {
  const r = await runFilter(jwtAuthn, config, { request: { headers: bearer(await good({ aud: 'billing' })) } });
  assert.equal(r.response.status, 403);
  assert.equal(r.response.body, 'Audiences in Jwt are not allowed');
  assert.equal(r.responseCodeDetails, 'jwt_authn_access_denied{Audiences_in_Jwt_are_not_allowed}');
});

test('clock_skew_seconds tolerates a recently expired token (default 60), 0 does not', async () => {
  const token = await good({ expiresIn: -20 });
  assert.equal((await runFilter(jwtAuthn, config, { request: { headers: bearer(token) } })).response.status, 200);
  const strict = { ...config, providers: { idp: { ...provider, clock_skew_seconds: 0 } } };
  assert.equal((await runFilter(jwtAuthn, strict, { request: { headers: bearer(token) } })).response.status, 401);
});

test('require_expiration refuses a token without exp', async () => {
  const { SignJWT } = await import('jose');
  const token = await new SignJWT({ iss: ISS, aud: 'api' }).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).sign(key.privateKey);
  assert.equal((await runFilter(jwtAuthn, config, { request: { headers: bearer(token) } })).response.status, 200);
  const strict = { ...config, providers: { idp: { ...provider, require_expiration: true } } };
  assert.equal((await runFilter(jwtAuthn, strict, { request: { headers: bearer(token) } })).response.status, 401);
});

test('tokens come from configured headers, params and cookies; forward keeps them', async () => {
  const token = await good();
  const p = { ...provider, from_headers: [{ name: 'X-Jwt', value_prefix: 'Token ' }], from_params: ['jwt'], from_cookies: ['session'] };
  const cfg = { ...config, providers: { idp: p } };
  const viaHeader = await runFilter(jwtAuthn, cfg, { request: { headers: { 'x-jwt': `token ${token}` } } });
  assert.equal(viaHeader.response.status, 200);
  assert.equal(viaHeader.upstreamRequest?.headers['x-jwt'], undefined);
  assert.equal((await runFilter(jwtAuthn, cfg, { request: { path: `/a?b=1&jwt=${token}` } })).response.status, 200);
  assert.equal((await runFilter(jwtAuthn, cfg, { request: { headers: { cookie: `a=1; session=${token}; z=2` } } })).response.status, 200);
  // Authorization is not one of this provider's locations.
  assert.equal((await runFilter(jwtAuthn, cfg, { request: { headers: bearer(token) } })).response.status, 401);
  const kept = await runFilter(jwtAuthn, { ...config, providers: { idp: { ...provider, forward: true } } }, { request: { headers: bearer(token) } });
  assert.equal(kept.upstreamRequest?.headers.authorization, `Bearer ${token}`);
});

test('the default locations are Authorization: Bearer and the access_token parameter', async () => {
  const token = await good();
  assert.equal((await runFilter(jwtAuthn, config, { request: { path: `/?access_token=${token}` } })).response.status, 200);
  assert.equal((await runFilter(jwtAuthn, config, { request: { headers: { authorization: `bearer ${token}` } } })).response.status, 200);
  assert.equal((await runFilter(jwtAuthn, config, { request: { headers: { authorization: `Basic ${token}` } } })).response.status, 401);
});

test('claims and the payload go to headers; a client cannot forge those headers', async () => {
  const p = {
    ...provider,
    forward_payload_header: 'x-jwt-payload',
    claim_to_headers: [
      { header_name: 'x-user', claim_name: 'sub' },
      { header_name: 'x-tenant', claim_name: 'org.tenant' },
      { header_name: 'x-roles', claim_name: 'roles' },
      { header_name: 'x-missing', claim_name: 'nope' },
      { header_name: 'x-bad', claim_name: 'bad' },
    ],
    payload_in_metadata: 'my_payload',
  };
  const cfg = { providers: { idp: p }, rules: [{ match: { prefix: '/public' } }, { match: { prefix: '/' }, requires: { provider_name: 'idp' } }] };
  const token = await good({ claims: { org: { tenant: 't1' }, roles: ['a', 'b'], bad: 'x\r\ny: z' } });
  const forged = { 'x-user': 'root', 'x-missing': 'forged', 'x-jwt-payload': 'forged' };
  const r = await runFilter(jwtAuthn, cfg, { request: { headers: { ...bearer(token), ...forged } } });
  const h = r.upstreamRequest!.headers;
  assert.equal(h['x-user'], 'alice');
  assert.equal(h['x-tenant'], 't1');
  assert.equal(h['x-roles'], 'a,b');
  assert.equal(h['x-missing'], undefined);
  assert.equal(h['x-bad'], undefined);
  assert.equal(JSON.parse(Buffer.from(h['x-jwt-payload'] as string, 'base64url').toString()).sub, 'alice');
  assert.equal((r.state.get('my_payload') as JWTPayload).sub, 'alice');
  // On a route without a requirement the forged headers are still dropped.
  const pub = await runFilter(jwtAuthn, cfg, { request: { path: '/public', headers: forged } });
  assert.equal(pub.response.status, 200);
  assert.equal(pub.upstreamRequest!.headers['x-user'], undefined);
  assert.equal(pub.upstreamRequest!.headers['x-jwt-payload'], undefined);
});

test('the first matching rule decides; no rule or no requires means no check', async () => {
  const cfg = {
    providers: { idp: provider },
    rules: [
      { match: { prefix: '/health' } },
      { match: { prefix: '/api', headers: [{ name: ':method', exact_match: 'GET' }] }, requires: { provider_name: 'idp' } },
    ],
  };
  const chain = await loadChain([{ factory: jwtAuthn, config: cfg }]);
  assert.equal((await chain.run({ request: { path: '/health' } })).response.status, 200);
  assert.equal((await chain.run({ request: { path: '/api/x' } })).response.status, 401);
  assert.equal((await chain.run({ request: { path: '/api/x', method: 'POST' } })).response.status, 200);
  assert.equal((await chain.run({ request: { path: '/other' } })).response.status, 200);
  assert.deepEqual(chain.counters(), {
    'jwt_authn.allowed': 0,
    'jwt_authn.denied': 1,
    'jwt_authn.cors_preflight_bypassed': 0,
    'jwt_authn.jwt_cache_hit': 0,
    'jwt_authn.jwt_cache_miss': 0,
  });
});

test('requires_any, requires_all, allow_missing, allow_missing_or_failed, provider_and_audiences', async () => {
  const key2 = await makeKey('k2');
  const ISS2 = 'https://other.example.com';
  const providers = {
    a: provider,
    b: { issuer: ISS2, local_jwks: { inline_string: jwks(key2) }, from_headers: [{ name: 'x-b' }] },
  };
  const rule = (requires: object) => ({ providers, rules: [{ match: { prefix: '/' }, requires }] });
  const ta = await good();
  const tb = await sign(key2, { iss: ISS2 });
  const run = async (requires: object, headers: Record<string, string>) =>
    (await runFilter(jwtAuthn, rule(requires), { request: { headers } })).response.status;
  const any = { requires_any: { requirements: [{ provider_name: 'a' }, { provider_name: 'b' }] } };
  assert.equal(await run(any, { authorization: `Bearer ${ta}` }), 200);
  assert.equal(await run(any, { 'x-b': tb }), 200);
  assert.equal(await run(any, {}), 401);
  assert.equal(await run(any, { 'x-b': 'garbage' }), 401);
  const all = { requires_all: { requirements: [{ provider_name: 'a' }, { provider_name: 'b' }] } };
  assert.equal(await run(all, { authorization: `Bearer ${ta}`, 'x-b': tb }), 200);
  assert.equal(await run(all, { authorization: `Bearer ${ta}` }), 401);
  assert.equal(await run({ allow_missing: {} }, {}), 200);
  assert.equal(await run({ allow_missing: {} }, { 'x-b': tb }), 200);
  assert.equal(await run({ allow_missing: {} }, { authorization: `Bearer ${await good({ expiresIn: -3600 })}` }), 401);
  const failed = await runFilter(jwtAuthn, rule({ allow_missing_or_failed: {} }), { request: { headers: { authorization: 'Bearer junk', 'x-b': tb } } });
  assert.equal(failed.response.status, 200);
  assert.deepEqual([...(failed.state.get('jwt_authn.payloads') as Map<string, unknown>).keys()], ['b']);
  const aud = { provider_and_audiences: { provider_name: 'a', audiences: ['billing'] } };
  assert.equal(await run(aud, { authorization: `Bearer ${ta}` }), 403);
  assert.equal(await run(aud, { authorization: `Bearer ${await good({ aud: 'billing' })}` }), 200);
});

test('a CORS preflight passes unchecked with bypass_cors_preflight', async () => {
  const preflight = { method: 'OPTIONS', headers: { origin: 'https://app', 'access-control-request-method': 'GET' } };
  assert.equal((await runFilter(jwtAuthn, config, { request: preflight })).response.status, 401);
  const r = await runFilter(jwtAuthn, { ...config, bypass_cors_preflight: true }, { request: preflight });
  assert.equal(r.response.status, 200);
  assert.equal(r.counters['jwt_authn.cors_preflight_bypassed'], 1);
});

test('bad configs are refused with the path of the problem', async () => {
  await assert.rejects(runFilter(jwtAuthn, { providers: { p: { issuer: ISS } } }), /providers\.p: give exactly one of local_jwks and remote_jwks/);
  await assert.rejects(runFilter(jwtAuthn, { providers: { p: { local_jwks: { inline_string: 'nope' } } } }), /providers\.p\.local_jwks\.inline_string: is not JSON/);
  const priv = JSON.stringify({ keys: [{ kty: 'RSA', n: 'x', e: 'AQAB', d: 'y' }] });
  await assert.rejects(runFilter(jwtAuthn, { providers: { p: { local_jwks: { inline_string: priv } } } }), /keys\[0\] holds a private key/);
  const oct = JSON.stringify({ keys: [{ kty: 'oct', k: 'c2VjcmV0' }] });
  await assert.rejects(runFilter(jwtAuthn, { providers: { p: { local_jwks: { inline_string: oct } } } }), /keys\[0\]\.kty must be RSA, EC or OKP/);
  const unknown = { providers: { idp: provider }, rules: [{ match: { prefix: '/' }, requires: { requires_any: { requirements: [{ provider_name: 'idp' }, { provider_name: 'x' }] } } }] };
  await assert.rejects(runFilter(jwtAuthn, unknown), /rules\[0\]\.requires\.requires_any\.requirements\[1\]\.provider_name: no provider named "x"/);
  await assert.rejects(runFilter(jwtAuthn, { ...config, rules: [{ match: { prefix: '/' }, requires: { provider_name: 'idp', allow_missing: {} } }] }), /must NOT have more than 1 properties/);
  await assert.rejects(runFilter(jwtAuthn, { providers: { p: { ...provider, clock_skew_seconds: -1 } } }), /clock_skew_seconds: must be >= 0/);
});
