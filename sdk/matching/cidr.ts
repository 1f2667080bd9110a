// Source IP matching against CIDR lists. CIDRs are parsed once with ipaddr.js; a peer address is
// parsed once per request: IPv4 (and IPv4-mapped IPv6, as node reports IPv4 peers on dual-stack
// sockets) by hand into a uint32 without allocating, other IPv6 through ipaddr.js.
import ipaddr from 'ipaddr.js';

/** A parsed address: a uint32 for IPv4 (IPv4-mapped IPv6 included), eight 16-bit parts for IPv6. */
export type ParsedIp = number | readonly number[];

const MAPPED_PREFIX = /^::ffff:/i;
const MAPPED_PREFIX_LENGTH = 7;

/** The IPv4 address inside "::ffff:a.b.c.d" as a uint32, or -1. */
function mappedIPv4(address: string): number {
  return MAPPED_PREFIX.test(address) ? parseIPv4(address, MAPPED_PREFIX_LENGTH) : -1;
}

/** Parses a peer address; null when it is not an IP (e.g. a unix socket path or an empty string). */
export function parseIp(address: string): ParsedIp | null {
  const v4 = parseIPv4(address, 0);
  if (v4 >= 0) return v4;
  const mapped = mappedIPv4(address);
  if (mapped >= 0) return mapped;
  if (!ipaddr.IPv6.isValid(address)) return null;
  const v6 = ipaddr.IPv6.parse(address);
  return v6.isIPv4MappedAddress() ? octetsToUint32(v6.toIPv4Address().octets) : v6.parts;
}

/** "::ffff:1.2.3.4" -> "1.2.3.4"; any other string unchanged. So one client hashes alike on v4 and dual-stack listeners. */
export function unmapIPv4(address: string): string {
  return mappedIPv4(address) >= 0 ? address.slice(MAPPED_PREFIX_LENGTH) : address;
}

export class CidrMatcher {
  /** [network, mask] pairs, flat. */
  private readonly v4: Uint32Array;
  private readonly v6: { readonly parts: readonly number[]; readonly bits: number }[];

  constructor(cidrs: readonly string[]) {
    const v4: number[] = [];
    this.v6 = [];
    for (const cidr of cidrs) {
      const [ip, bits] = parseCidr(cidr);
      if (ip.kind() === 'ipv4') {
        const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
        v4.push((octetsToUint32((ip as ipaddr.IPv4).octets) & mask) >>> 0, mask);
      } else {
        this.v6.push({ parts: (ip as ipaddr.IPv6).parts, bits });
      }
    }
    this.v4 = Uint32Array.from(v4);
  }

  matches(address: string): boolean {
    const ip = parseIp(address);
    return ip !== null && this.matchesIp(ip);
  }

  matchesIp(ip: ParsedIp): boolean {
    if (typeof ip === 'number') {
      const v4 = this.v4;
      for (let i = 0; i < v4.length; i += 2) if (((ip & v4[i + 1]!) >>> 0) === v4[i]) return true;
      return false;
    }
    for (const net of this.v6) if (prefixEquals(ip, net.parts, net.bits)) return true;
    return false;
  }
}

/**
 * "10.0.0.0/8", "::1/128", or a bare address (a host route). An IPv4-mapped IPv6 range of /96 or
 * longer becomes the IPv4 range it maps, so it matches IPv4 peers. Throws on a malformed CIDR.
 */
function parseCidr(cidr: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const [ip, bits] = cidr.includes('/') ? ipaddr.parseCIDR(cidr) : [ipaddr.parse(cidr), -1];
  const fullBits = ip.kind() === 'ipv4' ? 32 : 128;
  const prefix = bits < 0 ? fullBits : bits;
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    return [(ip as ipaddr.IPv6).toIPv4Address(), prefix - 96];
  }
  return [ip, prefix];
}

function prefixEquals(a: readonly number[], b: readonly number[], bits: number): boolean {
  let i = 0;
  for (; bits >= 16; bits -= 16, i++) if (a[i] !== b[i]) return false;
  if (bits === 0) return true;
  const mask = (0xffff << (16 - bits)) & 0xffff;
  return (a[i]! & mask) === (b[i]! & mask);
}

function octetsToUint32(o: readonly number[]): number {
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** Dotted-quad IPv4 from `start` to the end of `s` as a uint32, or -1 when it is not one. */
function parseIPv4(s: string, start: number): number {
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      part = part * 10 + (c - 0x30);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 0x2e && digits > 0 && dots < 3) {
      value = value * 256 + part;
      part = 0;
      digits = 0;
      dots++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + part;
}
