import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import type { ConnectionOptions } from 'node:tls';
import { parseClientHello } from './client-hello.js';

/** The first bytes a real node:tls client sends with these options (the ClientHello), captured on a raw socket. */
async function captureClientHello(options: ConnectionOptions): Promise<Buffer> {
  let resolveBytes!: (b: Buffer) => void;
  const captured = new Promise<Buffer>((resolve) => (resolveBytes = resolve));
  const server = createServer((socket) => {
    let seen = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      seen = Buffer.concat([seen, c]);
      if (seen.length >= 5 && seen.length >= 5 + seen.readUInt16BE(3)) {
        resolveBytes(seen);
        socket.destroy();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, ...options });
  client.on('error', () => {}); // the capture server hangs up mid-handshake
  try {
    return await captured;
  } finally {
    client.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

test('a real ClientHello: SNI and ALPN', async () => {
  const hello = await captureClientHello({ servername: 'A.Example.com', ALPNProtocols: ['h2', 'http/1.1'] });
  assert.deepEqual(parseClientHello(hello), { kind: 'tls', serverName: 'a.example.com', alpn: ['h2', 'http/1.1'] });
});

test('a ClientHello without SNI (an IP address) nor ALPN', async () => {
  const hello = await captureClientHello({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
  assert.deepEqual(parseClientHello(hello), { kind: 'tls', serverName: '', alpn: [] });
});

test('every prefix of a ClientHello needs more; the whole one parses', async () => {
  const hello = await captureClientHello({ servername: 'b.example.com' });
  for (let n = 1; n < hello.length; n += 7) assert.equal(parseClientHello(hello.subarray(0, n)).kind, 'need_more', `prefix ${n}`);
  assert.equal(parseClientHello(hello).kind, 'tls');
});

test('a ClientHello fragmented over several records is reassembled', async () => {
  const hello = await captureClientHello({ servername: 'split.example.com', ALPNProtocols: ['http/1.1'] });
  const body = hello.subarray(5);
  const record = (part: Buffer): Buffer => Buffer.concat([Buffer.from([0x16, 0x03, 0x01, part.length >> 8, part.length & 0xff]), part]);
  const split = Buffer.concat([record(body.subarray(0, 3)), record(body.subarray(3, 100)), record(body.subarray(100))]);
  assert.deepEqual(parseClientHello(split), { kind: 'tls', serverName: 'split.example.com', alpn: ['http/1.1'] });
  assert.equal(parseClientHello(split.subarray(0, split.length - 1)).kind, 'need_more');
});

test('plaintext is told at the first byte', () => {
  assert.equal(parseClientHello(Buffer.from('G')).kind, 'not_tls');
  assert.equal(parseClientHello(Buffer.from('PRI * HTTP/2.0\r\n')).kind, 'not_tls');
  assert.equal(parseClientHello(Buffer.from([0x16, 0x47])).kind, 'not_tls');
  assert.equal(parseClientHello(Buffer.alloc(0)).kind, 'need_more');
});

test('malformed handshakes are invalid, never thrown', async () => {
  const notHello = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00]);
  assert.equal(parseClientHello(notHello).kind, 'invalid');
  const hello = await captureClientHello({ servername: 'x.example.com' });
  // Claim a longer extensions block than there is.
  const broken = Buffer.from(hello);
  const truncatedLength = 5 + 4 + 40;
  broken.writeUInt16BE(truncatedLength - 5, 3);
  broken.writeUIntBE(truncatedLength - 9, 6, 3);
  assert.equal(parseClientHello(broken.subarray(0, truncatedLength)).kind, 'invalid');
  const huge = Buffer.from([0x16, 0x03, 0x01, 0x00, 0x04, 0x01, 0x10, 0x00, 0x00]);
  assert.deepEqual(parseClientHello(huge), { kind: 'invalid', reason: 'the ClientHello is too large' });
});
