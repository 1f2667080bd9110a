// The listener with real clients on 127.0.0.1: filter-chain match on SNI (exact, wildcard, default),
// TLS beside plaintext on one port, HTTP/2 by ALPN and h2c, mTLS, rbac on the client certificate,
// x-forwarded-client-cert, source and destination matches, certificates reloaded with the config.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { request as httpsRequest } from 'node:https';
import { connect as http2Connect } from 'node:http2';
import { connect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { deadPort, nodeRequest, startGateway, startUpstream } from '../harness.js';
import type { TestGateway, Upstream } from '../harness.js';
import { certPath, certPem, tlsTransport } from '../tls-test-certs.js';
import type { CertName } from '../tls-test-certs.js';

function hcm(cluster: string, extra: Record<string, unknown> = {}, filters: unknown[] = []): unknown {
  return {
    name: 'http_connection_manager',
    config: {
      stat_prefix: cluster,
      route_config: { virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, route: { cluster } }] }] },
      http_filters: [...filters, { name: 'router' }],
      ...extra,
    },
  };
}

function listenerConfig(listener: Record<string, unknown>, upstreams: Upstream[], port = 0): unknown {
  return {
    listeners: [{ name: 'test', address: '127.0.0.1', port, ...listener }],
    clusters: upstreams.map((u) => ({ name: u.name, connect_timeout: '1s', endpoints: [{ address: '127.0.0.1', port: u.port }] })),
  };
}

async function upstreams(t: { after(fn: () => Promise<void>): void }, ...names: string[]): Promise<Upstream[]> {
  const list = await Promise.all(names.map((n) => startUpstream(n)));
  t.after(async () => {
    await Promise.all(list.map((u) => u.close()));
  });
  return list;
}

async function gateway(t: { after(fn: () => Promise<void>): void }, config: unknown): Promise<{ gw: TestGateway; port: number }> {
  const gw = await startGateway(config);
  t.after(() => gw.close());
  return { gw, port: gw.gateway.address('test').port };
}

interface TlsResult {
  status: number;
  body: string;
  /** CN of the certificate the server presented. */
  serverCn: string;
  alpn: string | false | null;
}

/** One HTTPS/1.1 request with its own connection; rejects when the connection is refused or closed. */
function httpsGet(port: number, servername: string, opts: { client?: CertName; headers?: Record<string, string> } = {}): Promise<TlsResult> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      {
        host: '127.0.0.1',
        port,
        path: '/',
        servername,
        ca: certPem('ca'),
        agent: false,
        timeout: 10_000,
        headers: opts.headers,
        ...(opts.client === undefined ? {} : { cert: certPem(opts.client), key: certPem(opts.client, true) }),
        // The server certificates name their hosts; the test connects to 127.0.0.1.
        checkServerIdentity: () => undefined,
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        const serverCn = String(socket.getPeerCertificate().subject?.CN ?? '');
        const alpn = socket.alpnProtocol;
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, body, serverCn, alpn }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

/** One HTTP/2 request (TLS with ALPN h2, or h2c prior knowledge for an http:// origin). */
function h2Get(origin: string, servername?: string): Promise<{ status: number; body: string; alpn: string | undefined }> {
  return new Promise((resolve, reject) => {
    const session = http2Connect(origin, { ca: certPem('ca'), ...(servername === undefined ? {} : { servername }), checkServerIdentity: () => undefined });
    const timer = setTimeout(() => session.destroy(new Error('timed out')), 10_000);
    session.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    const req = session.request({ ':path': '/h2/path?q=1', ':method': 'POST', 'x-test': 'h2' });
    let status = 0;
    let body = '';
    req.on('response', (h) => (status = Number(h[':status'])));
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      clearTimeout(timer);
      const alpn = session.alpnProtocol;
      session.close();
      resolve({ status, body, alpn });
    });
    req.on('error', reject);
    req.end();
  });
}

function counter(gw: TestGateway, name: string): number {
  return gw.gateway.stats.counter(name).value;
}

