// The contexts a module's callbacks run in: a root context per plugin, a context per HTTP stream or per connection (network filters).
// Host functions act on the "active" context: the one whose callback runs, or the one the module
// chose with proxy_set_effective_context.
import type { PropertySource } from './properties.js';
import type { QueueOwner } from './shared-queues.js';
import type { WasmPlugin } from './plugin.js';
import type { WasmStream } from './stream.js';
import type { WasmConnection } from './network-connection.js';

export interface WasmContext extends PropertySource {
  readonly id: number;
  readonly plugin: WasmPlugin;
  /** The host side of the HTTP stream, null for a root context. */
  readonly http: WasmStream | null;
  /** The host side of a network filter's connection, null otherwise. */
  readonly net?: WasmConnection | null;
  /** Values the module stored with proxy_set_property, by path. */
  properties: Map<string, Buffer> | null;
}

/** Envoy's RootContext: one per plugin (per configured filter) on its VM; owns ticks, http calls and queues. */
export class RootContext implements WasmContext, QueueOwner {
  readonly http = null;
  readonly stream = null;
  readonly streamCreatedAt = 0;
  properties: Map<string, Buffer> | null = null;
  tick: NodeJS.Timeout | null = null;

  constructor(
    readonly id: number,
    readonly plugin: WasmPlugin,
  ) {}

  queueReady(queueId: number): void {
    this.plugin.vm.queueReady(this, queueId);
  }

  stopTick(): void {
    if (this.tick !== null) clearInterval(this.tick);
    this.tick = null;
  }
}

/** A context that lives on the VM between the root's: an HTTP stream or a connection. The VM fails it when it fails. */
export interface LiveContext extends WasmContext {
  id: number;
  /** The VM failed while this context was live. */
  vmFailed(): void;
}
