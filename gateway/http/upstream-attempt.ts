// One try of a request against one upstream host: the undici dispatch handler. It forwards what
// undici reports to its UpstreamRequest, which decides about retries and talks to the downstream.
//
// It speaks undici's legacy handler contract (onConnect, onHeaders, onData, onComplete, onError), which
// an undici Pool calls as is. Given the current one (onRequestStart...), undici wraps every request in an
// adapter and a controller and parses the raw headers into an object, which we then stripped of the
// hop-by-hop ones with `delete`; here the forwarded headers are built once from the raw list instead.
// The H2 pool adapts this contract itself (undici's WrapHandler).
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Host } from '../cluster/host.js';
import type { RawHeaders } from '../../sdk/headers.js';
import { forwardedHeaders, type RawHeaderList } from './request-headers.js';

export interface AttemptOwner {
  /** undici gave the attempt a connection (it stops counting as pending). */
  attemptConnected(a: UpstreamAttempt): void;
  /** `headers`: the response's, hop-by-hop ones already left out. */
  attemptHeaders(a: UpstreamAttempt, status: number, headers: RawHeaders): void;
  attemptData(a: UpstreamAttempt, chunk: Buffer): void;
  attemptEnd(a: UpstreamAttempt, trailers: IncomingHttpHeaders | null): void;
  attemptError(a: UpstreamAttempt, err: Error): void;
}

export class UpstreamAttempt implements Dispatcher.DispatchHandler {
  /** Set when our own timer aborted the attempt, so the error is read as a timeout. */
  timedOut = false;
  /** Set when we abandon the attempt on purpose (retry, downstream gone): later callbacks are ignored. */
  abandoned = false;
  /** The host's active-request count was already given back for this attempt. */
  released = false;
  /** Counted against max_pending_requests until undici hands it a connection. */
  pending = false;
  /** undici's, once it gave the request a connection. */
  private abortRequest: ((err: Error) => void) | null = null;
  /** undici's, from the response head on: reading the response again after a pause. */
  private resumeReading: (() => void) | null = null;
  private paused = false;
  private aborted = false;
  private pendingAbort: Error | null = null;

  constructor(
    readonly owner: AttemptOwner,
    readonly host: Host,
  ) {}

  onConnect(abort: (err?: Error) => void): void {
    this.abortRequest = abort;
    if (this.pendingAbort !== null) this.abortNow(this.pendingAbort);
    else if (this.pending) this.owner.attemptConnected(this);
  }

  /** Returns false to pause reading (the downstream applies backpressure), as undici's contract says. */
  onHeaders(statusCode: number, rawHeaders: RawHeaderList, resume: () => void): boolean {
    this.resumeReading = resume;
    // 1xx informational responses are not forwarded
    if (!this.abandoned && statusCode >= 200) this.owner.attemptHeaders(this, statusCode, forwardedHeaders(rawHeaders));
    return !this.paused;
  }

  onData(chunk: Buffer): boolean {
    if (!this.abandoned) this.owner.attemptData(this, chunk);
    return !this.paused;
  }

  onComplete(rawTrailers: RawHeaderList | null): void {
    if (this.abandoned) return;
    this.owner.attemptEnd(this, rawTrailers === null || rawTrailers.length === 0 ? null : forwardedHeaders(rawTrailers));
  }

  onError(err: Error): void {
    if (!this.abandoned) this.owner.attemptError(this, err);
  }

  /** Takes effect when the current callback returns (undici pauses on its `false`). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.resumeReading?.();
  }

  /** Abort the request on its connection (before undici gave it one, as soon as it does). */
  abort(reason: Error): void {
    if (this.abortRequest !== null) this.abortNow(reason);
    else this.pendingAbort = reason;
  }

  private abortNow(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortRequest!(reason);
  }
}
