// Finds the factory of an http_filters entry: a built-in by name (or `type`), or a user's module by path.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { HttpFilterFactory } from '../../sdk/filter.js';
import type { HttpFilterConfig } from '../config/types.js';

export class FilterRegistry {
  private readonly builtins = new Map<string, HttpFilterFactory>();
  /** One import per module path for the life of the process (a reload re-reads config, not code). */
  private readonly modules = new Map<string, Promise<HttpFilterFactory>>();

  register(factory: HttpFilterFactory): this {
    if (this.builtins.has(factory.name)) throw new Error(`filter "${factory.name}" is registered twice`);
    this.builtins.set(factory.name, factory);
    return this;
  }

  names(): string[] {
    return [...this.builtins.keys()].sort();
  }

  /** The resolver the config validator and the chain builder use. */
  readonly resolve = async (entry: HttpFilterConfig, configDir: string): Promise<HttpFilterFactory> => {
    if (entry.module !== undefined) {
      if (entry.type !== undefined) throw new Error('give either "type" or "module", not both');
      return this.loadModule(resolve(configDir, entry.module));
    }
    const key = entry.type ?? entry.name;
    const factory = this.builtins.get(key);
    if (factory === undefined) {
      const known = this.names();
      throw new Error(`unknown filter "${key}"${known.length > 0 ? `; known filters: ${known.join(', ')}` : ''}; a filter of your own needs "module"`);
    }
    return factory;
  };

  private loadModule(path: string): Promise<HttpFilterFactory> {
    let p = this.modules.get(path);
    if (p === undefined) {
      p = importFactory(path);
      this.modules.set(path, p);
      // A failed import may succeed once the file is fixed: do not cache the failure.
      p.catch(() => this.modules.delete(path));
    }
    return p;
  }
}

async function importFactory(path: string): Promise<HttpFilterFactory> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot load module ${path}: ${(err as Error).message}`);
  }
  const f = (mod.default ?? mod.filter) as Partial<HttpFilterFactory> | undefined;
  if (f === undefined || typeof f !== 'object' || f === null) {
    throw new Error(`module ${path} has no default export (a filter factory made with defineHttpFilter)`);
  }
  const missing: string[] = [];
  if (typeof f.name !== 'string') missing.push('name (string)');
  if (typeof f.configSchema !== 'object' || f.configSchema === null) missing.push('configSchema (object)');
  if (typeof f.create !== 'function') missing.push('create (function)');
  if (missing.length > 0) throw new Error(`module ${path} does not export a filter factory: missing ${missing.join(', ')}`);
  return f as HttpFilterFactory;
}
