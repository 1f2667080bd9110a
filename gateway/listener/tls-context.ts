// A filter chain's downstream TLS (transport_socket: tls): the SecureContext built once per config
// load from the chain's PEM files, and the checks node does not do for us (client certificate when
// required, subject alt names). A reload builds new contexts: new connections get the new certificates.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { SecureVersion, TlsOptions, TLSSocket } from 'node:tls';
import type { DataSource, DownstreamTlsConfig } from '../config/types.js';
import { compileStringMatcher } from '../../sdk/matching/matchers.js';
import type { PeerCertificateInfo } from '../network/connection.js';

const VERSIONS: Record<DownstreamTlsConfig['tls_minimum_protocol_version'], SecureVersion> = { TLSv1_2: 'TLSv1.2', TLSv1_3: 'TLSv1.3' };

/** Why a handshake that completed is still refused; the name is the stat (`listener.<name>.ssl.<reason>`). */
export type VerifyFailure = 'fail_verify_no_cert' | 'fail_verify_error' | 'fail_verify_san';

export class ServerTlsContext {
  /** For a tls.Server (it builds its SecureContext from them; they were checked by building one here). */
  readonly serverOptions: TlsOptions;
  /** Ask for a client certificate (a validation context is configured). */
  private readonly requestCert: boolean;
  private readonly requireClientCert: boolean;
  private readonly sanMatchers: ((value: string) => boolean)[] | null;

  /** Reads the files (relative to `configDir`); throws an Error naming the field and the file. */
  constructor(config: DownstreamTlsConfig, configDir: string) {
    const read = (src: DataSource, field: string): string => {
      if (src.inline_string !== undefined) return src.inline_string;
      const file = resolve(configDir, src.filename!);
      try {
        return readFileSync(file, 'utf8');
      } catch (err) {
        throw new Error(`${field}.filename: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
    };
    const certs = config.certificates.map((c, i) => ({
      cert: read(c.certificate_chain, `certificates[${i}].certificate_chain`),
      key: read(c.private_key, `certificates[${i}].private_key`),
    }));
    const ca = config.validation_context === undefined ? undefined : read(config.validation_context.trusted_ca, 'validation_context.trusted_ca');
    if (config.tls_minimum_protocol_version === 'TLSv1_3' && config.tls_maximum_protocol_version === 'TLSv1_2')
      throw new Error('tls_minimum_protocol_version: must not be above tls_maximum_protocol_version');
    this.requestCert = ca !== undefined;
    this.requireClientCert = config.require_client_certificate;
    if (this.requireClientCert && ca === undefined) throw new Error('require_client_certificate: needs validation_context.trusted_ca');
    this.serverOptions = {
      // Every certificate in one context (an RSA and an ECDSA one, say): OpenSSL picks by the client's algorithms.
      cert: certs.map((c) => c.cert),
      key: certs.map((c) => c.key),
      ...(ca === undefined ? {} : { ca }),
      minVersion: VERSIONS[config.tls_minimum_protocol_version],
      maxVersion: VERSIONS[config.tls_maximum_protocol_version],
      requestCert: this.requestCert,
      // Unverified certificates are refused after the handshake (verify()), to count why (ssl.fail_verify_*).
      rejectUnauthorized: false,
      ...(config.alpn_protocols === undefined ? {} : { ALPNProtocols: [...config.alpn_protocols] }),
    };
    try {
      createSecureContext(this.serverOptions); // key/certificate mismatch, bad PEM: a config error now
    } catch (err) {
      throw new Error(`certificates: ${(err as Error).message}`);
    }
    this.sanMatchers =
      config.validation_context?.match_subject_alt_names?.map((m, i) => {
        try {
          return compileStringMatcher(m);
        } catch (err) {
          throw new Error(`validation_context.match_subject_alt_names[${i}]: ${(err as Error).message}`);
        }
      }) ?? null;
  }

  /**
   * After the handshake: null when the connection may be served, else why not. Like Envoy, a presented
   * certificate must verify even when none is required, and match_subject_alt_names must match one SAN.
   */
  verify(socket: TLSSocket, peer: PeerCertificateInfo | null): VerifyFailure | null {
    if (!this.requestCert) return null;
    if (peer === null) return this.requireClientCert ? 'fail_verify_no_cert' : null;
    if (!socket.authorized) return 'fail_verify_error';
    if (this.sanMatchers !== null) {
      const sans = [...peer.uriSans, ...peer.dnsSans];
      if (!this.sanMatchers.some((m) => sans.some((s) => m(s)))) return 'fail_verify_san';
    }
    return null;
  }
}
