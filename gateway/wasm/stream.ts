// The `wasm` filter of one HTTP stream: a stream context on the plugin's VM, created when the request
// reaches the filter, driven through the ABI's HTTP callbacks, and deleted after the log phase.
// A callback that returns anything but Continue (0) pauses the stream until the module continues it
// (proxy_continue_stream), replies (proxy_send_local_response) or the stream's timeouts end it.
import type { HttpFilter, StreamContext } from '../../sdk/filter.js';
import type { HeaderMap } from '../../sdk/headers.js';
import { FilterStatus } from '../../sdk/status.js';
import type { FilterResult } from '../../sdk/status.js';
import { HttpStream } from '../http/http-stream.js';
import { RequestHeaderMap, ResponseHeaderMap } from './header-maps.js';
import type { WasmHeaderMap } from './header-maps.js';
import type { WasmPlugin } from './plugin.js';
import { LiveContextBase } from './live-context.js';

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

export class WasmStream extends LiveContextBase implements HttpFilter {
  readonly http = this;
  /** The bodies while (and after) their phase runs: what proxy_get_buffer_bytes reads and set_buffer_bytes changes. */
  requestBody: Buffer | null = null;
  responseBody: Buffer | null = null;
  requestMap: WasmHeaderMap | null = null;
  responseMap: WasmHeaderMap | null = null;
  /** The module asked for a local reply: the stream is not waiting for it any more. */
  replying = false;
  private requestEnded = false;
  private responseEnded = false;

  constructor(
    plugin: WasmPlugin,
    readonly stream: StreamContext,
  ) {
    super(plugin);
  }

  onRequestHeaders(headers: HeaderMap): FilterResult {
    try {
      if (!this.open()) return this.fail();
      this.requestEnded = !requestHasBody(headers);
      const size = (this.requestMap ??= new RequestHeaderMap(this.stream)).size();
      return this.after(this.callback('proxy_on_request_headers', this.id, size, this.requestEnded ? 1 : 0));
    } catch (err) {
      return this.failed(err);
    }
  }

  onRequestBody(body: Buffer): FilterResult {
    if (this.dead || this.requestEnded) return FilterStatus.Continue;
    this.requestBody = body;
    return this.step('proxy_on_request_body', this.id, body.length, 1);
  }

  onResponseHeaders(headers: HeaderMap): FilterResult {
    if (this.dead) return FilterStatus.Continue;
    this.responseEnded = !responseHasBody(this.stream, headers);
    const size = (this.responseMap ??= new ResponseHeaderMap(this.stream)).size();
    return this.step('proxy_on_response_headers', this.id, size, this.responseEnded ? 1 : 0);
  }

  onResponseBody(body: Buffer): FilterResult {
    if (this.dead || this.responseEnded) return FilterStatus.Continue;
    this.responseBody = body;
    return this.step('proxy_on_response_body', this.id, body.length, 1);
  }

  onLog(): void {
    this.finish();
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

  protected endedByModule(): boolean {
    return this.replying;
  }

  protected continueHeld(): void {
    this.stream.continue();
  }

  /** Envoy's failStream: 503 with details wasm_fail_stream. */
  protected refuse(): void {
    this.stream.sendLocalReply(503, undefined, undefined, { details: WASM_FAIL_STREAM });
  }
}
