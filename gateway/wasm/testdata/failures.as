// Failure cases. Configuration "fail-configure": proxy_on_configure returns false; "trap-configure": it traps.
// Request header x-trap: trap in on_request_headers; x-trap-response: trap in on_response_headers;
// x-grow: <pages>: grow memory by that many 64 KiB pages. Every response gets x-count: the number of
// requests this instance has seen (1 after a rebuild).
export { allocate as proxy_on_memory_allocate } from "./abi";
import { REQUEST_HEADERS, RESPONSE_HEADERS, PLUGIN_CONFIGURATION, getBuffer, getHeader, addHeader } from "./abi";

let count = 0;

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_configure(ctx: u32, size: u32): bool {
  const config = getBuffer(PLUGIN_CONFIGURATION, size);
  if (config == "trap-configure") unreachable();
  return config != "fail-configure";
}

export function proxy_on_request_headers(ctx: u32, n: u32, eos: bool): u32 {
  count++;
  if (getHeader(REQUEST_HEADERS, "x-trap") != null) unreachable();
  const grow = getHeader(REQUEST_HEADERS, "x-grow");
  if (grow != null) memory.grow(I32.parseInt(grow));
  return 0;
}

export function proxy_on_response_headers(ctx: u32, n: u32, eos: bool): u32 {
  if (getHeader(REQUEST_HEADERS, "x-trap-response") != null) unreachable();
  addHeader(RESPONSE_HEADERS, "x-count", count.toString());
  return 0;
}
