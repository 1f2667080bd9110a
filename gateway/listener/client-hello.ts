// A TLS ClientHello parser (RFC 8446 §4.1.2, RFC 5246 §7.4.1.2): just enough to tell TLS from
// plaintext and read SNI (RFC 6066 §3) and ALPN (RFC 7301) for filter-chain matching, before any
// byte is consumed. Handshake messages split over several records are reassembled.

/** The most handshake bytes we read before giving up (Envoy's tls_inspector reads up to 64 KiB). */
export const MAX_CLIENT_HELLO_BYTES = 64 * 1024;

export type ClientHelloResult =
  | { readonly kind: 'need_more' }
  | { readonly kind: 'not_tls' }
  /** Starts like TLS, but the ClientHello is malformed or larger than MAX_CLIENT_HELLO_BYTES. */
  | { readonly kind: 'invalid'; readonly reason: string }
  | { readonly kind: 'tls'; readonly serverName: string; readonly alpn: readonly string[] };

const NEED_MORE: ClientHelloResult = { kind: 'need_more' };
const NOT_TLS: ClientHelloResult = { kind: 'not_tls' };
const RECORD_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXT_SERVER_NAME = 0;
const EXT_ALPN = 16;

class Malformed extends Error {}

/** Reads what `data` (the first bytes of a connection) says; `need_more` until the whole ClientHello is there. */
export function parseClientHello(data: Buffer): ClientHelloResult {
  if (data.length === 0) return NEED_MORE;
  if (data[0] !== RECORD_HANDSHAKE) return NOT_TLS;
  if (data.length >= 2 && data[1] !== 0x03) return NOT_TLS;
  // Reassemble the handshake layer from consecutive handshake records.
  const fragments: Buffer[] = [];
  let handshakeBytes = 0;
  let offset = 0;
  while (true) {
    if (data.length < offset + 5) return NEED_MORE;
    if (data[offset] !== RECORD_HANDSHAKE) return invalid('a non-handshake record before the ClientHello ended');
    const length = data.readUInt16BE(offset + 3);
    if (length === 0) return invalid('an empty handshake record');
    if (data.length < offset + 5 + length) return NEED_MORE;
    fragments.push(data.subarray(offset + 5, offset + 5 + length));
    handshakeBytes += length;
    offset += 5 + length;
    if (handshakeBytes >= 4) {
      const head = fragments.length === 1 ? fragments[0]! : Buffer.concat(fragments, handshakeBytes);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return invalid('the first handshake message is not a ClientHello');
      const messageLength = head.readUIntBE(1, 3);
      if (messageLength + 4 > MAX_CLIENT_HELLO_BYTES) return invalid('the ClientHello is too large');
      if (handshakeBytes >= messageLength + 4) {
        try {
          return readClientHello(head.subarray(4, 4 + messageLength));
        } catch (err) {
          return invalid(err instanceof Malformed ? err.message : 'malformed ClientHello');
        }
      }
    }
  }
}

function invalid(reason: string): ClientHelloResult {
  return { kind: 'invalid', reason };
}

/** A bounds-checked reader over one ClientHello body. */
class Reader {
  constructor(
    private readonly b: Buffer,
    public pos = 0,
    private readonly end = b.length,
  ) {}
  u8(): number {
    this.need(1);
    return this.b[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = this.b.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }
  /** A sub-reader over the next `n` bytes, which this reader skips. */
  sub(n: number): Reader {
    this.need(n);
    const r = new Reader(this.b, this.pos, this.pos + n);
    this.pos += n;
    return r;
  }
  text(n: number): string {
    this.need(n);
    const s = this.b.toString('latin1', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  get remaining(): number {
    return this.end - this.pos;
  }
  private need(n: number): void {
    if (this.pos + n > this.end) throw new Malformed('truncated ClientHello');
  }
}

function readClientHello(body: Buffer): ClientHelloResult {
  const r = new Reader(body);
  r.skip(2 + 32); // legacy_version, random
  r.skip(r.u8()); // legacy_session_id
  r.skip(r.u16()); // cipher_suites
  r.skip(r.u8()); // legacy_compression_methods
  let serverName = '';
  const alpn: string[] = [];
  if (r.remaining === 0) return { kind: 'tls', serverName, alpn }; // no extensions at all (old clients)
  const extensions = r.sub(r.u16());
  while (extensions.remaining > 0) {
    const type = extensions.u16();
    const ext = extensions.sub(extensions.u16());
    if (type === EXT_SERVER_NAME) {
      const list = ext.sub(ext.u16());
      while (list.remaining > 0) {
        const nameType = list.u8();
        const len = list.u16();
        if (nameType === 0 && serverName === '') serverName = list.text(len).toLowerCase();
        else list.skip(len);
      }
    } else if (type === EXT_ALPN) {
      const list = ext.sub(ext.u16());
      while (list.remaining > 0) alpn.push(list.text(list.u8()));
    }
  }
  return { kind: 'tls', serverName, alpn };
}
