import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChain, runFilter } from '../../sdk/testing.js';
import localRateLimit from './filter.js';

const bucket = (max: number, interval = '1h') => ({ max_tokens: max, fill_interval: interval });
const load = (config: unknown) => loadChain([{ factory: localRateLimit, config }]);
const get = (headers: Record<string, string> = {}, path = '/') => ({ request: { path, headers } });

test('K tokens admit K requests, then 429 with flag RL', async () => {
  const chain = await load({ token_bucket: bucket(3) });
  const statuses: number[] = [];
  for (let i = 0; i < 5; i++) statuses.push((await chain.run()).response.status);
  assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  const r = await chain.run();
  assert.equal(r.upstreamCalled, false);
  assert.equal(r.response.body, 'local_rate_limited');
  assert.deepEqual(r.responseFlags, ['RL']);
  assert.equal(r.responseCodeDetails, 'local_rate_limited');
  const c = chain.counters();
  assert.equal(c['local_ratelimit.http_local_rate_limit.enabled'], 6);
  assert.equal(c['local_ratelimit.http_local_rate_limit.ok'], 3);
  assert.equal(c['local_ratelimit.http_local_rate_limit.rate_limited'], 3);
  assert.equal(c['local_ratelimit.http_local_rate_limit.enforced'], 3);
});

test('shadow mode: enabled but not enforced counts without answering 429', async () => {
  const chain = await load({
    stat_prefix: 'shadow',
    token_bucket: bucket(1),
    filter_enforced: { default_value: { numerator: 0, denominator: 'HUNDRED' } },
  });
  for (let i = 0; i < 3; i++) assert.equal((await chain.run()).response.status, 200);
  const c = chain.counters();
  assert.equal(c['local_ratelimit.shadow.rate_limited'], 2);
  assert.equal(c['local_ratelimit.shadow.enforced'], 0);
});

test('filter_enabled 0% leaves requests alone and uncounted', async () => {
  const chain = await load({ token_bucket: bucket(1), filter_enabled: { default_value: { numerator: 0 } } });
  for (let i = 0; i < 3; i++) assert.equal((await chain.run()).response.status, 200);
  assert.equal(chain.counters()['local_ratelimit.http_local_rate_limit.enabled'], 0);
});

test('a bucket refills after fill_interval', async () => {
  const chain = await load({ token_bucket: bucket(1, '100ms') });
  assert.equal((await chain.run()).response.status, 200);
  assert.equal((await chain.run()).response.status, 429);
  const deadline = Date.now() + 5000;
  let status = 429;
  while (status === 429 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    status = (await chain.run()).response.status;
  }
  assert.equal(status, 200);
});

test('a header descriptor gives each value its own bucket; requests without the header only use the main bucket', async () => {
  const chain = await load({
    token_bucket: bucket(100),
    descriptors: [{ request_header: { header_name: 'X-User' }, token_bucket: bucket(2) }],
  });
  const statuses = async (headers: Record<string, string>) => {
    const out: number[] = [];
    for (let i = 0; i < 3; i++) out.push((await chain.run(get(headers))).response.status);
    return out;
  };
  assert.deepEqual(await statuses({ 'x-user': 'alice' }), [200, 200, 429]);
  assert.deepEqual(await statuses({ 'x-user': 'bob' }), [200, 200, 429]);
  assert.deepEqual(await statuses({}), [200, 200, 200]);
});

test('a request takes a token only when every bucket that applies has one', async () => {
  const chain = await load({
    token_bucket: bucket(3),
    descriptors: [{ request_header: { header_name: 'x-user' }, token_bucket: bucket(1) }],
  });
  assert.equal((await chain.run(get({ 'x-user': 'a' }))).response.status, 200);
  // Refused by the descriptor's bucket: the main bucket keeps its tokens.
  for (let i = 0; i < 5; i++) assert.equal((await chain.run(get({ 'x-user': 'a' }))).response.status, 429);
  assert.equal((await chain.run(get())).response.status, 200);
  assert.equal((await chain.run(get())).response.status, 200);
  assert.equal((await chain.run(get())).response.status, 429);
});

