// Builds every WASM filter we ship (assembly/filters/<name>/index.ts) and the AssemblyScript examples
// (examples/<example>/assembly/<name>/index.ts)
// into build/wasm/<name>.wasm with AssemblyScript 0.28. A module is rebuilt only when its inputs
// (its folder, the SDK, the compiler version, these flags) changed; a compile error exits non-zero
// with the compiler's message. Usage: node assembly/build.mjs [--force]
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'build', 'wasm');
const sdkDir = join(root, 'assembly', 'sdk');
const require = createRequire(import.meta.url);
const ascPackage = require.resolve('assemblyscript/package.json', { paths: [root] });
const ascBin = join(dirname(ascPackage), 'bin', 'asc.js');
const ascVersion = JSON.parse(readFileSync(ascPackage, 'utf8')).version;

// What the Proxy-Wasm ABI needs from an AssemblyScript module:
// - `_initialize` instead of a start section, so top-level code runs when the host is ready to serve
//   its calls (registerRootContext may log);
// - our abort handler, because hosts provide no `env.abort`;
// - the default incremental GC runtime, no exported runtime helpers (the host allocates through
//   proxy_on_memory_allocate), no WASI.
const FLAGS = [
  '--optimize',
  '--runtime', 'incremental',
  '--exportStart', '_initialize',
  '--use', 'abort=assembly/sdk/abort/proxyAbort',
];

/** Every module to build: name → entry file and the folder whose files are its own inputs. */
function targets() {
  const list = [];
  const filtersDir = join(root, 'assembly', 'filters');
  for (const name of readdirSync(filtersDir).sort()) {
    const entry = join(filtersDir, name, 'index.ts');
    if (existsSync(entry)) list.push({ name, entry, dir: join(filtersDir, name) });
  }
  // Examples keep their AssemblyScript beside the rest of the example: examples/<example>/assembly/<name>/index.ts
  const examplesDir = join(root, 'examples');
  for (const example of readdirSync(examplesDir).sort()) {
    const asDir = join(examplesDir, example, 'assembly');
    if (!existsSync(asDir)) continue;
    for (const name of readdirSync(asDir).sort()) {
      const entry = join(asDir, name, 'index.ts');
      if (existsSync(entry)) list.push({ name, entry, dir: join(asDir, name) });
    }
  }
  return list;
}

function sourceFiles(dir) {
  const files = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts')) files.push(path);
  }
  return files.sort();
}

function inputsHash(target) {
  const hash = createHash('sha256');
  hash.update(`asc ${ascVersion}\n${FLAGS.join(' ')}\n`);
  for (const file of [...sourceFiles(sdkDir), ...sourceFiles(target.dir)]) {
    hash.update(relative(root, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

function build(target, force) {
  const output = join(outDir, `${target.name}.wasm`);
  const stamp = `${output}.sha256`;
  const hash = inputsHash(target);
  if (!force && existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hash) return false;
  // Compile beside the output and rename: a test process reading the module never sees half a file.
  const partial = `${output}.${process.pid}.partial`;
  try {
    execFileSync(process.execPath, [ascBin, relative(root, target.entry), '-o', partial, ...FLAGS], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  } catch (err) {
    const message = [err.stdout, err.stderr].filter(Boolean).map(String).join('').trim() || String(err.message);
    process.stderr.write(`assembly/build.mjs: ${target.name} failed to compile:\n${message}\n`);
    process.exit(1);
  }
  renameSync(partial, output);
  writeFileSync(stamp, hash);
  return true;
}

mkdirSync(outDir, { recursive: true });
const force = process.argv.includes('--force');
for (const target of targets()) {
  const built = build(target, force);
  const size = statSync(join(outDir, `${target.name}.wasm`)).size;
  process.stdout.write(`${built ? 'built' : 'up to date'}: build/wasm/${target.name}.wasm (${size} bytes)\n`);
}
