// The stream's header maps as the ABI sees them: Envoy's maps, where the request line and the status
// are pseudo-headers (`:method :path :authority :scheme`, `:status`) and `host` is `:authority`.
// Reads and writes go straight to the live stream (no copy), so a change is what the upstream or the
// client receives; pseudo-headers map to the stream's fields (setting `:path` changes ctx.path).
import type { StreamContext } from '../../sdk/filter.js';
import type { HeaderMap, RawHeaders } from '../../sdk/headers.js';
import type { Pairs } from './pairs.js';

export interface WasmHeaderMap {
  /** Every pair, pseudo-headers first; a header with several values appears once per value. */
  pairs(): Pairs;
  size(): number;
  /** The first value (as Envoy returns it), or undefined. */
  get(name: string): string | undefined;
  /** False when the name or value is not a valid header (the host function says BAD_ARGUMENT). */
  add(name: string, value: string): boolean;
  replace(name: string, value: string): boolean;
  remove(name: string): void;
  setPairs(pairs: Pairs): boolean;
}

// What node's http accepts when it writes headers: anything else would throw at write time.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

function validHeader(name: string, value: string): boolean {
  return TOKEN.test(name) && FIELD_VALUE.test(value);
}

/** Regular (non-pseudo) headers of a HeaderMap, with `host` left out when it is shown as `:authority`. */
function regularPairs(raw: RawHeaders, out: Pairs, skipHost: boolean): void {
  for (const key of Object.keys(raw)) {
    if (skipHost && key === 'host') continue;
    const v = raw[key];
    if (v === undefined) continue;
    if (typeof v === 'string') out.push([key, v]);
    else for (const one of v) out.push([key, one]);
  }
}

function countRegular(raw: RawHeaders, skipHost: boolean): number {
  let n = 0;
  for (const key of Object.keys(raw)) {
    if (skipHost && key === 'host') continue;
    const v = raw[key];
    if (v !== undefined) n += typeof v === 'string' ? 1 : v.length;
  }
  return n;
}

function first(map: HeaderMap, name: string): string | undefined {
  const v = map.raw[name];
  return v === undefined ? undefined : typeof v === 'string' ? v : v[0];
}

function clear(map: HeaderMap): void {
  for (const key of Object.keys(map.raw)) delete map.raw[key];
}

/** A stream whose method may change: FilterStream's `method` is a plain field the router reads. */
type MutableMethod = { method: string };

export class RequestHeaderMap implements WasmHeaderMap {
  constructor(private readonly ctx: StreamContext) {}

  private pseudo(name: string): string | undefined {
    const ctx = this.ctx;
    switch (name) {
      case ':method':
        return ctx.method;
      case ':path':
        return ctx.path;
      case ':authority':
        return ctx.authority;
      case ':scheme':
        return ctx.scheme;
      default:
        return undefined;
    }
  }

  /** Sets a pseudo-header; false for an unknown one. */
  private setPseudo(name: string, value: string): boolean {
    switch (name) {
      case ':method':
        if (!TOKEN.test(value.toLowerCase())) return false;
        (this.ctx as unknown as MutableMethod).method = value;
        return true;
      case ':path':
        if (value === '' || !FIELD_VALUE.test(value)) return false;
        this.ctx.path = value;
        return true;
      case ':authority':
        if (!FIELD_VALUE.test(value)) return false;
        this.ctx.requestHeaders.set('host', value);
        return true;
      case ':scheme':
        return true; // the scheme is the listener's; Envoy lets filters set it, nothing here reads it back
      default:
        return false;
    }
  }

  pairs(): Pairs {
    const ctx = this.ctx;
    const out: Pairs = [
      [':authority', ctx.authority],
      [':path', ctx.path],
      [':method', ctx.method],
      [':scheme', ctx.scheme],
    ];
    regularPairs(ctx.requestHeaders.raw, out, true);
    return out;
  }

  size(): number {
    return 4 + countRegular(this.ctx.requestHeaders.raw, true);
  }

