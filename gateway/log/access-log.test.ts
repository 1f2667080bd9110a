// The access log through a running gateway: the default JSON record, Envoy text and json formats, filters.
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
  assert.equal(ok!.trace_id, ''); // no tracing configured
  assert.equal(typeof ok!.duration, 'number');
  assert.equal(failed!.response_code, 503);
  assert.equal(failed!.response_flags, 'UF');
  assert.equal(missing!.response_code, 404);
  assert.equal(missing!.response_flags, 'NR');
});

test('a text format and a filter: only failed requests, as Envoy text lines; all written by stop()', { timeout: 20_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const errors = join(dir, 'errors.log');
  const all = join(dir, 'all.log');
  const up = await startUpstream('up');
  t.after(() => up.close());
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ name: 'main', match: { prefix: '/api' }, route: { cluster: 'up' } }],
      clusters: [{ name: 'up', ports: [up.port] }],
      hcm: {
        access_log: [
          {
            name: 'errors',
            path: errors,
            format: '%RESPONSE_CODE% %RESPONSE_FLAGS% %REQ(:METHOD)% %REQ(:PATH)% "%REQ(X-MISSING)%" %UPSTREAM_CLUSTER%',
            filter: { or_filter: { filters: [{ status_code_filter: { comparison: { op: 'GE', value: 400 } } }, { response_flag_filter: { flags: [] } }] } },
          },
          { name: 'all', path: all, json_format: { code: '%RESPONSE_CODE%', path: '%REQ(:PATH)%', ua: '%REQ(USER-AGENT):4%' } },
        ],
      },
    }),
  );
  const n = 50;
  for (let i = 0; i < n; i++) await gw.get(i % 10 === 0 ? `/missing/${i}` : `/api/${i}`, { 'user-agent': 'agent-x' });
  await gw.close(); // close() awaits the writers: every line is in the files now

  const errorLines = readFileSync(errors, 'utf8').split('\n').filter(Boolean);
  assert.deepEqual(errorLines, [0, 10, 20, 30, 40].map((i) => `404 NR GET /missing/${i} "-" -`));
  const allLines = readFileSync(all, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(allLines.length, n);
  assert.deepEqual(allLines[1], { code: 200, path: '/api/1', ua: 'agen' });
});

test('an unknown operator is refused at load, with the path of the access log entry', async () => {
  await assert.rejects(
    startGateway(
      gatewayConfig({
        routes: [],
        clusters: [],
        hcm: { access_log: [{ name: 'a', path: '/dev/null', format: '%RESPONSE_CODE% %UPSTREAM_HOSTT%' }] },
      }),
    ),
    (err: Error) => {
      assert.match(err.message, /access_log\[0\]\.format/);
      assert.match(err.message, /unknown command operator %UPSTREAM_HOSTT%/);
      return true;
    },
  );
  await assert.rejects(
    startGateway(gatewayConfig({ routes: [], clusters: [], hcm: { access_log: [{ name: 'a', path: '/dev/null', format: '%DURATION%', json_format: { d: '%DURATION%' } }] } })),
    /give either format or json_format, not both/,
  );
  await assert.rejects(
    startGateway(gatewayConfig({ routes: [], clusters: [], hcm: { access_log: [{ name: 'a', path: '/dev/null', filter: { response_flag_filter: { flags: ['XX'] } } }] } })),
    /access_log\[0\]\.filter\.response_flag_filter\.flags\[0\]/,
  );
});

test('a path that cannot be written fails the start with the reason', async () => {
  await assert.rejects(
    startGateway(gatewayConfig({ routes: [], clusters: [], hcm: { access_log: [{ name: 'a', path: '/dev/null/sub/access.log' }] } })),
    /access log \/dev\/null\/sub\/access\.log cannot be written: ENOTDIR/,
  );
});
