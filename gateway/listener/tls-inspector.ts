// Envoy's tls_inspector listener filter: reads the first bytes of a connection until they say TLS
// (with SNI and ALPN from the ClientHello) or plaintext, then puts them back so that whoever serves
// the connection reads them again. Bounded in bytes (MAX_CLIENT_HELLO_BYTES) and in time.
import type { Socket } from 'node:net';
import { MAX_CLIENT_HELLO_BYTES, parseClientHello } from './client-hello.js';
import type { ClientHelloResult } from './client-hello.js';

export type InspectResult = Exclude<ClientHelloResult, { kind: 'need_more' }> | { readonly kind: 'timeout' } | { readonly kind: 'closed' };

/**
 * Peeks at `socket` and calls `done` once. On `tls` and `not_tls` the bytes read are back in the socket
 * (paused: the next owner resumes it or reads from it); on anything else the caller closes the socket.
 */
export function inspect(socket: Socket, timeoutMs: number, done: (result: InspectResult) => void): void {
  let buffered: Buffer | null = null;
  const finish = (result: InspectResult): void => {
    clearTimeout(timer);
    socket.off('data', onData);
    socket.off('close', onClose);
    socket.off('error', onClose);
    if (buffered !== null && (result.kind === 'tls' || result.kind === 'not_tls')) {
      socket.pause();
      socket.unshift(buffered);
    }
    done(result);
  };
  const onData = (chunk: Buffer): void => {
    buffered = buffered === null ? chunk : Buffer.concat([buffered, chunk]);
    const result = parseClientHello(buffered);
    if (result.kind !== 'need_more') finish(result);
    else if (buffered.length > MAX_CLIENT_HELLO_BYTES + 5 * 16) finish({ kind: 'invalid', reason: 'the ClientHello is too large' });
  };
  const onClose = (): void => finish({ kind: 'closed' });
  // 0 disables the timeout, as in Envoy.
  const timer = timeoutMs > 0 ? setTimeout(() => finish({ kind: 'timeout' }), timeoutMs) : undefined;
  socket.on('data', onData);
  socket.on('close', onClose);
  socket.on('error', onClose);
  socket.resume(); // the listener accepts paused (pauseOnConnect): a 'data' listener alone does not read
}
