// Envoy's access-log command operators we implement: each name makes a getter once, at config load.
// A getter returns null when the request has no such value (the text format writes "-").
import { hostname } from 'node:os';
import type { RawHeaders } from '../../sdk/headers.js';
import type { LogGetter, LoggedRequest } from './logged-request.js';
import { compileStartTime } from './start-time.js';

/** Makes the getter of an operator from its argument (the text in parentheses, if any). Throws when it is wrong. */
type OperatorFactory = (arg: string | undefined) => LogGetter;

const noArg =
  (name: string, getter: LogGetter): OperatorFactory =>
  (arg) => {
    if (arg !== undefined) throw new Error(`%${name}% takes no argument`);
    return getter;
  };

const orNull = (s: string | undefined): string | null => (s === undefined || s === '' ? null : s);

function withPort(address: string, port: number | undefined): string | null {
  if (address === '') return null;
  const host = address.includes(':') ? `[${address}]` : address;
  return port === undefined ? host : `${host}:${port}`;
}

function headerValue(headers: RawHeaders | undefined, name: string): string | null {
  const v = headers?.[name];
  if (v === undefined) return null;
  return typeof v === 'string' ? v : v.join(',');
}

/** One header name of %REQ(...)%, with the pseudo-headers Envoy knows for requests. */
function requestHeader(name: string): LogGetter {
  switch (name) {
    case ':path':
      return (r) => orNull(r.req.url);
    case ':method':
      return (r) => r.method;
    case ':authority':
      return (r) => headerValue(r.requestHeaders.raw, 'host');
  }
  if (name.startsWith(':')) throw new Error(`unknown pseudo-header "${name}" (known: :path, :method, :authority)`);
  return (r) => headerValue(r.requestHeaders.raw, name);
}

/** `X` or `X?Y` (Y when X is absent), lower-cased once. */
function headerOperator(op: string, one: (name: string) => LogGetter): OperatorFactory {
  return (arg) => {
    if (arg === undefined || arg === '') throw new Error(`%${op}(...)% needs a header name`);
    const [main, alt, extra] = arg.toLowerCase().split('?');
    if (extra !== undefined || main === '' || alt === '') throw new Error(`%${op}(${arg})%: give "X" or "X?Y"`);
    const first = one(main!);
    if (alt === undefined) return first;
    const second = one(alt);
    return (r, d) => first(r, d) ?? second(r, d);
  };
}

const responseHeader = (name: string): LogGetter => {
  if (name.startsWith(':')) throw new Error(`unknown response pseudo-header "${name}"`);
  return (r) => headerValue(r.responseHeaders?.raw, name);
};

const HOSTNAME = hostname();

/** "via_upstream" when an upstream answered and nothing more precise was recorded (as Envoy says). */
export function responseCodeDetails(r: LoggedRequest): string | null {
  return r.responseCodeDetails !== '' ? r.responseCodeDetails : r.upstream !== null ? 'via_upstream' : null;
}

export const OPERATORS: Readonly<Record<string, OperatorFactory>> = {
  START_TIME: (arg) => {
    const format = compileStartTime(arg);
    return (r) => format(r.startTime);
  },
  REQ: headerOperator('REQ', requestHeader),
  RESP: headerOperator('RESP', responseHeader),
  // Response trailers are not kept by the stream: always "-".
  TRAILER: headerOperator('TRAILER', () => () => null),
  RESPONSE_CODE: noArg('RESPONSE_CODE', (r) => r.responseStatus),
  RESPONSE_CODE_DETAILS: noArg('RESPONSE_CODE_DETAILS', responseCodeDetails),
  RESPONSE_FLAGS: noArg('RESPONSE_FLAGS', (r) => (r.responseFlags === null ? null : r.responseFlags.join(','))),
  DURATION: noArg('DURATION', (_r, d) => Math.floor(d)),
  BYTES_SENT: noArg('BYTES_SENT', (r) => r.bytesSent),
  BYTES_RECEIVED: noArg('BYTES_RECEIVED', (r) => r.bytesReceived),
  PROTOCOL: noArg('PROTOCOL', (r) => `HTTP/${r.req.httpVersion}`),
  UPSTREAM_HOST: noArg('UPSTREAM_HOST', (r) => orNull(r.upstreamHost)),
  UPSTREAM_CLUSTER: noArg('UPSTREAM_CLUSTER', (r) => orNull(r.clusterName)),
  UPSTREAM_TRANSPORT_FAILURE_REASON: noArg('UPSTREAM_TRANSPORT_FAILURE_REASON', () => null),
  DOWNSTREAM_REMOTE_ADDRESS: noArg('DOWNSTREAM_REMOTE_ADDRESS', (r) => withPort(r.sourceAddress, r.sourcePort)),
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: noArg('DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT', (r) => orNull(r.sourceAddress)),
  DOWNSTREAM_LOCAL_ADDRESS: noArg('DOWNSTREAM_LOCAL_ADDRESS', (r) =>
    withPort(localAddress(r), r.req.socket.localPort),
  ),
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: noArg('DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT', (r) => orNull(localAddress(r))),
  ROUTE_NAME: noArg('ROUTE_NAME', (r) => orNull(r.routeName)),
  TRACE_ID: noArg('TRACE_ID', (r) => (r.trace === null ? null : r.trace.traceId)),
  HOSTNAME: noArg('HOSTNAME', () => HOSTNAME),
};

/** The socket's local address, '::ffff:'-prefixed IPv4 shown plain; '' once the socket is gone. */
function localAddress(r: LoggedRequest): string {
  const a = r.req.socket.localAddress;
  if (a === undefined) return '';
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}
