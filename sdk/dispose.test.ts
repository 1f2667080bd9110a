// Dispose hooks in the test kit: close() runs every hook of the chain once, a throwing or rejecting hook is
// logged, runFilter closes the chain it loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineHttpFilter } from './filter.js';
import { FilterStatus } from './status.js';
import { loadChain, runFilter } from './testing.js';

/** Registers one hook per create(), recording `id` into `calls`, and failing as `fail` says. */
function disposing(calls: string[]) {
  return defineHttpFilter<{ id: string; fail: 'no' | 'throw' | 'reject' }>({
    name: 'disposing',
    configSchema: {
      type: 'object',
      properties: { id: { type: 'string' }, fail: { enum: ['no', 'throw', 'reject'], default: 'no' } },
      required: ['id'],
    },
    create(config, ctx) {
      ctx.onDispose(() => {
        calls.push(config.id);
        if (config.fail === 'throw') throw new Error(`${config.id} broke`);
        if (config.fail === 'reject') return Promise.reject(new Error(`${config.id} rejected`));
        return undefined;
      });
      const filter = { onRequestHeaders: () => FilterStatus.Continue };
      return () => filter;
    },
  });
}

test('close() runs each hook once, however often it is called; failures are logged, not thrown', async () => {
  const calls: string[] = [];
  const factory = disposing(calls);
  const chain = await loadChain([
    { factory, name: 'a', config: { id: 'a' } },
    { factory, name: 'b', config: { id: 'b', fail: 'throw' } },
    { factory, name: 'c', config: { id: 'c', fail: 'reject' } },
  ]);
  assert.equal((await chain.run()).upstreamCalled, true);
  assert.deepEqual(calls, [], 'nothing disposed while the chain is loaded');
  await Promise.all([chain.close(), chain.close()]);
  await chain.close();
  assert.deepEqual([...calls].sort(), ['a', 'b', 'c']);
  const failures = chain.logs.filter((l) => l.msg === 'filter dispose hook failed');
  assert.deepEqual(failures.map((l) => l.filter).sort(), ['b', 'c'], 'each failure is logged by its filter');
});

test('runFilter closes the chain it loaded', async () => {
  const calls: string[] = [];
  await runFilter(disposing(calls), { id: 'once' });
  assert.deepEqual(calls, ['once']);
});
