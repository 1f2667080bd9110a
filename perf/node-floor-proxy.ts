// The Node floor: the least a Node.js proxy can do per request. A node:http server hands each
// request to an undici Pool with `dispatch` and a hand-written handler that streams the answer
// back. No routing, no filters, no header rewriting beyond hop-by-hop: whatever the gateway
// costs above this is the price of its features.
// Run as a child process: node dist/perf/node-floor-proxy.js <port> <upstream port>
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool, type Dispatcher } from 'undici';
import { LOOPBACK } from './ports.js';

const port = Number(process.argv[2]);
const upstreamPort = Number(process.argv[3]);
if (!(port > 0 && upstreamPort > 0)) throw new Error('usage: node-floor-proxy.js <port> <upstream port>');

const pool = new Pool(`http://${LOOPBACK}:${upstreamPort}`, { connections: 128 });

// Hop-by-hop headers belong to the upstream connection, not to the client's.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection']);

/**
 * Streams one upstream response into the downstream response. It uses undici's raw handler
 * methods (onConnect/onHeaders/onData/onComplete/onError): a handler with the newer
 * onRequestStart/onResponse* methods is wrapped in an adapter that parses the headers into an
 * object, which costs a floor should not pay.
 */
class ResponseStreamer implements Dispatcher.DispatchHandler {
  constructor(private readonly res: ServerResponse) {}

  onConnect(): void {
    // The floor does not cancel the upstream request when the client goes away.
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    const headers: string[] = [];
    for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
      const name = (rawHeaders[i] as Buffer).toString('latin1');
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push(name, (rawHeaders[i + 1] as Buffer).toString('latin1'));
    }
    this.res.writeHead(statusCode, headers);
    // undici pauses the upstream when onData returns false, and resumes when this is called.
    this.res.on('drain', resume);
    return true;
  }

  onData(chunk: Buffer): boolean {
    // A client that went away never drains: read the rest of the answer instead of pausing on it,
    // or the pooled upstream connection would stay paused for good.
    return this.res.write(chunk) || this.res.destroyed;
  }

  onComplete(): void {
    this.res.end();
  }

  onError(err: Error): void {
    if (this.res.headersSent) this.res.destroy(err);
    else this.res.writeHead(502).end();
  }
}

function forward(req: IncomingMessage, res: ServerResponse): void {
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  pool.dispatch(
    { method: req.method as Dispatcher.HttpMethod, path: req.url ?? '/', headers: req.rawHeaders, body: hasBody ? req : null },
    new ResponseStreamer(res),
  );
}

createServer(forward).listen(port, LOOPBACK);
