import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HashPolicy } from '../config/types.js';
import { compileHashPolicy } from './hash-key.js';
import { hashString } from '../cluster/hash.js';
import type { MatchInput } from '../../sdk/matching/matchers.js';

function req(extra: Partial<MatchInput>): MatchInput {
  return { authority: 'h', path: '/', method: 'GET', headers: {}, sourceAddress: '10.0.0.1', ...extra };
}

const policy = (p: Partial<HashPolicy>): HashPolicy => ({ terminal: false, ...p });
const rotl1 = (h: number) => ((h << 1) | (h >>> 31)) >>> 0;

test('no policy, or a source_ip: false policy, gives no key', () => {
  assert.equal(compileHashPolicy(undefined)(req({})), undefined);
  assert.equal(compileHashPolicy([policy({ connection_properties: { source_ip: false } })])(req({})), undefined);
});

test('header policy: the value; several values hash alike in any order; absent gives none', () => {
  const key = compileHashPolicy([policy({ header: { header_name: 'X-User' } })]);
  assert.equal(key(req({ headers: { 'x-user': 'alice' } })), hashString('alice'));
  assert.equal(key(req({ headers: { 'x-user': ['b', 'a'] } })), key(req({ headers: { 'x-user': ['a', 'b'] } })));
  assert.equal(key(req({ headers: { 'x-user': ['b', 'a'] } })), hashString('a,b'));
  assert.equal(key(req({})), undefined);
  const authority = compileHashPolicy([policy({ header: { header_name: ':authority' } })]);
  assert.equal(authority(req({ authority: 'api.example.com' })), hashString('api.example.com'));
});

test('cookie policy: the named cookie, quotes removed; missing or empty gives none', () => {
  const key = compileHashPolicy([policy({ cookie: { name: 'sid' } })]);
  assert.equal(key(req({ headers: { cookie: 'a=1; sid=abc; b=2' } })), hashString('abc'));
  assert.equal(key(req({ headers: { cookie: 'sid="q v"' } })), hashString('q v'));
  assert.equal(key(req({ headers: { cookie: ['x=1', 'sid=second'] } })), hashString('second'));
  assert.equal(key(req({ headers: { cookie: 'xsid=1; sidx=2' } })), undefined, 'names match whole');
  assert.equal(key(req({ headers: { cookie: 'sid=' } })), undefined);
  assert.equal(key(req({})), undefined);
});

test('source ip policy: an IPv4-mapped peer hashes as its IPv4 address', () => {
  const key = compileHashPolicy([policy({ connection_properties: { source_ip: true } })]);
  assert.equal(key(req({ sourceAddress: '10.1.2.3' })), hashString('10.1.2.3'));
  assert.equal(key(req({ sourceAddress: '::ffff:10.1.2.3' })), hashString('10.1.2.3'));
  assert.equal(key(req({ sourceAddress: '2001:db8::1' })), hashString('2001:db8::1'));
});

test('query parameter policy: the first value', () => {
  const key = compileHashPolicy([policy({ query_parameter: { name: 'u' } })]);
  assert.equal(key(req({ path: '/p?x=1&u=bob&u=eve' })), hashString('bob'));
  assert.equal(key(req({ path: '/p?x=1' })), undefined);
});

test('several policies fold as rotl(hash, 1) ^ next, skipping those without a value', () => {
  const key = compileHashPolicy([
    policy({ header: { header_name: 'x-a' } }),
    policy({ header: { header_name: 'x-missing' } }),
    policy({ query_parameter: { name: 'q' } }),
  ]);
  const a = hashString('A');
  const q = hashString('Q');
  assert.equal(key(req({ headers: { 'x-a': 'A' }, path: '/?q=Q' })), (rotl1(a) ^ q) >>> 0);
  assert.equal(key(req({ path: '/?q=Q' })), q, 'the first value present starts the hash unrotated');
  const twice = compileHashPolicy([policy({ header: { header_name: 'x-a' } }), policy({ header: { header_name: 'x-a' } })]);
  assert.notEqual(twice(req({ headers: { 'x-a': 'A' } })), 0, 'duplicate policies do not cancel out');
});

test('terminal stops once some policy so far produced a value (Envoy)', () => {
  const key = compileHashPolicy([
    policy({ header: { header_name: 'x-a' }, terminal: true }),
    policy({ header: { header_name: 'x-b' } }),
  ]);
  assert.equal(key(req({ headers: { 'x-a': 'A', 'x-b': 'B' } })), hashString('A'));
  assert.equal(key(req({ headers: { 'x-b': 'B' } })), hashString('B'), 'a terminal policy with no value does not stop');
  const late = compileHashPolicy([
    policy({ header: { header_name: 'x-a' } }),
    policy({ header: { header_name: 'x-missing' }, terminal: true }),
    policy({ header: { header_name: 'x-b' } }),
  ]);
  assert.equal(late(req({ headers: { 'x-a': 'A', 'x-b': 'B' } })), hashString('A'), 'stops on the value of an earlier policy');
});
