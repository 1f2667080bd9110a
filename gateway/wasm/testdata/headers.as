// Headers, properties, configuration, local replies and bodies.
// - request: adds x-wasm-method (":method"), x-wasm-pairs (how many request pairs), removes x-remove-me;
//   x-set-path: <p> replaces ":path"; x-deny present: local reply 403 "denied by wasm\n" with
//   x-denied-by: wasm and details "denied_by_wasm".
// - response: x-wasm-config: <plugin configuration>, x-wasm-status: <":status">, x-wasm-plugin: <plugin_name>,
//   x-wasm-root-id, x-wasm-vm-id, x-wasm-request-path: <request.path>, x-wasm-source-port-ok: yes when
//   source.port is an int64 > 0; x-set-status: <s> replaces ":status".
// - bodies: the request body becomes "wasm(<body>)", the response body gets "+wasm" appended.
export { allocate as proxy_on_memory_allocate } from "./abi";
import {
  REQUEST_HEADERS, RESPONSE_HEADERS, REQUEST_BODY, RESPONSE_BODY, PLUGIN_CONFIGURATION,
  getBuffer, setBuffer, getHeader, addHeader, replaceHeader, removeHeader, headerPairCount,
  getStringProperty, getIntProperty, sendLocalResponse,
} from "./abi";

let config = "";

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(ctx: u32, parent: u32): void {}

export function proxy_on_vm_start(ctx: u32, size: u32): bool {
  return true;
}

export function proxy_on_configure(ctx: u32, size: u32): bool {
  config = getBuffer(PLUGIN_CONFIGURATION, size);
  return true;
}

export function proxy_on_request_headers(ctx: u32, n: u32, eos: bool): u32 {
  addHeader(REQUEST_HEADERS, "x-wasm-method", getHeader(REQUEST_HEADERS, ":method")!);
  addHeader(REQUEST_HEADERS, "x-wasm-pairs", headerPairCount(REQUEST_HEADERS).toString() + "/" + n.toString());
  addHeader(REQUEST_HEADERS, "x-wasm-eos", eos ? "1" : "0");
  removeHeader(REQUEST_HEADERS, "x-remove-me");
  const path = getHeader(REQUEST_HEADERS, "x-set-path");
  if (path != null) replaceHeader(REQUEST_HEADERS, ":path", path);
  if (getHeader(REQUEST_HEADERS, "x-deny") != null) {
    sendLocalResponse(403, "denied_by_wasm", "denied by wasm\n", ["x-denied-by", "wasm"]);
    return 1;
  }
  return 0;
}

export function proxy_on_request_body(ctx: u32, size: u32, eos: bool): u32 {
  setBuffer(REQUEST_BODY, "wasm(" + getBuffer(REQUEST_BODY, size) + ")");
  return 0;
}

export function proxy_on_response_headers(ctx: u32, n: u32, eos: bool): u32 {
  addHeader(RESPONSE_HEADERS, "x-wasm-config", config);
  addHeader(RESPONSE_HEADERS, "x-wasm-status", getHeader(RESPONSE_HEADERS, ":status")!);
  addHeader(RESPONSE_HEADERS, "x-wasm-plugin", getStringProperty("plugin_name"));
  addHeader(RESPONSE_HEADERS, "x-wasm-root-id", getStringProperty("plugin_root_id"));
  addHeader(RESPONSE_HEADERS, "x-wasm-vm-id", getStringProperty("plugin_vm_id"));
  addHeader(RESPONSE_HEADERS, "x-wasm-request-path", getStringProperty("request.path"));
  addHeader(RESPONSE_HEADERS, "x-wasm-source-port-ok", getIntProperty("source.port") > 0 ? "yes" : "no");
  const status = getHeader(REQUEST_HEADERS, "x-set-status");
  if (status != null) replaceHeader(RESPONSE_HEADERS, ":status", status);
  return 0;
}

export function proxy_on_response_body(ctx: u32, size: u32, eos: bool): u32 {
  const body = getBuffer(RESPONSE_BODY, size);
  setBuffer(RESPONSE_BODY, body + "+wasm");
  return 0;
}
