// Guest memory shared with the host. The host returns data by calling proxy_on_memory_allocate
// (exported from exports.ts) and writing a pointer and a length into the return slots below; that
// memory is ours to free. It comes from the unmanaged heap (heap.alloc), so the garbage collector
// never moves or frees it while the host writes into it; we copy it into a managed object at once
// and free it, so no raw pointer outlives the host call that produced it.

/** Static return slots (never collected): one pointer, one length, one u32/u64 extra. */
export const RETURN_PTR: usize = memory.data(8, 8);
export const RETURN_SIZE: usize = memory.data(8, 8);
export const RETURN_EXTRA: usize = memory.data(8, 8);

/** Memory for the host to copy data into; the guest frees it after copying it out. */
export function allocateForHost(size: usize): usize {
  return heap.alloc(size);
}

/** The bytes the host just returned through RETURN_PTR/RETURN_SIZE, copied into a managed buffer. */
export function takeReturnedBytes(): ArrayBuffer {
  const ptr = load<usize>(RETURN_PTR);
  const size = load<u32>(RETURN_SIZE);
  const out = new ArrayBuffer(<i32>size);
  if (size > 0) memory.copy(changetype<usize>(out), ptr, size);
  freeReturned(ptr);
  return out;
}

/** The UTF-8 text the host just returned through RETURN_PTR/RETURN_SIZE. */
export function takeReturnedString(): string {
  const ptr = load<usize>(RETURN_PTR);
  const size = load<u32>(RETURN_SIZE);
  const out = size > 0 ? String.UTF8.decodeUnsafe(ptr, size) : "";
  freeReturned(ptr);
  return out;
}

/** Frees what the host returned; hosts return no allocation (pointer 0) for empty data. */
export function freeReturned(ptr: usize): void {
  if (ptr != 0) heap.free(ptr);
}

/** Clears the return slots before a host call, so a host that writes nothing leaves "empty". */
export function clearReturnSlots(): void {
  store<usize>(RETURN_PTR, 0);
  store<u32>(RETURN_SIZE, 0);
}

/** UTF-8 bytes of a string, for passing to the host. */
export function utf8(text: string): ArrayBuffer {
  return String.UTF8.encode(text);
}

/** The pointer of a buffer's data, for passing to the host while the buffer is alive in a local. */
// @ts-ignore: decorator
@inline export function ptr(buffer: ArrayBuffer): usize {
  return changetype<usize>(buffer);
}
