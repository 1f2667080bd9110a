import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countPicks, makeHosts } from '../test-fixtures.js';
import { LeastRequestLb } from './least-request.js';

const N = 20_000;

function share(lb: LeastRequestLb, hosts: ReturnType<typeof makeHosts>, index: number): number {
  return countPicks(hosts, Array.from({ length: N }, () => lb.pick(undefined, null)))[index] / N;
}

test('two choices favour the idle host: the busy one wins only when drawn twice', (t) => {
  const hosts = makeHosts(t, [1, 1]);
  hosts[0].activeRequests = 5;
  const lb = new LeastRequestLb(2);
  lb.rebuild(hosts);
  const idle = share(lb, hosts, 1);
  assert.ok(Math.abs(idle - 0.75) < 0.02, `${idle}`);
});

test('more choices favour the idle host more', (t) => {
  const hosts = makeHosts(t, [1, 1, 1, 1]);
  for (const h of hosts.slice(1)) h.activeRequests = 3;
  const two = new LeastRequestLb(2);
  const five = new LeastRequestLb(5);
  two.rebuild(hosts);
  five.rebuild(hosts);
  // The idle host wins unless no draw found it: 1 - (3/4)^k.
  assert.ok(Math.abs(share(two, hosts, 0) - (1 - 0.75 ** 2)) < 0.02);
  assert.ok(Math.abs(share(five, hosts, 0) - (1 - 0.75 ** 5)) < 0.02);
});

test('idle hosts share by weight; load is scored per unit of weight', (t) => {
  const hosts = makeHosts(t, [1, 3]);
  const lb = new LeastRequestLb(2);
  lb.rebuild(hosts);
  assert.ok(Math.abs(share(lb, hosts, 1) - 0.75) < 0.02);
  // 2 in flight on weight 3 is less load than 1 on weight 1: the heavy host wins any contest it is in,
  // and loses only when both draws are the light host: (1/4)^2.
  hosts[0].activeRequests = 1;
  hosts[1].activeRequests = 2;
  assert.ok(Math.abs(share(lb, hosts, 1) - (1 - 0.25 ** 2)) < 0.02);
  // 4 in flight on weight 3 is more than 1 on weight 1: now the light host wins any contest it is in.
  hosts[1].activeRequests = 4;
  assert.ok(Math.abs(share(lb, hosts, 0) - (1 - 0.75 ** 2)) < 0.02);
});

test('excluded hosts are avoided; all excluded still yields a host', (t) => {
  const hosts = makeHosts(t, [1, 1, 1]);
  hosts[2].activeRequests = 9;
  const lb = new LeastRequestLb(2);
  lb.rebuild(hosts);
  const exclude = new Set([hosts[0], hosts[1]]);
  for (let i = 0; i < 100; i++) assert.equal(lb.pick(undefined, exclude), hosts[2]);
  const picked = lb.pick(undefined, new Set(hosts));
  assert.ok(picked !== null && hosts.includes(picked));
  lb.rebuild([]);
  assert.equal(lb.pick(undefined, null), null);
});
