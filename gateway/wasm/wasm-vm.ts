// One VM: an instance of a compiled module, shared by every plugin (root context) configured with the
// same file and vm_id in this process, and by all their streams. It runs the module's callbacks one at
// a time, applies what the module asked of streams once each callback has returned, enforces the
// memory limit, and when the module traps (or outgrows its limit) marks itself failed, fails its
// paused streams, and is rebuilt from the compiled module on a later request, with back-off.
import type { FilterStats, HttpCallRequest } from '../../sdk/filter.js';
import type { FilterLogger } from '../../sdk/logger.js';
import type { CompiledWasm } from './compiled-module.js';
import { RootContext } from './contexts.js';
import type { LiveContext, WasmContext } from './contexts.js';
import { GuestMemory, GuestMemoryError } from './guest-memory.js';
import { envImports } from './host-env.js';
import { EMPTY_MAP, ReadOnlyHeaderMap, responsePairs } from './header-maps.js';
import type { WasmHeaderMap } from './header-maps.js';
import { LiveStreams } from './live-streams.js';
import { WasmMetrics } from './metrics.js';
import type { WasmPlugin } from './plugin.js';
import { wasiImports, WASI_MODULES } from './wasi.js';
import type { AbiVersion } from './abi.js';

/** Back-off between rebuilds of a failed VM: doubles from the base to the max; reset after a VM lived this long. */
export const REBUILD_BACKOFF_BASE_MS = 100;
export const REBUILD_BACKOFF_MAX_MS = 30_000;
const BACKOFF_RESET_AFTER_MS = 60_000;

/** Thrown to the caller of a callback during which the VM failed (the failure is already handled). */
export class WasmVmFailed extends Error {
  constructor(cause: Error) {
    super(`wasm VM failed: ${cause.message}`, { cause });
    this.name = 'WasmVmFailed';
  }
}

/** An http call's response while proxy_on_http_call_response runs. */
export interface CalloutResponse {
  readonly headers: WasmHeaderMap;
  readonly trailers: WasmHeaderMap;
  readonly body: Buffer;
}

type GuestFunction = (...args: number[]) => unknown;

const EMPTY = Buffer.alloc(0);

export class WasmVm {
  private static readonly vms = new Map<string, WasmVm>();

  /** The VM of (compiled module, vm_id) in this process, made on first use. */
  static for(compiled: CompiledWasm, vmId: string, memoryLimit: number, environ: Buffer[], log: FilterLogger, stats: FilterStats): WasmVm {
    const key = vmKey(compiled, vmId);
    let vm = WasmVm.vms.get(key);
    if (vm === undefined) WasmVm.vms.set(key, (vm = new WasmVm(compiled, vmId, memoryLimit, environ, log, stats)));
    return vm;
  }

  readonly plugins: WasmPlugin[] = [];
  readonly metrics = new WasmMetrics();
  /** Bumped when the VM fails: callbacks and callouts of an older generation are dropped. */
  generation = 0;
  /** Why the VM is down; null while it runs. */
  failure: Error | null = null;
  callout: CalloutResponse | null = null;

  private fns = new Map<string, GuestFunction>();
  private mem!: GuestMemory;
  private readonly roots = new Map<number, RootContext>();
  private readonly streams = new LiveStreams();
  private nextContextId = 1;
  private nextToken = 1;
  private current: WasmContext | null = null;
  private effective: WasmContext | null = null;
  private depth = 0;
  private deferred: (() => void)[] = [];
  private consecutiveFailures = 0;
  private nextRebuildAt = 0;
  private startedAt = Date.now();

  private constructor(
    readonly compiled: CompiledWasm,
    readonly vmId: string,
    readonly memoryLimit: number,
    readonly environ: readonly Buffer[],
    /** The logger and stats scope of the plugin that made the VM: for what the module does outside any context. */
    readonly log: FilterLogger,
    readonly stats: FilterStats,
  ) {
    this.instantiate();
  }

  get abi(): AbiVersion {
    return this.compiled.abi;
  }

  get memory(): GuestMemory {
    return this.mem;
  }

