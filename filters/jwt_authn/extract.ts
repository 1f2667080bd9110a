// Where a provider looks for its token: headers (with a value prefix such as "Bearer "), query
// parameters and cookies, in that order (Envoy's JwtLocation). Without any configured location,
// Envoy's default: `Authorization: Bearer <token>` and the `access_token` query parameter.
import type { HeaderMap } from '../../sdk/headers.js';
import type { JwtProvider } from './schema.js';

/** Where a token was found, so that `forward: false` can remove it. */
export interface FoundToken {
  readonly token: string;
  /** The header it came from (lower-case), or undefined for a query parameter or a cookie. */
  readonly header: string | undefined;
}

interface HeaderLocation {
  readonly name: string;
  readonly prefix: string;
}

export class TokenLocations {
  private readonly headers: readonly HeaderLocation[];
  private readonly params: readonly string[];
  private readonly cookies: readonly string[];

  constructor(provider: JwtProvider) {
    const none = provider.from_headers === undefined && provider.from_params === undefined && provider.from_cookies === undefined;
    this.headers = none
      ? [{ name: 'authorization', prefix: 'bearer ' }]
      : (provider.from_headers ?? []).map((h) => ({ name: h.name.toLowerCase(), prefix: (h.value_prefix ?? '').toLowerCase() }));
    this.params = none ? ['access_token'] : (provider.from_params ?? []);
    this.cookies = provider.from_cookies ?? [];
  }

  /** The first token found, or undefined. `path` is the request path with its query string. */
  find(headers: HeaderMap, path: string): FoundToken | undefined {
    for (const h of this.headers) {
      const value = headers.get(h.name);
      if (value === undefined) continue;
      const token = afterPrefix(value, h.prefix);
      if (token !== undefined) return { token, header: h.name };
    }
    if (this.params.length > 0) {
      const q = path.indexOf('?');
      if (q >= 0) {
        const query = new URLSearchParams(path.slice(q + 1));
        for (const name of this.params) {
          const token = query.get(name);
          if (token !== null && token !== '') return { token, header: undefined };
        }
      }
    }
    if (this.cookies.length > 0) {
      const cookie = headers.get('cookie');
      if (cookie !== undefined) {
        for (const name of this.cookies) {
          const token = cookieValue(cookie, name);
          if (token !== undefined) return { token, header: undefined };
        }
      }
    }
    return undefined;
  }
}

/** The value after a case-insensitive prefix (auth schemes are case-insensitive), trimmed; undefined when absent or empty. */
function afterPrefix(value: string, lowerPrefix: string): string | undefined {
  if (lowerPrefix !== '') {
    if (value.length <= lowerPrefix.length || value.slice(0, lowerPrefix.length).toLowerCase() !== lowerPrefix) return undefined;
  }
  const token = value.slice(lowerPrefix.length).trim();
  return token === '' ? undefined : token;
}

function cookieValue(header: string, name: string): string | undefined {
  // Cookie pairs are separated by "; " (RFC 6265); a header joined from several is separated by ", ".
  for (const pair of header.split(/[;,]\s*/)) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === name) {
      const value = pair.slice(eq + 1).trim();
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}
