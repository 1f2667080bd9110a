import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { deadPort, gatewayConfig, startGateway, startUpstream } from '../../gateway/harness.js';
import type { TestGateway, Upstream } from '../../gateway/harness.js';
import { wasmModule } from '../../filters/wasm/build-fixture.js';
import { assertProxyWasmModule } from '../../filters/wasm/module-shape.js';
import { wasmFilter } from '../../filters/wasm/wasm-filter-config.js';

let file = '';
before(async () => {
  file = await wasmModule('auth_check');
});

/** The authorization service: `Bearer good` is alice, anything else is refused. */
function startAuthService(): Promise<Upstream> {
  return startUpstream('auth', (req, res) => {
    if (req.headers.authorization === 'Bearer good') {
      res.writeHead(200, { 'x-auth-user': 'alice' });
      res.end();
    } else {
      res.writeHead(401, { 'content-type': 'text/plain' });
      res.end('bad token\n');
    }
  });
}

async function withGateway(authPort: number, run: (gw: TestGateway, app: Upstream) => Promise<void>): Promise<void> {
  const app = await startUpstream('app');
  const gw = await startGateway(gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'app' } }],
    clusters: [{ name: 'app', ports: [app.port] }, { name: 'auth', ports: [authPort] }],
    filters: [wasmFilter('auth_check', file, { cluster: 'auth', path: '/check', timeout_ms: 5000 })],
  }));
  try {
    await run(gw, app);
  } finally {
    await gw.close();
    await app.close();
  }
}

test('the module makes HTTP calls and resumes the request', async () => {
  const imports = await assertProxyWasmModule(file);
  for (const name of ['proxy_http_call', 'proxy_continue_stream', 'proxy_set_effective_context']) {
    assert.ok(imports.includes(`env.${name}`), name);
  }
});

test('an authorized request reaches the app with the user the service named', async () => {
  const auth = await startAuthService();
  try {
    await withGateway(auth.port, async (gw, app) => {
      const r = await gw.get('/orders?id=1', { authorization: 'Bearer good' });
      assert.equal(r.status, 200);
      assert.equal(r.body, 'app');
      assert.equal(app.seen[0]!.headers['x-auth-user'], 'alice');
      assert.equal(auth.seen[0]!.url, '/check');
      assert.equal(auth.seen[0]!.headers['x-original-path'], '/orders?id=1');
    });
  } finally {
    await auth.close();
  }
});

test("a refused request gets the service's answer and never reaches the app", async () => {
  const auth = await startAuthService();
  try {
    await withGateway(auth.port, async (gw, app) => {
      const r = await gw.get('/orders', { authorization: 'Bearer bad' });
      assert.equal(r.status, 401);
      assert.equal(r.body, 'bad token\n');
      assert.equal(app.seen.length, 0);
    });
  } finally {
    await auth.close();
  }
});

test('no authorization service: 503', async () => {
  await withGateway(await deadPort(), async (gw, app) => {
    const r = await gw.get('/orders', { authorization: 'Bearer good' });
    assert.equal(r.status, 503);
    assert.equal(app.seen.length, 0);
  });
});