  get firstPlugin(): WasmPlugin | null {
    return this.plugins[0] ?? null;
  }

  /** The context host functions act on: the effective one if the module set it, else the current callback's. */
  activeContext(): WasmContext | null {
    return this.effective ?? this.current;
  }

  setEffectiveContext(id: number): boolean {
    const ctx = this.roots.get(id) ?? this.streams.get(id);
    if (ctx === undefined) return false;
    this.effective = ctx;
    return true;
  }

  /** Runs `action` once the callback in progress has returned. */
  defer(action: () => void): void {
    this.deferred.push(action);
  }

  // ---- instance ----
  private instantiate(): void {
    const env = envImports(this);
    const wasi = wasiImports({ memory: () => this.mem, log: this.log, environ: this.environ });
    const imports: Record<string, Record<string, WebAssembly.ImportValue>> = {};
    for (const imp of this.compiled.imports) {
      const table = imp.module === 'env' ? env : (WASI_MODULES as readonly string[]).includes(imp.module) ? wasi : undefined;
      const fn = table?.[imp.name];
      if (fn === undefined) throw new Error(`host function ${imp.module}.${imp.name} is missing`); // checked at compile
      (imports[imp.module] ??= {})[imp.name] = guarded(fn as (...args: unknown[]) => unknown);
    }
    const instance = new WebAssembly.Instance(this.compiled.module, imports);
    const fns = new Map<string, GuestFunction>();
    for (const [name, value] of Object.entries(instance.exports)) if (typeof value === 'function') fns.set(name, value as GuestFunction);
    const alloc = fns.get('proxy_on_memory_allocate') ?? fns.get('malloc');
    this.fns = fns;
    this.mem = new GuestMemory(instance.exports.memory as WebAssembly.Memory, alloc === undefined ? null : (n) => Number(alloc(n)));
    this.startedAt = Date.now();
    // WASI reactors initialise with _initialize (then main, when there is one); commands with _start.
    if (fns.has('_initialize')) {
      this.call(null, '_initialize');
      if (fns.has('main')) this.call(null, 'main', 0, 0);
      else if (fns.has('__main_void')) this.call(null, '__main_void');
    } else if (fns.has('_start')) this.call(null, '_start');
  }

  /**
   * Runs one of the module's exports in a context; returns what it returned (0 when it does not export
   * it). Throws WasmVmFailed when the module trapped or went over its memory limit during the call.
   */
  call(ctx: WasmContext | null, name: string, ...args: number[]): number {
    const fn = this.fns.get(name);
    if (fn === undefined) return 0;
    if (this.failure !== null) throw new WasmVmFailed(this.failure);
    const prevCurrent = this.current;
    const prevEffective = this.effective;
    this.current = ctx;
    this.effective = null;
    this.depth++;
    let result: unknown;
    try {
      result = fn(...args);
    } catch (err) {
      this.depth--;
      this.current = prevCurrent;
      this.effective = prevEffective;
      throw this.fail(err instanceof Error ? err : new Error(String(err)), ctx?.plugin ?? null, name);
    }
    this.depth--;
    this.current = prevCurrent;
    this.effective = prevEffective;
    if (this.depth === 0) {
      const size = this.mem.byteLength;
      if (size > this.memoryLimit) {
        throw this.fail(new Error(`memory grew to ${size} bytes, over the limit of ${this.memoryLimit}`), ctx?.plugin ?? null, name);
      }
      this.runDeferred();
    }
    return typeof result === 'number' ? result : Number(result ?? 0);
  }

  /** Like call() for a callback answering a bool; true when the module does not export it. */
  callBool(ctx: WasmContext, name: string, ...args: number[]): boolean {
    return !this.fns.has(name) || this.call(ctx, name, ...args) !== 0;
  }

  private runDeferred(): void {
    while (this.deferred.length > 0) {
      const actions = this.deferred;
      this.deferred = [];
      for (const action of actions) {
        try {
          action();
        } catch (err) {
          this.log.error({ err }, 'wasm: applying a deferred stream action failed');
        }
      }
    }
  }

