// The test kit itself: config handling as at gateway load, limits, timeouts, counters, logs, upstream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineHttpFilter } from './filter.js';
import type { FilterFactoryContext, HttpFilter } from './filter.js';
import { FilterStatus } from './status.js';
import { loadChain, runFilter } from './testing.js';

interface TagConfig {
  tag: string;
  limits: { max: number };
  inspect: boolean;
}

/** A filter that records what it was built with, and optionally reads the request body. */
function tagFilter(seen: { config?: TagConfig; ctx?: FilterFactoryContext; body?: string } = {}) {
  return defineHttpFilter<TagConfig>({
    name: 'tag',
    configSchema: {
      type: 'object',
      additionalProperties: false,
      required: ['tag'],
      properties: {
        tag: { type: 'string', minLength: 1 },
        limits: {
          type: 'object',
          default: {},
          properties: { max: { type: 'integer', minimum: 1, default: 10 } },
        },
        inspect: { type: 'boolean', default: false },
      },
    },
    needsRequestBody: (config) => config.inspect,
    create(config, ctx) {
      seen.config = config;
      seen.ctx = ctx;
      const filter: HttpFilter = {
        onRequestHeaders: (headers) => headers.set('x-tag', config.tag),
        onRequestBody: (body) => void (seen.body = body.toString()),
      };
      return () => filter;
    },
  });
}

test('config is validated with defaults filled in, deep-frozen, and the caller’s object left alone', async () => {
  const seen: { config?: TagConfig } = {};
  const given = { tag: 'blue' };
  await runFilter(tagFilter(seen), given);
  assert.deepEqual(seen.config, { tag: 'blue', limits: { max: 10 }, inspect: false });
  assert.ok(Object.isFrozen(seen.config) && Object.isFrozen(seen.config!.limits));
  assert.deepEqual(given, { tag: 'blue' });
});

test('config errors name every offending path', async () => {
  await assert.rejects(
    runFilter(tagFilter(), { limits: { max: 0 }, colour: 'red' }),
    (err: Error) => {
      assert.match(err.message, /tag\.config\.tag: is required/);
      assert.match(err.message, /tag\.config\.limits\.max: must be >= 1/);
      assert.match(err.message, /tag\.config\.colour: is not allowed/);
      return true;
    },
  );
});

test('needsRequestBody in function form is decided from the config', async () => {
  const seen: { body?: string } = {};
  await runFilter(tagFilter(seen), { tag: 't' }, { request: { method: 'POST', body: 'abc' } });
  assert.equal(seen.body, undefined);
  await runFilter(tagFilter(seen), { tag: 't', inspect: true }, { request: { method: 'POST', body: 'abc' } });
  assert.equal(seen.body, 'abc');
});

test('the request body limit defaults to 1 MiB', async () => {
  const mib = 1024 * 1024;
  const at = await runFilter(tagFilter(), { tag: 't', inspect: true }, { request: { method: 'POST', body: Buffer.alloc(mib) } });
  assert.equal(at.response.status, 200);
  const over = await runFilter(tagFilter(), { tag: 't', inspect: true }, { request: { method: 'POST', body: Buffer.alloc(mib + 1) } });
  assert.equal(over.response.status, 413);
});

test('the factory gets its instance name, the config dir, a logger and stats', async () => {
  const seen: { ctx?: FilterFactoryContext } = {};
  await runFilter(tagFilter(seen), { tag: 't' }, { name: 'colour', configDir: '/etc/gw' });
  assert.equal(seen.ctx?.filterName, 'colour');
  assert.equal(seen.ctx?.configDir, '/etc/gw');
});

test('the upstream sees the request after the filters and answers through a function', async () => {
  const r = await runFilter(tagFilter(), { tag: 'green' }, {
    request: { method: 'PUT', path: '/items/1', headers: { 'Content-Type': 'text/plain' }, body: 'v' },
    upstream: (req) => ({ status: 202, headers: { 'x-echo': req.headers['x-tag'] as string }, body: `${req.method} ${req.path} ${req.body}` }),
  });
  assert.deepEqual(r.upstreamRequest, {
    method: 'PUT',
    path: '/items/1',
    headers: { 'content-type': 'text/plain', 'x-tag': 'green' },
    body: 'v',
  });
  assert.equal(r.response.status, 202);
  assert.equal(r.response.headers['x-echo'], 'green');
  assert.equal(r.response.body, 'PUT /items/1 v');
  assert.deepEqual(r.response.bodyBuffer, Buffer.from('PUT /items/1 v'));
});

test('an upstream function that throws makes the run reject with its error', async () => {
  const upstream = (): never => {
    throw new Error('fixture broken');
  };
  await assert.rejects(runFilter(tagFilter(), { tag: 't' }, { upstream }), /fixture broken/);
});

const stuck = defineHttpFilter({
  name: 'stuck',
  configSchema: { type: 'object' },
  create: () => () => ({ onResponseHeaders: () => FilterStatus.Stop }),
});

test('a chain that never finishes rejects after the timeout, naming the filter and phase', async () => {
  await assert.rejects(runFilter(stuck, {}, { timeoutMs: 50 }), /within 50 ms: stuck in stuck\.onResponseHeaders: it returned Stop/);
});

test('an upstream that never answers rejects after the timeout, saying so', async () => {
  const upstream = () => new Promise<never>(() => {});
  await assert.rejects(runFilter(tagFilter(), { tag: 't' }, { upstream, timeoutMs: 50 }), /stuck in waiting for the fake upstream/);
});

const counting = defineHttpFilter({
  name: 'counting',
  configSchema: { type: 'object' },
  create(_config, { stats, log }) {
    const seen = stats.counter('seen');
    log.info('built');
    const filter: HttpFilter = {
      onRequestHeaders(_h, ctx) {
        seen.inc();
        ctx.stats.counter('stream_seen').inc(2);
        ctx.log.warn({ path: ctx.path }, 'passing');
        ctx.state.set('counting.seen', seen.value);
      },
    };
    return () => filter;
  },
});

test('counters count, and accumulate over the runs of a loaded chain', async () => {
  const chain = await loadChain([{ factory: counting }]);
  await chain.run();
  const r = await chain.run();
  // ctx.stats inside a phase is the running filter's scope, like the factory's.
  assert.deepEqual(r.counters, { 'counting.seen': 2, 'counting.stream_seen': 4 });
  assert.deepEqual(chain.counters(), r.counters);
  assert.equal(r.state.get('counting.seen'), 2);
});

test('logs of the factory and of ctx.log inside a phase carry the filter name', async () => {
  const r = await runFilter(counting, {}, { request: { path: '/p' } });
  assert.deepEqual(r.logs, [
    { level: 'info', filter: 'counting', msg: 'built', fields: undefined },
    { level: 'warn', filter: 'counting', msg: 'passing', fields: { path: '/p' } },
  ]);
});
