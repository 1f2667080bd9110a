// Compiling a .wasm file once per process (cached by absolute path, mtime and size) and checking,
// before anything runs, that every function it imports is one the host provides.
import { readFile, stat } from 'node:fs/promises';
import { abiVersionOf } from './abi.js';
import type { AbiVersion } from './abi.js';

export interface CompiledWasm {
  readonly path: string;
  /** Identity of this compiled file (path, mtime, size): a VM is shared only by users of the same one. */
  readonly key: string;
  readonly module: WebAssembly.Module;
  readonly abi: AbiVersion;
  readonly exports: ReadonlySet<string>;
  readonly imports: readonly WebAssembly.ModuleImportDescriptor[];
}

/** The host's import namespaces and, for each, the names it provides. */
export type ProvidedImports = ReadonlyMap<string, ReadonlySet<string>>;

const cache = new Map<string, Promise<CompiledWasm>>();

export async function compileWasmFile(path: string, provided: ProvidedImports): Promise<CompiledWasm> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new Error(`cannot read wasm module ${path}: ${(err as Error).message}`);
  }
  const key = `${path}@${info.mtimeMs}:${info.size}`;
  let p = cache.get(key);
  if (p === undefined) {
    p = compile(path, key, provided);
    cache.set(key, p);
    // A broken file may be fixed: do not keep the failure.
    p.catch(() => cache.delete(key));
  }
  return p;
}

async function compile(path: string, key: string, provided: ProvidedImports): Promise<CompiledWasm> {
  const bytes = await readFile(path);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(bytes);
  } catch (err) {
    throw new Error(`${path} is not a valid WebAssembly module: ${(err as Error).message}`);
  }
  const imports = WebAssembly.Module.imports(module);
  const missing = imports
    .filter((i) => i.kind !== 'function' || provided.get(i.module)?.has(i.name) !== true)
    .map((i) => `${i.module}.${i.name}${i.kind === 'function' ? '' : ` (${i.kind})`}`);
  if (missing.length > 0) {
    throw new Error(`wasm module ${path} imports host functions this gateway does not provide: ${missing.join(', ')}`);
  }
  const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);
  if (!exportNames.includes('memory')) throw new Error(`wasm module ${path} exports no memory`);
  return { path, key, module, abi: abiVersionOf(exportNames), exports: new Set(exportNames), imports };
}
