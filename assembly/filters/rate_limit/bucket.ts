// A token bucket kept in the host's shared data, so every VM of the same vm_id (and every plugin
// instance with the same plugin name) draws from it. The value is 12 bytes: u32 tokens, then the
// u64 time of the last refill in ns. Every change is a compare-and-swap, retried on a conflict.
import { WasmResult, getSharedData, setSharedData } from "../../sdk";

const CAS_ATTEMPTS = 16;
const VALUE_SIZE = 12;

function encode(tokens: u32, lastFillNanos: u64): ArrayBuffer {
  const value = new ArrayBuffer(VALUE_SIZE);
  store<u32>(changetype<usize>(value), tokens);
  store<u64>(changetype<usize>(value) + 4, lastFillNanos);
  return value;
}

/** Takes one token; false when the bucket is empty. A bucket seen for the first time starts full. */
export function takeToken(key: string, maxTokens: u32, nowNanos: u64): bool {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const current = getSharedData(key);
    let tokens = maxTokens;
    let lastFill = nowNanos;
    const value = current.value;
    if (value !== null && value.byteLength == VALUE_SIZE) {
      tokens = load<u32>(changetype<usize>(value));
      lastFill = load<u64>(changetype<usize>(value) + 4);
    }
    if (tokens == 0) return false;
    const status = setSharedData(key, encode(tokens - 1, lastFill), current.cas);
    if (status == WasmResult.Ok) return true;
    if (status != WasmResult.CasMismatch) return true; // the store failed: fail open, never block on our own fault
  }
  return true;
}

/**
 * Adds `tokensPerFill` (up to `maxTokens`) when at least half an interval passed since the last
 * refill: ticks drift, and several root contexts may refill the same bucket in one interval.
 */
export function refill(key: string, maxTokens: u32, tokensPerFill: u32, intervalNanos: u64, nowNanos: u64): void {
  for (let attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
    const current = getSharedData(key);
    const value = current.value;
    if (value === null || value.byteLength != VALUE_SIZE) return;
    const tokens = load<u32>(changetype<usize>(value));
    const lastFill = load<u64>(changetype<usize>(value) + 4);
    if (tokens >= maxTokens || nowNanos < lastFill + intervalNanos / 2) return;
    const filled = <u64>tokens + <u64>tokensPerFill;
    const next = filled > <u64>maxTokens ? maxTokens : <u32>filled;
    if (setSharedData(key, encode(next, nowNanos), current.cas) != WasmResult.CasMismatch) return;
  }
}
