// The ABI's map serialisation (spec "Serialization"; cpp-host src/pairs_util.cc), little-endian:
// a u32 count, then count × (u32 key length, u32 value length), then each key and each value
// followed by a NUL. Lengths exclude the NUL. Names and values are byte strings (latin1 here).

/** The C++ host refuses bigger maps (include/proxy-wasm/limits.h); so do we. */
export const MAX_PAIRS = 1024;
export const MAX_PAIRS_BYTES = 1024 * 1024;

export type Pairs = [string, string][];

export function serializePairs(pairs: readonly (readonly [string, string])[]): Buffer {
  let size = 4;
  for (const [k, v] of pairs) size += 8 + k.length + 1 + v.length + 1;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt32LE(pairs.length, 0);
  let lens = 4;
  let data = 4 + pairs.length * 8;
  for (const [k, v] of pairs) {
    out.writeUInt32LE(k.length, lens);
    out.writeUInt32LE(v.length, lens + 4);
    lens += 8;
    data += out.write(k, data, 'latin1');
    out[data++] = 0;
    data += out.write(v, data, 'latin1');
    out[data++] = 0;
  }
  return out;
}

/** Parses a serialised map; an empty input (or the single byte 0) is the empty map. Throws on malformed input. */
export function deserializePairs(buf: Uint8Array): Pairs {
  if (buf.length <= 1 && (buf.length === 0 || buf[0] === 0)) return [];
  if (buf.length > MAX_PAIRS_BYTES) throw new Error(`map of ${buf.length} bytes is over ${MAX_PAIRS_BYTES}`);
  if (buf.length < 4) throw new Error('map shorter than its count');
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const n = b.readUInt32LE(0);
  if (n > MAX_PAIRS) throw new Error(`map of ${n} pairs is over ${MAX_PAIRS}`);
  let lens = 4;
  let data = 4 + n * 8;
  if (data > b.length) throw new Error('map shorter than its length table');
  const out: Pairs = new Array(n);
  for (let i = 0; i < n; i++) {
    const kl = b.readUInt32LE(lens);
    const vl = b.readUInt32LE(lens + 4);
    lens += 8;
    if (data + kl + 1 + vl + 1 > b.length) throw new Error('map entry runs past its end');
    const k = b.toString('latin1', data, data + kl);
    data += kl + 1;
    const v = b.toString('latin1', data, data + vl);
    data += vl + 1;
    out[i] = [k, v];
  }
  return out;
}
