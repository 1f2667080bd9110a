// Tracing through a running gateway: W3C and B3 context continued with a span of our own, the trace id
// in the access log, and spans exported over OTLP/HTTP JSON to a collector on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadPort, gatewayConfig, startGateway, startUpstream } from '../harness.js';
import type { Upstream } from '../harness.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: { key: string; value: { stringValue?: string; intValue?: string | number } }[];
  status: { code: number };
}

interface Collector {
  readonly endpoint: string;
  /** Every POST body received, parsed. */
  readonly batches: { resourceSpans: { resource: { attributes: unknown[] }; scopeSpans: { spans: OtlpSpan[] }[] }[] }[];
  spans(): OtlpSpan[];
  close(): Promise<void>;
}

async function startCollector(): Promise<Collector> {
  const batches: Collector['batches'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/v1/traces' && req.headers['content-type'] === 'application/json') {
        batches.push(JSON.parse(Buffer.concat(chunks).toString()));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      } else res.writeHead(400).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`,
    batches,
    spans: () => batches.flatMap((b) => b.resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans))),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

function tempFile(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gw-trace-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'access.log');
}

async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function tracingGateway(up: Upstream, tracing: Record<string, unknown>, accessLogPath?: string): Promise<Awaited<ReturnType<typeof startGateway>>> {
  return startGateway(
    gatewayConfig({
      routes: [{ name: 'main', match: { prefix: '/' }, route: { cluster: 'up' } }],
      clusters: [{ name: 'up', ports: [up.port] }],
      hcm: { tracing, ...(accessLogPath === undefined ? {} : { access_log: [{ name: 'file', path: accessLogPath }] }) },
    }),
  );
}

const attr = (s: OtlpSpan, key: string): string | number | undefined => {
  const v = s.attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue === undefined ? undefined : Number(v.intValue));
};

test('W3C in: the upstream sees the same trace with our span as parent; spans exported at stop; trace id logged', { timeout: 30_000 }, async (t) => {
  const up = await startUpstream('up');
  t.after(() => up.close());
  const collector = await startCollector();
  t.after(() => collector.close());
  const file = tempFile(t);
  // A long flush interval: only stop() can send this batch.
  const gw = await tracingGateway(up, { otlp: { endpoint: collector.endpoint, flush_interval: '60s' } }, file);
  let closed = false;
  t.after(() => (closed ? undefined : gw.close()));

  const res = await gw.get('/api/items?x=1', { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01`, tracestate: 'congo=t61rcWkgMzE', 'x-request-id': 'rid-w3c' });
  assert.equal(res.status, 200);
  const seen = up.seen[0]!.headers;
  const tp = String(seen.traceparent).split('-');
  assert.equal(tp.length, 4);
  assert.equal(tp[0], '00');
  assert.equal(tp[1], TRACE);
  assert.match(tp[2]!, /^[0-9a-f]{16}$/);
  assert.notEqual(tp[2], CLIENT_SPAN);
  assert.equal(tp[3], '01');
  assert.equal(seen.tracestate, 'congo=t61rcWkgMzE');
  // b3 propagation is on by default: the same span in B3 form.
  assert.equal(seen['x-b3-traceid'], TRACE);
  assert.equal(seen['x-b3-spanid'], tp[2]);
  assert.equal(seen['x-b3-parentspanid'], CLIENT_SPAN);
  assert.equal(seen['x-b3-sampled'], '1');
  const ours = tp[2]!;

  await gw.get('/nothing-traced');
  assert.equal(collector.batches.length, 0, 'nothing sent before the flush interval');
  await gw.close();
  closed = true;

  // stop() flushed the batch.
  const spans = collector.spans();
  assert.equal(spans.length, 2);
  const s = spans.find((x) => x.traceId === TRACE)!;
  assert.equal(s.spanId, ours);
  assert.equal(s.parentSpanId, CLIENT_SPAN);
  assert.equal(s.kind, 2);
  assert.equal(s.name, 'GET main');
  assert.equal(attr(s, 'http.method'), 'GET');
  assert.equal(attr(s, 'url.path'), '/api/items');
  assert.equal(attr(s, 'http.status_code'), 200);
  assert.equal(attr(s, 'upstream_cluster'), 'up');
  assert.equal(attr(s, 'upstream_address'), `127.0.0.1:${up.port}`);
  assert.equal(attr(s, 'guid:x-request-id'), 'rid-w3c');
  assert.equal(s.status.code, 0);
  assert.match(s.startTimeUnixNano, /^\d{19}$/);
  assert.ok(BigInt(s.endTimeUnixNano) >= BigInt(s.startTimeUnixNano));
  assert.ok(Math.abs(Number(BigInt(s.startTimeUnixNano) / 1_000_000n) - Date.now()) < 60_000);
  const other = spans.find((x) => x.traceId !== TRACE)!;
  assert.equal(other.parentSpanId, undefined);
  assert.deepEqual(collector.batches[0]!.resourceSpans[0]!.resource.attributes, [{ key: 'service.name', value: { stringValue: 'wasmgate' } }]);

  // The access log has the trace ids.
  await waitFor('two access log lines', () => existsSync(file) && readFileSync(file, 'utf8').trim().split('\n').length >= 2);
  const records = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(records[0]!.trace_id, TRACE);
  assert.equal(records[1]!.trace_id, other.traceId);
});

