// What every module built with our SDK must look like to a Proxy-Wasm host (checked without a host).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';

// The slice of the WebAssembly JS API used here (tsconfig's ES2022 lib has no WebAssembly types).
interface WasmModuleApi {
  Module: {
    new (bytes: Uint8Array): object;
    imports(module: object): { module: string; name: string; kind: string }[];
    exports(module: object): { name: string; kind: string }[];
  };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmModuleApi }).WebAssembly;

const REQUIRED_EXPORTS = [
  'memory', '_initialize', 'proxy_abi_version_0_2_1', 'proxy_on_memory_allocate', 'proxy_on_context_create',
  'proxy_on_vm_start', 'proxy_on_configure', 'proxy_on_request_headers', 'proxy_on_response_headers',
  'proxy_on_done', 'proxy_on_log', 'proxy_on_delete',
];

/** Asserts the ABI exports, and that every import is an `env.proxy_*` host function; returns the imports. */
export async function assertProxyWasmModule(file: string): Promise<string[]> {
  const module = new wasm.Module(await readFile(file));
  const exports = wasm.Module.exports(module).map((e) => e.name);
  for (const name of REQUIRED_EXPORTS) assert.ok(exports.includes(name), `${file} exports ${name}`);
  const imports = wasm.Module.imports(module).map((i) => `${i.module}.${i.name}`);
  for (const name of imports) assert.match(name, /^env\.proxy_[a-z_]+$/, `${file} imports only proxy-wasm host functions`);
  return imports;
}
