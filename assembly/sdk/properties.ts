// Properties (Envoy attributes): a path of segments joined by NUL, e.g. ["request", "path"]. Values
// come as Envoy encodes them: strings raw, integers as 8 bytes little-endian, booleans as 1 byte.
import { proxy_get_property, proxy_set_property } from "./imports";
import { WasmResult } from "./enums";
import { RETURN_PTR, RETURN_SIZE, clearReturnSlots, takeReturnedBytes } from "./memory";

/** The serialised path: the segments' UTF-8 joined by NUL, no trailing NUL. */
export function serializePropertyPath(path: string[]): ArrayBuffer {
  return String.UTF8.encode(path.join("\0"));
}

/** The raw value, or null when the host does not know the property. */
export function getProperty(path: string[]): ArrayBuffer | null {
  const key = serializePropertyPath(path);
  clearReturnSlots();
  if (proxy_get_property(changetype<usize>(key), key.byteLength, RETURN_PTR, RETURN_SIZE) != WasmResult.Ok) return null;
  return takeReturnedBytes();
}

/** A string property, or null when absent. */
export function getPropertyString(path: string[]): string | null {
  const value = getProperty(path);
  return value === null ? null : String.UTF8.decode(value);
}

/** An integer property (int64/uint64, 8 bytes LE), or `fallback` when absent or not 8 bytes. */
export function getPropertyI64(path: string[], fallback: i64): i64 {
  const value = getProperty(path);
  if (value === null || value.byteLength != 8) return fallback;
  return load<i64>(changetype<usize>(value));
}

/** A boolean property (1 byte), or `fallback` when absent. */
export function getPropertyBool(path: string[], fallback: bool): bool {
  const value = getProperty(path);
  if (value === null || value.byteLength != 1) return fallback;
  return load<u8>(changetype<usize>(value)) != 0;
}

export function setProperty(path: string[], value: ArrayBuffer): WasmResult {
  const key = serializePropertyPath(path);
  return <WasmResult>proxy_set_property(changetype<usize>(key), key.byteLength, changetype<usize>(value), value.byteLength);
}

export function setPropertyString(path: string[], value: string): WasmResult {
  return setProperty(path, String.UTF8.encode(value));
}
