// MurmurHash3 (x86, 32-bit): the hash behind ring hash and maglev tables and the router's hash_policy keys.
// Small, well known (test vectors in SMHasher) and cheap in JS with Math.imul; 32 bits are plenty for
// rings of up to a few million entries.

const encoder = new TextEncoder();
// Reused for every string so hashing allocates nothing; grown when a longer string comes along.
let scratch = new Uint8Array(256);

/** MurmurHash3 x86_32 of the UTF-8 bytes of `s`, as an unsigned 32-bit integer. */
export function hashString(s: string, seed = 0): number {
  // A UTF-16 code unit never takes more than 3 UTF-8 bytes.
  if (scratch.length < s.length * 3) scratch = new Uint8Array(s.length * 3);
  const { written } = encoder.encodeInto(s, scratch);
  return murmur3(scratch, written, seed);
}

/** MurmurHash3 x86_32 of the first `len` bytes of `bytes`, as an unsigned 32-bit integer. */
export function murmur3(bytes: Uint8Array, len: number, seed: number): number {
  let h = seed | 0;
  const blocksEnd = len & ~3;
  let i = 0;
  for (; i < blocksEnd; i += 4) {
    const k = bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24);
    h ^= scrambleBlock(k);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = len & 3;
  if (tail !== 0) {
    let k = bytes[i];
    if (tail >= 2) k ^= bytes[i + 1] << 8;
    if (tail === 3) k ^= bytes[i + 2] << 16;
    h ^= scrambleBlock(k);
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function scrambleBlock(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}
