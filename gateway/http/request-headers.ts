// What the connection manager does to request headers before any filter runs (x-request-id,
// x-forwarded-*) and to every message before it crosses to the other side (hop-by-hop removal).
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { RawHeaders } from '../../sdk/headers.js';

/** undici's raw header list: name, value, name, value... (an H2 pool's adapter may give a repeated header's values as a list). */
export type RawHeaderList = readonly (Buffer | string | readonly (Buffer | string)[])[];

// undici's lower-casing of a raw header name, which finds the common ones in a tree (no string built for
// them). Not in undici's typed exports, but part of the package we pin.
const { headerNameToString } = createRequire(import.meta.url)('undici/lib/core/util.js') as {
  headerNameToString(name: Buffer | string): string;
};

/** Hop-by-hop headers (RFC 9110 §7.6.1) plus the ones undici refuses to send. */
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'expect'];
const IS_HOP_BY_HOP: Readonly<Record<string, true>> = Object.assign(Object.create(null) as Record<string, true>, ...HOP_BY_HOP.map((n) => ({ [n]: true })));

/** An incoming id is kept when it looks like an id, not when it could smuggle anything into logs. */
const VALID_REQUEST_ID = /^[A-Za-z0-9._:+=\/-]{1,128}$/;

export function ensureRequestId(headers: RawHeaders, preserveExternal: boolean, generate: boolean): string {
  const incoming = headers['x-request-id'];
  if (preserveExternal && typeof incoming === 'string' && VALID_REQUEST_ID.test(incoming)) return incoming;
  if (!generate) {
    delete headers['x-request-id'];
    return '';
  }
  const id = randomUUID();
  headers['x-request-id'] = id;
  return id;
}

/** '::ffff:10.1.2.3' → '10.1.2.3', so logs, XFF and CIDR matching see one form of an IPv4 peer. */
export function normalizeAddress(addr: string | undefined): string {
  if (addr === undefined) return '';
  return addr.startsWith('::ffff:') && addr.includes('.') ? addr.slice(7) : addr;
}

/**
 * The client address as Envoy computes it: the peer, or with `xff_num_trusted_hops` N > 0 the N-th address
 * from the right of x-forwarded-for (the hops we trust appended the ones after it).
 */
export function clientAddress(headers: RawHeaders, peer: string, trustedHops: number): string {
  if (trustedHops <= 0) return peer;
  const xff = headers['x-forwarded-for'];
  if (xff === undefined) return peer;
  const list = (typeof xff === 'string' ? xff : xff.join(',')).split(',');
  const i = list.length - trustedHops;
  if (i < 0) return peer;
  const candidate = list[i]!.trim();
  return candidate === '' ? peer : candidate;
}

/** Appends the peer to x-forwarded-for and states the scheme the client used. */
export function addForwardedHeaders(headers: RawHeaders, peer: string, scheme: string): void {
  const xff = headers['x-forwarded-for'];
  if (xff === undefined) headers['x-forwarded-for'] = peer;
  else headers['x-forwarded-for'] = `${typeof xff === 'string' ? xff : xff.join(', ')}, ${peer}`;
  headers['x-forwarded-proto'] = scheme;
}

/** Removes hop-by-hop headers, and those named by Connection, from a message about to be forwarded. */
export function stripHopByHop(headers: RawHeaders): void {
  const connection = headers['connection'];
  // "keep-alive" and "close" (nearly every message) name no other header: skip the split.
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') {
    const names = typeof connection === 'string' ? connection : connection.join(',');
    for (const n of names.split(',')) {
      const name = n.trim().toLowerCase();
      // "te: trailers" is end-to-end for gRPC; the rest named by Connection is hop-by-hop.
      if (name !== '' && name !== 'te' && headers[name] !== undefined) delete headers[name];
    }
  }
  // Look before deleting: a delete that removes nothing still costs, and most messages carry few of these.
  for (let i = 0; i < HOP_BY_HOP.length; i++) {
    const name = HOP_BY_HOP[i]!;
    if (headers[name] !== undefined) delete headers[name];
  }
}

function headerValue(v: Buffer | string | readonly (Buffer | string)[]): string | string[] {
  if (typeof v === 'string') return v;
  return Array.isArray(v) ? v.map((x) => x.toString('latin1')) : (v as Buffer).toString('latin1');
}

/**
 * A received message's headers from undici's raw list, as node's header object (repeated names become a list),
 * without the hop-by-hop ones: they are never added, so nothing is deleted (see stripHopByHop for the rest).
 */
export function forwardedHeaders(raw: RawHeaderList): RawHeaders {
  const headers: RawHeaders = {};
  let connection: string | string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = headerNameToString(raw[i] as Buffer | string);
    const value = headerValue(raw[i + 1]!);
    if (IS_HOP_BY_HOP[name] === true) {
      if (name === 'connection') connection = value;
      continue;
    }
    const existing = Object.hasOwn(headers, name) ? headers[name] : undefined;
    if (existing === undefined) {
      if (name === '__proto__') Object.defineProperty(headers, name, { value, enumerable: true, configurable: true, writable: true });
      else headers[name] = value;
    } else headers[name] = (typeof existing === 'string' ? [existing] : existing).concat(value);
  }
  // The rare Connection naming other headers: those are hop-by-hop too.
  if (connection !== undefined && connection !== 'keep-alive' && connection !== 'close') {
    headers['connection'] = connection;
    stripHopByHop(headers);
  }
  return headers;
}
