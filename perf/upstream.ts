// The upstream every proxy forwards to (and the `upstream` contender itself), a node:http server
// on one or more loopback ports (the 200-endpoint cluster uses one process on 200 ports), keep-alive:
// - `GET /bytes/<n>` for n in LARGE_BODY_BYTES: n bytes, preallocated at start;
// - `POST` anything: the body is drained as it arrives (never buffered), then 128 bytes;
// - anything else: the same 128-byte body.
// Run as a child process: node dist/perf/upstream.js <port> [more ports...]
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { LOOPBACK } from './ports.js';
import { BODY_BYTES, DOWNLOAD_PATH, LARGE_BODY_BYTES } from './settings.js';

const ports = process.argv.slice(2).map(Number);
if (ports.length === 0 || !ports.every((port) => Number.isInteger(port) && port > 0)) throw new Error('usage: upstream.js <port> [port...]');

interface Answer {
  body: Buffer;
  headers: Record<string, string>;
}

function answer(bytes: number): Answer {
  return { body: Buffer.alloc(bytes, 'x'), headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes) } };
}

const small = answer(BODY_BYTES);
const byPath = new Map<string, Answer>(LARGE_BODY_BYTES.map((bytes) => [`${DOWNLOAD_PATH}${bytes}`, answer(bytes)]));

function respond(res: ServerResponse, { body, headers }: Answer): void {
  res.writeHead(200, headers);
  res.end(body);
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  if (req.method === 'POST') {
    // An upload: drain it chunk by chunk, answer once it has all arrived.
    req.on('end', () => respond(res, small));
    req.resume();
    return;
  }
  respond(res, byPath.get(req.url ?? '') ?? small);
}

for (const port of ports) {
  const server = createServer(handle);
  // Longer than the pause between two rounds, so proxies keep their pooled connections.
  server.keepAliveTimeout = 120_000;
  server.listen(port, LOOPBACK);
}
