// HTTP filters behind a real listener: order, local replies, failures, bodies, per-route overrides,
// and a user's filter module loaded from a path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { defineHttpFilter } from '../../sdk/filter.js';
import { FilterStatus } from '../../sdk/status.js';
import { gatewayConfig, startGateway, startUpstream } from '../harness.js';

/** Adds `x-trace: <name>` on the way in and out, so order is visible on both sides. */
const tracer = defineHttpFilter<{ tag: string }>({
  name: 'tracer',
  configSchema: { type: 'object', properties: { tag: { type: 'string', default: 't' } }, additionalProperties: false },
  create: (config) => () => ({
    onRequestHeaders(h) {
      h.add('x-trace', config.tag);
    },
    onResponseHeaders(h) {
      h.add('x-trace', config.tag);
    },
  }),
});

/** Answers 403 when `x-deny` is present; asynchronously, to exercise the Promise path. */
const denier = defineHttpFilter<Record<string, never>>({
  name: 'denier',
  configSchema: { type: 'object', additionalProperties: false },
  create: () => () => ({
    async onRequestHeaders(h, ctx) {
      await new Promise((r) => setImmediate(r));
      if (h.has('x-deny')) ctx.sendLocalReply(403, 'denied', undefined, { responseFlag: 'RBAC' });
      return FilterStatus.Continue;
    },
  }),
});

const thrower = defineHttpFilter<{ on: string }>({
  name: 'thrower',
  configSchema: { type: 'object', properties: { on: { type: 'string' } }, required: ['on'], additionalProperties: false },
  create: (config) => () => ({
    onRequestHeaders(h) {
      if (h.has(config.on)) throw new Error('boom');
    },
  }),
});

/** Upper-cases the request body and appends to the response body. */
const bodies = defineHttpFilter<Record<string, never>>({
  name: 'bodies',
  configSchema: { type: 'object', additionalProperties: false },
  needsRequestBody: true,
  needsResponseBody: true,
  create: () => () => ({
    onRequestBody(body, ctx) {
      ctx.setRequestBody(`${body.toString().toUpperCase()}!`);
    },
    onResponseBody(body, ctx) {
      ctx.setResponseBody(`${body.toString()}+filtered`);
    },
  }),
});

test('filters run in order on the request and in reverse on the response; local replies pass back through', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
      clusters: [{ name: 'up', ports: [up.port] }],
      filters: [
        { name: 'first', type: 'tracer', config: { tag: 'a' } },
        { name: 'denier' },
        { name: 'second', type: 'tracer', config: { tag: 'b' } },
      ],
    }),
    [tracer, denier],
  );
  t.after(async () => {
    await gw.close();
    await up.close();
  });
  const ok = await gw.get('/');
  assert.equal(ok.status, 200);
  assert.equal(up.seen[0]!.headers['x-trace'], 'a, b');
  assert.deepEqual(ok.headers['x-trace'], ['b', 'a']);
  const denied = await gw.get('/', { 'x-deny': '1' });
  assert.equal(denied.status, 403);
  assert.equal(denied.body, 'denied');
  assert.equal(denied.headers['x-trace'], 'a', 'only the filter before the denier sees the reply');
  assert.equal(up.seen.length, 1);
});

test('a filter that throws fails that request alone with 500; fail_open lets it pass', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
      clusters: [{ name: 'up', ports: [up.port] }],
      filters: [
        { name: 'strict', type: 'thrower', config: { on: 'x-boom' } },
        { name: 'lenient', type: 'thrower', config: { on: 'x-soft' }, fail_open: true },
      ],
    }),
    [thrower],
  );
  t.after(async () => {
    await gw.close();
    await up.close();
  });
  const r = await gw.get('/', { 'x-boom': '1' });
  assert.equal(r.status, 500);
  assert.equal((await gw.get('/')).status, 200);
  assert.equal((await gw.get('/', { 'x-soft': '1' })).status, 200);
  assert.equal(gw.gateway.stats.values()['http.test.strict.errors'], 1);
  assert.equal(gw.gateway.stats.values()['http.test.lenient.errors'], 1);
});

test('body filters see whole bodies; over max_request_bytes is 413', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up', (_req, res, body) => res.end(`got ${body}`));
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
      clusters: [{ name: 'up', ports: [up.port] }],
      filters: [{ name: 'bodies' }],
      hcm: { max_request_bytes: 1024 },
    }),
    [bodies],
  );
  t.after(async () => {
    await gw.close();
    await up.close();
  });
  const r = await gw.send('POST', '/', 'hello');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'got HELLO!+filtered', 'a body of another length is sent whole');
  const chunked = await gw.send('POST', '/', Readable.from([Buffer.from('a'), Buffer.from('bc')]));
  assert.equal(chunked.body, 'got ABC!+filtered');
  const big = await gw.send('POST', '/', 'x'.repeat(2048));
  assert.equal(big.status, 413);
  assert.equal(up.seen.length, 2);
});

test('typed_per_filter_config disables a filter or reconfigures it for one route', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { match: { prefix: '/off' }, route: { cluster: 'up' }, typed_per_filter_config: { tracer: { disabled: true } } },
        { match: { prefix: '/other' }, route: { cluster: 'up' }, typed_per_filter_config: { tracer: { config: { tag: 'z' } } } },
        { match: { prefix: '/' }, route: { cluster: 'up' } },
      ],
      clusters: [{ name: 'up', ports: [up.port] }],
      filters: [{ name: 'tracer', config: { tag: 'a' } }],
    }),
    [tracer],
  );
  t.after(async () => {
    await gw.close();
    await up.close();
  });
  assert.equal((await gw.get('/off')).headers['x-trace'], undefined);
  assert.equal((await gw.get('/other')).headers['x-trace'], 'z');
  assert.equal((await gw.get('/')).headers['x-trace'], 'a');
});

test("a user's filter module is loaded from a path relative to the config", { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  // The compiled example lives beside this file's compiled form: dist/examples/custom-filter/.
  const configDir = fileURLToPath(new URL('../../examples/custom-filter/', import.meta.url));
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
      clusters: [{ name: 'up', ports: [up.port] }],
      filters: [{ name: 'api_key', module: './api-key-filter.js', config: { keys: ['k1'] } }],
    }),
    [],
    configDir,
  );
  t.after(async () => {
    await gw.close();
    await up.close();
  });
  assert.equal((await gw.get('/')).status, 401);
  assert.equal((await gw.get('/', { 'x-api-key': 'k1' })).status, 200);
});
