import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrMatcher, parseIp, unmapIPv4 } from './cidr.js';

test('IPv4 CIDRs: prefix, /32, bare address, /0', () => {
  const m = new CidrMatcher(['10.0.0.0/8', '192.168.1.7/32', '172.16.5.4']);
  assert.equal(m.matches('10.255.3.4'), true);
  assert.equal(m.matches('11.0.0.1'), false);
  assert.equal(m.matches('192.168.1.7'), true);
  assert.equal(m.matches('192.168.1.8'), false);
  assert.equal(m.matches('172.16.5.4'), true);
  assert.equal(m.matches('172.16.5.5'), false);
  const all = new CidrMatcher(['0.0.0.0/0']);
  assert.equal(all.matches('255.255.255.255'), true);
  assert.equal(all.matches('::1'), false, 'an IPv4 range does not hold IPv6 peers');
});

test('IPv4 CIDR with a non-octet prefix and host bits set', () => {
  const m = new CidrMatcher(['10.1.2.3/20']); // network 10.1.0.0 .. 10.1.15.255
  assert.equal(m.matches('10.1.0.0'), true);
  assert.equal(m.matches('10.1.15.255'), true);
  assert.equal(m.matches('10.1.16.0'), false);
});

test('IPv4-mapped IPv6 peers match IPv4 CIDRs, in dotted and hex form', () => {
  const m = new CidrMatcher(['127.0.0.0/8']);
  assert.equal(m.matches('::ffff:127.0.0.1'), true);
  assert.equal(m.matches('::FFFF:127.1.2.3'), true);
  assert.equal(m.matches('::ffff:7f00:1'), true);
  assert.equal(m.matches('::ffff:128.0.0.1'), false);
});

test('an IPv4-mapped IPv6 CIDR matches the IPv4 peers it maps', () => {
  const m = new CidrMatcher(['::ffff:10.0.0.0/104']);
  assert.equal(m.matches('10.9.8.7'), true);
  assert.equal(m.matches('::ffff:10.9.8.7'), true);
  assert.equal(m.matches('11.0.0.1'), false);
});

test('IPv6 CIDRs, including a prefix that is not a multiple of 16', () => {
  const m = new CidrMatcher(['::1/128', '2001:db8:abcd:12::/60']);
  assert.equal(m.matches('::1'), true);
  assert.equal(m.matches('::2'), false);
  assert.equal(m.matches('2001:db8:abcd:1f::1'), true, '0x12..0x1f share the first 60 bits');
  assert.equal(m.matches('2001:db8:abcd:20::1'), false);
  assert.equal(m.matches('127.0.0.1'), false, 'an IPv6 range does not hold IPv4 peers');
  assert.equal(new CidrMatcher(['::/0']).matches('fe80::1'), true);
});

test('what is not an address matches nothing; a malformed CIDR throws at load', () => {
  const m = new CidrMatcher(['0.0.0.0/0', '::/0']);
  assert.equal(m.matches(''), false);
  assert.equal(m.matches('/tmp/gateway.sock'), false);
  assert.equal(m.matches('1.2.3'), false);
  assert.equal(m.matches('1.2.3.256'), false);
  assert.equal(m.matches('1.2.3.4.5'), false);
  assert.throws(() => new CidrMatcher(['10.0.0.0/33']));
  assert.throws(() => new CidrMatcher(['not-an-ip']));
});

test('parseIp and unmapIPv4', () => {
  assert.equal(parseIp('1.2.3.4'), 0x01020304);
  assert.equal(parseIp('::ffff:1.2.3.4'), 0x01020304);
  assert.deepEqual(parseIp('2001:db8::1'), [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
  assert.equal(parseIp('nope'), null);
  assert.equal(unmapIPv4('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(unmapIPv4('1.2.3.4'), '1.2.3.4');
  assert.equal(unmapIPv4('::1'), '::1');
  assert.equal(unmapIPv4('::ffff:zz'), '::ffff:zz');
});
