// Draining the downstream connections of a listener that keeps its socket across reloads (and of one that
// closes). Every connection belongs to the generation (config) it was accepted under. Draining a generation:
// its idle connections are closed, its busy ones answer their next response with `connection: close` (node
// then closes them), and whatever is left at the deadline is cut. Any listener built on node:http (plain or
// TLS) uses it the same way: `track` each connection that carries requests, `onRequest` before handling each
// request, `drainPrevious` on reload, `drainAll` on close.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * A connection whose last request started (or that was accepted) less than this long ago is not closed as idle at once: its client
 * may already have the next request on the wire, and closing then would fail that request. It is closed at
 * the next sweep if it stays idle, or after its next response (which says `connection: close`).
 */
export const RECENT_REQUEST_MS = 250;

interface Generation {
  readonly sockets: Set<TrackedSocket>;
  draining: boolean;
  /** Called when a draining generation has no connection left. */
  onEmpty: (() => void) | null;
}

const GENERATION = Symbol('generation');
const LAST_REQUEST = Symbol('lastRequest');

type TrackedSocket = Socket & {
  [GENERATION]: Generation;
  /** performance.now() when its last request arrived, or when it was accepted. */
  [LAST_REQUEST]: number;
  /** node:http's response in progress on this socket, null between requests. */
  _httpMessage?: ServerResponse | null;
};

function newGeneration(): Generation {
  return { sockets: new Set(), draining: false, onEmpty: null };
}

export class ConnectionDrain {
  private current = newGeneration();

  /** Call on every new connection (the socket that will carry requests). */
  readonly track = (socket: Socket): void => {
    const s = socket as TrackedSocket;
    s[GENERATION] = this.current;
    s[LAST_REQUEST] = performance.now(); // a connection just accepted likely has its first request on the wire
    this.current.sockets.add(s);
    s.once('close', untrack);
  };

  /** Call for every request before it is handled: a draining connection's response closes it. No allocation. */
  onRequest(req: IncomingMessage, res: ServerResponse): void {
    const s = req.socket as TrackedSocket;
    s[LAST_REQUEST] = performance.now();
    if (s[GENERATION]?.draining === true) res.shouldKeepAlive = false;
  }

  /** Call when a connection is upgraded (websocket): it is never idle, so a drain leaves it until the deadline. */
  upgraded(socket: Socket): void {
    (socket as TrackedSocket)[LAST_REQUEST] = Infinity;
  }

  /** Connections accepted from now on start a new generation; the ones open until now drain. */
  drainPrevious(drainMs: number): Promise<void> {
    const old = this.current;
    this.current = newGeneration();
    return drain(old, drainMs);
  }

  /** Drains every connection (the server has stopped accepting). */
  drainAll(drainMs: number): Promise<void> {
    return drain(this.current, drainMs);
  }
}

function untrack(this: TrackedSocket): void {
  const gen = this[GENERATION];
  gen.sockets.delete(this);
  if (gen.sockets.size === 0) gen.onEmpty?.();
}

/** Resolves when the generation has no connection left: closed by its client, by us when idle, or cut at the deadline. */
function drain(gen: Generation, drainMs: number): Promise<void> {
  gen.draining = true;
  for (const s of gen.sockets) closeOrMark(s);
  if (gen.sockets.size === 0) return Promise.resolve();
  return new Promise((resolve) => {
    const sweep = setInterval(() => {
      for (const s of gen.sockets) closeIfIdle(s);
    }, RECENT_REQUEST_MS);
    const deadline = setTimeout(() => {
      for (const s of gen.sockets) s.destroy();
    }, drainMs);
    sweep.unref();
    deadline.unref();
    gen.onEmpty = () => {
      gen.onEmpty = null;
      clearInterval(sweep);
      clearTimeout(deadline);
      resolve();
    };
  });
}

function closeOrMark(s: TrackedSocket): void {
  const res = s._httpMessage;
  if (res === null || res === undefined) closeIfIdle(s);
  // Busy: its response says `connection: close` unless its head is already out; then the sweep closes it once idle.
  else if (!res.headersSent) res.shouldKeepAlive = false;
}

function closeIfIdle(s: TrackedSocket): void {
  if ((s._httpMessage === null || s._httpMessage === undefined) && performance.now() - s[LAST_REQUEST] >= RECENT_REQUEST_MS) s.destroy();
}
