import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { ConfigValidationError, childPath, fromAjvErrors } from './errors.js';
import { DURATION_PATTERN } from './duration.js';

function check(schema: object, value: unknown, base?: string): string[] {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  assert.equal(validate(value), false);
  return fromAjvErrors(validate.errors, base).map((e) => `${e.path}: ${e.message}`);
}

test('ajv errors become readable paths and messages', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', minLength: 1 },
      port: { type: 'integer', minimum: 1, maximum: 65535 },
      policy: { enum: ['a', 'b'] },
      timeout: { type: 'string', pattern: DURATION_PATTERN },
      list: { type: 'array', minItems: 2, items: { type: 'object', required: ['id'] } },
      map: { type: 'object', additionalProperties: { type: 'boolean' } },
      either: { type: ['string', 'number'] },
    },
  };
  assert.deepEqual(
    check(schema, {
      foo: 1,
      port: 0,
      policy: 'c',
      timeout: '5',
      list: [{}],
      map: { 'a.b': 1, ok: 'no' },
      either: true,
    }),
    [
      'name: is required',
      '(root): unknown field "foo"',
      'port: must be >= 1',
      'policy: must be one of: a, b',
      'timeout: must be a duration like "250ms", "5s" or "1m"',
      'list: must have at least 2 items',
      'list[0].id: is required',
      'map["a.b"]: must be a boolean',
      'map.ok: must be a boolean',
      'either: must be a string or a number',
    ],
  );
  assert.deepEqual(check(schema, { name: '', port: 1.5 }), ['name: must not be empty', 'port: must be an integer']);
  assert.deepEqual(check(schema, []), ['(root): must be an object']);
});

test('paths are prefixed with the base path of the validated object', () => {
  const schema = { type: 'object', properties: { n: { type: 'integer', minimum: 1 } }, required: ['m'] };
  assert.deepEqual(check(schema, { n: 0 }, 'http_filters[2].config'), [
    'http_filters[2].config.m: is required',
    'http_filters[2].config.n: must be >= 1',
  ]);
  assert.deepEqual(check({ type: 'object' }, 1, 'a[0].config'), ['a[0].config: must be an object']);
});

test('a wrapper error (if, oneOf, anyOf) is dropped when a precise error is reported', () => {
  const ifThen = {
    type: 'object',
    properties: { kind: { type: 'string' }, size: { type: 'integer' } },
    if: { properties: { kind: { const: 'big' } } },
    then: { properties: { size: { minimum: 100 } } },
  };
  assert.deepEqual(check(ifThen, { kind: 'big', size: 5 }), ['size: must be >= 100']);
  const oneOf = {
    oneOf: [
      { type: 'object', properties: { a: { type: 'string' } }, required: ['a'], additionalProperties: false },
      { type: 'string' },
    ],
  };
  assert.deepEqual(check(oneOf, { a: 1 }), ['a: must be a string', '(root): must be a string']);
  const both = { oneOf: [{ type: 'integer' }, { type: 'number' }] };
  assert.deepEqual(check(both, 1), ['(root): must match exactly one of the allowed forms']);
});

test('childPath quotes keys that are not plain names', () => {
  assert.equal(childPath('', 'listeners'), 'listeners');
  assert.equal(childPath('listeners', 0), 'listeners[0]');
  assert.equal(childPath('a', 'x-canary'), 'a.x-canary');
  assert.equal(childPath('a', 'envoy.filters.http.cors'), 'a["envoy.filters.http.cors"]');
  assert.equal(childPath('', 'a b'), '["a b"]');
});

test('ConfigValidationError lists each error on its own line', () => {
  const err = new ConfigValidationError(
    [
      { path: 'clusters[0].name', message: 'is required' },
      { path: 'admin.port', message: 'must be <= 65535' },
    ],
    '/etc/gateway.yaml',
  );
  assert.ok(err instanceof Error);
  assert.equal(err.name, 'ConfigValidationError');
  assert.equal(err.message, 'invalid config /etc/gateway.yaml (2 errors):\nclusters[0].name: is required\nadmin.port: must be <= 65535');
  assert.equal(new ConfigValidationError([{ path: '(root)', message: 'x' }]).message, 'invalid config (1 error):\n(root): x');
});
