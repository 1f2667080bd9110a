// Pausing and http calls: the "http auth" pattern. Configuration: the cluster to ask.
// on_request_headers calls GET /auth?user=<x-user> on that cluster and pauses; on the answer (on the root
// context) it makes the stream effective and, on 200, adds x-auth-user: <body> and continues; on another
// status replies 403 "denied: <body>"; when the call failed, 503 "auth unreachable".
// x-sync-continue: continues during on_request_headers and returns Pause (must not hang).
export { allocate as proxy_on_memory_allocate } from "./abi";
import {
  REQUEST_HEADERS, CALL_RESPONSE_HEADERS, CALL_RESPONSE_BODY, PLUGIN_CONFIGURATION,
  getBuffer, getHeader, addHeader, httpCall, setEffectiveContext, continueRequest, sendLocalResponse,
} from "./abi";

let cluster = "";
const streamOfToken = new Map<u32, u32>();

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_configure(ctx: u32, size: u32): bool {
  cluster = getBuffer(PLUGIN_CONFIGURATION, size);
  return true;
}

export function proxy_on_request_headers(ctx: u32, n: u32, eos: bool): u32 {
  if (getHeader(REQUEST_HEADERS, "x-sync-continue") != null) {
    continueRequest();
    return 1;
  }
  const user = getHeader(REQUEST_HEADERS, "x-user");
  const path = "/auth?user=" + (user == null ? "" : user);
  const token = httpCall(cluster, [":method", "GET", ":path", path, ":authority", "auth.local", "x-from", "wasm"], "", 2000);
  if (token == 0) {
    sendLocalResponse(500, "http_call_refused", "http call refused\n", []);
    return 1;
  }
  streamOfToken.set(token, ctx);
  return 1;
}

export function proxy_on_http_call_response(root: u32, token: u32, numHeaders: u32, bodySize: u32, numTrailers: u32): void {
  if (!streamOfToken.has(token)) return;
  const stream = streamOfToken.get(token);
  streamOfToken.delete(token);
  setEffectiveContext(stream);
  if (numHeaders == 0) {
    sendLocalResponse(503, "auth_unreachable", "auth unreachable\n", []);
    return;
  }
  const status = getHeader(CALL_RESPONSE_HEADERS, ":status");
  const body = getBuffer(CALL_RESPONSE_BODY, bodySize);
  if (status == "200") {
    addHeader(REQUEST_HEADERS, "x-auth-user", body);
    continueRequest();
  } else {
    sendLocalResponse(403, "auth_denied", "denied: " + body, []);
  }
}
