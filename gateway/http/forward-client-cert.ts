// Envoy's forward_client_cert_details: what becomes of x-forwarded-client-cert (XFCC) on the way to the
// upstream. SANITIZE (default) removes it; FORWARD_ONLY keeps it on mTLS connections; APPEND_FORWARD
// appends this hop's client certificate details, SANITIZE_SET replaces the header with them (mTLS only,
// else both remove it); ALWAYS_FORWARD_ONLY keeps it whatever the connection. The details follow Envoy
// (conn_manager_utility.cc): By=<our URI SAN>;Hash=<sha256>;Subject="...";URI=...;Cert="...";DNS=...
import type { DownstreamConnectionInfo } from '../network/connection.js';
import type { RawHeaders } from '../../sdk/headers.js';
import type { HttpConnectionManagerConfig } from '../config/types.js';

const XFCC = 'x-forwarded-client-cert';

export class ForwardClientCert {
  private readonly mode: HttpConnectionManagerConfig['forward_client_cert_details'];
  private readonly subject: boolean;
  private readonly uri: boolean;
  private readonly cert: boolean;
  private readonly dns: boolean;

  constructor(config: HttpConnectionManagerConfig) {
    this.mode = config.forward_client_cert_details;
    const d = config.set_current_client_cert_details;
    this.subject = d?.subject === true;
    this.uri = d?.uri === true;
    this.cert = d?.cert === true;
    this.dns = d?.dns === true;
  }

  /** Rewrites the request's XFCC for a request on `connection` (null: plaintext). */
  apply(headers: RawHeaders, connection: DownstreamConnectionInfo | null): void {
    if (this.mode === 'ALWAYS_FORWARD_ONLY') return;
    const peer = connection?.tls?.peerCertificate ?? null;
    if (this.mode === 'SANITIZE' || peer === null || connection!.tls!.peerCertificateVerified === false) {
      if (headers[XFCC] !== undefined) delete headers[XFCC];
      return;
    }
    if (this.mode === 'FORWARD_ONLY') return;
    const parts: string[] = [];
    for (const uri of connection!.tls!.localUriSans) parts.push(`By=${uri}`);
    parts.push(`Hash=${peer.fingerprint256}`);
    if (this.subject) parts.push(`Subject="${peer.subject.replaceAll('"', '\\"')}"`);
    if (this.uri) {
      if (peer.uriSans.length === 0) parts.push('URI=');
      for (const uri of peer.uriSans) parts.push(`URI=${uri}`);
    }
    if (this.cert) parts.push(`Cert="${encodeURIComponent(peer.pem)}"`);
    if (this.dns) for (const dns of peer.dnsSans) parts.push(`DNS=${dns}`);
    const value = parts.join(';');
    const existing = headers[XFCC];
    if (this.mode === 'APPEND_FORWARD' && existing !== undefined) {
      headers[XFCC] = `${typeof existing === 'string' ? existing : existing.join(',')},${value}`;
    } else headers[XFCC] = value;
  }
}
