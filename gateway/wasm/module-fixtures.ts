// Test fixture: builds the WebAssembly modules the tests load, inside the test run (CI has no prebuilt
// wasm), cached under build/wasm-test/ by a hash of their sources and compiler, and bounded in time.
// - gateway/wasm/testdata/<name>.as: our ABI-level test modules, AssemblyScript 0.28 (`asc`);
// - gateway/wasm/testdata/compat/<name>.as: the public examples of @solo-io/proxy-runtime@0.1.8, built
//   with the AssemblyScript it needs (0.14, installed as `assemblyscript-0.14`) and its documented flags.
// The sources are AssemblyScript, kept as .as so that the project's tsc (which compiles gateway/**/*.ts)
// leaves them alone; they are staged as .ts under build/ for asc.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const BUILD_TIMEOUT_MS = 180_000;

/** The repository root: tests run from it (npm test) or below it. */
export function repoRoot(): string {
  let dir = process.cwd();
  for (;;) {
    if (existsSync(join(dir, 'gateway/wasm/testdata/abi.as'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (gateway/wasm/testdata) from the working directory');
    dir = up;
  }
}

interface Toolchain {
  readonly name: string;
  readonly compiler: string;
  readonly args: (src: string, out: string) => string[];
  /** Source folder (under the repository root) whose .as files are staged together. */
  readonly sources: string;
  /** Files besides the sources whose content goes into the cache key. */
  readonly inputs: (root: string) => Promise<string[]>;
}

const AS_028: Toolchain = {
  name: 'as028',
  compiler: 'node_modules/assemblyscript/bin/asc.js',
  args: (src, out) => [src, '-o', out, '--runtime', 'stub', '-O3', '--use', 'abort='],
  sources: 'gateway/wasm/testdata',
  inputs: async (root) => [join(root, 'node_modules/assemblyscript/package.json')],
};

const AS_014_PROXY_RUNTIME: Toolchain = {
  name: 'as014',
  compiler: 'node_modules/assemblyscript-0.14/bin/asc',
  // The flags of the SDK's README and of the reference builds.
  args: (src, out) => [src, '-b', out, '--use', 'abort=abort_proc_exit', '--optimize'],
  sources: 'gateway/wasm/testdata/compat',
  inputs: async (root) => {
    const sdk = join(root, 'node_modules/@solo-io/proxy-runtime/assembly');
    const files = (await readdir(sdk)).sort().map((f) => join(sdk, f));
    return [...files, join(root, 'node_modules/assemblyscript-0.14/package.json')];
  },
};

async function build(toolchain: Toolchain, name: string): Promise<string> {
  const root = repoRoot();
  const srcDir = join(root, toolchain.sources);
  const sources = (await readdir(srcDir)).filter((f) => f.endsWith('.as')).sort();
  if (!sources.includes(`${name}.as`)) throw new Error(`no test module ${join(srcDir, `${name}.as`)}`);
  const hash = createHash('sha256');
  const contents = new Map<string, Buffer>();
  for (const f of sources) {
    const c = await readFile(join(srcDir, f));
    contents.set(f, c);
    hash.update(f).update(c);
  }
  for (const f of await toolchain.inputs(root)) hash.update(f.slice(root.length)).update(await readFile(f));
  hash.update(toolchain.args('SRC', 'OUT').join(' '));
  const key = hash.digest('hex').slice(0, 16);
  const outDir = join(root, 'build/wasm-test');
  const out = join(outDir, `${toolchain.name}-${name}-${key}.wasm`);
  if (existsSync(out)) return out;
  // Stage the sources as .ts (per process, so that parallel test files do not step on each other).
  const stage = join(outDir, 'src', `${toolchain.name}-${key}-${process.pid}`);
  await mkdir(stage, { recursive: true });
  for (const [f, c] of contents) await writeFile(join(stage, f.replace(/\.as$/, '.ts')), c);
  const tmp = `${out}.${process.pid}.tmp`;
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(root, toolchain.compiler), ...toolchain.args(join(stage, `${name}.ts`), tmp)],
        { cwd: root, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        (err, _stdout, stderr) => {
          if (err) reject(new Error(`building ${name}.as with ${toolchain.compiler} failed: ${err.message}\n${stderr}`));
          else resolve();
        },
      );
    });
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
  // Another test process may have built the same module meanwhile: the rename is atomic either way.
  await rename(tmp, out);
  return out;
}

const builds = new Map<string, Promise<string>>();

function memo(toolchain: Toolchain, name: string): Promise<string> {
  const key = `${toolchain.name}:${name}`;
  let p = builds.get(key);
  if (p === undefined) builds.set(key, (p = build(toolchain, name)));
  return p;
}

/** Path of the built ABI-level test module gateway/wasm/testdata/<name>.as. */
export function testModule(name: string): Promise<string> {
  return memo(AS_028, name);
}

/** Path of the built proxy-runtime example gateway/wasm/testdata/compat/<name>.as. */
export function compatModule(name: string): Promise<string> {
  return memo(AS_014_PROXY_RUNTIME, name);
}
