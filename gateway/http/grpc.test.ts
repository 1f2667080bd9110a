// gRPC through the gateway to a real @grpc/grpc-js server: from a grpc-js client (h2c, and TLS with ALPN h2
// on both legs) and from an HTTP/1.1 client speaking gRPC framing. Messages, trailers and statuses arrive
// intact; local replies become gRPC statuses. Response trailers from an HTTP/1.1 upstream pass too.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as grpc from '@grpc/grpc-js';
import { deadPort, gatewayConfig, startGateway, type TestGateway } from '../harness.js';
import { grpcStatusForHttp, isGrpcRequest, responseTrailers } from './grpc.js';
import { certPath, certPem } from '../tls-test-certs.js';

const identity = (b: Buffer): Buffer => b;
const method = (name: string, responseStream: boolean): grpc.MethodDefinition<Buffer, Buffer> => ({
  path: `/test.Echo/${name}`,
  requestStream: false,
  responseStream,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});
const SERVICE = { Echo: method('Echo', false), List: method('List', true), Find: method('Find', false) };

async function startGrpcServer(t: TestContext): Promise<number> {
  const server = new grpc.Server();
  server.addService(SERVICE, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done(null, Buffer.concat([Buffer.from('echo:'), call.request])),
    List: (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      for (const part of ['a', 'b', 'c']) call.write(Buffer.from(part));
      const trailing = new grpc.Metadata();
      trailing.set('x-count', '3');
      call.end(trailing);
    },
    Find: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) =>
      done({ code: grpc.status.NOT_FOUND, details: 'no such thing' }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  t.after(() => server.forceShutdown());
  return port;
}

async function gatewayTo(t: TestContext, port: number, cluster: Record<string, unknown> = { http2_protocol_options: {} }): Promise<TestGateway> {
  const gw = await startGateway(gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }], clusters: [{ name: 'up', ports: [port], ...cluster }] }));
  t.after(() => gw.close());
  return gw;
}

function frame(message: string): Buffer {
  const body = Buffer.from(message);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

function unframe(data: Buffer): string[] {
  const out: string[] = [];
  for (let i = 0; i < data.length; ) {
    const len = data.readUInt32BE(i + 1);
    out.push(data.subarray(i + 5, i + 5 + len).toString());
    i += 5 + len;
  }
  return out;
}

interface GrpcResponse {
  status: number;
  headers: Record<string, unknown>;
  body: Buffer;
  trailers: Record<string, unknown>;
}

/** A gRPC call over HTTP/1.1 (the gateway's downstream here), with its messages and trailers. */
function call(origin: string, path: string, message: string): Promise<GrpcResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      origin + path,
      { method: 'POST', agent: false, timeout: 10_000, headers: { 'content-type': 'application/grpc', te: 'trailers' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), trailers: res.trailers }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(frame(message));
  });
}

test('gRPC unary call through an h2c cluster: message and grpc-status trailer intact', { timeout: 20_000 }, async (t) => {
  const gw = await gatewayTo(t, await startGrpcServer(t));
  const r = await call(gw.origin, '/test.Echo/Echo', 'hi');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/grpc+proto');
  assert.deepEqual(unframe(r.body), ['echo:hi']);
  assert.equal(r.trailers['grpc-status'], '0');
});

test('gRPC server streaming: every message, then trailers with the status and trailing metadata', { timeout: 20_000 }, async (t) => {
  const gw = await gatewayTo(t, await startGrpcServer(t));
  const r = await call(gw.origin, '/test.Echo/List', '');
  assert.deepEqual(unframe(r.body), ['a', 'b', 'c']);
  assert.equal(r.trailers['grpc-status'], '0');
  assert.equal(r.trailers['x-count'], '3');
});

test('gRPC error status (NOT_FOUND, trailers-only) reaches the client intact', { timeout: 20_000 }, async (t) => {
  const gw = await gatewayTo(t, await startGrpcServer(t));
  const r = await call(gw.origin, '/test.Echo/Find', 'x');
  assert.equal(r.status, 200);
  assert.equal(r.body.length, 0);
  const status = r.trailers['grpc-status'] ?? r.headers['grpc-status'];
  const message = r.trailers['grpc-message'] ?? r.headers['grpc-message'];
  assert.deepEqual([status, decodeURIComponent(String(message))], ['5', 'no such thing']);
});

/** A grpc-js client speaking h2c (prior knowledge) to the gateway, whose cluster is `cluster`. */
async function grpcClientThroughGateway(t: TestContext, cluster: Record<string, unknown>): Promise<grpc.Client> {
  const gw = await startGateway(
    gatewayConfig({ routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }], clusters: [{ name: 'up', ...cluster }] as never, hcm: { http2_protocol_options: {} } }),
  );
  const client = new grpc.Client(`127.0.0.1:${gw.gateway.address('test').port}`, grpc.credentials.createInsecure());
  t.after(async () => {
    client.close();
    await gw.close();
  });
  return client;
}

function unary(client: grpc.Client, name: string, message: string): Promise<{ err: grpc.ServiceError | null; value: string | undefined }> {
  return new Promise((resolve) =>
    client.makeUnaryRequest(`/test.Echo/${name}`, identity, identity, Buffer.from(message), { deadline: Date.now() + 10_000 }, (err, value) =>
      resolve({ err, value: value?.toString() }),
    ),
  );
}

