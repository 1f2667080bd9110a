// transport_socket tls on clusters, through a running gateway: CA verification, SNI, upstream mTLS,
// TLS failures as connect failures (503 UF, retried), TLS health checks, and config errors naming the field.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerOptions } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { gatewayConfig, startGateway } from '../harness.js';
import { loadConfigObject } from '../config/load.js';
import { ConfigValidationError } from '../config/errors.js';
import type { HealthCheckConfig } from '../config/types.js';
import { Cluster } from './cluster.js';
import { clusterConfig, endpoint } from './test-fixtures.js';
import { certPath, certPem } from '../tls-test-certs.js';

interface TlsUpstream {
  port: number;
  /** Per handshake that reached the HTTP layer: the SNI and the client certificate's CN. */
  seen: { servername: string | false | null; clientCn: string | string[] | undefined }[];
  /** Handshakes that failed on the server side. */
  tlsErrors: number;
}

async function startTlsUpstream(t: TestContext, extra: ServerOptions = {}): Promise<TlsUpstream> {
  const up: TlsUpstream = { port: 0, seen: [], tlsErrors: 0 };
  const server = createServer({ cert: certPem('upstream'), key: certPem('upstream', true), ...extra }, (req, res) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate();
    up.seen.push({ servername: socket.servername, clientCn: peer?.subject?.CN });
    req.resume();
    req.on('end', () => res.end(`tls ${req.url}`));
  });
  server.on('tlsClientError', () => up.tlsErrors++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  up.port = (server.address() as AddressInfo).port;
  t.after(() => {
    server.closeAllConnections();
    server.close();
  });
  return up;
}

function tlsContext(fields: Record<string, unknown>): { transport_socket: unknown } {
  return { transport_socket: { name: 'tls', config: fields } };
}

const TRUSTED = { validation_context: { trusted_ca: { filename: certPath('ca') } } };
const CLIENT_CERT = { certificates: [{ certificate_chain: { filename: certPath('client-good') }, private_key: { filename: certPath('client-good', true) } }] };

async function gatewayTo(t: TestContext, port: number, cluster: Record<string, unknown>, route: Record<string, unknown> = {}, hcm: Record<string, unknown> = {}) {
  const gw = await startGateway(
    gatewayConfig({
      routes: [{ match: { prefix: '/' }, route: { cluster: 'up', ...route } }],
      clusters: [{ name: 'up', ports: [port], ...cluster }],
      hcm,
    }),
  );
  t.after(() => gw.close());
  return gw;
}

test('a trusted upstream certificate: the request goes through, with the configured SNI', { timeout: 20_000 }, async (t) => {
  const up = await startTlsUpstream(t);
  const gw = await gatewayTo(t, up.port, tlsContext({ sni: 'upstream.test', ...TRUSTED }));
  const r = await gw.get('/a');
  assert.equal(r.status, 200);
  assert.equal(r.body, 'tls /a');
  assert.deepEqual(up.seen, [{ servername: 'upstream.test', clientCn: undefined }]);
});

test('sni must match the certificate when a CA is given', { timeout: 20_000 }, async (t) => {
  const up = await startTlsUpstream(t);
  const gw = await gatewayTo(t, up.port, tlsContext({ sni: 'elsewhere.test', ...TRUSTED }));
  assert.equal((await gw.get('/a')).status, 503);
  assert.equal(up.seen.length, 0);
});

test('without sni, a STATIC IP endpoint sends none and only the chain is verified', { timeout: 20_000 }, async (t) => {
  const up = await startTlsUpstream(t);
  const gw = await gatewayTo(t, up.port, tlsContext(TRUSTED));
  assert.equal((await gw.get('/b')).status, 200);
  assert.deepEqual(up.seen, [{ servername: false, clientCn: undefined }]);
});

test('a certificate from another CA: 503 UF with the TLS error in the details, retried as a connect failure', { timeout: 20_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'access.log');
  const up = await startTlsUpstream(t);
  const gw = await gatewayTo(
    t,
    up.port,
    tlsContext({ validation_context: { trusted_ca: { filename: certPath('other-ca') } } }),
    { retry_policy: { retry_on: 'connect-failure', num_retries: 1, retry_back_off: { base_interval: '0.01s' } } },
    { access_log: [{ name: 'file', path: file }] },
  );
  const r = await gw.get('/c');
  assert.equal(r.status, 503);
  assert.match(r.body, /connection failure/);
  assert.equal(up.seen.length, 0);
  await waitFor(() => up.tlsErrors >= 2, 'two refused handshakes (the try and its retry)');
  const line = await firstLine(file);
  assert.equal(line.response_code, 503);
  assert.match(String(line.response_flags), /UF/);
  assert.match(String(line.response_code_details), /^upstream_reset_before_response_started\{connection_failure,TLS_error:[A-Z_]+\}$/);
});

test('without validation_context the upstream certificate is not verified (as in Envoy)', { timeout: 20_000 }, async (t) => {
  const up = await startTlsUpstream(t);
  const gw = await gatewayTo(t, up.port, tlsContext({}));
  assert.equal((await gw.get('/d')).status, 200);
});

