// The `wasm` filter's config: Envoy's PluginConfig (envoy.extensions.wasm.v3), plus `vm_config.memory_limit`
// and `deliver_body` of our own. Validated by the schema, then turned into plugin settings.
import { isAbsolute, resolve } from 'node:path';
import type { JsonSchema } from '../../sdk/filter.js';
import type { PluginSettings } from './plugin.js';

/** A configuration: a string passed as is, an object passed as JSON, or an Envoy Any (StringValue, BytesValue, Struct). */
type Configuration = string | Record<string, unknown>;

export interface WasmFilterConfig {
  name: string;
  root_id: string;
  vm_config: {
    vm_id: string;
    runtime?: string;
    code: { local: { filename: string } };
    configuration?: Configuration;
    environment_variables?: { key_values?: Record<string, string> };
    memory_limit: number;
    allow_precompiled?: boolean;
    nack_on_code_cache_miss?: boolean;
  };
  configuration?: Configuration;
  fail_open: boolean;
  failure_policy?: 'FAIL_OPEN' | 'FAIL_CLOSED' | 'FAIL_RELOAD';
  deliver_body: 'both' | 'request' | 'response' | 'none';
}

export const DEFAULT_MEMORY_LIMIT = 64 * 1024 * 1024;

const configuration: JsonSchema = {
  description: 'a string is passed as is; an object as JSON; an Envoy Any ({"@type": ...StringValue|BytesValue|Struct, value}) by its value',
  anyOf: [{ type: 'string' }, { type: 'object' }],
};

export const wasmConfigSchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['vm_config'],
  properties: {
    name: { type: 'string', default: '' },
    root_id: { type: 'string', default: '' },
    vm_config: {
      type: 'object',
      additionalProperties: false,
      required: ['code'],
      properties: {
        vm_id: { type: 'string', default: '' },
        runtime: { type: 'string', enum: ['envoy.wasm.runtime.v8', 'envoy.wasm.runtime.null', ''] },
        code: {
          type: 'object',
          additionalProperties: false,
          required: ['local'],
          properties: {
            local: {
              type: 'object',
              additionalProperties: false,
              required: ['filename'],
              properties: { filename: { type: 'string', minLength: 1 } },
            },
          },
        },
        configuration,
        environment_variables: {
          type: 'object',
          additionalProperties: false,
          properties: { key_values: { type: 'object', additionalProperties: { type: 'string' } } },
        },
        memory_limit: { type: 'integer', minimum: 65536, default: DEFAULT_MEMORY_LIMIT },
        allow_precompiled: { type: 'boolean' },
        nack_on_code_cache_miss: { type: 'boolean' },
      },
    },
    configuration,
    fail_open: { type: 'boolean', default: false },
    failure_policy: { type: 'string', enum: ['FAIL_OPEN', 'FAIL_CLOSED', 'FAIL_RELOAD'] },
    deliver_body: { type: 'string', enum: ['both', 'request', 'response', 'none'], default: 'both' },
  },
};

const ANY_STRING = new Set(['type.googleapis.com/google.protobuf.StringValue', 'type.googleapis.com/google.protobuf.BytesValue']);
const ANY_STRUCT = 'type.googleapis.com/google.protobuf.Struct';

/** The bytes the module reads as its configuration. Envoy passes StringValue/BytesValue raw and a Struct as JSON. */
export function configurationBytes(c: Configuration | undefined, path: string): Buffer {
  if (c === undefined) return Buffer.alloc(0);
  if (typeof c === 'string') return Buffer.from(c, 'utf8');
  const type = c['@type'];
  if (type === undefined) return Buffer.from(JSON.stringify(c), 'utf8');
  if (typeof type === 'string' && ANY_STRING.has(type)) {
    const v = c['value'];
    if (typeof v !== 'string') throw new Error(`${path}.value: must be a string for ${type}`);
    return type.endsWith('BytesValue') ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8');
  }
  if (type === ANY_STRUCT) return Buffer.from(JSON.stringify(c['value'] ?? {}), 'utf8');
  throw new Error(`${path}["@type"]: ${String(type)} is not supported; use a string, an object, or a StringValue, BytesValue or Struct`);
}

export function pluginSettings(config: WasmFilterConfig, filterName: string): PluginSettings {
  const failOpen = config.failure_policy === undefined ? config.fail_open : config.failure_policy === 'FAIL_OPEN';
  return {
    name: config.name === '' ? filterName : config.name,
    rootId: config.root_id,
    vmId: config.vm_config.vm_id,
    vmConfig: configurationBytes(config.vm_config.configuration, 'vm_config.configuration'),
    pluginConfig: configurationBytes(config.configuration, 'configuration'),
    failOpen,
  };
}

export function modulePath(config: WasmFilterConfig, configDir: string): string {
  const f = config.vm_config.code.local.filename;
  return isAbsolute(f) ? f : resolve(configDir, f);
}

/** `KEY=value` entries for WASI's environ_get. */
export function environ(config: WasmFilterConfig): Buffer[] {
  const kv = config.vm_config.environment_variables?.key_values ?? {};
  return Object.keys(kv).map((k) => Buffer.from(`${k}=${kv[k]}`, 'utf8'));
}
