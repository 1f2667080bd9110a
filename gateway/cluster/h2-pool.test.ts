// http2_protocol_options on clusters, through a running gateway (HTTP/1.1 clients): h2c and h2 over TLS,
// one multiplexed session, streamed bodies, trailers, retries and timeouts, GOAWAY, max concurrent streams.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import {
  constants,
  createSecureServer,
  createServer,
  type Http2SecureServer,
  type Http2Server,
  type Http2ServerRequest,
  type Http2ServerResponse,
  type ServerHttp2Session,
} from 'node:http2';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { deadPort, gatewayConfig, startGateway, type TestGateway } from '../harness.js';
import { Host } from './host.js';
import { endpoint } from './test-fixtures.js';
import { certPath, certPem } from '../tls-test-certs.js';

type Handler = (req: Http2ServerRequest, res: Http2ServerResponse, body: string) => void;

interface H2Upstream {
  port: number;
  sessions: ServerHttp2Session[];
  requests: { method: string; path: string; authority: string; version: string; te: string | undefined }[];
}

async function startH2Upstream(t: TestContext, handler: Handler, opts: { tls?: boolean; clientCa?: boolean; maxConcurrentStreams?: number } = {}): Promise<H2Upstream> {
  const up: H2Upstream = { port: 0, sessions: [], requests: [] };
  const settings = opts.maxConcurrentStreams === undefined ? {} : { maxConcurrentStreams: opts.maxConcurrentStreams };
  const server: Http2Server | Http2SecureServer = opts.tls
    ? createSecureServer({ cert: certPem('upstream'), key: certPem('upstream', true), settings, ...(opts.clientCa ? { requestCert: true, rejectUnauthorized: true, ca: certPem('ca') } : {}) })
    : createServer({ settings });
  server.on('session', (s: ServerHttp2Session) => up.sessions.push(s));
  server.on('request', (req: Http2ServerRequest, res: Http2ServerResponse) => {
    up.requests.push({ method: req.method, path: req.url, authority: req.authority, version: req.httpVersion, te: req.headers.te as string | undefined });
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks).toString()));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  up.port = (server.address() as AddressInfo).port;
  t.after(() => {
    for (const s of up.sessions) s.destroy();
    server.close();
  });
  return up;
}

const echo: Handler = (req, res, body) => res.end(`${req.method} ${req.url} ${body}`);

async function gatewayTo(t: TestContext, port: number, cluster: Record<string, unknown> = {}, route: Record<string, unknown> = {}): Promise<TestGateway> {
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'up', ...route } }],
      clusters: [{ name: 'up', ports: [port], http2_protocol_options: {}, ...cluster }],
    }),
  );
  t.after(() => gw.close());
  return gw;
}

/** A request with node:http that also returns the response trailers. */
function requestWithTrailers(
  origin: string,
  path: string,
  method: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: string; trailers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(origin + path, { method, headers, agent: false, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), trailers: res.trailers }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

test('h2c: requests reach the upstream over HTTP/2, multiplexed on one session', { timeout: 20_000 }, async (t) => {
  const up = await startH2Upstream(t, echo);
  const gw = await gatewayTo(t, up.port);
  const responses = await Promise.all(Array.from({ length: 20 }, (_, i) => gw.get(`/r${i}`, { host: 'api.test' })));
  assert.deepEqual(
    responses.map((r) => [r.status, r.body]),
    responses.map((_, i) => [200, `GET /r${i} `]),
  );
  assert.equal(up.sessions.length, 1);
  assert.deepEqual(new Set(up.requests.map((r) => `${r.version} ${r.authority}`)), new Set(['2.0 api.test']));
});

test('h2 over TLS (ALPN) with the cluster CA and SNI', { timeout: 20_000 }, async (t) => {
  const up = await startH2Upstream(t, (req, res) => res.end(`${(req.socket as TLSSocket).alpnProtocol} ${(req.socket as TLSSocket).servername}`), { tls: true });
  const tls = { transport_socket: { name: 'tls', config: { sni: 'upstream.test', validation_context: { trusted_ca: { filename: certPath('ca') } } } } };
  const gw = await gatewayTo(t, up.port, tls);
  const r = await gw.get('/tls');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'h2 upstream.test');
  const wrongCa = await gatewayTo(t, up.port, { transport_socket: { name: 'tls', config: { validation_context: { trusted_ca: { filename: certPath('other-ca') } } } } });
  const refused = await wrongCa.get('/tls');
  assert.equal(refused.status, 503);
  assert.match(refused.body, /connection failure/);
});

