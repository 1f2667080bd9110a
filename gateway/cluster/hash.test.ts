import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashString, murmur3 } from './hash.js';

test('hashString matches the published MurmurHash3 x86_32 vectors', () => {
  assert.equal(hashString('', 0), 0);
  assert.equal(hashString('', 1), 0x514e28b7);
  assert.equal(hashString('', 0xffffffff), 0x81f16f39);
  assert.equal(hashString('\0\0\0\0', 0), 0x2362f9de);
  assert.equal(hashString('aaaa', 0x9747b28c), 0x5a97808a);
  assert.equal(hashString('abc', 0x9747b28c), 0xc84a62dd);
  assert.equal(hashString('Hello, world!', 0x9747b28c), 0x24884cba);
  assert.equal(hashString('The quick brown fox jumps over the lazy dog', 0x9747b28c), 0x2fa826cd);
});

test('hashString hashes the UTF-8 encoding of non-ASCII text', () => {
  assert.equal(hashString('ππππππππ', 0x9747b28c), 0xd58063c1);
  const bytes = Buffer.from('zoë → 東京', 'utf8');
  assert.equal(hashString('zoë → 東京'), murmur3(bytes, bytes.length, 0));
});

test('hashString handles strings longer than its scratch buffer', () => {
  const long = 'x'.repeat(5000);
  const bytes = Buffer.from(long);
  assert.equal(hashString(long, 7), murmur3(bytes, bytes.length, 7));
  assert.notEqual(hashString(long), hashString(long.slice(1)));
});