test('grpc-js client → gateway (h2c) → grpc-js server: unary, server streaming with trailers, NOT_FOUND', { timeout: 20_000 }, async (t) => {
  const client = await grpcClientThroughGateway(t, { ports: [await startGrpcServer(t)], http2_protocol_options: {} });

  const echoed = await unary(client, 'Echo', 'hello');
  assert.equal(echoed.err, null);
  assert.equal(echoed.value, 'echo:hello');

  const call = client.makeServerStreamRequest('/test.Echo/List', identity, identity, Buffer.alloc(0), { deadline: Date.now() + 10_000 });
  const parts: string[] = [];
  call.on('data', (b: Buffer) => parts.push(b.toString()));
  const [status] = (await once(call, 'status')) as [grpc.StatusObject];
  assert.deepEqual(parts, ['a', 'b', 'c']);
  assert.equal(status.code, grpc.status.OK);
  assert.deepEqual(status.metadata.get('x-count'), ['3']);

  const missing = await unary(client, 'Find', 'x');
  assert.equal(missing.err?.code, grpc.status.NOT_FOUND);
  assert.equal(missing.err?.details, 'no such thing');
});

test('grpc-js client: a local reply (dead upstream) arrives as UNAVAILABLE with the reason', { timeout: 20_000 }, async (t) => {
  const client = await grpcClientThroughGateway(t, { ports: [await deadPort()], http2_protocol_options: {} });
  const r = await unary(client, 'Echo', 'x');
  assert.equal(r.err?.code, grpc.status.UNAVAILABLE);
  assert.match(String(r.err?.details), /connection failure/);
});

test('grpc-js over TLS on both legs: client → gateway (ALPN h2) → TLS h2 cluster → grpc-js server', { timeout: 20_000 }, async (t) => {
  const server = new grpc.Server();
  server.addService(SERVICE, {
    Echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done(null, Buffer.concat([Buffer.from('tls:'), call.request])),
    List: (call: grpc.ServerWritableStream<Buffer, Buffer>) => call.end(),
    Find: (_call: grpc.ServerUnaryCall<Buffer, Buffer>, done: grpc.sendUnaryData<Buffer>) => done({ code: grpc.status.NOT_FOUND, details: 'gone' }),
  });
  const credentials = grpc.ServerCredentials.createSsl(null, [{ cert_chain: certPem('upstream'), private_key: certPem('upstream', true) }], false);
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (err, p) => (err ? reject(err) : resolve(p))));
  t.after(() => server.forceShutdown());

  const config = gatewayConfig({
    routes: [{ match: { prefix: '/' }, route: { cluster: 'up' } }],
    clusters: [{ name: 'up', ports: [port], http2_protocol_options: {}, transport_socket: { name: 'tls', config: { sni: 'upstream.test', validation_context: { trusted_ca: { filename: certPath('ca') } } } } }],
  }) as { listeners: { filter_chains: Record<string, unknown>[] }[] };
  config.listeners[0]!.filter_chains[0]!.transport_socket = {
    name: 'tls',
    config: { certificates: [{ certificate_chain: { filename: certPath('upstream') }, private_key: { filename: certPath('upstream', true) } }], alpn_protocols: ['h2', 'http/1.1'] },
  };
  const gw = await startGateway(config);
  const client = new grpc.Client(`127.0.0.1:${gw.gateway.address('test').port}`, grpc.credentials.createSsl(certPem('ca')), {
    'grpc.ssl_target_name_override': 'upstream.test',
  });
  t.after(async () => {
    client.close();
    await gw.close();
  });
  const ok = await unary(client, 'Echo', 'secure');
  assert.equal(ok.err, null);
  assert.equal(ok.value, 'tls:secure');
  const missing = await unary(client, 'Find', 'x');
  assert.equal(missing.err?.code, grpc.status.NOT_FOUND);
  assert.equal(missing.err?.details, 'gone');
});

test('response trailers from an HTTP/1.1 upstream pass to the client', { timeout: 20_000 }, async (t) => {
  const server = createServer((_req, res) => {
    res.writeHead(200, { trailer: 'x-sum' });
    res.write('body');
    res.addTrailers({ 'x-sum': '42' });
    res.end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const gw = await gatewayTo(t, (server.address() as AddressInfo).port, {});
  const r = await call(gw.origin, '/any', '');
  assert.equal(r.body.toString(), 'body');
  assert.equal(r.trailers['x-sum'], '42');
});

test('gRPC content types, the HTTP to gRPC status mapping, and trailers-only responses', () => {
  assert.equal(isGrpcRequest({ 'content-type': 'application/grpc' }), true);
  assert.equal(isGrpcRequest({ 'content-type': 'application/grpc+proto' }), true);
  assert.equal(isGrpcRequest({ 'content-type': 'application/grpc-web' }), false);
  assert.equal(isGrpcRequest({ 'content-type': 'application/json' }), false);
  assert.equal(isGrpcRequest({}), false);
  assert.deepEqual([400, 401, 403, 404, 429, 502, 503, 504, 500].map(grpcStatusForHttp), [13, 16, 7, 12, 14, 14, 14, 14, 2]);
  assert.equal(responseTrailers({}, { 'content-type': 'text/plain' }), null);
  assert.deepEqual(responseTrailers({ a: '1' }, { 'grpc-status': '0' }), { a: '1' });
  assert.deepEqual(responseTrailers(null, { 'grpc-status': '5', 'grpc-message': 'gone', other: 'x' }), { 'grpc-status': '5', 'grpc-message': 'gone' });
});
