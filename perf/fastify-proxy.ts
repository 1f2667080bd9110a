// The reference a Node.js user would reach for: bare fastify with @fastify/http-proxy in front
// of the upstream, default options, no logger.
// Run as a child process: node dist/perf/fastify-proxy.js <port> <upstream port>
import fastify from 'fastify';
import httpProxy from '@fastify/http-proxy';
import { LOOPBACK } from './ports.js';

const port = Number(process.argv[2]);
const upstreamPort = Number(process.argv[3]);
if (!(port > 0 && upstreamPort > 0)) throw new Error('usage: fastify-proxy.js <port> <upstream port>');

const app = fastify({ logger: false });
await app.register(httpProxy, { upstream: `http://${LOOPBACK}:${upstreamPort}` });
await app.listen({ port, host: LOOPBACK });
