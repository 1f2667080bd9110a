// Test modules for the host, written straight against the Proxy-Wasm ABI (no SDK), AssemblyScript 0.28.
// This file: the host functions they import and small helpers. Built with --runtime stub (nothing is freed).

@external("env", "proxy_log") declare function proxy_log(level: i32, ptr: usize, len: usize): u32;
@external("env", "proxy_get_buffer_bytes") declare function proxy_get_buffer_bytes(t: i32, start: u32, max: u32, retPtr: usize, retLen: usize): u32;
@external("env", "proxy_set_buffer_bytes") declare function proxy_set_buffer_bytes(t: i32, start: u32, len: u32, ptr: usize, size: usize): u32;
@external("env", "proxy_get_header_map_value") declare function proxy_get_header_map_value(map: i32, kPtr: usize, kLen: usize, retPtr: usize, retLen: usize): u32;
@external("env", "proxy_add_header_map_value") declare function proxy_add_header_map_value(map: i32, kPtr: usize, kLen: usize, vPtr: usize, vLen: usize): u32;
@external("env", "proxy_replace_header_map_value") declare function proxy_replace_header_map_value(map: i32, kPtr: usize, kLen: usize, vPtr: usize, vLen: usize): u32;
@external("env", "proxy_remove_header_map_value") declare function proxy_remove_header_map_value(map: i32, kPtr: usize, kLen: usize): u32;
@external("env", "proxy_get_header_map_pairs") declare function proxy_get_header_map_pairs(map: i32, retPtr: usize, retLen: usize): u32;
@external("env", "proxy_get_property") declare function proxy_get_property(pPtr: usize, pLen: usize, retPtr: usize, retLen: usize): u32;
@external("env", "proxy_send_local_response") declare function proxy_send_local_response(status: u32, dPtr: usize, dLen: usize, bPtr: usize, bLen: usize, hPtr: usize, hLen: usize, grpc: i32): u32;
@external("env", "proxy_continue_stream") declare function proxy_continue_stream(t: i32): u32;
@external("env", "proxy_set_effective_context") declare function proxy_set_effective_context(id: u32): u32;
@external("env", "proxy_http_call") declare function proxy_http_call(uPtr: usize, uLen: usize, hPtr: usize, hLen: usize, bPtr: usize, bLen: usize, tPtr: usize, tLen: usize, timeout: u32, retToken: usize): u32;
@external("env", "proxy_set_tick_period_milliseconds") declare function proxy_set_tick_period_milliseconds(ms: u32): u32;
@external("env", "proxy_get_shared_data") declare function proxy_get_shared_data(kPtr: usize, kLen: usize, retPtr: usize, retLen: usize, retCas: usize): u32;
@external("env", "proxy_set_shared_data") declare function proxy_set_shared_data(kPtr: usize, kLen: usize, vPtr: usize, vLen: usize, cas: u32): u32;
@external("env", "proxy_register_shared_queue") declare function proxy_register_shared_queue(nPtr: usize, nLen: usize, retId: usize): u32;
@external("env", "proxy_enqueue_shared_queue") declare function proxy_enqueue_shared_queue(id: u32, vPtr: usize, vLen: usize): u32;
@external("env", "proxy_dequeue_shared_queue") declare function proxy_dequeue_shared_queue(id: u32, retPtr: usize, retLen: usize): u32;
@external("env", "proxy_define_metric") declare function proxy_define_metric(t: i32, nPtr: usize, nLen: usize, retId: usize): u32;
@external("env", "proxy_increment_metric") declare function proxy_increment_metric(id: u32, delta: i64): u32;

export const REQUEST_HEADERS = 0;
export const RESPONSE_HEADERS = 2;
export const CALL_RESPONSE_HEADERS = 6;
export const REQUEST_BODY = 0;
export const RESPONSE_BODY = 1;
export const CALL_RESPONSE_BODY = 4;
export const PLUGIN_CONFIGURATION = 7;

const RET_PTR: usize = memory.data(8);
const RET_LEN: usize = RET_PTR + 4;
const RET_CAS: usize = memory.data(4);

export function allocate(size: usize): usize {
  return heap.alloc(size);
}

function returned(): string {
  return String.UTF8.decodeUnsafe(load<u32>(RET_PTR), load<u32>(RET_LEN));
}

export function log(msg: string): void {
  const b = String.UTF8.encode(msg);
  proxy_log(2, changetype<usize>(b), b.byteLength);
}

export function getBuffer(t: i32, size: u32): string {
  if (proxy_get_buffer_bytes(t, 0, size, RET_PTR, RET_LEN) != 0) return "";
  return returned();
}

export function setBuffer(t: i32, value: string): u32 {
  const b = String.UTF8.encode(value);
  return proxy_set_buffer_bytes(t, 0, 0xffffffff, changetype<usize>(b), b.byteLength);
}

/** The value, or null when the host says NOT_FOUND. */
export function getHeader(map: i32, name: string): string | null {
  const k = String.UTF8.encode(name);
  if (proxy_get_header_map_value(map, changetype<usize>(k), k.byteLength, RET_PTR, RET_LEN) != 0) return null;
  return returned();
}

