// Reading and writing the guest's linear memory. Views are made afresh on every access: the guest's
// memory can grow during any call (including the host's own calls to its allocator), and growth
// detaches the old ArrayBuffer. Every access is bounds-checked; a bad pointer is the guest's bug and
// turns into INVALID_MEMORY_ACCESS, never into a host exception.
import { Status } from './abi.js';

/** Thrown inside a host function for a guest pointer out of bounds; the host function returns its status. */
export class GuestMemoryError extends Error {
  readonly status = Status.InvalidMemoryAccess;
}

export type GuestAllocator = (size: number) => number;

export class GuestMemory {
  constructor(
    private readonly memory: WebAssembly.Memory,
    /** The guest's proxy_on_memory_allocate (or malloc); null when it exports neither. */
    private readonly allocate: GuestAllocator | null,
  ) {}

  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  private check(ptr: number, len: number): void {
    if (ptr < 0 || len < 0 || ptr + len > this.memory.buffer.byteLength) {
      throw new GuestMemoryError(`guest memory access out of bounds: ${ptr}+${len}`);
    }
  }

  /** A copy of guest bytes (the guest may reuse its memory as soon as the call returns). */
  bytes(ptr: number, len: number): Buffer {
    ptr >>>= 0;
    len >>>= 0;
    this.check(ptr, len);
    return Buffer.from(new Uint8Array(this.memory.buffer, ptr, len));
  }

  /** A view without copy, valid only until the next guest call. */
  view(ptr: number, len: number): Buffer {
    ptr >>>= 0;
    len >>>= 0;
    this.check(ptr, len);
    return Buffer.from(this.memory.buffer, ptr, len);
  }

  /** Decoded straight from the view: strings are copies, so no intermediate copy of the bytes is needed. */
  utf8(ptr: number, len: number): string {
    return this.view(ptr, len).toString('utf8');
  }

  /** Header names and values are byte strings: latin1 keeps every byte as one char, both ways. */
  latin1(ptr: number, len: number): string {
    return this.view(ptr, len).toString('latin1');
  }

  u32(ptr: number): number {
    ptr >>>= 0;
    this.check(ptr, 4);
    return new DataView(this.memory.buffer).getUint32(ptr, true);
  }

  setU32(ptr: number, value: number): void {
    ptr >>>= 0;
    this.check(ptr, 4);
    new DataView(this.memory.buffer).setUint32(ptr, value >>> 0, true);
  }

  setU64(ptr: number, value: bigint): void {
    ptr >>>= 0;
    this.check(ptr, 8);
    new DataView(this.memory.buffer).setBigUint64(ptr, BigInt.asUintN(64, value), true);
  }

  /**
   * Hands bytes to the guest: allocates them inside the guest (which owns and frees them), copies them
   * in, and writes the pointer and length to the guest's return slots. Empty data is pointer 0, length 0.
   */
  returnBytes(data: Uint8Array, retPtrPtr: number, retLenPtr: number): Status {
    // Check the slots first so that a bad pointer does not leak a guest allocation.
    this.check(retPtrPtr >>> 0, 4);
    this.check(retLenPtr >>> 0, 4);
    let ptr = 0;
    if (data.length > 0) {
      if (this.allocate === null) return Status.InternalFailure;
      ptr = this.allocate(data.length) >>> 0;
      if (ptr === 0) return Status.InternalFailure;
      this.check(ptr, data.length);
      new Uint8Array(this.memory.buffer, ptr, data.length).set(data);
    }
    this.setU32(retPtrPtr, ptr);
    this.setU32(retLenPtr, data.length);
    return Status.Ok;
  }
}
