import { test } from 'node:test';
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigValidationError } from './errors.js';
import { loadConfigFile, loadConfigObject } from './load.js';
import { EXAMPLE_YAML, exampleConfig, fakeResolver } from './testdata/fixtures.js';

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
async function inTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gateway-config-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What loadConfigFile rejects with, as `path: message` lines. */
async function fileErrors(file: string): Promise<{ message: string; lines: string[] }> {
  try {
    await loadConfigFile(file, fakeResolver());
  } catch (err) {
    assert.ok(err instanceof ConfigValidationError, String(err));
    return { message: err.message, lines: err.errors.map((e) => `${e.path}: ${e.message}`) };
  }
  assert.fail('the file was accepted');
}

test('a YAML file loads, validated, with its directory as configDir', async () => {
  await inTempDir(async (dir) => {
    const file = join(dir, 'gateway.yaml');
    await writeFile(file, EXAMPLE_YAML);
    const calls: { configDir: string }[] = [];
    const config = exampleConfig();
    const filtered = EXAMPLE_YAML.replace('- name: router', '- { name: cors, config: { allow_origins: ["*"] } }\n                - name: router');
    await writeFile(join(dir, 'with-filter.yml'), filtered);
    const loaded = await loadConfigFile(relative(process.cwd(), file), fakeResolver());
    assert.equal(loaded.path, file);
    assert.equal(loaded.configDir, dir);
    assert.equal(loaded.config.clusters.length, config.clusters.length);
    assert.equal(loaded.config.clusters[1]!.connect_timeout, '5s');
    assert.ok(Object.isFrozen(loaded.config));
    await loadConfigFile(join(dir, 'with-filter.yml'), fakeResolver(calls as any));
    assert.deepEqual(calls.map((c) => c.configDir), [dir]);
  });
});

test('a JSON file loads the same config', async () => {
  await inTempDir(async (dir) => {
    const file = join(dir, 'gateway.json');
    await writeFile(file, JSON.stringify(exampleConfig(), null, 2));
    const loaded = await loadConfigFile(file, fakeResolver());
    const fromYaml = await loadConfigObject(exampleConfig(), dir, fakeResolver());
    assert.deepEqual(loaded.config, fromYaml.config);
  });
});

test('a YAML syntax error is reported with line and column at (file)', async () => {
  await inTempDir(async (dir) => {
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'admin:\n  port: 9901\nclusters: []\nclusters: []\nlisteners: [ { name: a }\n');
    const { message, lines } = await fileErrors(file);
    assert.equal(lines[0], '(file): line 4, column 1: Map keys must be unique');
    assert.ok(lines.length >= 2, lines.join('\n'));
    assert.match(lines[1]!, /^\(file\): line \d+, column \d+: /);
    assert.ok(message.startsWith(`invalid config ${file} (`), message);
  });
});

test('a JSON syntax error is reported with line and column', async () => {
  await inTempDir(async (dir) => {
    const file = join(dir, 'bad.json');
    await writeFile(file, '{\n  "listeners": [],\n  "clusters": [],\n}\n');
    const { lines } = await fileErrors(file);
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\(file\): line 4, column 1: /);
  });
});

test('validation errors of a file name the file', async () => {
  await inTempDir(async (dir) => {
    const file = join(dir, 'gateway.yaml');
    await writeFile(file, EXAMPLE_YAML.replace('port: 8080', 'port: 80800'));
    const { message, lines } = await fileErrors(file);
    assert.deepEqual(lines, ['listeners[0].port: must be <= 65535']);
    assert.equal(message, `invalid config ${file} (1 error):\nlisteners[0].port: must be <= 65535`);
  });
});

test('a missing file or an unknown extension is a (file) error', async () => {
  await inTempDir(async (dir) => {
    const missing = await fileErrors(join(dir, 'nope.yaml'));
    assert.equal(missing.lines.length, 1);
    assert.match(missing.lines[0]!, /^\(file\): cannot read the file: ENOENT/);
    const toml = join(dir, 'gateway.toml');
    await writeFile(toml, 'x = 1');
    assert.deepEqual((await fileErrors(toml)).lines, ['(file): unsupported file type ".toml": use .yaml, .yml or .json']);
  });
});

test('loadConfigObject validates a config given in code and resolves its configDir', async () => {
  const calls: { configDir: string }[] = [];
  const config = exampleConfig();
  config.listeners[0].filter_chains[0].filters[0].config.http_filters.unshift({ name: 'mine', module: './mine.js' });
  await assert.rejects(loadConfigObject(config, 'conf', fakeResolver(calls as any)), ConfigValidationError);
  assert.deepEqual(calls.map((c) => c.configDir), [join(process.cwd(), 'conf')]);
  const loaded = await loadConfigObject(exampleConfig(), '/srv/gw', fakeResolver());
  assert.equal(loaded.configDir, '/srv/gw');
  assert.equal(loaded.path, undefined);
});

/** docs/configuration.md, looked for above this test (source or build tree) and above the working directory. */
async function findConfigurationDoc(): Promise<string> {
  for (const start of [dirname(fileURLToPath(import.meta.url)), process.cwd()]) {
    for (let dir = start; ; dir = dirname(dir)) {
      const candidate = join(dir, 'docs', 'configuration.md');
      if (await access(candidate).then(() => true, () => false)) return candidate;
      if (dirname(dir) === dir) break;
    }
  }
  assert.fail('docs/configuration.md not found');
}

test('the complete example of docs/configuration.md is the tested one', async () => {
  const doc = await readFile(await findConfigurationDoc(), 'utf8');
  const example = /## A complete example[\s\S]*?```yaml\n([\s\S]*?)```/.exec(doc);
  assert.ok(example, 'the doc has a complete example in a yaml block');
  assert.equal(example[1], EXAMPLE_YAML);
});