test('SNI picks the chain and its certificate: exact, wildcard, default; plaintext beside TLS; HTTP/2 by ALPN', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'a', 'wild', 'plain', 'default');
  const { gw, port } = await gateway(
    t,
    listenerConfig(
      {
        filter_chains: [
          { name: 'a', filter_chain_match: { server_names: ['a.example.com'] }, transport_socket: tlsTransport('a.example.com', { alpn_protocols: ['h2', 'http/1.1'] }), filters: [hcm('a')] },
          { filter_chain_match: { server_names: ['*.wild.example.com'] }, transport_socket: tlsTransport('wild.example.com'), filters: [hcm('wild')] },
          { filter_chain_match: { transport_protocol: 'raw_buffer' }, filters: [hcm('plain')] },
        ],
        default_filter_chain: { transport_socket: tlsTransport('default'), filters: [hcm('default')] },
      },
      ups,
    ),
  );
  const a = await httpsGet(port, 'a.example.com');
  assert.deepEqual([a.status, a.body, a.serverCn, a.alpn], [200, 'a', 'a.example.com', false]);
  const wild = await httpsGet(port, 'x.Wild.example.com');
  assert.deepEqual([wild.body, wild.serverCn], ['wild', '*.wild.example.com']);
  const deep = await httpsGet(port, 'y.x.wild.example.com');
  assert.equal(deep.body, 'wild');
  const other = await httpsGet(port, 'other.example.com');
  assert.deepEqual([other.body, other.serverCn], ['default', 'default.example.com']);
  const plain = await nodeRequest(`http://127.0.0.1:${port}`, '/', {});
  assert.deepEqual([plain.status, plain.body], [200, 'plain']);
  // A POST with a body through the inspector: the bytes it peeked are all replayed.
  const body = 'x'.repeat(200_000);
  const posted = await gw.send('POST', '/upload', body, { 'content-type': 'text/plain' });
  assert.equal(posted.status, 200);
  assert.equal(ups[2]!.seen.at(-1)!.body.length, body.length);

  const h2 = await h2Get(`https://127.0.0.1:${port}`, 'a.example.com');
  assert.deepEqual(h2, { status: 200, body: 'a', alpn: 'h2' });
  const seenByA = ups[0]!.seen;
  assert.equal(seenByA.at(-1)!.headers['x-test'], 'h2');
  assert.deepEqual([seenByA.at(-1)!.method, seenByA.at(-1)!.url], ['POST', '/h2/path?q=1']);
  assert.equal(Object.keys(seenByA.at(-1)!.headers).filter((h) => h.startsWith(':')).length, 0);
  assert.equal(seenByA.at(-1)!.headers['host'], `a.example.com:${port}`);
  assert.equal(seenByA.at(-1)!.headers['x-forwarded-proto'], 'https');
  assert.equal(ups[1]!.seen[0]!.headers['x-forwarded-proto'], 'https');
  assert.equal(ups[2]!.seen[0]!.headers['x-forwarded-proto'], 'http');

  assert.equal(counter(gw, 'listener.test.ssl.handshake'), 5);
  assert.ok(counter(gw, 'listener.test.tls_inspector.tls_found') >= 5);
  assert.ok(counter(gw, 'listener.test.tls_inspector.tls_not_found') >= 2);
});

test('no chain matches and there is no default: the connection is closed and counted', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'a');
  const { gw, port } = await gateway(
    t,
    listenerConfig({ filter_chains: [{ filter_chain_match: { server_names: ['a.example.com'] }, transport_socket: tlsTransport('a.example.com'), filters: [hcm('a')] }] }, ups),
  );
  assert.equal((await httpsGet(port, 'a.example.com')).body, 'a');
  await assert.rejects(httpsGet(port, 'b.example.com'));
  await assert.rejects(nodeRequest(`http://127.0.0.1:${port}`, '/', {}));
  assert.equal(counter(gw, 'listener.test.no_filter_chain_match'), 2);
});

