// Test fixture: the certificates under gateway/testdata/tls (see its README: what each is, how they were made),
// for downstream TLS (listeners) and upstream TLS (clusters). Tests run from the repository root or below it,
// so the directory is found from the working directory.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function testdataDir(): string {
  for (let dir = process.cwd(); ; ) {
    const candidate = join(dir, 'gateway/testdata/tls');
    if (existsSync(join(candidate, 'ca.crt'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find gateway/testdata/tls from the working directory');
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
  | 'upstream'
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