export function addHeader(map: i32, name: string, value: string): u32 {
  const k = String.UTF8.encode(name);
  const v = String.UTF8.encode(value);
  return proxy_add_header_map_value(map, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
}

export function replaceHeader(map: i32, name: string, value: string): u32 {
  const k = String.UTF8.encode(name);
  const v = String.UTF8.encode(value);
  return proxy_replace_header_map_value(map, changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength);
}

export function removeHeader(map: i32, name: string): u32 {
  const k = String.UTF8.encode(name);
  return proxy_remove_header_map_value(map, changetype<usize>(k), k.byteLength);
}

/** How many pairs the serialised map holds (its first u32). */
export function headerPairCount(map: i32): u32 {
  if (proxy_get_header_map_pairs(map, RET_PTR, RET_LEN) != 0) return 0;
  if (load<u32>(RET_LEN) == 0) return 0;
  return load<u32>(load<u32>(RET_PTR));
}

/** A string property (path segments joined by NUL), or "" when there is none. */
export function getStringProperty(path: string): string {
  const p = String.UTF8.encode(path.replaceAll(".", "\0"));
  if (proxy_get_property(changetype<usize>(p), p.byteLength, RET_PTR, RET_LEN) != 0) return "";
  return returned();
}

/** An int64 property, or -1. */
export function getIntProperty(path: string): i64 {
  const p = String.UTF8.encode(path.replaceAll(".", "\0"));
  if (proxy_get_property(changetype<usize>(p), p.byteLength, RET_PTR, RET_LEN) != 0) return -1;
  if (load<u32>(RET_LEN) != 8) return -1;
  return load<i64>(load<u32>(RET_PTR));
}

/** Serialises name/value pairs as the ABI wants them. */
export function serializePairs(pairs: string[]): ArrayBuffer {
  const n = pairs.length / 2;
  const encoded = new Array<ArrayBuffer>(pairs.length);
  let size = 4 + n * 8;
  for (let i = 0; i < pairs.length; i++) {
    encoded[i] = String.UTF8.encode(pairs[i]);
    size += encoded[i].byteLength + 1;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, n);
  let data = base + 4 + n * 8;
  for (let i = 0; i < pairs.length; i++) {
    const e = encoded[i];
    store<u32>(base + 4 + i * 4, e.byteLength);
    memory.copy(data, changetype<usize>(e), e.byteLength);
    data += e.byteLength;
    store<u8>(data, 0);
    data += 1;
  }
  return out;
}

export function sendLocalResponse(status: u32, details: string, body: string, headers: string[]): u32 {
  const d = String.UTF8.encode(details);
  const b = String.UTF8.encode(body);
  const h = serializePairs(headers);
  return proxy_send_local_response(status, changetype<usize>(d), d.byteLength, changetype<usize>(b), b.byteLength, changetype<usize>(h), h.byteLength, -1);
}

export function continueRequest(): u32 {
  return proxy_continue_stream(0);
}

export function setEffectiveContext(id: u32): u32 {
  return proxy_set_effective_context(id);
}

/** Returns the token, or 0 when the host refused the call. */
export function httpCall(cluster: string, headers: string[], body: string, timeoutMs: u32): u32 {
  const c = String.UTF8.encode(cluster);
  const h = serializePairs(headers);
  const b = String.UTF8.encode(body);
  const t = serializePairs([]);
  if (proxy_http_call(changetype<usize>(c), c.byteLength, changetype<usize>(h), h.byteLength, changetype<usize>(b), b.byteLength, changetype<usize>(t), t.byteLength, timeoutMs, RET_PTR) != 0) return 0;
  return load<u32>(RET_PTR);
}

export function setTickPeriod(ms: u32): void {
  proxy_set_tick_period_milliseconds(ms);
}

/** The value of a shared key ("" when missing) and its cas (0 when missing) in lastCas. */
export let lastCas: u32 = 0;
export function getShared(key: string): string {
  const k = String.UTF8.encode(key);
  if (proxy_get_shared_data(changetype<usize>(k), k.byteLength, RET_PTR, RET_LEN, RET_CAS) != 0) {
    lastCas = 0;
    return "";
  }
  lastCas = load<u32>(RET_CAS);
  return returned();
}

export function setShared(key: string, value: string, cas: u32): u32 {
  const k = String.UTF8.encode(key);
  const v = String.UTF8.encode(value);
  return proxy_set_shared_data(changetype<usize>(k), k.byteLength, changetype<usize>(v), v.byteLength, cas);
}

export function registerQueue(name: string): u32 {
  const n = String.UTF8.encode(name);
  proxy_register_shared_queue(changetype<usize>(n), n.byteLength, RET_PTR);
  return load<u32>(RET_PTR);
}

export function enqueue(id: u32, value: string): u32 {
  const v = String.UTF8.encode(value);
  return proxy_enqueue_shared_queue(id, changetype<usize>(v), v.byteLength);
}

/** The next item, or null when the queue is empty. */
export function dequeue(id: u32): string | null {
  if (proxy_dequeue_shared_queue(id, RET_PTR, RET_LEN) != 0) return null;
  return returned();
}

export function defineCounter(name: string): u32 {
  const n = String.UTF8.encode(name);
  proxy_define_metric(0, changetype<usize>(n), n.byteLength, RET_PTR);
  return load<u32>(RET_PTR);
}

export function incrementMetric(id: u32, by: i64): void {
  proxy_increment_metric(id, by);
}