test('mTLS: a good certificate is served; wrong CA, expired and missing are refused; rbac on the SAN; XFCC to the upstream', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'app');
  const rbac = {
    name: 'rbac',
    config: {
      rules: {
        action: 'ALLOW',
        policies: { payments: { permissions: [{ any: true }], principals: [{ authenticated: { principal_name: { exact: 'spiffe://example.com/ns/payments/sa/client' } } }] } },
      },
    },
  };
  const { gw, port } = await gateway(
    t,
    listenerConfig(
      {
        filter_chains: [
          {
            transport_socket: tlsTransport('a.example.com', { require_client_certificate: true, validation_context: { trusted_ca: { filename: certPath('ca') } } }),
            filters: [hcm('app', { forward_client_cert_details: 'SANITIZE_SET', set_current_client_cert_details: { subject: true, uri: true, dns: true } }, [rbac])],
          },
        ],
      },
      ups,
    ),
  );
  const good = await httpsGet(port, 'a.example.com', { client: 'client-good', headers: { 'x-forwarded-client-cert': 'By=forged' } });
  assert.deepEqual([good.status, good.body], [200, 'app']);
  const hash = new X509Certificate(certPem('client-good')).fingerprint256.replaceAll(':', '').toLowerCase();
  assert.equal(
    ups[0]!.seen[0]!.headers['x-forwarded-client-cert'],
    `By=spiffe://example.com/gateway;Hash=${hash};Subject="CN=client-good,OU=payments,O=Example";URI=spiffe://example.com/ns/payments/sa/client;DNS=client.example.com`,
  );
  const other = await httpsGet(port, 'a.example.com', { client: 'client-other' });
  assert.equal(other.status, 403, 'verified, but not the principal rbac allows');
  await assert.rejects(httpsGet(port, 'a.example.com', { client: 'client-wrong-ca' }));
  await assert.rejects(httpsGet(port, 'a.example.com', { client: 'client-expired' }));
  await assert.rejects(httpsGet(port, 'a.example.com'));
  assert.equal(counter(gw, 'listener.test.ssl.fail_verify_error'), 2);
  assert.equal(counter(gw, 'listener.test.ssl.fail_verify_no_cert'), 1);
  assert.equal(ups[0]!.seen.length, 1, 'the refused connections reached no upstream');
});

test('an optional client certificate: none is fine, a bad one is refused; SANITIZE drops a client XFCC', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'app');
  const { port } = await gateway(
    t,
    listenerConfig(
      {
        filter_chains: [
          {
            transport_socket: tlsTransport('a.example.com', {
              validation_context: { trusted_ca: { filename: certPath('ca') }, match_subject_alt_names: [{ prefix: 'spiffe://example.com/ns/payments/' }] },
            }),
            filters: [hcm('app')],
          },
        ],
      },
      ups,
    ),
  );
  assert.equal((await httpsGet(port, 'a.example.com', { headers: { 'x-forwarded-client-cert': 'Hash=forged' } })).status, 200);
  assert.equal(ups[0]!.seen[0]!.headers['x-forwarded-client-cert'], undefined);
  assert.equal((await httpsGet(port, 'a.example.com', { client: 'client-good' })).status, 200);
  await assert.rejects(httpsGet(port, 'a.example.com', { client: 'client-other' }), 'a SAN outside match_subject_alt_names');
  await assert.rejects(httpsGet(port, 'a.example.com', { client: 'client-wrong-ca' }));
});

test('h2c prior knowledge with http2_protocol_options; HTTP/1.1 still served on the same port', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'app');
  const { port } = await gateway(t, listenerConfig({ filter_chains: [{ filters: [hcm('app', { http2_protocol_options: {} })] }] }, ups));
  const h2 = await h2Get(`http://127.0.0.1:${port}`);
  assert.deepEqual([h2.status, h2.body], [200, 'app']);
  assert.equal(ups[0]!.seen[0]!.headers['host'], `127.0.0.1:${port}`);
  const h1 = await nodeRequest(`http://127.0.0.1:${port}`, '/', {});
  assert.deepEqual([h1.status, h1.body], [200, 'app']);
});

test('codec_type HTTP2 serves HTTP/2 only; without http2_protocol_options plaintext is HTTP/1.1 only', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'app');
  const { port } = await gateway(t, listenerConfig({ filter_chains: [{ filters: [hcm('app', { codec_type: 'HTTP2' })] }] }, ups));
  assert.equal((await h2Get(`http://127.0.0.1:${port}`)).body, 'app');
  const plain = await gateway(t, listenerConfig({ filter_chains: [{ filters: [hcm('app')] }] }, ups));
  await assert.rejects(h2Get(`http://127.0.0.1:${plain.port}`));
});

test('source_prefix_ranges (longest prefix) and destination_port', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'wide', 'narrow', 'port', 'elsewhere');
  const port = await deadPort();
  const gw = await startGateway(
    listenerConfig(
      {
        filter_chains: [
          { filter_chain_match: { source_prefix_ranges: ['127.0.0.0/8'] }, filters: [hcm('wide')] },
          { filter_chain_match: { source_prefix_ranges: [{ address_prefix: '127.0.0.1', prefix_len: 32 }] }, filters: [hcm('narrow')] },
        ],
      },
      ups,
      port,
    ),
  );
  try {
    assert.equal((await gw.get('/')).body, 'narrow');
  } finally {
    await gw.close();
  }
  const byPort = await gateway(
    t,
    listenerConfig(
      {
        filter_chains: [
          { filter_chain_match: { destination_port: 1 }, filters: [hcm('elsewhere')] },
          { filter_chain_match: { destination_port: port }, filters: [hcm('port')] },
        ],
      },
      ups,
      port,
    ),
  );
  assert.equal((await byPort.gw.get('/')).body, 'port');
});

