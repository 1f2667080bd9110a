// What is known of a downstream connection once the listener accepted it (and terminated TLS when its
// filter chain has a transport socket): what network filters inspect, and what the terminal is handed.
// The gateway's listener fills it once per connection (gateway/network/connection.ts re-exports it).

export interface PeerCertificateInfo {
  /** RFC 2253, as Envoy prints it: "CN=client,OU=payments,O=Example". */
  readonly subject: string;
  readonly uriSans: readonly string[];
  readonly dnsSans: readonly string[];
  /** SHA-256 of the DER certificate, lower-case hex without colons (Envoy's XFCC Hash). */
  readonly fingerprint256: string;
  readonly serialNumber: string;
  readonly validFrom: string;
  readonly validTo: string;
  /** The certificate in PEM (XFCC Cert=). */
  readonly pem: string;
}

export interface DownstreamTlsInfo {
  readonly version: string;
  readonly cipher: string;
  /** The client certificate, when one was presented. */
  readonly peerCertificate: PeerCertificateInfo | null;
  /** True when the client certificate chained to the validation CA. */
  readonly peerCertificateVerified: boolean;
  /** URI SANs of our own certificate on this connection (XFCC By=). */
  readonly localUriSans: readonly string[];
}

export interface DownstreamConnectionInfo {
  readonly id: number;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly destinationAddress: string;
  readonly destinationPort: number;
  readonly transportProtocol: 'tls' | 'raw_buffer';
  /** SNI from the ClientHello; '' when none. */
  readonly serverName: string;
  /** The negotiated ALPN protocol; '' when none. */
  readonly alpn: string;
  readonly tls: DownstreamTlsInfo | null;
}
