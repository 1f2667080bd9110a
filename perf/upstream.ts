// The upstream every proxy forwards to (and the `upstream` contender itself):
// a node:http server answering every request with the same 128-byte body, keep-alive.
// Run as a child process: node dist/perf/upstream.js <port>
import { createServer } from 'node:http';
import { LOOPBACK } from './ports.js';
import { BODY_BYTES } from './settings.js';

const port = Number(process.argv[2]);
if (!Number.isInteger(port) || port <= 0) throw new Error('usage: upstream.js <port>');

const body = Buffer.alloc(BODY_BYTES, 'x');
const headers = { 'content-type': 'text/plain', 'content-length': String(BODY_BYTES) };

const server = createServer((_req, res) => {
  res.writeHead(200, headers);
  res.end(body);
});
// Longer than the pause between two rounds, so proxies keep their pooled connections.
server.keepAliveTimeout = 120_000;
server.listen(port, LOOPBACK);
