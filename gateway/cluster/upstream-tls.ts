// A cluster's transport_socket tls as node:tls connect options: the PEM files read once, at config load,
// and the verification rules (Envoy's: the chain is verified only when a trusted CA is given).
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { createSecureContext, type ConnectionOptions, type SecureContextOptions } from 'node:tls';
import type { DataSource, UpstreamTlsConfig } from '../config/types.js';

/** What tls.connect / http2.connect / https.request need for one host (the cluster's part plus the host's name). */
export type UpstreamTlsOptions = Pick<
  ConnectionOptions,
  'ca' | 'cert' | 'key' | 'servername' | 'rejectUnauthorized' | 'checkServerIdentity'
>;

/** A cluster's TLS settings, read and checked: the same for every host but the server name. */
export class UpstreamTls {
  private readonly ca: Buffer | undefined;
  private readonly cert: Buffer | undefined;
  private readonly key: Buffer | undefined;

  /** Reads the files; throws UpstreamTlsError naming the field (relative to transport_socket.config). */
  constructor(private readonly config: UpstreamTlsConfig) {
    const ca = config.validation_context?.trusted_ca;
    this.ca = ca === undefined ? undefined : readPem(ca, 'validation_context.trusted_ca');
    const pair = config.certificates?.[0];
    if (pair !== undefined) {
      this.cert = readPem(pair.certificate_chain, 'certificates[0].certificate_chain');
      this.key = readPem(pair.private_key, 'certificates[0].private_key');
    }
    // Parses every PEM and checks that the key belongs to the certificate, so a bad file fails the load.
    if (this.ca !== undefined) secureContext({ ca: this.ca }, 'validation_context.trusted_ca');
    if (this.cert !== undefined) secureContext({ cert: this.cert, key: this.key }, 'certificates[0]');
  }

  /**
   * Options for connections to a host of the endpoint configured with `endpointAddress` (an IP, or the DNS
   * name a STRICT_DNS host was resolved from). SNI: `sni`, else that DNS name. The certificate is checked against that
   * name; with neither (a STATIC IP endpoint and no sni) only the chain is verified, as Envoy does.
   */
  forHost(endpointAddress: string): UpstreamTlsOptions {
    const name = this.config.sni ?? (isIP(endpointAddress) === 0 ? endpointAddress : undefined);
    const options: UpstreamTlsOptions = { rejectUnauthorized: this.ca !== undefined };
    if (this.ca !== undefined) options.ca = this.ca;
    if (this.cert !== undefined) {
      options.cert = this.cert;
      options.key = this.key;
    }
    if (name !== undefined) options.servername = name;
    else options.checkServerIdentity = skipNameCheck;
    return options;
  }
}

export class UpstreamTlsError extends Error {
  constructor(
    /** The field at fault, under transport_socket.config. */
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamTlsError';
  }
}

/** A DataSource's PEM: inline, or read from its file (an absolute path once the config is validated). */
function readPem(src: DataSource, field: string): Buffer {
  if (src.inline_string !== undefined) return Buffer.from(src.inline_string);
  try {
    return readFileSync(src.filename!);
  } catch (err) {
    throw new UpstreamTlsError(`${field}.filename`, `cannot read ${src.filename}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function secureContext(options: SecureContextOptions, field: string): void {
  try {
    createSecureContext(options);
  } catch (err) {
    throw new UpstreamTlsError(field, (err as Error).message);
  }
}

function skipNameCheck(): undefined {
  return undefined;
}

/**
 * Error codes of a failed TLS handshake or certificate check (node's and OpenSSL's). The request never
 * reached the upstream's HTTP layer, so the router treats them as connect failures (503 UF).
 */
const CERT_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'INVALID_CA',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
]);

export function isTlsError(code: string): boolean {
  return code.startsWith('ERR_SSL_') || CERT_CODES.has(code);
}
