// Buffers: request/response bodies, the VM and plugin configuration, an HTTP call's response body.
import { proxy_get_buffer_bytes, proxy_get_buffer_status, proxy_set_buffer_bytes } from "./imports";
import { BufferType, WasmResult } from "./enums";
import { RETURN_EXTRA, RETURN_PTR, RETURN_SIZE, clearReturnSlots, takeReturnedBytes, takeReturnedString } from "./memory";

/** Replace the whole buffer: start 0 and a length past any real size (as the Go SDK does). */
const WHOLE_BUFFER: u32 = 0x7fffffff;

/** Up to `maxSize` bytes from `start`, or null when the host has no such buffer. */
export function getBufferBytes(bufferType: BufferType, start: u32, maxSize: u32): ArrayBuffer | null {
  clearReturnSlots();
  if (proxy_get_buffer_bytes(bufferType, start, maxSize, RETURN_PTR, RETURN_SIZE) != WasmResult.Ok) return null;
  return takeReturnedBytes();
}

/** The buffer's bytes as UTF-8 text ("" when absent or empty). */
export function getBufferString(bufferType: BufferType, start: u32, maxSize: u32): string {
  clearReturnSlots();
  if (maxSize == 0 || proxy_get_buffer_bytes(bufferType, start, maxSize, RETURN_PTR, RETURN_SIZE) != WasmResult.Ok) return "";
  return takeReturnedString();
}

/** The current size of a buffer (0 when the host has none). */
export function getBufferSize(bufferType: BufferType): u32 {
  store<u32>(RETURN_EXTRA, 0);
  if (proxy_get_buffer_status(bufferType, RETURN_EXTRA, RETURN_SIZE) != WasmResult.Ok) return 0;
  return load<u32>(RETURN_EXTRA);
}

/** Writes `data` over `size` bytes from `start`: (0, 0) prepends, (size of buffer, 0) appends. */
export function setBufferBytes(bufferType: BufferType, start: u32, size: u32, data: ArrayBuffer): WasmResult {
  return <WasmResult>proxy_set_buffer_bytes(bufferType, start, size, changetype<usize>(data), data.byteLength);
}

/** Replaces the whole buffer with `data`. */
export function replaceBuffer(bufferType: BufferType, data: ArrayBuffer): WasmResult {
  return setBufferBytes(bufferType, 0, WHOLE_BUFFER, data);
}
