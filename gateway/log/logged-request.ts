// What the access log reads of a finished request: the fields of an HttpStream it uses, as an interface
// so that formats and filters can be tested with a plain object.
import type { RawHeaders } from '../../sdk/headers.js';

export interface LoggedRequest {
  /** Epoch milliseconds of the request's arrival. */
  readonly startTime: number;
  readonly method: string;
  readonly req: {
    readonly url?: string | undefined;
    readonly httpVersion: string;
    readonly socket: { readonly localAddress?: string | undefined; readonly localPort?: number | undefined };
  };
  /** The request headers as the filters left them. */
  readonly requestHeaders: { readonly raw: RawHeaders };
  readonly responseHeaders: { readonly raw: RawHeaders } | undefined;
  readonly responseStatus: number;
  readonly responseFlags: readonly string[] | null;
  readonly responseCodeDetails: string;
  /** Non-null when the response came from an upstream. */
  readonly upstream: object | null;
  readonly upstreamHost: string;
  readonly clusterName: string | undefined;
  readonly routeName: string | undefined;
  readonly requestId: string;
  readonly sourceAddress: string;
  readonly sourcePort: number;
  readonly bytesSent: number;
  readonly bytesReceived: number;
  /** The request's span when tracing is on. */
  readonly trace: { readonly traceId: string } | null;
}

/** A value an access-log operator yields: null when there is none (written "-" in text). */
export type LogValue = string | number | null;

/** Reads one value of a finished request; `durationMs` is its duration with sub-millisecond precision. */
export type LogGetter = (r: LoggedRequest, durationMs: number) => LogValue;
