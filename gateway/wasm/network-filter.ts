// The `wasm` network filter: a Proxy-Wasm module as a network filter of a filter chain (Envoy's
// envoy.filters.network.wasm), configured like the HTTP `wasm` filter (vm_config, configuration, root_id,
// fail_open). create() compiles the module once per file, joins (or makes) the VM of (module, vm_id), starts
// the plugin's root context, and returns the per-connection constructor.
import { HttpCallError } from '../../sdk/filter.js';
import type { HttpCall } from '../../sdk/filter.js';
import { defineNetworkFilter } from '../../sdk/network-filter.js';
import type { NetworkFilterCreator } from '../../sdk/network-filter.js';
import { compileWasmFile } from './compiled-module.js';
import { PROVIDED } from './wasm-filter.js';
import { StatsStore } from '../stats/store.js';
import { environ, modulePath, pluginSettings, wasmConfigSchema } from './plugin-config.js';
import type { WasmFilterConfig } from './plugin-config.js';
import { WasmPlugin } from './plugin.js';
import { WasmConnection } from './network-connection.js';
import { WasmVm } from './wasm-vm.js';

/** Network filters get no cluster calls (proxy_http_call answers as if the cluster did not exist). */
const noHttpCalls: HttpCall = (cluster) => Promise.reject(new HttpCallError('unknown_cluster', `http calls are not available to network filters (cluster "${cluster}")`));

export const wasmNetworkFilter = defineNetworkFilter<WasmFilterConfig>({
  name: 'wasm',
  configSchema: wasmConfigSchema,
  async create(config, ctx): Promise<NetworkFilterCreator> {
    const path = modulePath(config, ctx.configDir);
    const settings = pluginSettings(config, ctx.filterName);
    const compiled = await compileWasmFile(path, PROVIDED);
    // As the HTTP wasm filter's: wasm.<plugin name>.* (the module's metrics too); the kit's own scope elsewhere.
    const stats = ctx.stats instanceof StatsStore ? ctx.stats.scope('wasm', 'plugin', settings.name) : ctx.stats;
    let vm: WasmVm;
    try {
      vm = WasmVm.for(compiled, settings.vmId, config.vm_config.memory_limit, environ(config), ctx.log, stats);
    } catch (err) {
      throw new Error(`wasm module ${path} failed to start: ${(err as Error).message}`);
    }
    const plugin = new WasmPlugin(vm, settings, stats, ctx.log, noHttpCalls);
    try {
      vm.addPlugin(plugin);
    } catch (err) {
      throw new Error(`wasm plugin "${settings.name}" (${path}) failed to start: ${(err as Error).message}`);
    }
    ctx.onDispose(() => vm.removePlugin(plugin));
    return (conn) => new WasmConnection(plugin, conn);
  },
});
