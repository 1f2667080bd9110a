// Header maps: request/response headers and trailers, and the headers of an HTTP call's response.
// On the wire a map is bytes (spec "Serialization"): u32 count, count × (u32 key size, u32 value
// size), then each key and each value followed by a NUL. Names and values are UTF-8 here.
import {
  proxy_add_header_map_value, proxy_get_header_map_pairs, proxy_get_header_map_size, proxy_get_header_map_value,
  proxy_remove_header_map_value, proxy_replace_header_map_value, proxy_set_header_map_pairs,
} from "./imports";
import { MapType, WasmResult } from "./enums";
import { RETURN_EXTRA, RETURN_PTR, RETURN_SIZE, clearReturnSlots, freeReturned, takeReturnedString } from "./memory";

export class HeaderPair {
  constructor(public key: string, public value: string) {}
}

/** Serialises pairs in the ABI's map format. */
export function serializeHeaders(pairs: HeaderPair[]): ArrayBuffer {
  let size: i32 = 4 + pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) {
    size += String.UTF8.byteLength(pairs[i].key) + String.UTF8.byteLength(pairs[i].value) + 2;
  }
  const out = new ArrayBuffer(size);
  const base = changetype<usize>(out);
  store<u32>(base, pairs.length);
  let lengths = base + 4;
  let data = base + 4 + <usize>pairs.length * 8;
  for (let i = 0; i < pairs.length; i++) {
    const key = pairs[i].key;
    const value = pairs[i].value;
    const keySize = String.UTF8.encodeUnsafe(changetype<usize>(key), key.length, data, true) - 1;
    data += keySize + 1;
    const valueSize = String.UTF8.encodeUnsafe(changetype<usize>(value), value.length, data, true) - 1;
    data += valueSize + 1;
    store<u32>(lengths, <u32>keySize);
    store<u32>(lengths + 4, <u32>valueSize);
    lengths += 8;
  }
  return out;
}

/** Parses `size` bytes at `base` in the ABI's map format; malformed input yields the pairs read so far. */
export function deserializeHeaders(base: usize, size: usize): HeaderPair[] {
  const pairs = new Array<HeaderPair>();
  if (size < 4) return pairs;
  const count = <usize>load<u32>(base);
  const end = base + size;
  let lengths = base + 4;
  let data = lengths + count * 8;
  if (data > end) return pairs;
  for (let i: usize = 0; i < count; i++) {
    const keySize = <usize>load<u32>(lengths);
    const valueSize = <usize>load<u32>(lengths + 4);
    lengths += 8;
    if (data + keySize + valueSize + 2 > end) break;
    const key = String.UTF8.decodeUnsafe(data, keySize);
    data += keySize + 1;
    const value = String.UTF8.decodeUnsafe(data, valueSize);
    data += valueSize + 1;
    pairs.push(new HeaderPair(key, value));
  }
  return pairs;
}

/** One of the host's header maps. Names are matched case-insensitively by the host (they are lower case). */
export class HeaderMap {
  constructor(public readonly mapType: MapType) {}

  /** The first value of `name`, or null when absent. */
  get(name: string): string | null {
    const key = String.UTF8.encode(name);
    clearReturnSlots();
    const status = proxy_get_header_map_value(this.mapType, changetype<usize>(key), key.byteLength, RETURN_PTR, RETURN_SIZE);
    if (status != WasmResult.Ok) return null;
    return takeReturnedString();
  }

  has(name: string): bool {
    return this.get(name) !== null;
  }

  /** Every pair in order; repeated names appear as repeated pairs. */
  pairs(): HeaderPair[] {
    clearReturnSlots();
    if (proxy_get_header_map_pairs(this.mapType, RETURN_PTR, RETURN_SIZE) != WasmResult.Ok) return new Array<HeaderPair>();
    const ptr = load<usize>(RETURN_PTR);
    const pairs = deserializeHeaders(ptr, load<u32>(RETURN_SIZE));
    freeReturned(ptr);
    return pairs;
  }

  /** Replaces the whole map. */
  setPairs(pairs: HeaderPair[]): WasmResult {
    const bytes = serializeHeaders(pairs);
    return <WasmResult>proxy_set_header_map_pairs(this.mapType, changetype<usize>(bytes), bytes.byteLength);
  }

  /** The number of pairs. */
  size(): u32 {
    if (proxy_get_header_map_size(this.mapType, RETURN_EXTRA) != WasmResult.Ok) return 0;
    return load<u32>(RETURN_EXTRA);
  }

  /** Adds a value, keeping the existing ones. */
  add(name: string, value: string): WasmResult {
    const key = String.UTF8.encode(name);
    const val = String.UTF8.encode(value);
    return <WasmResult>proxy_add_header_map_value(this.mapType, changetype<usize>(key), key.byteLength, changetype<usize>(val), val.byteLength);
  }

  /** Sets the only value of `name` (adds it when absent). */
  replace(name: string, value: string): WasmResult {
    const key = String.UTF8.encode(name);
    const val = String.UTF8.encode(value);
    return <WasmResult>proxy_replace_header_map_value(this.mapType, changetype<usize>(key), key.byteLength, changetype<usize>(val), val.byteLength);
  }

  /** Removes every value of `name`. */
  remove(name: string): WasmResult {
    const key = String.UTF8.encode(name);
    return <WasmResult>proxy_remove_header_map_value(this.mapType, changetype<usize>(key), key.byteLength);
  }
}

/** The maps, one object each (they hold no state but the map type). */
export namespace headers {
  export const request = new HeaderMap(MapType.RequestHeaders);
  export const response = new HeaderMap(MapType.ResponseHeaders);
  export const requestTrailers = new HeaderMap(MapType.RequestTrailers);
  export const responseTrailers = new HeaderMap(MapType.ResponseTrailers);
  export const httpCallResponse = new HeaderMap(MapType.HttpCallResponseHeaders);
  export const httpCallResponseTrailers = new HeaderMap(MapType.HttpCallResponseTrailers);
}
