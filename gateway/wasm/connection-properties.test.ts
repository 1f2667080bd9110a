import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StreamContext } from '../../sdk/filter.js';
import type { DownstreamConnectionInfo } from '../../sdk/connection-info.js';
import { getProperty } from './properties.js';

const plugin = { name: 'p', rootId: 'r', vmId: 'v' };
const read = (path: string, connection: DownstreamConnectionInfo | null) =>
  getProperty(path.replaceAll('.', '\0'), { plugin, stream: { connection } as StreamContext, streamCreatedAt: 0 });

test('connection.* properties come from the TLS connection and its verified client certificate', () => {
  const conn: DownstreamConnectionInfo = {
    id: 7,
    sourceAddress: '127.0.0.1',
    sourcePort: 40000,
    destinationAddress: '127.0.0.1',
    destinationPort: 443,
    transportProtocol: 'tls',
    serverName: 'a.example.com',
    alpn: 'h2',
    tls: {
      version: 'TLSv1.3',
      cipher: 'TLS_AES_256_GCM_SHA384',
      peerCertificate: {
        subject: 'CN=client,O=Example',
        uriSans: ['spiffe://example.com/sa/client', 'spiffe://second'],
        dnsSans: ['client.example.com'],
        fingerprint256: 'abcd',
        serialNumber: '01',
        validFrom: '',
        validTo: '',
        pem: '',
      },
      peerCertificateVerified: true,
      localUriSans: [],
    },
  };
  assert.deepEqual(read('connection.mtls', conn), Buffer.from([1]));
  assert.equal(read('connection.requested_server_name', conn)?.toString(), 'a.example.com');
  assert.equal(read('connection.tls_version', conn)?.toString(), 'TLSv1.3');
  assert.equal(read('connection.subject_peer_certificate', conn)?.toString(), 'CN=client,O=Example');
  assert.equal(read('connection.uri_san_peer_certificate', conn)?.toString(), 'spiffe://example.com/sa/client');
  assert.equal(read('connection.dns_san_peer_certificate', conn)?.toString(), 'client.example.com');
  assert.equal(read('connection.sha256_peer_certificate_digest', conn)?.toString(), 'abcd');
  assert.equal(read('connection.id', conn)?.readBigInt64LE(), 7n);
  // Plaintext: no TLS facts, mtls false, no SNI.
  assert.deepEqual(read('connection.mtls', null), Buffer.from([0]));
  assert.equal(read('connection.requested_server_name', null)?.toString(), '');
  assert.equal(read('connection.tls_version', null), undefined);
  assert.equal(read('connection.subject_peer_certificate', null), undefined);
});
