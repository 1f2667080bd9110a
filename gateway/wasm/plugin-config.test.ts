import { test } from 'node:test';
import assert from 'node:assert/strict';
import { abiVersionOf } from './abi.js';
import { configurationBytes, environ, modulePath, pluginSettings } from './plugin-config.js';
import type { WasmFilterConfig } from './plugin-config.js';

function config(extra: Partial<WasmFilterConfig> = {}): WasmFilterConfig {
  return {
    name: '',
    root_id: 'r',
    vm_config: { vm_id: 'v', code: { local: { filename: 'f.wasm' } }, memory_limit: 1 << 26, environment_variables: { key_values: { A: '1' } } },
    fail_open: false,
    deliver_body: 'both',
    ...extra,
  };
}

test('configuration: strings raw, objects as JSON, Envoy Any by type', () => {
  assert.equal(configurationBytes(undefined, 'c').length, 0);
  assert.equal(configurationBytes('x y', 'c').toString(), 'x y');
  assert.equal(configurationBytes({ a: [1] }, 'c').toString(), '{"a":[1]}');
  assert.equal(configurationBytes({ '@type': 'type.googleapis.com/google.protobuf.StringValue', value: 'raw' }, 'c').toString(), 'raw');
  assert.equal(configurationBytes({ '@type': 'type.googleapis.com/google.protobuf.BytesValue', value: 'AAE=' }, 'c').toString('hex'), '0001');
  assert.equal(configurationBytes({ '@type': 'type.googleapis.com/google.protobuf.Struct', value: { k: 'v' } }, 'c').toString(), '{"k":"v"}');
  assert.throws(() => configurationBytes({ '@type': 'type.googleapis.com/foo.Bar' }, 'configuration'), /configuration\["@type"\]: type.googleapis.com\/foo.Bar is not supported/);
});

test('settings: name defaults to the filter name; failure_policy wins over fail_open', () => {
  const s = pluginSettings(config(), 'my_filter');
  assert.equal(s.name, 'my_filter');
  assert.equal(s.failOpen, false);
  assert.equal(pluginSettings(config({ fail_open: true }), 'f').failOpen, true);
  assert.equal(pluginSettings(config({ fail_open: true, failure_policy: 'FAIL_CLOSED' }), 'f').failOpen, false);
  assert.equal(pluginSettings(config({ failure_policy: 'FAIL_OPEN' }), 'f').failOpen, true);
  assert.equal(modulePath(config(), '/etc/gw'), '/etc/gw/f.wasm');
  assert.deepEqual(environ(config()).map(String), ['A=1']);
});

test('the ABI version comes from the marker export', () => {
  assert.equal(abiVersionOf(['memory', 'proxy_abi_version_0_2_1']), '0.2.1');
  assert.equal(abiVersionOf(['proxy_abi_version_0_2_0']), '0.2.0');
  assert.equal(abiVersionOf(['proxy_abi_version_0_1_0']), '0.1.0');
  assert.equal(abiVersionOf(['memory']), '0.1.0');
  assert.throws(() => abiVersionOf(['proxy_abi_version_0_3_0']), /ABI 0\.3\.0/);
});
