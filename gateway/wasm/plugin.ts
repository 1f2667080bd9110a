// A plugin: one configured `wasm` filter (Envoy's PluginConfig) on its VM, with its root context.
import type { Counter, FilterStats, HttpCall } from '../../sdk/filter.js';
import type { FilterLogger } from '../../sdk/logger.js';
import type { RootContext } from './contexts.js';
import type { WasmVm } from './wasm-vm.js';

export interface PluginCounters {
  /** The VM failed (trap, proc_exit, memory limit, failed start) during a callback of this plugin. */
  readonly vmFailed: Counter;
  /** The VM was rebuilt and this plugin's root context started again. */
  readonly vmReloaded: Counter;
  /** A stream of this plugin was failed (503 `wasm_fail_stream`) or passed (fail_open) because its VM failed. */
  readonly streamFailed: Counter;
}

export interface PluginSettings {
  readonly name: string;
  readonly rootId: string;
  readonly vmId: string;
  readonly vmConfig: Buffer;
  readonly pluginConfig: Buffer;
  readonly failOpen: boolean;
}

export class WasmPlugin implements PluginSettings {
  /** The root context on the VM's current instance; null while the VM is down. */
  root: RootContext | null = null;
  readonly counters: PluginCounters;
  readonly name: string;
  readonly rootId: string;
  readonly vmId: string;
  readonly vmConfig: Buffer;
  readonly pluginConfig: Buffer;
  readonly failOpen: boolean;

  constructor(
    readonly vm: WasmVm,
    settings: PluginSettings,
    readonly stats: FilterStats,
    readonly log: FilterLogger,
    readonly httpCall: HttpCall,
  ) {
    this.name = settings.name;
    this.rootId = settings.rootId;
    this.vmId = settings.vmId;
    this.vmConfig = settings.vmConfig;
    this.pluginConfig = settings.pluginConfig;
    this.failOpen = settings.failOpen;
    this.counters = {
      vmFailed: stats.counter('vm_failed'),
      vmReloaded: stats.counter('vm_reloaded'),
      streamFailed: stats.counter('stream_failed'),
    };
  }
}
