// Where WebSocket frames end in a byte stream (RFC 6455 §5.2), read from their headers only: payloads are
// counted, never buffered. A drained upgrade uses it to put its close frame between two frames.

/** A close frame from the server side (unmasked): status 1001, "going away". */
export const CLOSE_GOING_AWAY = Buffer.from([0x88, 0x02, 0x03, 0xe9]);

export class FrameBoundaries {
  /** Header bytes of a frame whose header is split across chunks. */
  private partial: Buffer | null = null;
  /** Payload bytes left in the current frame. */
  private remaining = 0;

  /** True when the bytes fed so far end with a whole frame. */
  get atBoundary(): boolean {
    return this.remaining === 0 && this.partial === null;
  }

  /** Reads `chunk`; returns the offset just after the first frame that ends in it, or -1 when none does. */
  feed(chunk: Buffer): number {
    let first = -1;
    let pos = 0;
    while (pos < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - pos);
        this.remaining -= take;
        pos += take;
      } else {
        const head = this.partial === null ? chunk.subarray(pos) : Buffer.concat([this.partial, chunk.subarray(pos)]);
        const size = headerSize(head);
        if (size < 0 || head.length < size) {
          this.partial = Buffer.from(head);
          return first;
        }
        pos += size - (this.partial?.length ?? 0);
        this.partial = null;
        this.remaining = payloadLength(head);
      }
      if (this.remaining === 0 && first < 0) first = pos;
    }
    return first;
  }
}

/** The header's length, or -1 when its first two bytes are not here yet. */
function headerSize(h: Buffer): number {
  if (h.length < 2) return -1;
  const len7 = h[1]! & 0x7f;
  return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (h[1]! & 0x80 ? 4 : 0);
}

function payloadLength(h: Buffer): number {
  const len7 = h[1]! & 0x7f;
  if (len7 === 126) return h.readUInt16BE(2);
  if (len7 === 127) return Number(h.readBigUInt64BE(2));
  return len7;
}
