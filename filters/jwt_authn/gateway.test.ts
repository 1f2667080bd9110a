// jwt_authn behind a real listener: keys fetched from an identity provider through a cluster,
// forged and broken tokens refused before the upstream, and key rotation at the provider.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';
import { hmacWithPublicKey, inFiveMinutes, jwks, makeKey, sign, swapPayload, unsignedToken } from './fixtures.js';

const ISS = 'https://idp.example.com';

test('jwt_authn through the gateway: valid, forged and rotated tokens', { timeout: 60_000 }, async (t) => {
  const k1 = await makeKey('k1');
  const k2 = await makeKey('k2', 'ES256');
  let published = jwks(k1);
  const idp = await startUpstream('idp', (req, res) => {
    res.writeHead(req.url === '/.well-known/jwks.json' ? 200 : 404, { 'content-type': 'application/json' });
    res.end(published);
  });
  const app = await startUpstream('app');
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [
      { name: 'app', ports: [app.port] },
      { name: 'idp', ports: [idp.port] },
    ],
    filters: [
      {
        name: 'jwt_authn',
        config: {
          providers: {
            idp: {
              issuer: ISS,
              audiences: ['api'],
              remote_jwks: {
                http_uri: { uri: 'https://idp.example.com/.well-known/jwks.json', cluster: 'idp', timeout: '2s' },
                unknown_kid_refetch_interval: '1h',
              },
              claim_to_headers: [{ header_name: 'x-user', claim_name: 'sub' }],
            },
          },
          rules: [
            { match: { path: '/healthz' } },
            { match: { prefix: '/' }, requires: { provider_name: 'idp' } },
          ],
        },
      },
    ],
  });
  const gw = await startGateway(config);
  t.after(async () => {
    await gw.close();
    await app.close();
    await idp.close();
  });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const good = await sign(k1, { iss: ISS, aud: 'api', sub: 'alice' });

  const ok = await gw.get('/orders', { ...bearer(good), 'x-user': 'mallory' });
  assert.equal(ok.status, 200);
  const seen = app.seen.at(-1)!;
  assert.equal(seen.headers['x-user'], 'alice', 'the claim, not the forged header');
  assert.equal(seen.headers.authorization, undefined);
  assert.equal(idp.seen.length, 1);
  assert.equal(idp.seen[0]!.headers.host, 'idp.example.com');
  assert.equal((await gw.get('/healthz')).status, 200);

  const payload = { iss: ISS, aud: 'api', sub: 'admin', exp: inFiveMinutes() };
  const forged = [
    await sign(k1, { iss: ISS, aud: 'api', expiresIn: -3600 }),
    unsignedToken(payload, 'k1'),
    hmacWithPublicKey(k1, payload),
    swapPayload(good, payload),
    await sign(await makeKey('k1'), { iss: ISS, aud: 'api' }),
    await sign(k1, { iss: 'https://evil.example.com', aud: 'api' }),
    'not-a-jwt',
    `${good}x`,
  ];
  const before = app.seen.length;
  for (const token of forged) {
    const r = await gw.get('/orders?q=1', bearer(token));
    assert.equal(r.status, 401, token);
    assert.equal(r.headers['www-authenticate'], `Bearer realm="${gw.origin}/orders", error="invalid_token"`);
  }
  const missing = await gw.get('/orders');
  assert.equal(missing.status, 401);
  assert.equal(missing.headers['www-authenticate'], `Bearer realm="${gw.origin}/orders"`);
  const wrongAudience = await gw.get('/orders', bearer(await sign(k1, { iss: ISS, aud: 'other' })));
  assert.equal(wrongAudience.status, 403);
  assert.equal(wrongAudience.body, 'Audiences in Jwt are not allowed');
  assert.equal(app.seen.length, before, 'no refused request reached the upstream');

  // The identity provider rotates to a new key: the first token with the new kid refetches the set.
  published = jwks(k2);
  const rotated = await gw.get('/orders', bearer(await sign(k2, { iss: ISS, aud: 'api', sub: 'bob' })));
  assert.equal(rotated.status, 200);
  assert.equal(app.seen.at(-1)!.headers['x-user'], 'bob');
  assert.equal(idp.seen.length, 2);
  // Unknown kids do not refetch again within unknown_kid_refetch_interval.
  for (let i = 0; i < 5; i++) assert.equal((await gw.get('/orders', bearer(await sign(k2, { iss: ISS, aud: 'api', kid: `x${i}` })))).status, 401);
  assert.equal(idp.seen.length, 2);

  // With the identity provider gone, the cached set keeps serving.
  await idp.close();
  assert.equal((await gw.get('/orders', bearer(await sign(k2, { iss: ISS, aud: 'api' })))).status, 200);
});

test('jwt_authn through the gateway: a token is verified once, then served from the cache until its key rotates out', { timeout: 60_000 }, async (t) => {
  const k1 = await makeKey('k1');
  const k2 = await makeKey('k2');
  let published = jwks(k1);
  const idp = await startUpstream('idp', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(published);
  });
  const app = await startUpstream('app');
  const remote = { http_uri: { uri: 'http://idp.example.com/keys', cluster: 'idp', timeout: '2s' }, async_fetch: {} };
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [
      { name: 'app', ports: [app.port] },
      { name: 'idp', ports: [idp.port] },
    ],
    filters: [
      {
        name: 'jwt_authn',
        config: {
          providers: { idp: { issuer: ISS, remote_jwks: remote, claim_to_headers: [{ header_name: 'x-user', claim_name: 'sub' }] } },
          rules: [{ match: { prefix: '/' }, requires: { provider_name: 'idp' } }],
        },
      },
    ],
  });
  const gw = await startGateway(config);
  t.after(async () => {
    await gw.close();
    await app.close();
    await idp.close();
  });
  const stat = (name: string) => gw.gateway.stats.values()[`http.test.jwt_authn.${name}`] ?? 0;
  const deadline = Date.now() + 10_000;
  while (stat('jwks_fetch_success') < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(stat('jwks_fetch_success'), 1, 'the key set is fetched at load');

  const alice = { authorization: `Bearer ${await sign(k1, { iss: ISS, sub: 'alice' })}` };
  for (let i = 0; i < 3; i++) {
    assert.equal((await gw.get('/orders', alice)).status, 200);
    assert.equal(app.seen.at(-1)!.headers['x-user'], 'alice');
  }
  assert.deepEqual([stat('jwt_cache_miss'), stat('jwt_cache_hit')], [1, 2]);
  const tampered = alice.authorization.slice(0, -30) + (alice.authorization.at(-30) === 'A' ? 'B' : 'A') + alice.authorization.slice(-29);
  assert.equal((await gw.get('/orders', { authorization: tampered })).status, 401);
  assert.deepEqual([stat('jwt_cache_miss'), stat('jwt_cache_hit')], [2, 2]);

  // The identity provider drops k1: the first token signed with k2 refetches the set, which empties the cache.
  published = jwks(k2);
  assert.equal((await gw.get('/orders', { authorization: `Bearer ${await sign(k2, { iss: ISS })}` })).status, 200);
  const refused = await gw.get('/orders', alice);
  assert.equal(refused.status, 401);
  assert.equal(refused.body, "Jwks doesn't have key to match kid or alg from Jwt");
  assert.deepEqual([stat('jwt_cache_miss'), stat('jwt_cache_hit')], [4, 2]);
});
