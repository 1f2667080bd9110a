// The end of a root context: logs "root <id> done" on proxy_on_done and "root <id> deleted" on
// proxy_on_delete of a root context (parent 0), so a test sees a released plugin's teardown and its order.
// Stream contexts pass untouched.
export { allocate as proxy_on_memory_allocate } from "./abi";
import { log } from "./abi";

const roots = new Set<u32>();

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_context_create(ctx: u32, parent: u32): void {
  if (parent == 0) roots.add(ctx);
}

export function proxy_on_vm_start(ctx: u32, size: u32): bool {
  return true;
}

export function proxy_on_configure(ctx: u32, size: u32): bool {
  log("root " + ctx.toString() + " configured");
  return true;
}

export function proxy_on_request_headers(ctx: u32, n: u32, eos: bool): u32 {
  return 0;
}

export function proxy_on_done(ctx: u32): bool {
  if (roots.has(ctx)) log("root " + ctx.toString() + " done");
  return true;
}

export function proxy_on_delete(ctx: u32): void {
  if (roots.has(ctx)) log("root " + ctx.toString() + " deleted");
  roots.delete(ctx);
}
