// rbac behind a real listener: the client address behind trusted x-forwarded-for hops, and
// policies on the claims jwt_authn verified in the same chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';
import { jwks, makeKey, sign } from '../jwt_authn/fixtures.js';

test('rbac through the gateway: remote_ip behind one trusted hop, and JWT claims', { timeout: 60_000 }, async (t) => {
  const key = await makeKey('k1');
  const app = await startUpstream('app');
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [{ name: 'app', ports: [app.port] }],
    hcm: { xff_num_trusted_hops: 1 },
    filters: [
      {
        name: 'jwt_authn',
        config: {
          providers: { idp: { issuer: 'https://idp', local_jwks: { inline_string: jwks(key) } } },
          rules: [{ match: { prefix: '/' }, requires: { allow_missing: {} } }],
        },
      },
      {
        name: 'rbac',
        config: {
          rules: {
            action: 'ALLOW',
            policies: {
              'office-reads': {
                permissions: [{ header: { name: ':method', exact_match: 'GET' } }],
                principals: [{ remote_ip: { address_prefix: '203.0.113.0', prefix_len: 24 } }],
              },
              admins: {
                permissions: [{ url_path: { path: { prefix: '/admin/' } } }],
                principals: [{ jwt_claim: { provider: 'idp', claim: 'groups', string_match: { exact: 'admins' } } }],
              },
            },
          },
          shadow_rules: { action: 'DENY', policies: { 'no-admin': { permissions: [{ url_path: { path: { prefix: '/admin/' } } }], principals: [{ any: true }] } } },
        },
      },
    ],
  });
  const gw = await startGateway(config);
  t.after(async () => {
    await gw.close();
    await app.close();
  });
  // The gateway trusts one hop: the client is the last address of x-forwarded-for.
  assert.equal((await gw.get('/reports', { 'x-forwarded-for': '203.0.113.7' })).status, 200);
  assert.equal((await gw.get('/reports', { 'x-forwarded-for': '203.0.113.7, 198.51.100.1' })).status, 403);
  // A spoofed first entry does not help when the trusted hop appended the real client.
  assert.equal((await gw.get('/reports', { 'x-forwarded-for': '198.51.100.1, 203.0.113.7' })).status, 200);
  const denied = await gw.get('/reports');
  assert.equal(denied.status, 403);
  assert.equal(denied.body, 'RBAC: access denied');

  const admin = await sign(key, { iss: 'https://idp', claims: { groups: ['staff', 'admins'] } });
  const staff = await sign(key, { iss: 'https://idp', claims: { groups: ['staff'] } });
  assert.equal((await gw.send('POST', '/admin/users', 'x', { authorization: `Bearer ${admin}` })).status, 200);
  assert.equal((await gw.send('POST', '/admin/users', 'x', { authorization: `Bearer ${staff}` })).status, 403);
  assert.equal((await gw.send('POST', '/admin/users', 'x', { 'x-groups': 'admins' })).status, 403);
  const forged = await gw.send('POST', '/admin/users', 'x', { authorization: `Bearer ${admin.slice(0, -4)}AAAA` });
  assert.equal(forged.status, 401, 'jwt_authn refuses the forged token before rbac sees it');
  assert.equal(app.seen.filter((r) => r.url === '/admin/users').length, 1);
});

test('rbac through the gateway: direct_remote_ip is the TCP peer, whatever x-forwarded-for says', { timeout: 60_000 }, async (t) => {
  const app = await startUpstream('app');
  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [{ name: 'app', ports: [app.port] }],
    hcm: { xff_num_trusted_hops: 1 },
    filters: [
      {
        name: 'rbac',
        config: {
          rules: {
            action: 'ALLOW',
            policies: { 'loopback-peer': { permissions: [{ any: true }], principals: [{ direct_remote_ip: '127.0.0.1/32' }] } },
          },
        },
      },
    ],
  });
  const gw = await startGateway(config);
  t.after(async () => {
    await gw.close();
    await app.close();
  });
  // remote_ip would be 203.0.113.7 here; the peer is still loopback.
  assert.equal((await gw.get('/', { 'x-forwarded-for': '203.0.113.7' })).status, 200);
});
