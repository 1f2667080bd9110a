// Envoy's filter_chain_match: picks one filter chain per connection. The criteria are applied in
// Envoy's order (destination_port, server_names, transport_protocol, application_protocols,
// source_prefix_ranges); at each step only the chains that match most specifically stay (a chain that
// sets the criterion and matches beats one that leaves it unset), so a chain discarded early never comes
// back even when a later criterion rules out the ones that beat it. Compiled once per config load.
import ipaddr from 'ipaddr.js';
import type { CidrRange, FilterChainMatch } from '../config/types.js';

/** What is known of a connection when its chain is chosen. */
export interface ConnectionFacts {
  readonly destinationPort: number;
  readonly sourceAddress: string;
  readonly transportProtocol: 'tls' | 'raw_buffer';
  /** SNI, lower case; '' when none. */
  readonly serverName: string;
  /** ALPN protocols the client offered. */
  readonly alpn: readonly string[];
}

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** A criterion's score for one connection: -1 no match, 0 not set, higher is more specific. */
type Criterion = (facts: ConnectionFacts) => number;

interface CompiledChain<T> {
  readonly value: T;
  readonly criteria: readonly Criterion[];
}

const unset: Criterion = () => 0;

export function parseCidr(r: CidrRange): Range {
  const text = typeof r === 'string' ? r : r.prefix_len === undefined ? r.address_prefix : `${r.address_prefix}/${r.prefix_len}`;
  if (text.includes('/')) return ipaddr.parseCIDR(text);
  const addr = ipaddr.parse(text);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

function compile(m: FilterChainMatch | undefined): Criterion[] {
  if (m === undefined) return [unset, unset, unset, unset, unset];
  const port = m.destination_port;
  const names = m.server_names?.map((n) => n.toLowerCase());
  const exact = names === undefined ? undefined : new Set(names.filter((n) => !n.startsWith('*.')));
  const suffixes = names?.filter((n) => n.startsWith('*.')).map((n) => n.slice(1)); // ".wild.example.com"
  const transport = m.transport_protocol;
  const alpn = m.application_protocols;
  const ranges = m.source_prefix_ranges?.map(parseCidr);
  return [
    port === undefined ? unset : (f) => (f.destinationPort === port ? 1 : -1),
    exact === undefined
      ? unset
      : (f) => {
          if (f.serverName === '') return -1;
          if (exact.has(f.serverName)) return Number.MAX_SAFE_INTEGER;
          let best = -1;
          for (const s of suffixes!) if (s.length > best && f.serverName.length > s.length && f.serverName.endsWith(s)) best = s.length;
          return best;
        },
    transport === undefined ? unset : (f) => (f.transportProtocol === transport ? 1 : -1),
    alpn === undefined ? unset : (f) => (f.alpn.some((p) => alpn.includes(p)) ? 1 : -1),
    ranges === undefined
      ? unset
      : (f) => {
          let best = -1;
          const addr = parseAddress(f.sourceAddress);
          if (addr === null) return -1;
          for (const [net, bits] of ranges) if (bits + 1 > best && addr.kind() === net.kind() && addr.match(net, bits)) best = bits + 1;
          return best;
        },
  ];
}

function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  try {
    return ipaddr.process(address); // IPv4-mapped IPv6 → IPv4
  } catch {
    return null;
  }
}

export class FilterChainSelector<T> {
  /** Some chain matches on what only the ClientHello tells (SNI, ALPN, TLS or not). */
  readonly needsInspector: boolean;
  /** The one chain every connection gets (a single chain with no match, and no default): no facts needed. */
  readonly only: T | null;
  private readonly chains: readonly CompiledChain<T>[];

  constructor(
    chains: readonly { readonly match: FilterChainMatch | undefined; readonly value: T }[],
    private readonly defaultChain: T | null,
  ) {
    this.chains = chains.map((c) => ({ value: c.value, criteria: compile(c.match) }));
    this.needsInspector = chains.some(
      (c) => c.match?.server_names !== undefined || c.match?.transport_protocol !== undefined || c.match?.application_protocols !== undefined,
    );
    const first = chains[0];
    this.only = chains.length === 1 && isEmpty(first!.match) ? first!.value : null;
  }

  /** The chain for a connection; the default chain, or null when none matches and there is no default. */
  select(facts: ConnectionFacts): T | null {
    let candidates = this.chains;
    for (let level = 0; level < 5 && candidates.length > 0; level++) {
      let best = -1;
      for (const c of candidates) best = Math.max(best, c.criteria[level]!(facts));
      if (best < 0) return this.defaultChain;
      candidates = candidates.filter((c) => c.criteria[level]!(facts) === best);
    }
    return candidates[0]?.value ?? this.defaultChain;
  }
}

function isEmpty(m: FilterChainMatch | undefined): boolean {
  return m === undefined || Object.keys(m).length === 0;
}

/**
 * Pairs of chains (by index) that match the same connections exactly alike: Envoy rejects them
 * ("multiple filter chains with the same matching rules"). Chains overlap when, for every criterion,
 * both leave it unset or share a value.
 */
export function duplicateMatches(matches: readonly (FilterChainMatch | undefined)[]): [first: number, second: number][] {
  const keysOf = (m: FilterChainMatch | undefined): string[][] => [
    [String(m?.destination_port ?? '')],
    m?.server_names?.map((n) => n.toLowerCase()) ?? [''],
    [m?.transport_protocol ?? ''],
    m?.application_protocols ?? [''],
    m?.source_prefix_ranges?.map((r) => {
      try {
        const [net, bits] = parseCidr(r);
        return `${net.toNormalizedString()}/${bits}`;
      } catch {
        return JSON.stringify(r); // reported elsewhere as a bad range
      }
    }) ?? [''],
  ];
  const keys = matches.map(keysOf);
  const out: [number, number][] = [];
  for (let j = 1; j < keys.length; j++)
    for (let i = 0; i < j; i++)
      if (keys[i]!.every((values, level) => values.some((v) => keys[j]![level]!.includes(v)))) {
        out.push([i, j]);
        break;
      }
  return out;
}
