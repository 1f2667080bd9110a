// Retries, timeouts and upstream failures through a running gateway, against real upstreams that
// fail on purpose: the status, the response flag, and which upstream saw what.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deadPort, gatewayConfig, startGateway, startUpstream } from '../harness.js';
import type { Upstream } from '../harness.js';

function failing(status: number) {
  return startUpstream(`fail-${status}`, (_req, res) => {
    res.writeHead(status);
    res.end('bad');
  });
}

test('5xx is retried on another host; without retries the 503 passes through', { timeout: 20_000 }, async (t) => {
  const bad = await failing(503);
  const good = await startUpstream('good');
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { match: { prefix: '/retry' }, route: { cluster: 'mixed', retry_policy: { retry_on: '5xx', num_retries: 1 } } },
        { match: { prefix: '/plain' }, route: { cluster: 'mixed' } },
      ],
      clusters: [{ name: 'mixed', ports: [bad.port, good.port] }],
    }),
  );
  t.after(async () => {
    await gw.close();
    await bad.close();
    await good.close();
  });
  for (let i = 0; i < 20; i++) {
    const r = await gw.get('/retry');
    assert.equal(r.status, 200, `request ${i}`);
    assert.equal(r.body, 'good');
  }
  const plain = await Promise.all(Array.from({ length: 10 }, () => gw.get('/plain')));
  assert.deepEqual(plain.map((r) => r.status).sort(), [200, 200, 200, 200, 200, 503, 503, 503, 503, 503]);
});

test('connect failure: 503 UF without retries, success with connect-failure retries', { timeout: 20_000 }, async (t) => {
  const dead = await deadPort();
  const good = await startUpstream('good');
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { match: { prefix: '/dead' }, route: { cluster: 'dead' } },
        { match: { prefix: '/' }, route: { cluster: 'mixed', retry_policy: { retry_on: 'connect-failure', num_retries: 2 } } },
      ],
      clusters: [
        { name: 'dead', ports: [dead] },
        { name: 'mixed', ports: [dead, good.port] },
      ],
    }),
  );
  t.after(async () => {
    await gw.close();
    await good.close();
  });
  const r = await gw.get('/dead');
  assert.equal(r.status, 503);
  assert.match(r.body, /connection failure/);
  // POST too: a connect failure means no byte reached the upstream, so it is safe to resend.
  for (let i = 0; i < 10; i++) {
    const ok = await gw.send('POST', '/x', `body-${i}`, { 'content-type': 'text/plain' });
    assert.equal(ok.status, 200);
  }
  assert.deepEqual(good.seen.map((s) => s.body), Array.from({ length: 10 }, (_, i) => `body-${i}`));
});

test('POST is not retried after its bytes reached an upstream that answered 503', { timeout: 20_000 }, async (t) => {
  const bad = await failing(503);
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'bad', retry_policy: { retry_on: '5xx', num_retries: 3 } } }],
      clusters: [{ name: 'bad', ports: [bad.port] }],
    }),
  );
  t.after(async () => {
    await gw.close();
    await bad.close();
  });
  assert.equal((await gw.send('POST', '/', 'x')).status, 503);
  assert.equal(bad.seen.length, 1);
  assert.equal((await gw.get('/')).status, 503);
  assert.equal(bad.seen.length, 1 + 4, 'a GET is tried once and retried three times');
});

test('route timeout gives 504; per-try timeout moves on to a healthy host', { timeout: 20_000 }, async (t) => {
  const hanging: Upstream = await startUpstream('hang', () => {
    /* never answers */
  });
  const good = await startUpstream('good');
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { match: { prefix: '/slow' }, route: { cluster: 'hang', timeout: '200ms' } },
        {
          match: { prefix: '/' },
          route: { cluster: 'mixed', timeout: '5s', retry_policy: { retry_on: '5xx', num_retries: 2, per_try_timeout: '150ms' } },
        },
      ],
      clusters: [
        { name: 'hang', ports: [hanging.port] },
        { name: 'mixed', ports: [hanging.port, good.port] },
      ],
    }),
  );
  t.after(async () => {
    await gw.close();
    await hanging.close();
    await good.close();
  });
  const started = Date.now();
  const slow = await gw.get('/slow');
  const took = Date.now() - started;
  assert.equal(slow.status, 504);
  assert.equal(slow.body, 'upstream request timeout');
  assert.ok(took >= 190 && took < 2000, `took ${took} ms`);
  for (let i = 0; i < 6; i++) assert.equal((await gw.get('/x')).status, 200);
});