test('h2 over TLS with a client certificate (upstream mTLS)', { timeout: 20_000 }, async (t) => {
  const up = await startH2Upstream(t, (req, res) => res.end(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN)), { tls: true, clientCa: true });
  const client = { certificates: [{ certificate_chain: { filename: certPath('client-good') }, private_key: { filename: certPath('client-good', true) } }] };
  const gw = await gatewayTo(t, up.port, { transport_socket: { name: 'tls', config: { validation_context: { trusted_ca: { filename: certPath('ca') } }, ...client } } });
  const r = await gw.get('/mtls');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'client-good');
});

test('a streamed request body reaches the upstream whole; te: trailers passes, other te does not', { timeout: 20_000 }, async (t) => {
  const up = await startH2Upstream(t, echo);
  const gw = await gatewayTo(t, up.port);
  const r = await gw.send('POST', '/upload', Readable.from(['one,', 'two,', 'three']), { te: 'trailers' });
  assert.equal(r.status, 200);
  assert.equal(r.body, 'POST /upload one,two,three');
  await gw.send('POST', '/upload', 'x', { te: 'gzip' });
  assert.deepEqual(up.requests.map((q) => q.te), ['trailers', undefined]);
});

test('response trailers from an HTTP/2 upstream reach an HTTP/1.1 client (chunked)', { timeout: 20_000 }, async (t) => {
  const up = await startH2Upstream(t, (_req, res) => {
    res.write('part');
    res.addTrailers({ 'x-checksum': 'abc', 'grpc-status': '0' });
    res.end();
  });
  const gw = await gatewayTo(t, up.port);
  const r = await requestWithTrailers(gw.origin, '/t', 'GET', {}, '');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'part');
  assert.deepEqual(r.trailers, { 'x-checksum': 'abc', 'grpc-status': '0' });
});

test('retry on reset: a stream the upstream resets is tried again on the same session', { timeout: 20_000 }, async (t) => {
  let n = 0;
  const up = await startH2Upstream(t, (req, res) => {
    if (n++ === 0) req.stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    else res.end('second');
  });
  const gw = await gatewayTo(t, up.port, {}, { retry_policy: { retry_on: 'reset', num_retries: 1, retry_back_off: { base_interval: '0.01s' } } });
  const r = await gw.get('/retry');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'second');
  assert.equal(up.requests.length, 2);
  assert.equal(up.sessions.length, 1);
});

test('route timeout: 504, the stream is cancelled and the session keeps serving', { timeout: 20_000 }, async (t) => {
  const held: Http2ServerResponse[] = [];
  const up = await startH2Upstream(t, (req, res) => {
    if (req.url === '/slow') held.push(res);
    else res.end('fast');
  });
  const gw = await gatewayTo(t, up.port, {}, { timeout: '0.3s' });
  const slow = await gw.get('/slow');
  assert.equal(slow.status, 504);
  assert.equal(held.length, 1);
  await waitFor(() => held[0]!.stream.closed, 'the upstream stream to be cancelled');
  assert.equal(held[0]!.stream.rstCode, constants.NGHTTP2_CANCEL);
  const fast = await gw.get('/fast');
  assert.equal(fast.status, 200);
  assert.equal(up.sessions.length, 1);
});