  // ---- failure and rebuild ----
  private fail(cause: Error, plugin: WasmPlugin | null, during: string): WasmVmFailed {
    if (this.failure !== null) return new WasmVmFailed(this.failure);
    this.failure = cause;
    this.generation++;
    this.deferred = [];
    this.callout = null;
    const now = Date.now();
    if (now - this.startedAt > BACKOFF_RESET_AFTER_MS) this.consecutiveFailures = 0;
    this.consecutiveFailures++;
    const backoff = Math.min(REBUILD_BACKOFF_BASE_MS * 2 ** (this.consecutiveFailures - 1), REBUILD_BACKOFF_MAX_MS);
    this.nextRebuildAt = now + backoff;
    for (const p of this.plugins) {
      p.root?.stopTick();
      p.root = null;
    }
    (plugin ?? this.firstPlugin)?.counters.vmFailed.inc();
    (plugin?.log ?? this.log).error(
      { err: cause, vm_id: this.vmId, module: this.compiled.path, during, rebuild_in_ms: backoff },
      'wasm VM failed',
    );
    this.roots.clear();
    const streams = this.streams.takeAll();
    // Paused streams wait for a module that is gone: fail them, outside the failing call.
    if (streams.length > 0) queueMicrotask(() => streams.forEach((s) => s.vmFailed()));
    return new WasmVmFailed(cause);
  }

  /** True when the VM runs; rebuilds a failed one once its back-off has passed (or at once when `force`). */
  ensureRunning(force = false): boolean {
    if (this.failure === null) return true;
    if (!force && Date.now() < this.nextRebuildAt) return false;
    try {
      this.failure = null;
      this.instantiate();
      for (const p of this.plugins) {
        const problem = this.startRoot(p);
        if (problem !== null) throw this.fail(new Error(problem), p, 'reload');
      }
    } catch (err) {
      if (this.failure === null) this.fail(err instanceof Error ? err : new Error(String(err)), null, 'reload');
      return false;
    }
    for (const p of this.plugins) p.counters.vmReloaded.inc();
    this.log.info({ vm_id: this.vmId, module: this.compiled.path }, 'wasm VM rebuilt');
    return true;
  }

  // ---- plugins and streams ----
  /** Adds a plugin (a configured filter) to this VM and starts its root context; throws when it does not start. */
  addPlugin(plugin: WasmPlugin): void {
    if (!this.ensureRunning(true)) throw new Error(`the wasm VM cannot start: ${this.failure!.message}`);
    this.plugins.push(plugin);
    let problem: string | null;
    try {
      problem = this.startRoot(plugin);
    } catch (err) {
      problem = (err as Error).message;
    }
    if (problem !== null) {
      this.plugins.splice(this.plugins.indexOf(plugin), 1);
      if (plugin.root !== null) this.roots.delete(plugin.root.id);
      plugin.root = null;
      throw new Error(problem);
    }
  }

  /**
   * Ends a released plugin (its config was released): its root context gets proxy_on_done then
   * proxy_on_delete (a false from on_done is not waited for: nothing of the plugin runs any more), its tick
   * stops, and it leaves the VM. The last plugin's going drops the VM: the next config to name the module
   * gets a fresh one.
   */
  removePlugin(plugin: WasmPlugin): void {
    const i = this.plugins.indexOf(plugin);
    if (i < 0) return;
    this.plugins.splice(i, 1);
    const root = plugin.root;
    plugin.root = null;
    if (root !== null) {
      // A root context exists only while the VM runs (a failure takes them all): it can be told.
      root.stopTick();
      this.callQuietly(root, 'proxy_on_done', root.id);
      this.callQuietly(root, 'proxy_on_delete', root.id);
      this.roots.delete(root.id);
    }
    const key = vmKey(this.compiled, this.vmId);
    if (this.plugins.length === 0 && WasmVm.vms.get(key) === this) WasmVm.vms.delete(key);
  }

