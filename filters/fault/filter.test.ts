import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadChain, runFilter } from '../../sdk/testing.js';
import fault from './filter.js';

const none = { numerator: 0, denominator: 'HUNDRED' };

test('a fixed delay holds the request, then lets it through with flag DI', async () => {
  const started = performance.now();
  const r = await runFilter(fault, { delay: { fixed_delay: '150ms' } });
  assert.ok(performance.now() - started >= 140);
  assert.equal(r.response.status, 200);
  assert.equal(r.upstreamCalled, true);
  assert.deepEqual(r.responseFlags, ['DI']);
  assert.equal(r.counters['fault.delays_injected'], 1);
  assert.equal(r.counters['fault.active_faults'], 0, 'the slot is given back when the request ends');
});

test('an abort answers locally with flag FI', async () => {
  const r = await runFilter(fault, { abort: { http_status: 503 } });
  assert.equal(r.response.status, 503);
  assert.equal(r.response.body, 'fault filter abort');
  assert.equal(r.upstreamCalled, false);
  assert.deepEqual(r.responseFlags, ['FI']);
  assert.equal(r.responseCodeDetails, 'fault_filter_abort');
  assert.equal(r.counters['fault.aborts_injected'], 1);
});

test('delay then abort: both flags', async () => {
  const r = await runFilter(fault, { delay: { fixed_delay: '20ms' }, abort: { http_status: 500 } });
  assert.equal(r.response.status, 500);
  assert.deepEqual(r.responseFlags, ['DI', 'FI']);
});

test('a 0% share never faults', async () => {
  const chain = await loadChain([{ factory: fault, config: { abort: { http_status: 500, percentage: none } } }]);
  for (let i = 0; i < 20; i++) assert.equal((await chain.run()).response.status, 200);
});

test('fault headers are ignored unless header_delay / header_abort are configured', async () => {
  const hostile = { 'x-envoy-fault-abort-request': '500', 'x-envoy-fault-delay-request': '5000' };
  for (const config of [{}, { abort: { http_status: 503, percentage: none } }, { delay: { fixed_delay: '1ms', percentage: none } }]) {
    const r = await runFilter(fault, config, { request: { headers: hostile }, timeoutMs: 1000 });
    assert.equal(r.response.status, 200, JSON.stringify(config));
    assert.deepEqual(r.responseFlags, []);
  }
});

test('header_abort: the status comes from the header; bad values are ignored', async () => {
  const chain = await loadChain([{ factory: fault, config: { abort: { header_abort: {} } } }]);
  const run = (headers: Record<string, string>) => chain.run({ request: { headers } });
  assert.equal((await run({ 'x-envoy-fault-abort-request': '418' })).response.status, 418);
  for (const bad of ['abc', '99', '600', '-1', '4e2', ' 500', '99999999999999']) {
    assert.equal((await run({ 'x-envoy-fault-abort-request': bad })).response.status, 200, bad);
  }
  assert.equal((await run({})).response.status, 200, 'no header, no abort');
  assert.equal(
    (await run({ 'x-envoy-fault-abort-request': '503', 'x-envoy-fault-abort-request-percentage': '0' })).response.status,
    200,
    'the percentage header lowers the share',
  );
});

test('header percentages cannot exceed the configured share', async () => {
  const chain = await loadChain([{ factory: fault, config: { abort: { header_abort: {}, percentage: none } } }]);
  const r = await chain.run({ request: { headers: { 'x-envoy-fault-abort-request': '503', 'x-envoy-fault-abort-request-percentage': '100' } } });
  assert.equal(r.response.status, 200);
});

test('header_delay: the delay comes from the header', async () => {
  const chain = await loadChain([{ factory: fault, config: { delay: { header_delay: {} } } }]);
  const delayed = await chain.run({ request: { headers: { 'x-envoy-fault-delay-request': '30' } } });
  assert.deepEqual(delayed.responseFlags, ['DI']);
  const huge = await chain.run({ request: { headers: { 'x-envoy-fault-delay-request': '9999999999' } } });
  assert.deepEqual(huge.responseFlags, [], 'beyond what a timer can wait: ignored');
});

test('faults apply only to requests matching headers', async () => {
  const chain = await loadChain([{ factory: fault, config: { abort: { http_status: 503 }, headers: [{ name: 'x-chaos', exact_match: 'on' }] } }]);
  assert.equal((await chain.run()).response.status, 200);
  assert.equal((await chain.run({ request: { headers: { 'x-chaos': 'on' } } })).response.status, 503);
});

test('max_active_faults: past it, requests go through untouched and are counted', async () => {
  const chain = await loadChain([{ factory: fault, config: { delay: { fixed_delay: '300ms' }, max_active_faults: 1 } }]);
  const [a, b] = await Promise.all([chain.run(), chain.run()]);
  const flags = [a!.responseFlags, b!.responseFlags].map((f) => f.join(',')).sort();
  assert.deepEqual(flags, ['', 'DI']);
  const c = chain.counters();
  assert.equal(c['fault.faults_overflow'], 1);
  assert.equal(c['fault.delays_injected'], 1);
  assert.equal(c['fault.active_faults'], 0);
  assert.deepEqual((await chain.run()).responseFlags, ['DI'], 'the slot is free again');
});

test('a delay or an abort needs exactly one source', async () => {
  await assert.rejects(runFilter(fault, { delay: { fixed_delay: '1s', header_delay: {} } }), /delay: must have exactly one of fixed_delay, header_delay/);
  await assert.rejects(runFilter(fault, { abort: {} }), /abort: must have exactly one of http_status, header_abort/);
  await assert.rejects(runFilter(fault, { abort: { http_status: 700 } }), /abort\.http_status: must be <= 599/);
});
