// Bare fastify + @fastify/http-proxy: the reference a Node.js user would reach for.
import { join } from 'node:path';
import type { Contender } from './contender.js';

export const fastifyHttpProxy: Contender = {
  name: 'fastify-http-proxy',
  description: 'bare fastify + @fastify/http-proxy, default options',
  unavailable: () => null,
  command: ({ perfDist, port, upstreamPort }) => ({
    file: process.execPath,
    args: [join(perfDist, 'fastify-proxy.js'), String(port), String(upstreamPort)],
  }),
};
