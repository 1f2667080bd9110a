// The ratelimit filter through the SDK test kit, against a real redis-server.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChain, runFilter } from '../../sdk/testing.js';
import type { Exchange } from '../../sdk/testing.js';
import rateLimit from './filter.js';
import { startRedis } from './redis-server.js';
import type { RedisServer } from './redis-server.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(() => redis.stop());

let domainSeq = 0;
/**
 * A config with a domain of its own, so tests never share counters. The Redis timeout is generous (not the 50 ms
 * default) so that a busy machine does not turn exact counts into fail-open answers; the timeout test sets its own.
 */
const config = (extra: Record<string, unknown>) => ({ domain: `unit${++domainSeq}`, redis: { address: '127.0.0.1', port: redis.port }, timeout: '5s', ...extra });
const byUser = {
  rate_limits: [{ actions: [{ request_headers: { header_name: 'x-user', descriptor_key: 'user' } }] }],
  descriptors: [{ key: 'user', rate_limit: { unit: 'day', requests_per_unit: 3 } }],
};
const as = (user?: string): Exchange => ({ request: { headers: user === undefined ? {} : { 'x-user': user } } });

test('each value gets the limit; over it: 429, flag RL, x-envoy-ratelimited', async () => {
  const chain = await loadChain([{ factory: rateLimit, config: config(byUser) }]);
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await chain.run(as('alice'))).response.status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  const r = await chain.run(as('alice'));
  assert.equal(r.upstreamCalled, false);
  assert.deepEqual(r.responseFlags, ['RL']);
  assert.equal(r.response.headers['x-envoy-ratelimited'], 'true');
  assert.equal((await chain.run(as('bob'))).response.status, 200);
  assert.equal((await chain.run(as())).response.status, 200, 'no header: no descriptor, no limit');
  const c = chain.counters();
  assert.equal(c['ratelimit.ok'], 4);
  assert.equal(c['ratelimit.over_limit'], 3);
});

test('nested descriptors, generic_key, header_value_match and remote_address', async () => {
  const chain = await loadChain([
    {
      factory: rateLimit,
      config: config({
        rate_limits: [
          { actions: [{ generic_key: { descriptor_value: 'api' } }, { request_headers: { header_name: 'x-plan', descriptor_key: 'plan' } }] },
          { actions: [{ header_value_match: { descriptor_value: 'writes', headers: [{ name: ':method', exact_match: 'POST' }] } }, { remote_address: {} }] },
        ],
        descriptors: [
          {
            key: 'generic_key',
            value: 'api',
            descriptors: [
              { key: 'plan', value: 'free', rate_limit: { unit: 'day', requests_per_unit: 1 } },
              { key: 'plan', rate_limit: { unit: 'day', requests_per_unit: 100 } },
            ],
          },
          { key: 'header_match', value: 'writes', descriptors: [{ key: 'remote_address', rate_limit: { unit: 'day', requests_per_unit: 2 } }] },
        ],
      }),
    },
  ]);
  const run = (plan: string, method = 'GET', ip = '10.0.0.1') => chain.run({ request: { method, sourceAddress: ip, headers: { 'x-plan': plan } } });
  assert.equal((await run('free')).response.status, 200);
  assert.equal((await run('free')).response.status, 429);
  assert.equal((await run('gold')).response.status, 200);
  assert.equal((await run('gold', 'POST')).response.status, 200);
  assert.equal((await run('gold', 'POST')).response.status, 200);
  assert.equal((await run('gold', 'POST')).response.status, 429, 'third write from 10.0.0.1');
  assert.equal((await run('gold', 'POST', '10.0.0.2')).response.status, 200);
});

test('a frozen Redis: the request goes on after the timeout (failure_mode_allowed), or 500 RLSE with failure_mode_deny', async () => {
  const allow = await loadChain([{ factory: rateLimit, config: config({ ...byUser, timeout: '100ms' }) }]);
  const deny = await loadChain([{ factory: rateLimit, config: config({ ...byUser, timeout: '100ms', failure_mode_deny: true }) }]);
  redis.pause();
  try {
    const started = performance.now();
    const r = await allow.run(as('carol'));
    const took = performance.now() - started;
    assert.equal(r.response.status, 200);
    assert.ok(took >= 90 && took < 1500, `took ${took} ms`);
    assert.equal(allow.counters()['ratelimit.failure_mode_allowed'], 1);
    assert.equal(allow.counters()['ratelimit.error'], 1);
    const d = await deny.run(as('carol'));
    assert.equal(d.response.status, 500);
    assert.deepEqual(d.responseFlags, ['RLSE']);
    assert.equal(d.upstreamCalled, false);
  } finally {
    redis.resume();
  }
});

test('bad configs are refused with the path', async () => {
  await assert.rejects(runFilter(rateLimit, { domain: 'x' }), /ratelimit\.config\.descriptors: is required/);
  await assert.rejects(
    runFilter(rateLimit, config({ ...byUser, rate_limits: [{ actions: [{ remote_address: {}, generic_key: { descriptor_value: 'a' } }] }] })),
    /rate_limits\[0\]\.actions\[0\]: must have exactly one of request_headers, remote_address, generic_key, header_value_match \(has remote_address, generic_key\)/,
  );
  await assert.rejects(
    runFilter(rateLimit, config({ ...byUser, descriptors: [{ key: 'u', rate_limit: { unit: 'week', requests_per_unit: 1 } }] })),
    /descriptors\[0\]\.rate_limit\.unit: must be equal to one of the allowed values/,
  );
  await assert.rejects(
    runFilter(rateLimit, config({ ...byUser, descriptors: [{ key: 'a', descriptors: [{ key: 'b', descriptors: [{ key: 'c', oops: 1 }] }] }] })),
    /descriptors\[0\]\.descriptors\[0\]\.descriptors\[0\]\.oops: is not allowed/,
  );
});

test('after an outage the filter reconnects by itself and counts again', async () => {
  const own = await startRedis();
  const port = own.port;
  let second: RedisServer | undefined;
  try {
    const chain = await loadChain([{ factory: rateLimit, config: { ...byUser, domain: 'outage', redis: { address: '127.0.0.1', port } } }]);
    assert.equal((await chain.run(as('dave'))).response.status, 200);
    await own.stop();
    assert.equal((await chain.run(as('dave'))).response.status, 200);
    assert.equal(chain.counters()['ratelimit.failure_mode_allowed'], 1);
    second = await startRedis(port);
    const deadline = Date.now() + 10_000;
    while (chain.counters()['ratelimit.ok'] === 1) {
      if (Date.now() > deadline) throw new Error('never reconnected');
      await chain.run(as('dave'));
      await new Promise((r) => setTimeout(r, 50));
    }
    // The new Redis starts empty: dave has 3 again.
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await chain.run(as('dave'))).response.status);
    assert.deepEqual(statuses, [200, 200, 429]);
  } finally {
    await own.stop();
    await second?.stop();
  }
});
