// The WASI calls real modules import. Adds to the request: x-env (the first environment entry),
// x-clock ("ok" when clock_time_get gives a time after 2020), x-random ("ok" when random_get filled
// 16 bytes, not all zero), x-write (fd_write's status and byte count, its text goes to the log),
// x-poll (a 1 ms sleep with poll_oneoff: status/events/the event's userdata);
// x-exit: the module calls proc_exit(3).
@external("wasi_snapshot_preview1", "environ_sizes_get") declare function environ_sizes_get(count: usize, size: usize): u16;
@external("wasi_snapshot_preview1", "environ_get") declare function environ_get(ptrs: usize, buf: usize): u16;
@external("wasi_snapshot_preview1", "clock_time_get") declare function clock_time_get(id: u32, precision: u64, ret: usize): u16;
@external("wasi_snapshot_preview1", "random_get") declare function random_get(buf: usize, len: usize): u16;
@external("wasi_snapshot_preview1", "fd_write") declare function fd_write(fd: u32, iovs: usize, len: usize, ret: usize): u16;
@external("wasi_snapshot_preview1", "proc_exit") declare function proc_exit(code: u32): void;
@external("wasi_snapshot_preview1", "poll_oneoff") declare function poll_oneoff(subs: usize, events: usize, n: u32, ret: usize): u16;
export { allocate as proxy_on_memory_allocate } from "./abi";
import { REQUEST_HEADERS, addHeader, getHeader } from "./abi";

const SCRATCH: usize = memory.data(64);

export function proxy_abi_version_0_2_1(): void {}

export function proxy_on_request_headers(ctx: u32, n: u32, eos: bool): u32 {
  if (getHeader(REQUEST_HEADERS, "x-exit") != null) proc_exit(3);
  environ_sizes_get(SCRATCH, SCRATCH + 4);
  const count = load<u32>(SCRATCH);
  const size = load<u32>(SCRATCH + 4);
  if (count > 0) {
    const ptrs = heap.alloc(count * 4);
    const buf = heap.alloc(size);
    environ_get(ptrs, buf);
    addHeader(REQUEST_HEADERS, "x-env", String.UTF8.decodeUnsafe(load<u32>(ptrs), size, true));
  }
  clock_time_get(0, 1000, SCRATCH);
  addHeader(REQUEST_HEADERS, "x-clock", load<u64>(SCRATCH) > 1577836800000000000 ? "ok" : "bad");
  memory.fill(SCRATCH, 0, 16);
  random_get(SCRATCH, 16);
  addHeader(REQUEST_HEADERS, "x-random", load<u64>(SCRATCH) != 0 || load<u64>(SCRATCH + 8) != 0 ? "ok" : "bad");
  const text = String.UTF8.encode("hello from wasi\n");
  store<u32>(SCRATCH + 32, changetype<usize>(text));
  store<u32>(SCRATCH + 36, text.byteLength);
  const status = fd_write(1, SCRATCH + 32, 1, SCRATCH + 40);
  addHeader(REQUEST_HEADERS, "x-write", status.toString() + "/" + load<u32>(SCRATCH + 40).toString());
  const sub = heap.alloc(48);
  const event = heap.alloc(32);
  memory.fill(sub, 0, 48);
  store<u64>(sub, 42); // userdata
  store<u8>(sub + 8, 0); // clock
  store<u64>(sub + 24, 1000000); // 1 ms
  const polled = poll_oneoff(sub, event, 1, SCRATCH + 44);
  addHeader(REQUEST_HEADERS, "x-poll", polled.toString() + "/" + load<u32>(SCRATCH + 44).toString() + "/" + load<u64>(event).toString());
  return 0;
}
