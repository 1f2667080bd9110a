// For the tests of the WASM filters: builds the modules once per test process (node
// assembly/build.mjs, which skips what is up to date) and says where they are.
import { execFile } from 'node:child_process';
import { access } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BUILD_TIMEOUT_MS = 300_000;

let built: Promise<string> | undefined;

/** The folder holding `<name>.wasm` for every shipped filter and example, built if needed. */
export function wasmBuildDir(): Promise<string> {
  built ??= build();
  return built;
}

/** Absolute path of a built module. */
export async function wasmModule(name: string): Promise<string> {
  return join(await wasmBuildDir(), `${name}.wasm`);
}

async function build(): Promise<string> {
  const root = await repoRoot();
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [join(root, 'assembly', 'build.mjs')], { cwd: root, timeout: BUILD_TIMEOUT_MS }, (err, _stdout, stderr) =>
      err ? reject(new Error(`assembly/build.mjs failed: ${stderr || err.message}`)) : resolve(),
    );
  });
  return join(root, 'build', 'wasm');
}

/** The repository: above this file (source or build tree) or above the working directory. */
async function repoRoot(): Promise<string> {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      if (await access(join(dir, 'assembly', 'build.mjs')).then(() => true, () => false)) return dir;
      if (dirname(dir) === dir) break;
    }
  }
  throw new Error('assembly/build.mjs not found above the test or the working directory');
}