test('descriptors by value, source address, path and generic key', async () => {
  const chain = await load({
    token_bucket: bucket(1000),
    descriptors: [
      { request_header: { header_name: 'x-plan' }, value: 'free', token_bucket: bucket(1) },
      { remote_address: {}, token_bucket: bucket(2) },
      { path: {}, token_bucket: bucket(2) },
    ],
  });
  const from = (ip: string, path: string, headers: Record<string, string> = {}) => chain.run({ request: { sourceAddress: ip, path, headers } });
  assert.equal((await from('10.0.0.1', '/a', { 'x-plan': 'free' })).response.status, 200);
  assert.equal((await from('10.0.0.2', '/b', { 'x-plan': 'free' })).response.status, 429, 'the free plan bucket is shared');
  assert.equal((await from('10.0.0.2', '/c', { 'x-plan': 'gold' })).response.status, 200, 'gold has no descriptor bucket');
  assert.equal((await from('10.0.0.3', '/d')).response.status, 200);
  assert.equal((await from('10.0.0.3', '/d')).response.status, 200);
  assert.equal((await from('10.0.0.3', '/e')).response.status, 429, 'per source address');
  assert.equal((await from('10.0.0.4', '/p?x=1')).response.status, 200);
  assert.equal((await from('10.0.0.5', '/p?x=2')).response.status, 200);
  assert.equal((await from('10.0.0.6', '/p')).response.status, 429, 'per path, query string ignored');

  const generic = await load({ token_bucket: bucket(10), descriptors: [{ generic_key: { descriptor_value: 'all' }, token_bucket: bucket(1) }] });
  assert.equal((await generic.run()).response.status, 200);
  assert.equal((await generic.run()).response.status, 429);
});

test('x-ratelimit headers (DRAFT_VERSION_03) on admitted and limited responses', async () => {
  const chain = await load({ token_bucket: bucket(2, '30s'), enable_x_ratelimit_headers: 'DRAFT_VERSION_03' });
  const first = await chain.run();
  assert.equal(first.response.headers['x-ratelimit-limit'], '2');
  assert.equal(first.response.headers['x-ratelimit-remaining'], '1');
  const reset = Number(first.response.headers['x-ratelimit-reset']);
  assert.ok(reset > 0 && reset <= 30, `reset ${reset}`);
  await chain.run();
  const limited = await chain.run();
  assert.equal(limited.response.status, 429);
  assert.equal(limited.response.headers['x-ratelimit-remaining'], '0');
  const plain = await runFilter(localRateLimit, { token_bucket: bucket(2) });
  assert.equal(plain.response.headers['x-ratelimit-limit'], undefined, 'off by default');
});

test('status overrides 429', async () => {
  const chain = await load({ token_bucket: bucket(1), status: { code: 503 } });
  await chain.run();
  assert.equal((await chain.run()).response.status, 503);
});

test('bad configs are refused with the path', async () => {
  await assert.rejects(load({}), /local_ratelimit\.config\.token_bucket: is required/);
  await assert.rejects(load({ token_bucket: { max_tokens: 0, fill_interval: '1s' } }), /token_bucket\.max_tokens: must be >= 1/);
  await assert.rejects(load({ token_bucket: bucket(1, '10ms') }), /token_bucket\.fill_interval: must be at least 50ms/);
  await assert.rejects(load({ token_bucket: bucket(1, 'soon') }), /fill_interval/);
  await assert.rejects(
    load({ token_bucket: bucket(1), descriptors: [{ path: {}, remote_address: {}, token_bucket: bucket(1) }] }),
    /descriptors\[0\]: must have exactly one of request_header, remote_address, path, generic_key \(has remote_address, path\)/,
  );
  await assert.rejects(load({ token_bucket: bucket(1), filter_enabled: { default_value: { numerator: 5, denominator: 'THOUSAND' } } }), /denominator/);
});
