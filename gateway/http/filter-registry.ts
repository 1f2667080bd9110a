// Finds the factory of an http_filters entry, or of a network filter of filter_chains[].filters: a built-in
// by name (or `type`), or a user's module by path. HTTP and network filters are two kinds, each with its own
// names (`local_ratelimit` is both an HTTP and a network filter).
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HttpFilterFactory } from '../../sdk/filter.js';
import { isNetworkFilterFactory } from '../../sdk/network-filter.js';
import type { NetworkFilterFactory } from '../../sdk/network-filter.js';
import type { HttpFilterConfig } from '../config/types.js';
import { TERMINAL_NAMES } from '../network/terminal-config.js';

type Kind = 'http' | 'network';
type FactoryOf<K extends Kind> = K extends 'http' ? HttpFilterFactory : NetworkFilterFactory;

export class FilterRegistry {
  private readonly builtins = new Map<string, HttpFilterFactory>();
  private readonly networkBuiltins = new Map<string, NetworkFilterFactory>();
  /** One import per module path for the life of the process (a reload re-reads config, not code). */
  private readonly modules = new Map<string, Promise<HttpFilterFactory | NetworkFilterFactory>>();

  register(factory: HttpFilterFactory | NetworkFilterFactory): this {
    const network = isNetworkFilterFactory(factory);
    const map: Map<string, HttpFilterFactory | NetworkFilterFactory> = network ? this.networkBuiltins : this.builtins;
    if (map.has(factory.name)) throw new Error(`${network ? 'network ' : ''}filter "${factory.name}" is registered twice`);
    map.set(factory.name, factory);
    return this;
  }

  networkNames(): string[] {
    return [...this.networkBuiltins.keys()].sort();
  }

  names(): string[] {
    return [...this.builtins.keys()].sort();
  }

  /** The resolver the config validator and the chain builder use. */
  readonly resolve = async (entry: HttpFilterConfig, configDir: string): Promise<HttpFilterFactory> => {
    if (entry.module !== undefined) {
      if (entry.type !== undefined) throw new Error('give either "type" or "module", not both');
      return this.loadModule(resolve(configDir, entry.module), 'http');
    }
    const key = entry.type ?? entry.name;
    const factory = this.builtins.get(key);
    if (factory === undefined) {
      const known = this.names();
      throw new Error(`unknown filter "${key}"${known.length > 0 ? `; known filters: ${known.join(', ')}` : ''}; a filter of your own needs "module"`);
    }
    return factory;
  };

  /** The same for a network filter of filter_chains[].filters (terminals are not registry filters). */
  readonly resolveNetwork = async (entry: HttpFilterConfig, configDir: string): Promise<NetworkFilterFactory> => {
    if (entry.module !== undefined) {
      if (entry.type !== undefined) throw new Error('give either "type" or "module", not both');
      return this.loadModule(resolve(configDir, entry.module), 'network');
    }
    const key = entry.type ?? entry.name;
    const factory = this.networkBuiltins.get(key);
    if (factory === undefined) {
      const known = [...TERMINAL_NAMES, ...this.networkNames()];
      throw new Error(`unknown network filter "${key}"; known network filters: ${known.join(', ')}; a filter of your own needs "module"`);
    }
    return factory;
  };

  private async loadModule<K extends Kind>(path: string, kind: K): Promise<FactoryOf<K>> {
    let p = this.modules.get(path);
    if (p === undefined) {
      p = importFactory(path);
      this.modules.set(path, p);
      // A failed import may succeed once the file is fixed: do not cache the failure.
      p.catch(() => this.modules.delete(path));
    }
    const factory = await p;
    if (isNetworkFilterFactory(factory) !== (kind === 'network')) {
      throw new Error(
        kind === 'network'
          ? `module ${path} exports an HTTP filter (defineHttpFilter); filter_chains[].filters needs a network filter (defineNetworkFilter)`
          : `module ${path} exports a network filter (defineNetworkFilter); http_filters needs an HTTP filter (defineHttpFilter)`,
      );
    }
    return factory as FactoryOf<K>;
  }
}

async function importFactory(path: string): Promise<HttpFilterFactory | NetworkFilterFactory> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot load module ${path}: ${(err as Error).message}`);
  }
  const f = (mod.default ?? mod.filter) as Partial<HttpFilterFactory> | undefined;
  if (f === undefined || typeof f !== 'object' || f === null) {
    throw new Error(`module ${path} has no default export (a filter factory made with defineHttpFilter or defineNetworkFilter)`);
  }
  const missing: string[] = [];
  if (typeof f.name !== 'string') missing.push('name (string)');
  if (typeof f.configSchema !== 'object' || f.configSchema === null) missing.push('configSchema (object)');
  if (typeof f.create !== 'function') missing.push('create (function)');
  if (missing.length > 0) throw new Error(`module ${path} does not export a filter factory: missing ${missing.join(', ')}`);
  return f as HttpFilterFactory | NetworkFilterFactory;
}
