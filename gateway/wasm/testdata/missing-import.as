// Imports a host function no Proxy-Wasm host has: loading it must fail, naming it.
@external("env", "proxy_does_not_exist") declare function proxy_does_not_exist(): u32;
export { allocate as proxy_on_memory_allocate } from "./abi";

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_request_headers(ctx: u32, n: u32, eos: bool): u32 {
  return proxy_does_not_exist();
}
