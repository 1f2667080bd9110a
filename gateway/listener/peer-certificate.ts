// What a TLS connection tells about its peer, once per connection after the handshake, in the forms
// Envoy uses: the subject as RFC 2253 ("CN=client,OU=payments,O=Example"), URI and DNS SANs, and the
// SHA-256 digest of the DER certificate in lower-case hex.
import type { TLSSocket } from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import type { DownstreamTlsInfo, PeerCertificateInfo } from '../network/connection.js';

/** node prints the subject one RDN a line, most significant first; RFC 2253 lists them the other way, with commas. */
function rfc2253(subject: string): string {
  return subject.split('\n').reverse().join(',');
}

/** "DNS:a.example.com, URI:spiffe://x, IP Address:10.0.0.1": values with a comma come JSON-quoted. */
function sans(altNames: string | undefined): { uri: string[]; dns: string[] } {
  const uri: string[] = [];
  const dns: string[] = [];
  if (altNames === undefined) return { uri, dns };
  const re = /(DNS|URI|IP Address|email|DirName|othername|Registered ID):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const m of altNames.matchAll(re)) {
    const raw = m[2]!;
    const value = raw.startsWith('"') ? (JSON.parse(raw) as string) : raw;
    if (m[1] === 'URI') uri.push(value);
    else if (m[1] === 'DNS') dns.push(value);
  }
  return { uri, dns };
}

function certificateInfo(cert: X509Certificate): PeerCertificateInfo {
  const { uri, dns } = sans(cert.subjectAltName);
  return {
    subject: rfc2253(cert.subject),
    uriSans: uri,
    dnsSans: dns,
    fingerprint256: cert.fingerprint256.replaceAll(':', '').toLowerCase(),
    serialNumber: cert.serialNumber,
    validFrom: cert.validFrom,
    validTo: cert.validTo,
    pem: cert.toString(),
  };
}

/** The TLS facts of a connection whose handshake is done. */
export function downstreamTlsInfo(socket: TLSSocket): DownstreamTlsInfo {
  const peer = socket.getPeerX509Certificate();
  const local = socket.getX509Certificate();
  return {
    version: socket.getProtocol() ?? '',
    cipher: socket.getCipher()?.name ?? '',
    peerCertificate: peer === undefined ? null : certificateInfo(peer),
    peerCertificateVerified: peer !== undefined && socket.authorized,
    localUriSans: local === undefined ? [] : sans(local.subjectAltName).uri,
  };
}
