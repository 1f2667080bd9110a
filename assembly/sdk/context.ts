// Contexts: one RootContext per plugin (configuration, ticks, queues, HTTP call responses) and one
// HttpContext per request, created by its root. Subclass them and override the callbacks you need;
// every default continues. A context lives from proxy_on_context_create to proxy_on_delete.
import {
  BufferType, FilterDataStatus, FilterHeadersStatus, FilterStatus, FilterTrailersStatus, NO_GRPC_STATUS, PeerType, StreamType, WasmResult,
} from "./enums";
import { proxy_http_call, proxy_set_tick_period_milliseconds } from "./imports";
import { HeaderPair, serializeHeaders } from "./headers";
import { getBufferBytes, getBufferString, replaceBuffer, setBufferBytes } from "./buffers";
import { RETURN_EXTRA } from "./memory";
import { closeStream, continueStream, sendLocalResponse } from "./stream";

/** Receives the response of an HTTP call. Read it with headers.httpCallResponse and getHttpCallResponseBody. */
export abstract class HttpCallHandler {
  /** `numHeaders == 0` means the call failed (no connection, timeout, reset). */
  abstract onHttpCallResponse(numHeaders: u32, bodySize: u32, numTrailers: u32): void;
}

/** An HTTP call in flight: who handles its response, and on behalf of which context. */
export class PendingHttpCall {
  constructor(public readonly handler: HttpCallHandler, public readonly contextId: u32) {}
}

/** The result of dispatching an HTTP call: the token the response will carry, or why it failed. */
export class HttpCallResult {
  constructor(public readonly status: WasmResult, public readonly token: u32) {}
}

export class Context {
  constructor(public readonly id: u32) {}

  /** Return false to finish later with done(). */
  onDone(): bool { return true; }

  /** The last callback; the context is gone after it. */
  onDelete(): void {}
}

export class RootContext extends Context {
  /** Sizes of the configurations, set before onVmStart/onConfigure run. */
  vmConfigurationSize: u32 = 0;
  pluginConfigurationSize: u32 = 0;
  /** HTTP calls dispatched from this root or its streams, by token. */
  readonly pendingHttpCalls: Map<u32, PendingHttpCall> = new Map<u32, PendingHttpCall>();

  /** Once per VM, with the size of vm_config.configuration. Return false to fail the VM. */
  onVmStart(vmConfigurationSize: u32): bool { return true; }

  /** Once per plugin (re)configuration, with the size of its configuration. Return false to reject it. */
  onConfigure(pluginConfigurationSize: u32): bool { return true; }

  /** Every tick period (see setTickPeriod). */
  onTick(): void {}

  /** Items arrived in a queue this root registered. */
  onQueueReady(queueId: u32): void {}

  /** The context of a new request; override to return your HttpContext subclass. */
  createHttpContext(contextId: u32): HttpContext {
    return new HttpContext(contextId, this);
  }

  /**
   * The context of a new connection, for a network filter: override to return your NetworkContext subclass.
   * The default (null) makes every new context an HTTP one.
   */
  createNetworkContext(contextId: u32): NetworkContext | null {
    return null;
  }

  /** vm_config.configuration as UTF-8 text. */
  getVmConfiguration(): string {
    return getBufferString(BufferType.VmConfiguration, 0, this.vmConfigurationSize);
  }

  /** The plugin's `configuration` as UTF-8 text (JSON when it was an object in the gateway config). */
  getPluginConfiguration(): string {
    return getBufferString(BufferType.PluginConfiguration, 0, this.pluginConfigurationSize);
  }

  /** Calls onTick every `millis` ms; 0 stops it. */
  setTickPeriod(millis: u32): WasmResult {
    return <WasmResult>proxy_set_tick_period_milliseconds(millis);
  }

  /** An HTTP request to a cluster of the gateway; `handler` gets the response on this root's behalf. */
  httpCall(cluster: string, headers: HeaderPair[], body: ArrayBuffer | null, trailers: HeaderPair[], timeoutMillis: u32, handler: HttpCallHandler): HttpCallResult {
    return dispatchHttpCall(this, this.id, cluster, headers, body, trailers, timeoutMillis, handler);
  }
}

export class HttpContext extends Context {
  constructor(id: u32, public readonly root: RootContext) {
    super(id);
  }

  onRequestHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }
  /** `bodySize` is the total buffered so far (it grows while you return StopIterationAndBuffer). */
  onRequestBody(bodySize: u32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }
  onRequestTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }
  onResponseHeaders(numHeaders: u32, endOfStream: bool): FilterHeadersStatus { return FilterHeadersStatus.Continue; }
  onResponseBody(bodySize: u32, endOfStream: bool): FilterDataStatus { return FilterDataStatus.Continue; }
  onResponseTrailers(numTrailers: u32): FilterTrailersStatus { return FilterTrailersStatus.Continue; }
  /** After the stream is done: the place for access logging. */
  onLog(): void {}

  /** The request body buffered so far. */
  getRequestBody(bodySize: u32): ArrayBuffer {
    const body = getBufferBytes(BufferType.HttpRequestBody, 0, bodySize);
    return body !== null ? body : new ArrayBuffer(0);
  }

  setRequestBody(body: ArrayBuffer): WasmResult {
    return replaceBuffer(BufferType.HttpRequestBody, body);
  }

  /** The response body buffered so far. */
  getResponseBody(bodySize: u32): ArrayBuffer {
    const body = getBufferBytes(BufferType.HttpResponseBody, 0, bodySize);
    return body !== null ? body : new ArrayBuffer(0);
  }

  setResponseBody(body: ArrayBuffer): WasmResult {
    return replaceBuffer(BufferType.HttpResponseBody, body);
  }

  /** Replies from the filter with a text body; return a Stop status from the callback afterwards. */
  sendLocalResponse(statusCode: u32, details: string, body: string, headers: HeaderPair[]): WasmResult {
    return sendLocalResponse(statusCode, details, String.UTF8.encode(body), headers, NO_GRPC_STATUS);
  }

  continueRequest(): WasmResult { return continueStream(StreamType.Request); }
  continueResponse(): WasmResult { return continueStream(StreamType.Response); }
  closeRequest(): WasmResult { return closeStream(StreamType.Request); }
  closeResponse(): WasmResult { return closeStream(StreamType.Response); }

  /**
   * An HTTP request to a cluster; `handler` runs with this stream as the effective context, so it
   * can continue the request or reply locally. It is skipped when the stream has ended meanwhile.
   */
  httpCall(cluster: string, headers: HeaderPair[], body: ArrayBuffer | null, trailers: HeaderPair[], timeoutMillis: u32, handler: HttpCallHandler): HttpCallResult {
    return dispatchHttpCall(this.root, this.id, cluster, headers, body, trailers, timeoutMillis, handler);
  }
}

/**
 * One downstream connection through a network filter (Envoy's network read/write filter). Data callbacks get
 * the size of all the data held so far: returning StopIteration holds it, and the host calls again with what
 * arrives next appended, until Continue (or continueDownstream()). Read and change the data with
 * get/setDownstreamData and get/setUpstreamData inside the callback.
 */
export class NetworkContext extends Context {
  constructor(id: u32, public readonly root: RootContext) {
    super(id);
  }

  onNewConnection(): FilterStatus { return FilterStatus.Continue; }
  onDownstreamData(dataSize: u32, endOfStream: bool): FilterStatus { return FilterStatus.Continue; }
  onUpstreamData(dataSize: u32, endOfStream: bool): FilterStatus { return FilterStatus.Continue; }
  onDownstreamConnectionClose(peer: PeerType): void {}
  onUpstreamConnectionClose(peer: PeerType): void {}
  /** After the connection is closed: the place for logging. */
  onLog(): void {}

  getDownstreamData(dataSize: u32): ArrayBuffer {
    const data = getBufferBytes(BufferType.DownstreamData, 0, dataSize);
    return data !== null ? data : new ArrayBuffer(0);
  }

  /** Writes `data` over `size` bytes from `start` of the client's data: (0, n) replaces a prefix of n bytes. */
  setDownstreamData(start: u32, size: u32, data: ArrayBuffer): WasmResult {
    return setBufferBytes(BufferType.DownstreamData, start, size, data);
  }

  getUpstreamData(dataSize: u32): ArrayBuffer {
    const data = getBufferBytes(BufferType.UpstreamData, 0, dataSize);
    return data !== null ? data : new ArrayBuffer(0);
  }

  setUpstreamData(start: u32, size: u32, data: ArrayBuffer): WasmResult {
    return setBufferBytes(BufferType.UpstreamData, start, size, data);
  }

  /** Resumes a connection (or data) held by StopIteration. */
  continueDownstream(): WasmResult { return continueStream(StreamType.Downstream); }
  /** Closes the connection. */
  closeDownstream(): WasmResult { return closeStream(StreamType.Downstream); }
  closeUpstream(): WasmResult { return closeStream(StreamType.Upstream); }
}

/** The response body of the HTTP call whose handler is running. */
export function getHttpCallResponseBody(bodySize: u32): ArrayBuffer {
  const body = getBufferBytes(BufferType.HttpCallResponseBody, 0, bodySize);
  return body !== null ? body : new ArrayBuffer(0);
}

// Responses arrive on the root context (hosts dispatch callouts from it), so pending calls live there.
function dispatchHttpCall(
  root: RootContext, contextId: u32, cluster: string, headers: HeaderPair[], body: ArrayBuffer | null,
  trailers: HeaderPair[], timeoutMillis: u32, handler: HttpCallHandler,
): HttpCallResult {
  const upstream = String.UTF8.encode(cluster);
  const h = serializeHeaders(headers);
  const t = serializeHeaders(trailers);
  const b = body !== null ? body : new ArrayBuffer(0);
  store<u32>(RETURN_EXTRA, 0);
  const status = <WasmResult>proxy_http_call(
    changetype<usize>(upstream), upstream.byteLength, changetype<usize>(h), h.byteLength,
    changetype<usize>(b), b.byteLength, changetype<usize>(t), t.byteLength, timeoutMillis, RETURN_EXTRA);
  if (status != WasmResult.Ok) return new HttpCallResult(status, 0);
  const token = load<u32>(RETURN_EXTRA);
  root.pendingHttpCalls.set(token, new PendingHttpCall(handler, contextId));
  return new HttpCallResult(status, token);
}
