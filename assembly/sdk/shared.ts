// State shared by every VM with the same vm_id: a key-value store with compare-and-swap, and queues.
import {
  proxy_dequeue_shared_queue, proxy_enqueue_shared_queue, proxy_get_shared_data, proxy_register_shared_queue,
  proxy_resolve_shared_queue, proxy_set_shared_data,
} from "./imports";
import { WasmResult } from "./enums";
import { RETURN_EXTRA, RETURN_PTR, RETURN_SIZE, clearReturnSlots, takeReturnedBytes } from "./memory";

/** A read of the store: the value (null when absent) and the CAS token to write it back with. */
export class SharedData {
  constructor(public readonly status: WasmResult, public readonly value: ArrayBuffer | null, public readonly cas: u32) {}
}

export function getSharedData(key: string): SharedData {
  const k = String.UTF8.encode(key);
  clearReturnSlots();
  store<u32>(RETURN_EXTRA, 0);
  const status = <WasmResult>proxy_get_shared_data(changetype<usize>(k), k.byteLength, RETURN_PTR, RETURN_SIZE, RETURN_EXTRA);
  if (status != WasmResult.Ok) return new SharedData(status, null, 0);
  const cas = load<u32>(RETURN_EXTRA);
  return new SharedData(status, takeReturnedBytes(), cas);
}

/** Writes `value`; with a non-zero `cas` only when the stored token still matches (else CasMismatch). */
export function setSharedData(key: string, value: ArrayBuffer, cas: u32 = 0): WasmResult {
  const k = String.UTF8.encode(key);
  return <WasmResult>proxy_set_shared_data(changetype<usize>(k), k.byteLength, changetype<usize>(value), value.byteLength, cas);
}

/** A queue id, or the status that explains why there is none. */
export class SharedQueue {
  constructor(public readonly status: WasmResult, public readonly id: u32) {}
}

/** Registers a queue owned by the calling root context; it gets onQueueReady when items arrive. */
export function registerSharedQueue(name: string): SharedQueue {
  const n = String.UTF8.encode(name);
  store<u32>(RETURN_EXTRA, 0);
  const status = <WasmResult>proxy_register_shared_queue(changetype<usize>(n), n.byteLength, RETURN_EXTRA);
  return new SharedQueue(status, status == WasmResult.Ok ? load<u32>(RETURN_EXTRA) : 0);
}

/** Finds a queue another root context registered in VM `vmId`. */
export function resolveSharedQueue(vmId: string, name: string): SharedQueue {
  const v = String.UTF8.encode(vmId);
  const n = String.UTF8.encode(name);
  store<u32>(RETURN_EXTRA, 0);
  const status = <WasmResult>proxy_resolve_shared_queue(changetype<usize>(v), v.byteLength, changetype<usize>(n), n.byteLength, RETURN_EXTRA);
  return new SharedQueue(status, status == WasmResult.Ok ? load<u32>(RETURN_EXTRA) : 0);
}

export function enqueueSharedQueue(queueId: u32, value: ArrayBuffer): WasmResult {
  return <WasmResult>proxy_enqueue_shared_queue(queueId, changetype<usize>(value), value.byteLength);
}

/** The oldest item, or null when the queue is empty (or unknown). */
export function dequeueSharedQueue(queueId: u32): ArrayBuffer | null {
  clearReturnSlots();
  if (proxy_dequeue_shared_queue(queueId, RETURN_PTR, RETURN_SIZE) != WasmResult.Ok) return null;
  return takeReturnedBytes();
}
