import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FilterChainMatch } from '../config/types.js';
import { FilterChainSelector, duplicateMatches } from './filter-chain-match.js';
import type { ConnectionFacts } from './filter-chain-match.js';

const facts = (f: Partial<ConnectionFacts>): ConnectionFacts => ({
  destinationPort: 443,
  sourceAddress: '192.0.2.1',
  transportProtocol: 'tls',
  serverName: '',
  alpn: [],
  ...f,
});

function selector(matches: Record<string, FilterChainMatch | undefined>, fallback: string | null = null): FilterChainSelector<string> {
  return new FilterChainSelector(
    Object.entries(matches).map(([value, match]) => ({ value, match })),
    fallback,
  );
}

test('server_names: exact beats wildcard, the longest wildcard wins, no SNI matches neither', () => {
  const s = selector(
    {
      exact: { server_names: ['a.wild.example.com'] },
      wild: { server_names: ['*.wild.example.com'] },
      wider: { server_names: ['*.example.com'] },
      any: undefined,
    },
    'default',
  );
  assert.equal(s.needsInspector, true);
  assert.equal(s.select(facts({ serverName: 'a.wild.example.com' })), 'exact');
  assert.equal(s.select(facts({ serverName: 'b.wild.example.com' })), 'wild');
  assert.equal(s.select(facts({ serverName: 'x.y.wild.example.com' })), 'wild');
  assert.equal(s.select(facts({ serverName: 'wild.example.com' })), 'wider');
  assert.equal(s.select(facts({ serverName: 'example.com' })), 'any');
  assert.equal(s.select(facts({ serverName: '' })), 'any');
});

test('a chain dropped at an earlier criterion does not come back (Envoy)', () => {
  const s = selector({ sni: { server_names: ['a.example.com'], transport_protocol: 'raw_buffer' }, plain: {} }, 'default');
  // The SNI chain is more specific, so `plain` is gone; then transport_protocol rules it out: the default.
  assert.equal(s.select(facts({ serverName: 'a.example.com', transportProtocol: 'tls' })), 'default');
  assert.equal(s.select(facts({ serverName: 'b.example.com' })), 'plain');
});

test('destination_port, transport_protocol, application_protocols', () => {
  const s = selector({
    port8443: { destination_port: 8443 },
    tls: { transport_protocol: 'tls' },
    h2: { transport_protocol: 'tls', application_protocols: ['h2'] },
    raw: { transport_protocol: 'raw_buffer' },
  });
  assert.equal(s.select(facts({ destinationPort: 8443, transportProtocol: 'raw_buffer' })), 'port8443');
  assert.equal(s.select(facts({ alpn: ['http/1.1'] })), 'tls');
  assert.equal(s.select(facts({ alpn: ['h2', 'http/1.1'] })), 'h2');
  assert.equal(s.select(facts({ transportProtocol: 'raw_buffer' })), 'raw');
});

test('source_prefix_ranges: the longest prefix wins; IPv4-mapped addresses match IPv4 ranges; no match, no default: null', () => {
  const s = selector({
    wide: { source_prefix_ranges: ['10.0.0.0/8'] },
    narrow: { source_prefix_ranges: [{ address_prefix: '10.1.0.0', prefix_len: 16 }, '2001:db8::/32'] },
  });
  assert.equal(s.needsInspector, false);
  assert.equal(s.select(facts({ sourceAddress: '10.2.3.4' })), 'wide');
  assert.equal(s.select(facts({ sourceAddress: '::ffff:10.1.3.4' })), 'narrow');
  assert.equal(s.select(facts({ sourceAddress: '2001:db8::1' })), 'narrow');
  assert.equal(s.select(facts({ sourceAddress: '192.0.2.1' })), null);
});

test('one chain without a match is the fast path', () => {
  assert.equal(selector({ only: undefined }).only, 'only');
  assert.equal(selector({ only: {} }).only, 'only');
  assert.equal(selector({ only: { destination_port: 80 } }).only, null);
  assert.equal(selector({ a: undefined, b: { destination_port: 80 } }).only, null);
});

test('duplicateMatches: chains that match the same connections', () => {
  assert.deepEqual(duplicateMatches([undefined, {}]), [[0, 1]]);
  assert.deepEqual(duplicateMatches([{ server_names: ['a.com', 'b.com'] }, { server_names: ['B.com'] }]), [[0, 1]]);
  assert.deepEqual(duplicateMatches([{ server_names: ['a.com'] }, { server_names: ['b.com'] }, undefined]), []);
  assert.deepEqual(duplicateMatches([{ source_prefix_ranges: ['10.0.0.0/8'] }, { source_prefix_ranges: [{ address_prefix: '10.0.0.0', prefix_len: 8 }] }]), [[0, 1]]);
  assert.deepEqual(duplicateMatches([{ transport_protocol: 'tls' }, { transport_protocol: 'raw_buffer' }]), []);
});