test('a reload brings new certificates to new connections on the same socket', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'app');
  const config = (cert: CertName): unknown =>
    listenerConfig({ filter_chains: [{ filter_chain_match: { server_names: ['a.example.com'] }, transport_socket: tlsTransport(cert), filters: [hcm('app')] }] }, ups);
  const { gw, port } = await gateway(t, config('a.example.com'));
  assert.equal((await httpsGet(port, 'a.example.com')).serverCn, 'a.example.com');
  await gw.gateway.reload({ config: config('default') });
  assert.equal(gw.gateway.address('test').port, port);
  assert.equal((await httpsGet(port, 'a.example.com')).serverCn, 'default.example.com');
});

test('config errors: unreadable certificate files and identical matches name their path', { timeout: 60_000 }, async () => {
  const bad = listenerConfig(
    {
      filter_chains: [
        { transport_socket: { name: 'tls', config: { certificates: [{ certificate_chain: { filename: '/nonexistent/cert.pem' }, private_key: { inline_string: 'x' } }] } }, filters: [hcm('a')] },
        { filters: [hcm('a')] },
        { filter_chain_match: { server_names: ['h2.example.com'] }, transport_socket: tlsTransport('a.example.com', { alpn_protocols: ['h2'] }), filters: [hcm('a', { codec_type: 'HTTP1' })] },
      ],
    },
    [{ name: 'a', port: 1, seen: [], close: async () => {} }],
  );
  await assert.rejects(startGateway(bad), (err: Error) => {
    assert.match(err.message, /listeners\[0\]\.filter_chains\[0\]\.transport_socket\.config\.certificates\[0\]\.certificate_chain\.filename: cannot read \/nonexistent\/cert\.pem: ENOENT/);
    assert.match(err.message, /listeners\[0\]\.filter_chains\[1\]\.filter_chain_match: matches the same connections as filter_chains\[0\]/);
    assert.match(err.message, /listeners\[0\]\.filter_chains\[2\]\.transport_socket\.config\.alpn_protocols: offers h2 but the http_connection_manager has codec_type HTTP1/);
    return true;
  });
});

test('a reload sends GOAWAY to the old HTTP/2 sessions; new ones get the new routes', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'a', 'b');
  const config = (cluster: string): unknown => listenerConfig({ filter_chains: [{ filters: [hcm(cluster, { codec_type: 'HTTP2' })] }] }, ups);
  const { gw, port } = await gateway(t, config('a'));
  const session = http2Connect(`http://127.0.0.1:${port}`);
  t.after(() => {
    session.destroy();
  });
  session.on('error', () => {});
  const goaway = new Promise<void>((resolve) => session.once('goaway', () => resolve()));
  const first = await new Promise<string>((resolve, reject) => {
    const req = session.request({ ':path': '/' });
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
    req.end();
  });
  assert.equal(first, 'a');
  await gw.gateway.reload({ config: config('b') });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([goaway, new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('no GOAWAY')), 10_000)))]);
  clearTimeout(timer);
  assert.equal((await h2Get(`http://127.0.0.1:${port}`)).body, 'b');
});

test('a client that sends nothing is closed after listener_filters_timeout, and counted', { timeout: 60_000 }, async (t) => {
  const ups = await upstreams(t, 'a');
  const { gw, port } = await gateway(
    t,
    listenerConfig(
      {
        listener_filters_timeout: '200ms',
        filter_chains: [{ filter_chain_match: { server_names: ['a.example.com'] }, transport_socket: tlsTransport('a.example.com'), filters: [hcm('a')] }],
      },
      ups,
    ),
  );
  const silent = connect(port, '127.0.0.1');
  silent.on('error', () => {});
  t.after(() => {
    silent.destroy();
  });
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    new Promise<void>((resolve) => silent.once('close', () => resolve())),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the silent client was not closed')), 10_000))),
  ]);
  clearTimeout(timer);
  assert.equal(counter(gw, 'listener.test.downstream_pre_cx_timeout'), 1);
});