test('upstream mTLS: the client certificate is presented; without it the upstream refuses (503)', { timeout: 20_000 }, async (t) => {
  const up = await startTlsUpstream(t, { requestCert: true, rejectUnauthorized: true, ca: certPem('ca') });
  const inlineCert = { certificates: [{ certificate_chain: { inline_string: certPem('client-good').toString() }, private_key: { filename: certPath('client-good', true) } }] };
  const withCert = await gatewayTo(t, up.port, tlsContext({ ...TRUSTED, ...inlineCert }));
  const ok = await withCert.get('/e');
  assert.equal(ok.status, 200);
  assert.deepEqual(up.seen, [{ servername: false, clientCn: 'client-good' }]);

  const without = await gatewayTo(t, up.port, tlsContext(TRUSTED));
  const refused = await without.get('/f');
  assert.equal(refused.status, 503);
  // With TLS 1.3 our side of the handshake is done before the upstream checks our certificate: its alert
  // arrives after the request went out, and undici reports a closed socket (a reset, UR).
  assert.match(refused.body, /connection termination/);
  assert.equal(up.seen.length, 1);
});

test('HTTP health checks of a TLS cluster speak TLS, with its CA and client certificate', { timeout: 20_000 }, async (t) => {
  const up = await startTlsUpstream(t, { requestCert: true, rejectUnauthorized: true, ca: certPem('ca') });
  const check: HealthCheckConfig = {
    timeout: '2s',
    interval: '10s',
    initial_jitter: '0s',
    interval_jitter: '0s',
    interval_jitter_percent: 0,
    unhealthy_threshold: 1,
    healthy_threshold: 1,
    no_traffic_interval: '10s',
    initially_healthy: false,
    http_health_check: { path: '/healthz', method: 'GET', expected_statuses: [{ start: 200, end: 201 }] },
  };
  const good = new Cluster(
    clusterConfig({ endpoints: [endpoint('127.0.0.1', up.port)], health_checks: [check], transport_socket: { name: 'tls', config: { ...TRUSTED, ...CLIENT_CERT } } }),
  );
  const bad = new Cluster(
    clusterConfig({ endpoints: [endpoint('127.0.0.1', up.port)], health_checks: [check], transport_socket: { name: 'tls', config: TRUSTED } }),
  );
  t.after(() => Promise.all([good.close(), bad.close()]));
  good.start();
  bad.start();
  await Promise.all([good.firstHealthCheckRound(), bad.firstHealthCheckRound()]);
  assert.equal(good.hosts[0]!.healthy, true);
  assert.equal(bad.hosts[0]!.healthy, false);
  assert.deepEqual(up.seen.map((s) => s.clientCn), ['client-good']);
});

test('config: relative file names resolve from the config directory; missing or mismatched files name the field', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-tls-cfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ca.pem'), readFileSync(certPath('ca')));
  const config = (tls: Record<string, unknown>) => gatewayConfig({ routes: [], clusters: [{ name: 'up', ports: [443], ...tlsContext(tls) }] });

  const loaded = await loadConfigObject(config({ validation_context: { trusted_ca: { filename: 'ca.pem' } } }), dir, noFilters);
  assert.equal(loaded.config.clusters[0]!.transport_socket!.config.validation_context!.trusted_ca.filename, join(dir, 'ca.pem'));

  const errors = await configErrors(config({ validation_context: { trusted_ca: { filename: 'missing.pem' } } }), dir);
  assert.deepEqual(errors.map((e) => e.path), ['clusters[0].transport_socket.config.validation_context.trusted_ca.filename']);
  assert.match(errors[0]!.message, /cannot read .*missing\.pem: ENOENT/);

  const mismatched = { certificates: [{ certificate_chain: { filename: certPath('client-good') }, private_key: { filename: certPath('upstream', true) } }] };
  const keyErrors = await configErrors(config(mismatched), dir);
  assert.deepEqual(keyErrors.map((e) => e.path), ['clusters[0].transport_socket.config.certificates[0]']);
  assert.match(keyErrors[0]!.message, /key values mismatch/);

  const inline = await loadConfigObject(config({ validation_context: { trusted_ca: { inline_string: readFileSync(certPath('ca'), 'utf8') } } }), dir, noFilters);
  assert.equal(inline.config.clusters[0]!.transport_socket!.config.validation_context!.trusted_ca.filename, undefined);
  const both = await configErrors(config({ validation_context: { trusted_ca: { filename: 'ca.pem', inline_string: 'x' } } }), dir);
  assert.deepEqual(both.map((e) => e.path), ['clusters[0].transport_socket.config.validation_context.trusted_ca']);

  const shapeErrors = await configErrors(config({ alpn_protocols: ['h2'] }), dir);
  assert.equal(shapeErrors[0]!.path, 'clusters[0].transport_socket.config');
});

async function noFilters(): Promise<never> {
  throw new Error('no filters in these configs');
}

async function configErrors(raw: unknown, dir: string): Promise<readonly { path: string; message: string }[]> {
  try {
    await loadConfigObject(raw, dir, noFilters);
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.errors;
    throw err;
  }
  assert.fail('the config was accepted');
}

async function waitFor(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!cond()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function firstLine(file: string): Promise<Record<string, unknown>> {
  let text = '';
  await waitFor(() => existsSync(file) && (text = readFileSync(file, 'utf8')).includes('\n'), 'the access log line');
  return JSON.parse(text.split('\n')[0]!) as Record<string, unknown>;
}
