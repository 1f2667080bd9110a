// header_mutation behind a real listener: values from the request and the peer reach the upstream,
// response headers are rewritten, and hostile header values pass through as data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';

test('request and response headers are mutated with request data', async () => {
  const upstream = await startUpstream('backend', (_req, res) => {
    res.writeHead(200, { 'x-powered-by': 'leaky', 'x-version': 'v7' });
    res.end('ok');
  });
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ name: 'api', match: { prefix: '/' }, route: { cluster: 'backend' } }],
      clusters: [{ name: 'backend', ports: [upstream.port] }],
      filters: [
        {
          name: 'header_mutation',
          config: {
            request_headers_to_remove: ['x-internal'],
            request_headers_to_add: [
              { header: { key: 'x-user-echo', value: '%REQ(x-user)%' } },
              { header: { key: 'x-client', value: '%DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT%' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
            ],
            response_headers_to_remove: ['x-powered-by'],
            response_headers_to_add: [{ header: { key: 'x-served', value: '%UPSTREAM_CLUSTER%:%RESP(x-version)%:%ROUTE_NAME%' } }],
          },
        },
      ],
    }),
  ).catch(async (err: unknown) => {
    await upstream.close();
    throw err;
  });
  try {
    const hostile = '%DOWNSTREAM_REMOTE_ADDRESS%;%%;' + 'z'.repeat(4000);
    const r = await gw.get('/api', { 'x-user': hostile, 'x-internal': 'secret', 'x-client': '6.6.6.6' });
    assert.equal(r.status, 200);
    assert.equal(r.headers['x-powered-by'], undefined);
    assert.equal(r.headers['x-served'], 'backend:v7:api');
    const seen = upstream.seen[0]!.headers;
    assert.equal(seen['x-user-echo'], hostile);
    assert.equal(seen['x-internal'], undefined);
    assert.equal(seen['x-client'], '127.0.0.1', 'a forged value is overwritten');
  } finally {
    await gw.close();
    await upstream.close();
  }
});
