import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getProperty } from './properties.js';

const plugin = { name: 'p', rootId: 'r', vmId: 'v' };
const connection = {
  id: 42,
  sourceAddress: '10.0.0.9',
  sourcePort: 51000,
  destinationAddress: '::1',
  destinationPort: 8443,
  transportProtocol: 'tls' as const,
  serverName: 'api.example.com',
  alpn: '',
  tls: {
    version: 'TLSv1.3',
    cipher: 'TLS_AES_128_GCM_SHA256',
    peerCertificate: { subject: 'CN=client', uriSans: ['spiffe://x/y'], dnsSans: [], fingerprint256: 'AB:CD', serialNumber: '01', validFrom: '', validTo: '', pem: '' },
    peerCertificateVerified: true,
    localUriSans: [],
  },
};
const src = { plugin, stream: null, streamCreatedAt: 0, connection, upstreamHost: '127.0.0.1:9000' } as unknown as Parameters<typeof getProperty>[1];

test('a network context reads its connection: addresses, ports, SNI, TLS and the client certificate', () => {
  const s = (path: string) => getProperty(path, src)?.toString();
  const i = (path: string) => getProperty(path, src)?.readBigInt64LE();
  assert.equal(s('source\0address'), '10.0.0.9:51000');
  assert.equal(i('source\0port'), 51000n);
  assert.equal(s('destination\0address'), '[::1]:8443');
  assert.equal(i('destination\0port'), 8443n);
  assert.equal(s('connection\0requested_server_name'), 'api.example.com');
  assert.equal(s('connection\0tls_version'), 'TLSv1.3');
  assert.equal(getProperty('connection\0mtls', src)?.[0], 1);
  assert.equal(s('connection\0uri_san_peer_certificate'), 'spiffe://x/y');
  assert.equal(i('connection\0id'), 42n);
  assert.equal(s('upstream\0address'), '127.0.0.1:9000');
  assert.equal(s('plugin_name'), 'p');
  assert.equal(getProperty('request\0path', src), undefined);
});
