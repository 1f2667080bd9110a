// A route's hash_policy: the key the ring_hash / maglev balancers place a request by.
// As Envoy (Http::HashPolicyImpl::generateHash): policies run in order; each that yields a value is
// folded in as `rotl(hash, 1) ^ value` (Envoy does it over 64-bit xxHash; here 32-bit MurmurHash3, the cluster's, so
// the same request gives the same key across restarts but not the same number as Envoy); after a
// `terminal` policy, if any policy so far yielded a value, the rest are skipped.
import type { HashPolicy } from '../config/types.js';
import { hashString } from '../cluster/hash.js';
import { unmapIPv4 } from '../../sdk/matching/cidr.js';
import { compileHeaderGetter, parseQuery, type MatchInput } from '../../sdk/matching/matchers.js';


export type HashKey = (req: MatchInput) => number | undefined;

const noHashKey: HashKey = () => undefined;

export function compileHashPolicy(policies: readonly HashPolicy[] | undefined): HashKey {
  const methods: { value: (req: MatchInput) => string | undefined; terminal: boolean }[] = [];
  for (const p of policies ?? []) {
    const value = hashInput(p);
    if (value !== undefined) methods.push({ value, terminal: p.terminal });
  }
  if (methods.length === 0) return noHashKey;
  return (req) => {
    let hash: number | undefined;
    for (const m of methods) {
      const v = m.value(req);
      if (v !== undefined) {
        const h = hashString(v);
        hash = hash === undefined ? h : (((hash << 1) | (hash >>> 31)) ^ h) >>> 0;
      }
      if (m.terminal && hash !== undefined) break;
    }
    return hash;
  };
}

/** The string one policy hashes, or undefined when the request has none (the policy is then skipped). */
function hashInput(p: HashPolicy): ((req: MatchInput) => string | undefined) | undefined {
  if (p.header !== undefined) return headerHashInput(p.header.header_name.toLowerCase());
  if (p.cookie !== undefined) {
    const name = p.cookie.name;
    return (req) => {
      const v = cookieValue(req.headers.cookie, name);
      return v === '' ? undefined : v; // Envoy: an empty cookie yields no hash
    };
  }
  if (p.connection_properties !== undefined) {
    if (!p.connection_properties.source_ip) return undefined; // as Envoy: such a policy does nothing
    return (req) => (req.sourceAddress === '' ? undefined : unmapIPv4(req.sourceAddress));
  }
  if (p.query_parameter !== undefined) {
    const name = p.query_parameter.name;
    return (req) => parseQuery(req.path).get(name);
  }
  return undefined;
}

/** As Envoy, several values of a header hash the same in any order: sorted, then joined with ",". */
function headerHashInput(name: string): (req: MatchInput) => string | undefined {
  if (name.startsWith(':')) return compileHeaderGetter(name);
  return (req) => {
    const v = req.headers[name];
    if (v === undefined || typeof v === 'string') return v;
    return v.length === 0 ? undefined : v.length === 1 ? v[0] : [...v].sort().join(',');
  };
}

/** The value of cookie `name` in a Cookie header (several headers are searched in order), quotes removed. */
function cookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header === 'string') return cookieValueIn(header, name);
  for (const h of header) {
    const v = cookieValueIn(h, name);
    if (v !== undefined) return v;
  }
  return undefined;
}

function cookieValueIn(header: string, name: string): string | undefined {
  let i = 0;
  while (i < header.length) {
    while (header.charCodeAt(i) === 0x20 || header.charCodeAt(i) === 0x09) i++;
    let end = header.indexOf(';', i);
    if (end < 0) end = header.length;
    if (header.charCodeAt(i + name.length) === 0x3d /* = */ && header.startsWith(name, i) && i + name.length < end) {
      let v = header.slice(i + name.length + 1, end).trim();
      if (v.length >= 2 && v.charCodeAt(0) === 0x22 && v.charCodeAt(v.length - 1) === 0x22) v = v.slice(1, -1);
      return v;
    }
    i = end + 1;
  }
  return undefined;
}
