// The `wasm` HTTP filter: runs a Proxy-Wasm module (Envoy's envoy.filters.http.wasm). create() compiles
// the module once per file, joins (or makes) the VM of (module, vm_id), starts the plugin's root
// context (on_context_create, on_vm_start, on_configure) and returns the per-stream constructor.
import { defineHttpFilter } from '../../sdk/filter.js';
import type { FilterStats, HttpFilterCreator } from '../../sdk/filter.js';
import { StatsScope } from '../stats/store.js';
import { compileWasmFile } from './compiled-module.js';
import type { ProvidedImports } from './compiled-module.js';
import { ENV_NAMES } from './host-env.js';
import { environ, modulePath, pluginSettings, wasmConfigSchema } from './plugin-config.js';
import type { WasmFilterConfig } from './plugin-config.js';
import { WasmPlugin } from './plugin.js';
import { WasmStream } from './stream.js';
import { WASI_MODULES, WASI_NAMES } from './wasi.js';
import { WasmVm } from './wasm-vm.js';

export const PROVIDED: ProvidedImports = new Map<string, ReadonlySet<string>>([['env', ENV_NAMES], ...WASI_MODULES.map((m) => [m, WASI_NAMES] as const)]);

const deliversRequestBody = (c: WasmFilterConfig): boolean => c.deliver_body === 'both' || c.deliver_body === 'request';
const deliversResponseBody = (c: WasmFilterConfig): boolean => c.deliver_body === 'both' || c.deliver_body === 'response';

export const wasmFilter = defineHttpFilter<WasmFilterConfig>({
  name: 'wasm',
  configSchema: wasmConfigSchema,
  needsRequestBody: deliversRequestBody,
  needsResponseBody: deliversResponseBody,
  async create(config, ctx): Promise<HttpFilterCreator> {
    const path = modulePath(config, ctx.configDir);
    const settings = pluginSettings(config, ctx.filterName);
    const compiled = await compileWasmFile(path, PROVIDED);
    const stats = pluginStats(ctx.stats, settings.name);
    let vm: WasmVm;
    try {
      vm = WasmVm.for(compiled, settings.vmId, config.vm_config.memory_limit, environ(config), ctx.log, stats);
    } catch (err) {
      throw new Error(`wasm module ${path} failed to start: ${(err as Error).message}`);
    }
    const plugin = new WasmPlugin(vm, settings, stats, ctx.log, ctx.httpCall);
    try {
      vm.addPlugin(plugin);
    } catch (err) {
      throw new Error(`wasm plugin "${settings.name}" (${path}) failed to start: ${(err as Error).message}`);
    }
    ctx.onDispose(() => vm.removePlugin(plugin));
    return (stream) => new WasmStream(plugin, stream);
  },
});

/**
 * The plugin's stats and its module's metrics: `wasm.<plugin name>.*`, tagged plugin, in the gateway's store;
 * the filter's own scope where the filter runs outside the gateway (the sdk test kit).
 */
function pluginStats(filterStats: FilterStats, pluginName: string): FilterStats {
  return filterStats instanceof StatsScope ? filterStats.store.scope('wasm', 'plugin', pluginName) : filterStats;
}
