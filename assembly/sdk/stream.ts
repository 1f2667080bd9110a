// Host calls that act on the current stream (or, inside onHttpCallResponse, the effective one).
import { proxy_close_stream, proxy_continue_stream, proxy_done, proxy_send_local_response, proxy_set_effective_context } from "./imports";
import { StreamType, WasmResult } from "./enums";
import { HeaderPair, serializeHeaders } from "./headers";

/**
 * Answers the request from the filter: the upstream is not called (or its response is dropped).
 * `details` is the response code details the host logs. Return a Stop status from the callback.
 */
export function sendLocalResponse(statusCode: u32, details: string, body: ArrayBuffer, headers: HeaderPair[], grpcStatus: i32): WasmResult {
  const d = String.UTF8.encode(details);
  const h = serializeHeaders(headers);
  return <WasmResult>proxy_send_local_response(
    statusCode, changetype<usize>(d), d.byteLength, changetype<usize>(body), body.byteLength,
    changetype<usize>(h), h.byteLength, grpcStatus);
}

/** Resumes a paused request or response. */
export function continueStream(streamType: StreamType): WasmResult {
  return <WasmResult>proxy_continue_stream(streamType);
}

/** Resets a request or response stream. */
export function closeStream(streamType: StreamType): WasmResult {
  return <WasmResult>proxy_close_stream(streamType);
}

/** Makes later host calls act on `contextId` (the SDK does it before an HTTP call's handler runs). */
export function setEffectiveContext(contextId: u32): WasmResult {
  return <WasmResult>proxy_set_effective_context(contextId);
}

/** Tells the host a context that returned false from onDone has finished. */
export function done(): WasmResult {
  return <WasmResult>proxy_done();
}
