// Test fixture: the PEM files under gateway/cluster/testdata (made with openssl, valid for 100 years):
// ca.pem signed server.pem (CN upstream.test, SANs upstream.test, localhost, 127.0.0.1), client-ca.pem signed
// client.pem (CN gateway-client), other-ca.pem signed nothing. Tests run from the repository root or below it.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function testdataDir(): string {
  let dir = process.cwd();
  for (;;) {
    const candidate = join(dir, 'gateway/cluster/testdata');
    if (existsSync(join(candidate, 'ca.pem'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find gateway/cluster/testdata from the working directory');
    dir = up;
  }
}

const DIR = testdataDir();

export type PemName = 'ca' | 'other-ca' | 'client-ca' | 'server' | 'client';

/** Absolute path of a certificate (`.pem`) or, with `key`, of its private key (`.key`). */
export function pemPath(name: PemName, key = false): string {
  return join(DIR, `${name}.${key ? 'key' : 'pem'}`);
}

export function pem(name: PemName, key = false): Buffer {
  return readFileSync(pemPath(name, key));
}
