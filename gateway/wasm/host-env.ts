// The `env.proxy_*` host functions (spec v0.2.1, plus the 0.1.0 ones that differ). Each returns a
// proxy_status_t. They act on the VM's active context; what the module asks of the stream (continue,
// local reply, close) is deferred until its callback returns (WasmVm.defer), never done re-entrantly.
import type { HttpCallRequest } from '../../sdk/filter.js';
import { BufferType, LogLevel, MapType, Status, StreamType } from './abi.js';
import type { WasmContext } from './contexts.js';
import { EMPTY_MAP, RequestHeaderMap, ResponseHeaderMap } from './header-maps.js';
import type { WasmHeaderMap } from './header-maps.js';
import { deserializePairs, serializePairs } from './pairs.js';
import type { Pairs } from './pairs.js';
import { getProperty } from './properties.js';
import { getSharedData, setSharedData } from './shared-data.js';
import { dequeue, enqueue, registerQueue, resolveQueue } from './shared-queues.js';
import type { WasmVm } from './wasm-vm.js';
import type { WasmConnection } from './network-connection.js';

type HostFunction = (...args: never[]) => number | void;

const PINO_LEVELS: Record<string, LogLevel> = {
  trace: LogLevel.Trace,
  debug: LogLevel.Debug,
  info: LogLevel.Info,
  warn: LogLevel.Warn,
  error: LogLevel.Error,
  fatal: LogLevel.Critical,
  silent: LogLevel.Critical,
};

/** Default for proxy_http_call's timeout of 0 (Envoy's own default for async client calls is none; we bound it). */
const DEFAULT_HTTP_CALL_TIMEOUT_MS = 60_000;
const EMPTY = Buffer.alloc(0);

function splice(body: Buffer, start: number, len: number, data: Buffer): Buffer {
  const s = Math.min(start, body.length);
  return Buffer.concat([body.subarray(0, s), data, body.subarray(Math.min(s + len, body.length))]);
}

