// One try of a request against one upstream host: the undici dispatch handler. It forwards what
// undici reports to its UpstreamRequest, which decides about retries and talks to the downstream.
import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Host } from '../cluster/host.js';

export interface AttemptOwner {
  /** undici gave the attempt a connection (it stops counting as pending). */
  attemptConnected(a: UpstreamAttempt): void;
  attemptHeaders(a: UpstreamAttempt, status: number, headers: IncomingHttpHeaders): void;
  attemptData(a: UpstreamAttempt, chunk: Buffer): void;
  attemptEnd(a: UpstreamAttempt, trailers: IncomingHttpHeaders | null): void;
  attemptError(a: UpstreamAttempt, err: Error): void;
}

export class UpstreamAttempt implements Dispatcher.DispatchHandler {
  controller: Dispatcher.DispatchController | null = null;
  /** Set when our own timer aborted the attempt, so the error is read as a timeout. */
  timedOut = false;
  /** Set when we abandon the attempt on purpose (retry, downstream gone): later callbacks are ignored. */
  abandoned = false;
  /** The host's active-request count was already given back for this attempt. */
  released = false;
  /** Counted against max_pending_requests until undici hands it a connection. */
  pending = false;
  private pendingAbort: Error | null = null;

  constructor(
    readonly owner: AttemptOwner,
    readonly host: Host,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.pendingAbort !== null) controller.abort(this.pendingAbort);
    else if (this.pending) this.owner.attemptConnected(this);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    if (this.abandoned || statusCode < 200) return; // 1xx informational responses are not forwarded
    this.owner.attemptHeaders(this, statusCode, headers);
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    if (!this.abandoned) this.owner.attemptData(this, chunk);
  }

  onResponseEnd(_c: Dispatcher.DispatchController, trailers: IncomingHttpHeaders | null): void {
    if (!this.abandoned) this.owner.attemptEnd(this, trailers);
  }

  onResponseError(_c: Dispatcher.DispatchController, err: Error): void {
    if (!this.abandoned) this.owner.attemptError(this, err);
  }

  pause(): void {
    this.controller?.pause();
  }

  resume(): void {
    this.controller?.resume();
  }

  /** Abort the request on its connection (before undici handed us a controller, as soon as it does). */
  abort(reason: Error): void {
    if (this.controller !== null) this.controller.abort(reason);
    else this.pendingAbort = reason;
  }
}
