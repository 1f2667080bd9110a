// The validator of a filter's config, shared by the gateway's config validator and the test kit so that
// a config is checked the same way in both: ajv with allErrors and useDefaults (defaults land in the
// config object). One non-strict ajv instance per schema object, so that two filters' schemas never
// clash (same $id, keywords) and a keyword ajv does not know is ignored rather than fatal; compiled once
// per schema object, however many entries and reloads use it.
import { Ajv, type ValidateFunction } from 'ajv';
import type { HttpFilterFactory } from './filter.js';

const validators = new WeakMap<object, ValidateFunction>();

/** Throws when the factory has no schema object (a user's module may lack one). */
export function filterConfigValidator(factory: Pick<HttpFilterFactory, 'configSchema'>): ValidateFunction {
  const schema: unknown = factory.configSchema;
  if (typeof schema !== 'object' || schema === null) throw new Error('it has no configSchema object');
  let validate = validators.get(schema);
  if (validate === undefined) {
    validate = new Ajv({ allErrors: true, useDefaults: true, strict: false }).compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/** Whether a factory's needsRequestBody / needsResponseBody holds for this config. */
export function needsBody<C>(flag: boolean | ((config: C) => boolean) | undefined, config: C): boolean {
  return typeof flag === 'function' ? flag(config) : flag === true;
}
