// An ABI 0.1.0 module: proxy_on_request_headers takes two parameters, the configuration comes from
// proxy_get_configuration, a missing header is OK with an empty value, and proxy_continue_request continues.
// Adds x-abi010: "<configuration>;<status of a missing-header lookup>/<its length>"; x-continue: continues
// during the callback and returns Pause.
@external("env", "proxy_get_configuration") declare function proxy_get_configuration(retPtr: usize, retLen: usize): u32;
@external("env", "proxy_continue_request") declare function proxy_continue_request(): u32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(map: i32, kPtr: usize, kLen: usize, retPtr: usize, retLen: usize): u32;
export { allocate as proxy_on_memory_allocate } from "./abi";
import { REQUEST_HEADERS, addHeader, getHeader } from "./abi";

const RET: usize = memory.data(8);
let config = "";

export function proxy_abi_version_0_1_0(): void {}

export function proxy_on_configure(ctx: u32, size: u32): bool {
  proxy_get_configuration(RET, RET + 4);
  config = String.UTF8.decodeUnsafe(load<u32>(RET), load<u32>(RET + 4));
  return true;
}

export function proxy_on_request_headers(ctx: u32, n: u32): u32 {
  const k = String.UTF8.encode("x-not-there");
  store<u32>(RET + 4, 99);
  const status = proxy_get_header_map_value(REQUEST_HEADERS, changetype<usize>(k), k.byteLength, RET, RET + 4);
  addHeader(REQUEST_HEADERS, "x-abi010", config + ";" + status.toString() + "/" + load<u32>(RET + 4).toString());
  if (getHeader(REQUEST_HEADERS, "x-continue") != null) {
    proxy_continue_request();
    return 1;
  }
  return 0;
}
