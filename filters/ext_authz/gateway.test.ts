// ext_authz behind a real listener, with a real authorization service: allow, deny, a service
// that hangs (timeout) and one that is gone (connect failure).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadPort, gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';

test('ext_authz through the gateway: allow, deny, timeout, connect failure, failure_mode_allow', { timeout: 60_000 }, async (t) => {
  const authz = await startUpstream('authz', (req, res) => {
    if (req.headers.authorization === 'Bearer good') {
      res.writeHead(200, { 'x-user-id': 'u1' });
      res.end();
    } else {
      res.writeHead(403, { 'content-type': 'text/plain', 'x-reason': 'bad token' });
      res.end(`denied ${req.method} ${req.url}`);
    }
  });
  const hang = await startUpstream('hang', () => {});
  const dead = await deadPort();
  const app = await startUpstream('app');
  const authzFilter = (cluster: string, extra: Record<string, unknown> = {}) => ({
    name: 'ext_authz',
    config: {
      http_service: {
        server_uri: { uri: 'http://authz.local', cluster, timeout: '300ms' },
        path_prefix: '/auth',
        authorization_response: { allowed_upstream_headers: { patterns: [{ exact: 'x-user-id' }] } },
      },
      ...extra,
    },
  });
  const config = gatewayConfig({
    routes: [
      { match: { prefix: '/hang' }, route: { cluster: 'app' }, typed_per_filter_config: { ext_authz: { config: authzFilter('hang').config } } },
      {
        match: { prefix: '/dead-open' },
        route: { cluster: 'app' },
        typed_per_filter_config: { ext_authz: { config: authzFilter('dead', { failure_mode_allow: true }).config } },
      },
      {
        match: { prefix: '/dead' },
        route: { cluster: 'app' },
        typed_per_filter_config: { ext_authz: { config: authzFilter('dead', { status_on_error: { code: 503 } }).config } },
      },
      { match: { prefix: '/' }, route: { cluster: 'app' } },
    ],
    clusters: [
      { name: 'app', ports: [app.port] },
      { name: 'authz', ports: [authz.port] },
      { name: 'hang', ports: [hang.port] },
      { name: 'dead', ports: [dead] },
    ],
    filters: [authzFilter('authz')],
  });
  const gw = await startGateway(config);
  t.after(async () => {
    await gw.close();
    await app.close();
    await authz.close();
    await hang.close();
  });

  const ok = await gw.get('/orders?id=1', { authorization: 'Bearer good', 'x-user-id': 'forged' });
  assert.equal(ok.status, 200);
  assert.equal(app.seen.at(-1)!.headers['x-user-id'], 'u1');
  assert.equal(authz.seen.at(-1)!.url, '/auth/orders?id=1');

  const no = await gw.get('/orders', { authorization: 'Bearer bad' });
  assert.equal(no.status, 403);
  assert.equal(no.body, 'denied GET /auth/orders');
  assert.equal(no.headers['x-reason'], 'bad token');
  assert.equal(app.seen.length, 1);

  const started = Date.now();
  const slow = await gw.get('/hang', { authorization: 'Bearer good' });
  assert.equal(slow.status, 403);
  assert.ok(Date.now() - started < 5000, 'the check timed out instead of waiting');
  assert.equal((await gw.get('/dead', { authorization: 'Bearer good' })).status, 503);
  assert.equal((await gw.get('/dead-open', { authorization: 'Bearer good' })).status, 200);
  assert.equal(app.seen.length, 2);
});
