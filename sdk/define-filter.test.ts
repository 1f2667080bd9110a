// defineHttpFilter with ConfigOf types the config from a literal schema (checked by the compiler: this file
// does not build if the inference breaks) and validates it at run time through the test kit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defineHttpFilter } from './filter.js';
import type { ConfigOf } from './filter.js';
import { runFilter } from './testing.js';

const schema = {
  type: 'object',
  properties: { header: { type: 'string', default: 'x-tag' }, value: { type: 'string' }, times: { type: 'integer', minimum: 1 } },
  required: ['value'],
  additionalProperties: false,
} as const;

const tagger = defineHttpFilter<ConfigOf<typeof schema>>({
  name: 'tagger',
  configSchema: schema,
  create(config) {
    // Typed from the schema: `value` is a string, `times` a number or undefined.
    const value: string = config.value;
    const times: number = config.times ?? 1;
    const header: string = config.header ?? 'x-tag';
    return () => ({
      onRequestHeaders(h) {
        h.set(header, value.repeat(times));
      },
    });
  },
});

test('a literal schema types the config and validates it', async () => {
  const r = await runFilter(tagger, { value: 'ab', times: 2 });
  assert.equal(r.upstreamRequest?.headers['x-tag'], 'abab');
  await assert.rejects(runFilter(tagger, { value: 'ab', times: 0 }), /times: must be >= 1|must be >= 1/);
});
