// Where access-log lines go: a pino transport ('pino/file' in a worker thread) per path. The request
// thread only copies the line into the transport's shared buffer; the worker does the file I/O
// (docs/decisions.md has the measurement against sonic-boom in this thread). Lines are written raw.
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino } from 'pino';
import type { Logger } from 'pino';

/** How long close() waits for the worker to write out what is queued. */
const CLOSE_TIMEOUT_MS = 5000;

interface TransportStream {
  write(line: string): boolean;
  end(): void;
  on(event: 'error', cb: (err: Error) => void): unknown;
}

export class LogSink {
  private readonly stream: TransportStream;
  private closed: Promise<void> | null = null;
  private broken = false;

  constructor(path: string, log: Logger | undefined) {
    const destination = path === '/dev/stdout' ? 1 : path === '/dev/stderr' ? 2 : path;
    // Open it here first, so that a path we cannot write fails the build with its reason (as in Envoy), not
    // the worker later, whose end() would then block this thread for seconds.
    if (typeof destination === 'string') {
      try {
        mkdirSync(dirname(destination), { recursive: true });
        closeSync(openSync(destination, 'a'));
      } catch (err) {
        throw new Error(`access log ${path} cannot be written: ${(err as Error).message}`);
      }
    }
    this.stream = pino.transport({ target: 'pino/file', options: { destination, mkdir: true } }) as unknown as TransportStream;
    // A failing file (permissions, disk full) must not take the process down: say it once, keep serving.
    this.stream.on('error', (err) => {
      if (!this.broken) log?.error({ err, path }, 'access log write failed; this log is off until the next reload');
      this.broken = true;
    });
  }

  write(line: string): void {
    // Requests that finish after close() (on the old config of a reload) are not logged.
    if (this.closed === null && !this.broken) this.stream.write(line);
  }

  /**
   * Ends the stream and resolves when the worker has written everything. ThreadStream's end() blocks this thread
   * until the worker has taken the queue (it gives up after 10 s); the wait for 'finish' is bounded by CLOSE_TIMEOUT_MS.
   */
  close(): Promise<void> {
    if (this.closed !== null) return this.closed;
    if (this.broken) return (this.closed = Promise.resolve());
    const stream = this.stream as TransportStream & NodeJS.EventEmitter;
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), CLOSE_TIMEOUT_MS);
    timer.unref();
    // A ThreadStream says 'finish' once the worker has written and closed its file; it emits no 'close'.
    // once() rejects on 'error' and on the timeout: either way there is nothing more to wait for.
    this.closed = once(stream, 'finish', { signal: ac.signal })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        clearTimeout(timer);
        ac.abort();
      });
    stream.end();
    return this.closed;
  }
}
