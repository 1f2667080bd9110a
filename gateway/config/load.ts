// Reads a config file (YAML or JSON) or takes a config object from code, and validates it.
// Every failure, from a missing file to a bad field, is a ConfigValidationError, so the CLI and the
// reloader print all of them the same way.
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigValidationError, type ConfigError } from './errors.js';
import type { GatewayConfig } from './types.js';
import { validateConfig, type FilterResolver, type NetworkFilterResolver } from './validate.js';

/** Where errors that are about the file itself (reading, syntax) are reported. */
export const FILE_PATH = '(file)';

export interface LoadedConfig {
  /** Validated, defaults filled in, deep-frozen. */
  config: GatewayConfig;
  /** Absolute directory that relative paths in the config (filter modules, files) are resolved from. */
  configDir: string;
  /** Absolute path of the config file, when it came from one. */
  path?: string;
}

export async function loadConfigFile(
  path: string,
  resolveFilter: FilterResolver,
  resolveNetworkFilter?: NetworkFilterResolver,
): Promise<Required<LoadedConfig>> {
  const file = resolve(path);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw fileError(file, `cannot read the file: ${(err as Error).message}`);
  }
  const raw = parseConfigText(text, file);
  const configDir = dirname(file);
  try {
    return { config: await validateConfig(raw, { configDir, resolveFilter, resolveNetworkFilter }), configDir, path: file };
  } catch (err) {
    // Name the file in the message.
    if (err instanceof ConfigValidationError) throw new ConfigValidationError(err.errors, file);
    throw err;
  }
}

/** For a config given in code; `configDir` is where its relative paths are resolved from. */
export async function loadConfigObject(
  raw: unknown,
  configDir: string,
  resolveFilter: FilterResolver,
  resolveNetworkFilter?: NetworkFilterResolver,
): Promise<LoadedConfig> {
  const dir = resolve(configDir);
  return { config: await validateConfig(raw, { configDir: dir, resolveFilter, resolveNetworkFilter }), configDir: dir };
}

function fileError(file: string, ...messages: string[]): ConfigValidationError {
  return new ConfigValidationError(
    messages.map((message): ConfigError => ({ path: FILE_PATH, message })),
    file,
  );
}

function parseConfigText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') return parseYaml(text, file);
  if (ext === '.json') return parseJson(text, file);
  throw fileError(file, `unsupported file type "${ext}": use .yaml, .yml or .json`);
}

function parseYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter();
  // merge: YAML merge keys (<<: *defaults) are handy for repeated cluster or route settings.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, merge: true });
  if (doc.errors.length > 0) {
    throw fileError(
      file,
      ...doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return `line ${line}, column ${col}: ${e.message}`;
      }),
    );
  }
  try {
    return doc.toJS();
  } catch (err) {
    throw fileError(file, (err as Error).message); // e.g. too many aliases
  }
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const at = /at position (\d+)/.exec(message);
    if (at === null) throw fileError(file, message);
    const before = text.slice(0, Number(at[1])).split('\n');
    throw fileError(file, `line ${before.length}, column ${before[before.length - 1]!.length + 1}: ${message}`);
  }
}