test('B3 in, B3 out; an invalid traceparent starts a new trace; the sampled flag is honoured', { timeout: 30_000 }, async (t) => {
  const up = await startUpstream('up');
  t.after(() => up.close());
  const collector = await startCollector();
  t.after(() => collector.close());
  const gw = await tracingGateway(up, { random_sampling: 0, propagation: ['w3c'], otlp: { endpoint: collector.endpoint, flush_interval: '60s' } });
  let closed = false;
  t.after(() => (closed ? undefined : gw.close()));

  // B3 multi, sampled: continued in both forms (B3 came in, so B3 goes out even with propagation [w3c]).
  await gw.get('/b3', { 'x-b3-traceid': TRACE, 'x-b3-spanid': CLIENT_SPAN, 'x-b3-sampled': '1' });
  let h = up.seen[0]!.headers;
  assert.equal(h['x-b3-traceid'], TRACE);
  assert.equal(h['x-b3-parentspanid'], CLIENT_SPAN);
  assert.match(String(h['x-b3-spanid']), /^[0-9a-f]{16}$/);
  assert.notEqual(h['x-b3-spanid'], CLIENT_SPAN);
  assert.equal(h['x-b3-sampled'], '1');
  assert.equal(h.traceparent, `00-${TRACE}-${String(h['x-b3-spanid'])}-01`);

  // B3 single header with a 64-bit trace id.
  await gw.get('/b3-single', { b3: `a3ce929d0e0e4736-${CLIENT_SPAN}-1` });
  h = up.seen[1]!.headers;
  assert.match(String(h.b3), new RegExp(`^a3ce929d0e0e4736-[0-9a-f]{16}-1-${CLIENT_SPAN}$`));
  assert.equal(h['x-b3-traceid'], 'a3ce929d0e0e4736');
  assert.equal(String(h.traceparent).split('-')[1], '0000000000000000a3ce929d0e0e4736');

  // Invalid traceparent (version ff): a new trace, with no parent; its stray tracestate is dropped.
  await gw.get('/invalid', { traceparent: `ff-${TRACE}-${CLIENT_SPAN}-01`, tracestate: 'a=b' });
  h = up.seen[2]!.headers;
  const tp = String(h.traceparent).split('-');
  assert.match(String(h.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
  assert.notEqual(tp[1], TRACE);
  assert.equal(h.tracestate, undefined);
  // propagation [w3c] and no B3 in: no B3 headers out.
  assert.equal(h['x-b3-traceid'], undefined);

  // Not sampled by the client: 00 goes on; random_sampling 0 would not sample a new trace either.
  await gw.get('/unsampled', { traceparent: `00-${TRACE}-${CLIENT_SPAN}-00` });
  h = up.seen[3]!.headers;
  assert.match(String(h.traceparent), new RegExp(`^00-${TRACE}-[0-9a-f]{16}-00$`));
  assert.equal(tp[3], '00', 'random_sampling 0: the new trace is not sampled');

  await gw.close();
  closed = true;
  // Only the two client-sampled requests were exported.
  const spans = collector.spans();
  assert.deepEqual(spans.map((s) => attr(s, 'url.path')).sort(), ['/b3', '/b3-single']);
});

test('a full batch is sent before the interval; a dead collector drops and counts, never fails a request', { timeout: 30_000 }, async (t) => {
  const up = await startUpstream('up');
  t.after(() => up.close());
  const collector = await startCollector();
  t.after(() => collector.close());
  const gw = await tracingGateway(up, { otlp: { endpoint: collector.endpoint, flush_interval: '60s', max_batch: 2 } });
  let closed = false;
  t.after(() => (closed ? undefined : gw.close()));
  await gw.get('/one');
  await gw.get('/two');
  await waitFor('a batch of two', () => collector.spans().length === 2);
  assert.equal(collector.batches.length, 1);
  await gw.close();
  closed = true;
  assert.equal(gw.gateway.stats.counter('tracing.otlp.spans_sent').value, 2);

  const dead = await deadPort();
  const gw2 = await tracingGateway(up, { otlp: { endpoint: `http://127.0.0.1:${dead}/v1/traces`, flush_interval: '60s', timeout: '2s' } });
  let closed2 = false;
  t.after(() => (closed2 ? undefined : gw2.close()));
  const before = gw2.gateway.stats.counter('tracing.otlp.dropped').value;
  const r = await gw2.get('/three');
  assert.equal(r.status, 200);
  await gw2.close();
  closed2 = true;
  assert.equal(gw2.gateway.stats.counter('tracing.otlp.dropped').value - before, 1);
});

test('without tracing, trace headers pass untouched', { timeout: 20_000 }, async (t) => {
  const up = await startUpstream('up');
  t.after(() => up.close());
  const gw = await startGateway(
    gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }], clusters: [{ name: 'up', ports: [up.port] }] }),
  );
  t.after(() => gw.close());
  const tp = `00-${TRACE}-${CLIENT_SPAN}-01`;
  await gw.get('/', { traceparent: tp, 'x-b3-spanid': CLIENT_SPAN });
  assert.equal(up.seen[0]!.headers.traceparent, tp);
  assert.equal(up.seen[0]!.headers['x-b3-spanid'], CLIENT_SPAN);
  assert.equal(up.seen[0]!.headers['x-b3-traceid'], undefined);
});

