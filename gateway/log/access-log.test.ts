// The access log through a running gateway: one JSON line per request with Envoy's fields and flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadPort, gatewayConfig, startGateway, startUpstream } from '../harness.js';

test('one JSON line per request, with status, flags, upstream and route', { timeout: 20_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'access.log');
  const up = await startUpstream('up');
  const dead = await deadPort();
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        { name: 'to-dead', match: { prefix: '/dead' }, route: { cluster: 'dead' } },
        { name: 'main', match: { prefix: '/api' }, route: { cluster: 'up' } },
      ],
      clusters: [
        { name: 'up', ports: [up.port] },
        { name: 'dead', ports: [dead] },
      ],
      hcm: { access_log: [{ name: 'file', path: file }] },
    }),
  );
  t.after(() => up.close());
  await gw.get('/api/one', { 'x-request-id': 'rid-1', 'user-agent': 'test-agent' });
  await gw.get('/dead');
  await gw.get('/none');
  await gw.close();

  const deadline = Date.now() + 5000;
  let lines: string[] = [];
  while (Date.now() < deadline) {
    lines = existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
    if (lines.length >= 3) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(lines.length, 3);
  const [ok, failed, missing] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(ok!.response_code, 200);
  assert.equal(ok!.response_flags, '-');
  assert.equal(ok!.method, 'GET');
  assert.equal(ok!.path, '/api/one');
  assert.equal(ok!.route_name, 'main');
  assert.equal(ok!.upstream_cluster, 'up');
  assert.equal(ok!.upstream_host, `127.0.0.1:${up.port}`);
  assert.equal(ok!.x_request_id, 'rid-1');
  assert.equal(ok!.user_agent, 'test-agent');
  assert.equal(ok!.bytes_sent, 2);
  assert.equal(typeof ok!.duration, 'number');
  assert.equal(failed!.response_code, 503);
  assert.equal(failed!.response_flags, 'UF');
  assert.equal(missing!.response_code, 404);
  assert.equal(missing!.response_flags, 'NR');
});
