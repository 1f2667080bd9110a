// The `wasm` filter of one HTTP stream: a stream context on the plugin's VM, created when the request
// reaches the filter, driven through the ABI's HTTP callbacks, and deleted after the log phase.
// A callback that returns anything but Continue (0) pauses the stream until the module continues it
// (proxy_continue_stream), replies (proxy_send_local_response) or the stream's timeouts end it.
import type { HttpFilter, StreamContext } from '../../sdk/filter.js';
import type { HeaderMap } from '../../sdk/headers.js';
import { FilterStatus } from '../../sdk/status.js';
import type { FilterResult } from '../../sdk/status.js';
import { HttpStream } from '../http/http-stream.js';
import type { WasmContext } from './contexts.js';
import { RequestHeaderMap, ResponseHeaderMap } from './header-maps.js';
import type { WasmHeaderMap } from './header-maps.js';
import type { WasmPlugin } from './plugin.js';
import { WasmVmFailed } from './wasm-vm.js';

/** Response code details of a stream failed because its VM failed (Envoy's). */
export const WASM_FAIL_STREAM = 'wasm_fail_stream';

function requestHasBody(h: HeaderMap): boolean {
  const cl = h.raw['content-length'];
  return (cl !== undefined && cl !== '0') || h.raw['transfer-encoding'] !== undefined;
}

function responseHasBody(ctx: StreamContext, h: HeaderMap): boolean {
  const status = ctx.responseStatus;
  if (status === 204 || status === 304 || ctx.method === 'HEAD') return false;
  return h.raw['content-length'] !== '0';
}

export class WasmStream implements HttpFilter, WasmContext {
  /** The context id on the VM; 0 until the request reaches this filter. */
  id = 0;
  readonly http = this;
  properties: Map<string, Buffer> | null = null;
  /** The bodies while (and after) their phase runs: what proxy_get_buffer_bytes reads and set_buffer_bytes changes. */
  requestBody: Buffer | null = null;
  responseBody: Buffer | null = null;
  requestMap: WasmHeaderMap | null = null;
  responseMap: WasmHeaderMap | null = null;
  /** The module asked for a local reply: the stream is not waiting for it any more. */
  replying = false;
  readonly streamCreatedAt = Date.now();
  private generation = -1;
  /** The filter returned Stop and waits for the module. */
  private paused = false;
  /** The module continued the stream during the callback in progress. */
  private continued = false;
  /** Failed (fail_open): the rest of the stream passes this filter by. */
  private dead = false;
  private requestEnded = false;
  private responseEnded = false;

  constructor(
    readonly plugin: WasmPlugin,
    readonly stream: StreamContext,
  ) {}

  onRequestHeaders(headers: HeaderMap): FilterResult {
    const vm = this.plugin.vm;
    if (!vm.ensureRunning()) return this.fail();
    try {
      vm.openStream(this);
      this.generation = vm.generation;
      this.requestEnded = !requestHasBody(headers);
      const size = (this.requestMap ??= new RequestHeaderMap(this.stream)).size();
      return this.after(this.callback('proxy_on_request_headers', size, this.requestEnded ? 1 : 0));
    } catch (err) {
      return this.failed(err);
    }
  }

  onRequestBody(body: Buffer): FilterResult {
    if (this.dead || this.requestEnded) return FilterStatus.Continue;
    this.requestBody = body;
    try {
      return this.after(this.callback('proxy_on_request_body', body.length, 1));
    } catch (err) {
      return this.failed(err);
    }
  }

  onResponseHeaders(headers: HeaderMap): FilterResult {
    if (this.dead) return FilterStatus.Continue;
    this.responseEnded = !responseHasBody(this.stream, headers);
    try {
      const size = (this.responseMap ??= new ResponseHeaderMap(this.stream)).size();
      return this.after(this.callback('proxy_on_response_headers', size, this.responseEnded ? 1 : 0));
    } catch (err) {
      return this.failed(err);
    }
  }

  onResponseBody(body: Buffer): FilterResult {
    if (this.dead || this.responseEnded) return FilterStatus.Continue;
    this.responseBody = body;
    try {
      return this.after(this.callback('proxy_on_response_body', body.length, 1));
    } catch (err) {
      return this.failed(err);
    }
  }

  onLog(): void {
    const vm = this.plugin.vm;
    if (this.id !== 0 && !this.dead && this.generation === vm.generation) {
      try {
        vm.call(this, 'proxy_on_done', this.id);
        vm.call(this, 'proxy_on_log', this.id);
        vm.call(this, 'proxy_on_delete', this.id);
      } catch (err) {
        if (!(err instanceof WasmVmFailed)) throw err;
      }
    }
    vm.closeStream(this);
  }

  /** proxy_continue_stream, applied after the module's callback returned. */
  resume(): void {
    this.continued = true;
    if (!this.paused) return;
    this.paused = false;
    this.stream.continue();
  }

  /** proxy_close_stream: Envoy resets the stream; without a connection to reset, answer 503. */
  close(): void {
    this.paused = false;
    if (this.stream instanceof HttpStream) this.stream.resetDownstream();
    else this.stream.sendLocalReply(503, undefined, undefined, { details: 'wasm_close_stream' });
  }

  /** The VM failed while this stream was live: a paused stream is failed now, others at their next phase. */
  vmFailed(): void {
    if (!this.paused || this.dead) return;
    this.paused = false;
    if (this.fail() === FilterStatus.Continue) this.stream.continue();
  }

  /** Runs a stream callback; throws WasmVmFailed when the VM is (or went) down. */
  private callback(name: string, a: number, b: number): number {
    const vm = this.plugin.vm;
    if (this.generation !== vm.generation) throw new WasmVmFailed(vm.failure ?? new Error('the VM was rebuilt'));
    this.continued = false;
    return vm.call(this, name, this.id, a, b);
  }

  private after(result: number): FilterResult {
    if (result === 0 || this.continued) return FilterStatus.Continue;
    this.paused = !this.replying;
    return FilterStatus.Stop;
  }

  private failed(err: unknown): FilterResult {
    if (err instanceof WasmVmFailed) return this.fail();
    throw err;
  }

  /** Envoy's failStream: 503 with details wasm_fail_stream, or, with fail_open, the stream passes this filter. */
  private fail(): FilterResult {
    this.dead = true;
    this.plugin.vm.closeStream(this);
    this.plugin.counters.streamFailed.inc();
    if (this.plugin.failOpen) return FilterStatus.Continue;
    this.stream.sendLocalReply(503, undefined, undefined, { details: WASM_FAIL_STREAM });
    return FilterStatus.Stop;
  }
}
