// The fixed-rate (open-loop) load: requests are due at fixed intervals whatever the answers do, and
// each one's latency counts from when it was due, not from when a connection was free to send it.
// A closed-loop generator (autocannon, wrk) sends late when the server is slow and so leaves the
// wait out (coordinated omission); autocannon's `overallRate` only caps requests per second per
// connection, in bursts at the start of each second. This is wrk2's method in a few lines.
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Load, Target } from './measure.js';

/** Requests still unanswered this long after the window are counted as timed out. */
const DRAIN_MS = 5000;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

export interface OpenLoopResult {
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; p99_9: number };
  /** How late the generator itself sent, p99 in ms: above a fraction of a millisecond the latencies overstate. */
  sendLagP99Ms: number;
  errors: number;
  non2xx: number;
}

/** The percentile `p` (0..100) of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

function requestBytes(target: Target, { request, body }: Load): Buffer {
  const { host } = new URL(target.url);
  const lines = [`${request.method} ${request.path} HTTP/1.1`, `host: ${host}`];
  for (const [name, value] of Object.entries(target.headers)) lines.push(`${name}: ${value}`);
  if (body) lines.push(`content-length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

/** One keep-alive connection with at most one request in flight; parses content-length answers. */
class Connection {
  busy = false;
  dead = false;
  /** When the request in flight was due. */
  dueAt = 0;
  private head = '';
  private status = 0;
  private bodyLeft = -1;

  constructor(
    readonly socket: Socket,
    private readonly onAnswer: (connection: Connection, status: number) => void,
    private readonly onFailure: (connection: Connection, err: Error) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.read(chunk));
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(new Error('connection closed')));
  }

  private fail(err: Error): void {
    if (this.dead) return;
    this.dead = true;
    this.onFailure(this, err);
  }

  private read(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        const take = Math.min(this.bodyLeft, chunk.length - offset);
        this.bodyLeft -= take;
        offset += take;
        if (this.bodyLeft === 0) this.complete();
        continue;
      }
      const before = this.head.length;
      this.head += chunk.toString('latin1', offset);
      const end = this.head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = CONTENT_LENGTH.exec(this.head.slice(0, end + 2));
      if (length === null) {
        this.socket.destroy(new Error('the open-loop load reads only answers with a content-length'));
        return;
      }
      this.status = Number(this.head.slice(9, 12));
      offset += end + 4 - before;
      this.head = '';
      this.bodyLeft = Number(length[1]);
      if (this.bodyLeft === 0) this.complete();
    }
  }

  private complete(): void {
    this.bodyLeft = -1;
    this.busy = false;
    this.onAnswer(this, this.status);
  }
}

function open(url: URL, onAnswer: (c: Connection, status: number) => void, onFailure: (c: Connection, err: Error) => void): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(new Connection(socket, onAnswer, onFailure));
    });
    socket.once('error', reject);
  });
}

/**
 * Sends `rate` requests per second for `seconds` over `load.connections` connections; latency from
 * each due time. Answers must carry a content-length (the suite's upstream always does).
 */
export async function openLoop(target: Target, load: Load, rate: number, seconds: number): Promise<OpenLoopResult> {
  const bytes = requestBytes(target, load);
  const total = Math.floor(rate * seconds);
  const intervalMs = 1000 / rate;
  const latencies = new Float64Array(total);
  const sendLags = new Float64Array(total);
  let answered = 0;
  let sent = 0;
  let errors = 0;
  let non2xx = 0;
  let startAt = 0;
  /** Connections not closed yet; set once all are open. */
  let alive = Number.POSITIVE_INFINITY;
  let finish: () => void = () => {};
  const done = new Promise<void>((resolve) => (finish = resolve));
  const idle: Connection[] = [];
  let timer: NodeJS.Timeout | undefined;

  const settled = (): boolean => answered + errors >= total;
  /** Sends every request now due on the idle connections; the rest wait, their clock running. */
  const pump = (): void => {
    const now = performance.now();
    while (sent < total && idle.length > 0) {
      const dueAt = startAt + sent * intervalMs;
      if (dueAt > now) break;
      const connection = idle.pop() as Connection;
      connection.busy = true;
      connection.dueAt = dueAt;
      sendLags[sent] = now - dueAt;
      sent++;
      connection.socket.write(bytes);
    }
    clearTimeout(timer);
    if (sent < total && idle.length > 0) timer = setTimeout(pump, Math.max(0, startAt + sent * intervalMs - now));
  };
  const onAnswer = (connection: Connection, status: number): void => {
    latencies[answered++] = performance.now() - connection.dueAt;
    if (status < 200 || status >= 300) non2xx++;
    idle.push(connection);
    if (settled()) finish();
    else pump();
  };
  let firstError: string | null = null;
  const onFailure = (connection: Connection, err: Error): void => {
    firstError ??= err.message;
    if (connection.busy) errors++;
    alive--;
    const index = idle.indexOf(connection);
    if (index >= 0) idle.splice(index, 1);
    // With no connection left nothing more can be sent or answered.
    if (settled() || alive === 0) finish();
  };

  const url = new URL(target.url);
  const connections = await Promise.all(Array.from({ length: load.connections }, () => open(url, onAnswer, onFailure)));
  alive = connections.length;
  idle.push(...connections);
  startAt = performance.now();
  pump();
  const deadline = setTimeout(finish, seconds * 1000 + DRAIN_MS);
  await done;
  clearTimeout(deadline);
  clearTimeout(timer);
  for (const connection of connections) {
    connection.dead = true;
    connection.socket.destroy();
  }

  if (answered === 0 && firstError !== null) throw new Error(`open-loop load got no answer: ${firstError}`);

  const elapsed = Math.min(performance.now() - startAt, seconds * 1000 + DRAIN_MS) / 1000;
  const measured = latencies.subarray(0, answered).sort();
  const lags = sendLags.subarray(0, sent).sort();
  return {
    requests: answered,
    seconds: elapsed,
    requestsPerSecond: answered / elapsed,
    latencyMs: { p50: percentile(measured, 50), p99: percentile(measured, 99), p99_9: percentile(measured, 99.9) },
    sendLagP99Ms: percentile(lags, 99),
    errors: errors + (total - answered - errors),
    non2xx,
  };
}
