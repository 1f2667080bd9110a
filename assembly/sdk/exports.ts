// The callbacks a Proxy-Wasm host calls (spec v0.2.1). A filter's entry file re-exports them all:
//   export * from "../../sdk/exports";
// Each one finds the context by id and calls its overridable method. Flags arrive as i32 0/1.
import { FilterDataStatus, FilterHeadersStatus, FilterStatus, FilterTrailersStatus, PeerType } from "./enums";
import { HttpContext, NetworkContext, RootContext } from "./context";
import { createRootContext, httpContexts, networkContexts, rootContexts } from "./registry";
import { allocateForHost } from "./memory";
import { logWarn } from "./log";
import { setEffectiveContext } from "./stream";
// Compiled in for `--use abort=assembly/sdk/abort/proxyAbort`.
import "./abort";

/** The ABI marker: hosts read the version from this export's name. Never called. */
export function proxy_abi_version_0_2_1(): void {}

/** Memory the host fills with data it returns (headers, bodies, properties); the SDK frees it. */
export function proxy_on_memory_allocate(size: usize): usize {
  return allocateForHost(size);
}

export function proxy_on_context_create(contextId: u32, parentContextId: u32): void {
  if (parentContextId == 0) {
    rootContexts.set(contextId, createRootContext(contextId));
    return;
  }
  if (!rootContexts.has(parentContextId)) {
    abort("context " + contextId.toString() + " created under unknown root context " + parentContextId.toString());
  }
  const root = rootContexts.get(parentContextId);
  const network = root.createNetworkContext(contextId);
  if (network !== null) networkContexts.set(contextId, network);
  else httpContexts.set(contextId, root.createHttpContext(contextId));
}

export function proxy_on_vm_start(rootContextId: u32, vmConfigurationSize: u32): u32 {
  const root = rootContext(rootContextId);
  root.vmConfigurationSize = vmConfigurationSize;
  return root.onVmStart(vmConfigurationSize) ? 1 : 0;
}

export function proxy_on_configure(rootContextId: u32, pluginConfigurationSize: u32): u32 {
  const root = rootContext(rootContextId);
  root.pluginConfigurationSize = pluginConfigurationSize;
  return root.onConfigure(pluginConfigurationSize) ? 1 : 0;
}

export function proxy_on_tick(rootContextId: u32): void {
  rootContext(rootContextId).onTick();
}

export function proxy_on_queue_ready(rootContextId: u32, queueId: u32): void {
  rootContext(rootContextId).onQueueReady(queueId);
}

export function proxy_on_request_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  if (!httpContexts.has(contextId)) return FilterHeadersStatus.Continue;
  return httpContexts.get(contextId).onRequestHeaders(numHeaders, endOfStream != 0);
}

export function proxy_on_request_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 {
  if (!httpContexts.has(contextId)) return FilterDataStatus.Continue;
  return httpContexts.get(contextId).onRequestBody(bodySize, endOfStream != 0);
}

export function proxy_on_request_trailers(contextId: u32, numTrailers: u32): u32 {
  if (!httpContexts.has(contextId)) return FilterTrailersStatus.Continue;
  return httpContexts.get(contextId).onRequestTrailers(numTrailers);
}

export function proxy_on_response_headers(contextId: u32, numHeaders: u32, endOfStream: u32): u32 {
  if (!httpContexts.has(contextId)) return FilterHeadersStatus.Continue;
  return httpContexts.get(contextId).onResponseHeaders(numHeaders, endOfStream != 0);
}

export function proxy_on_response_body(contextId: u32, bodySize: u32, endOfStream: u32): u32 {
  if (!httpContexts.has(contextId)) return FilterDataStatus.Continue;
  return httpContexts.get(contextId).onResponseBody(bodySize, endOfStream != 0);
}

export function proxy_on_response_trailers(contextId: u32, numTrailers: u32): u32 {
  if (!httpContexts.has(contextId)) return FilterTrailersStatus.Continue;
  return httpContexts.get(contextId).onResponseTrailers(numTrailers);
}

export function proxy_on_new_connection(contextId: u32): u32 {
  if (!networkContexts.has(contextId)) return FilterStatus.Continue;
  return networkContexts.get(contextId).onNewConnection();
}

export function proxy_on_downstream_data(contextId: u32, dataSize: u32, endOfStream: u32): u32 {
  if (!networkContexts.has(contextId)) return FilterStatus.Continue;
  return networkContexts.get(contextId).onDownstreamData(dataSize, endOfStream != 0);
}

export function proxy_on_upstream_data(contextId: u32, dataSize: u32, endOfStream: u32): u32 {
  if (!networkContexts.has(contextId)) return FilterStatus.Continue;
  return networkContexts.get(contextId).onUpstreamData(dataSize, endOfStream != 0);
}

export function proxy_on_downstream_connection_close(contextId: u32, peerType: u32): void {
  if (networkContexts.has(contextId)) networkContexts.get(contextId).onDownstreamConnectionClose(<PeerType>peerType);
}

export function proxy_on_upstream_connection_close(contextId: u32, peerType: u32): void {
  if (networkContexts.has(contextId)) networkContexts.get(contextId).onUpstreamConnectionClose(<PeerType>peerType);
}

export function proxy_on_http_call_response(rootContextId: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  const root = rootContext(rootContextId);
  if (!root.pendingHttpCalls.has(token)) {
    logWarn("response to unknown http call " + token.toString());
    return;
  }
  const call = root.pendingHttpCalls.get(token);
  root.pendingHttpCalls.delete(token);
  if (call.contextId != rootContextId) {
    // The stream that made the call has ended: nobody is left to act on the response.
    if (!httpContexts.has(call.contextId)) return;
    setEffectiveContext(call.contextId);
  }
  call.handler.onHttpCallResponse(numHeaders, bodySize, numTrailers);
}

export function proxy_on_done(contextId: u32): u32 {
  if (httpContexts.has(contextId)) return httpContexts.get(contextId).onDone() ? 1 : 0;
  if (networkContexts.has(contextId)) return networkContexts.get(contextId).onDone() ? 1 : 0;
  if (rootContexts.has(contextId)) return rootContexts.get(contextId).onDone() ? 1 : 0;
  return 1;
}

export function proxy_on_log(contextId: u32): void {
  if (httpContexts.has(contextId)) httpContexts.get(contextId).onLog();
  else if (networkContexts.has(contextId)) networkContexts.get(contextId).onLog();
}

export function proxy_on_delete(contextId: u32): void {
  if (httpContexts.has(contextId)) {
    const stream: HttpContext = httpContexts.get(contextId);
    httpContexts.delete(contextId);
    stream.onDelete();
  } else if (networkContexts.has(contextId)) {
    const connection: NetworkContext = networkContexts.get(contextId);
    networkContexts.delete(contextId);
    connection.onDelete();
  } else if (rootContexts.has(contextId)) {
    const root: RootContext = rootContexts.get(contextId);
    rootContexts.delete(contextId);
    root.onDelete();
  }
}

function rootContext(id: u32): RootContext {
  if (!rootContexts.has(id)) abort("unknown root context " + id.toString());
  return rootContexts.get(id);
}