  get(name: string): string | undefined {
    return name.charCodeAt(0) === 58 /* : */ ? this.pseudo(name) : first(this.ctx.requestHeaders, name);
  }

  add(name: string, value: string): boolean {
    if (name.charCodeAt(0) === 58) return this.setPseudo(name, value);
    if (!validHeader(name, value)) return false;
    this.ctx.requestHeaders.add(name, value);
    return true;
  }

  replace(name: string, value: string): boolean {
    if (name.charCodeAt(0) === 58) return this.setPseudo(name, value);
    if (!validHeader(name, value)) return false;
    this.ctx.requestHeaders.set(name, value);
    return true;
  }

  remove(name: string): void {
    // Pseudo-headers cannot go: the request line needs them.
    if (name.charCodeAt(0) !== 58) this.ctx.requestHeaders.remove(name);
  }

  setPairs(pairs: Pairs): boolean {
    for (const [k, v] of pairs) if (k.charCodeAt(0) !== 58 && !validHeader(k, v)) return false;
    const authority = this.ctx.authority;
    clear(this.ctx.requestHeaders);
    this.ctx.requestHeaders.set('host', authority);
    for (const [k, v] of pairs) if (!this.add(k, v)) return false;
    return true;
  }
}

export class ResponseHeaderMap implements WasmHeaderMap {
  /** Reads ctx.responseHeaders on every call: a local reply replaces the object. Only made once the response began. */
  constructor(private readonly ctx: StreamContext) {}

  private get headers(): HeaderMap {
    return this.ctx.responseHeaders!;
  }

  private setStatus(value: string): boolean {
    const status = Number(value);
    if (!Number.isInteger(status) || status < 100 || status > 999) return false;
    this.ctx.setResponseStatus(status);
    return true;
  }

  pairs(): Pairs {
    const out: Pairs = [[':status', String(this.ctx.responseStatus)]];
    regularPairs(this.headers.raw, out, false);
    return out;
  }

  size(): number {
    return 1 + countRegular(this.headers.raw, false);
  }

  get(name: string): string | undefined {
    if (name === ':status') return String(this.ctx.responseStatus);
    return name.charCodeAt(0) === 58 ? undefined : first(this.headers, name);
  }

  add(name: string, value: string): boolean {
    if (name === ':status') return this.setStatus(value);
    if (!validHeader(name, value)) return false;
    this.headers.add(name, value);
    return true;
  }

  replace(name: string, value: string): boolean {
    if (name === ':status') return this.setStatus(value);
    if (!validHeader(name, value)) return false;
    this.headers.set(name, value);
    return true;
  }

  remove(name: string): void {
    if (name.charCodeAt(0) !== 58) this.headers.remove(name);
  }

  setPairs(pairs: Pairs): boolean {
    for (const [k, v] of pairs) if (k !== ':status' && !validHeader(k, v)) return false;
    clear(this.headers);
    for (const [k, v] of pairs) if (!this.add(k, v)) return false;
    return true;
  }
}

/** A map the module can only read (an http call's response headers or trailers). */
export class ReadOnlyHeaderMap implements WasmHeaderMap {
  constructor(private readonly list: Pairs) {}
  pairs(): Pairs {
    return this.list;
  }
  size(): number {
    return this.list.length;
  }
  get(name: string): string | undefined {
    for (const [k, v] of this.list) if (k === name) return v;
    return undefined;
  }
  add(): boolean {
    return false;
  }
  replace(): boolean {
    return false;
  }
  remove(): void {}
  setPairs(): boolean {
    return false;
  }
}

/** Trailers: HTTP/1.1 trailers are not passed through by the gateway, so these maps are always empty. */
export const EMPTY_MAP: WasmHeaderMap = new ReadOnlyHeaderMap([]);

/** An http call's response headers as pairs, `:status` first. */
export function responsePairs(status: number, raw: RawHeaders): Pairs {
  const out: Pairs = [[':status', String(status)]];
  regularPairs(raw, out, false);
  return out;
}