test('per_try_timeout: a try that hangs is cancelled and retried', { timeout: 20_000 }, async (t) => {
  const held: Http2ServerResponse[] = [];
  const up = await startH2Upstream(t, (_req, res) => {
    if (held.length === 0) held.push(res);
    else res.end('retried');
  });
  const gw = await gatewayTo(t, up.port, {}, { retry_policy: { retry_on: '5xx', num_retries: 1, per_try_timeout: '0.3s', retry_back_off: { base_interval: '0.01s' } } });
  const r = await gw.get('/hang-once');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'retried');
  await waitFor(() => held[0]!.stream.closed, 'the first try to be cancelled');
});

test('after GOAWAY the next request opens a new session', { timeout: 20_000 }, async (t) => {
  const up = await startH2Upstream(t, echo);
  const gw = await gatewayTo(t, up.port);
  assert.equal((await gw.get('/one')).status, 200);
  up.sessions[0]!.goaway(constants.NGHTTP2_NO_ERROR);
  // The gateway learns of the GOAWAY asynchronously: poll until a request lands on a second session.
  await waitFor(async () => (await gw.get('/two')).status === 200 && up.sessions.length === 2, 'a request on a new session');
});

test("the peer's max concurrent streams is respected; the rest wait their turn", { timeout: 20_000 }, async (t) => {
  let inFlight = 0;
  let most = 0;
  const up = await startH2Upstream(
    t,
    (_req, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('ok');
      }, 30);
    },
    { maxConcurrentStreams: 2 },
  );
  const gw = await gatewayTo(t, up.port);
  const responses = await Promise.all(Array.from({ length: 8 }, (_, i) => gw.get(`/c${i}`)));
  assert.deepEqual(responses.map((r) => r.status), Array(8).fill(200));
  assert.equal(most, 2);
  assert.equal(up.sessions.length, 1);
});

test('http2_protocol_options.max_concurrent_streams caps our streams under the peer limit', { timeout: 20_000 }, async (t) => {
  let inFlight = 0;
  let most = 0;
  const up = await startH2Upstream(t, (_req, res) => {
    most = Math.max(most, ++inFlight);
    setTimeout(() => {
      inFlight--;
      res.end('ok');
    }, 30);
  });
  const gw = await gatewayTo(t, up.port, { http2_protocol_options: { max_concurrent_streams: 3 } });
  const responses = await Promise.all(Array.from({ length: 9 }, (_, i) => gw.get(`/m${i}`)));
  assert.deepEqual(responses.map((r) => r.status), Array(9).fill(200));
  assert.equal(most, 3);
});

test('a dead h2c upstream is a connect failure: 503 UF; a gRPC request gets grpc-status 14 instead', { timeout: 20_000 }, async (t) => {
  const gw = await gatewayTo(t, await deadPort());
  const r = await gw.get('/x');
  assert.equal(r.status, 503);
  assert.match(r.body, /connection failure/);
  const grpc = await requestWithTrailers(gw.origin, '/pkg.Svc/Call', 'POST', { 'content-type': 'application/grpc', te: 'trailers' }, '');
  assert.equal(grpc.status, 200);
  assert.equal(grpc.headers['content-type'], 'application/grpc');
  assert.equal(grpc.headers['grpc-status'], '14');
  assert.match(String(grpc.headers['grpc-message']), /connection failure/);
  assert.equal(grpc.body, '');
});

test('Dispatcher.request() works on an HTTP/2 host pool (what filter http calls use)', { timeout: 20_000 }, async (t) => {
  const up = await startH2Upstream(t, (_req, res) => {
    res.setHeader('x-from', 'h2');
    res.end('called');
  });
  const host = new Host(endpoint('127.0.0.1', up.port), '127.0.0.1', { connections: 1, connectTimeoutMs: 1000, keepAliveTimeoutMs: 5000, http2MaxConcurrentStreams: 10 });
  t.after(() => host.close());
  const res = await host.pool.request({ method: 'POST', path: '/call', headers: { host: 'svc' }, body: 'x', signal: AbortSignal.timeout(5000) });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['x-from'], 'h2');
  assert.equal(await res.body.text(), 'called');
  assert.deepEqual(up.requests.map((r) => `${r.method} ${r.authority}${r.path}`), ['POST svc/call']);
});

async function waitFor(cond: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await cond())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
