// Trace and span ids: random bytes taken from a pooled buffer refilled in blocks, so a request costs
// one id string and no Buffer; an all-zero id (invalid in W3C and B3) is never handed out.
import { randomFillSync } from 'node:crypto';

const POOL_BYTES = 4096;
const pool = Buffer.allocUnsafe(POOL_BYTES);
let offset = POOL_BYTES;

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL_BYTES) {
      randomFillSync(pool);
      offset = 0;
    }
    const start = offset;
    offset += bytes;
    for (let i = start; i < offset; i++) if (pool[i] !== 0) return pool.toString('hex', start, offset);
  }
}

/** 16 random bytes as 32 lowercase hex digits. */
export const newTraceId = (): string => randomHex(16);
/** 8 random bytes as 16 lowercase hex digits. */
export const newSpanId = (): string => randomHex(8);

/** True when s[start, end) holds only 0-9 a-f (W3C and B3 ids are lowercase). */
export function isLowerHex(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
}

/** True when s[start, end) is all '0' (an invalid id). */
export function isAllZero(s: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (s.charCodeAt(i) !== 48) return false;
  return true;
}
