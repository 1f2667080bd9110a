// gRPC on the HTTP path: what a local reply becomes for a gRPC request (Envoy's mapping), and the trailers
// a gRPC response must end with whatever the client's protocol.
import type { IncomingHttpHeaders } from 'node:http';
import type { RawHeaders } from '../../sdk/headers.js';

/** application/grpc and its subtypes (application/grpc+proto, ...), not grpc-web (Envoy's hasGrpcContentType). */
export function isGrpcRequest(headers: RawHeaders): boolean {
  const ct = headers['content-type'];
  if (typeof ct !== 'string' || !ct.startsWith('application/grpc')) return false;
  return ct.length === 16 || ct[16] === '+' || ct[16] === ';';
}

/** Envoy's Grpc::Utility::httpToGrpcStatus (https://github.com/grpc/grpc/blob/master/doc/http-grpc-status-mapping.md). */
export function grpcStatusForHttp(status: number): number {
  switch (status) {
    case 400:
      return 13; // INTERNAL
    case 401:
      return 16; // UNAUTHENTICATED
    case 403:
      return 7; // PERMISSION_DENIED
    case 404:
      return 12; // UNIMPLEMENTED
    case 429:
    case 502:
    case 503:
    case 504:
      return 14; // UNAVAILABLE
    default:
      return 2; // UNKNOWN
  }
}

/**
 * A local reply to a gRPC request, as Envoy sends it: HTTP 200, no body, grpc-status mapped from the
 * status and grpc-message from the body (a "trailers-only" response). Returns the trailers to send too:
 * over HTTP/2 a client reads the status from trailers unless the headers ended the stream, which node's
 * compatibility response cannot do; over HTTP/1.1 with a content-length they are not sent, and the headers carry it.
 */
export function grpcLocalReply(status: number, body: Buffer, headers: RawHeaders): Record<string, string> {
  const trailers: Record<string, string> = { 'grpc-status': String(grpcStatusForHttp(status)) };
  if (body.length > 0) trailers['grpc-message'] = encodeGrpcMessage(body.toString());
  headers['content-type'] = 'application/grpc';
  Object.assign(headers, trailers);
  return trailers;
}

/** gRPC percent-encoding of grpc-message: bytes outside printable ASCII, and '%'. */
function encodeGrpcMessage(message: string): string {
  let out = '';
  for (const byte of Buffer.from(message)) {
    out += byte >= 0x20 && byte <= 0x7e && byte !== 0x25 ? String.fromCharCode(byte) : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const STATUS_TRAILERS = ['grpc-status', 'grpc-message', 'grpc-status-details-bin'];

/**
 * The trailers to end a response with: the upstream's, or, for a trailers-only gRPC response (grpc-status in
 * the headers, no trailers), its status headers again, since an HTTP/2 client looks for them in trailers.
 * Null when there is nothing to send.
 */
export function responseTrailers(trailers: IncomingHttpHeaders | null, headers: RawHeaders | undefined): IncomingHttpHeaders | null {
  if (trailers !== null) for (const _ in trailers) return trailers;
  if (headers === undefined || headers['grpc-status'] === undefined) return null;
  const out: IncomingHttpHeaders = {};
  for (const name of STATUS_TRAILERS) {
    const v = headers[name];
    if (typeof v === 'string') out[name] = v;
  }
  return out;
}
