// The lifecycle an HTTP stream's context and a connection's context share on the plugin's VM: opened when
// the traffic reaches the filter, callbacks run against the VM generation it was opened on, a callback that
// does not return Continue (0) holds the traffic until the module continues it, the VM failing fails it
// (closed, or passed on with fail_open), and proxy_on_done / on_log / on_delete end it.
import { FilterStatus } from '../../sdk/status.js';
import type { StreamContext } from '../../sdk/filter.js';
import type { LiveContext } from './contexts.js';
import type { WasmPlugin } from './plugin.js';
import type { WasmStream } from './stream.js';
import { WasmVmFailed } from './wasm-vm.js';

export abstract class LiveContextBase implements LiveContext {
  abstract readonly http: WasmStream | null;
  abstract readonly stream: StreamContext | null;
  /** The context id on the VM; 0 until the traffic reaches this filter. */
  id = 0;
  /** Values the module stored with proxy_set_property, by path. */
  properties: Map<string, Buffer> | null = null;
  readonly streamCreatedAt = Date.now();
  /** The VM generation the context was opened on: a rebuilt VM does not know it. */
  private generation = -1;
  /** The filter returned Stop and waits for the module. */
  protected paused = false;
  /** The module continued during the callback in progress. */
  private continued = false;
  /** Failed with fail_open: the rest of the traffic passes this filter by. */
  protected dead = false;

  constructor(readonly plugin: WasmPlugin) {}

  abstract vmFailed(): void;
  /** The module ended the traffic itself (a local reply, a close): nothing waits for it to continue. */
  protected abstract endedByModule(): boolean;
  /** Lets held traffic go on. */
  protected abstract continueHeld(): void;
  /** The VM is down and fail_open is off: end the traffic. */
  protected abstract refuse(): void;

  /** proxy_continue_stream, applied after the module's callback returned. */
  resume(): void {
    this.continued = true;
    if (!this.paused) return;
    this.paused = false;
    this.continueHeld();
  }

  /** Opens the context on the VM; false when the VM is down. */
  protected open(): boolean {
    const vm = this.plugin.vm;
    if (!vm.ensureRunning()) return false;
    vm.openStream(this);
    this.generation = vm.generation;
    return true;
  }

  /** Runs a callback of this context; throws WasmVmFailed when the VM is (or went) down. */
  protected callback(name: string, ...args: number[]): number {
    const vm = this.plugin.vm;
    if (this.generation !== vm.generation) throw new WasmVmFailed(vm.failure ?? new Error('the VM was rebuilt'));
    this.continued = false;
    return vm.call(this, name, ...args);
  }

  /** Runs a callback and returns what the filter returns after it (a failed VM fails the traffic). */
  protected step(name: string, ...args: number[]): FilterStatus {
    try {
      return this.after(this.callback(name, ...args));
    } catch (err) {
      return this.failed(err);
    }
  }

  /** What the filter returns after a callback returned `result`. */
  protected after(result: number): FilterStatus {
    if (result === 0 || this.continued) return FilterStatus.Continue;
    this.paused = !this.endedByModule();
    return FilterStatus.Stop;
  }

  /** The module's own close callbacks, run before proxy_on_done (a connection has some). */
  protected beforeDone(): void {}

  /** Ends the context: proxy_on_done, on_log and on_delete; a VM that failed or was rebuilt has forgotten the context. */
  protected finish(): void {
    const vm = this.plugin.vm;
    if (this.id !== 0 && !this.dead && this.generation === vm.generation) {
      try {
        this.beforeDone();
        vm.call(this, 'proxy_on_done', this.id);
        vm.call(this, 'proxy_on_log', this.id);
        vm.call(this, 'proxy_on_delete', this.id);
      } catch (err) {
        if (!(err instanceof WasmVmFailed)) throw err;
      }
    }
    vm.closeStream(this);
  }

  protected failed(err: unknown): FilterStatus {
    if (err instanceof WasmVmFailed) return this.fail();
    throw err;
  }

  /** The VM is down: with fail_open the rest of the traffic passes this filter, else it is refused. */
  protected fail(): FilterStatus {
    this.dead = true;
    this.plugin.vm.closeStream(this);
    this.plugin.counters.streamFailed.inc();
    if (this.plugin.failOpen) return FilterStatus.Continue;
    this.refuse();
    return FilterStatus.Stop;
  }
}
