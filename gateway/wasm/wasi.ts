// The WASI (preview1) calls real proxy-wasm modules import (Go wasip1, TinyGo, Rust wasm32-wasip1,
// Emscripten): stdout/stderr go to the plugin's log, clocks and randomness are real, the environment is
// vm_config.environment_variables, there are no args and no files, sleeping returns at once, and
// proc_exit ends the call as a trap.
// Anything else a module may link answers ENOSYS. Registered as wasi_snapshot_preview1 and wasi_unstable.
import { randomFillSync } from 'node:crypto';
import type { FilterLogger } from '../../sdk/logger.js';
import type { GuestMemory } from './guest-memory.js';

const ESUCCESS = 0;
const EBADF = 8;
const EINVAL = 28;
const ENOSYS = 52;

/** Thrown by proc_exit: the guest asked to stop, which for a filter is a crash. */
export class WasiExit extends Error {
  constructor(readonly code: number) {
    super(`the module called proc_exit(${code})`);
    this.name = 'WasiExit';
  }
}

export interface WasiHost {
  memory(): GuestMemory;
  readonly log: FilterLogger;
  /** `KEY=value` strings, NUL-free. */
  readonly environ: readonly Buffer[];
}

function realtimeNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

/** Calls a module may import that we answer with ENOSYS (no files, no sockets in a filter). */
const UNSUPPORTED = [
  'fd_read', 'fd_pread', 'fd_pwrite', 'fd_seek', 'fd_tell', 'fd_sync', 'fd_datasync', 'fd_advise', 'fd_allocate',
  'fd_filestat_get', 'fd_filestat_set_size', 'fd_filestat_set_times', 'fd_readdir', 'fd_renumber', 'fd_fdstat_set_rights',
  'path_open', 'path_filestat_get', 'path_filestat_set_times', 'path_create_directory', 'path_remove_directory',
  'path_unlink_file', 'path_rename', 'path_link', 'path_symlink', 'path_readlink',
  'proc_raise', 'sock_accept', 'sock_recv', 'sock_send', 'sock_shutdown',
] as const;

export function wasiImports(host: WasiHost): Record<string, (...args: never[]) => number> {
  const fns: Record<string, (...args: never[]) => number> = {
    fd_write(fd: number, iovs: number, iovsLen: number, retWritten: number): number {
      if (fd !== 1 && fd !== 2) return EBADF;
      const mem = host.memory();
      const parts: Buffer[] = [];
      let total = 0;
      for (let i = 0; i < iovsLen; i++) {
        const ptr = mem.u32(iovs + i * 8);
        const len = mem.u32(iovs + i * 8 + 4);
        parts.push(mem.bytes(ptr, len));
        total += len;
      }
      const text = Buffer.concat(parts, total).toString('utf8').replace(/\n$/, '');
      if (text !== '') {
        if (fd === 1) host.log.info(text);
        else host.log.error(text);
      }
      mem.setU32(retWritten, total);
      return ESUCCESS;
    },
    fd_close: (): number => EBADF,
    fd_fdstat_get(fd: number, retStat: number): number {
      if (fd > 2) return EBADF;
      const view = host.memory().view(retStat, 24);
      view.fill(0);
      view[0] = 2; // character device
      return ESUCCESS;
    },
    fd_fdstat_set_flags: (fd: number): number => (fd > 2 ? EBADF : ESUCCESS),
    // No preopened directories: a runtime looking for them stops at the first EBADF.
    fd_prestat_get: (): number => EBADF,
    fd_prestat_dir_name: (): number => EBADF,
    clock_time_get(clockId: number, _precision: bigint, retTime: number): number {
      if (clockId === 0) host.memory().setU64(retTime, realtimeNs());
      else if (clockId >= 1 && clockId <= 3) host.memory().setU64(retTime, process.hrtime.bigint());
      else return EINVAL;
      return ESUCCESS;
    },
    clock_res_get(clockId: number, retRes: number): number {
      if (clockId > 3) return EINVAL;
      host.memory().setU64(retRes, 1000n);
      return ESUCCESS;
    },
    random_get(buf: number, len: number): number {
      randomFillSync(host.memory().view(buf, len));
      return ESUCCESS;
    },
    environ_sizes_get(retCount: number, retSize: number): number {
      const mem = host.memory();
      let size = 0;
      for (const e of host.environ) size += e.length + 1;
      mem.setU32(retCount, host.environ.length);
      mem.setU32(retSize, size);
      return ESUCCESS;
    },
    environ_get(ptrs: number, buf: number): number {
      const mem = host.memory();
      let at = buf;
      host.environ.forEach((e, i) => {
        mem.setU32(ptrs + i * 4, at);
        const view = mem.view(at, e.length + 1);
        view.set(e);
        view[e.length] = 0;
        at += e.length + 1;
      });
      return ESUCCESS;
    },
    args_sizes_get(retCount: number, retSize: number): number {
      host.memory().setU32(retCount, 0);
      host.memory().setU32(retSize, 0);
      return ESUCCESS;
    },
    args_get: (): number => ESUCCESS,
    sched_yield: (): number => ESUCCESS,
    // A filter must not block the event loop: every clock subscription (a sleep) fires at once, and
    // fd subscriptions answer EBADF. Go's runtime sleeps through this and aborts when it fails.
    poll_oneoff(subs: number, events: number, count: number, retCount: number): number {
      const mem = host.memory();
      for (let i = 0; i < count; i++) {
        const sub = mem.view(subs + i * 48, 48);
        const event = mem.view(events + i * 32, 32);
        event.fill(0);
        event.set(sub.subarray(0, 8), 0); // userdata
        const tag = sub[8]!;
        event[8] = tag === 0 ? 0 : EBADF; // errno (u16 little-endian)
        event[10] = tag; // type
      }
      mem.setU32(retCount, count);
      return ESUCCESS;
    },
    proc_exit(code: number): number {
      throw new WasiExit(code);
    },
  };
  for (const name of UNSUPPORTED) fns[name] = (): number => ENOSYS;
  return fns;
}

/** The names wasiImports provides, for the load-time import check. */
export const WASI_NAMES: ReadonlySet<string> = new Set(Object.keys(wasiImports({ memory: () => null as never, log: null as never, environ: [] })));
export const WASI_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'] as const;