  /** Creates and configures the plugin's root context; returns why it failed, or null. */
  private startRoot(plugin: WasmPlugin): string | null {
    const root = new RootContext(this.nextContextId++, plugin);
    this.roots.set(root.id, root);
    plugin.root = root;
    this.call(root, 'proxy_on_context_create', root.id, 0);
    if (!this.callBool(root, 'proxy_on_vm_start', root.id, plugin.vmConfig.length)) return 'proxy_on_vm_start returned false';
    if (!this.callBool(root, 'proxy_on_configure', root.id, plugin.pluginConfig.length)) return 'proxy_on_configure returned false: the module rejected its configuration';
    return null;
  }

  /** Gives the stream (or connection) its context id and creates its context (proxy_on_context_create). */
  openStream(stream: LiveContext): void {
    const root = stream.plugin.root;
    if (root === null) throw new WasmVmFailed(this.failure ?? new Error('the plugin has no root context'));
    stream.id = this.nextContextId++;
    this.streams.add(stream);
    this.call(stream, 'proxy_on_context_create', stream.id, root.id);
  }

  closeStream(stream: LiveContext): void {
    this.streams.delete(stream);
  }

  // ---- timers, callouts, queues ----
  setTickPeriod(plugin: WasmPlugin, ms: number): void {
    const root = plugin.root;
    if (root === null) return;
    root.stopTick();
    if (ms === 0) return;
    const generation = this.generation;
    root.tick = setInterval(() => {
      if (generation !== this.generation || this.roots.get(root.id) !== root) {
        root.stopTick();
        return;
      }
      this.callQuietly(root, 'proxy_on_tick', root.id);
    }, ms);
    root.tick.unref();
  }

  /** Starts an http call for the plugin's root context; returns its token. The answer comes to the root context. */
  dispatchHttpCall(plugin: WasmPlugin, cluster: string, req: HttpCallRequest): number {
    const token = this.nextToken++;
    const generation = this.generation;
    const root = plugin.root;
    plugin.httpCall(cluster, req).then(
      (res) => this.httpCallDone(generation, root, token, res.status, res.headers, res.body),
      (err: Error) => {
        plugin.log.debug({ err, cluster }, 'wasm http call failed');
        this.httpCallDone(generation, root, token, 0, null, EMPTY);
      },
    );
    return token;
  }

  private httpCallDone(
    generation: number,
    root: RootContext | null,
    token: number,
    status: number,
    headers: Record<string, string | string[] | undefined> | null,
    body: Buffer,
  ): void {
    if (root === null || generation !== this.generation || this.roots.get(root.id) !== root) return;
    const pairs = headers === null ? [] : responsePairs(status, headers);
    this.callout = { headers: new ReadOnlyHeaderMap(pairs), trailers: EMPTY_MAP, body };
    try {
      this.callQuietly(root, 'proxy_on_http_call_response', root.id, token, pairs.length, body.length, 0);
    } finally {
      this.callout = null;
    }
  }

  queueReady(root: RootContext, queueId: number): void {
    if (this.roots.get(root.id) !== root) return;
    this.callQuietly(root, 'proxy_on_queue_ready', root.id, queueId);
  }

  /** A callback nobody waits on (tick, callout, queue): a failure is handled by the VM and goes no further. */
  private callQuietly(ctx: WasmContext, name: string, ...args: number[]): void {
    try {
      this.call(ctx, name, ...args);
    } catch (err) {
      if (!(err instanceof WasmVmFailed)) throw err;
    }
  }

  /** An AssemblyScript string (UTF-16, byte length in the header before it), for abort messages. */
  assemblyScriptString(ptr: number): string {
    try {
      const len = this.mem.u32(ptr - 4);
      return this.mem.view(ptr, len).toString('utf16le');
    } catch {
      return `<string at ${ptr}>`;
    }
  }
}

function vmKey(compiled: CompiledWasm, vmId: string): string {
  return `${compiled.key}\0${vmId}`;
}

/** A host function that turns a bad guest pointer into its status instead of a trap. */
function guarded(fn: (...args: unknown[]) => unknown): (...args: unknown[]) => unknown {
  return (...args) => {
    try {
      return fn(...args);
    } catch (err) {
      if (err instanceof GuestMemoryError) return err.status;
      throw err;
    }
  };
}