test('each retry and the mirror copy carry the same trace headers as the first try', { timeout: 20_000 }, async (t) => {
  let calls = 0;
  const up = await startUpstream('up', (_req, res) => {
    calls++;
    res.writeHead(calls === 1 ? 503 : 200).end('x');
  });
  t.after(() => up.close());
  const shadow = await startUpstream('shadow');
  t.after(() => shadow.close());
  const gw = await startGateway(
    gatewayConfig({
      routes: [
        {
          match: { prefix: '/' },
          route: { cluster: 'up', retry_policy: { retry_on: '5xx', num_retries: 1 }, request_mirror_policies: [{ cluster: 'shadow' }] },
        },
      ],
      clusters: [
        { name: 'up', ports: [up.port] },
        { name: 'shadow', ports: [shadow.port] },
      ],
      hcm: { tracing: {} },
    }),
  );
  t.after(() => gw.close());
  const res = await gw.get('/r', { traceparent: `00-${TRACE}-${CLIENT_SPAN}-01` });
  assert.equal(res.status, 200);
  assert.equal(up.seen.length, 2);
  await waitFor('the mirror copy', () => shadow.seen.length === 1);
  const tp = up.seen[0]!.headers.traceparent;
  assert.match(String(tp), new RegExp(`^00-${TRACE}-[0-9a-f]{16}-01$`));
  assert.notEqual(String(tp).split('-')[2], CLIENT_SPAN);
  assert.equal(up.seen[1]!.headers.traceparent, tp);
  assert.equal(shadow.seen[0]!.headers.traceparent, tp);
});

test('a bad tracing config is refused with its path', async () => {
  const cfg = (tracing: unknown): unknown =>
    gatewayConfig({ routes: [], clusters: [], hcm: { tracing } });
  await assert.rejects(startGateway(cfg({ otlp: { endpoint: 'ftp://127.0.0.1/v1/traces' } })), /tracing\.otlp\.endpoint.*http:\/\/ or https:\/\//);
  await assert.rejects(startGateway(cfg({ propagation: ['zipkin'] })), /tracing\.propagation\[0\]/);
  await assert.rejects(startGateway(cfg({ random_sampling: 101 })), /tracing\.random_sampling/);
});