export function envImports(vm: WasmVm): Record<string, HostFunction> {
  const mem = () => vm.memory;
  const active = (): WasmContext | null => vm.activeContext();

  function headerMap(type: number): WasmHeaderMap | null {
    if (type === MapType.HttpCallResponseHeaders) return vm.callout?.headers ?? null;
    if (type === MapType.HttpCallResponseTrailers) return vm.callout?.trailers ?? null;
    const http = active()?.http;
    if (http === null || http === undefined) return null;
    switch (type) {
      case MapType.RequestHeaders:
        return (http.requestMap ??= new RequestHeaderMap(http.stream));
      case MapType.ResponseHeaders:
        if (http.stream.responseHeaders === undefined) return null;
        return (http.responseMap ??= new ResponseHeaderMap(http.stream));
      case MapType.RequestTrailers:
      case MapType.ResponseTrailers:
        return EMPTY_MAP;
      default:
        return null;
    }
  }

  function buffer(type: number): Buffer | null {
    const ctx = active();
    switch (type) {
      case BufferType.RequestBody:
        return ctx?.http?.requestBody ?? null;
      case BufferType.ResponseBody:
        return ctx?.http?.responseBody ?? null;
      case BufferType.HttpCallResponseBody:
        return vm.callout?.body ?? null;
      case BufferType.DownstreamData:
        return ctx?.net?.downstream ?? null;
      case BufferType.UpstreamData:
        return ctx?.net?.upstream ?? null;
      case BufferType.VmConfiguration:
        return (ctx?.plugin ?? vm.firstPlugin)?.vmConfig ?? null;
      case BufferType.PluginConfiguration:
        return (ctx?.plugin ?? vm.firstPlugin)?.pluginConfig ?? null;
      default:
        return null;
    }
  }

  function logger() {
    return (active()?.plugin ?? vm.firstPlugin)?.log ?? vm.log;
  }

  function setMapValue(op: 'add' | 'replace', type: number, kPtr: number, kLen: number, vPtr: number, vLen: number): Status {
    const map = headerMap(type);
    if (map === null) return Status.NotFound;
    const key = mem().latin1(kPtr, kLen).toLowerCase();
    const value = mem().latin1(vPtr, vLen);
    return map[op](key, value) ? Status.Ok : Status.BadArgument;
  }

  /** A network filter's connection action, deferred until the callback returns. */
  function netAction(action: (net: WasmConnection) => void): Status {
    const net = active()?.net;
    if (net === null || net === undefined) return Status.NotFound;
    vm.defer(() => action(net));
    return Status.Ok;
  }

  function continueStream(): Status {
    const http = active()?.http;
    if (http === null || http === undefined) return Status.NotFound;
    vm.defer(() => http.resume());
    return Status.Ok;
  }

  return {
    // ---- log and time ----
    proxy_log(level: number, ptr: number, len: number): number {
      const msg = mem().utf8(ptr, len);
      const log = logger();
      if (level <= LogLevel.Debug) log.debug(msg);
      else if (level === LogLevel.Info) log.info(msg);
      else if (level === LogLevel.Warn) log.warn(msg);
      else log.error(msg);
      return Status.Ok;
    },
    proxy_get_log_level(retLevel: number): number {
      const name = (logger() as { level?: string }).level ?? 'info';
      mem().setU32(retLevel, PINO_LEVELS[name] ?? LogLevel.Info);
      return Status.Ok;
    },
    proxy_get_current_time_nanoseconds(retTime: number): number {
      mem().setU64(retTime, BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6)));
      return Status.Ok;
    },
    proxy_set_tick_period_milliseconds(ms: number): number {
      const ctx = active();
      if (ctx === null) return Status.BadArgument;
      vm.setTickPeriod(ctx.plugin, ms >>> 0);
      return Status.Ok;
    },

    // ---- contexts ----
    proxy_set_effective_context(id: number): number {
      return vm.setEffectiveContext(id >>> 0) ? Status.Ok : Status.BadArgument;
    },
    proxy_done(): number {
      // proxy_on_done is answered at once (on_log and on_delete follow): nothing waits for this.
      return Status.Ok;
    },

    // ---- buffers ----
    proxy_get_buffer_bytes(type: number, start: number, max: number, retPtr: number, retLen: number): number {
      const b = buffer(type);
      if (b === null) return Status.NotFound;
      start >>>= 0;
      const end = Math.min(b.length, start + (max >>> 0));
      return mem().returnBytes(start >= end ? EMPTY : b.subarray(start, end), retPtr, retLen);
    },
    proxy_get_buffer_status(type: number, retLen: number, retFlags: number): number {
      const b = buffer(type);
      if (b === null) return Status.NotFound;
      mem().setU32(retLen, b.length);
      // Bodies are delivered whole: the end of the stream is always in the buffer.
      mem().setU32(retFlags, type === BufferType.RequestBody || type === BufferType.ResponseBody ? 1 : 0);
      return Status.Ok;
    },
    proxy_set_buffer_bytes(type: number, start: number, len: number, ptr: number, size: number): number {
      const ctx = active();
      const http = ctx?.http;
      const data = mem().bytes(ptr, size);
      const net = ctx?.net;
      if (net !== null && net !== undefined) {
        // A network filter's data: changed in place for the callback in progress, passed on when it returns.
        if (type === BufferType.DownstreamData && net.downstream !== null) net.downstream = splice(net.downstream, start >>> 0, len >>> 0, data);
        else if (type === BufferType.UpstreamData && net.upstream !== null) net.upstream = splice(net.upstream, start >>> 0, len >>> 0, data);
        else return Status.NotFound;
        return Status.Ok;
      }
      if (http === null || http === undefined) return Status.NotFound;
      if (type === BufferType.RequestBody && http.requestBody !== null) {
        http.requestBody = splice(http.requestBody, start >>> 0, len >>> 0, data);
        http.stream.setRequestBody(http.requestBody); // the router sends it with its own content-length
        return Status.Ok;
      }
      if (type === BufferType.ResponseBody && http.responseBody !== null) {
        http.responseBody = splice(http.responseBody, start >>> 0, len >>> 0, data);
        http.stream.setResponseBody(http.responseBody);
        return Status.Ok;
      }
      return Status.NotFound;
    },

    // ---- header maps ----
    proxy_get_header_map_size(type: number, retSize: number): number {
      const map = headerMap(type);
      if (map === null) return Status.NotFound;
      mem().setU32(retSize, map.size());
      return Status.Ok;
    },
    proxy_get_header_map_pairs(type: number, retPtr: number, retLen: number): number {
      const map = headerMap(type);
      if (map === null) return Status.NotFound;
      const pairs = map.pairs();
      return mem().returnBytes(pairs.length === 0 ? EMPTY : serializePairs(pairs), retPtr, retLen);
    },
    proxy_set_header_map_pairs(type: number, ptr: number, len: number): number {
      const map = headerMap(type);
      if (map === null) return Status.NotFound;
      let pairs: Pairs;
      try {
        pairs = deserializePairs(mem().view(ptr, len));
      } catch {
        return Status.ParseFailure;
      }
      return map.setPairs(pairs.map(([k, v]) => [k.toLowerCase(), v])) ? Status.Ok : Status.BadArgument;
    },
    proxy_get_header_map_value(type: number, kPtr: number, kLen: number, retPtr: number, retLen: number): number {
      const map = headerMap(type);
      if (map === null) return Status.NotFound;
      const value = map.get(mem().latin1(kPtr, kLen).toLowerCase());
      if (value === undefined) {
        // ABI 0.1.0 answers a missing header with an empty value.
        if (vm.abi === '0.1.0') return mem().returnBytes(EMPTY, retPtr, retLen);
        return Status.NotFound;
      }
      return mem().returnBytes(Buffer.from(value, 'latin1'), retPtr, retLen);
    },
    proxy_add_header_map_value(type: number, kPtr: number, kLen: number, vPtr: number, vLen: number): number {
      return setMapValue('add', type, kPtr, kLen, vPtr, vLen);
    },
    proxy_replace_header_map_value(type: number, kPtr: number, kLen: number, vPtr: number, vLen: number): number {
      return setMapValue('replace', type, kPtr, kLen, vPtr, vLen);
    },
    proxy_remove_header_map_value(type: number, kPtr: number, kLen: number): number {
      const map = headerMap(type);
      if (map === null) return Status.NotFound;
      map.remove(mem().latin1(kPtr, kLen).toLowerCase());
      return Status.Ok;
    },

    // ---- the stream ----
    proxy_continue_stream(type: number): number {
      if (type === StreamType.Downstream || type === StreamType.Upstream) return netAction((net) => net.resume());
      if (type !== StreamType.HttpRequest && type !== StreamType.HttpResponse) return Status.BadArgument;
      return continueStream();
    },
    proxy_close_stream(type: number): number {
      if (type === StreamType.Downstream || type === StreamType.Upstream) return netAction((net) => net.closeConnection());
      if (type !== StreamType.HttpRequest && type !== StreamType.HttpResponse) return Status.BadArgument;
      const http = active()?.http;
      if (http === null || http === undefined) return Status.NotFound;
      vm.defer(() => http.close());
      return Status.Ok;
    },
    proxy_get_status(): number {
      // Only gRPC callbacks have a status, and gRPC calls are not supported.
      return Status.NotFound;
    },
    proxy_send_local_response(
      status: number,
      detailsPtr: number,
      detailsLen: number,
      bodyPtr: number,
      bodyLen: number,
      headersPtr: number,
      headersLen: number,
    ): number {
      const http = active()?.http;
      if (http === null || http === undefined) return Status.NotFound;
      const details = mem().utf8(detailsPtr, detailsLen);
      const body = mem().bytes(bodyPtr, bodyLen);
      let pairs: Pairs;
      try {
        pairs = deserializePairs(mem().view(headersPtr, headersLen));
      } catch {
        return Status.ParseFailure;
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of pairs) headers[k.toLowerCase()] = v;
      http.replying = true;
      vm.defer(() => http.stream.sendLocalReply(status, body, headers, details === '' ? undefined : { details }));
      return Status.Ok;
    },

    // ---- http calls ----
    proxy_http_call(
      upstreamPtr: number,
      upstreamLen: number,
      headersPtr: number,
      headersLen: number,
      bodyPtr: number,
      bodyLen: number,
      _trailersPtr: number,
      _trailersLen: number,
      timeoutMs: number,
      retToken: number,
    ): number {
      const ctx = active();
      if (ctx === null) return Status.BadArgument;
      const cluster = mem().utf8(upstreamPtr, upstreamLen);
      let pairs: Pairs;
      try {
        pairs = deserializePairs(mem().view(headersPtr, headersLen));
      } catch {
        return Status.ParseFailure;
      }
      const req: HttpCallRequest = { path: '', timeoutMs: timeoutMs > 0 ? timeoutMs >>> 0 : DEFAULT_HTTP_CALL_TIMEOUT_MS, headers: {} };
      let authority: string | undefined;
      for (const [rawKey, v] of pairs) {
        const k = rawKey.toLowerCase();
        if (k === ':method') req.method = v;
        else if (k === ':path') req.path = v;
        else if (k === ':authority') authority = v;
        else if (k.charCodeAt(0) !== 58 && k !== 'host') req.headers![k] = req.headers![k] === undefined ? v : `${req.headers![k]},${v}`;
      }
      if (req.method === undefined || req.path === '' || authority === undefined) return Status.BadArgument;
      req.authority = authority;
      if (bodyLen > 0) req.body = mem().bytes(bodyPtr, bodyLen);
      mem().setU32(retToken, vm.dispatchHttpCall(ctx.plugin, cluster, req));
      return Status.Ok;
    },
    proxy_grpc_call: (): number => Status.Unimplemented,
    proxy_grpc_stream: (): number => Status.Unimplemented,
    proxy_grpc_send: (): number => Status.Unimplemented,
    proxy_grpc_cancel: (): number => Status.Unimplemented,
    proxy_grpc_close: (): number => Status.Unimplemented,

    // ---- shared data and queues ----
    proxy_get_shared_data(kPtr: number, kLen: number, retPtr: number, retLen: number, retCas: number): number {
      const entry = getSharedData(vm.vmId, mem().utf8(kPtr, kLen));
      if (entry === undefined) return Status.NotFound;
      const s = mem().returnBytes(entry.value, retPtr, retLen);
      if (s === Status.Ok) mem().setU32(retCas, entry.cas);
      return s;
    },
    proxy_set_shared_data(kPtr: number, kLen: number, vPtr: number, vLen: number, cas: number): number {
      return setSharedData(vm.vmId, mem().utf8(kPtr, kLen), mem().bytes(vPtr, vLen), cas >>> 0);
    },
    proxy_register_shared_queue(namePtr: number, nameLen: number, retId: number): number {
      const ctx = active();
      if (ctx === null) return Status.BadArgument;
      const root = ctx.plugin.root;
      if (root === null) return Status.BadArgument;
      mem().setU32(retId, registerQueue(vm.vmId, mem().utf8(namePtr, nameLen), root));
      return Status.Ok;
    },
    proxy_resolve_shared_queue(vmIdPtr: number, vmIdLen: number, namePtr: number, nameLen: number, retId: number): number {
      const id = resolveQueue(mem().utf8(vmIdPtr, vmIdLen), mem().utf8(namePtr, nameLen));
      if (id === undefined) return Status.NotFound;
      mem().setU32(retId, id);
      return Status.Ok;
    },
    proxy_enqueue_shared_queue(id: number, ptr: number, len: number): number {
      return enqueue(id >>> 0, mem().bytes(ptr, len));
    },
    proxy_dequeue_shared_queue(id: number, retPtr: number, retLen: number): number {
      const item = dequeue(id >>> 0);
      if (typeof item === 'number') return item;
      return mem().returnBytes(item, retPtr, retLen);
    },

    // ---- metrics ----
    proxy_define_metric(type: number, namePtr: number, nameLen: number, retId: number): number {
      const stats = (active()?.plugin ?? vm.firstPlugin)?.stats ?? vm.stats;
      const id = vm.metrics.define(type, mem().utf8(namePtr, nameLen), stats);
      if (id === undefined) return Status.BadArgument;
      mem().setU32(retId, id);
      return Status.Ok;
    },
    proxy_increment_metric(id: number, delta: bigint): number {
      return vm.metrics.increment(id >>> 0, BigInt(delta));
    },
    proxy_record_metric(id: number, value: bigint): number {
      return vm.metrics.record(id >>> 0, BigInt.asUintN(64, BigInt(value)));
    },
    proxy_get_metric(id: number, retValue: number): number {
      const v = vm.metrics.get(id >>> 0);
      if (v === undefined) return Status.NotFound;
      mem().setU64(retValue, v);
      return Status.Ok;
    },

    // ---- properties ----
    proxy_get_property(pathPtr: number, pathLen: number, retPtr: number, retLen: number): number {
      const ctx = active() ?? vm.firstPlugin?.root ?? null;
      if (ctx === null) return Status.NotFound;
      const path = mem().utf8(pathPtr, pathLen);
      const value = ctx.properties?.get(path) ?? getProperty(path, ctx);
      if (value === undefined) return Status.NotFound;
      return mem().returnBytes(value, retPtr, retLen);
    },
    proxy_set_property(pathPtr: number, pathLen: number, vPtr: number, vLen: number): number {
      const ctx = active();
      if (ctx === null) return Status.BadArgument;
      (ctx.properties ??= new Map()).set(mem().utf8(pathPtr, pathLen), mem().bytes(vPtr, vLen));
      return Status.Ok;
    },
    proxy_call_foreign_function(): number {
      // No foreign functions are registered (Envoy's are compression and CEL helpers).
      return Status.NotFound;
    },

    // ---- ABI 0.1.0 ----
    proxy_get_configuration(retPtr: number, retLen: number): number {
      const plugin = active()?.plugin ?? vm.firstPlugin;
      return mem().returnBytes(plugin?.pluginConfig ?? EMPTY, retPtr, retLen);
    },
    proxy_continue_request: (): number => continueStream(),
    proxy_continue_response: (): number => continueStream(),
    proxy_clear_route_cache(): number {
      const http = active()?.http;
      if (http === null || http === undefined) return Status.NotFound;
      http.stream.clearRouteCache();
      return Status.Ok;
    },

    // ---- runtime helpers the C++ host also links ----
    emscripten_notify_memory_growth(): void {},
    pthread_equal: (a: number, b: number): number => (a === b ? 1 : 0),
    /** AssemblyScript's abort(message, file, line, column), for modules built without `--use abort=`. */
    abort(msgPtr: number, filePtr: number, line: number, column: number): void {
      throw new Error(`the module aborted: ${vm.assemblyScriptString(msgPtr)} at ${vm.assemblyScriptString(filePtr)}:${line}:${column}`);
    },
  };
}

/** The names envImports provides, for the load-time import check. */
export const ENV_NAMES: ReadonlySet<string> = new Set(Object.keys(envImports(null as never)));
