import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import { gatewayConfigSchema } from './schema.js';

test('the core schema compiles with ajv in strict mode', () => {
  assert.doesNotThrow(() => new Ajv({ strict: true, allErrors: true, useDefaults: true }).compile(gatewayConfigSchema));
});

test('every object with declared fields rejects unknown fields', () => {
  const loose: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((n, i) => walk(n, `${path}[${i}]`));
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Record<string, unknown>;
    if (schema.properties !== undefined && schema.additionalProperties !== false) loose.push(path);
    for (const [k, v] of Object.entries(schema)) if (k !== 'default') walk(v, `${path}/${k}`);
  };
  walk(gatewayConfigSchema, '#');
  assert.deepEqual(loose, []);
});

test('defaults given in the schema are valid against their own schema', () => {
  const ajv = new Ajv({ strict: false });
  const bad: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (typeof node !== 'object' || node === null) return;
    const schema = node as Record<string, unknown>;
    if ('default' in schema) {
      const { default: value, ...rest } = schema;
      if (!ajv.validate(rest, value)) bad.push(`${path}: ${ajv.errorsText()}`);
    }
    for (const [k, v] of Object.entries(schema)) if (k !== 'default') walk(v, `${path}/${k}`);
  };
  walk(gatewayConfigSchema, '#');
  assert.deepEqual(bad, []);
});
