// Small builders for JSON Schemas (draft-07, for ajv 8 with useDefaults), shared by the core config
// schema and by filters' own schemas.
import type { JsonSchema } from './filter.js';

/** An object schema: unknown fields are errors. */
export function object(properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema {
  const schema: JsonSchema = { type: 'object', properties, additionalProperties: false };
  if (required.length > 0) schema.required = required;
  return schema;
}

export function arrayOf(items: JsonSchema, minItems = 0): JsonSchema {
  return minItems > 0 ? { type: 'array', items, minItems } : { type: 'array', items };
}

export function withDefault(schema: JsonSchema, value: unknown): JsonSchema {
  return { ...schema, default: value };
}

export function integer(minimum: number, maximum?: number): JsonSchema {
  return maximum === undefined ? { type: 'integer', minimum } : { type: 'integer', minimum, maximum };
}

