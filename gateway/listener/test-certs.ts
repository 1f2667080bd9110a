// Test fixture: the certificates under gateway/listener/testdata (see its README). Tests run from the
// repository root or below it, so the directory is found from the working directory.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function testdataDir(): string {
  for (let dir = process.cwd(); ; ) {
    const candidate = join(dir, 'gateway/listener/testdata');
    if (existsSync(join(candidate, 'ca.crt'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find gateway/listener/testdata from the working directory');
    dir = up;
  }
}

const DIR = testdataDir();

export type CertName =
  | 'ca'
  | 'other-ca'
  | 'a.example.com'
  | 'wild.example.com'
  | 'default'
  | 'client-good'
  | 'client-other'
  | 'client-wrong-ca'
  | 'client-expired';

/** Absolute path of a certificate (`.crt`) or, with `key`, of its private key (`.key`). */
export function certPath(name: CertName, key = false): string {
  return join(DIR, `${name}.${key ? 'key' : 'crt'}`);
}

export function certPem(name: CertName, key = false): Buffer {
  return readFileSync(certPath(name, key));
}

/** A `transport_socket: tls` serving `name`'s certificate, with more DownstreamTlsContext fields. */
export function tlsTransport(name: CertName, extra: Record<string, unknown> = {}): unknown {
  return {
    name: 'tls',
    config: { certificates: [{ certificate_chain: { filename: certPath(name) }, private_key: { filename: certPath(name, true) } }], ...extra },
  };
}
