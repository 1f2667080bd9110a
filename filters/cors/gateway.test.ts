// cors behind a real listener: preflights answered by the gateway, actual requests decorated, other
// origins passed through untouched.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';

test('preflight, actual request and foreign origin through the gateway', async () => {
  const upstream = await startUpstream('backend');
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'backend' } }],
      clusters: [{ name: 'backend', ports: [upstream.port] }],
      filters: [{ name: 'cors', config: { allow_origin_string_match: [{ exact: 'https://app.example.com' }], allow_methods: 'GET, PUT', max_age: '60' } }],
    }),
  ).catch(async (err: unknown) => {
    await upstream.close();
    throw err;
  });
  try {
    const pre = await gw.send('OPTIONS', '/api', undefined, { origin: 'https://app.example.com', 'access-control-request-method': 'PUT' });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(pre.headers['access-control-allow-methods'], 'GET, PUT');
    assert.equal(pre.headers['access-control-max-age'], '60');
    assert.equal(upstream.seen.length, 0);

    const actual = await gw.get('/api', { origin: 'https://app.example.com' });
    assert.equal(actual.status, 200);
    assert.equal(actual.headers['access-control-allow-origin'], 'https://app.example.com');

    const foreign = await gw.send('OPTIONS', '/api', undefined, { origin: 'https://evil.example.com', 'access-control-request-method': 'DELETE' });
    assert.equal(foreign.status, 200, 'passed on to the upstream');
    assert.equal(foreign.headers['access-control-allow-origin'], undefined);
    assert.equal(upstream.seen.length, 2);
  } finally {
    await gw.close();
    await upstream.close();
  }
});