test('circuit breaker max_requests overflows with 503', { timeout: 20_000 }, async (t) => {
  const release: (() => void)[] = [];
  const slow = await startUpstream('slow', (_req, res) => {
    release.push(() => res.end('late'));
  });
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'slow' } }],
      clusters: [{ name: 'slow', ports: [slow.port], circuit_breakers: { thresholds: [{ max_requests: 2 }] } }],
    }),
  );
  t.after(async () => {
    for (const r of release) r();
    await gw.close();
    await slow.close();
  });
  const first = [gw.get('/1'), gw.get('/2')];
  // Wait (bounded) until both are at the upstream, then a third must overflow.
  const deadline = Date.now() + 5000;
  while (slow.seen.length < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  assert.equal(slow.seen.length, 2);
  const third = await gw.get('/3');
  assert.equal(third.status, 503);
  assert.match(third.body, /overflow/);
  for (const r of release) r();
  assert.deepEqual((await Promise.all(first)).map((r) => r.status), [200, 200]);
});

test('an upstream that dies under load costs no request when retries are on', { timeout: 30_000 }, async (t) => {
  const a = await startUpstream('a');
  const b = await startUpstream('b');
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'ab', retry_policy: { retry_on: 'reset,connect-failure,5xx', num_retries: 3 } } }],
      clusters: [{ name: 'ab', ports: [a.port, b.port] }],
    }),
  );
  t.after(async () => {
    await gw.close();
    await b.close();
  });
  const statuses: number[] = [];
  let killed = false;
  for (let round = 0; round < 40; round++) {
    if (round === 10) {
      void a.close();
      killed = true;
    }
    const rs = await Promise.all(Array.from({ length: 10 }, () => gw.get('/x')));
    for (const r of rs) statuses.push(r.status);
  }
  assert.ok(killed);
  assert.equal(statuses.length, 400);
  assert.deepEqual(statuses.filter((s) => s !== 200), []);
});

test('max_pending_requests: beyond the busy connections and the queue, 503 overflow', { timeout: 20_000 }, async (t) => {
  const release: (() => void)[] = [];
  const slow = await startUpstream('slow', (_req, res) => {
    release.push(() => res.end('late'));
  });
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'slow' } }],
      clusters: [{ name: 'slow', ports: [slow.port], circuit_breakers: { thresholds: [{ max_connections: 1, max_pending_requests: 1 }] } }],
    }),
  );
  t.after(async () => {
    for (const r of release) r();
    await gw.close();
    await slow.close();
  });
  const first = gw.get('/1');
  const deadline = Date.now() + 5000;
  while (slow.seen.length < 1 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  const second = gw.get('/2'); // waits for the one connection
  const stats = gw.gateway.clusters.get('slow')!.stats;
  while (stats.upstream_rq_pending_total.value < 1 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  assert.equal(stats.upstream_rq_pending_total.value, 1);
  const third = await gw.get('/3');
  assert.equal(third.status, 503);
  assert.match(third.body, /overflow/);
  assert.equal(stats.upstream_rq_pending_overflow.value, 1);
  release.shift()!();
  assert.equal((await first).status, 200);
  while (slow.seen.length < 2 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
  release.shift()!();
  assert.equal((await second).status, 200);
});

test('an upstream that resets the connection before answering gives 503 UR', { timeout: 20_000 }, async (t) => {
  const resetting = await startUpstream('reset', (req) => req.socket.destroy());
  const gw = await startGateway(
    gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'r' } }], clusters: [{ name: 'r', ports: [resetting.port] }] }),
  );
  t.after(async () => {
    await gw.close();
    await resetting.close();
  });
  const r = await gw.send('POST', '/', 'x');
  assert.equal(r.status, 503);
  assert.match(r.body, /connection termination/);
});
